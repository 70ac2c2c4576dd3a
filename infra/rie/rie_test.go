package rie

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/infra/samples"
	"github.com/intercultural-cities/backoffice/infra/template"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// emulatorEnv are the settings local.Emulator puts in this process's
// environment to point the SDK at the in-process emulator.
var emulatorEnv = []string{
	"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED",
}

// rieBinary builds the emulator. Where it cannot be built, no function can
// be run under it: on a workstation (say, an OS the emulator does not
// support) the test is skipped; in CI, which sets CI=true, it fails, so the
// check that every function boots as Lambda boots it cannot silently stop.
func rieBinary(t *testing.T) string {
	t.Helper()
	bin, err := BuildRIE()
	if err != nil {
		msg := fmt.Sprintf("the Lambda Runtime Interface Emulator cannot be built on %s/%s, so no function can be run under it: %v",
			runtime.GOOS, runtime.GOARCH, err)
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// inCI reports whether CI is set to a true value, as CI services set it.
func inCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

func loadTemplate(t *testing.T) *template.Template {
	t.Helper()
	tpl, err := template.LoadProject()
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// TestFunctionsUnderRIE builds functions for the host, boots each under the
// emulator with its template environment and nothing else, and invokes it
// with its sample event, as Lambda would on a cold start.
func TestFunctionsUnderRIE(t *testing.T) {
	rie := rieBinary(t)
	tpl := loadTemplate(t)

	// The applications function writes to a table of its own on the
	// in-process emulator, which the child process reaches over loopback.
	st := localtest.New(t, local.Options{})
	emulator := local.Emulator()
	// The values the stack gives the template's references (the table,
	// the link key's secret, the documents bucket...), but the log level.
	refs := maps.Clone(st.Refs)
	refs["LogLevel"] = "INFO"

	tests := []struct {
		function string
		aws      bool // needs the AWS emulator
		status   int
		check    func(t *testing.T, resp events.APIGatewayV2HTTPResponse)
	}{
		{"openapi", false, http.StatusOK, func(t *testing.T, resp events.APIGatewayV2HTTPResponse) {
			// The sample is a browser's request: it accepts gzip, so the
			// document comes compressed, base64-encoded as Lambda requires.
			if !resp.IsBase64Encoded || resp.Headers["Content-Encoding"] != "gzip" {
				t.Fatalf("want a base64 gzip body, got base64 %v, headers %v", resp.IsBase64Encoded, resp.Headers)
			}
			var doc struct{ OpenAPI string }
			zr, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, strings.NewReader(resp.Body)))
			if err == nil {
				err = json.NewDecoder(zr).Decode(&doc)
			}
			if err != nil || doc.OpenAPI == "" {
				t.Errorf("body is not an OpenAPI document (%v): %.200s", err, resp.Body)
			}
		}},
		{"applications", true, http.StatusCreated, func(t *testing.T, resp events.APIGatewayV2HTTPResponse) {
			var created struct {
				CityID string `json:"cityId"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &created); err != nil || created.CityID == "" {
				t.Fatalf("no cityId in the response (%v): %s", err, resp.Body)
			}
			// The child process wrote to this process's emulator.
			city, _, err := st.Store.City(context.Background(), created.CityID)
			if err != nil {
				t.Fatalf("city %s is not in table %s on the emulator at %s: %v", created.CityID, st.Table, emulator, err)
			}
			if city.Status != membership.StatusApplied {
				t.Errorf("city %s has status %q, want %q", city.ID, city.Status, membership.StatusApplied)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.function, func(t *testing.T) {
			bootstrap, err := BuildFunction(t.TempDir(), "./functions/"+tc.function, runtime.GOOS, runtime.GOARCH)
			if err != nil {
				t.Fatal(err)
			}
			env, err := FunctionEnv(tpl, tc.function, refs)
			if err != nil {
				t.Fatal(err)
			}
			if tc.aws {
				for _, k := range emulatorEnv {
					env = append(env, k+"="+os.Getenv(k))
				}
			}
			event, err := samples.Read(tc.function)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			d, body, err := ColdStart(ctx, rie, bootstrap, env, event)
			if err != nil {
				t.Fatal(err)
			}
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatalf("the function did not answer an API Gateway response (%v): %s", err, body)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("statusCode %d, want %d; body: %s", resp.StatusCode, tc.status, resp.Body)
			}
			tc.check(t, resp)
			t.Logf("cold start under the emulator: %v", d.Round(time.Millisecond))
		})
	}
}

// TestHelloUnderRIE boots the hello-world baseline of the cold-start benchmark.
func TestHelloUnderRIE(t *testing.T) {
	rie := rieBinary(t)
	bootstrap, err := BuildFunction(t.TempDir(), "./infra/rie/hello", runtime.GOOS, runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, body, err := ColdStart(ctx, rie, bootstrap, []string{"AWS_LAMBDA_FUNCTION_NAME=hello"}, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(body)); got != `"hello"` {
		t.Fatalf("hello answered %s, want \"hello\"", got)
	}
	t.Logf("cold start under the emulator: %v", d.Round(time.Millisecond))
}

// The tools module requires the emulator at Version, which names the
// cached binary; and the project's own module does not require it at all.
func TestToolsModulePinsTheEmulator(t *testing.T) {
	tools, err := ToolsDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := requiredVersion(tools); err != nil {
		t.Fatal(err)
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(gomod), Module) {
		t.Errorf("go.mod names %s: the emulator's dependencies belong in %s only", Module, filepath.Join(tools, "go.mod"))
	}
}

// TestFunctionEnv resolves references and refuses unresolved ones.
func TestFunctionEnv(t *testing.T) {
	tpl := loadTemplate(t)
	env, err := FunctionEnv(tpl, "openapi", map[string]string{"LogLevel": "DEBUG"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"LOG_LEVEL=DEBUG": true, "AWS_LAMBDA_FUNCTION_NAME=openapi": true}
	for _, kv := range env {
		delete(want, kv)
	}
	if len(want) > 0 {
		t.Errorf("env %v lacks %v", env, want)
	}
	if _, err := FunctionEnv(tpl, "openapi", nil); err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
		t.Errorf("an unresolved !Ref LogLevel gave %v, want an error naming LOG_LEVEL", err)
	}
	if _, err := FunctionEnv(tpl, "nosuch", nil); err == nil {
		t.Error("an unknown function gave no error")
	}
	if _, err := os.Stat(filepath.Join(tpl.Dir, "infra", "rie", "hello", "main.go")); err != nil {
		t.Errorf("the hello-world baseline is missing: %v", err)
	}
}
