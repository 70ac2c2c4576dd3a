package local_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/index"
)

type reportList struct {
	Reports []struct {
		ReportID, Status string
		DocumentsReady   bool
	}
}

func listReports(t *testing.T, s *localtest.Stack, id, tok string) reportList {
	t.Helper()
	status, _, resp := s.Do(http.MethodGet, "/cities/"+id+"/reports", tok, "")
	var l reportList
	if status != 200 || json.Unmarshal(resp, &l) != nil {
		t.Fatalf("reports of %s: %d %s", id, status, resp)
	}
	return l
}

// The analytical report: drafted when the INDEX is scored, invisible to
// the city until published; reviewed with commentary; published once
// however often it is asked, which reports the INDEX; archived and sent
// with its PDF; served as archived; another city reads none of it; a new
// submission makes a new report.
func TestAnalyticalReportFromDraftToPublication(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	// Another city with a good practice in education, scored.
	other, otherTok := reported(t, s, "Practiceville")
	status, _, resp := s.Do(http.MethodPost, "/admin/good-practices", adm, `{"cityId":"`+other+`","cityName":"Practiceville",
		"country":"DE","area":"education","title":{"en":"Mother-tongue tutoring","fr":"Tutorat en langue maternelle"},
		"summary":{"en":"Volunteers tutor pupils in their first language.","fr":"Des bénévoles accompagnent les élèves dans leur première langue."},
		"year":2022,"published":true}`)
	if status != 201 {
		t.Fatalf("practice: %d %s", status, resp)
	}

	status, _, resp = s.Do(http.MethodPost, "/applications", "", `{"cityName":"Reportville <script>","country":"DE","population":150000,
		"foreignBornShare":12,"foreignResidentShare":8,"nationalMinorityShare":1,"contact":{"name":"Contact","email":"reportville@index.example"},
		"language":"en"}`)
	var app struct{ CityID string }
	if status != 201 || json.Unmarshal(resp, &app) != nil {
		t.Fatalf("apply: %d %s", status, resp)
	}
	s.Drain()
	id, tok := app.CityID, s.TokenFromMail("reportville@index.example")
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.3, 7, false))
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != 202 {
		t.Fatalf("submit: %d %s", status, resp)
	}
	s.Drain()
	if l := listReports(t, s, id, tok); len(l.Reports) != 0 {
		t.Fatalf("the city sees a draft: %+v", l)
	}
	l := listReports(t, s, id, adm)
	if len(l.Reports) != 1 || l.Reports[0].Status != "draft" {
		t.Fatalf("the secretariat's list: %+v", l)
	}
	rid := l.Reports[0].ReportID
	path := "/cities/" + id + "/reports/" + rid
	if status, _, _ := s.Do(http.MethodGet, path, tok, ""); status != http.StatusNotFound {
		t.Fatalf("the city reads its draft: %d", status)
	}
	if sec, _ := s.MailTo(t.Context(), "secretariat@intercultural-cities.local"); !slices.ContainsFunc(sec, func(m local.Mail) bool {
		return strings.Contains(m.Subject, "draft report to review")
	}) {
		t.Error("the secretariat was not asked to review the draft")
	}
	// The draft as the secretariat reviews it: the model, the HTML, the
	// PDF; the city's name shows as text; another city's practice is quoted.
	_, _, model := s.Do(http.MethodGet, path, adm, "")
	if !strings.Contains(string(model), "Mother-tongue tutoring") || !strings.Contains(string(model), `"cityId":"`+id+`"`) {
		t.Fatalf("the draft's model does not quote the practice: %.400s", model)
	}
	status, hdr, html := s.Do(http.MethodGet, path, adm, "", "Accept", "text/html")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || bytes.Contains(html, []byte("<script>")) ||
		!bytes.Contains(html, []byte("Reportville &lt;script&gt;")) {
		t.Fatalf("the draft's HTML: %d %s %.200s", status, hdr.Get("Content-Type"), html)
	}
	// Commentary: bad input names the field; a good one is kept.
	status, _, resp = s.Do(http.MethodPut, "/admin/cities/"+id+"/reports/"+rid+"/commentary", adm, `{"areas":{"nowhere":{"en":"x"}}}`)
	if status != 400 || !strings.Contains(string(resp), `"pointer":"/areas/nowhere"`) {
		t.Fatalf("commentary on no area: %d %s", status, resp)
	}
	status, _, resp = s.Do(http.MethodPut, "/admin/cities/"+id+"/reports/"+rid+"/commentary", adm,
		`{"introduction":{"en":"The council asked for this report.","fr":"Le conseil a demandé ce rapport."}}`)
	if status != 200 || !strings.Contains(string(resp), "The council asked") {
		t.Fatalf("commentary: %d %s", status, resp)
	}
	// Published twice at once: once.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if status, _, resp := s.Do(http.MethodPost, "/admin/cities/"+id+"/reports/"+rid+"/publish", adm, ""); status != 200 {
				t.Errorf("publish: %d %s", status, resp)
			}
		})
	}
	wg.Wait()
	s.Drain()
	_, _, resp = s.Do(http.MethodGet, "/admin/cities/"+id+"/audit", adm, "")
	if n := strings.Count(string(resp), `"type":"index_reported"`); n != 1 || !strings.Contains(string(resp), `"to":"index_reported"`) {
		t.Fatalf("%d index_reported entries: %s", n, resp)
	}
	mails, _ := s.MailTo(t.Context(), "reportville@index.example")
	sent := 0
	for _, m := range mails {
		if strings.Contains(m.Subject, "analytical report") {
			sent++
			if !strings.Contains(m.RawData, `filename=ICC-INDEX-`) {
				t.Error("the report's email has no PDF attached")
			}
		}
	}
	if sent != 1 {
		t.Fatalf("%d report emails, want 1 (of %d)", sent, len(mails))
	}
	// The city reads it now, as archived, and it never changes.
	l = listReports(t, s, id, tok)
	if len(l.Reports) != 1 || l.Reports[0].Status != "published" || !l.Reports[0].DocumentsReady {
		t.Fatalf("the city's list after publication: %+v", l)
	}
	status, hdr, pdf := s.Do(http.MethodGet, path, tok, "", "Accept", "application/pdf")
	stored, err := s.Archive.Get(t.Context(), "reports/"+id+"/"+rid+".pdf")
	if status != 200 || hdr.Get("Content-Type") != "application/pdf" || err != nil || !bytes.Equal(stored.Body, pdf) {
		t.Fatalf("the published PDF: %d %s %v", status, hdr.Get("Content-Type"), err)
	}
	_, _, published := s.Do(http.MethodGet, path, tok, "")
	if !strings.Contains(string(published), "The council asked") {
		t.Error("the published model lost the commentary")
	}
	// Commentary on a published report is refused; another city reads
	// nothing of it.
	if status, _, _ := s.Do(http.MethodPut, "/admin/cities/"+id+"/reports/"+rid+"/commentary", adm, `{"introduction":{"en":"Late."}}`); status != 409 {
		t.Errorf("commentary on a published report: %d", status)
	}
	if status, _, _ := s.Do(http.MethodGet, path, otherTok, ""); status != http.StatusForbidden {
		t.Errorf("another city reading the report: %d", status)
	}
	if status, _, _ := s.Do(http.MethodGet, "/cities/"+other+"/reports/"+rid, otherTok, ""); status != http.StatusNotFound {
		t.Errorf("the report through another city's path: %d", status)
	}
	// A re-assessment makes a new draft; the published one stays.
	body = submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.8, 8, false))
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != 202 {
		t.Fatalf("resubmit: %d %s", status, resp)
	}
	s.Drain()
	if l := listReports(t, s, id, adm); len(l.Reports) != 2 || l.Reports[0].Status != "draft" || l.Reports[1].Status != "published" {
		t.Fatalf("after a re-assessment: %+v", l)
	}
	_, _, again := s.Do(http.MethodGet, path, tok, "", "Accept", "application/pdf")
	if !bytes.Equal(again, pdf) {
		t.Error("the published report changed")
	}
	// The public catalogue, in French.
	_, _, resp = s.Do(http.MethodGet, "/good-practices?area=education&lang=fr", "", "")
	if !strings.Contains(string(resp), "Tutorat en langue maternelle") {
		t.Errorf("the public catalogue: %s", resp)
	}
}

// A city that left before its report was published is not sent it.
func TestAnEndedFilesReportIsNotPublished(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := applyCity(t, s, "Left Early", 150000, 12)
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.6, 1, false))
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != 202 {
		t.Fatalf("submit: %d %s", status, resp)
	}
	s.Drain()
	admin(t, s, adm, "/admin/cities/"+id+"/withdrawal", `{"reason":"left"}`, 200)
	_, _, resp := s.Do(http.MethodGet, "/cities/"+id+"/reports", adm, "")
	var list struct {
		Reports []struct{ ReportID, Status string }
	}
	if err := json.Unmarshal(resp, &list); err != nil || len(list.Reports) != 1 || list.Reports[0].Status != "draft" {
		t.Fatalf("reports: %s", resp)
	}
	status, _, resp := s.Do(http.MethodPost, "/admin/cities/"+id+"/reports/"+list.Reports[0].ReportID+"/publish", adm, "")
	if status != http.StatusConflict || !strings.Contains(string(resp), "withdrawn") {
		t.Fatalf("publishing a withdrawn city's report: %d %s", status, resp)
	}
}
