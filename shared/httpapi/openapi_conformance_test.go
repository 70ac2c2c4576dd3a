package httpapi_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The tools of the tests that drive the real handlers on a local stack and
// check each answer against the document.

// contract is a local stack and the document its answers must follow.
type contract struct {
	t     *testing.T
	doc   *openapi3.T
	s     *localtest.Stack
	admin string // a secretariat token
}

// examplesNow is the time of the local stack's clock in the contract
// tests. The documented examples carry fixed dates of 2026, and the handlers
// refuse a signature, a visit, a profile or an agreement in writing dated in
// the future, and a notice dated more than TERMINATION_NOTICE_GRACE back: at
// this time every example date has passed and the termination example's
// notice is 3 days old, whatever today's date is.
var examplesNow = time.Date(2026, time.November, 2, 10, 0, 0, 0, time.UTC)

func newContract(t *testing.T) contract {
	t.Helper()
	s := localtest.New(t, local.Options{})
	s.Clock.Set(examplesNow)
	// DynamoDB's TTL deletes by the real time, which the pinned clock may
	// be years behind: the emulator would delete idempotency records and
	// tokens the stack still holds live. Their expiry is enforced in code,
	// by the stack's clock; the table needs no TTL in these tests.
	if _, err := s.DB.UpdateTimeToLive(context.Background(), &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(s.Table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(false)},
	}); err != nil {
		t.Fatalf("turn off the table's TTL: %v", err)
	}
	return contract{t, loadContract(t), s, s.AdminToken()}
}

// daysAfter is the date n days after the stack's clock, YYYY-MM-DD.
func (c contract) daysAfter(n int) string {
	return c.s.Clock.Now().UTC().AddDate(0, 0, n).Format("2006-01-02")
}

// A city id no city has, and one that cannot be an id.
const (
	missing   = "aaaaaaaaaaaaaaaaaaaaaaaaaa"
	malformed = "not-an-id"
)

// answer is a response of the local stack.
type answer struct {
	status int
	hdr    http.Header
	body   []byte
}

// send sends a request for the operation (method, route) of the document
// and checks the answer against it, whatever its status.
func (c contract) send(method, route, url, token, body string, headers ...string) answer {
	c.t.Helper()
	status, hdr, b := c.s.Do(method, url, token, body, headers...)
	c.check(method, route, status, hdr, b)
	return answer{status, hdr, b}
}

// expect is send, stopping the test unless the status is want.
func (c contract) expect(want int, method, route, url, token, body string, headers ...string) answer {
	c.t.Helper()
	a := c.send(method, route, url, token, body, headers...)
	if a.status != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, url, a.status, want, a.body)
	}
	return a
}

// replay resends a request with the Idempotency-Key of its first answer and
// checks that the answer is the first one, marked replayed.
func (c contract) replay(first answer, method, route, url, token, body, key string) {
	c.t.Helper()
	again := c.send(method, route, url, token, body, "Idempotency-Key", key)
	if again.status != first.status || again.hdr.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.body, again.body) ||
		again.hdr.Get("Location") != first.hdr.Get("Location") {
		c.t.Fatalf("replay of %s %s: %d %q Location %q %s, want %d and the first body", method, url, again.status,
			again.hdr.Get("Idempotent-Replayed"), again.hdr.Get("Location"), again.body, first.status)
	}
}

// check validates a real response of the operation (method, path) in the
// document: its status, media type, body, headers and that the body has no
// property the document does not describe.
func (c contract) check(method, path string, status int, hdr http.Header, body []byte) {
	c.t.Helper()
	where := fmt.Sprintf("%s %s -> %d", method, path, status)
	item := c.doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		c.t.Errorf("%s: the operation is not documented", where)
		return
	}
	provoked.add(method, path, status)
	r := item.GetOperation(method).Responses.Status(status)
	if r == nil {
		c.t.Errorf("%s: the status is not documented; body %s", where, body)
		return
	}
	c.response(where, r.Value, hdr, body)
}

