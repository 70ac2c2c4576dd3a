package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// binaries builds every function for Lambda (linux/arm64, stripped) and
// reports its size.
func binaries(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "icc-bench-bin")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fns, err := filepath.Glob("functions/*")
	if err != nil {
		return err
	}
	sort.Strings(fns)
	const target = 15_000_000
	for _, fn := range fns {
		name := filepath.Base(fn)
		out := filepath.Join(dir, name)
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./"+fn)
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", name, err, b)
		}
		st, err := os.Stat(out)
		if err != nil {
			return err
		}
		add("binary size: "+name+" (linux/arm64, stripped)", fmt.Sprintf("%.1f MB", float64(st.Size())/1e6), "-",
			"<= 15 MB", st.Size() <= target)
	}
	return nil
}
