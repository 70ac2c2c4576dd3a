package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// LambdaHandler serves API Gateway HTTP API (payload 2.0) events with h, so
// the same handler runs in Lambda and behind the local server.
func LambdaHandler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		req, err := toRequest(ctx, ev)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest,
				Headers: map[string]string{"Content-Type": "application/problem+json"},
				Body:    `{"type":"/problems/invalid-input","title":"Invalid input","status":400,"detail":"the request could not be read"}`,
			}, nil
		}
		rw := &responseWriter{header: http.Header{}, status: http.StatusOK}
		h.ServeHTTP(rw, req)
		return rw.response(), nil
	}
}

func toRequest(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	u := &url.URL{Path: ev.RawPath, RawQuery: ev.RawQueryString}
	if u.Path == "" {
		u.Path = ev.RequestContext.HTTP.Path
	}
	// A named stage prefixes every path (/dev/applications); routes and
	// links are relative to the stage.
	if stage := ev.RequestContext.Stage; stage != "" && stage != "$default" {
		prefix := "/" + stage
		if rest, ok := strings.CutPrefix(u.Path, prefix); ok && (rest == "" || rest[0] == '/') {
			u.Path = rest
			ctx = context.WithValue(ctx, basePathKey{}, prefix)
		}
	}
	if d := ev.RequestContext.DomainName; d != "" {
		// The API's public URL as API Gateway (not the client) states it.
		prefix, _ := ctx.Value(basePathKey{}).(string)
		ctx = context.WithValue(ctx, publicURLKey{}, "https://"+d+prefix)
	}
	method := ev.RequestContext.HTTP.Method
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range ev.Headers {
		// API Gateway joins repeated headers with commas.
		req.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	req.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	req.Host = ev.RequestContext.DomainName
	req.ContentLength = int64(len(body))
	return req, nil
}

type (
	basePathKey  struct{}
	publicURLKey struct{}
)

// rules are the workflow's rules for r: access
// links point to the forms' configured URL or, when none is, to this API's
// public URL as API Gateway gives it (the web function serves the forms
// there). A Host header is never trusted for a link that is emailed.
func (a *API) rules(r *http.Request) (membership.Rules, error) {
	s := a.Rules
	if s.FormsBaseURL == "" {
		u, ok := r.Context().Value(publicURLKey{}).(string)
		if !ok {
			return s, errors.New("no forms base URL: set FORMS_BASE_URL")
		}
		s.FormsBaseURL = u
	}
	return s, nil
}

// link returns path as the client reaches it (with the stage prefix, if any).
func link(r *http.Request, path string) string {
	if p, ok := r.Context().Value(basePathKey{}).(string); ok {
		return p + path
	}
	return path
}

// responseWriter collects a response for API Gateway.
type responseWriter struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

func (w *responseWriter) response() events.APIGatewayV2HTTPResponse {
	out := events.APIGatewayV2HTTPResponse{StatusCode: w.status, Headers: map[string]string{}}
	for k, v := range w.header {
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			out.Cookies = append(out.Cookies, v...)
			continue
		}
		out.Headers[k] = strings.Join(v, ", ")
	}
	if utf8.Valid(w.body.Bytes()) {
		out.Body = w.body.String()
	} else {
		out.Body = base64.StdEncoding.EncodeToString(w.body.Bytes())
		out.IsBase64Encoded = true
	}
	return out
}

// StartStandalone runs the routes of a function that needs no store and no
// AWS client (the questionnaire, the contract, the forms) as a Lambda
// function, with the JSON logger; a bad setting stops it at start-up.
func StartStandalone(routes []Route) {
	var s config.StandaloneSettings
	if err := config.Load(&s); err != nil {
		slog.Error("start-up failed", "error", err)
		os.Exit(1)
	}
	config.InstallLogger(s.LogLevel())
	api := &API{Now: time.Now}
	lambda.Start(LambdaHandler(api.Serve(routes)))
}
