package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// The handler-level fuzz targets: requests served by the real handlers over
// a local stack (the emulated DynamoDB, S3 and SES), each request a fuzzed
// body, query or API Gateway event. The property: no panic, never a 5xx,
// and every refusal a problem. Requests are served in the process, without
// a socket. A valid body may change the stack's state (a step recorded, an
// invoice credited): the steps check their input before the city's status,
// so later inputs are still checked, then refused for the status. The
// decoders' own targets are in fuzz_decode_test.go.

// fuzzStack is a local stack holding what the routes' bodies are about: a
// member city (its visit held, its profile issued, its first report
// published, its first invoice issued, a second INDEX submitted whose report
// is a draft), a good practice, and the secretariat's token.
type fuzzStack struct {
	s                                                *localtest.Stack
	h                                                http.Handler // the API's routes, as the stack serves them
	admin                                            string
	city, visit, invoice, published, draft, practice string
	next                                             string // a pipeline cursor
}

func newFuzzStack(f *testing.F) *fuzzStack {
	f.Helper()
	s := localtest.New(f, local.Options{})
	fs := &fuzzStack{s: s, admin: s.AdminToken()}
	mux := http.NewServeMux()
	for _, rt := range httpapi.AllRoutes() {
		if api, ok := s.APIs[rt.Function]; ok {
			mux.Handle(httpapi.Pattern(rt.Method, rt.Path), api.Handler(rt.Function))
		}
	}
	mux.Handle("/", (&httpapi.API{Now: time.Now}).Handler(""))
	fs.h = mux

	now := s.Clock.Now().UTC()
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	do := func(want int, method, path, body string, out any) {
		f.Helper()
		status, _, b := s.Do(method, path, fs.admin, body)
		if status != want {
			f.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, b)
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				f.Fatal(err)
			}
		}
	}
	var created struct{ CityID string }
	do(201, http.MethodPost, "/applications", `{"cityName":"Fuzzstadt","country":"DE","population":312000,"foreignBornShare":21.5,
		"foreignResidentShare":16.1,"nationalMinorityShare":1.2,"contact":{"name":"Jonas Weber","email":"jonas@fuzzstadt.example"},"language":"en"}`, &created)
	do(201, http.MethodPost, "/applications", `{"cityName":"Zweitstadt","country":"AT","population":96000,"foreignBornShare":12,
		"foreignResidentShare":9,"nationalMinorityShare":0,"contact":{"name":"Eva","email":"eva@zweitstadt.example"},"language":"fr"}`, nil)
	fs.city = created.CityID
	city := "/cities/" + fs.city
	admin := "/admin/cities/" + fs.city
	q := index.Current()
	submit := func(seed uint64) {
		b, _ := json.Marshal(map[string]any{"version": q.Version, "answers": demo.Answers(q, demo.City{Population: 312000, ForeignBorn: 21.5}, 0.6, seed, false)})
		do(202, http.MethodPost, city+"/index/submissions", string(b), nil)
		s.Drain()
	}
	var reports struct {
		Reports []struct{ ReportID, Status string }
	}
	submit(1)
	do(200, http.MethodGet, city+"/reports", "", &reports)
	if len(reports.Reports) != 1 {
		f.Fatalf("reports after scoring: %+v", reports)
	}
	fs.published = reports.Reports[0].ReportID
	do(200, http.MethodPost, admin+"/reports/"+fs.published+"/publish", "", nil)
	s.Drain()
	do(200, http.MethodPost, admin+"/intent", `{"signedOn":"`+day(-40)+`"}`, nil)
	var file struct{ ExpertVisit struct{ VisitID string } }
	do(200, http.MethodPost, admin+"/expert-visits", `{"scheduledFor":"`+day(-30)+`","experts":[{"name":"Ana Expert","email":"ana@experts.example"}],
		"representative":{"name":"Rita Rep","email":"rita@coe.example"}}`, &file)
	fs.visit = file.ExpertVisit.VisitID
	do(200, http.MethodPost, admin+"/expert-visits/"+fs.visit+"/held", `{"heldOn":"`+day(-30)+`","diagnosis":"Strong commitment."}`, nil)
	do(200, http.MethodPost, admin+"/profile", `{"title":"Intercultural profile of Fuzzstadt","issuedOn":"`+day(-20)+`"}`, nil)
	do(200, http.MethodPost, admin+"/agreement", `{"citySignedOn":"`+day(-10)+`","coeSignedOn":"`+day(-10)+`","endsOn":"`+day(4*365)+`",
		"billing":{"legalName":"Stadt Fuzzstadt","address":{"street":"Rathausplatz 1","city":"Fuzzstadt","postalCode":"10115","country":"DE"},
		"reference":"FUZZ-1","email":"finance@fuzzstadt.example"}}`, nil)
	s.Drain()
	var invoices struct{ Invoices []struct{ InvoiceID string } }
	do(200, http.MethodGet, city+"/invoices", "", &invoices)
	if len(invoices.Invoices) == 0 {
		f.Fatal("the member has no invoice")
	}
	fs.invoice = invoices.Invoices[0].InvoiceID
	submit(2) // a member re-assessing: its report is a draft
	do(200, http.MethodGet, city+"/reports", "", &reports)
	for _, r := range reports.Reports {
		if r.Status == "draft" {
			fs.draft = r.ReportID
		}
	}
	if fs.draft == "" {
		f.Fatalf("no draft report: %+v", reports)
	}
	var p struct{ ID string }
	practices := docExamples(http.MethodPost, "/admin/good-practices")
	if len(practices) == 0 {
		f.Fatal("the document gives no example of a good practice")
	}
	do(201, http.MethodPost, "/admin/good-practices", practices[0], &p)
	fs.practice = p.ID
	var page struct{ Next string }
	do(200, http.MethodGet, "/admin/cities?limit=1", "", &page)
	fs.next = page.Next
	return fs
}

