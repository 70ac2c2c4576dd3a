package practice

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

type Practice struct {
	ID       string     `json:"id"`
	CityID   string     `json:"cityId"`
	CityName string     `json:"cityName"`
	Country  string     `json:"country"` // ISO 3166-1 alpha-2
	Area     string     `json:"area"`    // an area id of the current questionnaire
	Title    index.Text `json:"title"`
	Summary  index.Text `json:"summary"`
	Year     int        `json:"year"` // when the practice started
	Link     string     `json:"link,omitempty"`
	// Published practices may appear in reports; drafts may not.
	Published bool `json:"published"`
	// Demo marks seed data of the local stack: only a demonstration report
	// may show it, so invented examples never reach a real city.
	Demo bool `json:"demo"`
}

const (
	MaxPracticeID      = 64
	MaxPracticeCity    = 120
	MinPracticeTitle   = 3
	MaxPracticeTitle   = 160
	MinPracticeSummary = 20
	MaxPracticeSummary = 1200
	MaxPracticeLink    = 2000
	// MinPracticeYear is the earliest plausible start of a practice: older
	// policies exist, but the catalogue shows current examples.
	MinPracticeYear = 1950
)

func (p Practice) Validate(now time.Time) error {
	var c failure.Collector
	opaqueID(&c, "/id", p.ID)
	opaqueID(&c, "/cityId", p.CityID)
	text(&c, "/cityName", p.CityName, 1, MaxPracticeCity)
	if !membership.IsCountry(p.Country) {
		c.Add("/country", "must be an ISO 3166-1 alpha-2 country code such as FR")
	}
	q := index.Current()
	if _, ok := q.Area(p.Area); !ok {
		c.Add("/area", "must be an area of INDEX %s (%s)", q.Version, areaIDs(q))
	}
	text(&c, "/title/en", p.Title.EN, MinPracticeTitle, MaxPracticeTitle)
	text(&c, "/title/fr", p.Title.FR, MinPracticeTitle, MaxPracticeTitle)
	text(&c, "/summary/en", p.Summary.EN, MinPracticeSummary, MaxPracticeSummary)
	text(&c, "/summary/fr", p.Summary.FR, MinPracticeSummary, MaxPracticeSummary)
	if y := now.Year(); p.Year < MinPracticeYear || p.Year > y {
		c.Add("/year", "must be a year from %d to %d", MinPracticeYear, y)
	}
	if p.Link != "" {
		checkLink(&c, "/link", p.Link)
	}
	return c.Err("the practice is invalid")
}

func opaqueID(c *failure.Collector, ptr, s string) {
	switch {
	case strings.TrimSpace(s) == "":
		c.Add(ptr, "is required")
	case len(s) > MaxPracticeID:
		c.Add(ptr, "must be at most %d bytes", MaxPracticeID)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		c.Add(ptr, "must not contain spaces or control characters")
	}
}

func text(c *failure.Collector, ptr, s string, minLen, maxLen int) {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case !utf8.ValidString(s):
		c.Add(ptr, "must be valid UTF-8")
	case n == 0:
		c.Add(ptr, "is required")
	case n < minLen || n > maxLen:
		c.Add(ptr, "must be %d to %d characters", minLen, maxLen)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
		c.Add(ptr, "must not contain control characters")
	}
}

func checkLink(c *failure.Collector, ptr, s string) {
	u, err := url.Parse(s)
	switch {
	case len(s) > MaxPracticeLink:
		c.Add(ptr, "must be at most %d characters", MaxPracticeLink)
	case err != nil || u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		c.Add(ptr, "must be an https:// address")
	case u.User != nil:
		c.Add(ptr, "must not contain a user name or password")
	}
}

func areaIDs(q *index.Questionnaire) string {
	ids := make([]string, len(q.Areas))
	for i, a := range q.Areas {
		ids[i] = a.ID
	}
	return strings.Join(ids, ", ")
}

type Candidate struct {
	Practice Practice           `json:"practice"`
	Scores   map[string]float64 `json:"scores"` // area id → 0–100
	Facts    index.Facts        `json:"facts"`
}

type Selection struct {
	CityID string      // the report's city: never its own practices
	Facts  index.Facts // the report's city's facts, for similarity
	Bands  index.Bands // the comparison groups' cut-offs
	Demo   bool        // a demonstration report may show demo practices
	Max    int         // practices per area; 0 means DefaultPractices
}

const DefaultPractices = 3

const ScoreTier = 10

func SelectPractices(area string, sel Selection, candidates []Candidate) []Practice {
	limit := cmp.Or(sel.Max, DefaultPractices)
	self := sel.Bands.Groups(sel.Facts)
	type ranked struct {
		c           *Candidate
		tier, alike int
	}
	var pool []ranked
	for i := range candidates {
		c := &candidates[i]
		p := c.Practice
		if p.Area != area || !p.Published || p.CityID == sel.CityID || (p.Demo && !sel.Demo) {
			continue
		}
		tier := -1 // a city that did not answer the area ranks last
		if s, ok := c.Scores[area]; ok {
			tier = int(min(max(s, 0), 100)) / ScoreTier
		}
		alike := 0
		for _, g := range self {
			switch {
			case g.Kind == index.GroupPopulation && inBand(g, c.Facts.Population),
				g.Kind == index.GroupForeignBorn && inBand(g, c.Facts.ForeignBornShare):
				alike++
			}
		}
		pool = append(pool, ranked{c, tier, alike})
	}
	slices.SortFunc(pool, func(a, b ranked) int {
		return cmp.Or(
			cmp.Compare(b.tier, a.tier),
			cmp.Compare(b.alike, a.alike),
			cmp.Compare(b.c.Practice.Year, a.c.Practice.Year),
			strings.Compare(a.c.Practice.ID, b.c.Practice.ID),
		)
	})
	var out []Practice
	taken := map[string]bool{}
	cities := map[string]bool{}
	// First pass: the best practice of each city; second: fill up with the
	// next best when fewer cities than places qualify.
	for pass := 0; pass < 2 && len(out) < limit; pass++ {
		for _, r := range pool {
			if len(out) == limit {
				break
			}
			p := r.c.Practice
			if taken[p.ID] || (pass == 0 && cities[p.CityID]) {
				continue
			}
			taken[p.ID], cities[p.CityID] = true, true
			out = append(out, p)
		}
	}
	return out
}

func inBand(g index.Group, x float64) bool {
	return (g.Min == nil || x >= *g.Min) && (g.Max == nil || x < *g.Max)
}

// CheckText validates a text field of the catalogue or of a report's
// commentary: present, within lengths, without control characters.
func CheckText(c *failure.Collector, ptr, s string, minLen, maxLen int) {
	text(c, ptr, s, minLen, maxLen)
}

// CheckLink validates a link a report may print: an https address without
// credentials.
func CheckLink(c *failure.Collector, ptr, s string) { checkLink(c, ptr, s) }