func (c contract) response(where string, r *openapi3.Response, hdr http.Header, body []byte) {
	c.t.Helper()
	c.headers(where, r, hdr)
	if len(r.Content) == 0 {
		if len(body) > 0 || hdr.Get("Content-Type") != "" {
			c.t.Errorf("%s: documented without a body, sent %q %s", where, hdr.Get("Content-Type"), body)
		}
		return
	}
	ct, _, err := mime.ParseMediaType(hdr.Get("Content-Type"))
	if err != nil {
		c.t.Errorf("%s: Content-Type %q: %v", where, hdr.Get("Content-Type"), err)
		return
	}
	mt := r.Content.Get(ct)
	if mt == nil || mt.Schema == nil {
		c.t.Errorf("%s: media type %s is not documented", where, ct)
		return
	}
	// An HTML page is documented as a string: check that it is one.
	if ct == "text/html" {
		if err := visit(mt.Schema, string(body), false); err != nil || !bytes.HasPrefix(body, []byte("<!DOCTYPE html>")) {
			c.t.Errorf("%s: the body is not the documented HTML page (%v): %.100s", where, err, body)
		}
		return
	}
	// A document (a PDF, an e-invoice, a CSV) is documented as a string of
	// its media type: check that the body is such a document.
	if isDocument, ok := documents[ct]; ok {
		if err := isDocument(body, mt); err != nil {
			c.t.Errorf("%s: the body is not the documented %s: %v: %.100q", where, ct, err, body)
		}
		return
	}
	v := jsonValue(c.t, body)
	if err := visit(mt.Schema, v, false); err != nil {
		c.t.Errorf("%s: the body does not match the documented schema: %v\nbody: %s", where, err, body)
	}
	if extra := undocumented(mt.Schema.Value, v, ""); len(extra) > 0 {
		c.t.Errorf("%s: the body has undocumented properties %v\nbody: %s", where, extra, body)
	}
}

// headers checks the documented headers of a response, and that the
// headers a client acts on are documented when sent.
func (c contract) headers(where string, r *openapi3.Response, hdr http.Header) {
	c.t.Helper()
	for name, h := range r.Headers {
		got := hdr.Get(name)
		if got == "" {
			if h.Value.Required {
				c.t.Errorf("%s: required header %s is missing", where, name)
			}
			continue
		}
		if err := visit(h.Value.Schema, got, false); err != nil {
			c.t.Errorf("%s: header %s: %q does not match its schema: %v", where, name, got, err)
		}
	}
	for _, name := range []string{"Location", "Idempotent-Replayed", "WWW-Authenticate", "Allow", "ETag", "Cache-Control", "Vary",
		"Content-Disposition", "Retry-After"} {
		if hdr.Get(name) != "" && r.Headers[name] == nil {
			c.t.Errorf("%s: the response sends %s, which is not documented", where, name)
		}
	}
}

// documents check the bodies of the media types the API serves besides JSON
// and HTML, against the document's description of them.
var documents = map[string]func(body []byte, mt *openapi3.MediaType) error{
	"application/pdf": func(body []byte, mt *openapi3.MediaType) error {
		if mt.Schema.Value.ContentMediaType != "application/pdf" {
			return fmt.Errorf("the schema says %q", mt.Schema.Value.ContentMediaType)
		}
		if !bytes.HasPrefix(body, []byte("%PDF-")) || !bytes.Contains(body[max(0, len(body)-1024):], []byte("%%EOF")) {
			return errors.New("no PDF header or trailer")
		}
		return nil
	},
	"application/xml": func(body []byte, mt *openapi3.MediaType) error {
		if mt.Schema.Value.ContentMediaType != "application/xml" {
			return fmt.Errorf("the schema says %q", mt.Schema.Value.ContentMediaType)
		}
		dec := xml.NewDecoder(bytes.NewReader(body))
		roots := 0
		for depth := 0; ; {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			switch tok.(type) {
			case xml.StartElement:
				if depth == 0 {
					roots++
				}
				depth++
			case xml.EndElement:
				depth--
			}
		}
		if roots != 1 {
			return fmt.Errorf("%d root elements", roots)
		}
		return nil
	},
	// A CSV has the documented example's columns, and as many fields in
	// every row.
	"text/csv": func(body []byte, mt *openapi3.MediaType) error {
		example, ok := mt.Example.(string)
		if !ok {
			return errors.New("no documented example to take the columns from")
		}
		documented, err := csv.NewReader(strings.NewReader(example)).Read()
		if err != nil {
			return err
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			return err
		}
		if len(rows) == 0 || !slices.Equal(rows[0], documented) {
			return fmt.Errorf("columns %v, documented %v", rows[:min(1, len(rows))], documented)
		}
		return nil
	},
}

