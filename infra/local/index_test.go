package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

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
	if status != 200 || hdr.Get("ETag") != `"1"` {
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
	if status != 200 || !strings.Contains(string(resp), `"status":"index_submitted"`) {
		t.Fatalf("city after submission: %s", resp)
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
	if n := s.Items("CITY#" + id); n != 4 { // profile, two events, one submission
		t.Fatalf("%d items in the city's partition, want 4", n)
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
