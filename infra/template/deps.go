package template

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"
)

// Deps lists, for each function of the template (by name), the import paths
// of every package its Lambda build links: go list -deps, as for linux/arm64
// with the lambda.norpc tag, run in the project's folder. The tests check
// with it what each function links.
func (t *Template) Deps() (map[string][]string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("no go command on PATH: %w", err)
	}
	args := []string{"list", "-tags", "lambda.norpc", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}
	for _, name := range t.Names() {
		args = append(args, "./functions/"+name)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = t.Dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		deps[path.Base(fields[0])] = fields[1:]
	}
	if len(deps) != len(t.Names()) {
		return nil, fmt.Errorf("go list printed %d packages for %d functions", len(deps), len(t.Names()))
	}
	return deps, nil
}
