package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

// The reasons of a verdict reach each reader in their language: the
// application's answer in the application's language, the city's file in
// the language its reader asks for.
func TestTheVerdictIsWordedInTheReadersLanguage(t *testing.T) {
	s := localtest.New(t, local.Options{})
	body := `{"cityName":"Petiteville","country":"FR","population":12000,"foreignBornShare":4.5,"foreignResidentShare":2,
		"nationalMinorityShare":0,"contact":{"name":"Anne","email":"maire@petiteville.example"},"language":"fr"}`
	type verdict struct {
		CityID      string
		Eligibility struct {
			Eligible bool
			Reasons  []struct{ Rule, Message string }
		}
	}
	read := func(what string, status int, resp []byte, want ...string) verdict {
		t.Helper()
		var v verdict
		if err := json.Unmarshal(resp, &v); err != nil || v.Eligibility.Eligible || len(v.Eligibility.Reasons) != len(want) {
			t.Fatalf("%s: %d %v %s", what, status, err, resp)
		}
		for i, w := range want {
			if got := v.Eligibility.Reasons[i].Message; got != w {
				t.Errorf("%s: reason %d %q, want %q", what, i, got, w)
			}
		}
		return v
	}
	french := []string{"population de 12\u202f000 habitants, sous le seuil de 30\u202f000 habitants",
		"aucune part (nés à l'étranger, résidents étrangers, minorités nationales) n'atteint 5,0\u00a0% (la plus élevée : 4,5\u00a0%)"}
	english := []string{"population 12,000 is below 30,000 inhabitants", "no diversity share reaches 5.0% (highest: 4.5%)"}
	// Accept-Language does not change the answer to an application: a replay
	// of the same body gives the same words.
	status, _, resp := s.Do(http.MethodPost, "/applications", "", body, "Accept-Language", "en")
	v := read("POST /applications, language fr", status, resp, french...)
	adm := s.AdminToken()
	status, _, resp = s.Do(http.MethodGet, "/cities/"+v.CityID, adm, "", "Accept-Language", "en-GB")
	read("GET the city in English", status, resp, english...)
	status, _, resp = s.Do(http.MethodGet, "/cities/"+v.CityID, adm, "", "Accept-Language", "fr-CH, en;q=0.5")
	read("GET the city in French", status, resp, french...)
}
