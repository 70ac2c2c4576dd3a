package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/index"
)

type cityFile struct {
	Status      string
	NextSteps   []string
	ExpertVisit *struct{ VisitID string }
	Agreement   *struct{ InForceFrom, EndsOn string }
	Termination *struct{ EffectiveOn string }
}

func admin(t *testing.T, s *localtest.Stack, token, path, body string, want int) cityFile {
	t.Helper()
	status, _, resp := s.Do(http.MethodPost, path, token, body)
	if status != want {
		t.Fatalf("POST %s: %d, want %d: %s", path, status, want, resp)
	}
	var c cityFile
	_ = json.Unmarshal(resp, &c)
	return c
}

// reported takes a new city through the INDEX to index_reported.
func reported(t *testing.T, s *localtest.Stack, name string) (string, string) {
	t.Helper()
	id, tok := applyCity(t, s, name, 150000, 12)
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.6, 1, false))
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != 202 {
		t.Fatalf("submit: %d %s", status, resp)
	}
	s.Drain()
	return id, tok
}

func TestAdmissionHappyPathToMembershipAndTermination(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := reported(t, s, "Happy Path")
	base := "/admin/cities/" + id

	c := admin(t, s, adm, base+"/intent", `{"signedOn":"2026-10-01"}`, 200)
	if c.Status != "index_reported" {
		t.Fatalf("after the INDEX and intent: %s", c.Status)
	}
	visit := `{"scheduledFor":"2026-12-10","experts":[{"name":"Ana Expert","email":"ana@experts.example"},
		{"name":"Ben Expert","email":"ben@experts.example"}],"representative":{"name":"Chloé CoE","email":"chloe@coe.example"}}`
	c = admin(t, s, adm, base+"/expert-visits", visit, 200)
	if c.Status != "visit_scheduled" || c.ExpertVisit == nil {
		t.Fatalf("visit: %+v", c)
	}
	c = admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held",
		`{"heldOn":"2026-11-20","diagnosis":"Strong political commitment; weak data."}`, 200)
	if c.Status != "visit_held" {
		t.Fatalf("held: %s", c.Status)
	}
	c = admin(t, s, adm, base+"/profile", `{"title":"Intercultural profile of Happy Path","issuedOn":"2026-11-24",
		"link":"https://coe.example/profiles/happy-path.pdf"}`, 200)
	if c.Status != "profile_issued" {
		t.Fatalf("profile: %s", c.Status)
	}
	c = admin(t, s, adm, base+"/agreement", `{"citySignedOn":"2025-12-01","coeSignedOn":"2025-11-20"}`, 200)
	if c.Status != "member" || c.Agreement == nil || c.Agreement.InForceFrom != "2025-12-01" || c.Agreement.EndsOn != "2029-11-30" {
		t.Fatalf("agreement: %+v %+v", c, c.Agreement)
	}
	c = admin(t, s, adm, base+"/termination", `{"by":"city","noticeOn":"2026-01-31","reason":"Budget cuts"}`, 200)
	if c.Status != "termination_notified" || c.Termination.EffectiveOn != "2026-02-28" {
		t.Fatalf("termination: %+v %+v", c, c.Termination)
	}
	// The daily schedule applies it (its effective date has passed).
	status, _, resp := s.Do(http.MethodPost, "/admin/runs/daily", adm, "")
	if status != 200 || !strings.Contains(string(resp), `"terminated":1`) {
		t.Fatalf("daily: %d %s", status, resp)
	}
	status, _, resp = s.Do(http.MethodGet, "/cities/"+id, tok, "")
	_ = json.Unmarshal(resp, &c)
	if status != 200 || c.Status != "terminated" || len(c.NextSteps) != 0 {
		t.Fatalf("city after termination: %s", resp)
	}
	s.Drain()
	subjects := map[string]bool{}
	mails, _ := s.MailTo(t.Context(), "happypath@index.example")
	for _, m := range mails {
		subjects[m.Subject] = true
	}
	if len(mails) < 6 { // received, results, visit, profile, welcome, termination
		t.Fatalf("the city got %d emails: %v", len(mails), subjects)
	}
	// The audit trail has every step with who, when, from, to and payload.
	status, _, resp = s.Do(http.MethodGet, base+"/audit", adm, "")
	var audit struct {
		Entries []struct {
			Type, From, To, Actor string
			Payload               json.RawMessage
		}
	}
	_ = json.Unmarshal(resp, &audit)
	want := []string{"applied", "index_submitted", "index_reported", "intent_signed", "visit_scheduled", "visit_held",
		"profile_issued", "agreement_signed", "termination_notified", "terminated"}
	if status != 200 || len(audit.Entries) != len(want) {
		t.Fatalf("audit %d: %s", status, resp)
	}
	for i, e := range audit.Entries {
		if e.Type != want[i] || e.Actor == "" {
			t.Errorf("entry %d: %+v, want %s", i, e, want[i])
		}
	}
	if !strings.Contains(string(audit.Entries[4].Payload), "Ana Expert") {
		t.Errorf("the visit's payload is not audited: %s", audit.Entries[4].Payload)
	}
}

