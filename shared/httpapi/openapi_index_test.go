package httpapi_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The contract of the INDEX: the questionnaire, a city's draft and its
// submissions (openapi/questionnaire.yaml, openapi/index-*.yaml).

// pastVersion is an INDEX version the server serves but no longer opens
// to new drafts and submissions.
func pastVersion(t *testing.T) string {
	t.Helper()
	for _, q := range index.Versions() {
		if !q.Current {
			return q.Version
		}
	}
	t.Fatal("the server serves no past INDEX version")
	return ""
}

// revalidate sends the ETag of a questionnaire document back and expects
// 304 with the same ETag, and 200 for another ETag.
func (c contract) revalidate(route, url, etag string) {
	c.t.Helper()
	a := c.expect(http.StatusNotModified, http.MethodGet, route, url, "", "", "If-None-Match", etag)
	if a.hdr.Get("ETag") != etag {
		c.t.Errorf("GET %s with If-None-Match %s: ETag %q", url, etag, a.hdr.Get("ETag"))
	}
	c.expect(http.StatusOK, http.MethodGet, route, url, "", "", "If-None-Match", `"0000000000000000"`)
}

// TestContractQuestionnaire reads every version in every language, and its
// submission schema, each then revalidated.
func TestContractQuestionnaire(t *testing.T) {
	c := newContract(t)
	const versionPath, schemaPath = "/questionnaire/{version}", "/questionnaire/{version}/schema"
	etags := map[string]string{}
	for _, q := range index.Versions() {
		for _, lang := range []string{"", "en", "fr"} {
			url := "/questionnaire/" + q.Version
			if lang != "" {
				url += "?lang=" + lang
			}
			a := c.expect(http.StatusOK, http.MethodGet, versionPath, url, "", "")
			var v struct {
				Version, Lang string
				Current       bool
			}
			if err := json.Unmarshal(a.body, &v); err != nil {
				t.Fatal(err)
			}
			if v.Version != q.Version || v.Lang != cmp.Or(lang, "en") || v.Current != q.Current {
				t.Errorf("GET %s: version %s, lang %s, current %v", url, v.Version, v.Lang, v.Current)
			}
			etags[q.Version+"/"+v.Lang] = a.hdr.Get("ETag")
			c.revalidate(versionPath, url, a.hdr.Get("ETag"))
		}
		if etags[q.Version+"/en"] == etags[q.Version+"/fr"] {
			t.Errorf("INDEX %s: English and French share the ETag %s", q.Version, etags[q.Version+"/en"])
		}
		url := "/questionnaire/" + q.Version + "/schema"
		c.revalidate(schemaPath, url, c.expect(http.StatusOK, http.MethodGet, schemaPath, url, "", "").hdr.Get("ETag"))
	}
	cur := index.Current().Version
	a := c.expect(http.StatusOK, http.MethodGet, "/questionnaire", "/questionnaire", "", "")
	if _, _, same := c.s.Do(http.MethodGet, "/questionnaire/"+cur, "", ""); !bytes.Equal(a.body, same) {
		t.Errorf("GET /questionnaire is not the current version %s", cur)
	}
	c.revalidate("/questionnaire", "/questionnaire?lang=fr", etags[cur+"/fr"])
	c.run(http.MethodGet, "/questionnaire", city{}, []exchange{
		{name: "German", url: "/questionnaire?lang=de", status: 400, pointer: "query/lang"},
		{name: "upper-case language", url: "/questionnaire?lang=EN", status: 400, pointer: "query/lang"},
	})
	c.run(http.MethodGet, versionPath, city{}, []exchange{
		{name: "an unknown version", url: "/questionnaire/1999", status: 404},
		{name: "an unknown language", url: "/questionnaire/" + cur + "?lang=es", status: 400, pointer: "query/lang"},
	})
	c.run(http.MethodGet, schemaPath, city{}, []exchange{
		{name: "an unknown version", url: "/questionnaire/1999/schema", status: 404},
	})
}

