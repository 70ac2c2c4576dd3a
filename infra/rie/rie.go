// Package rie runs function binaries under the AWS Lambda Runtime Interface
// Emulator (RIE), the program that plays the Lambda service for a bootstrap
// as the provided.al2023 runtime runs it: it starts the bootstrap on the first
// invoke and serves it the Runtime API. The tests use it to check that each
// built function starts with its template environment and answers its sample
// event; the benchmark uses it to time cold starts against a hello-world
// function (infra/rie/hello).
//
// No Docker is needed: the emulator is a Go program, built once from the
// module proxy and cached under the user cache folder. It is built from a
// module of its own, infra/rie/tools, which requires it with a tool
// directive: its dependencies stay out of the project's module graph.
package rie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/intercultural-cities/backoffice/infra/template"
)

// The emulator's module and the version this project runs;
// infra/rie/tools/go.mod requires the same version.
const (
	Module  = "github.com/aws/aws-lambda-runtime-interface-emulator"
	Version = "v0.0.0-20261030222936-bef5c4ba774d"
	command = Module + "/cmd/aws-lambda-rie"
)

// ModuleRoot returns the folder of go.mod and template.yaml.
func ModuleRoot() (string, error) {
	p, err := template.Find()
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

// goTool returns the go command.
func goTool() (string, error) {
	p, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no go command on PATH: %w", err)
	}
	return p, nil
}

// ToolsDir returns the folder of the module the emulator is built from.
func ToolsDir() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "infra", "rie", "tools"), nil
}

