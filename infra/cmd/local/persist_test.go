//go:build unix

package main

// What survives a stop and a crash of the local program, tested on the
// program itself: built once, started as a process on a data directory of
// the test's own, stopped with SIGTERM or killed with SIGKILL, started again
// on the same directory.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// The test binary doubles as a helper program that prepares a data
// directory, as a program of the stack would have left it: LOCAL_TEST_HELPER
// names what it does (see helper).
const helperVar = "LOCAL_TEST_HELPER"

const testToken = "local-admin-token-of-the-persistence-tests"

var program string // the local program, built by TestMain

func TestMain(m *testing.M) {
	if role := os.Getenv(helperVar); role != "" {
		if err := helper(role); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "local-program-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	program = filepath.Join(dir, "local")
	if out, err := exec.Command("go", "build", "-o", program, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

func TestCleanStopKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	runHelper(t, dir, "empty")
	p := startProgram(t, dir)
	city, email := p.apply(t, "Stopville")
	p.stop(t, syscall.SIGTERM)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("SIGTERM: exit code %d\n%s", code, p.out.String())
	}
	if !strings.Contains(p.out.String(), "its data is on disk") {
		t.Errorf("the program did not say its data was written:\n%s", p.out.String())
	}

	p = startProgram(t, dir)
	p.findCity(t, city, "Stopville")
	// Sent before the stop, or re-driven at the start: sent either way.
	p.waitForMail(t, email, 10*time.Second)
	p.stop(t, syscall.SIGTERM)
}

func TestKillAfterAnAcknowledgedApplication(t *testing.T) {
	dir := t.TempDir()
	runHelper(t, dir, "empty")
	p := startProgram(t, dir)
	city, _ := p.apply(t, "Killville")
	p.stop(t, syscall.SIGKILL) // as soon as the application is acknowledged

	p = startProgram(t, dir)
	p.findCity(t, city, "Killville")
	p.stop(t, syscall.SIGTERM)
}

// A program killed while sending an application's first email leaves that
// notification claimed (a two-minute lease) and the other one pending; the
// sweeper would re-drive them five minutes later. The restarted program
// sends both within seconds.
func TestWorkLeftByACrashIsDoneAtOnce(t *testing.T) {
	dir := t.TempDir()
	runHelper(t, dir, "crash-while-sending")

	p := startProgram(t, dir)
	start := time.Now()
	p.waitForMail(t, crashEmail, 10*time.Second)
	p.waitForMail(t, "secretariat@intercultural-cities.local", 10*time.Second)
	t.Logf("both emails sent %v after the restarted program was ready", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(p.out.String(), "re-driven at start") {
		t.Errorf("the program did not say it re-drove the pending work:\n%s", p.out.String())
	}
	p.stop(t, syscall.SIGTERM)
}

// The stack's flushes are the only writes of the emulator's data: kumo's
// own flusher, which could return a flush early (see infra/local/persist.go),
// is off.
func TestOnlyTheStackWritesTheData(t *testing.T) {
	runHelper(t, t.TempDir(), "flusher-off")
}

// process is the local program running on a data directory.
type process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	base string
	done chan struct{}
}

func programEnv(dir string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "KUMO_") || strings.HasPrefix(k, "AWS_") || k == "LOCAL_USE_ENDPOINT" ||
			k == "PORT" || k == "LOCAL_ADMIN_TOKEN" || k == "LOG_LEVEL" || k == helperVar {
			continue
		}
		env = append(env, kv)
	}
	return append(env, append([]string{"KUMO_DATA_DIR=" + dir, "LOG_LEVEL=INFO", "LOCAL_ADMIN_TOKEN=" + testToken}, extra...)...)
}

// startProgram starts the local program and waits until it serves.
func startProgram(t *testing.T, dir string) *process {
	t.Helper()
	port := freePort(t)
	p := &process{out: &syncBuffer{}, base: "http://127.0.0.1:" + port, done: make(chan struct{})}
	p.cmd = exec.Command(program)
	p.cmd.Env = programEnv(dir, "PORT="+port)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("output of the program:\n%s", p.out.String())
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(p.out.String(), "Ctrl-C stops.") {
		select {
		case <-p.done:
			t.Fatalf("the program stopped at start:\n%s", p.out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not start:\n%s", p.out.String())
		}
	}
	return p
}

func (p *process) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("the program did not stop on %v", sig)
	}
}

