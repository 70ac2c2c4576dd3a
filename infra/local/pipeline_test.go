package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

type pipelinePage struct {
	Cities []struct{ CityID, Name, Country, Status string }
	Counts map[string]int
	Next   string
}

func TestPipelinePagesFiltersAndSearches(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	cities := []struct{ name, country string }{
		{"Saint-Étienne", "FR"}, {"Lyon", "FR"}, {"Grenoble", "FR"}, {"Köln", "DE"}, {"Mannheim", "DE"},
		{"Étampes", "FR"}, {"Saint-Denis", "FR"},
	}
	for i, c := range cities {
		body := strings.Replace(cityApplication(c.name, fmt.Sprintf("c%d@pipeline.example", i)), `"FR"`, `"`+c.country+`"`, 1)
		if status, _, resp := s.Do(http.MethodPost, "/applications", "", body); status != http.StatusCreated {
			t.Fatalf("apply %s: %d %s", c.name, status, resp)
		}
	}
	list := func(query string) (pipelinePage, int, []byte) {
		t.Helper()
		status, _, resp := s.Do(http.MethodGet, "/admin/cities?"+query, adm, "")
		var p pipelinePage
		_ = json.Unmarshal(resp, &p)
		return p, status, resp
	}
	// Walk a listing page by page: every city once.
	walk := func(filters url.Values) []string {
		t.Helper()
		var names []string
		cursor := ""
		for range 20 {
			q := url.Values{"limit": {"2"}}
			for k, v := range filters {
				q[k] = v
			}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			p, status, resp := list(q.Encode())
			if status != http.StatusOK || len(p.Cities) > 2 {
				t.Fatalf("page %s: %d %s", q.Encode(), status, resp)
			}
			for _, c := range p.Cities {
				names = append(names, c.Name)
			}
			if cursor = p.Next; cursor == "" {
				slices.Sort(names)
				return names
			}
		}
		t.Fatal("the listing does not end")
		return nil
	}
	if all := walk(nil); len(all) != len(cities) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Fatalf("all cities, 2 by 2: %v", all)
	}
	if de := walk(url.Values{"country": {"DE"}}); !slices.Equal(de, []string{"Köln", "Mannheim"}) {
		t.Fatalf("German cities: %v", de)
	}
	// The search ignores case, accents and punctuation.
	if got := walk(url.Values{"q": {"ETIENNE"}}); !slices.Equal(got, []string{"Saint-Étienne"}) {
		t.Fatalf("q=ETIENNE: %v", got)
	}
	if got := walk(url.Values{"q": {"saint"}, "country": {"FR"}}); !slices.Equal(got, []string{"Saint-Denis", "Saint-Étienne"}) {
		t.Fatalf("q=saint: %v", got)
	}
	if got := walk(url.Values{"q": {"koln"}}); !slices.Equal(got, []string{"Köln"}) {
		t.Fatalf("q=koln: %v", got)
	}
	p, _, _ := list("limit=1")
	if p.Counts["applied"] != len(cities) || p.Next == "" {
		t.Fatalf("counts %v, next %q", p.Counts, p.Next)
	}
	// A cursor continues its own listing only.
	_, status, resp := list("limit=1&country=DE&cursor=" + url.QueryEscape(p.Next))
	if status != http.StatusBadRequest || !strings.Contains(string(resp), `"pointer":"query/cursor"`) {
		t.Fatalf("a cursor of another listing: %d %s", status, resp)
	}
}