// goRun runs the go command in dir with extra environment settings.
func goRun(dir string, env []string, args ...string) error {
	g, err := goTool()
	if err != nil {
		return err
	}
	cmd := exec.Command(g, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// BuildRIE returns the emulator binary for the host, building it on first
// use into <user cache>/icc-rie/<version>/<os>-<arch>/aws-lambda-rie. It
// builds it in the tools module (infra/rie/tools), at the versions that
// module's go.mod and go.sum pin, and only there: one set of versions,
// checked by `make lint` (go mod tidy -diff) like the project's.
func BuildRIE() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache folder: %w", err)
	}
	dir := filepath.Join(cache, "icc-rie", Version, runtime.GOOS+"-"+runtime.GOARCH)
	bin := filepath.Join(dir, "aws-lambda-rie")
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	host := []string{"GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH, "CGO_ENABLED=0"}

	tools, err := ToolsDir()
	if err != nil {
		return "", err
	}
	if err := requiredVersion(tools); err != nil {
		return "", err
	}
	// GOWORK=off: a workspace file above would pull the tools module into
	// the project's build list again.
	env := append(host, "GOWORK=off")
	if err := goRun(tools, env, "build", "-trimpath", "-o", filepath.Join(tmp, "aws-lambda-rie"), command); err != nil {
		return "", fmt.Errorf("build the emulator in %s: %w", tools, err)
	}
	if err := os.Rename(filepath.Join(tmp, "aws-lambda-rie"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// requiredVersion checks that the tools module in dir requires the
// emulator at Version, so that the cache key tells the truth.
func requiredVersion(dir string) error {
	g, err := goTool()
	if err != nil {
		return err
	}
	cmd := exec.Command(g, "list", "-m", "-f", "{{.Version}}", Module)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("go list -m %s in %s: %w\n%s", Module, dir, err, bytes.TrimSpace(exit.Stderr))
	}
	if err != nil {
		return fmt.Errorf("go list -m %s in %s: %w", Module, dir, err)
	}
	if v := strings.TrimSpace(string(out)); v != Version {
		return fmt.Errorf("%s requires %s %s, this package runs %s", filepath.Join(dir, "go.mod"), Module, v, Version)
	}
	return nil
}

// BuildFunction builds the main package pkg ("./functions/openapi", relative
// to the module root, or an import path) as a Lambda bootstrap for goos and
// goarch, with the flags of `make build`, and returns dir/bootstrap.
func BuildFunction(dir, pkg, goos, goarch string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	out, err := filepath.Abs(filepath.Join(dir, "bootstrap"))
	if err != nil {
		return "", err
	}
	env := []string{"GOOS=" + goos, "GOARCH=" + goarch, "CGO_ENABLED=0"}
	if err := goRun(root, env, "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg); err != nil {
		return "", err
	}
	return out, nil
}

// FunctionEnv is the environment Lambda gives the template's function name:
// its Environment variables, with each "!Ref X" replaced by refs[X], and
// the AWS_LAMBDA_FUNCTION_* settings the emulator reads (name, timeout and
// memory size, from the function or Globals).
func FunctionEnv(tpl *template.Template, name string, refs map[string]string) ([]string, error) {
	f, ok := tpl.FunctionByName(name)
	if !ok {
		return nil, fmt.Errorf("template.yaml has no function functions/%s", name)
	}
	env := []string{"AWS_LAMBDA_FUNCTION_NAME=" + name}
	for _, p := range []struct{ property, variable string }{
		{"Timeout", "AWS_LAMBDA_FUNCTION_TIMEOUT"},
		{"MemorySize", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"},
	} {
		if v, ok := tpl.FunctionProperty(f, p.property); ok {
			if n, ok := v.(float64); ok {
				env = append(env, p.variable+"="+strconv.FormatFloat(n, 'f', -1, 64))
			}
		}
	}
	var unresolved []string
	for k, v := range f.Env {
		if ref, isRef := strings.CutPrefix(v, "!Ref "); isRef {
			r, ok := refs[ref]
			if !ok {
				unresolved = append(unresolved, k+"="+v)
				continue
			}
			v = r
		} else if strings.HasPrefix(v, "!") {
			unresolved = append(unresolved, k+"="+v)
			continue
		}
		env = append(env, k+"="+v)
	}
	if len(unresolved) > 0 {
		return nil, fmt.Errorf("function %s: cannot resolve %s", name, strings.Join(unresolved, ", "))
	}
	return env, nil
}

// ColdStart starts the emulator with bootstrap and exactly env (the emulator
// hands its environment to the function), invokes it once with event, stops
// it, and returns the time from starting the emulator's process to the end
// of the first answered invoke, and the function's response. A function
// error or a failed init is an error, with the emulator's and the function's
// output.
func ColdStart(ctx context.Context, rieBin, bootstrap string, env []string, event []byte) (time.Duration, []byte, error) {
	var err error
	for range 3 { // a port taken between choosing it and binding it
		var d time.Duration
		var body []byte
		d, body, err = coldStart(ctx, rieBin, bootstrap, env, event)
		if !errors.Is(err, errPortTaken) {
			return d, body, err
		}
	}
	return 0, nil, err
}

var errPortTaken = errors.New("port taken")

func coldStart(ctx context.Context, rieBin, bootstrap string, env []string, event []byte) (time.Duration, []byte, error) {
	ports, err := freePorts(2)
	if err != nil {
		return 0, nil, err
	}
	invokeAddr, runtimeAddr := ports[0], ports[1]
	cmd := exec.Command(rieBin,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append([]string{}, env...) // never nil: nil would pass on this process's environment
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	ownGroup(cmd)

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("start %s: %w", rieBin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer stop(cmd, exited)

	url := "http://" + invokeAddr + "/2015-03-31/functions/function/invocations"
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			elapsed := time.Since(start)
			switch {
			case rerr != nil:
				return 0, nil, fmt.Errorf("read invoke response: %w\n%s", rerr, logs.String())
			case resp.StatusCode != http.StatusOK:
				return 0, body, fmt.Errorf("invoke answered %s: %s\n%s", resp.Status, body, logs.String())
			case resp.Header.Get("X-Amz-Function-Error") != "" || isFunctionError(body):
				return 0, body, fmt.Errorf("the function failed: %s\n%s", body, logs.String())
			}
			return elapsed, body, nil
		}
		if !isDialError(err) {
			return 0, nil, fmt.Errorf("invoke: %w\n%s", err, logs.String())
		}
		select {
		case werr := <-exited:
			exited <- werr // for stop
			out := logs.String()
			if strings.Contains(out, "address already in use") {
				return 0, nil, errPortTaken
			}
			return 0, nil, fmt.Errorf("the emulator exited before answering (%v):\n%s", werr, out)
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("no answer from the emulator: %w\n%s", ctx.Err(), logs.String())
		case <-time.After(time.Millisecond):
		}
	}
}

// isFunctionError reports a Lambda error document ({"errorMessage", "errorType"}).
func isFunctionError(body []byte) bool {
	b := bytes.TrimSpace(body)
	return bytes.HasPrefix(b, []byte("{")) && bytes.Contains(b, []byte(`"errorType"`)) && bytes.Contains(b, []byte(`"errorMessage"`))
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// stop asks the emulator to shut down (it then stops the function) and
// kills it if it has not within two seconds.
func stop(cmd *exec.Cmd, exited chan error) {
	select {
	case <-exited:
		return
	default:
	}
	terminate(cmd)
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		kill(cmd)
		<-exited
	}
}

// freePorts returns n distinct free loopback addresses.
func freePorts(n int) ([]string, error) {
	var addrs []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// lockedBuffer collects the output of the emulator and the function.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
