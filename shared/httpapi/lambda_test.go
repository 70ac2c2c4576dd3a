package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestLambdaAdapterServesAPIGatewayEvents(t *testing.T) {
	var seen *http.Request
	var body []byte
	h := LambdaHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		body = make([]byte, r.ContentLength)
		_, _ = r.Body.Read(body)
		w.Header().Set("Location", link(r, "/cities/x"))
		w.Header().Add("Set-Cookie", "a=1")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	ev := events.APIGatewayV2HTTPRequest{
		RawPath: "/dev/applications", RawQueryString: "lang=fr",
		Headers:         map[string]string{"content-type": "application/json", "idempotency-key": "k1"},
		Body:            base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)),
		IsBase64Encoded: true,
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "dev",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", SourceIP: "192.0.2.1"}},
	}
	resp, err := h(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Method != "POST" || seen.URL.Path != "/applications" || seen.URL.Query().Get("lang") != "fr" ||
		seen.Header.Get("Idempotency-Key") != "k1" || string(body) != `{"a":1}` {
		t.Fatalf("request %s %s %v body %q", seen.Method, seen.URL, seen.Header, body)
	}
	if resp.StatusCode != 201 || resp.Body != `{"ok":true}` || resp.Headers["Location"] != "/dev/cities/x" ||
		len(resp.Cookies) != 1 || resp.IsBase64Encoded {
		t.Fatalf("response %+v", resp)
	}

	ev.RequestContext.Stage = "$default"
	ev.RawPath = "/applications"
	resp, _ = h(context.Background(), ev)
	if seen.URL.Path != "/applications" || resp.Headers["Location"] != "/cities/x" {
		t.Fatalf("$default stage: path %s, location %s", seen.URL.Path, resp.Headers["Location"])
	}

	ev.Body, ev.IsBase64Encoded = "%%%", true
	if resp, _ := h(context.Background(), ev); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("undecodable body: %d", resp.StatusCode)
	}
}