// serve sends a request to the handlers and checks the answer: never a 5xx,
// and a refusal is a problem of its status.
func (fs *fuzzStack) serve(t *testing.T, method, target, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://127.0.0.1"+target, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("Authorization", "Bearer "+fs.admin)
	w := httptest.NewRecorder()
	fs.h.ServeHTTP(w, r)
	answered(t, fmt.Sprintf("%s %s %.200q", method, target, body), w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
	return w
}

// answered fails on a 5xx, and on a refusal that is not a problem of its
// status (or, from the application form, its page).
func answered(t *testing.T, what string, status int, contentType string, body []byte) {
	t.Helper()
	if status >= 500 || status < 100 {
		t.Fatalf("%s: %d %.300s", what, status, body)
	}
	if status < 400 {
		return
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "text/html" && bytes.HasPrefix(body, []byte("<!DOCTYPE html>")) && bytes.Contains(body, []byte(`data-page="apply"`)) {
		return // the application form (POST /apply) answers with its page
	}
	var p struct{ Status int }
	if mt != "application/problem+json" || json.Unmarshal(body, &p) != nil || p.Status != status {
		t.Fatalf("%s: %d is not a problem: %q %.300s", what, status, contentType, body)
	}
}

// fuzzRoutes are the routes that take a body, as the fuzz stack fills
// their paths.
func (fs *fuzzStack) fuzzRoutes() []struct{ method, route, target, contentType string } {
	fill := strings.NewReplacer("{cityId}", fs.city, "{visitId}", fs.visit, "{invoiceId}", fs.invoice, "{practiceId}", fs.practice,
		"{schedule}", "annual-invoices")
	var out []struct{ method, route, target, contentType string }
	add := func(method, route, ct string) {
		target := fill.Replace(route)
		target = strings.Replace(target, "{reportId}", fs.draft, 1)
		if strings.HasSuffix(route, "/publish") {
			target = fill.Replace(strings.Replace(route, "{reportId}", fs.published, 1))
		}
		out = append(out, struct{ method, route, target, contentType string }{method, route, target, ct})
	}
	for _, rt := range httpapi.AllRoutes() {
		if rt.Method == http.MethodPost || rt.Method == http.MethodPut {
			ct := "application/json"
			switch rt.Path {
			case "/admin/bank-statements":
				ct = "application/xml"
			case "/apply":
				ct = "application/x-www-form-urlencoded"
			}
			add(rt.Method, rt.Path, ct)
		}
	}
	return out
}

// docExamples are the request bodies the OpenAPI document gives as
// examples of an operation.
func docExamples(method, path string) []string {
	doc, err := contract31()
	if err != nil || doc.Paths.Value(path) == nil || doc.Paths.Value(path).GetOperation(method) == nil {
		return nil
	}
	rb := doc.Paths.Value(path).GetOperation(method).RequestBody
	if rb == nil {
		return nil
	}
	var out []string
	for _, mt := range rb.Value.Content {
		if s, ok := mt.Example.(string); ok {
			out = append(out, s)
		} else if mt.Example != nil {
			b, _ := json.Marshal(mt.Example)
			out = append(out, string(b))
		}
		for _, e := range mt.Examples {
			if s, ok := e.Value.Value.(string); ok {
				out = append(out, s)
				continue
			}
			b, _ := json.Marshal(e.Value.Value)
			out = append(out, string(b))
		}
	}
	return out
}

// FuzzRoutes sends every route that takes a body a fuzzed body, the route
// picked by the fuzzed number, through the real handlers on a local stack.
// Seeds: each route's examples in the OpenAPI document, the bank
// statements of package camt's tests, and hostile bodies.
func FuzzRoutes(f *testing.F) {
	fs := newFuzzStack(f)
	routes := fs.fuzzRoutes()
	statements, _ := filepath.Glob(filepath.Join("..", "camt", "testdata", "*.xml"))
	for i, rt := range routes {
		for _, ex := range docExamples(rt.method, rt.route) {
			f.Add(uint8(i), []byte(ex))
		}
		if rt.contentType == "application/x-www-form-urlencoded" {
			for _, s := range []string{"", "cityName=%zz", "cityName=%ff", "cityName=a&cityName=b", "score=99", "a=" + strings.Repeat("é", 500)} {
				f.Add(uint8(i), []byte(s))
			}
			continue
		}
		if rt.contentType == "application/xml" {
			for _, name := range statements {
				b, err := os.ReadFile(name)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(uint8(i), b)
			}
			continue
		}
		for _, s := range []string{`{}`, `null`, `[]`, `{"a":1,"a":2}`, `{"x":"\ud800"}`, `{"reason":"` + strings.Repeat("é", 500) + `"}`} {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		fs.serve(t, rt.method, rt.target, rt.contentType, body)
	})
}

// FuzzPipelineQuery fuzzes the secretariat's pipeline listing's query,
// its cursor included, through the real handler on a local stack.
func FuzzPipelineQuery(f *testing.F) {
	fs := newFuzzStack(f)
	forged := func(k map[string]string) string {
		b, _ := base64.RawURLEncoding.DecodeString(fs.next)
		var c map[string]any
		_ = json.Unmarshal(b, &c)
		c["k"] = k
		b, _ = json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	for _, s := range []string{"", "status=applied", "limit=1", "cursor=" + fs.next, "limit=1&cursor=" + fs.next,
		"cursor=" + forged(map[string]string{"pk": "CITY#" + fs.city, "sk": "PROFILE", "gsi1pk": "OUTBOX", "gsi1sk": "x"}),
		"cursor=" + forged(map[string]string{"pk": "x"}), "cursor=" + forged(nil), "status=member&limit=200", "status=bogus",
		"limit=0", "limit=99999999999999999999", "limit=-1", "q=%ff", "cursor=%zz", "country=DE&q=stadt&limit=1", "country=de",
		"q=" + strings.Repeat("x", 101), "cursor=e30", "cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{"s":99,"q":""}`)),
		"status=applied&status=member", "q=%C3%89tienne"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		// The query as API Gateway hands it over (rawQueryString), bytes
		// no request line could carry included.
		r := httptest.NewRequest(http.MethodGet, "/admin/cities", nil)
		r.URL.RawQuery = query
		r.Header.Set("Authorization", "Bearer "+fs.admin)
		w := httptest.NewRecorder()
		fs.h.ServeHTTP(w, r)
		answered(t, fmt.Sprintf("GET /admin/cities?%q", query), w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
	})
}

// FuzzAPIGatewayEvent fuzzes the Lambda adapter: an API Gateway HTTP API
// (payload 2.0) event as the Lambda runtime decodes it, turned into a
// request for the real handlers on a local stack, and the answer turned
// into the event API Gateway reads back. Seeds: the HTTP functions' sample
// events (events/), as the secretariat, and hostile events.
func FuzzAPIGatewayEvent(f *testing.F) {
	fs := newFuzzStack(f)
	h := httpapi.LambdaHandler(fs.h)
	samples, _ := filepath.Glob(filepath.Join("..", "..", "events", "*.json"))
	for _, name := range samples {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(b, &ev) != nil || ev.RequestContext.HTTP.Method == "" {
			continue // a stream or a schedule's event
		}
		f.Add(b)
		if ev.Headers == nil {
			ev.Headers = map[string]string{}
		}
		ev.Headers["authorization"] = "Bearer " + fs.admin
		ev.RawPath = strings.ReplaceAll(ev.RawPath, "k5vq3ztm2xw7cjr4hbn6dpaafe", fs.city)
		b, _ = json.Marshal(ev)
		f.Add(b)
	}
	auth := `"headers":{"authorization":"Bearer ` + fs.admin + `","content-type":"application/json"}`
	for _, s := range []string{
		`{}`, `{"rawPath":"/applications","requestContext":{"http":{"method":"POST"}},"body":"%%%","isBase64Encoded":true}`,
		`{"rawPath":"/applications","requestContext":{"http":{"method":"POST"}},"body":"{}","headers":{"content-type":"application/json"}}`,
		`{"rawPath":"noslash","requestContext":{"http":{"method":"GET"}}}`,
		`{"rawPath":"","requestContext":{"http":{"method":"GET","path":"/questionnaire"}}}`,
		`{"rawPath":"/dev","requestContext":{"stage":"dev","http":{"method":"GET"}}}`,
		`{"rawPath":"/dev/admin/cities","rawQueryString":"limit=%zz&cursor=%","requestContext":{"stage":"dev","domainName":"x.example","http":{"method":"GET"}},` + auth + `}`,
		`{"rawPath":"/admin/cities/` + fs.city + `/tokens","requestContext":{"http":{"method":"POST"}},"body":"e30=","isBase64Encoded":true,` + auth + `}`,
		`{"rawPath":"/cities/` + fs.city + `/index/draft","requestContext":{"http":{"method":"PUT"}},"body":"{}",` + auth + `}`,
		`{"rawPath":"/%2e%2e/admin/cities","requestContext":{"http":{"method":"GET"}},` + auth + `}`,
		`{"rawPath":"/questionnaire","requestContext":{"http":{"method":"GET\r\nX: y"}}}`,
		`{"rawPath":"/openapi.json","requestContext":{"http":{"method":"GET"}},"headers":{"accept-encoding":"gzip"},"cookies":["a=1","b"]}`,
		`{"rawPath":"//cities//x","requestContext":{"http":{"method":"DELETE"}},"headers":{"bad header":"x","authorization":"Bearer "}}`,
		`{"rawPath":"/admin/runs/annual-invoices","requestContext":{"http":{"method":"POST"}},"body":"{\"year\":2027,\"year\":2028}",` + auth + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(data, &ev) != nil {
			return // the runtime refuses it before the handler runs
		}
		resp, err := h(context.Background(), ev)
		if err != nil {
			t.Fatalf("%.300q: the invocation failed: %v", data, err)
		}
		body := []byte(resp.Body)
		if resp.IsBase64Encoded {
			if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				t.Fatalf("%.300q: the answer's body is not base64: %v", data, err)
			}
		}
		answered(t, fmt.Sprintf("%.300q", data), resp.StatusCode, resp.Headers["Content-Type"], body)
	})
}
