package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/practice"
)

// The decoders' fuzz targets: each request body the API takes, read as its
// handler reads it (readJSON: the media type, the size, UTF-8, the JSON
// text's keys and strings, strict decoding into the route's type), then
// checked by the domain where that needs no storage (a step is taken on a
// city held in memory, nothing is stored). The property: no panic, and
// every refusal a client error (never one that maps to a 5xx) that names
// the offending fields by pointers that lead into the body. Each target
// starts from the route's examples in the OpenAPI document and from
// hostile bodies; `go test` runs those seeds, `go test -fuzz` mutates them
// (README, "Tests"). The handler-level targets against a local stack are
// in fuzz_handler_test.go.

// documentOperations are the OpenAPI document's operations, by path and
// method (lower case), as JSON.
var documentOperations = sync.OnceValues(func() (map[string]map[string]json.RawMessage, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"` // operations, and the path's parameters
	}
	err := json.Unmarshal(OpenAPI(), &doc)
	return doc.Paths, err
})

// documentedBody is the JSON request body the document describes for an
// operation: its examples, and whether it describes one.
func documentedBody(tb testing.TB, method, path string) (examples []string, documented bool) {
	tb.Helper()
	paths, err := documentOperations()
	if err != nil {
		tb.Fatal(err)
	}
	raw, ok := paths[path][strings.ToLower(method)]
	if !ok {
		return nil, false
	}
	var op struct {
		RequestBody *struct {
			Content map[string]struct {
				Example  json.RawMessage `json:"example"`
				Examples map[string]struct {
					Value json.RawMessage `json:"value"`
				} `json:"examples"`
			} `json:"content"`
		} `json:"requestBody"`
	}
	if err := json.Unmarshal(raw, &op); err != nil {
		tb.Fatal(err)
	}
	if op.RequestBody == nil {
		return nil, false
	}
	mt, ok := op.RequestBody.Content["application/json"]
	if !ok {
		return nil, false // a form, or XML
	}
	if len(mt.Example) > 0 {
		examples = append(examples, string(mt.Example))
	}
	for _, e := range mt.Examples {
		examples = append(examples, string(e.Value))
	}
	return examples, true
}

// openAPIExamples returns the JSON request bodies the OpenAPI document gives
// as examples of an operation; none for an operation it does not document.
func openAPIExamples(tb testing.TB, method, path string) []string {
	tb.Helper()
	examples, _ := documentedBody(tb, method, path)
	return examples
}

