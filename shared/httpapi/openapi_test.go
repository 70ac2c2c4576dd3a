package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/intercultural-cities/backoffice/infra/template"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The tests of the document on its own: it is valid OpenAPI 3.1, lists the
// routes the code serves and the template deploys, its examples match their
// schemas, its schemas refuse what the handlers refuse, and it speaks the
// domain's vocabulary. The openapi_*_test.go files check it against the real
// handlers, area by area.

// loadContract parses and validates the embedded document as OpenAPI 3.1,
// with JSON Schema 2020-12 semantics and every example checked by the
// loader. It does so once: the tests only read the document.
func loadContract(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := contract31()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var contract31 = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPIMajorMinor() != "3.1" {
		return nil, fmt.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(),
		openapi3.IsOpenAPI31OrLater(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaDefaultsValidation(),
	); err != nil {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI 3.1 document: %w", err)
	}
	return doc, nil
})

// visit validates a JSON value against a schema with JSON Schema 2020-12
// semantics, as a request or as a response.
func visit(s *openapi3.SchemaRef, v any, asRequest bool) error {
	opts := []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020(), openapi3.MultiErrors()}
	if asRequest {
		opts = append(opts, openapi3.VisitAsRequest())
	} else {
		opts = append(opts, openapi3.VisitAsResponse())
	}
	return s.Value.VisitJSON(v, opts...)
}

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return v
}

// roundTrip turns a Go value into what a JSON decoder would give.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jsonValue(t, b)
}

// withField returns a copy of m with field set to v, or removed when v is
// nil.
func withField(m map[string]any, field string, v any) map[string]any {
	m = maps.Clone(m)
	if v == nil {
		delete(m, field)
	} else {
		m[field] = v
	}
	return m
}

func key(method, path string) string { return method + " " + path }

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadContract(t)
	if doc.Info.Title != "Intercultural Cities back office API" {
		t.Errorf("info.title = %q", doc.Info.Title)
	}
	for _, word := range []string{"Bearer", "Idempotency-Key", "Idempotent-Replayed", "RFC 3339", "UTC", "minor unit", "ISO 4217", "opaque",
		"If-None-Match", "If-Match", "ETag", "262 144", "asynchronously", "ISO 11649", "EN 16931", "camt.053", "immutable", "credit note",
		"analytical report", "good practice", "`index_reported`", "Vary: Accept"} {
		if !strings.Contains(doc.Info.Description, word) {
			t.Errorf("info.description does not explain %q", word)
		}
	}
	if !slices.ContainsFunc(doc.Servers, func(s *openapi3.Server) bool { return s.URL == "http://127.0.0.1:3000" }) {
		t.Error("no server http://127.0.0.1:3000")
	}
	bearer := doc.Components.SecuritySchemes["bearer"]
	if bearer == nil || bearer.Value.Type != "http" || !strings.EqualFold(bearer.Value.Scheme, "bearer") {
		t.Errorf("securitySchemes.bearer is not HTTP bearer: %+v", bearer)
	}
}

// TestOpenAPICreatingRequestsCanBeRetried checks that every POST but a
// bank statement's import, whose entries are each recorded once whatever
// the request, and a report's publication, which publishes once however
// often it is asked, declares the Idempotency-Key header; or, for a form a
// browser sends (which sends no header of its own), an idempotencyKey field.
func TestOpenAPICreatingRequestsCanBeRetried(t *testing.T) {
	doc := loadContract(t)
	retried := 0
	for path, item := range doc.Paths.Map() {
		if item.Post == nil || path == "/admin/bank-statements" || path == publishPath {
			continue
		}
		retried++
		if form := item.Post.RequestBody.Value.Content.Get("application/x-www-form-urlencoded"); form != nil {
			if form.Schema.Value.Properties["idempotencyKey"] == nil {
				t.Errorf("POST %s is a form without an idempotencyKey field", path)
			}
			continue
		}
		if !slices.ContainsFunc(item.Post.Parameters, func(p *openapi3.ParameterRef) bool {
			return p.Value.In == "header" && p.Value.Name == "Idempotency-Key"
		}) {
			t.Errorf("POST %s does not declare the Idempotency-Key header", path)
		}
	}
	if retried < 14 {
		t.Errorf("only %d POST routes: the walk is broken", retried)
	}
}