// TestContractDrafts saves a city's draft from the documented examples,
// resumes it, and sends what the draft routes refuse.
func TestContractDrafts(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Draft")
	cur := index.Current().Version
	c.run(http.MethodGet, draftPath, ct, []exchange{{name: "no draft yet", as: theCity, status: 404}})

	// Each example saved over the one before; the first creates the draft.
	etag, saved := "", ""
	for name, ex := range c.requestExamples(http.MethodPut, draftPath) {
		var headers []string
		if etag != "" {
			headers = []string{"If-Match", etag}
		}
		a := c.expect(map[bool]int{true: http.StatusCreated, false: http.StatusOK}[etag == ""], http.MethodPut, draftPath, ct.url(draftPath), ct.token, ex, headers...)
		if etag == "" && a.hdr.Get("ETag") != `"1"` {
			t.Errorf("example %s, the first save: ETag %s, want \"1\"", name, a.hdr.Get("ETag"))
		}
		etag, saved = a.hdr.Get("ETag"), ex
	}
	a := c.expect(http.StatusOK, http.MethodGet, draftPath, ct.url(draftPath), ct.token, "")
	var d struct {
		Answers  []any
		Revision int64
	}
	if err := json.Unmarshal(a.body, &d); err != nil {
		t.Fatal(err)
	}
	if want := jsonValue(t, []byte(saved)).(map[string]any)["answers"]; a.hdr.Get("ETag") != etag || fmt.Sprint(d.Answers) != fmt.Sprint(want) || fmt.Sprintf(`"%d"`, d.Revision) != etag {
		t.Errorf("GET draft: ETag %s, revision %d, answers %v, want %s and %v", a.hdr.Get("ETag"), d.Revision, d.Answers, etag, want)
	}
	a = c.expect(http.StatusOK, http.MethodPut, draftPath, ct.url(draftPath), c.admin, saved, "If-Match", etag)
	if a.hdr.Get("ETag") == etag {
		t.Errorf("the secretariat's save kept the ETag %s", etag)
	}
	stale, etag := etag, a.hdr.Get("ETag")

	// Each answer of a draft is checked, and reported at its place.
	invalid := `{"version":"` + cur + `","answers":[
		{"question":"commitment.statement","option":"maybe"},
		{"question":"commitment.budget","option":"yes"},
		{"question":"demographics.population","value":0},
		{"question":"demographics.origin-groups","text":"   "},
		{"question":"commitment.strategy","value":2},
		{"question":"commitment.statement","option":"yes"}]}`
	a = c.expect(http.StatusBadRequest, http.MethodPut, draftPath, ct.url(draftPath), ct.token, invalid, "If-Match", etag)
	p := decodeProblem(t, a.hdr, a.body)
	want := []struct{ pointer, question string }{
		{"/answers/0/option", "commitment.statement"},
		{"/answers/1/question", "commitment.budget"},
		{"/answers/2/value", "demographics.population"},
		{"/answers/3/text", "demographics.origin-groups"},
		{"/answers/4", "commitment.strategy"},
		{"/answers/4/option", "commitment.strategy"},
		{"/answers/5/question", "commitment.statement"},
	}
	for i, w := range want {
		if i >= len(p.Errors) || p.Errors[i].Pointer != w.pointer || !strings.HasPrefix(p.Errors[i].Detail, w.question+": ") {
			t.Errorf("invalid answers: error %d should be at %s about %s: %s", i, w.pointer, w.question, a.body)
		}
	}
	if len(p.Errors) != len(want) {
		t.Errorf("invalid answers: %d errors, want %d: %s", len(p.Errors), len(want), a.body)
	}

	partial := func(answers string) string { return `{"version":"` + cur + `","answers":[` + answers + `]}` }
	one := partial(`{"question":"commitment.statement","option":"yes"}`)
	ifMatch := []string{"If-Match", etag}
	otherCity := "/cities/" + missing + "/index/draft"
	c.run(http.MethodPut, draftPath, ct, []exchange{
		{name: "a stale If-Match", as: theCity, body: one, headers: []string{"If-Match", stale}, status: 412},
		{name: "a weak If-Match, even of the current revision", as: theCity, body: one, headers: []string{"If-Match", "W/" + etag}, status: 412},
		{name: "a key named twice", as: theCity, body: `{"version":"` + cur + `","answers":[],"version":"` + cur + `"}`, headers: ifMatch, status: 400, pointer: "/version", errors: 1},
		{name: "a key named twice in an answer", as: theCity, body: partial(`{"question":"commitment.statement","option":"yes","option":"no"}`), headers: ifMatch, status: 400, pointer: "/answers/0/option", errors: 1},
		{name: "a lone surrogate in an answer", as: theCity, body: partial(`{"question":"commitment.statement","option":"yes","evidence":"Council \ud800"}`), headers: ifMatch, status: 400, pointer: "/answers/0/evidence", errors: 1},
		{name: "JSON without Content-Type", as: theCity, body: one, headers: []string{"If-Match", etag, "Content-Type", ""}, status: 415, pointer: "header/Content-Type"},
		{name: "no If-Match on an existing draft", as: theCity, body: one, status: 412},
		{name: "a city that does not exist", as: secretariat, url: otherCity, body: one, headers: []string{"If-Match", `"1"`}, status: 404},
		{name: "a malformed If-Match", as: theCity, body: one, headers: []string{"If-Match", "latest"}, status: 400, pointer: "header/If-Match"},
		{name: "an unknown field in an answer", as: theCity, body: partial(`{"question":"commitment.statement","option":"yes","score":2}`), headers: ifMatch, status: 400, pointer: "/answers/0/score"},
		{name: "a wrong type in an answer", as: theCity, body: partial(`{"question":"commitment.statement","option":"yes"},{"question":"demographics.population","value":"many"}`), headers: ifMatch, status: 400, pointer: "/answers/1/value"},
		{name: "no version", as: theCity, body: `{"answers":[]}`, headers: ifMatch, status: 400, pointer: "/version"},
		{name: "an unknown version", as: theCity, body: `{"version":"1999","answers":[]}`, headers: ifMatch, status: 400, pointer: "/version"},
		{name: "a past version", as: theCity, body: `{"version":"` + pastVersion(t) + `","answers":[]}`, headers: ifMatch, status: 400, pointer: "/version", errors: 1},
		{name: "no answers", as: theCity, body: `{"version":"` + cur + `"}`, headers: ifMatch, status: 400, pointer: "/answers"},
		{name: "malformed JSON", as: theCity, body: `{"version":`, headers: ifMatch, status: 400, pointer: "/"},
		{name: "not JSON", as: theCity, body: "version=2019", headers: []string{"If-Match", etag, "Content-Type", "application/x-www-form-urlencoded"}, status: 415, pointer: "header/Content-Type"},
		{name: "too large", as: theCity, body: partial(`{"question":"commitment.statement","option":"yes","evidence":"` + strings.Repeat("x", httpapi.MaxIndexBody) + `"}`), headers: ifMatch, status: 413, pointer: "/"},
		{name: "anonymous", body: one, status: 401},
		{name: "another city", as: theCity, url: otherCity, body: one, status: 403},
		{name: "a malformed id", as: secretariat, url: "/cities/" + malformed + "/index/draft", body: one, status: 400, pointer: "path/cityId"},
	})
	c.run(http.MethodGet, draftPath, ct, []exchange{
		{name: "anonymous", status: 401},
		{name: "an unknown token", as: unknownToken, status: 401},
		{name: "another city", as: theCity, url: otherCity, status: 403},
		{name: "no such city", as: secretariat, url: otherCity, status: 404},
		{name: "a malformed id", as: secretariat, url: "/cities/" + malformed + "/index/draft", status: 400, pointer: "path/cityId"},
	})
	if a := c.send(http.MethodGet, draftPath, ct.url(draftPath), ct.token, ""); a.hdr.Get("ETag") != etag {
		t.Errorf("a refused save changed the draft: ETag %s, want %s", a.hdr.Get("ETag"), etag)
	}

	// An ended file's draft stays as it was left, as the INDEX can no
	// longer be submitted (the withdrawal ended the city's link: the
	// secretariat tries).
	c.advance(withdrawalPath, &ct, c.example(withdrawalPath, ""), membership.StatusWithdrawn)
	c.run(http.MethodPut, draftPath, ct, []exchange{
		{name: "a withdrawn city's draft", as: secretariat, body: one, headers: ifMatch, status: 409},
		{name: "a withdrawn city's draft, with the city's ended link", as: theCity, body: one, headers: ifMatch, status: 401},
	})
	c.run(http.MethodPost, submissionsPath, ct, []exchange{
		{name: "a withdrawn city's submission", as: secretariat, body: c.example(submissionsPath, "complete"), status: 409},
	})
	if a := c.send(http.MethodGet, draftPath, ct.url(draftPath), c.admin, ""); a.hdr.Get("ETag") != etag {
		t.Errorf("an ended file's draft changed: ETag %s, want %s", a.hdr.Get("ETag"), etag)
	}
}

