package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// applyCity applies and returns the city id and its emailed token.
func applyCity(t *testing.T, s *localtest.Stack, name string, pop int64, fb float64) (string, string) {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@index.example"
	body := fmt.Sprintf(`{"cityName":%q,"country":"DE","population":%d,"foreignBornShare":%g,"foreignResidentShare":8,
		"nationalMinorityShare":1,"contact":{"name":"Contact","email":%q},"language":"en"}`, name, pop, fb, email)
	status, _, resp := s.Do(http.MethodPost, "/applications", "", body)
	if status != http.StatusCreated {
		t.Fatalf("apply %s: %d %s", name, status, resp)
	}
	var r struct{ CityID string }
	_ = json.Unmarshal(resp, &r)
	s.Drain()
	return r.CityID, s.TokenFromMail(email)
}

func submissionBody(t *testing.T, answers []index.Answer) string {
	b, err := json.Marshal(map[string]any{"version": index.Current().Version, "answers": answers})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDraftSubmitScoreAndCompare(t *testing.T) {
	s := localtest.New(t, local.Options{})
	q := index.Current()

	// Three cities are in the sample before ours.
	for i, strength := range []float64{0.9, 0.5, 0.2} {
		id, tok := applyCity(t, s, fmt.Sprintf("Peer %d", i), 150000, 12)
		answers := demo.Answers(q, demo.City{Population: 150000, ForeignBorn: 12}, strength, uint64(i+1), false)
		if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, submissionBody(t, answers)); status != 202 {
			t.Fatalf("peer submission: %d %s", status, resp)
		}
	}
	s.Drain()

	id, tok := applyCity(t, s, "Rheinstadt", 312000, 21.5)
	answers := demo.Answers(q, demo.City{Population: 312000, ForeignBorn: 21.5}, 0.7, 42, true)

	// Save half the answers, resume, and save the rest with the ETag.
	status, hdr, resp := s.Do(http.MethodPut, "/cities/"+id+"/index/draft", tok, submissionBody(t, answers[:20]))
	if status != http.StatusCreated || hdr.Get("ETag") != `"1"` {
		t.Fatalf("first draft save: %d %s %s", status, hdr.Get("ETag"), resp)
	}
	status, hdr, resp = s.Do(http.MethodGet, "/cities/"+id+"/index/draft", tok, "")
	var draft index.Draft
	_ = json.Unmarshal(resp, &draft)
	if status != 200 || len(draft.Answers) != 20 || hdr.Get("ETag") != `"1"` {
		t.Fatalf("resume: %d %d answers %s", status, len(draft.Answers), hdr.Get("ETag"))
	}
	if status, _, _ = s.Do(http.MethodPut, "/cities/"+id+"/index/draft", tok, submissionBody(t, answers), "If-Match", `"1"`); status != 200 {
		t.Fatalf("second save: %d", status)
	}
	// A device still holding revision 1 cannot overwrite revision 2.
	status, _, resp = s.Do(http.MethodPut, "/cities/"+id+"/index/draft", tok, submissionBody(t, answers[:1]), "If-Match", `"1"`)
	if status != http.StatusPreconditionFailed {
		t.Fatalf("stale save: %d %s", status, resp)
	}
	if status, _, _ = s.Do(http.MethodPut, "/cities/"+id+"/index/draft", tok, submissionBody(t, answers[:1])); status != http.StatusPreconditionFailed {
		t.Fatalf("blind overwrite: %d", status)
	}

	status, hdr, resp = s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, submissionBody(t, answers), "Idempotency-Key", "submit-1")
	if status != http.StatusAccepted {
		t.Fatalf("submit: %d %s", status, resp)
	}
	var acc struct{ SubmissionID, Status string }
	_ = json.Unmarshal(resp, &acc)
	if acc.Status != "received" || hdr.Get("Location") != "/cities/"+id+"/index/submissions/"+acc.SubmissionID {
		t.Fatalf("accepted %s, Location %s", resp, hdr.Get("Location"))
	}
	status, _, resp = s.Do(http.MethodGet, "/cities/"+id, tok, "")
	if status != 200 || !strings.Contains(string(resp), `"status":"index_submitted"`) || strings.Contains(string(resp), "latestIndex") {
		t.Fatalf("city after submission, before scoring: %s", resp)
	}

	s.Drain()
	status, _, resp = s.Do(http.MethodGet, "/cities/"+id+"/index/submissions/"+acc.SubmissionID, tok, "")
	var sub index.Submission
	if err := json.Unmarshal(resp, &sub); err != nil || status != 200 {
		t.Fatalf("get submission: %d %s", status, resp)
	}
	if sub.Status != index.StatusScored || sub.Result == nil || len(sub.Standings) != 3 {
		t.Fatalf("not scored: %s", resp)
	}
	want := q.Score(answers)
	if sub.Result.Aggregate != want.Aggregate || len(sub.Result.Areas) != len(q.Areas) {
		t.Fatalf("aggregate %v (%d areas), want %v (%d)", sub.Result.Aggregate, len(sub.Result.Areas), want.Aggregate, len(q.Areas))
	}
	// The city's file names its latest scored submission.
	_, _, resp = s.Do(http.MethodGet, "/cities/"+id, tok, "")
	var file struct {
		LatestIndex *struct {
			SubmissionID, Version string
			Aggregate             float64
			Links                 map[string]string
		}
	}
	if err := json.Unmarshal(resp, &file); err != nil || file.LatestIndex == nil {
		t.Fatalf("city file after scoring: %s", resp)
	}
	if l := file.LatestIndex; l.SubmissionID != acc.SubmissionID || l.Version != q.Version || l.Aggregate != want.Aggregate ||
		l.Links["submission"] != hdr.Get("Location") {
		t.Fatalf("latest INDEX in the city file: %+v", *l)
	}
	all := sub.Standings[0]
	if all.Group.Key != "all" || all.Of != 4 || all.Rank < 1 || all.Rank > 4 {
		t.Fatalf("standing in the whole sample: %+v", all)
	}
	if pop := sub.Standings[1]; pop.Of != 1 || pop.Rank != 1 {
		t.Fatalf("only city of its size, got %+v", pop)
	}
	mails, _ := s.MailTo(t.Context(), "rheinstadt@index.example")
	found := false
	for _, m := range mails {
		found = found || strings.Contains(m.Subject, "INDEX results")
	}
	if !found {
		t.Fatal("no results email")
	}
}

