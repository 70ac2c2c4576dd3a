package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The contract of applications and of the city files they open
// (openapi/applications.yaml, openapi/cities.yaml).

// TestContractApplications posts every documented application, replays it,
// and sends what POST /applications refuses.
func TestContractApplications(t *testing.T) {
	c := newContract(t)
	examples := c.requestExamples(http.MethodPost, "/applications")
	for _, name := range []string{"eligible", "flagged"} {
		body, key := examples[name], "contract-"+name
		if body == "" {
			t.Fatalf("POST /applications has no request example %s", name)
		}
		a := c.expect(http.StatusCreated, http.MethodPost, "/applications", "/applications", "", body, "Idempotency-Key", key)
		var r struct{ CityID string }
		if err := json.Unmarshal(a.body, &r); err != nil {
			t.Fatal(err)
		}
		if a.hdr.Get("Location") != "/cities/"+r.CityID {
			t.Errorf("example %s: Location = %q, want /cities/%s", name, a.hdr.Get("Location"), r.CityID)
		}
		c.replay(a, http.MethodPost, "/applications", "/applications", "", body, key)
	}
	eligible := examples["eligible"]
	c.run(http.MethodPost, "/applications", city{}, []exchange{
		{name: "an unknown field", body: strings.Replace(eligible, `{`, `{"score":99,`, 1), status: 400, pointer: "/score", errors: 1},
		{name: "invalid fields", body: `{"cityName":"","country":"France","population":0,"contact":{"name":"A","email":"x"},"language":"es"}`, status: 400},
		{name: "a wrong type", body: strings.Replace(eligible, `"population":312000`, `"population":"many"`, 1), status: 400, pointer: "/population"},
		{name: "malformed JSON", body: `{"cityName":`, status: 400},
		{name: "not JSON", body: `cityName=Lyon`, headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, pointer: "header/Content-Type"},
		{name: "a bad key", body: eligible, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400},
		{name: "too large", body: `{"cityName":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413},
		{name: "a key reused", body: strings.Replace(eligible, "Rheinstadt", "Other", 1), headers: []string{"Idempotency-Key", "contract-eligible"}, status: 422},
		{name: "a city whose file is open", body: eligible, status: 409},
	})
}

// TestContractCityFiles reads a city's file as each kind of caller.
func TestContractCityFiles(t *testing.T) {
	c := newContract(t)
	own, other := c.apply("Contract Own"), c.apply("Contract Other")
	c.run(http.MethodGet, cityPath, own, []exchange{
		{name: "the secretariat", as: secretariat, status: 200},
		{name: "the city", as: theCity, status: 200},
		{name: "the secretariat, another city", as: secretariat, url: other.url(cityPath), status: 200},
		{name: "anonymous", status: 401},
		{name: "an unknown token", as: unknownToken, status: 401},
		{name: "another city", as: theCity, url: other.url(cityPath), status: 403},
		{name: "no such city", as: secretariat, url: "/cities/" + missing, status: 404},
		{name: "a malformed id", as: secretariat, url: "/cities/" + malformed, status: 400, pointer: "path/cityId"},
	})
}

// TestContractApplicationSchemaAgreesWithTheHandler sends variants of the
// example application to the real handler and checks that the schema
// accepts exactly those the handler accepts.
func TestContractApplicationSchemaAgreesWithTheHandler(t *testing.T) {
	c := newContract(t)
	schema := c.requestSchema(http.MethodPost, "/applications")
	base := roundTrip(t, c.doc.Components.Schemas["Application"].Value.Example).(map[string]any)
	n := 0
	with := func(field string, v any) string {
		// A city has one open file: each variant names another city.
		n++
		return string(roundTripBytes(t, withField(withField(base, "cityName", fmt.Sprintf("%s %d", base["cityName"], n)), field, v)))
	}
	contact := func(name, email string) map[string]any { return map[string]any{"name": name, "email": email} }
	for _, tt := range []struct {
		name  string
		body  string
		known string // why schema and handler knowingly disagree
	}{
		{"the example", with("language", "en"), ""},
		{"French", with("language", "fr"), ""},
		{"upper-case language", with("language", "EN"), ""},
		{"German", with("language", "de"), ""},
		{"null language", with("language", json.RawMessage("null")), ""},
		{"spaces around the name", with("cityName", "  Lyon  "), ""},
		{"120 accented letters", with("cityName", strings.Repeat("é", 120)), ""},
		{"121 accented letters", with("cityName", strings.Repeat("é", 121)), ""},
		{"empty name", with("cityName", ""), ""},
		{"blank name", with("cityName", " \t "), ""},
		{"no-break spaces only", with("cityName", "\u00a0\u00a0"), ""},
		{"ideographic space only", with("cityName", "\u3000"), ""},
		{"inner no-break space", with("cityName", "Saint\u00a0Denis"), ""},
		{"tab in name", with("cityName", "Lyon\tX"), ""},
		{"line break in name", with("cityName", "Lyon\nBcc: x@y.example"), ""},
		{"C1 control in name", with("cityName", "Lyon\u0085"), ""},
		{"DEL in name", with("cityName", "Lyon\u007f"), ""},
		{"name is a number", with("cityName", 12), ""},
		{"missing name", with("cityName", nil), ""},
		{"country FR", with("country", "FR"), ""},
		{"country XX", with("country", "XX"), ""},
		{"country in lower case", with("country", "fr"), ""},
		{"country name", with("country", "France"), ""},
		{"population 1", with("population", 1), ""},
		{"population 0", with("population", 0), ""},
		{"population at the maximum", with("population", membership.MaxPopulation), ""},
		{"population over the maximum", with("population", membership.MaxPopulation+1), ""},
		{"negative population", with("population", -5), ""},
		{"fractional population", with("population", 30000.5), ""},
		{"population as a string", with("population", "many"), ""},
		{"population written 30000.0", strings.Replace(with("population", 1), `"population":1`, `"population":30000.0`, 1),
			"JSON Schema counts 30000.0 as an integer; encoding/json refuses it for an int64"},
		{"population written 3e4", strings.Replace(with("population", 1), `"population":1`, `"population":3e4`, 1),
			"JSON Schema counts 3e4 as an integer; encoding/json refuses it for an int64"},
		{"share 0", with("foreignBornShare", 0), ""},
		{"share 100", with("foreignBornShare", 100), ""},
		{"share just over 100", with("foreignBornShare", 100.0001), ""},
		{"negative share", with("nationalMinorityShare", -0.5), ""},
		{"share as a string", with("foreignResidentShare", "5"), ""},
		{"missing share", with("foreignResidentShare", nil), ""},
		{"null share", with("foreignResidentShare", json.RawMessage("null")), ""},
		{"plus-addressed email", with("contact", contact("A", "a+icc@city.example")), ""},
		{"dotted local part", with("contact", contact("A", "jonas.weber@mail.city.example")), ""},
		{"email without a dot in the domain", with("contact", contact("A", "a@localhost")), ""},
		{"email with a trailing dot", with("contact", contact("A", "a@city.example.")), ""},
		{"email with two dots", with("contact", contact("A", "a..b@city.example")), ""},
		{"email with a leading dot", with("contact", contact("A", ".a@city.example")), ""},
		{"email with a display name", with("contact", contact("A", "A <a@city.example>")), ""},
		{"email with a space", with("contact", contact("A", "a b@city.example")), ""},
		{"email with a line break", with("contact", contact("A", "a@city.example\r\nBcc: c@d.example")), ""},
		{"not an email", with("contact", contact("A", "not-an-email")), ""},
		{"empty email", with("contact", contact("A", "")), ""},
		{"long email", with("contact", contact("A", strings.Repeat("a", 64)+"@"+strings.Repeat("b", 180)+".example")), ""},
		{"too long email", with("contact", contact("A", strings.Repeat("a", 64)+"@"+strings.Repeat("b", 190)+".example")), ""},
		{"blank contact name", with("contact", contact(" ", "a@city.example")), ""},
		{"missing contact name", with("contact", map[string]any{"email": "a@city.example"}), ""},
		{"unknown contact field", with("contact", map[string]any{"name": "A", "email": "a@city.example", "phone": "1"}), ""},
		{"missing contact", with("contact", nil), ""},
		{"contact is a string", with("contact", "a@city.example"), ""},
		{"unknown field", with("score", 99), ""},
		{"status cannot be set", with("status", "member"), ""},
		{"empty object", `{}`, ""},
		{"null", `null`, ""},
		{"array", `[1,2]`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			schemaErr := visit(schema, jsonValue(t, []byte(tt.body)), asRequest)
			status, _, resp := c.s.Do(http.MethodPost, "/applications", "", tt.body)
			if status != http.StatusCreated && status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", status, resp)
			}
			agreement{documented: schemaErr == nil, schemaErr: schemaErr, served: status == http.StatusCreated, known: tt.known,
				answer: fmt.Sprintf("%d %s\nbody: %s", status, resp, tt.body)}.judge(t)
		})
	}
}