// undocumented lists the properties of v that schema s does not describe,
// as JSON Pointers. Objects without declared properties, or declared open
// with additionalProperties: true, are free-form. The properties of allOf
// count, and those of the oneOf and anyOf branches that v matches.
func undocumented(s *openapi3.Schema, v any, at string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		props := openapi3.Schemas{}
		var additional *openapi3.SchemaRef
		var collect func(*openapi3.Schema)
		collect = func(s *openapi3.Schema) {
			maps.Copy(props, s.Properties)
			if s.AdditionalProperties.Schema != nil {
				additional = s.AdditionalProperties.Schema
			}
			for _, sub := range s.AllOf {
				collect(sub.Value)
			}
			for _, sub := range slices.Concat(s.OneOf, s.AnyOf) {
				if visit(sub, v, false) == nil {
					collect(sub.Value)
				}
			}
		}
		collect(s)
		if open := s.AdditionalProperties.Has; (open != nil && *open) || (len(props) == 0 && additional == nil) {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			switch p := props[k]; {
			case p != nil:
				out = append(out, undocumented(p.Value, x[k], at+"/"+k)...)
			case additional != nil:
				out = append(out, undocumented(additional.Value, x[k], at+"/"+k)...)
			default:
				out = append(out, at+"/"+k)
			}
		}
	case []any:
		if s.Items != nil {
			for i, e := range x {
				out = append(out, undocumented(s.Items.Value, e, fmt.Sprintf("%s/%d", at, i))...)
			}
		}
	}
	return out
}

// requestExamples returns the request examples of an operation, by name.
func (c contract) requestExamples(method, path string) map[string]string {
	c.t.Helper()
	mt := c.doc.Paths.Value(path).GetOperation(method).RequestBody.Value.Content.Get("application/json")
	out := map[string]string{}
	for name, e := range mt.Examples {
		out[name] = string(roundTripBytes(c.t, e.Value.Value))
	}
	if len(out) == 0 {
		c.t.Fatalf("%s %s has no request examples", method, path)
	}
	return out
}

// example returns the request example of a POST route that has one, or the
// one named.
func (c contract) example(path, name string) string {
	c.t.Helper()
	ex := c.requestExamples(http.MethodPost, path)
	if name == "" && len(ex) == 1 {
		for _, v := range ex {
			return v
		}
	}
	v, ok := ex[name]
	if !ok {
		c.t.Fatalf("POST %s has no request example %q: %v", path, name, slices.Sorted(maps.Keys(ex)))
	}
	return v
}

// requestSchema is the documented schema of an operation's JSON body.
func (c contract) requestSchema(method, path string) *openapi3.SchemaRef {
	return c.doc.Paths.Value(path).GetOperation(method).RequestBody.Value.Content.Get("application/json").Schema
}

// caller is who sends a request of a table.
type caller int

const (
	anonymous    caller = iota
	secretariat         // a secretariat token
	theCity             // the city's own token
	unknownToken        // a well-formed token nobody was given
)

// city is a city of a test, and what its requests need.
type city struct {
	id, token string
	visit     string // its expert visit's id, once scheduled
	invoice   string // the id of the invoice a test is about, once issued
	report    string // the id of the analytical report a test is about, once drafted
	practice  string // the id of the good practice a test is about, once added
}

