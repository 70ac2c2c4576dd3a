//go:build ignore

// gen_definitions compiles the YAML questionnaire definitions into
// definitions.json, which the package loads: go generate ./shared/index.
package main

import (
	"fmt"
	"os"

	"github.com/intercultural-cities/backoffice/shared/index"
)

func main() {
	out, err := index.CompileDefinitions(os.DirFS("."), "definitions/*.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile("definitions.json", append(out, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
