// Command openapi bundles the contract's YAML fragments (a directory such as
// shared/httpapi/openapi) into the one JSON document the API serves.
// `go generate ./shared/httpapi` runs it, then gzip on its output; a test
// fails while the committed document is not the bundle of the fragments.
package main

import (
	"fmt"
	"os"

	"github.com/intercultural-cities/backoffice/shared/httpapi/openapi"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: openapi FRAGMENTS_DIR OUTPUT.json")
		os.Exit(2)
	}
	doc, err := openapi.Bundle(os.DirFS(os.Args[1]))
	if err == nil {
		err = os.WriteFile(os.Args[2], doc, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