// TestContractSubmissions submits the documented complete questionnaire,
// replays it, reads it received then scored, and sends what the submission
// routes refuse.
func TestContractSubmissions(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Submission")
	complete := c.example(submissionsPath, "complete")
	a := c.expect(http.StatusAccepted, http.MethodPost, submissionsPath, ct.url(submissionsPath), ct.token, complete, "Idempotency-Key", "contract-complete")
	var acc struct {
		SubmissionID string
		Links        struct{ Submission string }
	}
	if err := json.Unmarshal(a.body, &acc); err != nil {
		t.Fatal(err)
	}
	submission := ct.url(submissionsPath) + "/" + acc.SubmissionID
	if a.hdr.Get("Location") != submission || acc.Links.Submission != submission {
		t.Errorf("Location %q, links.submission %q, want %s", a.hdr.Get("Location"), acc.Links.Submission, submission)
	}
	c.replay(a, http.MethodPost, submissionsPath, ct.url(submissionsPath), ct.token, complete, "contract-complete")

	// A submission missing answers lists every offending question.
	var in struct {
		Version string
		Answers []map[string]any
	}
	if err := json.Unmarshal([]byte(complete), &in); err != nil {
		t.Fatal(err)
	}
	dropped := map[string]bool{"demographics.origin-groups": true, "commitment.strategy": true, "anti-discrimination.monitoring": true}
	var kept []map[string]any
	badOption := -1
	for _, x := range in.Answers {
		if dropped[x["question"].(string)] {
			continue
		}
		if x["question"] == "commitment.statement" {
			x = maps.Clone(x)
			x["option"] = "maybe"
			badOption = len(kept)
		}
		kept = append(kept, x)
	}
	if len(kept) != len(in.Answers)-len(dropped) || badOption < 0 {
		t.Fatalf("the complete example should answer %v and commitment.statement", sortedKeys(dropped))
	}
	a = c.expect(http.StatusBadRequest, http.MethodPost, submissionsPath, ct.url(submissionsPath), ct.token, answersBody(t, in.Version, kept))
	reported := map[string]string{}
	for _, e := range decodeProblem(t, a.hdr, a.body).Errors {
		q, _, _ := strings.Cut(e.Detail, ": ")
		reported[q] = e.Pointer
	}
	want := map[string]string{"commitment.statement": fmt.Sprintf("/answers/%d/option", badOption)}
	for q := range dropped {
		want[q] = "/answers"
	}
	if !maps.Equal(reported, want) {
		t.Errorf("incomplete submission: reported %v, want %v: %s", reported, want, a.body)
	}
	otherCity := "/cities/" + missing + "/index/submissions"
	c.run(http.MethodPost, submissionsPath, ct, []exchange{
		{name: "a key reused", as: theCity, body: answersBody(t, in.Version, in.Answers[1:]), headers: []string{"Idempotency-Key", "contract-complete"}, status: 422},
		{name: "a bad key", as: theCity, body: complete, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, pointer: "header/Idempotency-Key"},
		{name: "no answers", as: theCity, body: answersBody(t, in.Version, []any{}), status: 400, pointer: "/answers"},
		{name: "a past version", as: theCity, body: answersBody(t, pastVersion(t), in.Answers), status: 400, pointer: "/version", errors: 1},
		{name: "an unknown field", as: theCity, body: strings.Replace(complete, `{`, `{"draft":true,`, 1), status: 400, pointer: "/draft"},
		{name: "too large", as: theCity, body: `{"version":"` + strings.Repeat("x", httpapi.MaxIndexBody) + `"}`, status: 413, pointer: "/"},
		{name: "anonymous", body: complete, status: 401},
		{name: "another city", as: theCity, url: otherCity, body: complete, status: 403},
		{name: "no such city", as: secretariat, url: otherCity, body: complete, status: 404},
		{name: "a malformed id", as: secretariat, url: "/cities/" + malformed + "/index/submissions", body: complete, status: 400, pointer: "path/cityId"},
	})

	// Reading the submission, received and then scored.
	for _, tt := range []struct {
		as        caller
		status    string
		standings int
	}{
		{theCity, "received", 0},
		{secretariat, "scored", 3},
	} {
		if tt.status == "scored" {
			c.s.Drain()
		}
		a := c.expect(http.StatusOK, http.MethodGet, submissionPath, submission, c.tokenOf(tt.as, ct), "")
		var got struct {
			Status    string
			Result    map[string]any
			Standings []any
		}
		if err := json.Unmarshal(a.body, &got); err != nil || got.Status != tt.status || (got.Result != nil) != (tt.standings > 0) || len(got.Standings) != tt.standings {
			t.Errorf("GET the submission, %s: %s", tt.status, a.body)
		}
	}
	c.run(http.MethodGet, submissionPath, ct, []exchange{
		{name: "no such submission", as: theCity, url: submissionsPath + "/" + missing, status: 404},
		{name: "another city's path", as: secretariat, url: otherCity + "/" + acc.SubmissionID, status: 404},
		{name: "a malformed submission id", as: theCity, url: submissionsPath + "/" + malformed, status: 400, pointer: "path/submissionId"},
		{name: "a malformed city id", as: secretariat, url: "/cities/" + malformed + "/index/submissions/" + acc.SubmissionID, status: 400, pointer: "path/cityId"},
		{name: "anonymous", url: submission, status: 401},
		{name: "another city", as: theCity, url: otherCity + "/" + acc.SubmissionID, status: 403},
	})
}

