package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

// The contract of the application form sent without JavaScript (POST
// /apply, openapi/web.yaml): every documented answer, provoked.

// TestContractApplyForm sends the documented form, again, and what POST
// /apply refuses.
func TestContractApplyForm(t *testing.T) {
	c := newContract(t)
	mt := c.doc.Paths.Value("/apply").Post.RequestBody.Value.Content.Get(formType)
	if mt == nil || mt.Example == nil {
		t.Fatal("POST /apply documents no form example")
	}
	example := url.Values{}
	for k, v := range mt.Example.(map[string]any) {
		example.Set(k, v.(string))
	}
	form := func(pairs ...string) string {
		v := url.Values{}
		for k := range example {
			v.Set(k, example.Get(k))
		}
		for i := 0; i+1 < len(pairs); i += 2 {
			v.Set(pairs[i], pairs[i+1])
		}
		return v.Encode()
	}
	send := func(want int, body string, headers ...string) string {
		t.Helper()
		a := c.expect(want, http.MethodPost, "/apply", "/apply?lang=en", "", body,
			append([]string{"Content-Type", formType, "Sec-Fetch-Site", "same-origin"}, headers...)...)
		return string(a.body)
	}
	first := send(http.StatusCreated, form())
	m := verdict.FindStringSubmatch(first)
	if m == nil || m[1] != "true" {
		t.Fatalf("the documented form: %s", mainOf(first))
	}
	if again := send(http.StatusCreated, form()); !strings.Contains(again, m[0]) {
		t.Errorf("the form sent again: %s, want the confirmation of city %s", mainOf(again), m[2])
	}
	send(http.StatusUnprocessableEntity, form("cityName", "Rheinstadt Zwei"))
	send(http.StatusConflict, form("idempotencyKey", "contract-form-2"))
	send(http.StatusBadRequest, form("idempotencyKey", "contract-form-3", "cityName", "Rheinstadt Drei", "country", "Germany"))
	send(http.StatusUnsupportedMediaType, `{"cityName":"Rheinstadt"}`, "Content-Type", "application/json")
	send(http.StatusRequestEntityTooLarge, form("contactName", strings.Repeat("x", httpapi.MaxBody)))
	send(http.StatusForbidden, form("idempotencyKey", "contract-form-4", "cityName", "Rheinstadt Vier"), "Sec-Fetch-Site", "cross-site")
}