func TestInvalidTransitionsAre409WithTheNextSteps(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := applyCity(t, s, "Too Early", 80000, 9)
	base := "/admin/cities/" + id
	for _, tt := range []struct{ path, body string }{
		{"/expert-visits", `{"scheduledFor":"2026-12-10","experts":[{"name":"A","email":"a@x.example"}],"representative":{"name":"R","email":"r@x.example"}}`},
		{"/profile", `{"title":"T","issuedOn":"2026-11-24"}`},
		{"/agreement", `{"citySignedOn":"2026-11-25","coeSignedOn":"2026-11-20"}`},
		{"/termination", `{"by":"coe","noticeOn":"2026-11-01","reason":"x"}`},
	} {
		status, hdr, resp := s.Do(http.MethodPost, base+tt.path, adm, tt.body)
		if status != http.StatusConflict || hdr.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(string(resp), "possible steps") || !strings.Contains(string(resp), "withdrawn") {
			t.Errorf("%s from applied: %d %s", tt.path, status, resp)
		}
	}
	admin(t, s, adm, base+"/withdrawal", `{"reason":"The new council changed priorities."}`, 200)
	status, _, _ := s.Do(http.MethodPost, base+"/decline", adm, `{"reason":"x"}`)
	if status != http.StatusConflict {
		t.Fatalf("decline after withdrawal: %d", status)
	}
	// Bad input names the field; nothing is recorded.
	id2, _ := applyCity(t, s, "Bad Input", 80000, 9)
	status, _, resp := s.Do(http.MethodPost, "/admin/cities/"+id2+"/intent", adm, `{"signedOn":"31/01/2026"}`)
	if status != 400 || !strings.Contains(string(resp), `"pointer":"/signedOn"`) {
		t.Fatalf("bad date: %d %s", status, resp)
	}
	status, _, resp = s.Do(http.MethodPost, "/admin/cities/"+id2+"/withdrawal", adm, `{"reason":""}`)
	if status != 400 || !strings.Contains(string(resp), `"pointer":"/reason"`) {
		t.Fatalf("no reason: %d %s", status, resp)
	}
}