// TestOpenAPIRequestSchemasAreClosed checks that the request schemas refuse
// fields they do not list, as the handlers do.
func TestOpenAPIRequestSchemasAreClosed(t *testing.T) {
	doc := loadContract(t)
	for _, name := range []string{"Application", "Contact", "IndexInput", "Answer", "IntentInput", "VisitInput", "Person",
		"VisitHeldInput", "Profile", "AgreementInput", "AmendmentInput", "Money", "TerminationInput", "ReasonInput", "TokenInput", "ProgressInput",
		"Indicator", "Buyer", "Address", "Endpoint", "PaymentInput", "CreditNoteInput", "RunInput", "CommentaryInput", "CommentInput",
		"Practice", "ApplicationForm"} {
		s := doc.Components.Schemas[name].Value
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("request schema %s does not say additionalProperties: false", name)
		}
	}
}

// TestOpenAPIRoutesMatchTemplateAndCode checks that the document, the
// template and the route table describe the same routes.
func TestOpenAPIRoutesMatchTemplateAndCode(t *testing.T) {
	doc := loadContract(t)
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[key(method, path)] = true
		}
	}
	tpl, err := template.LoadProject()
	if err != nil {
		t.Fatal(err)
	}
	deployed := map[string]bool{}
	for _, f := range tpl.Functions {
		for _, r := range f.Routes {
			deployed[key(r.Method, r.Path)] = true
		}
	}
	coded := map[string]bool{}
	for _, r := range httpapi.AllRoutes() {
		coded[key(r.Method, r.Path)] = true
	}
	if !maps.Equal(documented, deployed) {
		t.Errorf("documented routes %v != template routes %v", sortedKeys(documented), sortedKeys(deployed))
	}
	if !maps.Equal(documented, coded) {
		t.Errorf("documented routes %v != httpapi.AllRoutes %v", sortedKeys(documented), sortedKeys(coded))
	}
}

// example is one example of the document and the schema it illustrates.
type example struct {
	where   string
	schema  *openapi3.SchemaRef
	value   any
	request bool
}

// examples collects every example of request bodies, responses, parameters,
// headers and schemas, failing for a body without one.
func examples(t *testing.T, doc *openapi3.T) []example {
	t.Helper()
	var out []example
	// A 304 has no body; a response documented under 304 is bodiless
	// wherever it is used.
	bodiless := map[*openapi3.Response]bool{}
	content := func(where string, c openapi3.Content, request bool) {
		for ct, mt := range c {
			at := where + " " + ct
			n := 0
			if mt.Example != nil {
				out = append(out, example{at + " example", mt.Schema, mt.Example, request})
				n++
			}
			for name, e := range mt.Examples {
				out = append(out, example{at + " examples." + name, mt.Schema, e.Value.Value, request})
				n++
			}
			if n == 0 {
				t.Errorf("%s has no example", at)
			}
		}
	}
	response := func(where, status string, r *openapi3.ResponseRef) {
		switch {
		case status == "304":
			bodiless[r.Value] = true
			if len(r.Value.Content) > 0 {
				t.Errorf("%s documents a body; a 304 has none", where)
			}
		case len(r.Value.Content) == 0 && !bodiless[r.Value]:
			t.Errorf("%s documents no body", where)
		}
		content(where, r.Value.Content, false)
		for name, h := range r.Value.Headers {
			if h.Value.Example != nil {
				out = append(out, example{where + " header " + name, h.Value.Schema, h.Value.Example, false})
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := key(method, path)
			if op.RequestBody != nil {
				content(where+" request", op.RequestBody.Value.Content, true)
			}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value.Example != nil {
					out = append(out, example{where + " parameter " + p.Value.Name, p.Value.Schema, p.Value.Example, true})
				}
			}
			for status, r := range op.Responses.Map() {
				response(where+" "+status, status, r)
			}
		}
	}
	for name, r := range doc.Components.Responses {
		response("components.responses."+name, "", r)
	}
	// Schema examples, down to the properties'.
	seen := map[*openapi3.Schema]bool{}
	var schema func(where string, s *openapi3.SchemaRef)
	schema = func(where string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		seen[s.Value] = true
		if s.Value.Example != nil {
			out = append(out, example{where + " example", s, s.Value.Example, false})
		}
		for i, v := range s.Value.Examples {
			out = append(out, example{fmt.Sprintf("%s examples[%d]", where, i), s, v, false})
		}
		for name, p := range s.Value.Properties {
			schema(where+".properties."+name, p)
		}
		for i, sub := range s.Value.AllOf {
			schema(fmt.Sprintf("%s.allOf[%d]", where, i), sub)
		}
		for i, sub := range s.Value.OneOf {
			schema(fmt.Sprintf("%s.oneOf[%d]", where, i), sub)
		}
		schema(where+".items", s.Value.Items)
		schema(where+".additionalProperties", s.Value.AdditionalProperties.Schema)
	}
	for name, s := range doc.Components.Schemas {
		schema("components.schemas."+name, s)
	}
	return out
}

