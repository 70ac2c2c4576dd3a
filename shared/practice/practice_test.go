package practice

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
)

func validPractice() Practice {
	return Practice{
		ID: "p-1", CityID: "city-1", CityName: "Réggio Émilia", Country: "IT", Area: "mediation",
		Title:   index.Text{EN: "Neighbourhood mediators", FR: "Médiateurs de quartier"},
		Summary: index.Text{EN: "Trained residents mediate everyday conflicts in every district.", FR: "Des habitants formés règlent les conflits du quotidien dans chaque quartier."},
		Year:    2015, Link: "https://www.example.org/mediation", Published: true,
	}
}

func TestPracticeValidationNamesEachBadField(t *testing.T) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		change func(*Practice)
		want   []string // pointers, in order
	}{
		{"valid", func(*Practice) {}, nil},
		{"valid without a link", func(p *Practice) { p.Link = "" }, nil},
		{"missing ids", func(p *Practice) { p.ID, p.CityID = "", " " }, []string{"/id", "/cityId"}},
		{"id with spaces", func(p *Practice) { p.ID = "p 1" }, []string{"/id"}},
		{"long id", func(p *Practice) { p.ID = strings.Repeat("x", MaxPracticeID+1) }, []string{"/id"}},
		{"no city name", func(p *Practice) { p.CityName = "" }, []string{"/cityName"}},
		{"long city name", func(p *Practice) { p.CityName = strings.Repeat("é", MaxPracticeCity+1) }, []string{"/cityName"}},
		{"country not ISO", func(p *Practice) { p.Country = "Italy" }, []string{"/country"}},
		{"country lower case", func(p *Practice) { p.Country = "it" }, []string{"/country"}},
		{"unknown area", func(p *Practice) { p.Area = "housing" }, []string{"/area"}},
		{"title missing in French", func(p *Practice) { p.Title.FR = "" }, []string{"/title/fr"}},
		{"title too long", func(p *Practice) { p.Title.EN = strings.Repeat("a", MaxPracticeTitle+1) }, []string{"/title/en"}},
		{"summary too short", func(p *Practice) { p.Summary.EN = "Too short." }, []string{"/summary/en"}},
		{"summary too long", func(p *Practice) { p.Summary.FR = strings.Repeat("à", MaxPracticeSummary+1) }, []string{"/summary/fr"}},
		{"control character", func(p *Practice) { p.Title.EN = "Bell\a ringing" }, []string{"/title/en"}},
		{"invalid UTF-8", func(p *Practice) { p.Summary.EN = "abc\xffdefghijklmnopqrstuvwxyz" }, []string{"/summary/en"}},
		{"year in the future", func(p *Practice) { p.Year = 2027 }, []string{"/year"}},
		{"year implausible", func(p *Practice) { p.Year = 1200 }, []string{"/year"}},
		{"plain http link", func(p *Practice) { p.Link = "http://example.org/x" }, []string{"/link"}},
		{"script link", func(p *Practice) { p.Link = "javascript:alert(1)" }, []string{"/link"}},
		{"relative link", func(p *Practice) { p.Link = "/practices/1" }, []string{"/link"}},
		{"link with credentials", func(p *Practice) { p.Link = "https://user:pw@example.org/" }, []string{"/link"}},
		{"everything wrong", func(p *Practice) { *p = Practice{} },
			[]string{"/id", "/cityId", "/cityName", "/country", "/area", "/title/en", "/title/fr", "/summary/en", "/summary/fr", "/year"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPractice()
			tc.change(&p)
			err := p.Validate(now)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("valid practice refused: %v", err)
				}
				return
			}
			f := failure.As(err)
			if f == nil || f.Kind != failure.Invalid {
				t.Fatalf("got %v, want an invalid-input failure", err)
			}
			var got []string
			for _, fe := range f.Fields {
				got = append(got, fe.Pointer)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("fields %v, want %v (%v)", got, tc.want, f.Fields)
			}
		})
	}
}

// candidate builds a candidate practice of an area.
func candidate(id, city, area string, score float64, pop, born float64, year int) Candidate {
	p := validPractice()
	p.ID, p.CityID, p.CityName, p.Area, p.Year = id, city, "City "+city, area, year
	return Candidate{Practice: p, Scores: map[string]float64{area: score},
		Facts: index.Facts{Population: pop, ForeignBornShare: born}}
}

