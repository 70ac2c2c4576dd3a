package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/infra/template"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// loadContract parses and validates the embedded document as OpenAPI 3.1,
// with JSON Schema 2020-12 semantics and every example checked by the loader.
func loadContract(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(httpapi.OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPIMajorMinor() != "3.1" {
		t.Fatalf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(),
		openapi3.IsOpenAPI31OrLater(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaDefaultsValidation(),
	); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3.1 document: %v", err)
	}
	return doc
}

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

func key(method, path string) string { return method + " " + path }

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadContract(t)
	if doc.Info.Title != "Intercultural Cities back office API" {
		t.Errorf("info.title = %q", doc.Info.Title)
	}
	for _, word := range []string{"Bearer", "Idempotency-Key", "Idempotent-Replayed", "RFC 3339", "UTC", "minor unit", "ISO 4217", "opaque"} {
		if !strings.Contains(doc.Info.Description, word) {
			t.Errorf("info.description does not explain %q", word)
		}
	}
	local := false
	for _, s := range doc.Servers {
		local = local || s.URL == "http://127.0.0.1:3000"
	}
	if !local {
		t.Error("no server http://127.0.0.1:3000")
	}
	bearer := doc.Components.SecuritySchemes["bearer"]
	if bearer == nil || bearer.Value.Type != "http" || !strings.EqualFold(bearer.Value.Scheme, "bearer") {
		t.Fatalf("securitySchemes.bearer is not HTTP bearer: %+v", bearer)
	}
	idem := false
	if op := doc.Paths.Value("/applications").Post; op != nil {
		for _, p := range op.Parameters {
			idem = idem || (p.Value.In == "header" && p.Value.Name == "Idempotency-Key")
		}
	}
	if !idem {
		t.Error("POST /applications does not declare the Idempotency-Key header")
	}
	for _, name := range []string{"Application", "Contact"} {
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
	path, err := template.Find()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := template.Load(path)
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
	for _, r := range httpapi.Routes {
		coded[key(r.Method, r.Path)] = true
	}
	if !maps.Equal(documented, deployed) {
		t.Errorf("documented routes %v != template routes %v", sortedKeys(documented), sortedKeys(deployed))
	}
	if !maps.Equal(documented, coded) {
		t.Errorf("documented routes %v != httpapi.Routes %v", sortedKeys(documented), sortedKeys(coded))
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
	response := func(where string, r *openapi3.ResponseRef) {
		if len(r.Value.Content) == 0 {
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
				response(where+" "+status, r)
			}
		}
	}
	for name, r := range doc.Components.Responses {
		response("components.responses."+name, r)
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
		schema(where+".items", s.Value.Items)
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

	// Negative controls: the validation can fail, and fails for the reasons
	// the handler refuses a request.
	app := doc.Components.Schemas["Application"]
	valid := roundTrip(t, app.Value.Example).(map[string]any)
	with := func(field string, v any) map[string]any {
		m := maps.Clone(valid)
		if v == nil {
			delete(m, field)
		} else {
			m[field] = v
		}
		return m
	}
	for name, bad := range map[string]any{
		"population is a string":   with("population", "many"),
		"population is fractional": with("population", 30000.5),
		"unknown field":            with("score", 99.0),
		"missing field":            with("language", nil),
		"unassigned country":       with("country", "XX"),
		"line break in name":       with("cityName", "Lyon\r\nBcc: x@y.example"),
		"blank name":               with("cityName", "   "),
		"share over 100":           with("foreignBornShare", 100.5),
		"unknown contact field":    with("contact", map[string]any{"name": "A", "email": "a@b.example", "phone": "1"}),
		"display-name email":       with("contact", map[string]any{"name": "A", "email": "A <a@b.example>"}),
		"not an object":            []any{1.0, 2.0},
	} {
		if err := visit(app, bad, true); err == nil {
			t.Errorf("Application schema accepts an application whose %s", name)
		}
	}
	verdict := doc.Components.Schemas["Verdict"]
	for name, bad := range map[string]any{
		"eligible with reasons":    map[string]any{"eligible": true, "reasons": []any{map[string]any{"rule": "population", "message": "m"}}},
		"ineligible without cause": map[string]any{"eligible": false, "reasons": []any{}},
		"reasons null":             map[string]any{"eligible": true, "reasons": nil},
	} {
		if err := visit(verdict, bad, false); err == nil {
			t.Errorf("Verdict schema accepts a verdict %s", name)
		}
	}
	problem := doc.Components.Schemas["Problem"]
	if err := visit(problem, map[string]any{"type": "/problems/not-found", "title": "Not found"}, false); err == nil {
		t.Error("Problem schema accepts a problem without status")
	}
	if err := visit(doc.Components.Schemas["NotFoundProblem"], map[string]any{"type": "/problems/forbidden", "title": "Forbidden", "status": 403.0}, false); err == nil {
		t.Error("NotFoundProblem schema accepts a 403 problem")
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

// conformance checks real responses against the document.
type conformance struct {
	t   *testing.T
	doc *openapi3.T
}

// check validates a real response of the operation (method, path) in the
// document: its status, media type, body, headers and that the body has no
// property the document does not describe.
func (c conformance) check(method, path string, status int, hdr http.Header, body []byte) {
	c.t.Helper()
	where := fmt.Sprintf("%s %s -> %d", method, path, status)
	item := c.doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		c.t.Errorf("%s: the operation is not documented", where)
		return
	}
	r := item.GetOperation(method).Responses.Status(status)
	if r == nil {
		c.t.Errorf("%s: the status is not documented; body %s", where, body)
		return
	}
	c.response(where, r.Value, hdr, body)
}

func (c conformance) response(where string, r *openapi3.Response, hdr http.Header, body []byte) {
	c.t.Helper()
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
	v := jsonValue(c.t, body)
	if err := visit(mt.Schema, v, false); err != nil {
		c.t.Errorf("%s: the body does not match the documented schema: %v\nbody: %s", where, err, body)
	}
	if extra := undocumented(mt.Schema.Value, v, ""); len(extra) > 0 {
		c.t.Errorf("%s: the body has undocumented properties %v\nbody: %s", where, extra, body)
	}
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
	for _, name := range []string{"Location", "Idempotent-Replayed", "WWW-Authenticate", "Allow"} {
		if hdr.Get(name) != "" && r.Headers[name] == nil {
			c.t.Errorf("%s: the response sends %s, which is not documented", where, name)
		}
	}
}

// undocumented lists the properties of v that schema s does not describe,
// as JSON Pointers. Objects without declared properties, or declared open
// with additionalProperties: true, are free-form.
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

func requestExamples(t *testing.T, doc *openapi3.T, method, path string) map[string]string {
	t.Helper()
	mt := doc.Paths.Value(path).GetOperation(method).RequestBody.Value.Content.Get("application/json")
	out := map[string]string{}
	for name, e := range mt.Examples {
		b, err := json.Marshal(e.Value.Value)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	if len(out) == 0 {
		t.Fatalf("%s %s has no request examples", method, path)
	}
	return out
}

// TestOpenAPIDescribesTheRealHandlers drives the real handlers on a local
// stack through every documented outcome it can provoke and checks each
// response against the document.
func TestOpenAPIDescribesTheRealHandlers(t *testing.T) {
	doc := loadContract(t)
	s := localtest.New(t, local.Options{})
	c := conformance{t, doc}
	problemSchema := doc.Components.Schemas["Problem"]

	// The document is served as embedded.
	status, hdr, body := s.Do(http.MethodGet, "/openapi.json", "", "")
	if status != http.StatusOK || !bytes.Equal(body, httpapi.OpenAPI) {
		t.Fatalf("GET /openapi.json: %d, %d bytes, want 200 and the %d embedded bytes", status, len(body), len(httpapi.OpenAPI))
	}
	c.check(http.MethodGet, "/openapi.json", status, hdr, body)

	// Every request example is accepted as documented.
	cities := map[string]string{}
	for name, ex := range requestExamples(t, doc, http.MethodPost, "/applications") {
		status, hdr, body := s.Do(http.MethodPost, "/applications", "", ex, "Idempotency-Key", "contract-"+name)
		if status != http.StatusCreated {
			t.Fatalf("POST /applications with example %s: %d %s", name, status, body)
		}
		c.check(http.MethodPost, "/applications", status, hdr, body)
		var r struct{ CityID string }
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if hdr.Get("Location") != "/cities/"+r.CityID {
			t.Errorf("Location = %q, want /cities/%s", hdr.Get("Location"), r.CityID)
		}
		cities[name] = r.CityID

		// A replay is documented too.
		status, hdr, again := s.Do(http.MethodPost, "/applications", "", ex, "Idempotency-Key", "contract-"+name)
		if status != http.StatusCreated || hdr.Get("Idempotent-Replayed") != "true" || !bytes.Equal(body, again) {
			t.Fatalf("replay of %s: %d %q %s", name, status, hdr.Get("Idempotent-Replayed"), again)
		}
		c.check(http.MethodPost, "/applications", status, hdr, again)
	}
	eligible, flagged := cities["eligible"], cities["flagged"]
	if eligible == "" || flagged == "" {
		t.Fatalf("the request examples should be named eligible and flagged: %v", cities)
	}

	// The refusals of POST /applications.
	eligibleBody := requestExamples(t, doc, http.MethodPost, "/applications")["eligible"]
	unknown := strings.Replace(eligibleBody, `{`, `{"score":99,`, 1)
	refusals := []struct {
		name    string
		body    string
		headers []string
		status  int
	}{
		{"unknown field", unknown, nil, 400},
		{"invalid fields", `{"cityName":"","country":"France","population":0,"contact":{"name":"A","email":"x"},"language":"es"}`, nil, 400},
		{"wrong type", strings.Replace(eligibleBody, `"population":312000`, `"population":"many"`, 1), nil, 400},
		{"malformed", `{"cityName":`, nil, 400},
		{"not JSON", `cityName=Lyon`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400},
		{"bad key", eligibleBody, []string{"Idempotency-Key", strings.Repeat("k", 256)}, 400},
		{"too large", `{"cityName":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, nil, 413},
		{"key reused", strings.Replace(eligibleBody, "Rheinstadt", "Other", 1), []string{"Idempotency-Key", "contract-eligible"}, 422},
	}
	for _, tt := range refusals {
		status, hdr, body := s.Do(http.MethodPost, "/applications", "", tt.body, tt.headers...)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, status, tt.status, body)
			continue
		}
		c.check(http.MethodPost, "/applications", status, hdr, body)
		if err := visit(problemSchema, jsonValue(t, body), false); err != nil {
			t.Errorf("%s: the %d response is not a Problem: %v", tt.name, status, err)
		}
	}
	status, hdr, body = s.Do(http.MethodPost, "/applications", "", unknown)
	if p := decodeProblem(t, hdr, body); status != 400 || len(p.Errors) != 1 || p.Errors[0].Pointer != "/score" {
		t.Errorf("unknown field: %d %s, want a 400 naming /score", status, body)
	}

	// Reading city files, with each kind of caller.
	admin := s.AdminToken()
	citySecret, cityTok := auth.Issue(auth.RoleCity, eligible, "contract", time.Now(), time.Hour)
	if err := s.Store.PutToken(context.Background(), cityTok); err != nil {
		t.Fatal(err)
	}
	const missing = "aaaaaaaaaaaaaaaaaaaaaaaaaa"
	reads := []struct {
		name   string
		token  string
		id     string
		status int
	}{
		{"secretariat, eligible", admin, eligible, 200},
		{"secretariat, flagged", admin, flagged, 200},
		{"own city", citySecret, eligible, 200},
		{"anonymous", "", eligible, 401},
		{"unknown token", strings.Repeat("A", 43), eligible, 401},
		{"other city", citySecret, flagged, 403},
		{"no such city", admin, missing, 404},
		{"malformed id", admin, "not-an-id", 400},
	}
	for _, tt := range reads {
		status, hdr, body := s.Do(http.MethodGet, "/cities/"+tt.id, tt.token, "")
		if status != tt.status {
			t.Errorf("GET /cities, %s: status %d, want %d: %s", tt.name, status, tt.status, body)
			continue
		}
		c.check(http.MethodGet, "/cities/{cityId}", status, hdr, body)
	}

	// Running schedules.
	runs := []struct {
		name, token, schedule string
		status                int
	}{
		{"secretariat", admin, "sweeper", 200},
		{"anonymous", "", "sweeper", 401},
		{"city", citySecret, "sweeper", 403},
		{"unknown schedule", admin, "nightly", 404},
	}
	for _, tt := range runs {
		status, hdr, body := s.Do(http.MethodPost, "/admin/runs/"+tt.schedule, tt.token, "")
		if status != tt.status {
			t.Errorf("POST /admin/runs, %s: status %d, want %d: %s", tt.name, status, tt.status, body)
			continue
		}
		c.check(http.MethodPost, "/admin/runs/{schedule}", status, hdr, body)
	}
	var documented []string
	for _, p := range doc.Paths.Value("/admin/runs/{schedule}").Parameters {
		for _, v := range p.Value.Schema.Value.Enum {
			documented = append(documented, v.(string))
		}
	}
	sort.Strings(documented)
	if jobs := slices.Sorted(maps.Keys(s.Jobs)); !slices.Equal(documented, jobs) {
		t.Errorf("documented schedules %v, runnable schedules %v", documented, jobs)
	}

	// A documented path with another method.
	status, hdr, body = s.Do(http.MethodGet, "/applications", "", "")
	if status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /applications: %d %s", status, body)
	}
	c.response("GET /applications -> 405", doc.Components.Responses["MethodNotAllowed"].Value, hdr, body)

	// Security as documented: bearer routes refuse anonymous callers with
	// 401, public routes do not.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			public := op.Security != nil && len(*op.Security) == 0
			url := path
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value.In == "path" {
					url = strings.ReplaceAll(url, "{"+p.Value.Name+"}", fmt.Sprint(p.Value.Example))
				}
			}
			status, _, body := s.Do(method, url, "", "")
			if (status == http.StatusUnauthorized) == public {
				t.Errorf("%s %s without a token: %d %s; documented public: %v", method, url, status, body, public)
			}
		}
	}
}

// TestOpenAPIApplicationSchemaAgreesWithTheHandler sends variants of the
// example application to the real handler and checks that the schema accepts
// exactly those the handler accepts.
func TestOpenAPIApplicationSchemaAgreesWithTheHandler(t *testing.T) {
	doc := loadContract(t)
	s := localtest.New(t, local.Options{})
	schema := doc.Paths.Value("/applications").Post.RequestBody.Value.Content.Get("application/json").Schema
	base := roundTrip(t, doc.Components.Schemas["Application"].Value.Example).(map[string]any)
	with := func(field string, v any) string {
		m := maps.Clone(base)
		if v == nil {
			delete(m, field)
		} else {
			m[field] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	contact := func(name, email string) map[string]any { return map[string]any{"name": name, "email": email} }
	cases := []struct {
		name  string
		body  string
		known string // why schema and handler knowingly disagree
	}{
		{"the example", with("language", "en"), ""},
		{"French", with("language", "fr"), ""},
		{"upper-case language", with("language", "EN"), ""},
		{"German", with("language", "de"), ""},
		{"null language", with("language", json.RawMessage("null")), ""},
		{"spaces around the name", with("cityName", "  Lyon  "), ""},
		{"120 accented letters", with("cityName", strings.Repeat("é", 120)), ""},
		{"121 accented letters", with("cityName", strings.Repeat("é", 121)), ""},
		{"empty name", with("cityName", ""), ""},
		{"blank name", with("cityName", " \t "), ""},
		{"no-break spaces only", with("cityName", "\u00a0\u00a0"), ""},
		{"ideographic space only", with("cityName", "\u3000"), ""},
		{"inner no-break space", with("cityName", "Saint\u00a0Denis"), ""},
		{"tab in name", with("cityName", "Lyon\tX"), ""},
		{"line break in name", with("cityName", "Lyon\nBcc: x@y.example"), ""},
		{"C1 control in name", with("cityName", "Lyon\u0085"), ""},
		{"DEL in name", with("cityName", "Lyon\u007f"), ""},
		{"name is a number", with("cityName", 12), ""},
		{"missing name", with("cityName", nil), ""},
		{"country FR", with("country", "FR"), ""},
		{"country XX", with("country", "XX"), ""},
		{"country in lower case", with("country", "fr"), ""},
		{"country name", with("country", "France"), ""},
		{"population 1", with("population", 1), ""},
		{"population 0", with("population", 0), ""},
		{"population at the maximum", with("population", membership.MaxPopulation), ""},
		{"population over the maximum", with("population", membership.MaxPopulation+1), ""},
		{"negative population", with("population", -5), ""},
		{"fractional population", with("population", 30000.5), ""},
		{"population as a string", with("population", "many"), ""},
		{"population written 30000.0", strings.Replace(with("population", 1), `"population":1`, `"population":30000.0`, 1),
			"JSON Schema counts 30000.0 as an integer; encoding/json refuses it for an int64"},
		{"population written 3e4", strings.Replace(with("population", 1), `"population":1`, `"population":3e4`, 1),
			"JSON Schema counts 3e4 as an integer; encoding/json refuses it for an int64"},
		{"share 0", with("foreignBornShare", 0), ""},
		{"share 100", with("foreignBornShare", 100), ""},
		{"share just over 100", with("foreignBornShare", 100.0001), ""},
		{"negative share", with("nationalMinorityShare", -0.5), ""},
		{"share as a string", with("foreignResidentShare", "5"), ""},
		{"missing share", with("foreignResidentShare", nil), ""},
		{"null share", with("foreignResidentShare", json.RawMessage("null")), ""},
		{"plus-addressed email", with("contact", contact("A", "a+icc@city.example")), ""},
		{"dotted local part", with("contact", contact("A", "jonas.weber@mail.city.example")), ""},
		{"email without a dot in the domain", with("contact", contact("A", "a@localhost")), ""},
		{"email with a trailing dot", with("contact", contact("A", "a@city.example.")), ""},
		{"email with two dots", with("contact", contact("A", "a..b@city.example")), ""},
		{"email with a leading dot", with("contact", contact("A", ".a@city.example")), ""},
		{"email with a display name", with("contact", contact("A", "A <a@city.example>")), ""},
		{"email with a space", with("contact", contact("A", "a b@city.example")), ""},
		{"email with a line break", with("contact", contact("A", "a@city.example\r\nBcc: c@d.example")), ""},
		{"not an email", with("contact", contact("A", "not-an-email")), ""},
		{"empty email", with("contact", contact("A", "")), ""},
		{"long email", with("contact", contact("A", strings.Repeat("a", 64)+"@"+strings.Repeat("b", 180)+".example")), ""},
		{"too long email", with("contact", contact("A", strings.Repeat("a", 64)+"@"+strings.Repeat("b", 190)+".example")), ""},
		{"blank contact name", with("contact", contact(" ", "a@city.example")), ""},
		{"missing contact name", with("contact", map[string]any{"email": "a@city.example"}), ""},
		{"unknown contact field", with("contact", map[string]any{"name": "A", "email": "a@city.example", "phone": "1"}), ""},
		{"missing contact", with("contact", nil), ""},
		{"contact is a string", with("contact", "a@city.example"), ""},
		{"unknown field", with("score", 99), ""},
		{"status cannot be set", with("status", "member"), ""},
		{"empty object", `{}`, ""},
		{"null", `null`, ""},
		{"array", `[1,2]`, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.body), &v); err != nil {
				t.Fatalf("bad test body %s: %v", tt.body, err)
			}
			schemaErr := visit(schema, v, true)
			status, _, resp := s.Do(http.MethodPost, "/applications", "", tt.body)
			if status != http.StatusCreated && status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", status, resp)
			}
			documented, served := schemaErr == nil, status == http.StatusCreated
			switch {
			case documented == served && tt.known != "":
				t.Logf("schema and handler now agree (%v); drop the known disagreement %q", served, tt.known)
			case documented != served && tt.known != "":
				t.Logf("known disagreement: schema accepts %v, handler accepts %v: %s", documented, served, tt.known)
			case documented != served:
				t.Errorf("schema accepts %v (%v), handler answers %d %s\nbody: %s", documented, schemaErr, status, resp, tt.body)
			}
		})
	}
}
