package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
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

// reported takes a new city through the INDEX to index_reported: its
// submission scored, the draft report published by the secretariat.
func reported(t *testing.T, s *localtest.Stack, name string) (string, string) {
	t.Helper()
	id, tok := applyCity(t, s, name, 150000, 12)
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.6, 1, false))
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != 202 {
		t.Fatalf("submit: %d %s", status, resp)
	}
	s.Drain()
	publishDraft(t, s, s.AdminToken(), id)
	return id, tok
}

// publishDraft publishes the city's draft report, as the secretariat.
func publishDraft(t *testing.T, s *localtest.Stack, adm, cityID string) string {
	t.Helper()
	status, _, resp := s.Do(http.MethodGet, "/cities/"+cityID+"/reports", adm, "")
	var list struct {
		Reports []struct{ ReportID, Status string }
	}
	if err := json.Unmarshal(resp, &list); status != 200 || err != nil {
		t.Fatalf("reports of %s: %d %s", cityID, status, resp)
	}
	for _, r := range list.Reports {
		if r.Status == "draft" {
			if status, _, resp := s.Do(http.MethodPost, "/admin/cities/"+cityID+"/reports/"+r.ReportID+"/publish", adm, ""); status != 200 {
				t.Fatalf("publish %s: %d %s", r.ReportID, status, resp)
			}
			s.Drain()
			return r.ReportID
		}
	}
	t.Fatalf("city %s has no draft report: %s", cityID, resp)
	return ""
}

// day is a date days from today, as the API takes it.
func day(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format("2006-01-02") }

func TestAdmissionHappyPathToMembershipAndTermination(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := reported(t, s, "Happy Path")
	base := "/admin/cities/" + id

	c := admin(t, s, adm, base+"/intent", fmt.Sprintf(`{"signedOn":%q}`, day(-60)), 200)
	if c.Status != "index_reported" {
		t.Fatalf("after the INDEX and intent: %s", c.Status)
	}
	visit := fmt.Sprintf(`{"scheduledFor":%q,"experts":[{"name":"Ana Expert","email":"ana@experts.example"},
		{"name":"Ben Expert","email":"ben@experts.example"}],"representative":{"name":"Chloé CoE","email":"chloe@coe.example"}}`, day(-40))
	c = admin(t, s, adm, base+"/expert-visits", visit, 200)
	if c.Status != "visit_scheduled" || c.ExpertVisit == nil {
		t.Fatalf("visit: %+v", c)
	}
	c = admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held",
		fmt.Sprintf(`{"heldOn":%q,"diagnosis":"Strong political commitment; weak data."}`, day(-38)), 200)
	if c.Status != "visit_held" {
		t.Fatalf("held: %s", c.Status)
	}
	c = admin(t, s, adm, base+"/profile", fmt.Sprintf(`{"title":"Intercultural profile of Happy Path","issuedOn":%q,
		"link":"https://coe.example/profiles/happy-path.pdf"}`, day(-30)), 200)
	if c.Status != "profile_issued" {
		t.Fatalf("profile: %s", c.Status)
	}
	c = admin(t, s, adm, base+"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`,
		day(-20), day(-25), day(4*365)), 200)
	if c.Status != "member" || c.Agreement == nil || c.Agreement.InForceFrom != day(-20) || c.Agreement.EndsOn != day(4*365) {
		t.Fatalf("agreement: %+v %+v", c, c.Agreement)
	}
	c = admin(t, s, adm, base+"/agreement/amendments", fmt.Sprintf(`{"endsOn":%q,"agreedOn":%q,"reference":"Letter DG-II/2026/17"}`,
		day(5*365), day(-1)), 200)
	if c.Status != "member" || c.Agreement.EndsOn != day(5*365) {
		t.Fatalf("amended: %+v %+v", c, c.Agreement)
	}
	notice := time.Now().UTC().AddDate(0, 0, -2)
	c = admin(t, s, adm, base+"/termination", fmt.Sprintf(`{"by":"city","noticeOn":%q,"reason":"Budget cuts"}`, day(-2)), 200)
	if c.Status != "termination_notified" || c.Termination.EffectiveOn != membership.AddMonth(notice).Format("2006-01-02") {
		t.Fatalf("termination: %+v %+v", c, c.Termination)
	}
	// Not yet: the notice runs for a month.
	if resp := s.RunSchedule(adm, "daily", ""); !strings.Contains(string(resp), `"terminated":0`) {
		t.Fatalf("daily before the effective date: %s", resp)
	}
	// A month and a few days later, the daily schedule applies it.
	s.Clock.Advance(33 * 24 * time.Hour)
	if resp := s.RunSchedule(adm, "daily", ""); !strings.Contains(string(resp), `"terminated":1`) {
		t.Fatalf("daily: %s", resp)
	}
	status, _, resp := s.Do(http.MethodGet, "/cities/"+id, adm, "")
	_ = json.Unmarshal(resp, &c)
	if status != 200 || c.Status != "terminated" || len(c.NextSteps) != 0 {
		t.Fatalf("city after termination: %s", resp)
	}
	// The city's link ended with its file: the secretariat may issue another.
	_ = tok
	s.Drain()
	var subjects []string
	mails, _ := s.MailTo(t.Context(), "happypath@index.example")
	for _, m := range mails {
		subjects = append(subjects, m.Subject)
	}
	// received, results, the analytical report, intent, visit, visit held,
	// profile, welcome, amendment, notice, membership ended: every step
	// that changes the city's standing tells it.
	if len(mails) != 11 {
		t.Fatalf("the city got %d emails: %q", len(mails), subjects)
	}
	for _, who := range []string{"ana@experts.example", "ben@experts.example", "chloe@coe.example"} {
		if m, _ := s.MailTo(t.Context(), who); len(m) != 1 || !strings.Contains(m[0].Subject, "expert visit") {
			t.Errorf("the visit's team member %s got %d emails", who, len(m))
		}
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
	want := []string{"applied", "index_submitted", "index_scored", "index_reported", "intent_signed", "visit_scheduled", "visit_held",
		"profile_issued", "agreement_signed", "agreement_amended", "termination_notified", "terminated"}
	if status != 200 || len(audit.Entries) != len(want) {
		t.Fatalf("audit %d: %s", status, resp)
	}
	for i, e := range audit.Entries {
		if e.Type != want[i] || e.Actor == "" {
			t.Errorf("entry %d: %+v, want %s", i, e, want[i])
		}
	}
	if e := audit.Entries[1]; e.From != "applied" || e.To != "index_submitted" {
		t.Errorf("the submission's entry says %s → %s", e.From, e.To)
	}
	if e := audit.Entries[9]; e.From != "member" || e.To != "member" || !strings.Contains(string(e.Payload), "DG-II/2026/17") {
		t.Errorf("the amendment's entry: %+v", e)
	}
	if !strings.Contains(string(audit.Entries[5].Payload), "Ana Expert") {
		t.Errorf("the visit's payload is not audited: %s", audit.Entries[5].Payload)
	}
}