func TestSelectPracticesPrefersStrongThenSimilarThenRecentCities(t *testing.T) {
	self := Selection{CityID: "me", Facts: index.Facts{Population: 150_000, ForeignBornShare: 12}, Bands: index.DefaultBands()}
	for _, tc := range []struct {
		name  string
		sel   Selection
		cands []Candidate
		want  []string
	}{
		{"the highest score tier first", self, []Candidate{
			candidate("low", "a", "education", 55, 150_000, 12, 2024),
			candidate("high", "b", "education", 95, 900_000, 30, 2010),
			candidate("mid", "c", "education", 75, 150_000, 12, 2024),
		}, []string{"high", "mid", "low"}},
		{"within a tier, similar cities first", self, []Candidate{
			candidate("unlike", "a", "education", 88, 900_000, 30, 2025),
			candidate("same-size", "b", "education", 81, 180_000, 30, 2011),
			candidate("alike", "c", "education", 80, 120_000, 14, 2010),
		}, []string{"alike", "same-size", "unlike"}},
		{"then the most recent, then the id", self, []Candidate{
			candidate("old", "a", "education", 82, 150_000, 12, 2012),
			candidate("new-b", "b", "education", 83, 150_000, 12, 2022),
			candidate("new-a", "c", "education", 81, 150_000, 12, 2022),
		}, []string{"new-a", "new-b", "old"}},
		{"never the city's own, an unpublished or another area's practice", self, []Candidate{
			candidate("own", "me", "education", 99, 150_000, 12, 2025),
			func() Candidate {
				c := candidate("draft", "a", "education", 99, 150_000, 12, 2025)
				c.Practice.Published = false
				return c
			}(),
			candidate("elsewhere", "b", "language", 99, 150_000, 12, 2025),
			candidate("ok", "c", "education", 10, 150_000, 12, 2025),
		}, []string{"ok"}},
		{"demo practices only in a demonstration report", self, []Candidate{
			func() Candidate {
				c := candidate("demo", "a", "education", 99, 150_000, 12, 2025)
				c.Practice.Demo = true
				return c
			}(),
			candidate("real", "b", "education", 50, 150_000, 12, 2025),
		}, []string{"real"}},
		{"a demonstration report may show them", Selection{CityID: "me", Bands: index.DefaultBands(), Demo: true}, []Candidate{
			func() Candidate {
				c := candidate("demo", "a", "education", 99, 150_000, 12, 2025)
				c.Practice.Demo = true
				return c
			}(),
			candidate("real", "b", "education", 50, 150_000, 12, 2025),
		}, []string{"demo", "real"}},
		{"one per city while other cities qualify", self, []Candidate{
			candidate("a1", "a", "education", 95, 150_000, 12, 2025),
			candidate("a2", "a", "education", 95, 150_000, 12, 2024),
			candidate("b1", "b", "education", 60, 150_000, 12, 2025),
			candidate("c1", "c", "education", 40, 150_000, 12, 2025),
		}, []string{"a1", "b1", "c1"}},
		{"a city twice when too few cities qualify", self, []Candidate{
			candidate("a1", "a", "education", 95, 150_000, 12, 2025),
			candidate("a2", "a", "education", 95, 150_000, 12, 2024),
			candidate("b1", "b", "education", 60, 150_000, 12, 2025),
		}, []string{"a1", "b1", "a2"}},
		{"a city without a score in the area ranks last", self, []Candidate{
			func() Candidate {
				c := candidate("unscored", "a", "education", 0, 150_000, 12, 2025)
				c.Scores = nil
				return c
			}(),
			candidate("zero", "b", "education", 0, 900_000, 30, 2010),
		}, []string{"zero", "unscored"}},
		{"at most Max", Selection{CityID: "me", Bands: index.DefaultBands(), Max: 1}, []Candidate{
			candidate("a", "a", "education", 50, 150_000, 12, 2025),
			candidate("b", "b", "education", 90, 150_000, 12, 2025),
		}, []string{"b"}},
		{"none", self, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range SelectPractices("education", tc.sel, tc.cands) {
				got = append(got, p.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("chose %v, want %v", got, tc.want)
			}
			// The order of the candidates never changes the choice.
			rng := rand.New(rand.NewPCG(1, 2))
			for range 20 {
				shuffled := slices.Clone(tc.cands)
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				var again []string
				for _, p := range SelectPractices("education", tc.sel, shuffled) {
					again = append(again, p.ID)
				}
				if !slices.Equal(again, got) {
					t.Fatalf("shuffled candidates chose %v, not %v", again, got)
				}
			}
		})
	}
}
