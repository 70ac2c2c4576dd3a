//go:build ignore

// gen_countries writes countries.json, the English and French names of every
// ISO 3166-1 alpha-2 country, from the CLDR data of golang.org/x/text: the
// report needs two languages' names, and linking x/text's display tables for
// every language would add megabytes to the functions. Run: go generate ./shared/report.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

func main() {
	names := map[string][2]string{}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code {
				continue
			}
			en, fr := display.English.Regions().Name(r), display.French.Regions().Name(r)
			if en == "" || fr == "" {
				continue
			}
			names[code] = [2]string{en, fr}
		}
	}
	// Names the Council of Europe uses where the CLDR data of x/text is older.
	for code, n := range map[string][2]string{
		"MK": {"North Macedonia", "Macédoine du Nord"},
		"TR": {"Türkiye", "Türkiye"},
		"CZ": {"Czech Republic", "République tchèque"},
	} {
		names[code] = n
	}
	out, err := json.MarshalIndent(names, "", " ")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile("countries.json", append(out, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
