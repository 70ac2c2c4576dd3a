package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/practice"
	"github.com/intercultural-cities/backoffice/shared/report"
)

// The contract of the analytical reports and of the good-practice catalogue
// they quote (openapi/reports.yaml, good-practices.yaml).

// The reports' and the catalogue's routes.
const (
	reportsPath         = "/cities/{cityId}/reports"
	reportPath          = "/cities/{cityId}/reports/{reportId}"
	commentaryPath      = "/admin/cities/{cityId}/reports/{reportId}/commentary"
	publishPath         = "/admin/cities/{cityId}/reports/{reportId}/publish"
	draftsPath          = "/admin/reports"
	publicPracticesPath = "/good-practices"
	practicesPath       = "/admin/good-practices"
	practicePath        = "/admin/good-practices/{practiceId}"
)

// reportEntry is what the tests read of a report in a list.
type reportEntry struct {
	ReportID, CityID, CityName, SubmissionID, Status string
	CreatedAt                                        time.Time
	PublishedAt                                      *time.Time
	DocumentsReady                                   bool
	Commentary                                       struct {
		Introduction index.Text
		Areas        map[string]index.Text
	}
	Links struct{ Self, HTML, PDF string }
}

// reportModel is what the tests read of a report's model.
type reportModel struct {
	Lang, CityID, SubmissionID, Title string
	Date                              time.Time
	Introduction                      *struct {
		Lang       string
		Paragraphs []string
	}
	Areas []struct {
		ID         string
		Commentary *struct{ Lang string }
		Practices  []struct{ ID, City string }
	}
	Progress *struct{ PreviousSubmission string }
}

// reports reads the city's reports as the caller with token.
func (c contract) reports(ct city, token string) []reportEntry {
	c.t.Helper()
	a := c.expect(http.StatusOK, http.MethodGet, reportsPath, ct.url(reportsPath), token, "")
	var l struct {
		CityID  string
		Reports []reportEntry
	}
	if err := json.Unmarshal(a.body, &l); err != nil || l.CityID != ct.id {
		c.t.Fatalf("GET %s: %v: %s", ct.url(reportsPath), err, a.body)
	}
	return l.Reports
}

// drafts reads the drafts awaiting the secretariat.
func (c contract) drafts() []reportEntry {
	c.t.Helper()
	a := c.expect(http.StatusOK, http.MethodGet, draftsPath, draftsPath, c.admin, "")
	var l struct{ Reports []reportEntry }
	if err := json.Unmarshal(a.body, &l); err != nil {
		c.t.Fatal(err)
	}
	return l.Reports
}

// draftOf returns the city's newest report, which must be a draft.
func (c contract) draftOf(ct city) reportEntry {
	c.t.Helper()
	l := c.reports(ct, c.admin)
	if len(l) == 0 || l[0].Status != membership.ReportDraft {
		c.t.Fatalf("city %s has no draft report: %+v", ct.id, l)
	}
	return l[0]
}

// publishDraft publishes the city's newest draft report, as the secretariat
// does to report the city's INDEX, and keeps its id in ct.report.
func (c contract) publishDraft(ct city) reportEntry {
	c.t.Helper()
	ct.report = c.draftOf(ct).ReportID
	a := c.expect(http.StatusOK, http.MethodPost, publishPath, ct.url(publishPath), c.admin, "")
	var r reportEntry
	if err := json.Unmarshal(a.body, &r); err != nil || r.Status != membership.ReportPublished || r.ReportID != ct.report {
		c.t.Fatalf("POST %s: %v: %s", ct.url(publishPath), err, a.body)
	}
	return r
}

// applyIn applies with the documented application under another name, in a
// language, and returns the city with the token its access link carries.
func (c contract) applyIn(name, lang, country string) city {
	c.t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@contract.example"
	app := roundTrip(c.t, c.doc.Components.Schemas["Application"].Value.Example).(map[string]any)
	app["cityName"], app["language"], app["country"] = name, lang, country
	app["contact"] = map[string]any{"name": "Contact", "email": email}
	a := c.expect(http.StatusCreated, http.MethodPost, "/applications", "/applications", "", string(roundTripBytes(c.t, app)))
	var r struct{ CityID string }
	if err := json.Unmarshal(a.body, &r); err != nil {
		c.t.Fatal(err)
	}
	c.s.Drain()
	return city{id: r.CityID, token: c.s.TokenFromMail(email)}
}

// racing is the reports function's store, but for one change made, once,
// in the middle of a handler's work: when the handler reads the report's
// submission (a commentary does, between reading the report and writing
// it), or once the city is read for the handler's change (a publication).
type racing struct {
	httpapi.Store
	armed                  atomic.Bool
	onSubmission, inUpdate func()
}

func (s *racing) Submission(ctx context.Context, cityID, id string) (index.Submission, error) {
	if s.onSubmission != nil && s.armed.CompareAndSwap(true, false) {
		s.onSubmission()
	}
	return s.Store.Submission(ctx, cityID, id)
}

func (s *racing) UpdateCity(ctx context.Context, id string, idem *idempotency.Record,
	step func(membership.City) (membership.Change, error)) (membership.Change, error) {
	return s.Store.UpdateCity(ctx, id, idem, func(c membership.City) (membership.Change, error) {
		if s.inUpdate != nil && s.armed.CompareAndSwap(true, false) {
			s.inUpdate()
		}
		return step(c)
	})
}

// race runs the request on the reports function with its store racing.
func (c contract) race(s *racing, want int, method, route, url, body string) answer {
	c.t.Helper()
	return c.raceOn("reports", s, want, method, route, url, body)
}

// raceOn runs the request on a function with its store racing.
func (c contract) raceOn(function string, s *racing, want int, method, route, url, body string) answer {
	c.t.Helper()
	api := c.s.API(function)
	s.Store = api.Store
	s.armed.Store(true)
	api.Store = s
	defer func() { api.Store = s.Store }()
	a := c.expect(want, method, route, url, c.admin, body)
	if s.armed.Load() {
		c.t.Errorf("%s %s: the race did not happen", method, url)
	}
	return a
}