// The steps' dates must make sense against each other and today; each
// refusal names its field.
func TestStepDatesMustBeConsistent(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := reported(t, s, "Dates Checked")
	base := "/admin/cities/" + id
	refused := func(path, body, pointer string) {
		t.Helper()
		status, _, resp := s.Do(http.MethodPost, base+path, adm, body)
		if status != 400 || !strings.Contains(string(resp), `"pointer":"`+pointer+`"`) {
			t.Errorf("%s %s: %d %s, want 400 naming %s", path, body, status, resp, pointer)
		}
	}
	refused("/intent", fmt.Sprintf(`{"signedOn":%q}`, day(3)), "/signedOn")
	c := admin(t, s, adm, base+"/expert-visits", fmt.Sprintf(`{"scheduledFor":%q,"experts":[{"name":"A","email":"a@x.example"}],
		"representative":{"name":"R","email":"r@x.example"}}`, day(-10)), 200)
	held := base + "/expert-visits/" + c.ExpertVisit.VisitID + "/held"
	s.Do(http.MethodPost, held, adm, "")
	refused(held[len(base):], fmt.Sprintf(`{"heldOn":%q,"diagnosis":"d"}`, day(-11)), "/heldOn") // before it was scheduled
	refused(held[len(base):], fmt.Sprintf(`{"heldOn":%q,"diagnosis":"d"}`, day(2)), "/heldOn")   // in the future
	admin(t, s, adm, held, fmt.Sprintf(`{"heldOn":%q,"diagnosis":"d"}`, day(-9)), 200)
	refused("/profile", fmt.Sprintf(`{"title":"P","issuedOn":%q}`, day(-10)), "/issuedOn") // before the visit
	admin(t, s, adm, base+"/profile", fmt.Sprintf(`{"title":"P","issuedOn":%q}`, day(-8)), 200)
	refused("/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q}`, day(-1), day(-1)), "/endsOn")
	refused("/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, day(2), day(-1), day(900)), "/citySignedOn")
	refused("/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, day(-1), day(-1), day(-3)), "/endsOn")
	admin(t, s, adm, base+"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, day(-1), day(-2), day(900)), 200)
	refused("/termination", fmt.Sprintf(`{"by":"coe","noticeOn":%q,"reason":"r"}`, day(-45)), "/noticeOn") // back-dated beyond the grace
	refused("/agreement/amendments", fmt.Sprintf(`{"endsOn":%q,"agreedOn":%q,"reference":"r"}`, day(900), day(0)), "/endsOn")
	refused("/agreement/amendments", fmt.Sprintf(`{"endsOn":%q,"agreedOn":%q}`, day(1000), day(0)), "/reference")
	_, _, resp := s.Do(http.MethodGet, base+"/audit", adm, "")
	if n := strings.Count(string(resp), `"type":`); n != 8 { // applied … agreement_signed: nothing refused was recorded
		t.Errorf("%d audit entries after the refusals: %s", n, resp)
	}
}

func TestInvalidTransitionsAre409WithTheNextSteps(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := applyCity(t, s, "Too Early", 80000, 9)
	base := "/admin/cities/" + id
	for _, tt := range []struct{ path, body string }{
		{"/expert-visits", fmt.Sprintf(`{"scheduledFor":%q,"experts":[{"name":"A","email":"a@x.example"}],"representative":{"name":"R","email":"r@x.example"}}`, day(10))},
		{"/profile", fmt.Sprintf(`{"title":"T","issuedOn":%q}`, day(-1))},
		{"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, day(-1), day(-2), day(1000))},
		{"/termination", fmt.Sprintf(`{"by":"coe","noticeOn":%q,"reason":"x"}`, day(-1))},
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
		resp := s.RunSchedule(adm, "daily", "")
		var r struct {
			Result struct{ Reminded, AlreadyReminded int }
		}
		_ = json.Unmarshal(resp, &r)
		want := 3 // city and secretariat warned, progress report due
		if run == 1 {
			want = 0
		}
		if r.Result.Reminded != want {
			t.Fatalf("run %d: %s, want %d reminders", run, resp, want)
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
	period := strconv.Itoa(now.AddDate(0, 0, -1).Year()) // the anniversary's year
	report := `{"period":"` + period + `","actions":["Intercultural training for 120 civil servants"],"indicators":[],"text":"Done."}`
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/progress-reports", link[1], report); status != http.StatusCreated {
		t.Fatalf("report with the reminder's link: %d %s", status, resp)
	}
	// The period is reported: no reminder asks for it again, even from a
	// fresh run that never sent one.
	c2, err := s.Store.CityForUpdate(t.Context(), id)
	if err != nil || !c2.Reported(period) {
		t.Fatalf("the city's file does not record the period %s: %v %v", period, c2.ReportedPeriods, err)
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
	// Its links end with the file.
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != http.StatusUnauthorized {
		t.Fatalf("a withdrawn city's submission with its old link: %d %s", status, resp)
	}
	// A link the secretariat gives it again reads its file, and submits
	// nothing.
	admin(t, s, adm, "/admin/cities/"+id+"/tokens", `{}`, 200)
	s.Drain()
	status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", s.TokenFromMail("goneaway@index.example"), body)
	if status != http.StatusConflict || !strings.Contains(string(resp), "withdrawn") {
		t.Fatalf("a withdrawn city's submission: %d %s", status, resp)
	}
	if status, _, _ := s.Do(http.MethodPost, "/cities/aaaaaaaaaaaaaaaaaaaaaaaaaa/index/submissions", adm, body); status != 404 {
		t.Fatalf("no such city: %d", status)
	}
}

// A daily run asked for through API Gateway is answered under the API's
// stage, and the daily function runs it: on a deployment without
// FORMS_BASE_URL its links point to the API's own URL (API_URL, which the
// template gives the daily function).
func TestADailyRunAskedThroughTheAPILinksItsOwnURL(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := member(t, s, adm, "Linked From The API")
	var settings config.DailySettings
	env := map[string]string{
		"TABLE_NAME":        s.Table,
		"SECRETARIAT_EMAIL": "secretariat@intercultural-cities.local",
		"LINK_KEY_SECRET":   "arn:aws:secretsmanager:eu-west-3:123456789012:secret:icc-link-key-AbCdEf",
		"FORMS_BASE_URL":    "",
		"API_URL":           "https://api.intercultural-cities.example/prod",
	}
	if err := config.LoadFrom(&settings, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	s.Schedule.Rules.FormsBaseURL = boot.DailyRules(settings).FormsBaseURL
	lambdaAPI := httpapi.LambdaHandler(s.API("secretariat").Handler("secretariat"))
	request := func(method, path string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp, err := lambdaAPI(t.Context(), events.APIGatewayV2HTTPRequest{
			RawPath: "/prod" + path, Headers: map[string]string{"authorization": "Bearer " + adm},
			RequestContext: events.APIGatewayV2HTTPRequestContext{DomainName: "api.intercultural-cities.example", Stage: "prod",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: "/prod" + path}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := request(http.MethodPost, "/admin/runs/daily")
	loc := resp.Headers["Location"]
	if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(loc, "/prod/admin/runs/daily/") {
		t.Fatalf("daily run: %d Location %q %s", resp.StatusCode, loc, resp.Body)
	}
	s.Drain()
	if resp := request(http.MethodGet, strings.TrimPrefix(loc, "/prod")); resp.StatusCode != http.StatusOK ||
		!strings.Contains(resp.Body, `"status":"succeeded"`) {
		t.Fatalf("GET %s: %d %s", loc, resp.StatusCode, resp.Body)
	}
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