func TestOpenAPIExamplesMatchTheirSchemas(t *testing.T) {
	doc := loadContract(t)
	all := examples(t, doc)
	if len(all) < 40 {
		t.Fatalf("only %d examples found; the walk is broken", len(all))
	}
	for _, e := range all {
		if e.schema == nil {
			t.Errorf("%s: no schema to check the example against", e.where)
			continue
		}
		if err := visit(e.schema, e.value, e.request); err != nil {
			t.Errorf("%s does not match its schema: %v", e.where, err)
		}
	}
}

// As a request or as a response: readOnly and writeOnly fields count
// differently.
const (
	asRequest  = true
	asResponse = false
)

// TestOpenAPISchemasRefuse is the negative control of the examples' test:
// the schemas can fail, and fail for the reasons the handlers refuse a
// request or would never answer a response. Each row is a schema's example
// (or a response example) with one thing wrong.
func TestOpenAPISchemasRefuse(t *testing.T) {
	doc := loadContract(t)
	schemas := doc.Components.Schemas
	ex := func(schema string) map[string]any {
		return roundTrip(t, schemas[schema].Value.Example).(map[string]any)
	}
	responseExample := func(path string, status int, name string) map[string]any {
		e := doc.Paths.Value(path).Get.Responses.Status(status).Value.Content.Get("application/json").Examples[name]
		if e == nil {
			t.Fatalf("GET %s %d has no example %s", path, status, name)
		}
		return roundTrip(t, e.Value.Value).(map[string]any)
	}
	app, input, draft, standing, question := ex("Application"), ex("IndexInput"), ex("Draft"), ex("Standing"), ex("Question")
	visitIn, held, profile := ex("VisitInput"), ex("VisitHeldInput"), ex("Profile")
	agreement, termination, progress := ex("AgreementInput"), ex("TerminationInput"), ex("ProgressInput")
	amendment, agreementInForce := ex("AmendmentInput"), ex("Agreement")
	amendments := agreementInForce["amendments"].([]any)
	if len(amendments) == 0 {
		t.Fatal("the Agreement example should show an amendment")
	}
	older := pastVersion(t)
	received := responseExample("/cities/{cityId}/index/submissions/{submissionId}", 200, "received")
	scored := responseExample("/cities/{cityId}/index/submissions/{submissionId}", 200, "scored")
	if received["status"] != "received" || scored["status"] != "scored" {
		t.Fatalf("the submission examples named received and scored should be so")
	}
	city := responseExample("/cities/{cityId}", 200, "member")
	answer := func(kv ...any) map[string]any {
		a := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			a[kv[i].(string)] = kv[i+1]
		}
		return withField(input, "answers", []any{a})
	}
	answers := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"question": "commitment.statement", "option": "yes"}
		}
		return out
	}
	person := func(name, email string) map[string]any { return map[string]any{"name": name, "email": email} }
	experts := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = person(fmt.Sprintf("Expert %d", i), fmt.Sprintf("e%d@experts.example", i))
		}
		return out
	}
	eur := func(amount any, currency string) map[string]any {
		return map[string]any{"amount": amount, "currency": currency}
	}

	// The one positive control: as many answers as a questionnaire has.
	if err := visit(schemas["IndexInput"], withField(input, "answers", answers(index.MaxAnswers)), asRequest); err != nil {
		t.Errorf("IndexInput schema refuses %d answers: %v", index.MaxAnswers, err)
	}
	for _, tt := range []struct {
		schema string
		as     bool
		name   string
		bad    any
	}{
		{"Application", asRequest, "a population as a string", withField(app, "population", "many")},
		{"Application", asRequest, "a fractional population", withField(app, "population", 30000.5)},
		{"Application", asRequest, "an unknown field", withField(app, "score", 99.0)},
		{"Application", asRequest, "no language", withField(app, "language", nil)},
		{"Application", asRequest, "an unassigned country", withField(app, "country", "XX")},
		{"Application", asRequest, "a line break in the name", withField(app, "cityName", "Lyon\r\nBcc: x@y.example")},
		{"Application", asRequest, "a blank name", withField(app, "cityName", "   ")},
		{"Application", asRequest, "a share over 100", withField(app, "foreignBornShare", 100.5)},
		{"Application", asRequest, "an unknown contact field", withField(app, "contact", map[string]any{"name": "A", "email": "a@b.example", "phone": "1"})},
		{"Application", asRequest, "a display-name email", withField(app, "contact", person("A", "A <a@b.example>"))},
		{"Application", asRequest, "an array", []any{1.0, 2.0}},

		{"Verdict", asResponse, "eligible with reasons", map[string]any{"eligible": true, "reasons": []any{map[string]any{"rule": "population", "message": "m"}}}},
		{"Verdict", asResponse, "ineligible without cause", map[string]any{"eligible": false, "reasons": []any{}}},
		{"Verdict", asResponse, "null reasons", map[string]any{"eligible": true, "reasons": nil}},
		{"Problem", asResponse, "no status", map[string]any{"type": "/problems/not-found", "title": "Not found"}},
		{"NotFoundProblem", asResponse, "a 403", map[string]any{"type": "/problems/forbidden", "title": "Forbidden", "status": 403.0}},

		{"IndexInput", asRequest, "an unknown field", withField(input, "draft", true)},
		{"IndexInput", asRequest, "no version", withField(input, "version", nil)},
		{"IndexInput", asRequest, "an unknown version", withField(input, "version", "1999")},
		{"IndexInput", asRequest, "a past version", withField(input, "version", older)},
		{"IndexInput", asRequest, "no answers", withField(input, "answers", nil)},
		{"IndexInput", asRequest, "answers not an array", withField(input, "answers", map[string]any{})},
		{"IndexInput", asRequest, "too many answers", withField(input, "answers", answers(index.MaxAnswers+1))},
		{"IndexInput", asRequest, "an answer with an option and a value", answer("question", "commitment.statement", "option", "yes", "value", 2.0)},
		{"IndexInput", asRequest, "an answer with neither", answer("question", "commitment.statement", "evidence", "e")},
		{"IndexInput", asRequest, "an answer without question", answer("option", "yes")},
		{"IndexInput", asRequest, "an answer with an unknown field", answer("question", "commitment.statement", "option", "yes", "score", 2.0)},
		{"IndexInput", asRequest, "a malformed question id", answer("question", "Commitment Statement", "option", "yes")},
		{"IndexInput", asRequest, "a value as a string", answer("question", "demographics.population", "value", "150000")},
		{"IndexInput", asRequest, "an empty text", answer("question", "demographics.origin-groups", "text", "")},
		{"IndexInput", asRequest, "a text over 1000 characters", answer("question", "demographics.origin-groups", "text", strings.Repeat("é", 1001))},
		{"IndexInput", asRequest, "evidence over 4000 characters", answer("question", "commitment.statement", "option", "yes", "evidence", strings.Repeat("é", 4001))},
		{"IndexInput", asRequest, "answers that are not objects", withField(input, "answers", []any{"commitment.statement"})},

		// A submission carries a result exactly when it is scored.
		{"Submission", asResponse, "received with a result", withField(received, "result", scored["result"])},
		{"Submission", asResponse, "received with a scoredAt", withField(received, "scoredAt", scored["scoredAt"])},
		{"Submission", asResponse, "scored without a result", withField(scored, "result", nil)},
		{"Submission", asResponse, "scored without standings", withField(scored, "standings", nil)},
		{"Submission", asResponse, "scored without a scoredAt", withField(scored, "scoredAt", nil)},
		{"Submission", asResponse, "scored with no standings", withField(scored, "standings", []any{})},
		{"Submission", asResponse, "an unknown status", withField(received, "status", "pending")},
		{"Submission", asResponse, "a score over 100", withField(scored, "result", withField(scored["result"].(map[string]any), "aggregate", 100.1))},
		{"Submission", asResponse, "a scoredAt that is no date-time", withField(scored, "scoredAt", "yesterday")},
		{"Submission", asResponse, "no answers", withField(received, "answers", nil)},
		{"Draft", asResponse, "revision 0", withField(draft, "revision", 0.0)},
		{"Standing", asResponse, "rank 0", withField(standing, "rank", 0.0)},
		{"Standing", asResponse, "a fractional of", withField(standing, "of", 2.5)},
		{"Standing", asResponse, "an unknown kind of group", withField(standing, "group", map[string]any{"key": "region:1", "kind": "region", "label": "Europe"})},
		{"Standing", asResponse, "an area over 100", withField(standing, "areaAverages", map[string]any{"commitment": 101.0})},
		{"Question", asResponse, "a percent without max", withField(question, "max", nil)},
		{"Question", asResponse, "a choice without options", withField(question, "type", "choice")},
		{"Question", asResponse, "a text with bounds", withField(question, "type", "text")},
		{"Question", asResponse, "an unknown type", withField(question, "type", "date")},
		{"Question", asResponse, "options on a percent", withField(question, "options", []any{map[string]any{"id": "a", "label": "A"}, map[string]any{"id": "b", "label": "B"}})},

		{"IntentInput", asRequest, "a date in another format", map[string]any{"signedOn": "31/01/2026"}},
		{"IntentInput", asRequest, "a date before 2000", map[string]any{"signedOn": "1999-12-31"}},
		{"IntentInput", asRequest, "no date", map[string]any{}},
		{"VisitInput", asRequest, "no expert", withField(visitIn, "experts", []any{})},
		{"VisitInput", asRequest, "five experts", withField(visitIn, "experts", experts(5))},
		{"VisitInput", asRequest, "no representative", withField(visitIn, "representative", nil)},
		{"VisitInput", asRequest, "a display-name email", withField(visitIn, "representative", person("R", "R <r@coe.example>"))},
		{"VisitInput", asRequest, "a name on two lines", withField(visitIn, "experts", []any{person("A\r\nB", "a@experts.example")})},
		{"VisitInput", asRequest, "an unknown field", withField(visitIn, "budget", 1.0)},
		{"VisitHeldInput", asRequest, "a blank diagnosis", withField(held, "diagnosis", " \n ")},
		{"VisitHeldInput", asRequest, "a diagnosis over 4000 characters", withField(held, "diagnosis", strings.Repeat("é", 4001))},
		{"Profile", asRequest, "an ftp link", withField(profile, "link", "ftp://coe.example/p.pdf")},
		{"Profile", asRequest, "a link with a space", withField(profile, "link", "https://coe.example/a b.pdf")},
		{"Profile", asRequest, "no title", withField(profile, "title", nil)},
		{"Profile", asRequest, "a blank summary", withField(profile, "summary", "   ")},
		{"Profile", asRequest, "a title on two lines", withField(profile, "title", "Intercultural profile\nof Rheinstadt")},
		{"AgreementInput", asRequest, "a fee in dollars", withField(agreement, "feePerYear", eur(100.0, "USD"))},
		{"AgreementInput", asRequest, "a negative fee", withField(agreement, "feePerYear", eur(-1.0, "EUR"))},
		{"AgreementInput", asRequest, "a fee in euros, not cents", withField(agreement, "feePerYear", eur(2500.5, "EUR"))},
		{"AgreementInput", asRequest, "no city signature", withField(agreement, "citySignedOn", nil)},
		{"AgreementInput", asRequest, "no end date", withField(agreement, "endsOn", nil)},
		{"AmendmentInput", asRequest, "no reference", withField(amendment, "reference", nil)},
		{"AmendmentInput", asRequest, "a blank reference", withField(amendment, "reference", "  ")},
		{"AmendmentInput", asRequest, "a reference on two lines", withField(amendment, "reference", "Letter\nof October")},
		{"AmendmentInput", asRequest, "a reference over 200 characters", withField(amendment, "reference", strings.Repeat("é", 201))},
		{"AmendmentInput", asRequest, "no end date", withField(amendment, "endsOn", nil)},
		{"AmendmentInput", asRequest, "an agreement date in another format", withField(amendment, "agreedOn", "20/10/2026")},
		{"AmendmentInput", asRequest, "an unknown field", withField(amendment, "previousEndsOn", "2030-09-21")},
		{"Agreement", asResponse, "no amendments", withField(agreementInForce, "amendments", nil)},
		{"Agreement", asResponse, "an amendment without the end it replaced", withField(agreementInForce, "amendments",
			[]any{withField(amendments[0].(map[string]any), "previousEndsOn", nil)})},
		{"TerminationInput", asRequest, "notice by the mayor", withField(termination, "by", "mayor")},
		{"TerminationInput", asRequest, "no reason", withField(termination, "reason", nil)},
		{"ReasonInput", asRequest, "an empty reason", map[string]any{"reason": ""}},
		{"ReasonInput", asRequest, "a bell in the reason", map[string]any{"reason": "ding\a"}},
		{"TokenInput", asRequest, "a field", map[string]any{"email": "a@b.example"}},
		{"ProgressInput", asRequest, "a period in the last century", withField(progress, "period", "1999")},
		{"ProgressInput", asRequest, "a third half", withField(progress, "period", "2026-H3")},
		{"ProgressInput", asRequest, "a fifth quarter", withField(progress, "period", "2026-Q5")},
		{"ProgressInput", asRequest, "a month", withField(progress, "period", "2026-03")},
		{"ProgressInput", asRequest, "no action", withField(progress, "actions", []any{})},
		{"ProgressInput", asRequest, "an indicator without value", withField(progress, "indicators", []any{map[string]any{"name": "n"}})},
		{"ProgressInput", asRequest, "a text over 20000 characters", withField(progress, "text", strings.Repeat("a", 20001))},
		{"CityWithTimeline", asResponse, "a file without its timeline", withField(city, "timeline", nil)},
		{"CityResponse", asResponse, "a file without nextSteps", withField(withField(city, "timeline", nil), "nextSteps", nil)},
		{"Run", asResponse, "a daily run reporting a sweep", map[string]any{"runId": "t3kq7vzm2xw4bjr6nhc5dpaafe", "schedule": "daily",
			"status": "succeeded", "requestedBy": "secretariat:Jane Doe", "requestedAt": "2026-11-30T07:45:00Z", "attempts": 1.0,
			"result": map[string]any{"found": 1.0, "redriven": 1.0, "inFlight": 0.0, "remaining": false}}},
	} {
		if err := visit(schemas[tt.schema], tt.bad, tt.as); err == nil {
			t.Errorf("%s schema accepts %s", tt.schema, tt.name)
		}
	}
	for name, bad := range map[string]string{"DraftETag": `W/"1"`, "DocumentETag": "975a2b381f07262d", "NoStore": "private"} {
		if err := visit(doc.Components.Headers[name].Value.Schema, bad, asResponse); err == nil {
			t.Errorf("header %s accepts %q", name, bad)
		}
	}
}