// hostile are bodies every decoder is seeded with: what breaks decoders.
var hostile = []string{
	``, ` `, `null`, `[]`, `"x"`, `0`, `{}`, `{} {}`, `{"a":1}x`, "\ufeff{}", "{\"a\":\"\xff\"}",
	`{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `{"a":"\ud800"}`, `{"a":"\udc00\ud800"}`, `{"\ud800":1}`,
	`{"a":1e400}`, `{"a":-0}`, `{"a":123456789012345678901234567890}`, `{"a":"` + strings.Repeat("é", 300) + `"}`,
	strings.Repeat(`[`, 64) + strings.Repeat(`]`, 64), strings.Repeat(`{"a":`, 64) + `1` + strings.Repeat(`}`, 64),
	`{"a/b~c":1}`, `{"":null}`, `{"a":"\u0000\u2028<script>"}`, `{"x":{"y":[1,{"z":"\ud83d\ude00"}]}}`,
}

// fuzzBody fuzzes one route's body: read into In as its handler reads it,
// then checked by check (nil: decoding only).
func fuzzBody[In any](f *testing.F, method, path string, max int64, seeds []string, check func(In) error) {
	for _, s := range openAPIExamples(f, method, path) {
		f.Add([]byte(s))
	}
	for _, s := range append(seeds, hostile...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var in In
		_, err := readJSON(r, max, &in)
		if err == nil && check != nil {
			err = check(in)
		}
		clientError(t, body, err)
	})
}

// clientError fails unless err is nil or a failure a client caused and can
// act on: a kind that maps to a 4xx and, for bad input, every offending
// field named by a pointer whose parent is in the body.
func clientError(t *testing.T, body []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	kind := failure.KindOf(err)
	if pk, ok := kinds[kind]; !ok || pk.status >= 500 {
		t.Fatalf("body %q: %v is a %d", body, err, pk.status)
	}
	if kind != failure.Invalid && kind != failure.TooLarge && kind != failure.UnsupportedMediaType {
		return
	}
	fe := failure.As(err)
	if len(fe.Fields) == 0 {
		t.Fatalf("body %q: %v names no field", body, err)
	}
	// The body as a decoder reads it; one that names a key twice reads as
	// the last, so the pointers are not checked against it.
	var doc any
	parsed := json.Unmarshal(body, &doc) == nil && checkJSONText(body) == nil
	for _, f := range fe.Fields {
		if f.Detail == "" {
			t.Fatalf("body %q: field error %+v has no detail", body, f)
		}
		switch {
		case strings.HasPrefix(f.Pointer, "header/") || strings.HasPrefix(f.Pointer, "query/") || strings.HasPrefix(f.Pointer, "path/"):
		case f.Pointer == "/":
		case !strings.HasPrefix(f.Pointer, "/"):
			t.Fatalf("body %q: field error %+v: not a pointer", body, f)
		case parsed && !follows(doc, f.Pointer):
			t.Fatalf("body %q: field error %+v does not follow the body's structure", body, f)
		}
	}
}

// follows reports whether the RFC 6901 pointer p is well formed and follows
// doc's structure as far as doc goes: a member of an object (present or
// not), an index of an array, never through a string, a number or a
// boolean. It may go on past a member that is missing or null: a required
// object's fields are named under it.
func follows(doc any, p string) bool {
	for _, tok := range strings.Split(p[1:], "/") {
		if strings.Contains(strings.NewReplacer("~0", "", "~1", "").Replace(tok), "~") {
			return false
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return true
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || strconv.Itoa(i) != tok {
				return false
			}
			if i >= len(x) {
				return true
			}
			doc = x[i]
		case nil:
			return true
		default:
			return false
		}
	}
	return true
}

// resolves reports whether the RFC 6901 pointer p leads to a value in doc.
func resolves(doc any, p string) bool {
	if p == "" {
		return true
	}
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return false
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) || strconv.Itoa(i) != tok {
				return false
			}
			doc = x[i]
		default:
			return false
		}
	}
	return true
}

// fuzzNow is the time of the domain's checks: the examples' dates of 2026
// have passed.
var fuzzNow = time.Date(2026, time.November, 2, 10, 0, 0, 0, time.UTC)

var fuzzRules = membership.Rules{MinExperts: 1, MaxExperts: 3, NoticeGrace: 30 * 24 * time.Hour, FeePerYear: fees.Euros(500000)}

// fuzzCity is a city in status s as the steps read it: its visit held, its
// agreement in force.
func fuzzCity(s membership.Status) membership.City {
	return membership.City{ID: "k5vq3ztm2xw7cjr4hbn6dpaafe", Name: "Rheinstadt", Country: "DE", Population: 312000, Language: "en",
		Status: s, Contact: membership.Contact{Name: "Jonas Weber", Email: "jonas.weber@rheinstadt.example"},
		Visit: &membership.Visit{ID: "visit", ScheduledFor: "2026-03-02", HeldOn: "2026-03-03", Diagnosis: "strong"},
		Agreement: &membership.Agreement{CitySignedOn: "2026-05-12", CoESignedOn: "2026-05-12", InForceFrom: "2026-05-12",
			EndsOn: "2030-05-11", FeePerYear: fees.Euros(500000)}}
}

func FuzzApplicationDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/applications", MaxBody, []string{
		`{"cityName":"Lyon","country":"FR","population":522000,"foreignBornShare":12.5,"foreignResidentShare":9,"nationalMinorityShare":0,"contact":{"name":"A","email":"a@lyon.example"},"language":"fr"}`,
		`{"cityName":"\u0000","population":-1e400}`, `{"contact":{"email":"a@b.c\r\nBcc: x@y.z"}}`, `{"cityName":"a"}{"x":1}`, "\xff\xfe",
		`{"cityName":"Lyon","cityname":"Paris"}`, `{"population":1.5,"foreignBornShare":"12"}`,
	}, membership.Application.Validate)
}

// FuzzSubmissionDecoder fuzzes the INDEX draft and submission bodies, one
// type checked as a draft (answers may be missing) and as a submission.
func FuzzSubmissionDecoder(f *testing.F) {
	for _, s := range openAPIExamples(f, http.MethodPut, "/cities/{cityId}/index/draft") {
		f.Add([]byte(s))
	}
	fuzzBody(f, http.MethodPost, "/cities/{cityId}/index/submissions", MaxIndexBody, []string{
		`{"version":"2019","answers":[{"question":"commitment.strategy","option":"yes","evidence":"council decision"}]}`,
		`{"version":"2017","answers":[{"question":"demographics.population","value":1e309}]}`,
		`{"version":"2019","answers":[{"question":"x","option":"y"},{"question":"x","option":"y"}]}`,
		`{"version":null,"answers":null}`, `{"version":"2019","answers":[{"question":"demographics.population","text":"many"}]}`,
		`{"version":"2019","answers":[{"question":"commitment.statement","option":"yes","option":"no"}]}`,
	}, func(in index.Input) error {
		if _, err := in.Validate(false); err != nil {
			return err
		}
		if _, err := fuzzCity(membership.StatusApplied).SaveDraft(in, fuzzNow, "city:x"); err != nil {
			return err
		}
		_, err := in.Validate(true)
		return err
	})
}

func FuzzVisitDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/expert-visits", MaxBody, []string{
		`{"scheduledFor":"2026-13-40","experts":[{"name":"","email":"x"}],"representative":null}`,
		`{"scheduledFor":"2026-03-02","experts":[],"representative":{"name":"A","email":"a@coe.example"}}`,
	}, func(in membership.VisitInput) error {
		_, err := fuzzCity(membership.StatusIndexReported).ScheduleVisit(in, fuzzRules, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

func FuzzVisitHeldDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/expert-visits/{visitId}/held", MaxBody, []string{
		`{"heldOn":"2026-03-01","diagnosis":""}`, `{"heldOn":"9999-12-31","diagnosis":"x"}`,
	}, func(in membership.VisitHeldInput) error {
		_, err := fuzzCity(membership.StatusVisitScheduled).HoldVisit("visit", in, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

func FuzzProfileDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/profile", MaxBody, []string{
		`{"title":"P","issuedOn":"2026-03-04","link":"javascript:alert(1)"}`, `{"title":"\n","issuedOn":"2026-02-30"}`,
	}, func(in membership.ProfileInput) error {
		_, err := fuzzCity(membership.StatusVisitHeld).IssueProfile(in, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

// FuzzAgreementDecoder checks the agreement on a member (so no invoice is
// built): the input is checked before the step.
func FuzzAgreementDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/agreement", MaxBody, []string{
		`{"citySignedOn":"2026-05-12","coeSignedOn":"2026-05-12","endsOn":"2026-05-11","feePerYear":{"amount":-1,"currency":"USD"}}`,
		`{"citySignedOn":"2026-05-12","coeSignedOn":"2026-05-12","endsOn":"2030-05-11","billing":{"legalName":"","address":{}}}`,
	}, func(in membership.AgreementInput) error {
		_, err := fuzzCity(membership.StatusMember).SignAgreement(in, fuzzRules, 1, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

func FuzzAmendmentDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/agreement/amendments", MaxBody, []string{
		`{"endsOn":"2026-01-01","agreedOn":"2026-06-01","reference":"x"}`, `{"endsOn":"2030-05-11","agreedOn":"","reference":"\r"}`,
	}, func(in membership.AmendmentInput) error {
		_, err := fuzzCity(membership.StatusMember).AmendAgreement(in, fuzzRules, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

func FuzzTerminationDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/termination", MaxBody, []string{
		`{"by":"mayor","noticeOn":"2026-10-30","reason":"x"}`, `{"by":"city","noticeOn":"2020-01-01","reason":""}`,
	}, func(in membership.TerminationInput) error {
		_, err := fuzzCity(membership.StatusMember).NotifyTermination(in, fuzzRules, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

func FuzzIntentDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/intent", MaxBody, []string{
		`{"signedOn":"2030-01-01"}`, `{"signedOn":2026}`,
	}, func(in membership.IntentInput) error {
		_, err := fuzzCity(membership.StatusApplied).SignIntent(in, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

// FuzzReasonDecoder fuzzes the withdrawal's and the decline's body.
func FuzzReasonDecoder(f *testing.F) {
	for _, s := range openAPIExamples(f, http.MethodPost, "/admin/cities/{cityId}/decline") {
		f.Add([]byte(s))
	}
	fuzzBody(f, http.MethodPost, "/admin/cities/{cityId}/withdrawal", MaxBody, []string{
		`{"reason":""}`, `{"reason":"` + strings.Repeat("x", 4001) + `"}`,
	}, func(in membership.ReasonInput) error {
		c := fuzzCity(membership.StatusApplied)
		if _, err := c.Withdraw(in, fuzzNow, "secretariat:x", ids.New); err != nil {
			return err
		}
		_, err := c.Decline(in, fuzzNow, "secretariat:x", ids.New)
		return err
	})
}

func FuzzTokenDecoder(f *testing.F) {
	fuzzBody[TokenInput](f, http.MethodPost, "/admin/cities/{cityId}/tokens", MaxBody, []string{`{"city":"x"}`}, nil)
}

func FuzzProgressDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/cities/{cityId}/progress-reports", MaxBody, []string{
		`{"period":"2026-H3","actions":[],"indicators":[{"name":"","value":""}],"text":""}`,
	}, func(in membership.ProgressInput) error {
		_, err := fuzzCity(membership.StatusMember).ReportProgress(in, fuzzNow, "city:x", ids.New)
		return err
	})
}

func FuzzBillingDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPut, "/cities/{cityId}/billing", MaxBody, []string{
		`{"legalName":"Stadt","address":{"street":"","city":"","postalCode":"","country":"XX"},"email":"x"}`,
		`{"legalName":"Stadt","endpoint":{"scheme":"0000","id":""}}`,
	}, func(in membership.BillingInput) error {
		_, err := fuzzCity(membership.StatusMember).UpdateBilling(in, fuzzNow, "city:x")
		return err
	})
}

// FuzzPaymentDecoder fuzzes a payment's body; the domain checks it against
// an invoice, which the handler-level target has (FuzzRoutes).
func FuzzPaymentDecoder(f *testing.F) {
	fuzzBody[membership.PaymentInput](f, http.MethodPost, "/admin/invoices/{invoiceId}/payments", MaxBody, []string{
		`{"amount":9223372036854775807,"receivedOn":"2026-11-02"}`, `{"amount":1.5}`, `{"amount":"100"}`,
	}, nil)
}

// FuzzCreditNoteDecoder is FuzzPaymentDecoder for credit notes.
func FuzzCreditNoteDecoder(f *testing.F) {
	fuzzBody[membership.CreditNoteInput](f, http.MethodPost, "/admin/invoices/{invoiceId}/credit-notes", MaxBody, []string{
		`{"amount":-9223372036854775808,"reason":"x"}`, `{"reason":""}`,
	}, nil)
}

func FuzzCommentaryDecoder(f *testing.F) {
	fuzzBody(f, http.MethodPut, "/admin/cities/{cityId}/reports/{reportId}/commentary", MaxBody, []string{
		`{"introduction":{"en":"A strong start.","fr":"Un bon début."},"areas":{"commitment":{"en":"Clear."}}}`,
		`{"introduction":{},"areas":{"nowhere":{"en":"x"},"a/b~c":{"fr":""}}}`, `{"areas":{"commitment":null}}`,
	}, func(in membership.CommentaryInput) error {
		rep := membership.Report{ID: "report", CityID: "k5vq3ztm2xw7cjr4hbn6dpaafe", Status: membership.ReportDraft}
		_, err := fuzzCity(membership.StatusIndexReported).CommentReport(rep, in, index.Current().Version, fuzzNow, "secretariat:x")
		return err
	})
}

func FuzzPracticeDecoder(f *testing.F) {
	for _, s := range openAPIExamples(f, http.MethodPut, "/admin/good-practices/{practiceId}") {
		f.Add([]byte(s))
	}
	fuzzBody(f, http.MethodPost, "/admin/good-practices", MaxBody, []string{
		`{"cityName":"Rheinstadt","country":"DE","area":"commitment","title":{"en":"Welcome desk"},"summary":{"en":"A desk that welcomes newcomers in twelve languages."},"year":2019,"link":"https://rheinstadt.example/welcome","published":true}`,
		`{"cityName":"","country":"de","area":"x","title":{},"summary":{"fr":"court"},"year":1800,"link":"ftp://x"}`,
	}, func(in practice.Practice) error {
		in.ID = "practice"
		return in.Validate(fuzzNow)
	})
}

// FuzzRunInput fuzzes a schedule run's body: read as the handler reads any
// body, then as the annual invoicing reads its input.
func FuzzRunInput(f *testing.F) {
	fuzzBody(f, http.MethodPost, "/admin/runs/{schedule}", MaxBody, []string{
		`{"year":2027}`, `{"schedule":"annual-invoices"}`, `{"year":1999}`, `{"year":"2027"}`, `{"year":2027.5}`, `{"year":null}`,
		`{"year":99999999999999999999}`, `{"year":2027,"year":2028}`,
	}, func(in json.RawMessage) error {
		_, err := membership.RunYear(in)
		return err
	})
}

// FuzzMediaType fuzzes the Content-Type a body is read with: a type a route
// does not take is 415, never anything else.
func FuzzMediaType(f *testing.F) {
	for _, s := range []string{"application/json", "application/json; charset=utf-8", "text/plain", "application/xml",
		"text/xml; charset=UTF-8", "application/json; charset=latin1", "application/json;;", "application/JSON ; charset=\"utf-8\"",
		"multipart/form-data; boundary=x", "*/*", "application/", "\x00", "application/json; charset=utf-8; charset=latin1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ct string) {
		for _, m := range []media{jsonMedia, xmlMedia} {
			err := requireMediaType(ct, m)
			if err != nil {
				fe := failure.As(err)
				if fe == nil || fe.Kind != failure.UnsupportedMediaType || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "header/Content-Type" {
					t.Fatalf("%q: %v", ct, err)
				}
				continue
			}
			if !strings.Contains(strings.ToLower(ct), "/") || strings.Contains(strings.ToLower(ct), "json") != (m.types[0] == "application/json") {
				t.Fatalf("%q was taken as one of %v", ct, m.types)
			}
		}
	})
}

// FuzzJSONText checks the JSON text's checks against an independent
// reading: the experimental encoding/json/v2's, which validates by RFC 7493
// (I-JSON: names unique in each object, strings valid Unicode).
func FuzzJSONText(f *testing.F) {
	for _, s := range hostile {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"a":"\ud83d\ude00","b":["\ud83d"]}`, `{"a":1,"\u0061":2}`, `{"a\/b":1,"a/b":2}`, `{"x":"\\ud800"}`,
		`[{"k":1},{"k":1}]`, `{"a":{"b":{"c":{"c":1,"d":{"c":2}}}}}`, `{"a":"\uDBFF\uDFFF"}`, `{"a":"\uD800\uDBFF\uDC00"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return // refused before: see readBody
		}
		err := checkJSONText(body)
		if !json.Valid(body) {
			if err != nil {
				t.Fatalf("%q is not valid JSON in UTF-8, yet the check says %v", body, err)
			}
			return
		}
		if iJSON := jsontext.Value(body).IsValid(); iJSON != (err == nil) {
			t.Fatalf("%q: RFC 7493 says valid %v, the check says %v", body, iJSON, err)
		}
		if fe := failure.As(err); err != nil && (fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) != 1) {
			t.Fatalf("%q: %v", body, err)
		} else if err != nil {
			var doc any
			_ = json.Unmarshal(body, &doc)
			p := fe.Fields[0].Pointer
			if p != "/" && !resolves(doc, p) {
				t.Fatalf("%q: the fault at %s is nowhere in the body", body, p)
			}
		}
	})
}

// TestFuzzTargetsHaveTheDocumentsExamples checks that the decoders' fuzz
// targets find the examples of the routes the document describes.
func TestFuzzTargetsHaveTheDocumentsExamples(t *testing.T) {
	for _, rt := range AllRoutes() {
		if rt.Method == http.MethodGet || rt.Path == "/admin/bank-statements" {
			continue
		}
		if examples, documented := documentedBody(t, rt.Method, rt.Path); documented && len(examples) == 0 {
			t.Errorf("%s %s: the document gives no example body to seed its fuzz target with", rt.Method, rt.Path)
		}
	}
}
