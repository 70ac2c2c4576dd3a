package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// The application form sent without JavaScript: POST /apply, form-encoded,
// answered with a page.

const formType = "application/x-www-form-urlencoded"

// applicationForm is a complete form for the city, its fields overridden
// by pairs.
func applicationForm(city, email string, pairs ...string) string {
	v := url.Values{"idempotencyKey": {"form-" + strings.ReplaceAll(city, " ", "-")}, "cityName": {city}, "country": {"DE"}, "population": {"312000"},
		"foreignBornShare": {"21.5"}, "foreignResidentShare": {"16.1"}, "nationalMinorityShare": {"1.2"},
		"contactName": {"Jonas Weber"}, "contactEmail": {email}, "language": {"en"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v.Encode()
}

// postForm sends a form as a browser of this origin would (Sec-Fetch-Site:
// same-origin), with headers overriding.
func postForm(s *localtest.Stack, lang, body string, headers ...string) (int, http.Header, string) {
	s.T.Helper()
	status, hdr, b := s.Do(http.MethodPost, "/apply?lang="+lang, "", body,
		append([]string{"Content-Type", formType, "Sec-Fetch-Site", "same-origin"}, headers...)...)
	if ct := hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" || hdr.Get("Cache-Control") != "no-store" {
		s.T.Errorf("POST /apply: %d answered %q, Cache-Control %q, want a page no cache keeps", status, ct, hdr.Get("Cache-Control"))
	}
	return status, hdr, string(b)
}

// mainOf is what a page shows, for a failure's message.
func mainOf(page string) string {
	if _, m, ok := strings.Cut(page, "<main>"); ok {
		m, _, _ = strings.Cut(m, "</main>")
		return m
	}
	return page
}

// applied counts the cities whose name starts with name.
func applied(t *testing.T, s *localtest.Stack, adm, name string) int {
	t.Helper()
	status, _, body := s.Do(http.MethodGet, "/admin/cities?q="+url.QueryEscape(name), adm, "")
	var l struct{ Cities []struct{ Name string } }
	if err := json.Unmarshal(body, &l); status != http.StatusOK || err != nil {
		t.Fatalf("the pipeline: %d %v %s", status, err, body)
	}
	return len(l.Cities)
}

var verdict = regexp.MustCompile(`<p id="verdict" data-eligible="(true|false)" data-city-id="([a-z2-7]{26})">`)

// TestApplyFormBadInputShowsTheFormAgain: a bad form is answered 400 with
// the form again, in its language, the values kept and each error by its
// field; nothing is recorded.
func TestApplyFormBadInputShowsTheFormAgain(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	status, _, page := postForm(s, "fr", applicationForm("Formville", "not-an-email", "population", "beaucoup", "foreignBornShare", ""))
	if status != http.StatusBadRequest {
		t.Fatalf("status %d: %s", status, mainOf(page))
	}
	fr := i18n.French
	for _, want := range []string{
		`<html lang="fr">`,
		`<div id="error-summary"`,
		`value="Formville"`,
		`<a href="#population">`,
		`<p class="error field-error" id="foreignBornShare-error">` + fr.Text("is required (a percentage from 0 to 100)") + `</p>`,
		`<p class="error field-error" id="contactEmail-error">` + fr.Text("must be a plain email address such as name@city.example") + `</p>`,
		`value="not-an-email" aria-invalid="true" aria-describedby="contactEmail-error"`,
		`<input type="hidden" name="idempotencyKey" value="form-Formville">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the form sent back lacks %s", want)
		}
	}
	if n := applied(t, s, adm, "Formville"); n != 0 {
		t.Errorf("%d cities recorded from a bad form", n)
	}
	// Not a form, a form too large, a field the form lacks: the form again.
	for _, tt := range []struct {
		name, body string
		headers    []string
		status     int
		says       string
	}{
		{"JSON", `{"cityName":"Formville"}`, []string{"Content-Type", "application/json"}, 415, "application/x-www-form-urlencoded"},
		{"a bad escape", "cityName=%zz", nil, 400, "application/x-www-form-urlencoded"},
		{"invalid UTF-8", "cityName=%ff", nil, 400, "UTF-8"},
		{"an unknown field", applicationForm("Formville", "a@formville.example", "score", "99"), nil, 400, "/score"},
		{"too large", applicationForm("Formville", "a@formville.example", "contactName", strings.Repeat("x", 70000)), nil, 413, "65"},
	} {
		status, _, page := postForm(s, "en", tt.body, tt.headers...)
		if status != tt.status || !strings.Contains(page, `id="error-summary"`) || !strings.Contains(page, tt.says) {
			t.Errorf("%s: %d, want %d and the form saying %q: %s", tt.name, status, tt.status, tt.says, mainOf(page))
		}
	}
	if n := applied(t, s, adm, "Formville"); n != 0 {
		t.Errorf("%d cities recorded from bad forms", n)
	}
}

// TestApplyFormRefusesCrossSitePosts: a form another site makes its
// visitor's browser send is refused 403 and records nothing; this origin's
// own, and a request from no browser, are taken.
func TestApplyFormRefusesCrossSitePosts(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	for _, tt := range []struct {
		name    string
		headers []string
	}{
		{"another site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"a sibling site", []string{"Sec-Fetch-Site", "same-site", "Origin", "https://forms.elsewhere.example"}},
		{"an older browser elsewhere", []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
	} {
		status, _, page := postForm(s, "en", applicationForm("Crossville", "a@crossville.example"), tt.headers...)
		if status != http.StatusForbidden || !strings.Contains(page, "another site") || strings.Contains(page, "Crossville") {
			t.Errorf("%s: %d, want 403 and an empty form saying why: %s", tt.name, status, mainOf(page))
		}
	}
	if n := applied(t, s, adm, "Crossville"); n != 0 {
		t.Fatalf("%d cities recorded from cross-site forms", n)
	}
	for i, headers := range [][]string{
		{"Sec-Fetch-Site", "same-origin"},
		{"Sec-Fetch-Site", "", "Origin", s.URL},
		{"Sec-Fetch-Site", ""},
	} {
		city := "Crossville " + string(rune('A'+i))
		if status, _, page := postForm(s, "en", applicationForm(city, "a@crossville.example"), headers...); status != http.StatusCreated {
			t.Errorf("%v: %d: %s", headers, status, mainOf(page))
		}
	}
}

// TestApplyFormRecordsOnceWithTheSameEmails: the same page sent twice, at
// once, records one application and sends its emails once; the second
// answer is the same confirmation, in the form's language.
func TestApplyFormRecordsOnceWithTheSameEmails(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	body := applicationForm("Petite-Forme", "mairie@petite-forme.example", "population", "12 000", "foreignBornShare", "3,5",
		"foreignResidentShare", "2", "nationalMinorityShare", "0", "language", "fr")
	const n = 5
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		pages = map[string]int{}
	)
	for range n {
		wg.Go(func() {
			status, _, page := postForm(s, "fr", body)
			mu.Lock()
			defer mu.Unlock()
			if status != http.StatusCreated {
				t.Errorf("%d: %s", status, mainOf(page))
			}
			if m := verdict.FindStringSubmatch(page); m != nil {
				pages[m[2]]++
			}
		})
	}
	wg.Wait()
	if len(pages) != 1 {
		t.Fatalf("confirmations of %d cities, want 1: %v", len(pages), pages)
	}
	if n := applied(t, s, adm, "Petite-Forme"); n != 1 {
		t.Fatalf("%d cities recorded, want 1", n)
	}
	if c := s.Items("CITY#"); c != 2 { // the profile and its first timeline event
		t.Fatalf("%d city items, want 2 (one city)", c)
	}
	// The confirmation words the reasons in French, the figures French too.
	_, _, page := postForm(s, "fr", body)
	if !strings.Contains(page, `data-eligible="false"`) || !strings.Contains(page, "12\u202f000 habitants") ||
		!strings.Contains(page, i18n.French.Sprintf("appliedTitle")) {
		t.Errorf("the confirmation: %s", mainOf(page))
	}
	// The emails of POST /applications, once: the city's, in its
	// language, with its access link, and the secretariat's.
	s.Drain()
	mails, err := s.MailTo(context.Background(), "mairie@petite-forme.example")
	if err != nil || len(mails) != 1 {
		t.Fatalf("%d emails to the city (%v), want 1", len(mails), err)
	}
	if token := s.TokenFromMail("mairie@petite-forme.example"); token == "" {
		t.Error("no access link in the city's email")
	}
	// The page sent again with other values is not recorded: the form
	// again, with a new key.
	status, _, page := postForm(s, "fr", applicationForm("Petite-Forme", "autre@petite-forme.example", "idempotencyKey", "form-Petite-Forme"))
	if status != http.StatusUnprocessableEntity || strings.Contains(page, `value="form-Petite-Forme"`) || !strings.Contains(page, `value="autre@petite-forme.example"`) {
		t.Errorf("the key reused with other values: %d %s", status, mainOf(page))
	}
	// A new page for the same city: its file is open.
	status, _, page = postForm(s, "en", applicationForm("PETITE FORME", "other@petite-forme.example", "idempotencyKey", "another"))
	if status != http.StatusConflict || !strings.Contains(page, `<a href="#cityName">City name: this city already has an application in progress</a>`) {
		t.Errorf("a second application for the city: %d %s", status, mainOf(page))
	}
}

// TestApplyFormThroughAPIGateway sends the form as API Gateway hands it to
// the applications function (the body base64-encoded, the host its domain
// name): a form from the API's own page is recorded, one from elsewhere
// refused.
func TestApplyFormThroughAPIGateway(t *testing.T) {
	s := localtest.New(t, local.Options{})
	h := httpapi.LambdaHandler(s.API("applications").Handler("applications"))
	const domain = "a1b2c3d4e5.execute-api.eu-west-3.amazonaws.com"
	event := func(origin, body string) events.APIGatewayV2HTTPRequest {
		return events.APIGatewayV2HTTPRequest{
			RawPath: "/dev/apply", RawQueryString: "lang=fr",
			Headers: map[string]string{"content-type": formType, "origin": origin},
			Body:    base64.StdEncoding.EncodeToString([]byte(body)), IsBase64Encoded: true,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "dev", DomainName: domain,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost, SourceIP: "203.0.113.24"}},
		}
	}
	resp, err := h(t.Context(), event("https://"+domain, applicationForm("Gatewayville", "a@gatewayville.example")))
	if err != nil || resp.StatusCode != http.StatusCreated || resp.Headers["Content-Type"] != "text/html; charset=utf-8" ||
		verdict.FindStringSubmatch(resp.Body) == nil {
		t.Fatalf("the API's own form: %v %d %s", err, resp.StatusCode, mainOf(resp.Body))
	}
	resp, err = h(t.Context(), event("https://evil.example", applicationForm("Gatewayville Bis", "b@gatewayville.example")))
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a form from elsewhere: %v %d %s", err, resp.StatusCode, mainOf(resp.Body))
	}
}
