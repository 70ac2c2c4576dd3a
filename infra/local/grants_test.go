package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/infra/template"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// The emulator enforces no IAM. This test drives every function through
// every path the other tests take one by one, records what IAM would check
// for each AWS call, and holds each function's policies in template.yaml to
// exactly that: no call without its grant (in AWS it would fail with
// AccessDenied), no grant without its call.
func TestGrantsCoverEveryCallAndNoMore(t *testing.T) {
	s := localtest.New(t, local.Options{SweepAfter: time.Nanosecond})
	driveEverything(t, s)

	calls := s.Calls.Calls()
	t.Logf("what IAM checks for each function's AWS calls (action, resource, operation, times):\n%s", s.Calls.Table())

	// Every function that links an AWS client was driven through it, so a
	// new function, or a new client in one, cannot go unchecked.
	recorded := map[string]map[string]bool{}
	for _, c := range calls {
		if recorded[c.Function] == nil {
			recorded[c.Function] = map[string]bool{}
		}
		recorded[c.Function][strings.ToLower(strings.ReplaceAll(c.Service, " ", ""))] = true
	}
	for name, services := range linkedServices(t, s.Template) {
		for _, svc := range services {
			if !recorded[name][svc] {
				t.Errorf("functions/%s links the %s client, but no %s call of it was recorded: drive it in driveEverything "+
					"(and give it its own SDK configuration in local.Start, as its main does)", name, svc, svc)
			}
		}
	}

	a := s.Audit()
	for _, m := range a.Missing {
		t.Errorf("missing grant: %s", m)
	}
	for _, u := range a.Unused {
		t.Errorf("unused grant: %s", u)
	}
	for _, u := range a.Unchecked {
		t.Errorf("cannot check: %s", u)
	}
}