func (p *process) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// apply applies for a city and returns its id and its contact's address.
func (p *process) apply(t *testing.T, name string) (string, string) {
	t.Helper()
	email := strings.ToLower(name) + "@persist.example"
	status, body := p.do(t, http.MethodPost, "/applications", application(name, email))
	var created struct{ CityID string }
	if err := json.Unmarshal(body, &created); status != http.StatusCreated || err != nil || created.CityID == "" {
		t.Fatalf("POST /applications = %d %s", status, body)
	}
	return created.CityID, email
}

func application(name, email string) string {
	return fmt.Sprintf(`{"cityName":%q,"country":"FR","population":120000,"foreignBornShare":12.5,
		"foreignResidentShare":9,"nationalMinorityShare":0,"contact":{"name":"Contact","email":%q},"language":"en"}`, name, email)
}

func (p *process) findCity(t *testing.T, id, name string) {
	t.Helper()
	status, body := p.do(t, http.MethodGet, "/cities/"+id, "")
	var city struct{ Name, Status string }
	if err := json.Unmarshal(body, &city); status != http.StatusOK || err != nil || city.Name != name || city.Status != "applied" {
		t.Fatalf("after the restart, GET /cities/%s = %d %s", id, status, body)
	}
}

// waitForMail waits until the mail viewer shows one email to addr.
func (p *process) waitForMail(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, body := p.do(t, http.MethodGet, "/_local/mail.json", "")
		var mails []local.Mail
		if err := json.Unmarshal(body, &mails); err != nil {
			t.Fatalf("mail viewer: %v %s", err, body)
		}
		n := 0
		for _, m := range mails {
			for _, d := range m.Destination {
				if strings.Contains(d, addr) {
					n++
				}
			}
		}
		switch {
		case n == 1:
			return
		case n > 1:
			t.Fatalf("%d emails to %s, want one", n, addr)
		case time.Now().After(deadline):
			t.Fatalf("no email to %s within %v", addr, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// runHelper runs the test binary as a helper on dir; a helper that kills
// itself (a crash) is expected to die of SIGKILL.
func runHelper(t *testing.T, dir, role string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = programEnv(dir, helperVar+"="+role)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	killed := errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL
	if (role == "crash-while-sending") != killed || (err != nil && !killed) {
		t.Fatalf("helper %s: %v\n%s", role, err, out)
	}
}

const crashEmail = "crash@persist.example"

// helper prepares the data directory in KUMO_DATA_DIR:
//   - empty: the table, marked as seeded, so that the program starts
//     without seeding the demo data;
//   - crash-while-sending: the same, then an application, then the process
//     killed while the stream delivery sends its first email;
//   - flusher-off: the same, then a write that nothing writes to disk while
//     the stack holds its flushes back, longer than kumo's flush interval.
func helper(role string) error {
	ctx := context.Background()
	opts := local.Options{Table: table}
	if role == "crash-while-sending" {
		opts.Sender = crashingSender{}
	}
	s, err := local.Start(ctx, opts)
	if err != nil {
		return err
	}
	if _, err := claimSeed(ctx, s); err != nil {
		return err
	}
	switch role {
	case "empty":
	case "flusher-off":
		local.Persist()
		file := filepath.Join(os.Getenv("KUMO_DATA_DIR"), "dynamodb.json")
		before, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		release := local.HoldPersistence()
		_, tok := auth.Issue(auth.RoleSecretariat, "", "flusher-off", s.Clock.Now(), time.Hour)
		if err := s.Store.PutToken(ctx, tok); err != nil {
			return err
		}
		time.Sleep(2500 * time.Millisecond) // kumo's flusher ticks every second
		if now, _ := os.ReadFile(file); !bytes.Equal(now, before) {
			return errors.New("the table was written to disk while the stack held its flushes back")
		}
		release()
		if now, _ := os.ReadFile(file); bytes.Equal(now, before) {
			return errors.New("the table was not written to disk when the stack flushed")
		}
	case "crash-while-sending":
		req := httptest.NewRequest(http.MethodPost, "/applications", strings.NewReader(application("Crashville", crashEmail)))
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			return fmt.Errorf("POST /applications = %d %s", rec.Code, rec.Body)
		}
		if err := s.Drain(ctx); err != nil {
			return err
		}
		return errors.New("the sender was not called")
	default:
		return fmt.Errorf("unknown helper %q", role)
	}
	local.Persist()
	return nil
}

// crashingSender stands for SES when the process dies during a send,
// after the notification's claim reached the disk.
type crashingSender struct{}

func (crashingSender) Send(context.Context, notify.Message) (string, error) {
	local.Persist()
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// syncBuffer is the output of a process, read while it is written.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