// do sends a request from inside a race, outside the contract's checks.
func (c contract) do(method, url, body string) int {
	req, _ := http.NewRequest(method, c.s.URL+url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestContractAnalyticalReports follows a city's reports from the scoring
// of its INDEX to their publication, in English and in French, and sends
// what each route refuses: a draft is the secretariat's alone; the
// commentary is written, refused, raced; publishing is the index_reported
// step, once; the published report is served as archived, in every format;
// a re-assessment makes a second report.
func TestContractAnalyticalReports(t *testing.T) {
	c := newContract(t)
	other := c.apply("Contract Report Other")
	ct := c.apply("Contract Report")
	c.submitIndex(ct)
	c.s.Drain()

	// Scored: a draft, the secretariat's alone; the city is still
	// index_submitted, and publishing is its next step.
	f := c.getCity(ct, theCity, membership.StatusIndexSubmitted)
	if !slices.Contains(f.NextSteps, membership.StepReportIndex) || !strings.Contains(string(f.Timeline[len(f.Timeline)-1]), `"type":"index_scored"`) {
		t.Errorf("the city's file once scored: %v, %s", f.NextSteps, f.Timeline[len(f.Timeline)-1])
	}
	if l := c.reports(ct, ct.token); len(l) != 0 {
		t.Fatalf("the city sees its draft: %+v", l)
	}
	draft := c.draftOf(ct)
	ct.report = draft.ReportID
	self := "/cities/" + ct.id + "/reports/" + ct.report
	if draft.CityName != "Contract Report" || draft.PublishedAt != nil || draft.DocumentsReady || draft.Links.Self != self ||
		draft.Links.PDF != self+"?format=pdf" || draft.Links.HTML != self+"?format=html" {
		t.Errorf("the draft: %+v", draft)
	}
	if d := c.drafts(); !slices.ContainsFunc(d, func(r reportEntry) bool { return r.ReportID == ct.report }) {
		t.Errorf("the drafts to review do not list it: %+v", d)
	}
	c.run(http.MethodGet, draftsPath, ct, []exchange{
		{name: "anonymous", status: 401},
		{name: "a city", as: theCity, status: 403},
	})
	c.run(http.MethodGet, reportsPath, ct, []exchange{
		{name: "anonymous", status: 401},
		{name: "an unknown token", as: unknownToken, status: 401},
		{name: "another city", token: other.token, status: 403},
		{name: "no such city", as: secretariat, url: "/cities/" + missing + "/reports", status: 404},
		{name: "a malformed city id", as: secretariat, url: "/cities/" + malformed + "/reports", status: 400, pointer: "path/cityId"},
	})

	// The draft, to the secretariat, as it stands today, in every format.
	for _, tt := range []struct {
		name, query string
		headers     []string
		ct          string
	}{
		{"the model", "", nil, "application/json"},
		{"the page by Accept", "", []string{"Accept", "text/html"}, "text/html; charset=utf-8"},
		{"the PDF by link", "?format=pdf", nil, "application/pdf"},
		{"the PDF preferred by quality", "", []string{"Accept", "text/html;q=0.5, application/pdf"}, "application/pdf"},
		{"the model for a media type not served", "", []string{"Accept", "application/xml"}, "application/json"},
		{"the model by link, whatever Accept says", "?format=json", []string{"Accept", "application/pdf"}, "application/json"},
		{"the model for an empty format", "?format=", nil, "application/json"},
	} {
		a := c.expect(http.StatusOK, http.MethodGet, reportPath, ct.url(reportPath)+tt.query, c.admin, "", tt.headers...)
		if a.hdr.Get("Content-Type") != tt.ct || a.hdr.Get("Cache-Control") != "no-store" || a.hdr.Get("Vary") != "Accept" {
			t.Errorf("the draft, %s: %s, Cache-Control %q, Vary %q", tt.name, a.hdr.Get("Content-Type"), a.hdr.Get("Cache-Control"), a.hdr.Get("Vary"))
		}
	}
	c.run(http.MethodGet, reportPath, ct, []exchange{
		{name: "the draft, to the city", as: theCity, status: 404},
		{name: "the draft's PDF, to the city", as: theCity, url: ct.url(reportPath) + "?format=pdf", status: 404},
		{name: "an unknown format", as: secretariat, url: ct.url(reportPath) + "?format=docx", status: 400, pointer: "query/format"},
		{name: "a malformed report id", as: secretariat, url: ct.url(reportsPath) + "/2026", status: 400, pointer: "path/reportId"},
		{name: "a malformed city id", as: secretariat, url: "/cities/" + malformed + "/reports/" + ct.report, status: 400, pointer: "path/cityId"},
		{name: "no such report", as: secretariat, url: ct.url(reportsPath) + "/" + missing, status: 404},
		{name: "the report through another city's path", as: secretariat, url: other.url(reportsPath) + "/" + ct.report, status: 404},
		{name: "another city's token", token: other.token, status: 403},
		{name: "anonymous", status: 401},
		{name: "an unknown token", as: unknownToken, status: 401},
	})

	// The commentary: the documented one is kept and shows in the draft.
	english := c.requestExamples(http.MethodPut, commentaryPath)["english"]
	a := c.expect(http.StatusOK, http.MethodPut, commentaryPath, ct.url(commentaryPath), c.admin, english)
	var commented reportEntry
	if err := json.Unmarshal(a.body, &commented); err != nil || commented.Status != membership.ReportDraft ||
		!strings.HasPrefix(commented.Commentary.Introduction.EN, "Rheinstadt answered") || commented.Commentary.Areas["education"].EN == "" {
		t.Errorf("PUT commentary: %v: %s", err, a.body)
	}
	var m reportModel
	if err := json.Unmarshal(c.expect(http.StatusOK, http.MethodGet, reportPath, ct.url(reportPath), c.admin, "").body, &m); err != nil ||
		m.Introduction == nil || m.Introduction.Lang != "en" || !strings.HasPrefix(m.Introduction.Paragraphs[0], "Rheinstadt answered") {
		t.Errorf("the draft's model after the commentary: %v, %+v", err, m.Introduction)
	}
	c.run(http.MethodPut, commentaryPath, ct, []exchange{
		{name: "anonymous", body: english, status: 401},
		{name: "an unknown token", as: unknownToken, body: english, status: 401},
		{name: "the city's own token", as: theCity, body: english, status: 403},
		{name: "no such report", as: secretariat, url: ct.url("/admin/cities/{cityId}/reports/" + missing + "/commentary"), body: english, status: 404},
		{name: "no such city", as: secretariat, url: "/admin/cities/" + missing + "/reports/" + ct.report + "/commentary", body: english, status: 404},
		{name: "a malformed city id", as: secretariat, url: "/admin/cities/" + malformed + "/reports/" + ct.report + "/commentary", body: english, status: 400, pointer: "path/cityId"},
		{name: "a malformed report id", as: secretariat, url: ct.url("/admin/cities/{cityId}/reports/latest/commentary"), body: english, status: 400, pointer: "path/reportId"},
		{name: "an empty body", as: secretariat, status: 400, pointer: "/"},
		{name: "not JSON", as: secretariat, body: "introduction=x", headers: []string{"Content-Type", "text/plain"}, status: 400, pointer: "header/Content-Type"},
		{name: "an unknown field", as: secretariat, body: `{"conclusion":{"en":"x"}}`, status: 400, pointer: "/conclusion"},
		{name: "a language the commentary does not have", as: secretariat, body: `{"introduction":{"de":"Gut."}}`, status: 400, pointer: "/introduction/de"},
		{name: "every field wrong", as: secretariat, status: 400, pointer: "/introduction", errors: 4,
			body: `{"introduction":{"en":"","fr":""},"areas":{"education":{"en":"` + strings.Repeat("é", 4001) + `"},"schools":{"en":"x"},"welcoming":{"fr":"  "}}}`},
		{name: "an area as a string", as: secretariat, body: `{"areas":{"education":"Good."}}`, status: 400, pointer: "/areas/education"},
		{name: "too large", as: secretariat, body: `{"introduction":{"en":"` + strings.Repeat("x", httpapi.MaxBody) + `"}}`, status: 413, pointer: "/"},
	})
	// Another commentary written while this one was: 409, and the other
	// one stays.
	bilingual := c.requestExamples(http.MethodPut, commentaryPath)["bilingual"]
	a = c.race(&racing{onSubmission: func() {
		if status := c.do(http.MethodPut, ct.url(commentaryPath), english); status != http.StatusOK {
			t.Errorf("the commentary racing: %d", status)
		}
	}}, http.StatusConflict, http.MethodPut, commentaryPath, ct.url(commentaryPath), bilingual)
	if !strings.Contains(string(a.body), "changed meanwhile") {
		t.Errorf("a commentary that lost the race: %s", a.body)
	}
	if d := c.draftOf(ct); !strings.HasPrefix(d.Commentary.Introduction.EN, "Rheinstadt answered") || d.Commentary.Introduction.FR != "" {
		t.Errorf("after the race, the commentary is %+v", d.Commentary)
	}

	// Publishing: refused requests publish nothing; then the city's INDEX is
	// reported, once, however often it is asked.
	c.run(http.MethodPost, publishPath, ct, []exchange{
		{name: "anonymous", status: 401},
		{name: "an unknown token", as: unknownToken, status: 401},
		{name: "the city's own token", as: theCity, status: 403},
		{name: "no such report", as: secretariat, url: ct.url("/admin/cities/{cityId}/reports/" + missing + "/publish"), status: 404},
		{name: "a malformed city id", as: secretariat, url: "/admin/cities/" + malformed + "/reports/" + ct.report + "/publish", status: 400, pointer: "path/cityId"},
		{name: "a malformed report id", as: secretariat, url: ct.url("/admin/cities/{cityId}/reports/latest/publish"), status: 400, pointer: "path/reportId"},
		{name: "a form body", as: secretariat, body: "now=1", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 400, pointer: "header/Content-Type"},
		{name: "too large", as: secretariat, body: `{"note":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
	})
	// A step recorded on the city while the report is being published:
	// 409, and nothing is published.
	signed := c.race(&racing{inUpdate: func() {
		if status := c.do(http.MethodPost, ct.url(intentPath), c.example(intentPath, "")); status != http.StatusOK {
			t.Errorf("the statement of intent racing: %d", status)
		}
	}}, http.StatusConflict, http.MethodPost, publishPath, ct.url(publishPath), "")
	if !strings.Contains(string(signed.body), "changed while this step was being recorded") || c.draftOf(ct).ReportID != ct.report {
		t.Errorf("a publication that lost the race: %s", signed.body)
	}
	first := c.expect(http.StatusOK, http.MethodPost, publishPath, ct.url(publishPath), c.admin, "")
	again := c.expect(http.StatusOK, http.MethodPost, publishPath, ct.url(publishPath), c.admin, `{}`)
	var p1, p2 reportEntry
	_ = json.Unmarshal(first.body, &p1)
	_ = json.Unmarshal(again.body, &p2)
	if p1.Status != membership.ReportPublished || p1.PublishedAt == nil || p2.PublishedAt == nil || !p2.PublishedAt.Equal(*p1.PublishedAt) ||
		p1.DocumentsReady {
		t.Errorf("published twice: %s then %s", first.body, again.body)
	}
	f = c.getCity(ct, theCity, membership.StatusIndexReported)
	reported := 0
	for _, e := range f.Timeline {
		if strings.Contains(string(e), `"type":"index_reported"`) {
			reported++
		}
	}
	if reported != 1 || !strings.Contains(string(f.Timeline[len(f.Timeline)-1]), ct.report+" published") {
		t.Errorf("%d index_reported entries; the last: %s", reported, f.Timeline[len(f.Timeline)-1])
	}
	c.expect(http.StatusConflict, http.MethodPut, commentaryPath, ct.url(commentaryPath), c.admin, english)
	// Before the archive has them, the documents are rendered from the
	// frozen model: the bytes the archive will keep.
	early := map[string][]byte{}
	for _, format := range []string{"json", "html", "pdf"} {
		a := c.expect(http.StatusOK, http.MethodGet, reportPath, ct.url(reportPath)+"?format="+format, ct.token, "")
		if a.hdr.Get("Cache-Control") != "private, max-age=31536000, immutable" {
			t.Errorf("the published %s before it is archived: Cache-Control %q", format, a.hdr.Get("Cache-Control"))
		}
		early[format] = a.body
	}

	// Published: the city reads it as archived, in every format, for good.
	c.s.Drain()
	for format, body := range early {
		if archived := c.stored("reports/" + ct.id + "/" + ct.report + "." + format); !bytes.Equal(body, archived) {
			t.Errorf("the %s served before the archive had it (%d bytes) is not the one archived (%d bytes)", format, len(body), len(archived))
		}
	}
	l := c.reports(ct, ct.token)
	if len(l) != 1 || l[0].ReportID != ct.report || l[0].Status != membership.ReportPublished || !l[0].DocumentsReady {
		t.Fatalf("the city's reports once published: %+v", l)
	}
	base := "reports/" + ct.id + "/" + ct.report
	for _, tt := range []struct {
		name, query string
		headers     []string
		key         string
	}{
		{"the model", "", nil, base + ".json"},
		{"the model by link", "?format=json", nil, base + ".json"},
		{"the page by Accept", "", []string{"Accept", "text/html"}, base + ".html"},
		{"the page by link", "?format=html", nil, base + ".html"},
		{"the PDF by Accept", "", []string{"Accept", "application/pdf"}, base + ".pdf"},
		{"the PDF by link", "?format=pdf", []string{"Accept", "text/html"}, base + ".pdf"},
	} {
		for _, token := range []string{ct.token, c.admin} {
			a := c.expect(http.StatusOK, http.MethodGet, reportPath, ct.url(reportPath)+tt.query, token, "", tt.headers...)
			if !bytes.Equal(a.body, c.stored(tt.key)) || a.hdr.Get("Cache-Control") != "private, max-age=31536000, immutable" ||
				a.hdr.Get("Vary") != "Accept" {
				t.Errorf("the published report, %s: %d bytes, Cache-Control %q, Vary %q; want the %s archived", tt.name, len(a.body),
					a.hdr.Get("Cache-Control"), a.hdr.Get("Vary"), tt.key)
			}
		}
	}
	c.run(http.MethodGet, reportPath, ct, []exchange{
		{name: "the published report through another city's path", token: other.token, url: other.url(reportsPath) + "/" + ct.report, status: 404},
		{name: "the published report to another city", token: other.token, status: 403},
	})

	// A re-assessment: a second draft, the first report unchanged;
	// publishing it changes no status, and it says what progressed.
	c.submitIndex(ct)
	c.s.Drain()
	if l := c.reports(ct, ct.token); len(l) != 1 {
		t.Errorf("the city sees the re-assessment's draft: %+v", l)
	}
	second := c.publishDraft(ct)
	ct.report = second.ReportID
	if err := json.Unmarshal(c.expect(http.StatusOK, http.MethodGet, reportPath, ct.url(reportPath), ct.token, "").body, &m); err != nil ||
		m.Progress == nil || m.Progress.PreviousSubmission != draft.SubmissionID {
		t.Errorf("the re-assessment's report: %v, progress %+v", err, m.Progress)
	}
	f = c.getCity(ct, secretariat, membership.StatusIndexReported)
	if !strings.Contains(string(f.Timeline[len(f.Timeline)-1]), `"type":"report_published"`) {
		t.Errorf("the re-assessment's publication: %s", f.Timeline[len(f.Timeline)-1])
	}
	if l := c.reports(ct, ct.token); len(l) != 2 || l[0].ReportID != second.ReportID || l[1].ReportID != draft.ReportID {
		t.Errorf("the city's reports, newest first: %+v", l)
	}

	// In French: a French city's report is in French, the commentary in
	// the language it has.
	fr := c.applyIn("Contract Rapport", "fr", "FR")
	c.submitIndex(fr)
	c.s.Drain()
	fr.report = c.draftOf(fr).ReportID
	c.expect(http.StatusOK, http.MethodPut, commentaryPath, fr.url(commentaryPath), c.admin, bilingual)
	c.publishDraft(fr)
	if err := json.Unmarshal(c.expect(http.StatusOK, http.MethodGet, reportPath, fr.url(reportPath), fr.token, "").body, &m); err != nil ||
		m.Lang != "fr" || !strings.Contains(m.Title, "résultats de l'INDEX") || m.Introduction == nil || m.Introduction.Lang != "fr" ||
		len(m.Introduction.Paragraphs) != 2 {
		t.Errorf("the French report: %v, %q, %+v", err, m.Title, m.Introduction)
	}
	for _, area := range m.Areas {
		if area.ID == "public-space" && (area.Commentary == nil || area.Commentary.Lang != "fr") {
			t.Errorf("the French report's comment on public space: %+v", area.Commentary)
		}
	}
	if d := c.drafts(); len(d) != 0 {
		t.Errorf("drafts left once every report is published: %+v", d)
	}
}

// TestContractGoodPractices keeps the catalogue: practices added once per
// key, published and taken back, read by the secretariat whole and by the
// public when published, quoted by the reports of other cities; and sends
// what each route refuses.
func TestContractGoodPractices(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Practices")
	none := c.expect(http.StatusOK, http.MethodGet, publicPracticesPath, publicPracticesPath, "", "")
	if none.hdr.Get("Cache-Control") != "public, max-age=300" || !strings.Contains(string(none.body), `"practices":[]`) {
		t.Errorf("the empty public catalogue: Cache-Control %q, %s", none.hdr.Get("Cache-Control"), none.body)
	}

	// Added once per key, whatever the retries.
	published, draft := c.example(practicesPath, "published"), c.example(practicesPath, "draft")
	first := c.expect(http.StatusCreated, http.MethodPost, practicesPath, practicesPath, c.admin, published, "Idempotency-Key", "contract-practice")
	var p practice.Practice
	if err := json.Unmarshal(first.body, &p); err != nil || p.ID == "" || first.hdr.Get("Location") != "/admin/good-practices/"+p.ID ||
		!p.Published || p.Title.FR != "Tutorat en langue maternelle dans chaque école" {
		t.Fatalf("POST %s: %v, Location %q: %s", practicesPath, err, first.hdr.Get("Location"), first.body)
	}
	c.replay(first, http.MethodPost, practicesPath, practicesPath, c.admin, published, "contract-practice")
	d := c.expect(http.StatusCreated, http.MethodPost, practicesPath, practicesPath, c.admin, draft)
	var q practice.Practice
	_ = json.Unmarshal(d.body, &q)
	ct.practice = q.ID
	c.run(http.MethodPost, practicesPath, ct, []exchange{
		{name: "its key with another body", as: secretariat, body: draft, headers: []string{"Idempotency-Key", "contract-practice"}, status: 422},
		{name: "a bad key", as: secretariat, body: draft, headers: []string{"Idempotency-Key", "clé"}, status: 400, pointer: "header/Idempotency-Key"},
		{name: "anonymous", body: draft, status: 401},
		{name: "an unknown token", as: unknownToken, body: draft, status: 401},
		{name: "a city", as: theCity, body: draft, status: 403},
		{name: "an empty body", as: secretariat, status: 400, pointer: "/"},
		{name: "not JSON", as: secretariat, body: "title=x", headers: []string{"Content-Type", "text/plain"}, status: 400, pointer: "header/Content-Type"},
		{name: "an unknown field", as: secretariat, body: strings.Replace(draft, "{", `{"score":90,`, 1), status: 400, pointer: "/score"},
		{name: "every field wrong", as: secretariat, status: 400, pointer: "/cityId", errors: 10,
			body: `{"cityId":"a b","cityName":"","country":"UK","area":"schools","title":{"en":"ab"},"summary":{"en":"short","fr":"court"},"year":1900,"link":"http://x.example"}`},
		{name: "a year as a string", as: secretariat, body: strings.Replace(draft, `"year":2022`, `"year":"2022"`, 1), status: 400, pointer: "/year"},
		{name: "too large", as: secretariat, body: `{"cityName":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
	})
	var all struct{ Practices []practice.Practice }
	if err := json.Unmarshal(c.expect(http.StatusOK, http.MethodGet, practicesPath, practicesPath, c.admin, "").body, &all); err != nil ||
		len(all.Practices) != 2 {
		t.Fatalf("the catalogue holds %d practices, want the published one (once) and the draft: %+v", len(all.Practices), all.Practices)
	}
	c.run(http.MethodGet, practicesPath, ct, []exchange{
		{name: "one area", as: secretariat, url: practicesPath + "?area=welcoming", status: 200},
		{name: "an area the INDEX does not have", as: secretariat, url: practicesPath + "?area=schools", status: 400, pointer: "query/area"},
		{name: "anonymous", status: 401},
		{name: "a city", as: theCity, status: 403},
	})

	// Public once published, in either language; the draft is not.
	public := func(query string) []struct{ ID, Title string } {
		t.Helper()
		a := c.expect(http.StatusOK, http.MethodGet, publicPracticesPath, publicPracticesPath+query, "", "")
		var l struct {
			Lang      string
			Practices []struct{ ID, Title string }
		}
		if err := json.Unmarshal(a.body, &l); err != nil || a.hdr.Get("Cache-Control") != "public, max-age=300" {
			t.Fatalf("GET %s%s: %v, Cache-Control %q", publicPracticesPath, query, err, a.hdr.Get("Cache-Control"))
		}
		return l.Practices
	}
	if l := public(""); len(l) != 1 || l[0].ID != p.ID || l[0].Title != p.Title.EN {
		t.Errorf("the public catalogue: %+v", l)
	}
	if l := public("?lang=fr&area=education"); len(l) != 1 || l[0].Title != p.Title.FR {
		t.Errorf("the public catalogue in French: %+v", l)
	}
	if l := public("?area=welcoming"); len(l) != 0 {
		t.Errorf("the draft is public: %+v", l)
	}
	c.run(http.MethodGet, publicPracticesPath, ct, []exchange{
		{name: "an area the INDEX does not have", url: publicPracticesPath + "?area=schools", status: 400, pointer: "query/area"},
		{name: "a language it is not written in", url: publicPracticesPath + "?lang=de", status: 400, pointer: "query/lang"},
	})

	// Published by PUT; refused PUTs change nothing.
	publish := c.requestExamples(http.MethodPut, practicePath)["publish"]
	publish = strings.Replace(publish, `"hh7566tfjgvq6kbnxjbtfqxkwo"`, `"`+q.ID+`"`, 1)
	c.run(http.MethodPut, practicePath, ct, []exchange{
		{name: "anonymous", body: publish, status: 401},
		{name: "an unknown token", as: unknownToken, body: publish, status: 401},
		{name: "a city", as: theCity, body: publish, status: 403},
		{name: "no such practice", as: secretariat, url: "/admin/good-practices/" + missing, body: publish, status: 404},
		{name: "a malformed practice id", as: secretariat, url: "/admin/good-practices/welcome-pack", body: publish, status: 400, pointer: "path/practiceId"},
		{name: "another practice's id", as: secretariat, url: "/admin/good-practices/" + p.ID, body: publish, status: 400, pointer: "/id", errors: 1},
		{name: "no title in French", as: secretariat, body: strings.Replace(publish, `"fr":"Un kit`, `"de":"Un kit`, 1), status: 400, pointer: "/title/de"},
		{name: "a year to come", as: secretariat, body: strings.Replace(publish, `"year":2022`, fmt.Sprintf(`"year":%d`, examplesNow.Year()+1), 1), status: 400, pointer: "/year", errors: 1},
		{name: "an empty body", as: secretariat, status: 400, pointer: "/"},
		{name: "too large", as: secretariat, body: `{"cityName":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
	})
	a := c.expect(http.StatusOK, http.MethodPut, practicePath, ct.url(practicePath), c.admin, publish)
	if err := json.Unmarshal(a.body, &q); err != nil || !q.Published || q.Link == "" {
		t.Errorf("PUT %s: %v: %s", ct.url(practicePath), err, a.body)
	}
	if l := public("?area=welcoming"); len(l) != 1 || l[0].ID != q.ID {
		t.Errorf("the practice published: %+v", l)
	}
	// Without its id: the path's.
	c.expect(http.StatusOK, http.MethodPut, practicePath, ct.url(practicePath), c.admin,
		strings.Replace(publish, `"id":"`+q.ID+`",`, "", 1))

	// Quoted by another city's report, never by its own city's.
	c.submitIndex(ct)
	c.s.Drain()
	ct.report = c.draftOf(ct).ReportID
	var m reportModel
	if err := json.Unmarshal(c.expect(http.StatusOK, http.MethodGet, reportPath, ct.url(reportPath), c.admin, "").body, &m); err != nil {
		t.Fatal(err)
	}
	quoted := map[string]bool{}
	for _, area := range m.Areas {
		for _, pr := range area.Practices {
			quoted[pr.ID] = true
		}
	}
	if !quoted[p.ID] || !quoted[q.ID] {
		t.Errorf("the report quotes %v, want both published practices", slices.Sorted(maps.Keys(quoted)))
	}
}

// TestContractReportSchemasAgreeWithTheHandlers sends variants of the
// documented commentary to a draft report (200 valid, 400 invalid) and of
// the documented practice to the catalogue (201 or 200 valid, 400 invalid):
// the documented schemas must accept exactly the valid ones, but for what
// JSON Schema cannot check.
func TestContractReportSchemasAgreeWithTheHandlers(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Schema Report")
	c.submitIndex(ct)
	c.s.Drain()
	ct.report = c.draftOf(ct).ReportID
	added := c.expect(http.StatusCreated, http.MethodPost, practicesPath, practicesPath, c.admin, c.example(practicesPath, "draft"))
	var stored practice.Practice
	_ = json.Unmarshal(added.body, &stored)
	ct.practice = stored.ID

	objectOf := func(s string) map[string]any { return jsonValue(t, []byte(s)).(map[string]any) }
	with := func(base string, kv ...any) string {
		m := objectOf(base)
		for i := 0; i+1 < len(kv); i += 2 {
			m = withField(m, kv[i].(string), kv[i+1])
		}
		return string(roundTripBytes(t, m))
	}
	text := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	areas := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	commentary := c.requestExamples(http.MethodPut, commentaryPath)["english"]
	pr := c.example(practicesPath, "published")
	title := objectOf(pr)["title"].(map[string]any)
	summary := objectOf(pr)["summary"].(map[string]any)
	in := func(m map[string]any, k string, v any) map[string]any { return withField(m, k, v) }
	const (
		nullAbsent  = "encoding/json reads null as absent"
		trimmed     = "the server counts a text's length without its surrounding spaces, which JSON Schema cannot trim"
		thisYear    = "JSON Schema does not know this year; the year's description says the server checks it"
		bytesNotRun = "the server counts a city id's length in bytes, JSON Schema in characters; the description says bytes"
		thePath     = "JSON Schema cannot compare the body's id with the path's; the id's description says it must be the path's"
	)
	year := examplesNow.Year()
	valid := map[string]int{}
	for _, tt := range []struct {
		method, path, name, body string
		known                    string
	}{
		{http.MethodPut, commentaryPath, "the example", commentary, ""},
		{http.MethodPut, commentaryPath, "the bilingual example", c.requestExamples(http.MethodPut, commentaryPath)["bilingual"], ""},
		{http.MethodPut, commentaryPath, "the empty example", `{}`, ""},
		{http.MethodPut, commentaryPath, "an introduction in French", `{"introduction":{"fr":"Bienvenue."}}`, ""},
		{http.MethodPut, commentaryPath, "an introduction with an empty English", `{"introduction":{"en":"","fr":"Bienvenue."}}`, ""},
		{http.MethodPut, commentaryPath, "an empty introduction", `{"introduction":{}}`, ""},
		{http.MethodPut, commentaryPath, "an introduction in neither language", `{"introduction":{"en":"","fr":""}}`, ""},
		{http.MethodPut, commentaryPath, "a null introduction", `{"introduction":null}`, nullAbsent},
		{http.MethodPut, commentaryPath, "a blank introduction", `{"introduction":{"en":" \u00a0\n"}}`, ""},
		{http.MethodPut, commentaryPath, "paragraphs and tabs", `{"introduction":{"en":"One.\n\n\tTwo."}}`, ""},
		{http.MethodPut, commentaryPath, "a carriage return", `{"introduction":{"en":"One.\r\nTwo."}}`, ""},
		{http.MethodPut, commentaryPath, "a bell", `{"introduction":{"en":"Ding\u0007"}}`, ""},
		{http.MethodPut, commentaryPath, "4000 letters", with(`{}`, "introduction", text("en", strings.Repeat("é", 4000))), ""},
		{http.MethodPut, commentaryPath, "4001 letters", with(`{}`, "introduction", text("fr", strings.Repeat("é", 4001))), ""},
		{http.MethodPut, commentaryPath, "a language of its own", `{"introduction":{"de":"Gut."}}`, ""},
		{http.MethodPut, commentaryPath, "an introduction as a string", `{"introduction":"Welcome."}`, ""},
		{http.MethodPut, commentaryPath, "every area", with(`{}`, "areas", func() map[string]any {
			m := map[string]any{}
			for _, a := range index.Current().Areas {
				m[a.ID] = text("en", "Comment on "+a.ID+".")
			}
			return m
		}()), ""},
		{http.MethodPut, commentaryPath, "an optional area", with(`{}`, "areas", areas("interaction", text("fr", "Bien."))), ""},
		{http.MethodPut, commentaryPath, "an area the INDEX does not have", with(`{}`, "areas", areas("schools", text("en", "Good."))), ""},
		{http.MethodPut, commentaryPath, "an area in capitals", with(`{}`, "areas", areas("Education", text("en", "Good."))), ""},
		{http.MethodPut, commentaryPath, "an area in neither language", with(`{}`, "areas", areas("education", text())), ""},
		{http.MethodPut, commentaryPath, "a null area", with(`{}`, "areas", areas("education", nil)), ""},
		{http.MethodPut, commentaryPath, "an area as a string", with(`{}`, "areas", areas("education", "Good.")), ""},
		{http.MethodPut, commentaryPath, "null areas", `{"areas":null}`, nullAbsent},
		{http.MethodPut, commentaryPath, "areas as a list", `{"areas":[]}`, ""},
		{http.MethodPut, commentaryPath, "an array", `[]`, ""},

		{http.MethodPost, practicesPath, "the example", pr, ""},
		{http.MethodPost, practicesPath, "the draft example", c.example(practicesPath, "draft"), ""},
		{http.MethodPost, practicesPath, "an id of its own, ignored", with(pr, "id", "mine"), ""},
		{http.MethodPost, practicesPath, "an id as a number", with(pr, "id", 7), ""},
		{http.MethodPost, practicesPath, "a city outside the back office", with(pr, "cityId", "SE-0127"), ""},
		{http.MethodPost, practicesPath, "no city id", with(pr, "cityId", nil), ""},
		{http.MethodPost, practicesPath, "a city id with a space", with(pr, "cityId", "SE 0127"), ""},
		{http.MethodPost, practicesPath, "64 characters of city id", with(pr, "cityId", strings.Repeat("a", 64)), ""},
		{http.MethodPost, practicesPath, "65 characters of city id", with(pr, "cityId", strings.Repeat("a", 65)), ""},
		{http.MethodPost, practicesPath, "40 accented letters of city id", with(pr, "cityId", strings.Repeat("é", 40)), bytesNotRun},
		{http.MethodPost, practicesPath, "a blank city name", with(pr, "cityName", " "), ""},
		{http.MethodPost, practicesPath, "a city name on two lines", with(pr, "cityName", "Botkyrka\nkommun"), ""},
		{http.MethodPost, practicesPath, "a city name with a tab", with(pr, "cityName", "Botkyrka\tkommun"), ""},
		{http.MethodPost, practicesPath, "120 letters of city name", with(pr, "cityName", strings.Repeat("é", 120)), ""},
		{http.MethodPost, practicesPath, "121 letters of city name", with(pr, "cityName", strings.Repeat("é", 121)), ""},
		{http.MethodPost, practicesPath, "120 letters of city name in spaces", with(pr, "cityName", " "+strings.Repeat("é", 120)+" "), trimmed},
		{http.MethodPost, practicesPath, "a country in lower case", with(pr, "country", "se"), ""},
		{http.MethodPost, practicesPath, "an unassigned country", with(pr, "country", "XX"), ""},
		{http.MethodPost, practicesPath, "an optional area", with(pr, "area", "interaction"), ""},
		{http.MethodPost, practicesPath, "an area the INDEX does not have", with(pr, "area", "schools"), ""},
		{http.MethodPost, practicesPath, "no area", with(pr, "area", nil), ""},
		{http.MethodPost, practicesPath, "a title in English only", with(pr, "title", text("en", "Mother-tongue tutoring")), ""},
		{http.MethodPost, practicesPath, "a title of three letters", with(pr, "title", in(title, "en", "Abc")), ""},
		{http.MethodPost, practicesPath, "a title of two letters", with(pr, "title", in(title, "en", "Ab")), ""},
		{http.MethodPost, practicesPath, "a title of two letters and spaces", with(pr, "title", in(title, "en", " Ab ")), trimmed},
		{http.MethodPost, practicesPath, "160 letters of title", with(pr, "title", in(title, "fr", strings.Repeat("é", 160))), ""},
		{http.MethodPost, practicesPath, "161 letters of title", with(pr, "title", in(title, "fr", strings.Repeat("é", 161))), ""},
		{http.MethodPost, practicesPath, "a title with a tab", with(pr, "title", in(title, "en", "Mother\ttongue")), ""},
		{http.MethodPost, practicesPath, "a title in German too", with(pr, "title", in(title, "de", "Muttersprache")), ""},
		{http.MethodPost, practicesPath, "a summary of 20 letters", with(pr, "summary", in(summary, "en", strings.Repeat("a", 20))), ""},
		{http.MethodPost, practicesPath, "a summary of 19 letters", with(pr, "summary", in(summary, "en", strings.Repeat("a", 19))), ""},
		{http.MethodPost, practicesPath, "a summary in paragraphs", with(pr, "summary", in(summary, "fr", "Premier paragraphe.\n\nSecond paragraphe.")), ""},
		{http.MethodPost, practicesPath, "1200 letters of summary", with(pr, "summary", in(summary, "fr", strings.Repeat("é", 1200))), ""},
		{http.MethodPost, practicesPath, "1201 letters of summary", with(pr, "summary", in(summary, "fr", strings.Repeat("é", 1201))), ""},
		{http.MethodPost, practicesPath, "no summary", with(pr, "summary", nil), ""},
		{http.MethodPost, practicesPath, "1950", with(pr, "year", 1950), ""},
		{http.MethodPost, practicesPath, "1949", with(pr, "year", 1949), ""},
		{http.MethodPost, practicesPath, "this year", with(pr, "year", year), ""},
		{http.MethodPost, practicesPath, "next year", with(pr, "year", year+1), thisYear},
		{http.MethodPost, practicesPath, "a year and a half", with(pr, "year", 2019.5), ""},
		{http.MethodPost, practicesPath, "no year", with(pr, "year", nil), ""},
		{http.MethodPost, practicesPath, "no link", with(pr, "link", nil), ""},
		{http.MethodPost, practicesPath, "an empty link", with(pr, "link", ""), ""},
		{http.MethodPost, practicesPath, "an http link", with(pr, "link", "http://www.botkyrka.se/modersmal"), ""},
		{http.MethodPost, practicesPath, "a link with a query and a fragment", with(pr, "link", "https://www.botkyrka.se/a?lang=en#b"), ""},
		{http.MethodPost, practicesPath, "a link with a password", with(pr, "link", "https://me:secret@www.botkyrka.se/"), ""},
		{http.MethodPost, practicesPath, "a link without host", with(pr, "link", "https:///modersmal"), ""},
		{http.MethodPost, practicesPath, "a link with a line break", with(pr, "link", "https://www.botkyrka.se/\nx"), ""},
		{http.MethodPost, practicesPath, "a link of 2001 characters", with(pr, "link", "https://www.botkyrka.se/"+strings.Repeat("a", 1977)), ""},
		{http.MethodPost, practicesPath, "published as a string", with(pr, "published", "true"), ""},
		{http.MethodPost, practicesPath, "a demo", with(pr, "demo", true), ""},
		{http.MethodPost, practicesPath, "a score", with(pr, "score", 90), ""},

		{http.MethodPut, practicePath, "the example", c.requestExamples(http.MethodPut, practicePath)["publish"], thePath},
		{http.MethodPut, practicePath, "the example with the path's id", with(c.requestExamples(http.MethodPut, practicePath)["publish"], "id", stored.ID), ""},
		{http.MethodPut, practicePath, "the example without id", with(c.requestExamples(http.MethodPut, practicePath)["publish"], "id", nil), ""},
	} {
		t.Run(tt.method+" "+tt.path+" "+tt.name, func(t *testing.T) {
			schemaErr := visit(c.requestSchema(tt.method, tt.path), jsonValue(t, []byte(tt.body)), asRequest)
			accepted := map[string]int{commentaryPath: http.StatusOK, practicesPath: http.StatusCreated, practicePath: http.StatusOK}[tt.path]
			status, _, resp := c.s.Do(tt.method, ct.url(tt.path), c.admin, tt.body)
			if status != accepted && status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", status, resp)
			}
			if status == accepted {
				valid[tt.path]++
			}
			agreement{documented: schemaErr == nil, schemaErr: schemaErr, served: status == accepted, known: tt.known,
				answer: fmt.Sprintf("%d %s\nbody: %.300s", status, resp, tt.body)}.judge(t)
		})
	}
	for _, path := range []string{commentaryPath, practicesPath, practicePath} {
		if valid[path] == 0 {
			t.Errorf("no variant of %s was valid input", path)
		}
	}
}

// TestOpenAPIReportVocabulary checks the reports' and the catalogue's
// enumerations and limits in the document against the domain's.
func TestOpenAPIReportVocabulary(t *testing.T) {
	doc := loadContract(t)
	schemas := doc.Components.Schemas
	strs := func(vs []any) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = fmt.Sprint(v)
		}
		return out
	}
	var areas []string
	for _, a := range index.Current().Areas {
		areas = append(areas, a.ID)
	}
	prop := func(schema string, path ...string) *openapi3.Schema {
		s := schemas[schema].Value
		for _, p := range path {
			s = s.Properties[p].Value
		}
		return s
	}
	for _, tt := range []struct {
		what               string
		documented, domain []string
	}{
		{"ReportStatus", strs(schemas["ReportStatus"].Value.Enum), []string{membership.ReportDraft, membership.ReportPublished}},
		{"CurrentAreaId, in the questionnaire's order", strs(schemas["CurrentAreaId"].Value.Enum), areas},
		{"GroupKind", strs(schemas["GroupKind"].Value.Enum), []string{index.GroupAll, index.GroupPopulation, index.GroupForeignBorn}},
		{"a finding's level", strs(prop("ReportFinding", "level").Enum), []string{report.LevelFull, report.LevelPartial, report.LevelNone}},
	} {
		if !slices.Equal(tt.documented, tt.domain) {
			t.Errorf("%s: documented %v, the domain's %v", tt.what, tt.documented, tt.domain)
		}
	}
	if v := prop("ReportModel", "schema").Const; v != float64(report.SchemaVersion) && v != report.SchemaVersion {
		t.Errorf("ReportModel's schema is %v; the report package writes %d", v, report.SchemaVersion)
	}
	// The catalogue's limits: an allOf's second schema holds them.
	limits := func(s *openapi3.Schema) (minLen uint64, maxLen *uint64) {
		if len(s.AllOf) == 2 {
			s = s.AllOf[1].Value
		}
		return s.MinLength, s.MaxLength
	}
	for _, tt := range []struct {
		what     string
		s        *openapi3.Schema
		min, max int
	}{
		{"a practice's city id", prop("Practice", "cityId"), 1, practice.MaxPracticeID},
		{"a practice's city name", prop("Practice", "cityName"), 0, practice.MaxPracticeCity},
		{"a practice's English title", prop("Practice", "title", "en"), practice.MinPracticeTitle, practice.MaxPracticeTitle},
		{"a practice's French title", prop("Practice", "title", "fr"), practice.MinPracticeTitle, practice.MaxPracticeTitle},
		{"a practice's English summary", prop("Practice", "summary", "en"), practice.MinPracticeSummary, practice.MaxPracticeSummary},
		{"a practice's French summary", prop("Practice", "summary", "fr"), practice.MinPracticeSummary, practice.MaxPracticeSummary},
		{"a practice's link", prop("Practice", "link"), 0, practice.MaxPracticeLink},
	} {
		if minLen, maxLen := limits(tt.s); int(minLen) != tt.min || maxLen == nil || int(*maxLen) != tt.max {
			t.Errorf("%s: documented %d to %v characters, the domain's %d to %d", tt.what, minLen, maxLen, tt.min, tt.max)
		}
	}
	if y := prop("Practice", "year").Min; y == nil || int(*y) != practice.MinPracticeYear {
		t.Errorf("a practice's year: documented from %v, the domain's from %d", y, practice.MinPracticeYear)
	}
}

// TestOpenAPIReportExamplesAreConsistent reads the reports' examples as a
// reviewer would: each report's links are its own, a published report was
// published after it was drafted and a draft is neither published nor
// archived, each model names areas of its INDEX version and has a bar per
// series, a re-assessment follows the previous one, and each practice is
// in an area of the current INDEX and started in a year past.
func TestOpenAPIReportExamplesAreConsistent(t *testing.T) {
	doc := loadContract(t)
	reports, models, practices := 0, 0, 0
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", where, i), e)
			}
			return
		case map[string]any:
			for k, e := range x {
				walk(where+"/"+k, e)
			}
		default:
			return
		}
		b := roundTripBytes(t, v)
		var r struct {
			ReportID, CityID, Status string
			CreatedAt, PublishedAt   *time.Time
			DocumentsReady           *bool
			Links                    *struct{ Self, HTML, PDF string }
			Schema                   int
			Version                  string
			Date                     time.Time
			Areas                    []struct{ ID string }
			Chart                    *struct {
				Series []any
				Rows   []struct{ Values []any }
			}
			Progress       *struct{ PreviousDate time.Time }
			Area, CityName string
			Year           int
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return
		}
		if r.ReportID != "" && r.Links != nil {
			reports++
			self := "/cities/" + r.CityID + "/reports/" + r.ReportID
			if r.Links.Self != self || r.Links.HTML != self+"?format=html" || r.Links.PDF != self+"?format=pdf" {
				t.Errorf("%s: links %+v, the report is at %s", where, *r.Links, self)
			}
			switch {
			case r.Status == membership.ReportPublished && (r.PublishedAt == nil || r.CreatedAt == nil || !r.PublishedAt.After(*r.CreatedAt)):
				t.Errorf("%s: published %v, drafted %v", where, r.PublishedAt, r.CreatedAt)
			case r.Status == membership.ReportDraft && (r.PublishedAt != nil || r.DocumentsReady == nil || *r.DocumentsReady):
				t.Errorf("%s: a draft published %v, archived %v", where, r.PublishedAt, r.DocumentsReady)
			}
		}
		if r.Schema == report.SchemaVersion && r.Version != "" && r.Chart != nil {
			models++
			q, ok := index.Lookup(r.Version)
			if !ok {
				t.Errorf("%s: INDEX %s", where, r.Version)
				return
			}
			for _, a := range r.Areas {
				if _, ok := q.Area(a.ID); !ok {
					t.Errorf("%s: area %s is not one of INDEX %s", where, a.ID, r.Version)
				}
			}
			for _, row := range r.Chart.Rows {
				if len(row.Values) != len(r.Chart.Series) {
					t.Errorf("%s: a chart row of %d bars for %d series", where, len(row.Values), len(r.Chart.Series))
				}
			}
			if r.Progress != nil && !r.Progress.PreviousDate.Before(r.Date) {
				t.Errorf("%s: the previous submission (%v) follows the report (%v)", where, r.Progress.PreviousDate, r.Date)
			}
		}
		if r.Area != "" && r.CityName != "" && r.Year != 0 {
			practices++
			if _, ok := index.Current().Area(r.Area); !ok {
				t.Errorf("%s: area %s is not one of the current INDEX", where, r.Area)
			}
			if r.Year < practice.MinPracticeYear || r.Year > examplesNow.Year() {
				t.Errorf("%s: a practice started in %d", where, r.Year)
			}
		}
	}
	for _, e := range examples(t, doc) {
		if strings.Contains(e.where, "report") || strings.Contains(e.where, "practice") || strings.Contains(e.where, "Report") ||
			strings.Contains(e.where, "Practice") || strings.Contains(e.where, "Commentary") {
			walk(e.where, roundTrip(t, e.value))
		}
	}
	if reports < 8 || models < 2 || practices < 8 {
		t.Errorf("%d reports, %d models, %d practices among the examples: the walk is broken", reports, models, practices)
	}
}

// TestOpenAPIReportSchemasRefuse is the negative control of the reports'
// examples: each row is an example with one thing wrong.
func TestOpenAPIReportSchemasRefuse(t *testing.T) {
	doc := loadContract(t)
	schemas := doc.Components.Schemas
	ex := func(schema string) map[string]any {
		return roundTrip(t, schemas[schema].Value.Example).(map[string]any)
	}
	rep, commentary, pr := ex("Report"), ex("CommentaryInput"), ex("Practice")
	stored := withField(pr, "id", "hh7566tfjgvq6kbnxjbtfqxkwo")
	stored["demo"] = false
	model := roundTrip(t, doc.Paths.Value(reportPath).Get.Responses.Status(200).Value.Content.Get("application/json").Examples["published"].Value.Value).(map[string]any)
	// The positive controls: what the rows below refuse is one change away.
	for _, tt := range []struct {
		schema string
		as     bool
		ok     any
	}{
		{"Report", asResponse, withField(withField(withField(rep, "status", "draft"), "publishedAt", nil), "documentsReady", false)},
		{"StoredPractice", asResponse, stored},
		{"ReportModel", asResponse, model},
		{"CommentaryInput", asRequest, withField(commentary, "introduction", nil)},
	} {
		if err := visit(schemas[tt.schema], tt.ok, tt.as); err != nil {
			t.Errorf("%s refuses %v: %v", tt.schema, tt.ok, err)
		}
	}
	draft := withField(withField(withField(rep, "status", "draft"), "publishedAt", nil), "documentsReady", false)
	for _, tt := range []struct {
		schema string
		as     bool
		name   string
		bad    any
	}{
		{"Report", asResponse, "published without a date", withField(rep, "publishedAt", nil)},
		{"Report", asResponse, "a draft with a publication date", withField(draft, "publishedAt", "2026-03-25T09:05:41Z")},
		{"Report", asResponse, "a draft archived", withField(draft, "documentsReady", true)},
		{"Report", asResponse, "an unknown status", withField(rep, "status", "reviewed")},
		{"Report", asResponse, "no links", withField(rep, "links", nil)},
		{"CommentaryInput", asRequest, "a conclusion", withField(commentary, "conclusion", map[string]any{"en": "x"})},
		{"CommentaryInput", asRequest, "an area the INDEX does not have", withField(commentary, "areas", map[string]any{"schools": map[string]any{"en": "x"}})},
		{"CommentInput", asRequest, "neither language", map[string]any{"en": "", "fr": ""}},
		{"CommentInput", asRequest, "German", map[string]any{"de": "Gut."}},
		{"CommentInput", asRequest, "a blank text", map[string]any{"en": "\u3000"}},
		{"Practice", asRequest, "no French title", withField(pr, "title", map[string]any{"en": "Mother-tongue tutoring"})},
		{"Practice", asRequest, "a summary too short", withField(pr, "summary", map[string]any{"en": "Tutoring.", "fr": "Tutorat."})},
		{"Practice", asRequest, "a practice of the last century", withField(pr, "year", 1949)},
		{"Practice", asRequest, "an http link", withField(pr, "link", "http://www.botkyrka.se/")},
		{"Practice", asRequest, "a link with a password", withField(pr, "link", "https://me:secret@www.botkyrka.se/")},
		{"Practice", asRequest, "a score", withField(pr, "score", 90)},
		{"StoredPractice", asResponse, "no id", withField(stored, "id", nil)},
		{"StoredPractice", asResponse, "no demo flag", withField(stored, "demo", nil)},
		{"ReportModel", asResponse, "another schema", withField(model, "schema", 2)},
		{"ReportModel", asResponse, "a language of its own", withField(model, "lang", "de")},
		{"ReportModel", asResponse, "no areas", withField(model, "areas", []any{})},
		{"ReportModel", asResponse, "demo false", withField(model, "demo", false)},
	} {
		if err := visit(schemas[tt.schema], tt.bad, tt.as); err == nil {
			t.Errorf("%s schema accepts %s", tt.schema, tt.name)
		}
	}
	for name, bad := range map[string]string{"ReportCache": "public, max-age=300", "VaryAccept": "Accept-Encoding",
		"CatalogueCache": "no-store", "PracticeLocation": "/admin/good-practices"} {
		if err := visit(doc.Components.Headers[name].Value.Schema, bad, asResponse); err == nil {
			t.Errorf("header %s accepts %q", name, bad)
		}
	}
}
