// Package membership holds a city's file: its application, its status on the
// way to membership and the timeline of the steps it took.
package membership

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// Status is where a city stands in the programme.
type Status string

// The statuses so far; the admission workflow adds the rest.
const (
	StatusApplied        Status = "applied"
	StatusIndexSubmitted Status = "index_submitted"
)

// Contact is the city official the programme writes to.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// City is a candidate or member city's file.
type City struct {
	ID                    string
	Name                  string
	Country               string
	Population            int64
	ForeignBornShare      float64
	ForeignResidentShare  float64
	NationalMinorityShare float64
	Contact               Contact
	Language              string
	Status                Status
	Eligibility           eligibility.Verdict
	AppliedAt             time.Time
	UpdatedAt             time.Time
	Version               int64
	// The admission and membership record, filled in step by step.
	IntentSignedOn string       `json:"intentSignedOn,omitempty"`
	Visit          *Visit       `json:"expertVisit,omitempty"`
	Profile        *Profile     `json:"profile,omitempty"`
	Agreement      *Agreement   `json:"agreement,omitempty"`
	Termination    *Termination `json:"termination,omitempty"`
	TokenHash      string       `json:"-"` // the city's current access token
	// The city's latest scored INDEX submission: its place in the network.
	LatestIndex *IndexSummary `json:"latestIndex,omitempty"`
	// The city's earlier file, ended, when this one is a re-application.
	PreviousCityID string `json:"previousCityId,omitempty"`
}

// IndexSummary names a city's latest scored INDEX submission and its
// aggregate score; the submission itself holds the areas and standings.
type IndexSummary struct {
	SubmissionID string    `json:"submissionId"`
	Version      string    `json:"version"`
	SubmittedAt  time.Time `json:"submittedAt"`
	Aggregate    float64   `json:"aggregate"`
}

// Event is one step in a city's timeline.
type Event struct {
	At      time.Time
	Type    string // e.g. "applied"
	From    Status
	To      Status
	Actor   string
	Detail  string
	Payload string // the step's input as JSON: the audit trail keeps it
}

// Application is what a city sends when it applies. Pointers tell a missing
// field from a zero.
type Application struct {
	CityName              *string  `json:"cityName"`
	Country               *string  `json:"country"`
	Population            *int64   `json:"population"`
	ForeignBornShare      *float64 `json:"foreignBornShare"`
	ForeignResidentShare  *float64 `json:"foreignResidentShare"`
	NationalMinorityShare *float64 `json:"nationalMinorityShare"`
	Contact               *Contact `json:"contact"`
	Language              *string  `json:"language"`
}

// MaxPopulation bounds a plausible city (the largest urban areas are under 40 million).
const MaxPopulation = 50_000_000

// Validate checks every field and reports all offending ones at once.
func (a Application) Validate() error {
	var c failure.Collector
	text := func(ptr string, v *string, maxLen int) {
		switch {
		case v == nil:
			c.Add(ptr, "is required")
		case strings.TrimSpace(*v) == "":
			c.Add(ptr, "must not be blank")
		case !utf8.ValidString(*v):
			c.Add(ptr, "must be valid UTF-8")
		case utf8.RuneCountInString(*v) > maxLen:
			c.Add(ptr, "must be at most %d characters", maxLen)
		case strings.IndexFunc(*v, unicode.IsControl) >= 0:
			c.Add(ptr, "must not contain control characters or line breaks")
		}
	}
	share := func(ptr string, v *float64) {
		switch {
		case v == nil:
			c.Add(ptr, "is required (a percentage from 0 to 100)")
		case *v < 0 || *v > 100 || *v != *v:
			c.Add(ptr, "must be a percentage from 0 to 100")
		}
	}
	text("/cityName", a.CityName, 120)
	switch {
	case a.Country == nil:
		c.Add("/country", "is required")
	case !IsCountry(*a.Country):
		c.Add("/country", "must be an ISO 3166-1 alpha-2 code in capitals, e.g. FR")
	}
	switch {
	case a.Population == nil:
		c.Add("/population", "is required")
	case *a.Population < 1 || *a.Population > MaxPopulation:
		c.Add("/population", "must be a number of inhabitants from 1 to %d", MaxPopulation)
	}
	share("/foreignBornShare", a.ForeignBornShare)
	share("/foreignResidentShare", a.ForeignResidentShare)
	share("/nationalMinorityShare", a.NationalMinorityShare)
	if a.Contact == nil {
		c.Add("/contact", "is required")
	} else {
		name := a.Contact.Name
		text("/contact/name", &name, 120)
		switch {
		case a.Contact.Email == "":
			c.Add("/contact/email", "is required")
		case notify.ValidAddress(a.Contact.Email) != nil:
			c.Add("/contact/email", "must be a plain email address such as name@city.example")
		}
	}
	switch {
	case a.Language == nil:
		c.Add("/language", "is required")
	case *a.Language != "en" && *a.Language != "fr":
		c.Add("/language", "must be en or fr")
	}
	return c.Err("the application has invalid fields")
}