// url fills a route's path parameters with the city's.
func (ct city) url(route string) string {
	return strings.NewReplacer("{cityId}", ct.id, "{visitId}", ct.visit, "{invoiceId}", ct.invoice,
		"{reportId}", ct.report, "{practiceId}", ct.practice).Replace(route)
}

// tokenOf is the token a caller sends about the city.
func (c contract) tokenOf(who caller, ct city) string {
	switch who {
	case secretariat:
		return c.admin
	case theCity:
		return ct.token
	case unknownToken:
		return strings.Repeat("A", 43)
	}
	return ""
}

// exchange is a request of a table, and the answer it gets: a status and,
// for a problem, where its first error points.
type exchange struct {
	name    string
	as      caller
	token   string // sent instead of the caller's, when given
	url     string // the route's path, or another, with {cityId}, {visitId} and {invoiceId} filled with the city's; the route's when empty
	body    string
	headers []string
	status  int
	pointer string // the first error's pointer, when given
	errors  int    // how many errors the problem lists, when given
	known   string // why the code and a good contract knowingly disagree on the pointer
}

// run sends each exchange about the city to the operation and checks its
// answer against the document; an error's answer must be a problem.
func (c contract) run(method, route string, ct city, rows []exchange) {
	c.t.Helper()
	for _, r := range rows {
		url, token := ct.url(cmp.Or(r.url, route)), cmp.Or(r.token, c.tokenOf(r.as, ct))
		status, hdr, body := c.s.Do(method, url, token, r.body, r.headers...)
		if status != r.status {
			c.t.Errorf("%s %s, %s: status %d, want %d: %s", method, route, r.name, status, r.status, body)
			continue
		}
		c.check(method, route, status, hdr, body)
		if status < 400 {
			continue
		}
		p := decodeProblem(c.t, hdr, body)
		if err := visit(c.doc.Components.Schemas["Problem"], jsonValue(c.t, body), asResponse); err != nil {
			c.t.Errorf("%s %s, %s: the %d answer is not a Problem: %v", method, route, r.name, status, err)
		}
		if r.errors > 0 && len(p.Errors) != r.errors {
			c.t.Errorf("%s %s, %s: %d errors, want %d: %s", method, route, r.name, len(p.Errors), r.errors, body)
		}
		if r.pointer == "" {
			continue
		}
		got := ""
		if len(p.Errors) > 0 {
			got = p.Errors[0].Pointer
		}
		switch {
		case got != r.pointer && r.known != "":
			c.t.Logf("known disagreement: %s %s, %s: pointer %q, a good contract says %q: %s", method, route, r.name, got, r.pointer, r.known)
		case got == r.pointer && r.known != "":
			c.t.Logf("%s %s, %s: now points at %s; drop the known disagreement %q", method, route, r.name, got, r.known)
		case got != r.pointer:
			c.t.Errorf("%s %s, %s: first error at %q, want %q: %s", method, route, r.name, got, r.pointer, body)
		}
	}
}

// agreement is the verdict of a schema and of the handler on one input.
type agreement struct {
	documented bool   // the schema accepts it
	schemaErr  error  // why it does not
	served     bool   // the handler accepts it
	known      string // why the schema and the handler knowingly disagree
	answer     string // the handler's answer, for the failure message
}

// judge fails when the schema and the handler disagree, and reports known
// disagreements, or their end.
func (a agreement) judge(t *testing.T) {
	t.Helper()
	switch {
	case a.documented == a.served && a.known != "":
		t.Logf("schema and handler now agree (%v); drop the known disagreement %q", a.served, a.known)
	case a.documented != a.served && a.known != "":
		t.Logf("known disagreement: schema accepts %v, handler accepts %v: %s", a.documented, a.served, a.known)
	case a.documented != a.served:
		t.Errorf("schema accepts %v (%v), handler answers %s", a.documented, a.schemaErr, a.answer)
	}
}