// TestOpenAPISpeaksTheDomainsVocabulary checks the enumerations and the
// descriptions of the document against the domain's lists.
func TestOpenAPISpeaksTheDomainsVocabulary(t *testing.T) {
	doc := loadContract(t)
	schemas := doc.Components.Schemas
	strs := func(vs []any) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v.(string)
		}
		return out
	}
	var statuses, steps, versions []string
	// The steps the system takes on its own, as a consequence of another:
	// never offered in nextSteps, but written to the timeline.
	for _, step := range []membership.Step{membership.StepApply, membership.StepScoreIndex, membership.StepReportProgress, membership.StepReissueToken,
		membership.StepUpdateBilling, membership.StepInvoiceFee, membership.StepRecordPayment, membership.StepIssueCreditNote,
		membership.StepCommentReport, membership.StepPublishReport} {
		steps = append(steps, string(step))
	}
	for _, st := range membership.Statuses {
		statuses = append(statuses, string(st))
		for _, step := range membership.Next(st) {
			if !slices.Contains(steps, string(step)) {
				steps = append(steps, string(step))
			}
		}
	}
	for _, q := range index.Versions() {
		versions = append(versions, q.Version)
	}
	// Lists the document must give in the domain's order, or in any order.
	for _, tt := range []struct {
		what       string
		documented []string
		domain     []string
		ordered    bool
	}{
		{"PipelineStatus's enum", strs(schemas["PipelineStatus"].Value.Enum), statuses, true},
		{"the statuses StatusCounts requires", schemas["StatusCounts"].Value.Required, statuses, true},
		{"QuestionnaireVersion's enum", strs(schemas["QuestionnaireVersion"].Value.Enum), versions, false},
	} {
		got, want := tt.documented, tt.domain
		if !tt.ordered {
			got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s is %v; the domain's is %v", tt.what, tt.documented, tt.domain)
		}
	}
	// New answers answer the current version only.
	if v := schemas["IndexInput"].Value.Properties["version"].Value.Const; v != index.Current().Version {
		t.Errorf("IndexInput's version is %v; the current version is %s", v, index.Current().Version)
	}
	// Words each schema's description must explain.
	for _, tt := range []struct {
		schema string
		words  []string
	}{
		{"CityStatus", statuses},
		{"Step", steps},
	} {
		for _, w := range tt.words {
			if !strings.Contains(schemas[tt.schema].Value.Description, "`"+w+"`") {
				t.Errorf("%s does not describe %s", tt.schema, w)
			}
		}
	}
}