func TestConcurrentIdenticalSubmissionsScoreOnce(t *testing.T) {
	s := localtest.New(t, local.Options{})
	id, tok := applyCity(t, s, "Nordhavn", 61000, 18)
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 61000, ForeignBorn: 18}, 0.6, 7, false))
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	bodies := map[string]int{}
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/cities/"+id+"/index/submissions", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "same")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = fmt.Fprint(&b, resp.StatusCode, " ")
			buf := make([]byte, 4096)
			k, _ := resp.Body.Read(buf)
			b.Write(buf[:k])
			mu.Lock()
			bodies[b.String()]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(bodies) != 1 {
		t.Fatalf("%d different answers: %v", len(bodies), bodies)
	}
	s.Drain()
	s.Drain()
	// The file, three events (applied, submitted, scored), one submission,
	// one draft report.
	if n := s.Items("CITY#" + id); n != 6 {
		t.Fatalf("%d items in the city's partition, want 6", n)
	}
	sample, err := s.Store.Sample(t.Context())
	if err != nil || sample["all"].Count != 1 {
		t.Fatalf("sample %+v %v, want the city counted once", sample["all"], err)
	}
	mails, _ := s.MailTo(t.Context(), "nordhavn@index.example")
	results := 0
	for _, m := range mails {
		if strings.Contains(m.Subject, "INDEX results") {
			results++
		}
	}
	if results != 1 {
		t.Fatalf("%d results emails, want 1", results)
	}
}