// Settings are the knobs of the application step.
type Settings struct {
	Rules            eligibility.Rules
	SecretariatEmail string
	FormsBaseURL     string        // where access links point
	CityTokenTTL     time.Duration // validity of the emailed access link
}

// Admission is everything one application writes, in one transaction: the
// city, its first timeline event, its access token and the emails.
type Admission struct {
	City          City
	Event         Event
	Token         auth.Token
	Notifications []notify.Notification
}

// Apply validates an application and plans what it writes. It does no I/O;
// newID supplies fresh opaque identifiers.
func Apply(a Application, s Settings, now time.Time, newID func() string) (Admission, error) {
	if err := a.Validate(); err != nil {
		return Admission{}, err
	}
	now = now.UTC()
	facts := eligibility.Facts{
		Population:            *a.Population,
		ForeignBornShare:      *a.ForeignBornShare,
		ForeignResidentShare:  *a.ForeignResidentShare,
		NationalMinorityShare: *a.NationalMinorityShare,
	}
	city := City{
		ID:                    newID(),
		Name:                  strings.TrimSpace(*a.CityName),
		Country:               *a.Country,
		Population:            facts.Population,
		ForeignBornShare:      facts.ForeignBornShare,
		ForeignResidentShare:  facts.ForeignResidentShare,
		NationalMinorityShare: facts.NationalMinorityShare,
		Contact:               Contact{Name: strings.TrimSpace(a.Contact.Name), Email: a.Contact.Email},
		Language:              *a.Language,
		Status:                StatusApplied,
		Eligibility:           s.Rules.Check(facts),
		AppliedAt:             now,
		UpdatedAt:             now,
		Version:               1,
	}
	secret, token := auth.Issue(auth.RoleCity, city.ID, city.Contact.Email, now, s.CityTokenTTL)

	eligible := "yes"
	var reasons []string
	for _, r := range city.Eligibility.Reasons {
		reasons = append(reasons, "- "+r.Message)
	}
	if !city.Eligibility.Eligible {
		eligible = "no"
	}
	data := map[string]string{
		"CityID":                city.ID,
		"CityName":              city.Name,
		"Country":               city.Country,
		"Population":            strconv.FormatInt(city.Population, 10),
		"ForeignBornShare":      strconv.FormatFloat(city.ForeignBornShare, 'f', -1, 64),
		"ForeignResidentShare":  strconv.FormatFloat(city.ForeignResidentShare, 'f', -1, 64),
		"NationalMinorityShare": strconv.FormatFloat(city.NationalMinorityShare, 'f', -1, 64),
		"ContactName":           city.Contact.Name,
		"ContactEmail":          city.Contact.Email,
		"Eligible":              eligible,
		"Reasons":               strings.Join(reasons, "\n"),
		"LinkExpires":           token.ExpiresAt.Format("2006-01-02"),
	}
	link := fmt.Sprintf("%s/index-form?city=%s&lang=%s#token=%s",
		strings.TrimRight(s.FormsBaseURL, "/"), city.ID, city.Language, secret)

	detail := "eligible"
	if !city.Eligibility.Eligible {
		detail = "flagged for the secretariat: " + strings.Join(reasons, "; ")
	}
	city.TokenHash = token.Hash
	return Admission{
		City:  city,
		Event: Event{At: now, Type: "applied", To: StatusApplied, Actor: "city:" + city.ID, Detail: detail},
		Token: token,
		Notifications: []notify.Notification{
			{
				ID: newID(), Template: "application-received", Lang: city.Language, CityID: city.ID,
				ToName: city.Contact.Name, ToEmail: city.Contact.Email, Data: data,
				Secrets: map[string]string{"AccessLink": link}, Status: notify.StatusPending, CreatedAt: now,
			},
			{
				ID: newID(), Template: "application-secretariat", Lang: "en", CityID: city.ID,
				ToName: "Intercultural Cities secretariat", ToEmail: s.SecretariatEmail, Data: data,
				Status: notify.StatusPending, CreatedAt: now,
			},
		},
	}, nil
}