// apply applies with the documented application under another name and
// returns the city, with the token its access link carries.
func (c contract) apply(name string) city {
	c.t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@contract.example"
	app := roundTrip(c.t, c.doc.Components.Schemas["Application"].Value.Example).(map[string]any)
	app["cityName"] = name
	app["contact"] = map[string]any{"name": "Contact", "email": email}
	a := c.expect(http.StatusCreated, http.MethodPost, "/applications", "/applications", "", string(roundTripBytes(c.t, app)))
	var r struct{ CityID string }
	if err := json.Unmarshal(a.body, &r); err != nil {
		c.t.Fatal(err)
	}
	c.s.Drain()
	return city{id: r.CityID, token: c.s.TokenFromMail(email)}
}

// answersBody marshals a draft or submission body.
func answersBody(t *testing.T, version string, answers any) string {
	t.Helper()
	return string(roundTripBytes(t, map[string]any{"version": version, "answers": answers}))
}

// submitIndex submits a complete questionnaire for the city; the next
// Drain scores it and drafts its analytical report: the city is
// index_reported once the secretariat publishes it (publishDraft).
func (c contract) submitIndex(ct city) {
	c.t.Helper()
	q := index.Current()
	answers := demo.Answers(q, demo.City{Population: 312000, ForeignBorn: 21.5}, 0.6, 1, false)
	c.expect(http.StatusAccepted, http.MethodPost, submissionsPath, ct.url(submissionsPath), ct.token, answersBody(c.t, q.Version, answers))
}

// runNow asks for a run of the schedule at url with body, delivers the
// table's stream (on which the schedule's function runs it), and follows
// the run's Location to its end, checking each answer against the
// document: it returns the finished run, which must have succeeded.
func (c contract) runNow(url, body string) answer {
	c.t.Helper()
	a := c.expect(http.StatusAccepted, http.MethodPost, runsPath, url, c.admin, body)
	c.s.Drain()
	done := c.expect(http.StatusOK, http.MethodGet, runPath, a.hdr.Get("Location"), c.admin, "")
	if !strings.Contains(string(done.body), `"status":"succeeded"`) || done.hdr.Get("Retry-After") != "" {
		c.t.Fatalf("GET %s once the streams were delivered: Retry-After %q: %s", a.hdr.Get("Location"), done.hdr.Get("Retry-After"), done.body)
	}
	return done
}

// The routes the tests drive most.
const (
	cityPath        = "/cities/{cityId}"
	draftPath       = "/cities/{cityId}/index/draft"
	submissionsPath = "/cities/{cityId}/index/submissions"
	submissionPath  = "/cities/{cityId}/index/submissions/{submissionId}"
	progressPath    = "/cities/{cityId}/progress-reports"
	pipelinePath    = "/admin/cities"
	auditPath       = "/admin/cities/{cityId}/audit"
	intentPath      = "/admin/cities/{cityId}/intent"
	visitPath       = "/admin/cities/{cityId}/expert-visits"
	heldPath        = "/admin/cities/{cityId}/expert-visits/{visitId}/held"
	profilePath     = "/admin/cities/{cityId}/profile"
	agreementPath   = "/admin/cities/{cityId}/agreement"
	amendmentsPath  = "/admin/cities/{cityId}/agreement/amendments"
	terminationPath = "/admin/cities/{cityId}/termination"
	withdrawalPath  = "/admin/cities/{cityId}/withdrawal"
	declinePath     = "/admin/cities/{cityId}/decline"
	tokensPath      = "/admin/cities/{cityId}/tokens"
	runsPath        = "/admin/runs/{schedule}"
	runPath         = "/admin/runs/{schedule}/{runId}"
)

// stepPaths are the routes of the secretariat's steps.
var stepPaths = []string{intentPath, visitPath, heldPath, profilePath, agreementPath, amendmentsPath, terminationPath, withdrawalPath, declinePath, tokensPath}

// stage is a step of the secretariat along the admission path.
type stage struct {
	route   string
	example string // the name of the request example it is recorded with; "" for the only one
	to      membership.Status
}

