package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/practice"
	"github.com/intercultural-cities/backoffice/shared/runs"
)

// Store is what the HTTP handlers need from storage.
type Store interface {
	Token(ctx context.Context, hash string) (auth.Token, error)
	TokenAndCity(ctx context.Context, hash, cityID string) (auth.Token, membership.City, bool, error)
	IdempotencyRecord(ctx context.Context, scope, key string, now time.Time) (idempotency.Record, bool, error)
	Apply(ctx context.Context, ch membership.Change, idem *idempotency.Record) error
	City(ctx context.Context, id string) (membership.City, []membership.Event, error)
	Draft(ctx context.Context, cityID string) (index.Draft, error)
	SaveDraft(ctx context.Context, d index.Draft, expected int64) (index.Draft, error)
	Submission(ctx context.Context, cityID, id string) (index.Submission, error)
	UpdateCity(ctx context.Context, id string, idem *idempotency.Record, step func(membership.City) (membership.Change, error)) (membership.Change, error)
	CityForUpdate(ctx context.Context, id string) (membership.City, error)
	Pipeline(ctx context.Context, status membership.Status, country, q, after string, limit int32) (membership.Page, error)
	Counts(ctx context.Context) (map[membership.Status]int, error)
	Audit(ctx context.Context, id string) ([]membership.Event, error)
	ProgressReports(ctx context.Context, cityID string) ([]membership.ProgressReport, error)
	NextNumber(ctx context.Context, series string) (int, error)
	InvoiceAccount(ctx context.Context, id string) (membership.InvoiceAccount, error)
	CityInvoices(ctx context.Context, cityID string) ([]membership.InvoiceAccount, error)
	Invoices(ctx context.Context, feeYear int) ([]membership.InvoiceAccount, error)
	OpenInvoices(ctx context.Context, dueBy fees.Date) ([]membership.InvoiceAccount, error)
	Report(ctx context.Context, cityID, id string) (membership.Report, error)
	Reports(ctx context.Context, cityID string) ([]membership.Report, error)
	DraftReports(ctx context.Context) ([]membership.Report, error)
	PutPractice(ctx context.Context, p practice.Practice, idem *idempotency.Record) error
	Practice(ctx context.Context, id string) (practice.Practice, error)
	Practices(ctx context.Context, area string) ([]practice.Practice, error)
	CreateRun(ctx context.Context, run runs.Run, holder string, idem *idempotency.Record) error
	Run(ctx context.Context, schedule, id string) (runs.Run, error)
}

// Documents reads archived documents (package archive): only the invoices
// function has it.
type Documents interface {
	Document(ctx context.Context, key string) (body []byte, contentType string, err error)
}

// API holds the handlers' dependencies.
type API struct {
	Store Store
	Now   func() time.Time
	NewID func() string
	Rules membership.Rules // what the function's settings give it
	// Documents serves archived invoices, credit notes and reports.
	Documents Documents
	// Reporting builds and renders reports: the reports function's.
	Reporting Reporting
	MaxBody   int64
}

// New assembles the handlers over a store, with the real clock and ids.
func New(s Store, rules membership.Rules) *API {
	return &API{Store: s, Now: time.Now, NewID: ids.New, Rules: rules, MaxBody: MaxBody}
}

// Route is one HTTP route and the function that serves it.
type Route struct {
	Function string // the functions/<name> that serves it in AWS
	Method   string
	Path     string // in API Gateway and net/http syntax: /cities/{cityId}
	handler  func(*API, http.ResponseWriter, *http.Request)
	page     http.HandlerFunc // a web page's, which needs nothing of the API
}

// Pattern is the net/http pattern of a route: API Gateway's / is the root
// only, which net/http spells /{$} (its / matches every path).
func Pattern(method, path string) string {
	if path == "/" {
		path = "/{$}"
	}
	return method + " " + path
}

// Serve serves routes: a function's main gives its own table.
func (a *API) Serve(routes []Route) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		if rt.page != nil {
			mux.HandleFunc(Pattern(rt.Method, rt.Path), rt.page)
			continue
		}
		h := rt.handler
		mux.HandleFunc(Pattern(rt.Method, rt.Path), func(w http.ResponseWriter, r *http.Request) { h(a, w, r) })
	}
	return withFallback(mux)
}

// Handler serves every route of one function, or of every function for ""
// (the local stack, the tests). A function's binary uses Serve with its
// own table: this one links them all.
func (a *API) Handler(function string) http.Handler {
	var routes []Route
	for _, rt := range AllRoutes() {
		if function == "" || rt.Function == function {
			routes = append(routes, rt)
		}
	}
	return a.Serve(routes)
}

// withFallback turns the mux's plain-text 404 and 405 into problems.
func withFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			rec := &statusOnly{header: http.Header{}}
			mux.ServeHTTP(rec, r)
			if rec.status == http.StatusMethodNotAllowed {
				w.Header().Set("Allow", rec.header.Get("Allow"))
				writeJSON(w, http.StatusMethodNotAllowed, "application/problem+json", Problem{
					Type: ProblemTypeBase + "method-not-allowed", Title: "Method not allowed",
					Status: http.StatusMethodNotAllowed, Instance: r.URL.Path,
				})
				return
			}
			writeProblem(w, r, failure.New(failure.NotFound, "no route %s %s", r.Method, r.URL.Path))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// statusOnly records what the mux would answer without writing it.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(code int)        { s.status = code }

// principal authenticates the request's bearer token.
func (a *API) principal(r *http.Request) (auth.Principal, error) {
	hash, err := bearerHash(r)
	if err != nil {
		return auth.Principal{}, err
	}
	tok, err := a.Store.Token(r.Context(), hash)
	if err != nil {
		return auth.Principal{}, err
	}
	return tok.Authenticate(a.Now())
}

// bearerHash is the hash of the request's bearer token, which finds its
// record.
func bearerHash(r *http.Request) (string, error) {
	secret, ok := auth.BearerSecret(r.Header.Get("Authorization"))
	if !ok {
		return "", failure.New(failure.Unauthenticated, "send Authorization: Bearer <token>")
	}
	return auth.Hash(secret), nil
}

func (a *API) maxBody() int64 {
	if a.MaxBody > 0 {
		return a.MaxBody
	}
	return MaxBody
}
