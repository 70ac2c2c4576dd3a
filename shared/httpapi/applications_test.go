package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/infra/samples"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

// application is an eligible application by the contact email; a city has
// one open file, so the city's name comes from the email too.
func application(email string) string {
	city, _, _ := strings.Cut(email, "@")
	return fmt.Sprintf(`{"cityName":"Rheinstadt %s","country":"DE","population":312000,"foreignBornShare":21.5,
		"foreignResidentShare":16.1,"nationalMinorityShare":1.2,"contact":{"name":"Jonas Weber","email":%q},"language":"en"}`, city, email)
}

type problem struct {
	Type, Title, Detail string
	Status              int
	Errors              []struct{ Pointer, Detail string }
}

func decodeProblem(t *testing.T, hdr http.Header, body []byte) problem {
	t.Helper()
	if ct := hdr.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, body)
	}
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %s: %v", body, err)
	}
	return p
}

func TestBadApplicationsAreRefusedNamingTheFieldAndStoreNothing(t *testing.T) {
	s := localtest.New(t, local.Options{})
	valid := map[string]any{}
	if err := json.Unmarshal([]byte(application("a@city.example")), &valid); err != nil {
		t.Fatal(err)
	}
	with := func(field string, v any) string {
		m := map[string]any{}
		for k, val := range valid {
			m[k] = val
		}
		if v == nil {
			delete(m, field)
		} else {
			m[field] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	tests := []struct {
		name    string
		body    string
		headers []string
		status  int
		pointer string
	}{
		{"malformed JSON", `{"cityName":`, nil, 400, "/"},
		{"not an object", `[1,2]`, nil, 400, "/"},
		{"empty body", ``, nil, 400, "/"},
		{"trailing data", application("a@city.example") + `{}`, nil, 400, "/"},
		{"unknown field", with("score", 99), nil, 400, "/score"},
		{"wrong type", with("population", "many"), nil, 400, "/population"},
		{"fractional population", with("population", 30000.5), nil, 400, "/population"},
		{"missing city name", with("cityName", nil), nil, 400, "/cityName"},
		{"blank city name", with("cityName", "   "), nil, 400, "/cityName"},
		{"line break in city name", with("cityName", "Evil\r\nBcc: x@y.z"), nil, 400, "/cityName"},
		{"overlong city name", with("cityName", strings.Repeat("a", 121)), nil, 400, "/cityName"},
		{"unknown country", with("country", "XX"), nil, 400, "/country"},
		{"lower-case country", with("country", "de"), nil, 400, "/country"},
		{"negative population", with("population", -5), nil, 400, "/population"},
		{"absurd population", with("population", 9_000_000_000), nil, 400, "/population"},
		{"share above 100", with("foreignBornShare", 100.5), nil, 400, "/foreignBornShare"},
		{"negative share", with("nationalMinorityShare", -1), nil, 400, "/nationalMinorityShare"},
		{"missing share", with("foreignResidentShare", nil), nil, 400, "/foreignResidentShare"},
		{"missing contact", with("contact", nil), nil, 400, "/contact"},
		{"invalid email", with("contact", map[string]string{"name": "A", "email": "not-an-email"}), nil, 400, "/contact/email"},
		{"email with a display name", with("contact", map[string]string{"name": "A", "email": "A <a@b.example>"}), nil, 400, "/contact/email"},
		{"CRLF in email", with("contact", map[string]string{"name": "A", "email": "a@b.example\r\nBcc: c@d.example"}), nil, 400, "/contact/email"},
		{"CRLF in contact name", with("contact", map[string]string{"name": "A\nBcc: c@d.example", "email": "a@b.example"}), nil, 400, "/contact/name"},
		{"unknown contact field", with("contact", map[string]string{"name": "A", "email": "a@b.example", "phone": "1"}), nil, 400, "/contact/phone"},
		{"unknown language", with("language", "de"), nil, 400, "/language"},
		{"status cannot be set", with("status", "member"), nil, 400, "/status"},
		{"invalid UTF-8", "{\"cityName\":\"\xff\xfe\"}", nil, 400, "/"},
		{"oversized body", `{"cityName":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "/"},
		{"not JSON", `cityName=Lyon`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "header/Content-Type"},
		{"JSON without Content-Type", application("a@city.example"), []string{"Content-Type", ""}, 415, "header/Content-Type"},
		{"JSON in another charset", application("a@city.example"), []string{"Content-Type", "application/json; charset=iso-8859-1"}, 415, "header/Content-Type"},
		{"a key named twice", strings.Replace(application("a@city.example"), `"country":"DE"`, `"country":"DE","country":"FR"`, 1), nil, 400, "/country"},
		{"a key named twice in the contact", strings.Replace(application("a@city.example"), `"name":"Jonas Weber"`, `"name":"Jonas Weber","name":"Eve"`, 1), nil, 400, "/contact/name"},
		{"a lone surrogate", strings.Replace(application("a@city.example"), `"cityName":"Rheinstadt`, `"cityName":"Rheinstadt\ud800`, 1), nil, 400, "/cityName"},
		{"a lone low surrogate in the contact", strings.Replace(application("a@city.example"), `"name":"Jonas`, `"name":"\udc00Jonas`, 1), nil, 400, "/contact/name"},
		{"bad idempotency key", application("a@city.example"), []string{"Idempotency-Key", strings.Repeat("k", 300)}, 400, "header/Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := s.Do(http.MethodPost, "/applications", "", tt.body, tt.headers...)
			if status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", status, tt.status, body)
			}
			p := decodeProblem(t, hdr, body)
			if p.Status != tt.status || p.Type == "" || p.Title == "" || p.Detail == "" {
				t.Errorf("incomplete problem %+v", p)
			}
			found := false
			for _, e := range p.Errors {
				found = found || (e.Pointer == tt.pointer && e.Detail != "")
			}
			if !found {
				t.Errorf("no error names %s: %s", tt.pointer, body)
			}
		})
	}
	if n := s.Items(""); n != 0 {
		t.Fatalf("bad input left %d items in the table", n)
	}
}

func TestEveryInvalidFieldIsReportedAtOnce(t *testing.T) {
	s := localtest.New(t, local.Options{})
	status, hdr, body := s.Do(http.MethodPost, "/applications", "",
		`{"cityName":"","country":"France","population":0,"foreignBornShare":101,"contact":{"name":"A","email":"x"},"language":"es"}`)
	if status != 400 {
		t.Fatalf("status %d", status)
	}
	p := decodeProblem(t, hdr, body)
	want := []string{"/cityName", "/country", "/population", "/foreignBornShare", "/foreignResidentShare",
		"/nationalMinorityShare", "/contact/email", "/language"}
	got := map[string]bool{}
	for _, e := range p.Errors {
		got[e.Pointer] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing error for %s in %s", w, body)
		}
	}
}

func TestIneligibleApplicationIsRecordedAndFlagged(t *testing.T) {
	s := localtest.New(t, local.Options{})
	body := `{"cityName":"Small Town","country":"FR","population":12000,"foreignBornShare":3,"foreignResidentShare":2,
		"nationalMinorityShare":0,"contact":{"name":"A","email":"mayor@small.example"},"language":"en"}`
	status, _, resp := s.Do(http.MethodPost, "/applications", "", body)
	if status != http.StatusCreated {
		t.Fatalf("status %d %s", status, resp)
	}
	var r struct {
		CityID      string
		Status      string
		Eligibility struct {
			Eligible bool
			Reasons  []struct{ Rule, Message string }
		}
	}
	_ = json.Unmarshal(resp, &r)
	if r.Status != "applied" || r.Eligibility.Eligible || len(r.Eligibility.Reasons) != 2 ||
		r.Eligibility.Reasons[0].Rule != "population" || r.Eligibility.Reasons[1].Rule != "diversity" {
		t.Fatalf("verdict %s, want both rules failed", resp)
	}
	s.Drain()
	mails, _ := s.MailTo(t.Context(), "secretariat@intercultural-cities.local")
	flagged := false
	for _, m := range mails {
		flagged = flagged || (strings.Contains(m.Subject, "Small Town") && strings.Contains(m.Subject, "not eligible") &&
			strings.Contains(m.Body, "below 30,000"))
	}
	if !flagged {
		t.Fatal("the secretariat was not told the application is ineligible")
	}
}

func TestConcurrentDuplicatesWithOneKeyCreateOneCity(t *testing.T) {
	s := localtest.New(t, local.Options{})
	body := application("dup@city.example")
	const n = 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		bodies  = map[string]int{}
		statues = map[int]int{}
	)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/applications", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "same-key-1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			mu.Lock()
			bodies[b.String()]++
			statues[resp.StatusCode]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if len(bodies) != 1 || statues[201] != n {
		t.Fatalf("responses differ: statuses %v, %d distinct bodies: %v", statues, len(bodies), bodies)
	}
	if c := s.Items("CITY#"); c != 2 { // the profile and its first timeline event
		t.Fatalf("%d city items, want 2 (one city)", c)
	}
	s.Drain()
	if mails, _ := s.MailTo(t.Context(), "dup@city.example"); len(mails) != 1 {
		t.Fatalf("%d emails to the city, want 1", len(mails))
	}
}

func TestIdempotencyKeyReusedWithAnotherBodyIs422(t *testing.T) {
	s := localtest.New(t, local.Options{})
	status, _, first := s.Do(http.MethodPost, "/applications", "", application("k@city.example"), "Idempotency-Key", "k-1")
	if status != 201 {
		t.Fatalf("first: %d", status)
	}
	status, hdr, again := s.Do(http.MethodPost, "/applications", "", application("k@city.example"), "Idempotency-Key", "k-1")
	if status != 201 || !bytes.Equal(first, again) || hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s (first %s)", status, again, first)
	}
	status, hdr, body := s.Do(http.MethodPost, "/applications", "", application("other@city.example"), "Idempotency-Key", "k-1")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("reused key with another body: %d %s", status, body)
	}
	decodeProblem(t, hdr, body)
	if c := s.Items("CITY#"); c != 2 {
		t.Fatalf("%d city items, want 2", c)
	}
}

func TestCityAccessRules(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ids := make([]string, 2)
	tokens := make([]string, 2)
	for i := range ids {
		email := fmt.Sprintf("city%d@access.example", i)
		status, _, body := s.Do(http.MethodPost, "/applications", "", application(email))
		if status != 201 {
			t.Fatal(status)
		}
		var r struct{ CityID string }
		_ = json.Unmarshal(body, &r)
		ids[i] = r.CityID
		s.Drain()
		tokens[i] = s.TokenFromMail(email)
	}
	admin := s.AdminToken()
	expired, expTok := auth.Issue(auth.RoleCity, ids[0], "old", time.Now().Add(-2*time.Hour), time.Hour)
	revoked, revTok := auth.Issue(auth.RoleCity, ids[0], "revoked", time.Now(), time.Hour)
	for _, tok := range []auth.Token{expTok, revTok} {
		if err := s.Store.PutToken(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Store.RevokeToken(context.Background(), revTok.Hash, time.Now()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		token  string
		path   string
		status int
	}{
		{"anonymous", "", "/cities/" + ids[0], 401},
		{"unknown token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/cities/" + ids[0], 401},
		{"expired token", expired, "/cities/" + ids[0], 401},
		{"revoked token", revoked, "/cities/" + ids[0], 401},
		{"own city", tokens[0], "/cities/" + ids[0], 200},
		{"other city", tokens[0], "/cities/" + ids[1], 403},
		{"secretariat", admin, "/cities/" + ids[1], 200},
		{"secretariat, no such city", admin, "/cities/aaaaaaaaaaaaaaaaaaaaaaaaaa", 404},
		{"malformed id", admin, "/cities/..%2f..", 400},
		{"city on admin route", tokens[0], "/admin/runs/sweeper", 403},
		{"secretariat asks for a sweep", admin, "/admin/runs/sweeper", 202},
		{"unknown schedule", admin, "/admin/runs/nope", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if strings.HasPrefix(tt.path, "/admin/runs/") {
				method = http.MethodPost
			}
			status, hdr, body := s.Do(method, tt.path, tt.token, "")
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if status >= 400 {
				decodeProblem(t, hdr, body)
			}
			if status == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// Without FORMS_BASE_URL, access links point to the API's public URL as API
// Gateway states it (the web function serves the forms there); a request
// that does not come through API Gateway gets no link at all.
func TestAccessLinksDefaultToTheAPIsOwnURL(t *testing.T) {
	s := localtest.New(t, local.Options{})
	api := *s.API("applications")
	api.Rules.FormsBaseURL = ""
	raw, err := samples.Read("applications")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	resp, err := httpapi.LambdaHandler(api.Handler("applications"))(t.Context(), ev)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("sample application: %v %d %s", err, resp.StatusCode, resp.Body)
	}
	s.Drain()
	mails, err := s.MailTo(t.Context(), "claire.martin@lyon.example")
	want := "https://" + ev.RequestContext.DomainName + "/" + ev.RequestContext.Stage + "/index-form?city="
	if err != nil || len(mails) != 1 || !strings.Contains(mails[0].Body, want) {
		t.Fatalf("access link: %v, %d emails, want a link starting %s", err, len(mails), want)
	}

	// Through a plain HTTP server, a Host header must not make the link.
	before := s.Items("CITY#")
	srv := httptest.NewServer(api.Handler("applications"))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/applications", strings.NewReader(application("host@evil.example")))
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError || s.Items("CITY#") != before {
		t.Fatalf("no forms URL, no API Gateway: %d, %d items written", res.StatusCode, s.Items("CITY#")-before)
	}
}
