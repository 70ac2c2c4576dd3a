// Package httpapi is the HTTP port: routing, authentication, idempotency,
// strict decoding and RFC 9457 problem responses. The same handlers serve
// API Gateway (through the Lambda adapter) and the local server.
package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
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
	failure.Internal:             {http.StatusInternalServerError, "internal", "Internal error"},
	failure.Invalid:              {http.StatusBadRequest, "invalid-input", "Invalid input"},
	failure.Unauthenticated:      {http.StatusUnauthorized, "unauthenticated", "Authentication required"},
	failure.Forbidden:            {http.StatusForbidden, "forbidden", "Forbidden"},
	failure.NotFound:             {http.StatusNotFound, "not-found", "Not found"},
	failure.Conflict:             {http.StatusConflict, "conflict", "Conflict"},
	failure.Unprocessable:        {http.StatusUnprocessableEntity, "unprocessable", "Unprocessable request"},
	failure.TooLarge:             {http.StatusRequestEntityTooLarge, "too-large", "Request body too large"},
	failure.PreconditionFailed:   {http.StatusPreconditionFailed, "precondition-failed", "Precondition failed"},
	failure.UnsupportedMediaType: {http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type"},
}

// internalDetail is all a caller learns of an internal error.
const internalDetail = "something went wrong on our side; it was logged"

// ProblemTypeBase prefixes every problem type URI.
const ProblemTypeBase = "/problems/"

// writeProblem answers with the problem err describes, worded in the
// language the request prefers (its Accept-Language; the forms send their
// page's language) through the catalogue of package i18n, numbers and dates
// included. Internal errors are logged and their detail hidden.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	kind := failure.KindOf(err)
	pk, ok := kinds[kind]
	if !ok {
		pk = kinds[failure.Internal]
	}
	lang := requestLanguage(r)
	p := Problem{Type: ProblemTypeBase + pk.slug, Title: lang.Text(pk.title), Status: pk.status, Instance: r.URL.Path}
	if f := failure.As(err); f != nil && kind != failure.Internal {
		format, args := f.Message()
		p.Detail = say(lang, format, args)
		if f.Fields != nil {
			// A copy: the error itself stays as it is for another reader.
			p.Errors = make([]failure.FieldError, len(f.Fields))
			for i, fe := range f.Fields {
				format, args := fe.Message()
				p.Errors[i] = failure.FieldError{Pointer: fe.Pointer, Detail: say(lang, format, args)}
			}
		}
	}
	if kind == failure.Internal {
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		p.Detail = lang.Text(internalDetail)
	}
	if kind == failure.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="intercultural-cities"`)
	}
	writeJSON(w, pk.status, "application/problem+json", p)
}

// say words a failure's message in lang: a format with its arguments, or a
// message written as a literal.
func say(lang i18n.Lang, format string, args []any) string {
	if len(args) == 0 {
		return lang.Text(format)
	}
	return lang.Sprintf(format, args...)
}

// requestLanguage is the language the request's Accept-Language prefers:
// French or English.
func requestLanguage(r *http.Request) i18n.Lang {
	return i18n.Preferred(r.Header.Values("Accept-Language")...)
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
