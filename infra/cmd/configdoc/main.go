// Command configdoc rewrites the README's configuration table from the
// settings types and the template (go generate ./infra/template).
package main

import (
	"fmt"
	"os"

	"github.com/intercultural-cities/backoffice/infra/template"
)

func main() {
	tpl, err := template.LoadProject()
	if err == nil {
		err = tpl.WriteReadmeConfiguration()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}
