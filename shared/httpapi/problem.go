// Package httpapi is the HTTP port: routing, authentication, idempotency,
// strict decoding and RFC 9457 problem responses. The same handlers serve
// API Gateway (through the Lambda adapter) and the local server.
package httpapi

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type     string               `json:"type"`
	Title    string               `json:"title"`
	Status   int                  `json:"status"`
	Detail   string               `json:"detail,omitempty"`
	Instance string               `json:"instance,omitempty"`
	Errors   []failure.FieldError `json:"errors,omitempty"`
}

type problemKind struct {
	status int
	slug   string
	title  string
}

// kinds is the one mapping from failure kinds to HTTP statuses.
var kinds = map[failure.Kind]problemKind{
	failure.Internal:           {http.StatusInternalServerError, "internal", "Internal error"},
	failure.Invalid:            {http.StatusBadRequest, "invalid-input", "Invalid input"},
	failure.Unauthenticated:    {http.StatusUnauthorized, "unauthenticated", "Authentication required"},
	failure.Forbidden:          {http.StatusForbidden, "forbidden", "Forbidden"},
	failure.NotFound:           {http.StatusNotFound, "not-found", "Not found"},
	failure.Conflict:           {http.StatusConflict, "conflict", "Conflict"},
	failure.Unprocessable:      {http.StatusUnprocessableEntity, "unprocessable", "Unprocessable request"},
	failure.TooLarge:           {http.StatusRequestEntityTooLarge, "too-large", "Request body too large"},
	failure.PreconditionFailed: {http.StatusPreconditionFailed, "precondition-failed", "Precondition failed"},
}

// internalDetail is all a caller learns of an internal error.
const internalDetail = "something went wrong on our side; it was logged"

// ProblemTypeBase prefixes every problem type URI.
const ProblemTypeBase = "/problems/"

// writeProblem answers with the problem err describes. Internal errors are
// logged and their detail hidden.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	kind := failure.KindOf(err)
	pk, ok := kinds[kind]
	if !ok {
		pk = kinds[failure.Internal]
	}
	p := Problem{Type: ProblemTypeBase + pk.slug, Title: pk.title, Status: pk.status, Instance: r.URL.Path}
	if f := failure.As(err); f != nil && kind != failure.Internal {
		p.Detail = f.Detail
		p.Errors = f.Fields
	}
	if kind == failure.Internal {
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		p.Detail = internalDetail
	}
	if kind == failure.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="intercultural-cities"`)
	}
	if problemLanguage(r) == "fr" {
		p = p.inFrench(failure.As(err), kind == failure.Internal)
	}
	writeJSON(w, pk.status, "application/problem+json", p)
}

// inFrench words the problem's detail and field errors in French where the
// catalog has them; the rest stays in English.
func (p Problem) inFrench(f *failure.Error, internal bool) Problem {
	say := func(format string, args []any) (string, bool) {
		fr, ok := french[format]
		if !ok {
			return "", false
		}
		return fmt.Sprintf(fr, args...), true
	}
	if f != nil && !internal {
		if d, ok := say(f.Message()); ok {
			p.Detail = d
		}
	} else if d, ok := say(p.Detail, nil); ok {
		p.Detail = d
	}
	fields := make([]failure.FieldError, len(p.Errors))
	for i, fe := range p.Errors {
		fields[i] = fe
		if d, ok := say(fe.Message()); ok {
			fields[i].Detail = d
		}
	}
	if p.Errors != nil {
		p.Errors = fields
	}
	return p
}

// problemLanguage is fr when the request's Accept-Language prefers French to
// English (the forms send their page's language), en otherwise.
func problemLanguage(r *http.Request) string {
	best, bestQ := "en", 0.0
	for _, v := range r.Header.Values("Accept-Language") {
		for _, part := range strings.Split(v, ",") {
			tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
			if primary != "fr" && primary != "en" {
				continue
			}
			q := 1.0
			if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			if q > bestQ {
				best, bestQ = primary, q
			}
		}
	}
	return best
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
