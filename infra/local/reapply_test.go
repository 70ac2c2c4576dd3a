package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

func cityApplication(name, email string) string {
	return fmt.Sprintf(`{"cityName":%q,"country":"FR","population":515000,"foreignBornShare":13.4,"foreignResidentShare":9.1,
		"nationalMinorityShare":0,"contact":{"name":"Contact","email":%q},"language":"fr"}`, name, email)
}

func TestACityHasOneOpenFileAndMayApplyAgainOnceItEnded(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	status, _, resp := s.Do(http.MethodPost, "/applications", "", cityApplication("Saint-Étienne", "first@stetienne.example"))
	if status != http.StatusCreated {
		t.Fatalf("first application: %d %s", status, resp)
	}
	var first struct{ CityID string }
	_ = json.Unmarshal(resp, &first)
	s.Drain()
	cities := s.Items("CITY#")

	// The same city, spelt otherwise, by another official: refused while
	// the first file is open; nothing is written, nobody is emailed.
	status, hdr, resp := s.Do(http.MethodPost, "/applications", "", cityApplication("  SAINT ETIENNE ", "second@stetienne.example"),
		"Idempotency-Key", "second-try")
	if status != http.StatusConflict || hdr.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(string(resp), `"pointer":"/cityName"`) || strings.Contains(string(resp), first.CityID) {
		t.Fatalf("duplicate application: %d %s", status, resp)
	}
	s.Drain()
	mails, err := s.MailTo(t.Context(), "second@stetienne.example")
	if c := s.Items("CITY#"); c != cities || err != nil || len(mails) != 0 {
		t.Fatalf("a refused application wrote %d items and %d emails (%v)", c-cities, len(mails), err)
	}
	// The same name in another country is another city.
	other := strings.Replace(cityApplication("Saint-Étienne", "be@stetienne.example"), `"FR"`, `"BE"`, 1)
	if status, _, resp := s.Do(http.MethodPost, "/applications", "", other); status != http.StatusCreated {
		t.Fatalf("same name, another country: %d %s", status, resp)
	}

	// Withdrawn, the city applies again: a new file linked to the first.
	admin(t, s, adm, "/admin/cities/"+first.CityID+"/withdrawal", `{"reason":"Elections: the new council will decide."}`, 200)
	status, _, resp = s.Do(http.MethodPost, "/applications", "", cityApplication("Saint-Etienne", "second@stetienne.example"),
		"Idempotency-Key", "second-try")
	if status != http.StatusCreated {
		t.Fatalf("re-application after the withdrawal: %d %s", status, resp)
	}
	var second struct{ CityID string }
	_ = json.Unmarshal(resp, &second)
	_, _, resp = s.Do(http.MethodGet, "/cities/"+second.CityID, adm, "")
	var file struct {
		Status, PreviousCityID string
		Timeline               []struct{ Detail string }
	}
	if err := json.Unmarshal(resp, &file); err != nil || file.Status != "applied" || file.PreviousCityID != first.CityID ||
		len(file.Timeline) != 1 || !strings.Contains(file.Timeline[0].Detail, "re-application after file "+first.CityID+" (withdrawn)") {
		t.Fatalf("the new file: %s", resp)
	}
	// And while that one is open, a third is refused again.
	if status, _, resp := s.Do(http.MethodPost, "/applications", "", cityApplication("saint-étienne", "third@stetienne.example")); status != http.StatusConflict {
		t.Fatalf("third application: %d %s", status, resp)
	}
}

func TestConcurrentApplicationsForOneCityMakeOneFile(t *testing.T) {
	s := localtest.New(t, local.Options{})
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range n {
		wg.Go(func() {
			// Different officials, different keys, one city.
			status, _, _ := s.Do(http.MethodPost, "/applications", "",
				cityApplication("Villeurbanne", fmt.Sprintf("official%d@villeurbanne.example", i)))
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d 409", statuses, n-1)
	}
	if c := s.Items("CITY#"); c == 0 {
		t.Fatal("no city")
	}
	_, _, resp := s.Do(http.MethodGet, "/admin/cities?q=villeurbanne", s.AdminToken(), "")
	if got := strings.Count(string(resp), `"cityId"`); got != 1 {
		t.Fatalf("%d files for Villeurbanne in the pipeline: %s", got, resp)
	}
}