// TestOpenAPICountriesAreTheDomainsCountries checks the country enum
// against the Go validator, code by code.
func TestOpenAPICountriesAreTheDomainsCountries(t *testing.T) {
	doc := loadContract(t)
	enum := map[string]bool{}
	for _, v := range doc.Components.Schemas["Country"].Value.Enum {
		enum[v.(string)] = true
	}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if enum[code] != membership.IsCountry(code) {
				t.Errorf("%s: documented %v, accepted by the server %v", code, enum[code], membership.IsCountry(code))
			}
		}
	}
}

// TestOpenAPICityFilesListTheirNextSteps checks that every documented city
// file lists the steps the domain allows from its status.
func TestOpenAPICityFilesListTheirNextSteps(t *testing.T) {
	doc := loadContract(t)
	files := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, r := range op.Responses.Map() {
				mt := r.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || (mt.Schema.Ref != "#/components/schemas/CityResponse" && mt.Schema.Ref != "#/components/schemas/CityWithTimeline") {
					continue
				}
				for name, e := range mt.Examples {
					var f struct {
						Status    membership.Status
						NextSteps []membership.Step
					}
					if err := json.Unmarshal(roundTripBytes(t, e.Value.Value), &f); err != nil {
						t.Fatal(err)
					}
					want := membership.Next(f.Status)
					if want == nil {
						want = []membership.Step{}
					}
					if !slices.Equal(f.NextSteps, want) {
						t.Errorf("%s %s %s example %s: nextSteps %v, the domain says %v for %s", method, path, status, name, f.NextSteps, want, f.Status)
					}
					files++
				}
			}
		}
	}
	if files < 10 {
		t.Errorf("only %d city file examples found", files)
	}
}

func roundTripBytes(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