func TestTwoSecretariatUsersAdvancingOneCityAtOnce(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := reported(t, s, "Contested")
	visit := func(day int) string {
		return fmt.Sprintf(`{"scheduledFor":"2026-12-%02d","experts":[{"name":"A","email":"a@x.example"}],"representative":{"name":"R","email":"r@x.example"}}`, day)
	}
	admin(t, s, adm, "/admin/cities/"+id+"/expert-visits", visit(1), 200)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 8 {
		wg.Go(func() {
			status, _, _ := s.Do(http.MethodPost, "/admin/cities/"+id+"/withdrawal", adm, fmt.Sprintf(`{"reason":"reason %d"}`, i))
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[409] != 7 {
		t.Fatalf("statuses %v, want exactly one success and 7 conflicts", statuses)
	}
	_, _, resp := s.Do(http.MethodGet, "/admin/cities/"+id+"/audit", adm, "")
	if n := strings.Count(string(resp), `"type":"withdrawn"`); n != 1 {
		t.Fatalf("%d withdrawals audited", n)
	}
}

func TestDailyRemindersAreSentOnce(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := reported(t, s, "Ending Soon")
	base := "/admin/cities/" + id
	c := admin(t, s, adm, base+"/expert-visits", `{"scheduledFor":"2025-01-10","experts":[{"name":"A","email":"a@x.example"}],"representative":{"name":"R","email":"r@x.example"}}`, 200)
	admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held", `{"heldOn":"2025-01-10","diagnosis":"ok"}`, 200)
	admin(t, s, adm, base+"/profile", `{"title":"P","issuedOn":"2025-02-01"}`, 200)
	// Signed two years ago, ending in 20 days: an expiry warning and a
	// progress report reminder are due.
	now := time.Now().UTC()
	signed := now.AddDate(-2, 0, -1).Format("2006-01-02")
	ends := now.AddDate(0, 0, 20).Format("2006-01-02")
	admin(t, s, adm, base+"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, signed, signed, ends), 200)
	for run := range 2 {
		status, _, resp := s.Do(http.MethodPost, "/admin/runs/daily", adm, "")
		var r struct {
			Result struct{ Reminded, AlreadyReminded int }
		}
		_ = json.Unmarshal(resp, &r)
		want := 3 // city and secretariat warned, progress report due
		if run == 1 {
			want = 0
		}
		if status != 200 || r.Result.Reminded != want {
			t.Fatalf("run %d: %d %s, want %d reminders", run, status, resp, want)
		}
	}
	s.Drain()
	mails, _ := s.MailTo(t.Context(), "endingsoon@index.example")
	warnings, progress := 0, 0
	var reminder string
	for _, m := range mails {
		warnings += strings.Count(m.Subject, "ends")
		if strings.Contains(strings.ToLower(m.Subject), "progress") {
			progress++
			reminder = m.Body
		}
	}
	if progress != 1 {
		t.Fatalf("%d progress reminders in %d emails", progress, len(mails))
	}
	// The reminder carries a fresh link to the progress report form, which
	// works however old the city's first link is.
	link := regexp.MustCompile(`http\S+/progress-report\?city=` + id + `&lang=en#token=([A-Za-z0-9_-]+)`).FindStringSubmatch(reminder)
	if link == nil {
		t.Fatalf("no progress report link in the reminder:\n%s", reminder)
	}
	report := `{"period":"2026","actions":["Intercultural training for 120 civil servants"],"indicators":[],"text":"Done."}`
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/progress-reports", link[1], report); status != http.StatusCreated {
		t.Fatalf("report with the reminder's link: %d %s", status, resp)
	}
}

func TestProgressReportsAndTokenReissue(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := applyCity(t, s, "Reissue", 80000, 9)
	report := `{"period":"2026","actions":["Opened a welcome centre"],"indicators":[{"name":"Mixed schools","value":"41 %","target":"50 %"}],"text":"A good year."}`
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/progress-reports", tok, report); status != http.StatusConflict {
		t.Fatalf("a candidate's progress report: %d %s", status, resp)
	}
	admin(t, s, adm, "/admin/cities/"+id+"/tokens", `{}`, 200)
	if status, _, _ := s.Do(http.MethodGet, "/cities/"+id, tok, ""); status != http.StatusUnauthorized {
		t.Fatalf("the old token still works: %d", status)
	}
	s.Drain()
	fresh := s.TokenFromMail("reissue@index.example")
	if fresh == tok {
		t.Fatal("no new token emailed")
	}
	if status, _, _ := s.Do(http.MethodGet, "/cities/"+id, fresh, ""); status != 200 {
		t.Fatalf("the new token: %d", status)
	}
}

func TestAWithdrawnCityCannotSubmit(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := reported(t, s, "Gone Away")
	admin(t, s, adm, "/admin/cities/"+id+"/withdrawal", `{"reason":"left"}`, 200)
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.6, 2, false))
	status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body)
	if status != http.StatusConflict || !strings.Contains(string(resp), "withdrawn") {
		t.Fatalf("a withdrawn city's submission: %d %s", status, resp)
	}
	if status, _, _ := s.Do(http.MethodPost, "/cities/aaaaaaaaaaaaaaaaaaaaaaaaaa/index/submissions", adm, body); status != 404 {
		t.Fatalf("no such city: %d", status)
	}
}

// A daily run fired through API Gateway, on a deployment without
// FORMS_BASE_URL, still links the progress report form: to the API's own URL.
func TestADailyRunFiredThroughTheAPILinksItsOwnURL(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := member(t, s, adm, "Linked From The API")
	sched := *s.Schedule
	sched.Rules.FormsBaseURL = ""
	api := *s.API
	api.Membership.FormsBaseURL = ""
	api.Jobs = map[string]httpapi.Job{"daily": func(ctx context.Context) (any, error) { return sched.RunDaily(ctx) }}
	ev := events.APIGatewayV2HTTPRequest{
		RawPath: "/prod/admin/runs/daily", Headers: map[string]string{"authorization": "Bearer " + adm},
		RequestContext: events.APIGatewayV2HTTPRequestContext{DomainName: "api.intercultural-cities.example", Stage: "prod",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost, Path: "/prod/admin/runs/daily"}},
	}
	resp, err := httpapi.LambdaHandler(api.Handler("secretariat"))(t.Context(), ev)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("daily run: %v %d %s", err, resp.StatusCode, resp.Body)
	}
	s.Drain()
	mails, _ := s.MailTo(t.Context(), "linkedfromtheapi@index.example")
	want := "https://api.intercultural-cities.example/prod/progress-report?city=" + id + "&lang=en#token="
	for _, m := range mails {
		if strings.Contains(m.Subject, "progress report") {
			if !strings.Contains(m.Body, want) {
				t.Fatalf("the reminder's link is not %s…:\n%s", want, m.Body)
			}
			return
		}
	}
	t.Fatalf("no progress reminder among %d emails", len(mails))
}
