package local_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

func TestApplyEmailsALinkThatOpensTheCityFile(t *testing.T) {
	s := localtest.New(t, local.Options{})
	body := `{"cityName":"Lyon","country":"FR","population":522000,"foreignBornShare":12.5,
		"foreignResidentShare":9,"nationalMinorityShare":0,"contact":{"name":"Amélie Durand","email":"amelie@lyon.example"},"language":"fr"}`
	status, hdr, resp := s.Do(http.MethodPost, "/applications", "", body)
	if status != http.StatusCreated {
		t.Fatalf("POST /applications = %d %s", status, resp)
	}
	var created struct {
		CityID      string
		Status      string
		Eligibility struct{ Eligible bool }
	}
	if err := json.Unmarshal(resp, &created); err != nil {
		t.Fatal(err)
	}
	if created.Status != "applied" || !created.Eligibility.Eligible || hdr.Get("Location") != "/cities/"+created.CityID {
		t.Fatalf("unexpected answer %s (Location %q)", resp, hdr.Get("Location"))
	}
	s.Drain()

	mails, _ := s.MailTo(t.Context(), "amelie@lyon.example")
	if len(mails) != 1 || !strings.Contains(mails[0].Subject, "Cités interculturelles") {
		t.Fatalf("city mails = %+v, want one French email", mails)
	}
	sec, _ := s.MailTo(t.Context(), "secretariat@intercultural-cities.local")
	found := false
	for _, m := range sec {
		found = found || strings.Contains(m.Subject, "Lyon")
	}
	if !found {
		t.Fatal("the secretariat was not told of the application")
	}

	token := s.TokenFromMail("amelie@lyon.example")
	status, _, resp = s.Do(http.MethodGet, "/cities/"+created.CityID, token, "")
	if status != http.StatusOK {
		t.Fatalf("GET city with the emailed token = %d %s", status, resp)
	}
	var city struct {
		Name     string
		Status   string
		Timeline []struct{ Type string }
	}
	if err := json.Unmarshal(resp, &city); err != nil {
		t.Fatal(err)
	}
	if city.Name != "Lyon" || city.Status != "applied" || len(city.Timeline) != 1 || city.Timeline[0].Type != "applied" {
		t.Fatalf("city file = %s", resp)
	}

	// Draining again (a duplicate delivery) sends nothing more.
	s.Drain()
	if again, _ := s.MailTo(t.Context(), "amelie@lyon.example"); len(again) != 1 {
		t.Fatalf("after a second drain the city has %d emails, want 1", len(again))
	}
}