// driveEverything takes the system through every path that reaches AWS:
// applications (with an idempotency key, replayed, and a duplicate refused;
// by the form sent without JavaScript, twice), the emails, drafts (the
// city's and the secretariat's), a submission and its scoring, every
// secretariat step, the pipeline, the audit trail, a token reissue, progress
// reports, and the schedules, asked for through the secretariat function and
// run by their own functions from the stream, and run by their own functions
// on schedule.
func driveEverything(t *testing.T, s *localtest.Stack) {
	t.Helper()
	adm := s.AdminToken()
	do := func(method, path, token, body string, want int, headers ...string) []byte {
		t.Helper()
		status, _, resp := s.Do(method, path, token, body, headers...)
		if status != want {
			t.Fatalf("%s %s: %d, want %d: %.300s", method, path, status, want, resp)
		}
		return resp
	}

	// Applications; notify sends their emails.
	id, tok := applyCity(t, s, "Granted", 150000, 12)
	keyed := cityApplication("Keyed", "keyed@grants.example")
	do(http.MethodPost, "/applications", "", keyed, http.StatusCreated, "Idempotency-Key", "grants-apply")
	do(http.MethodPost, "/applications", "", keyed, http.StatusCreated, "Idempotency-Key", "grants-apply")
	do(http.MethodPost, "/applications", "", cityApplication("KEYED", "other@grants.example"), http.StatusConflict)
	// The same by the form sent without JavaScript, sent twice.
	form := url.Values{"idempotencyKey": {"grants-form"}, "cityName": {"Formed"}, "country": {"DE"}, "population": {"150000"},
		"foreignBornShare": {"12"}, "foreignResidentShare": {"8"}, "nationalMinorityShare": {"1"}, "contactName": {"Contact"},
		"contactEmail": {"formed@grants.example"}, "language": {"en"}}.Encode()
	do(http.MethodPost, "/apply", "", form, http.StatusCreated, "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
	do(http.MethodPost, "/apply", "", form, http.StatusCreated, "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
	s.Drain()

	// The city's file, for the city and for the secretariat.
	do(http.MethodGet, "/cities/"+id, tok, "", http.StatusOK)
	do(http.MethodGet, "/cities/"+id, adm, "", http.StatusOK)

	// Drafts: the city's, resumed and revised, a stale revision refused;
	// the secretariat's, for a city and for no city.
	answers := demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.6, 11, false)
	draft := "/cities/" + id + "/index/draft"
	do(http.MethodPut, draft, tok, submissionBody(t, answers[:10]), http.StatusCreated)
	do(http.MethodGet, draft, tok, "", http.StatusOK)
	do(http.MethodPut, draft, tok, submissionBody(t, answers[:20]), http.StatusOK, "If-Match", `"1"`)
	do(http.MethodPut, draft, tok, submissionBody(t, answers[:5]), http.StatusPreconditionFailed, "If-Match", `"1"`)
	do(http.MethodPut, draft, adm, submissionBody(t, answers[:25]), http.StatusOK, "If-Match", `"2"`)
	do(http.MethodGet, draft, adm, "", http.StatusOK)
	do(http.MethodPut, "/cities/aaaaaaaaaaaaaaaaaaaaaaaaaa/index/draft", adm, submissionBody(t, answers[:3]), http.StatusNotFound)

	// A submission, replayed by its key; score scores it, notify sends
	// the results.
	subs := "/cities/" + id + "/index/submissions"
	resp := do(http.MethodPost, subs, tok, submissionBody(t, answers), http.StatusAccepted, "Idempotency-Key", "grants-submit")
	do(http.MethodPost, subs, tok, submissionBody(t, answers), http.StatusAccepted, "Idempotency-Key", "grants-submit")
	s.Drain()
	sub := jsonField(t, resp, "submissionId")
	do(http.MethodGet, subs+"/"+sub, tok, "", http.StatusOK)
	do(http.MethodGet, subs+"/"+sub, adm, "", http.StatusOK)

	// The analytical report: the draft as the secretariat reviews it, its
	// commentary, the good-practice catalogue, the publication, which the
	// publisher archives and notify sends; the city reads it as archived.
	reports := "/cities/" + id + "/reports"
	list := do(http.MethodGet, reports, adm, "", http.StatusOK)
	do(http.MethodGet, reports, tok, "", http.StatusOK)
	do(http.MethodGet, "/admin/reports", adm, "", http.StatusOK)
	var drafts struct{ Reports []struct{ ReportID string } }
	if err := json.Unmarshal(list, &drafts); err != nil || len(drafts.Reports) != 1 {
		t.Fatalf("drafts: %v %s", err, list)
	}
	rid := drafts.Reports[0].ReportID
	do(http.MethodGet, reports+"/"+rid, adm, "", http.StatusOK)
	do(http.MethodGet, reports+"/"+rid+"?format=html", adm, "", http.StatusOK)
	do(http.MethodGet, reports+"/"+rid+"?format=pdf", adm, "", http.StatusOK)
	do(http.MethodPut, "/admin/cities/"+id+"/reports/"+rid+"/commentary", adm,
		`{"introduction":{"en":"A city that knows where it stands."},"areas":{"education":{"en":"Promising schools."}}}`, http.StatusOK)
	practice := do(http.MethodPost, "/admin/good-practices", adm, `{"cityId":"`+id+`","cityName":"Granted","country":"DE","area":"education",
		"title":{"en":"Mother-tongue tutoring","fr":"Tutorat en langue maternelle"},"summary":{"en":"Volunteers tutor pupils in their first language.",
		"fr":"Des bénévoles accompagnent les élèves dans leur première langue."},"year":2020,"published":true}`, http.StatusCreated)
	pid := jsonField(t, practice, "id")
	do(http.MethodPut, "/admin/good-practices/"+pid, adm, `{"cityId":"`+id+`","cityName":"Granted","country":"DE","area":"education",
		"title":{"en":"Mother-tongue tutoring","fr":"Tutorat en langue maternelle"},"summary":{"en":"Volunteers tutor pupils in their first language.",
		"fr":"Des bénévoles accompagnent les élèves dans leur première langue."},"year":2021,"published":true}`, http.StatusOK)
	do(http.MethodGet, "/admin/good-practices", adm, "", http.StatusOK)
	do(http.MethodGet, "/good-practices?area=education&lang=fr", "", "", http.StatusOK)
	do(http.MethodPost, "/admin/cities/"+id+"/reports/"+rid+"/publish", adm, "", http.StatusOK)
	s.Drain()
	// A duplicate delivery finds the report archived, as it was.
	if err := s.Publisher.ArchiveReport(t.Context(), outbox.Key{PK: store.CityPrefix + id, SK: store.ReportDocumentsPrefix + rid}); err != nil {
		t.Fatalf("a second archiving of the report: %v", err)
	}
	do(http.MethodGet, reports+"/"+rid+"?format=pdf", tok, "", http.StatusOK)
	do(http.MethodGet, reports+"/"+rid, tok, "", http.StatusOK, "Accept", "text/html")

	// Every secretariat step, to membership and a termination notice; a
	// withdrawal and a decline; the audit trail, the pipeline, a new token.
	base := "/admin/cities/" + id
	admin(t, s, adm, base+"/intent", fmt.Sprintf(`{"signedOn":%q}`, day(-60)), 200)
	c := admin(t, s, adm, base+"/expert-visits", fmt.Sprintf(`{"scheduledFor":%q,"experts":[{"name":"A","email":"a@x.example"}],
		"representative":{"name":"R","email":"r@x.example"}}`, day(-40)), 200)
	admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held", fmt.Sprintf(`{"heldOn":%q,"diagnosis":"d"}`, day(-38)), 200)
	admin(t, s, adm, base+"/profile", fmt.Sprintf(`{"title":"P","issuedOn":%q}`, day(-30)), 200)
	admin(t, s, adm, base+"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, day(-20), day(-25), day(1000)), 200)
	admin(t, s, adm, base+"/agreement/amendments", fmt.Sprintf(`{"endsOn":%q,"agreedOn":%q,"reference":"Letter 17"}`, day(1200), day(-1)), 200)
	// The fee: the city's billing details let billing issue its invoice,
	// archive its PDF and e-invoice and queue its email, which notify sends
	// with both attached; the city reads it as JSON, PDF and XML; finance
	// records a payment, a credit note, a bank statement, reads the ledger.
	do(http.MethodPut, "/cities/"+id+"/billing", tok, billingBody("Granted", "finance@granted.example"), http.StatusOK)
	s.Drain()
	inv := cityInvoices(t, s, id, tok).Invoices[0]
	// A duplicate delivery renders again and finds its documents archived.
	if err := s.Billing.ArchiveDocuments(t.Context(), outbox.Key{PK: store.InvoicePrefix + inv.InvoiceID,
		SK: store.DocumentsPrefix + inv.InvoiceID}); err != nil {
		t.Fatalf("a second archiving: %v", err)
	}
	invPath := "/cities/" + id + "/invoices/" + inv.InvoiceID
	do(http.MethodGet, invPath, tok, "", http.StatusOK)
	do(http.MethodGet, invPath+"?format=pdf", tok, "", http.StatusOK)
	do(http.MethodGet, invPath, adm, "", http.StatusOK, "Accept", "application/xml")
	do(http.MethodPost, "/admin/invoices/"+inv.InvoiceID+"/payments", adm, fmt.Sprintf(`{"amount":100000,"receivedOn":%q}`, day(0)),
		http.StatusCreated, "Idempotency-Key", "grants-pay")
	do(http.MethodPost, "/admin/invoices/"+inv.InvoiceID+"/credit-notes", adm, `{"amount":50000,"reason":"Half-year membership."}`,
		http.StatusCreated)
	stmt := camt053("GRANTS-1", []camtEntry{{ref: "G-1", amount: "100.00", structured: inv.PaymentReference, debtor: "Ville de Granted"}})
	do(http.MethodPost, "/admin/bank-statements", adm, stmt, http.StatusOK, "Content-Type", "application/xml")
	do(http.MethodGet, "/admin/invoices", adm, "", http.StatusOK)
	do(http.MethodGet, "/admin/invoices?format=csv", adm, "", http.StatusOK)
	s.Drain()

	report := `{"period":"2026","actions":["Opened a welcome centre"],"indicators":[],"text":"A good year."}`
	do(http.MethodPost, "/cities/"+id+"/progress-reports", tok, report, http.StatusCreated)
	do(http.MethodGet, "/cities/"+id+"/progress-reports", tok, "", http.StatusOK)
	admin(t, s, adm, base+"/termination", fmt.Sprintf(`{"by":"city","noticeOn":%q,"reason":"Budget cuts"}`, day(-2)), 200)
	other, _ := applyCity(t, s, "Withdrawing", 80000, 9)
	admin(t, s, adm, "/admin/cities/"+other+"/withdrawal", `{"reason":"New council."}`, 200)
	other, _ = applyCity(t, s, "Declined", 80000, 9)
	admin(t, s, adm, "/admin/cities/"+other+"/decline", `{"reason":"Not eligible."}`, 200)
	do(http.MethodGet, base+"/audit", adm, "", http.StatusOK)
	page := do(http.MethodGet, "/admin/cities?limit=1", adm, "", http.StatusOK)
	do(http.MethodGet, "/admin/cities?limit=1&cursor="+jsonField(t, page, "next"), adm, "", http.StatusOK)
	do(http.MethodGet, "/admin/cities?status=applied&country=DE&q=granted", adm, "", http.StatusOK)
	admin(t, s, adm, base+"/tokens", `{}`, 200)
	s.Drain()

	// The schedules on demand: asked for in the secretariat function, run
	// by their own functions from the stream: the daily duties (an expiry,
	// warnings, a progress reminder with its link) and the sweeper (an
	// application whose trigger was lost).
	dueToday(t, s, adm, "A")
	s.RunSchedule(adm, "daily", "")
	do(http.MethodPost, "/applications", "", cityApplication("Unswept A", "unswept-a@grants.example"), http.StatusCreated)
	s.RunSchedule(adm, "sweeper", "")
	s.Drain()

	// The same schedules as EventBridge Scheduler runs them; then, a month
	// on, the termination noticed above takes effect.
	dueToday(t, s, adm, "B")
	if _, err := s.Scheduled["daily"](t.Context(), []byte(`{"schedule":"daily"}`)); err != nil {
		t.Fatalf("daily: %v", err)
	}
	do(http.MethodPost, "/applications", "", cityApplication("Unswept B", "unswept-b@grants.example"), http.StatusCreated)
	if _, err := s.Scheduled["sweeper"](t.Context(), []byte(`{"schedule":"sweeper"}`)); err != nil {
		t.Fatalf("sweeper: %v", err)
	}
	s.Drain()
	// Next year's invoices, asked for by the secretariat's run and by the
	// annual-invoices function, issued by billing.
	next := fmt.Sprintf(`{"year":%d}`, fees.FeeYear(s.Clock.Now())+1)
	// Asked for twice in a row: the second request, refused while the
	// first is queued, reads who holds the schedule.
	s.RunSchedule(adm, "annual-invoices", next)
	first := do(http.MethodPost, "/admin/runs/annual-invoices", adm, next, http.StatusAccepted, "Idempotency-Key", "grants-annual")
	do(http.MethodPost, "/admin/runs/annual-invoices", adm, next, http.StatusAccepted, "Idempotency-Key", "grants-annual")
	do(http.MethodPost, "/admin/runs/annual-invoices", adm, next, http.StatusConflict)
	s.Drain()
	do(http.MethodGet, "/admin/runs/annual-invoices/"+jsonField(t, first, "runId"), adm, "", http.StatusOK)
	if _, err := s.Scheduled["annual-invoices"](t.Context(), []byte(next)); err != nil {
		t.Fatalf("annual invoices: %v", err)
	}
	s.Drain()
	s.Clock.Advance(33 * 24 * time.Hour)
	if _, err := s.Scheduled["daily"](t.Context(), []byte(`{"schedule":"daily"}`)); err != nil {
		t.Fatalf("daily a month on: %v", err)
	}
	s.Drain()
	do(http.MethodGet, "/cities/"+id, adm, "", http.StatusOK)
}

// dueToday makes two members with daily duties today: one whose agreement
// ended yesterday (it expires) and one whose agreement ends in 20 days and
// came into force two years ago today (a warning, and a progress reminder
// carrying a fresh link).
func dueToday(t *testing.T, s *localtest.Stack, adm, suffix string) {
	t.Helper()
	now := time.Now().UTC()
	for _, m := range []struct{ name, signed, ends string }{
		{"Expired " + suffix, now.AddDate(-2, 0, 0).Format(time.DateOnly), now.AddDate(0, 0, -1).Format(time.DateOnly)},
		{"Ending " + suffix, now.AddDate(-2, 0, 0).Format(time.DateOnly), now.AddDate(0, 0, 20).Format(time.DateOnly)},
	} {
		id, _ := reported(t, s, m.name)
		base := "/admin/cities/" + id
		c := admin(t, s, adm, base+"/expert-visits", fmt.Sprintf(`{"scheduledFor":%q,"experts":[{"name":"A","email":"a@x.example"}],
			"representative":{"name":"R","email":"r@x.example"}}`, now.AddDate(-2, -2, 0).Format(time.DateOnly)), 200)
		admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held",
			fmt.Sprintf(`{"heldOn":%q,"diagnosis":"ok"}`, now.AddDate(-2, -2, 0).Format(time.DateOnly)), 200)
		admin(t, s, adm, base+"/profile", fmt.Sprintf(`{"title":"P","issuedOn":%q}`, now.AddDate(-2, -1, 0).Format(time.DateOnly)), 200)
		admin(t, s, adm, base+"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, m.signed, m.signed, m.ends), 200)
	}
	s.Drain()
}

func jsonField(t *testing.T, body []byte, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %.300s", err, body)
	}
	v, _ := m[name].(string)
	if v == "" {
		t.Fatalf("no %s in %.300s", name, body)
	}
	return url.QueryEscape(v)
}

// linkedServices lists, for each function of the template, the AWS service
// clients its Lambda build links ("dynamodb", "ses").
func linkedServices(t *testing.T, tpl *template.Template) map[string][]string {
	t.Helper()
	deps, err := tpl.Deps()
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "github.com/aws/aws-sdk-go-v2/service/"
	linked := map[string][]string{}
	for name, pkgs := range deps {
		linked[name] = []string{}
		for _, dep := range pkgs {
			svc, ok := strings.CutPrefix(dep, prefix)
			if ok && !strings.Contains(svc, "/") && svc != "internal" && !slices.Contains(linked[name], svc) {
				linked[name] = append(linked[name], svc)
			}
		}
	}
	return linked
}