// servedSchema fetches the JSON Schema the API serves for a version.
func (c contract) servedSchema(version string) *openapi3.SchemaRef {
	c.t.Helper()
	a := c.expect(http.StatusOK, http.MethodGet, "/questionnaire/{version}/schema", "/questionnaire/"+version+"/schema", "", "")
	var js openapi3.Schema
	if err := json.Unmarshal(a.body, &js); err != nil {
		c.t.Fatalf("the %s schema: %v", version, err)
	}
	return &openapi3.SchemaRef{Value: &js}
}

// TestContractSubmissionSchemaAgreesWithTheHandler sends variants of the
// documented complete submission to the real handler and checks that the
// JSON Schema the API serves accepts exactly those the handler accepts, and
// that the document's generic request schema refuses none of them.
func TestContractSubmissionSchemaAgreesWithTheHandler(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Schema")
	generic := c.requestSchema(http.MethodPost, submissionsPath)
	q := index.Current()
	served := c.servedSchema(q.Version)

	var base struct {
		Version string           `json:"version"`
		Answers []map[string]any `json:"answers"`
	}
	if err := json.Unmarshal([]byte(c.example(submissionsPath, "complete")), &base); err != nil {
		t.Fatal(err)
	}
	if base.Version != q.Version {
		t.Fatalf("the complete example answers %s, not the current version %s", base.Version, q.Version)
	}
	// with returns the example's answers with question's answer replaced by
	// a (nil: removed), or a appended when question is "".
	with := func(question string, a map[string]any) []map[string]any {
		out := make([]map[string]any, 0, len(base.Answers)+1)
		found := question == ""
		for _, x := range base.Answers {
			if x["question"] == question {
				found = true
				if a != nil {
					out = append(out, a)
				}
				continue
			}
			out = append(out, x)
		}
		if !found {
			t.Fatalf("the complete example does not answer %s", question)
		}
		if question == "" {
			out = append(out, a)
		}
		return out
	}
	ans := func(question string, kv ...any) map[string]any {
		m := map[string]any{"question": question}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	optional := demo.Answers(q, demo.City{Population: 150000, ForeignBorn: 12}, 0.7, 3, true)
	var partArea index.Answer
	for _, a := range optional {
		if _, area, _ := q.Question(a.Question); area != nil && area.Optional {
			partArea = a
			break
		}
	}
	many := slices.Clone(base.Answers)
	for len(many) <= index.MaxAnswers {
		many = append(many, base.Answers...)
	}
	body := func(version string, answers any) string { return answersBody(t, version, answers) }
	v := base.Version
	accepted := 0
	for _, tt := range []struct {
		name  string
		body  string
		known string // why the served schema and the handler knowingly disagree
	}{
		{"the example", body(v, base.Answers), ""},
		{"with the optional areas", body(v, optional), ""},
		{"part of an optional area", body(v, append(slices.Clone(base.Answers), map[string]any{"question": partArea.Question, "option": *partArea.Option})),
			"JSON Schema cannot say that an optional area is answered whole or not at all; the schema's description says it"},
		{"a core question missing", body(v, with("commitment.strategy", nil)), ""},
		{"a demographic missing", body(v, with("demographics.origin-groups", nil)), ""},
		{"a question answered twice", body(v, with("", ans("commitment.statement", "option", "no"))),
			"JSON Schema cannot say that each question is answered once; the schema's description says it"},
		{"an unknown question", body(v, with("", ans("commitment.budget", "option", "yes"))), ""},
		{"an unknown option", body(v, with("commitment.statement", ans("commitment.statement", "option", "maybe"))), ""},
		{"a value for a choice", body(v, with("commitment.statement", ans("commitment.statement", "value", 2))), ""},
		{"an option and a value", body(v, with("commitment.statement", ans("commitment.statement", "option", "yes", "value", 2))), ""},
		{"a null value beside the option", body(v, with("commitment.statement", ans("commitment.statement", "option", "yes", "value", nil))),
			"encoding/json reads null as absent"},
		{"a share over 100", body(v, with("demographics.foreign-born", ans("demographics.foreign-born", "value", 100.5))), ""},
		{"a share of 100", body(v, with("demographics.foreign-born", ans("demographics.foreign-born", "value", 100))), ""},
		{"a population of 0", body(v, with("demographics.population", ans("demographics.population", "value", 0))), ""},
		{"a fractional population", body(v, with("demographics.population", ans("demographics.population", "value", 150000.5))), ""},
		{"a value as a string", body(v, with("demographics.population", ans("demographics.population", "value", "150000"))), ""},
		{"an empty text", body(v, with("demographics.origin-groups", ans("demographics.origin-groups", "text", ""))), ""},
		{"a blank text", body(v, with("demographics.origin-groups", ans("demographics.origin-groups", "text", "   "))),
			"the schema says minLength 1; the handler also refuses blank text"},
		{"1000 accented letters of text", body(v, with("demographics.origin-groups", ans("demographics.origin-groups", "text", strings.Repeat("é", 1000)))), ""},
		{"1001 letters of text", body(v, with("demographics.origin-groups", ans("demographics.origin-groups", "text", strings.Repeat("a", 1001)))), ""},
		{"evidence where none is taken", body(v, with("demographics.origin-groups", ans("demographics.origin-groups", "text", "Turkey 4 %", "evidence", "census"))), ""},
		{"empty evidence where none is taken", body(v, with("demographics.origin-groups", ans("demographics.origin-groups", "text", "Turkey 4 %", "evidence", ""))),
			"the handler reads empty evidence as none"},
		{"4000 accented letters of evidence", body(v, with("commitment.statement", ans("commitment.statement", "option", "yes", "evidence", strings.Repeat("é", 4000)))), ""},
		{"4001 letters of evidence", body(v, with("commitment.statement", ans("commitment.statement", "option", "yes", "evidence", strings.Repeat("a", 4001)))), ""},
		{"an unknown field in an answer", body(v, with("commitment.statement", ans("commitment.statement", "option", "yes", "score", 2))), ""},
		{"an answer without a question", body(v, with("", map[string]any{"option": "yes"})), ""},
		{"too many answers", body(v, many), ""},
		{"a past version", body(pastVersion(t), base.Answers), ""},
		{"no version", `{"answers":[]}`, ""},
		{"no answers", body(v, []any{}), ""},
		{"an unknown field", strings.Replace(body(v, base.Answers), `{`, `{"draft":true,`, 1), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := jsonValue(t, []byte(tt.body))
			servedErr, genericErr := visit(served, x, asRequest), visit(generic, x, asRequest)
			status, _, resp := c.s.Do(http.MethodPost, ct.url(submissionsPath), ct.token, tt.body)
			if status != http.StatusAccepted && status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", status, resp)
			}
			ok := status == http.StatusAccepted
			if ok {
				accepted++
			}
			agreement{documented: servedErr == nil, schemaErr: servedErr, served: ok, known: tt.known, answer: fmt.Sprintf("%d %s", status, resp)}.judge(t)
			if ok && genericErr != nil && tt.known == "" {
				t.Errorf("the handler accepts what the documented request schema refuses: %v", genericErr)
			}
		})
	}
	if accepted == 0 {
		t.Error("the handler accepted no variant")
	}
}
