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
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/index"
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
	// Version counts the writes of the file: a step is recorded only if the
	// file is still at the version the step was decided on.
	Version int64
	// The admission and membership record, filled in step by step.
	IntentSignedOn string
	Visit          *Visit
	Profile        *Profile
	Agreement      *Agreement
	Termination    *Termination
	TokenHash      string // the city's current access token
	// The city's latest scored INDEX submission: its place in the network.
	LatestIndex *IndexSummary
	// The progress report periods the city has reported, newest last.
	ReportedPeriods []string
	// The city as its finance office wants to be invoiced, and the fee
	// years it has its invoice for.
	Billing       *fees.Buyer
	InvoicedYears []int
	// The city's earlier file, ended, when this one is a re-application.
	PreviousCityID string
}

// IndexSummary names a city's latest scored INDEX submission and holds its
// result; the submission itself holds the standings.
type IndexSummary struct {
	SubmissionID string
	Version      string
	SubmittedAt  time.Time
	Aggregate    float64
	Result       *index.Result
}

// Event is one step in a city's timeline: who took which step when, the
// status before and after (the same when the step changes none), and the
// step's input.
type Event struct {
	At      time.Time
	Type    string // the step, e.g. "applied"
	From    Status
	To      Status
	Actor   string
	Detail  string
	Payload string // the step's input as JSON: the audit trail keeps it
}

// Change is what one step does to a city, written in one transaction: the
// city as it now stands (its Version still the one the step read), the audit
// entry, the emails, and every record the step creates or updates (tokens,
// submissions, reports, invoices...). Storage persists a Change without
// knowing what the step was.
type Change struct {
	City          City
	Event         Event
	Notifications []notify.Notification
	Records       []any
}

// AllRecords are the records the change writes: the step's own, and those
// any step implies. A file that ends ends its city's access links (the
// secretariat can give the city a new one).
func (ch Change) AllRecords() []any {
	if ch.Event.To.Ended() && !ch.Event.From.Ended() {
		return append([]any{auth.CityLinksRevocation{CityID: ch.City.ID, At: ch.Event.At}}, ch.Records...)
	}
	return ch.Records
}

// Token returns the access token the change issues, if any.
func (ch Change) Token() (auth.Token, bool) {
	for _, r := range ch.Records {
		if t, ok := r.(auth.Token); ok {
			return t, true
		}
	}
	return auth.Token{}, false
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

// Apply validates an application and plans what it writes, in one
// transaction: the city, its first timeline event, its access token, the
// claim on its name (one open file per city) and the emails. It does no I/O;
// newID supplies fresh opaque identifiers.
func Apply(a Application, s Rules, now time.Time, newID func() string) (Change, error) {
	if err := a.Validate(); err != nil {
		return Change{}, err
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
		Eligibility:           s.Eligibility.Check(facts),
		AppliedAt:             now,
		UpdatedAt:             now,
	}
	if err := s.LinkKey.Validate(); err != nil {
		return Change{}, fmt.Errorf("apply: %w", err)
	}
	token, ref := auth.IssueLink(s.LinkKey, auth.RoleCity, city.ID, city.Contact.Email, now, s.CityTokenTTL)

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
		"Reasons":               eligibility.RawReasons(city.Eligibility.Reasons),
		"LinkExpires":           token.ExpiresAt.Format("2006-01-02"),
	}
	link := &notify.Link{Field: "AccessLink", Ref: ref, URL: fmt.Sprintf("%s/index-form?city=%s&lang=%s#token=",
		strings.TrimRight(s.FormsBaseURL, "/"), city.ID, city.Language)}

	detail := "eligible"
	if !city.Eligibility.Eligible {
		detail = "flagged for the secretariat: " + strings.Join(reasons, "; ")
	}
	city.TokenHash = token.Hash
	return Change{
		City:    city,
		Event:   Event{At: now, Type: string(StepApply), To: StatusApplied, Actor: "city:" + city.ID, Detail: detail},
		Records: []any{token, NameClaim{Key: NameKey(city.Country, city.Name), CityID: city.ID, Name: city.Name, At: now}},
		Notifications: []notify.Notification{
			{
				ID: newID(), Template: "application-received", Lang: city.Language, CityID: city.ID,
				ToName: city.Contact.Name, ToEmail: city.Contact.Email, Data: data,
				Link: link, Status: notify.StatusPending, CreatedAt: now,
			},
			{
				ID: newID(), Template: "application-secretariat", Lang: "en", CityID: city.ID,
				ToName: "Intercultural Cities secretariat", ToEmail: s.SecretariatEmail, Data: data,
				Status: notify.StatusPending, CreatedAt: now,
			},
		},
	}, nil
}
