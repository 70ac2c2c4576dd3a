package main

import (
	"context"
	"fmt"
	"maps"
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
// event, beside a hello-world Lambda built and booted the same way. The
// boots are interleaved round by round (hello, then each function), so a
// slow moment of the machine weighs on the baseline and the functions alike.
func coldStarts(ctx context.Context, s *local.Stack) error {
	const runs = 9
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

	type subject struct {
		name, bootstrap string
		env             []string
		event           []byte
		times           []time.Duration
	}
	hello, err := rie.BuildFunction(dir+"/hello", "./infra/rie/hello", runtime.GOOS, runtime.GOARCH)
	if err != nil {
		return err
	}
	subjects := []*subject{{name: "hello", bootstrap: hello, env: []string{"AWS_LAMBDA_FUNCTION_NAME=hello"}, event: []byte(`{}`)}}
	refs := maps.Clone(s.Refs)
	refs["LogLevel"] = "WARN"
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
		subjects = append(subjects, &subject{name: name, bootstrap: bootstrap, env: append(env, awsEnv...), event: event})
	}
	for range runs {
		for _, sub := range subjects {
			d, _, err := rie.ColdStart(ctx, rieBin, sub.bootstrap, sub.env, sub.event)
			if err != nil {
				return fmt.Errorf("cold start %s: %w", sub.name, err)
			}
			sub.times = append(sub.times, d)
		}
	}
	median := func(ds []time.Duration) time.Duration {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	base := median(subjects[0].times)
	for _, sub := range subjects[1:] {
		d := median(sub.times)
		ratio := float64(d) / float64(base)
		add(fmt.Sprintf("cold start under RIE: %s (median of %d)", sub.name, runs), d.Round(100*time.Microsecond).String(),
			"hello world: "+base.Round(100*time.Microsecond).String(), fmt.Sprintf("ratio %.2f <= 1.5", ratio), ratio <= 1.5)
	}
	return nil
}
