package membership

import (
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/eligibility"
)

func ptr[T any](v T) *T { return &v }

func validApplication() Application {
	return Application{
		CityName: ptr("  Lyon "), Country: ptr("FR"), Population: ptr(int64(522000)),
		ForeignBornShare: ptr(12.5), ForeignResidentShare: ptr(9.0), NationalMinorityShare: ptr(0.0),
		Contact: &Contact{Name: "Amélie", Email: "amelie@lyon.example"}, Language: ptr("fr"),
	}
}

var settings = Rules{Eligibility: eligibility.Default(), SecretariatEmail: "sec@coe.example",
	FormsBaseURL: "https://forms.example/", CityTokenTTL: 48 * time.Hour, LinkKey: linkKey}

// linkKey is the tests' link key.
var linkKey = auth.Key{ID: "v1", Secret: []byte("tests-only-link-key-of-32-bytes!")}

func TestApplyPlansTheWholeAdmission(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	n := 0
	newID := func() string { n++; return strings.Repeat(string(rune('a'+n)), 26) }
	a, err := Apply(validApplication(), settings, now, newID)
	if err != nil {
		t.Fatal(err)
	}
	c := a.City
	// Version 0: a new city, which the store writes as version 1.
	if c.Name != "Lyon" || c.Status != StatusApplied || !c.Eligibility.Eligible || c.Version != 0 ||
		c.AppliedAt.Location() != time.UTC || c.Language != "fr" {
		t.Fatalf("city %+v", c)
	}
	tok, ok := a.Token()
	if !ok || tok.Role != auth.RoleCity || tok.CityID != c.ID || !tok.ExpiresAt.Equal(now.Add(48*time.Hour)) {
		t.Fatalf("token %+v", tok)
	}
	var claim NameClaim
	for _, r := range a.Records {
		if cl, ok := r.(NameClaim); ok {
			claim = cl
		}
	}
	if claim.Key != "FR#lyon" || claim.CityID != c.ID || claim.Previous != "" {
		t.Fatalf("name claim %+v", claim)
	}
	if len(a.Notifications) != 2 {
		t.Fatalf("%d notifications", len(a.Notifications))
	}
	city, sec := a.Notifications[0], a.Notifications[1]
	if city.ToEmail != "amelie@lyon.example" || city.Lang != "fr" || city.Template != "application-received" {
		t.Fatalf("city email %+v", city)
	}
	// The email keeps no secret: the link up to it, and what derives it
	// from the link key.
	l := city.Link
	if l == nil || l.Field != "AccessLink" || l.URL != "https://forms.example/index-form?city="+c.ID+"&lang=fr#token=" ||
		l.Ref.KeyID != linkKey.ID || len(l.Ref.TokenID) != 22 {
		t.Fatalf("access link %+v", l)
	}
	if auth.Hash(linkKey.Derive(l.Ref.TokenID)) != tok.Hash {
		t.Fatal("the secret derived when sending does not match the stored token hash")
	}
	if _, leaked := city.Data["AccessLink"]; leaked {
		t.Fatal("the access link is stored with the data")
	}
	if sec.ToEmail != "sec@coe.example" || sec.Link != nil {
		t.Fatalf("secretariat email %+v", sec)
	}
	if a.Event.Type != "applied" || a.Event.From != "" || a.Event.To != StatusApplied {
		t.Fatalf("event %+v", a.Event)
	}
}

func TestApplyFlagsButKeepsIneligibleCities(t *testing.T) {
	app := validApplication()
	app.Population = ptr(int64(12000))
	a, err := Apply(app, settings, time.Now(), func() string { return "x" })
	if err != nil {
		t.Fatal(err)
	}
	if a.City.Eligibility.Eligible || a.City.Status != StatusApplied {
		t.Fatalf("city %+v", a.City)
	}
	if !strings.Contains(a.Event.Detail, "flagged") || a.Notifications[1].Data["Eligible"] != "no" {
		t.Fatalf("the flag is not carried: event %q data %v", a.Event.Detail, a.Notifications[1].Data)
	}
}

func TestValidateNamesEachField(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Application)
		pointer string
	}{
		{"no name", func(a *Application) { a.CityName = nil }, "/cityName"},
		{"tab in name", func(a *Application) { a.CityName = ptr("Ly\ton") }, "/cityName"},
		{"country", func(a *Application) { a.Country = ptr("UK") }, "/country"},
		{"zero population", func(a *Application) { a.Population = ptr(int64(0)) }, "/population"},
		{"share", func(a *Application) { a.ForeignBornShare = ptr(-0.1) }, "/foreignBornShare"},
		{"contact", func(a *Application) { a.Contact = nil }, "/contact"},
		{"contact name", func(a *Application) { a.Contact.Name = "" }, "/contact/name"},
		{"contact email", func(a *Application) { a.Contact.Email = "a@b" }, "/contact/email"},
		{"language", func(a *Application) { a.Language = ptr("EN") }, "/language"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := validApplication()
			tt.mutate(&app)
			err := app.Validate()
			if err == nil || !strings.Contains(err.Error(), "invalid") {
				t.Fatalf("err = %v", err)
			}
			if _, err := Apply(app, settings, time.Now(), func() string { return "x" }); err == nil {
				t.Fatal("Apply accepted it")
			}
		})
	}
	if !IsCountry("GB") || IsCountry("UK") || IsCountry("fr") {
		t.Fatal("country codes")
	}
}
