package report

import (
	_ "embed"
	"encoding/json"
	"sync"

	"github.com/intercultural-cities/backoffice/shared/i18n"
)

//go:generate go run gen_countries.go

// countries.json holds the English and French name of every ISO 3166-1
// alpha-2 country (gen_countries.go writes it).
//
//go:embed countries.json
var countriesJSON []byte

var countryNames = sync.OnceValue(func() map[string][2]string {
	var m map[string][2]string
	if err := json.Unmarshal(countriesJSON, &m); err != nil {
		panic("report: invalid countries.json: " + err.Error())
	}
	return m
})

// countryName names a country in lang; an unknown code is shown as it is.
func countryName(code string, lang i18n.Lang) string {
	n, ok := countryNames()[code]
	if !ok {
		return code
	}
	if lang == i18n.French {
		return n[1]
	}
	return n[0]
}
