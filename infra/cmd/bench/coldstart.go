package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/rie"
	"github.com/intercultural-cities/backoffice/infra/samples"
)

// coldStarts boots each HTTP function's bootstrap (built for this host, as
// the Lambda build is but for the architecture) under the Runtime Interface
// Emulator and times process start to first answered invoke of its sample
// event, beside a hello-world Lambda built and booted the same way.
func coldStarts(ctx context.Context, s *local.Stack) error {
	const runs = 7
	rieBin, err := rie.BuildRIE()
	if err != nil {
		add("cold start", "not measured: "+err.Error(), "-", "<= 1.5 × hello", false)
		return nil
	}
	dir, err := os.MkdirTemp("", "icc-bench-cold")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	median := func(bootstrap string, env []string, event []byte) (time.Duration, error) {
		var ds []time.Duration
		for range runs {
			d, _, err := rie.ColdStart(ctx, rieBin, bootstrap, env, event)
			if err != nil {
				return 0, err
			}
			ds = append(ds, d)
		}
		slices.Sort(ds)
		return ds[len(ds)/2], nil
	}
	hello, err := rie.BuildFunction(dir+"/hello", "./infra/rie/hello", runtime.GOOS, runtime.GOARCH)
	if err != nil {
		return err
	}
	base, err := median(hello, []string{"AWS_LAMBDA_FUNCTION_NAME=hello"}, []byte(`{}`))
	if err != nil {
		return err
	}
	refs := map[string]string{"Table": s.Table, "LogLevel": "WARN", "SecretariatEmail": "secretariat@intercultural-cities.local",
		"SenderEmail": "no-reply@intercultural-cities.local", "FormsBaseUrl": "http://127.0.0.1:3000"}
	awsEnv := []string{}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		awsEnv = append(awsEnv, k+"="+os.Getenv(k))
	}
	for _, name := range []string{"applications", "cities", "index", "openapi", "questionnaire"} {
		bootstrap, err := rie.BuildFunction(dir+"/"+name, "./functions/"+name, runtime.GOOS, runtime.GOARCH)
		if err != nil {
			return err
		}
		env, err := rie.FunctionEnv(s.Template, name, refs)
		if err != nil {
			return err
		}
		event, err := samples.Read(name)
		if err != nil {
			return err
		}
		d, err := median(bootstrap, append(env, awsEnv...), event)
		if err != nil {
			return fmt.Errorf("cold start %s: %w", name, err)
		}
		ratio := float64(d) / float64(base)
		add(fmt.Sprintf("cold start under RIE: %s (median of %d)", name, runs), d.Round(100*time.Microsecond).String(),
			"hello world: "+base.Round(100*time.Microsecond).String(), fmt.Sprintf("ratio %.2f <= 1.5", ratio), ratio <= 1.5)
	}
	return nil
}