// admission is the secretariat's steps from a reported INDEX to notice.
var admission = []stage{
	{intentPath, "", membership.StatusIndexReported},
	{visitPath, "", membership.StatusVisitScheduled},
	{heldPath, "", membership.StatusVisitHeld},
	{profilePath, "", membership.StatusProfileIssued},
	{agreementPath, "signed", membership.StatusMember},
	{terminationPath, "", membership.StatusTerminationNotified},
}

// cityFile is what the tests read of a city's file.
type cityFile struct {
	Status      membership.Status
	NextSteps   []membership.Step
	ExpertVisit *struct{ VisitID string }
	Agreement   *struct {
		InForceFrom, EndsOn string
		Amendments          []amendment
	}
	Termination *struct{ EffectiveOn string }
	Timeline    []json.RawMessage
}

// amendment is an amendment of the agreement as the city's file shows it.
type amendment struct {
	AgreedOn, Reference, EndsOn, PreviousEndsOn string
	RecordedAt                                  time.Time
}

// cityAt applies under the name and takes the city along the admission
// path, with the documented examples, until its status is want.
func (c contract) cityAt(name string, want membership.Status) city {
	c.t.Helper()
	ct := c.apply(name)
	if want == membership.StatusApplied {
		return ct
	}
	c.submitIndex(ct)
	c.s.Drain()
	if want == membership.StatusIndexSubmitted {
		return ct
	}
	c.publishDraft(ct)
	for _, step := range admission {
		if c.getCity(ct, secretariat, "").Status == want {
			return ct
		}
		if f, _ := c.advance(step.route, &ct, c.example(step.route, step.example), step.to); f.Status == want {
			return ct
		}
	}
	c.t.Fatalf("the admission path does not reach %s", want)
	return ct
}

// advance records a step and checks the answer: 200, the status it leads
// to, the steps possible from there and no timeline. It keeps the id of a
// visit it schedules.
func (c contract) advance(route string, ct *city, body string, want membership.Status, headers ...string) (cityFile, answer) {
	c.t.Helper()
	a := c.expect(http.StatusOK, http.MethodPost, route, ct.url(route), c.admin, body, headers...)
	var f cityFile
	if err := json.Unmarshal(a.body, &f); err != nil {
		c.t.Fatal(err)
	}
	if f.Status != want || f.Timeline != nil {
		c.t.Errorf("POST %s: status %s, want %s, and no timeline: %s", route, f.Status, want, a.body)
	}
	if next := membership.Next(f.Status); !slices.Equal(f.NextSteps, next) && len(next)+len(f.NextSteps) > 0 {
		c.t.Errorf("POST %s: nextSteps %v, want %v", route, f.NextSteps, next)
	}
	if route == visitPath {
		if f.ExpertVisit == nil || f.ExpertVisit.VisitID == "" {
			c.t.Fatalf("the scheduled visit has no id: %s", a.body)
		}
		ct.visit = f.ExpertVisit.VisitID
	}
	return f, a
}

// getCity reads the city's file as the caller and checks it: 200, with a
// timeline and the steps possible from its status; and its status when
// want is given.
func (c contract) getCity(ct city, who caller, want membership.Status) cityFile {
	c.t.Helper()
	a := c.expect(http.StatusOK, http.MethodGet, cityPath, ct.url(cityPath), c.tokenOf(who, ct), "")
	var f cityFile
	if err := json.Unmarshal(a.body, &f); err != nil || len(f.Timeline) == 0 || (want != "" && f.Status != want) {
		c.t.Fatalf("GET /cities/%s: want %s with a timeline: %s", ct.id, cmp.Or(string(want), "a file"), a.body)
	}
	if next := membership.Next(f.Status); !slices.Equal(f.NextSteps, next) && len(next)+len(f.NextSteps) > 0 {
		c.t.Errorf("GET /cities/%s: nextSteps %v, want %v", ct.id, f.NextSteps, next)
	}
	return f
}