func TestIndexBadInputAndAccess(t *testing.T) {
	s := localtest.New(t, local.Options{})
	idA, tokA := applyCity(t, s, "City A", 150000, 12)
	idB, tokB := applyCity(t, s, "City B", 90000, 8)
	q := index.Current()
	answers := demo.Answers(q, demo.City{Population: 150000, ForeignBorn: 12}, 0.6, 3, false)
	good := submissionBody(t, answers)
	huge := submissionBody(t, append([]index.Answer{{Question: answers[5].Question, Option: answers[5].Option,
		Evidence: strings.Repeat("x", 5<<20)}}, answers[6:]...))
	dup := submissionBody(t, append(answers, answers[7]))
	bad := func(a index.Answer) string {
		out := append([]index.Answer(nil), answers...)
		out[7] = a
		return submissionBody(t, out)
	}
	v := 150.0
	maybe := "maybe"
	tests := []struct {
		name, method, path, token, body string
		status                          int
		pointer                         string
	}{
		{"other city's draft", http.MethodGet, "/cities/" + idB + "/index/draft", tokA, "", 403, ""},
		{"other city's draft write", http.MethodPut, "/cities/" + idB + "/index/draft", tokA, good, 403, ""},
		{"other city's submission", http.MethodPost, "/cities/" + idB + "/index/submissions", tokA, good, 403, ""},
		{"anonymous submission", http.MethodPost, "/cities/" + idA + "/index/submissions", "", good, 401, ""},
		{"missing version", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA, `{"answers":[]}`, 400, "/version"},
		{"unknown version", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA, `{"version":"1999","answers":[]}`, 400, "/version"},
		{"client sets a score", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA,
			strings.Replace(good, `{"answers"`, `{"aggregate":99,"answers"`, 1), 400, "/aggregate"},
		{"client sets a status", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA,
			strings.Replace(good, `{"answers"`, `{"status":"scored","answers"`, 1), 400, "/status"},
		{"unknown question", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA,
			bad(index.Answer{Question: "nope.nothing", Option: &maybe}), 400, "/answers/7/question"},
		{"unknown option", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA,
			bad(index.Answer{Question: answers[7].Question, Option: &maybe}), 400, "/answers/7/option"},
		{"wrong answer type", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA,
			bad(index.Answer{Question: answers[7].Question, Value: &v}), 400, "/answers/7/option"},
		{"out-of-range number", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA,
			bad(index.Answer{Question: percentQuestion(q), Value: &v}), 400, "/answers/7/value"},
		{"duplicate answer", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA, dup, 400, fmt.Sprintf("/answers/%d/question", len(answers))},
		{"missing answers", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA, submissionBody(t, answers[:10]), 400, "/answers"},
		{"5 MB of evidence", http.MethodPost, "/cities/" + idA + "/index/submissions", tokA, huge, 413, "/"},
		{"5 MB of evidence in a draft", http.MethodPut, "/cities/" + idA + "/index/draft", tokA, huge, 413, "/"},
		{"bad If-Match", http.MethodPut, "/cities/" + idA + "/index/draft", tokA, good, 400, "header/If-Match"},
		{"bad submission id", http.MethodGet, "/cities/" + idA + "/index/submissions/zzz", tokA, "", 400, "path/submissionId"},
		{"unknown submission", http.MethodGet, "/cities/" + idA + "/index/submissions/aaaaaaaaaaaaaaaaaaaaaaaaaa", tokA, "", 404, ""},
		{"bad language", http.MethodGet, "/questionnaire?lang=de", "", "", 400, "query/lang"},
		{"unknown questionnaire version", http.MethodGet, "/questionnaire/1999", "", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.name == "bad If-Match" {
				headers = []string{"If-Match", "yesterday"}
			}
			status, hdr, body := s.Do(tt.method, tt.path, tt.token, tt.body, headers...)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", status, tt.status, body)
			}
			if hdr.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("not a problem: %s", hdr.Get("Content-Type"))
			}
			if tt.pointer != "" && !strings.Contains(string(body), `"pointer":"`+tt.pointer+`"`) {
				t.Fatalf("no error names %s: %.500s", tt.pointer, body)
			}
		})
	}
	_ = tokB
	if n := s.Items("CITY#" + idA); n != 2 { // profile and the applied event: nothing was stored
		t.Fatalf("bad input left %d items in city A's partition", n)
	}
}

func TestQuestionnaireIsCacheableInBothLanguages(t *testing.T) {
	s := localtest.New(t, local.Options{})
	status, hdr, en := s.Do(http.MethodGet, "/questionnaire", "", "")
	if status != 200 || hdr.Get("ETag") == "" || !strings.Contains(hdr.Get("Cache-Control"), "max-age") {
		t.Fatalf("GET /questionnaire: %d %v", status, hdr)
	}
	if status, _, _ := s.Do(http.MethodGet, "/questionnaire", "", "", "If-None-Match", hdr.Get("ETag")); status != 304 {
		t.Fatalf("conditional GET: %d", status)
	}
	_, _, fr := s.Do(http.MethodGet, "/questionnaire?lang=fr", "", "")
	var vEN, vFR index.QuestionnaireView
	_ = json.Unmarshal(en, &vEN)
	_ = json.Unmarshal(fr, &vFR)
	if vEN.Version != index.Current().Version || len(vEN.Areas) != 17 || vEN.Areas[0].Title == vFR.Areas[0].Title {
		t.Fatalf("en %q fr %q", vEN.Areas[0].Title, vFR.Areas[0].Title)
	}
	if strings.Contains(string(en), `"points"`) {
		t.Fatal("the public questionnaire shows the scoring points")
	}
	_, _, old := s.Do(http.MethodGet, "/questionnaire/2017", "", "")
	if !strings.Contains(string(old), `"version":"2017"`) {
		t.Fatalf("older version: %.200s", old)
	}
	status, _, schema := s.Do(http.MethodGet, "/questionnaire/2019/schema", "", "")
	if status != 200 || !strings.Contains(string(schema), "json-schema.org/draft/2020-12") {
		t.Fatalf("schema: %d %.200s", status, schema)
	}
}

