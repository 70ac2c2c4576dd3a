// Package localtest gives each test its own local stack: a fresh table on the
// shared in-process emulator and an HTTP server over the real handlers.
package localtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/auth"
)

// Stack is a local stack for one test.
type Stack struct {
	*local.Stack
	URL string
	T   testing.TB
}

// New starts a stack on a table of the test's own.
func New(t testing.TB, opts local.Options) *Stack {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	opts.Table = "test-" + hex.EncodeToString(b[:])
	s, err := local.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start local stack: %v", err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	// The emulator enforces no IAM: every test that drives the stack also
	// checks that each AWS call a function made is one its policies in
	// template.yaml allow (in AWS it would fail with AccessDenied).
	t.Cleanup(func() {
		a := s.Audit()
		for _, p := range append(a.Missing, a.Unchecked...) {
			t.Errorf("IAM: %s", p)
		}
	})
	return &Stack{Stack: s, URL: srv.URL, T: t}
}

// Do sends a request and returns the status, headers and body.
func (s *Stack) Do(method, path, token string, body string, headers ...string) (int, http.Header, []byte) {
	s.T.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		s.T.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// Drain delivers all pending stream records.
func (s *Stack) Drain() {
	s.T.Helper()
	if err := s.Stack.Drain(context.Background()); err != nil {
		s.T.Fatalf("drain streams: %v", err)
	}
}

// RunSchedule asks for a run of a schedule as the secretariat's console
// does (POST /admin/runs/<schedule> with body, answered 202), delivers the
// table's stream, on which the schedule's own function runs it as Lambda
// would, and returns the run as GET on its Location then answers it: it
// fails the test unless the run succeeded. The schedule's report is the
// run's "result".
func (s *Stack) RunSchedule(token, schedule, body string) []byte {
	s.T.Helper()
	status, hdr, resp := s.Do(http.MethodPost, "/admin/runs/"+schedule, token, body)
	if status != http.StatusAccepted || hdr.Get("Location") == "" {
		s.T.Fatalf("POST /admin/runs/%s: %d (Location %q), want 202: %s", schedule, status, hdr.Get("Location"), resp)
	}
	s.Drain()
	loc := hdr.Get("Location")
	status, hdr, resp = s.Do(http.MethodGet, loc, token, "")
	var run struct{ Status string }
	if err := json.Unmarshal(resp, &run); status != http.StatusOK || err != nil || run.Status != "succeeded" ||
		hdr.Get("Retry-After") != "" {
		s.T.Fatalf("GET %s after the streams were delivered: %d (Retry-After %q), want 200 and a run that succeeded: %s",
			loc, status, hdr.Get("Retry-After"), resp)
	}
	return resp
}

// AdminToken stores a fresh secretariat token and returns its secret.
func (s *Stack) AdminToken() string {
	s.T.Helper()
	// Valid for years of the stack's clock, which tests move forward.
	secret, tok := auth.Issue(auth.RoleSecretariat, "", "test", s.Clock.Now(), 5*366*24*time.Hour)
	if err := s.Store.PutToken(context.Background(), tok); err != nil {
		s.T.Fatal(err)
	}
	return secret
}

var linkToken = regexp.MustCompile(`#token=([A-Za-z0-9_-]+)`)

// TokenFromMail returns the access token in the newest email sent to addr.
func (s *Stack) TokenFromMail(addr string) string {
	s.T.Helper()
	mails, err := s.MailTo(context.Background(), addr)
	if err != nil {
		s.T.Fatal(err)
	}
	for _, m := range mails {
		if g := linkToken.FindStringSubmatch(m.Body); g != nil {
			return g[1]
		}
	}
	s.T.Fatalf("no access link in the %d email(s) to %s", len(mails), addr)
	return ""
}

// Items counts the table's items whose partition key starts with prefix.
func (s *Stack) Items(prefix string) int {
	s.T.Helper()
	n := 0
	var start map[string]types.AttributeValue
	for {
		out, err := s.DB.Scan(context.Background(), &dynamodb.ScanInput{
			TableName: aws.String(s.Table), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			s.T.Fatal(err)
		}
		for _, it := range out.Items {
			if pk, ok := it["pk"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, prefix) {
				n++
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return n
		}
		start = out.LastEvaluatedKey
	}
}