func TestSweeperRedrivesASubmissionLeftUnscored(t *testing.T) {
	s := localtest.New(t, local.Options{SweepAfter: time.Nanosecond})
	id, tok := applyCity(t, s, "Forgotten", 70000, 9)
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 70000, ForeignBorn: 9}, 0.5, 5, false))
	// The score trigger is lost: its records are read and dropped.
	var scorePoller *local.Poller
	for _, p := range s.Pollers {
		if p.Function == "score" {
			scorePoller = p
		}
	}
	real := scorePoller.Handler
	scorePoller.Handler = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, nil
	}
	status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body)
	if status != 202 {
		t.Fatalf("submit: %d %s", status, resp)
	}
	var acc struct{ SubmissionID string }
	_ = json.Unmarshal(resp, &acc)
	s.Drain()
	sub, _ := s.Store.Submission(t.Context(), id, acc.SubmissionID)
	if sub.Status != index.StatusReceived {
		t.Fatalf("status %s before the sweep", sub.Status)
	}
	scorePoller.Handler = real
	res, err := s.Sweeper.Sweep(t.Context())
	if err != nil || res.Redriven != 1 {
		t.Fatalf("sweep %+v %v, want the submission re-driven", res, err)
	}
	s.Drain()
	sub, _ = s.Store.Submission(t.Context(), id, acc.SubmissionID)
	if sub.Status != index.StatusScored {
		t.Fatalf("status %s after the sweep", sub.Status)
	}
	// Scoring it again (a duplicate record) changes nothing.
	if err := s.Scorer.Score(t.Context(), id, acc.SubmissionID); err != nil {
		t.Fatal(err)
	}
	sample, _ := s.Store.Sample(t.Context())
	if sample["all"].Count != 1 {
		t.Fatalf("the city is counted %d times", sample["all"].Count)
	}
}

func TestReassessmentMovesTheCityInTheSample(t *testing.T) {
	s := localtest.New(t, local.Options{})
	id, tok := applyCity(t, s, "Improving", 120000, 14)
	q := index.Current()
	for i, strength := range []float64{0.3, 0.9} {
		body := submissionBody(t, demo.Answers(q, demo.City{Population: 120000, ForeignBorn: 14}, strength, uint64(i+10), false))
		if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != 202 {
			t.Fatalf("submission %d: %d %s", i, status, resp)
		}
		s.Drain()
	}
	sample, _ := s.Store.Sample(t.Context())
	all := sample["all"]
	if all.Count != 1 || len(all.Histogram) != 1 {
		t.Fatalf("after re-assessment the sample holds %+v, want the city once, at its new score", all)
	}
	// The file, 5 events (applied, submitted, scored, submitted again,
	// scored), both submissions (the first one is kept) and a draft report
	// of each.
	if n := s.Items("CITY#" + id); n != 10 {
		t.Fatalf("%d items, want 10", n)
	}
	_, events, err := s.Store.City(t.Context(), id)
	if err != nil || len(events) != 5 || events[3].From != "index_submitted" || events[3].To != "index_submitted" ||
		events[4].Type != "index_scored" {
		t.Fatalf("timeline %+v %v: a re-assessment must not claim a status change", events, err)
	}
}

func percentQuestion(q *index.Questionnaire) string {
	for _, a := range q.Areas {
		for _, qu := range a.Questions {
			if qu.Type == index.Percent {
				return qu.ID
			}
		}
	}
	return ""
}

// A city's token proves its city exists; the secretariat's does not, so a
// draft for a mistyped city id is refused, and nothing is written.
func TestTheSecretariatCannotDraftForNoCity(t *testing.T) {
	s := localtest.New(t, local.Options{})
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.5, 3, false)[:3])
	before := s.Items("CITY#")
	status, _, resp := s.Do(http.MethodPut, "/cities/aaaaaaaaaaaaaaaaaaaaaaaaaa/index/draft", s.AdminToken(), body)
	if status != http.StatusNotFound || s.Items("CITY#") != before {
		t.Fatalf("draft for no city: %d %s, %d items written", status, resp, s.Items("CITY#")-before)
	}
	id, _ := applyCity(t, s, "Drafted By The Secretariat", 150000, 12)
	// A revision of a draft that does not exist yet is a stale one.
	if status, _, resp := s.Do(http.MethodPut, "/cities/"+id+"/index/draft", s.AdminToken(), body, "If-Match", `"1"`); status != http.StatusPreconditionFailed {
		t.Fatalf("If-Match without a draft: %d %s", status, resp)
	}
	if status, _, resp := s.Do(http.MethodPut, "/cities/"+id+"/index/draft", s.AdminToken(), body); status != http.StatusCreated {
		t.Fatalf("draft for a city: %d %s", status, resp)
	}
}
