package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
)

func TestWrongTypesAreNamedWithTheirFullPath(t *testing.T) {
	tests := map[string]string{
		`{"version":"2019","answers":[{"question":"a","option":"yes"},{"question":"b","value":"x"}]}`: "/answers/1/value",
		`{"version":2019,"answers":[]}`:                                  "/version",
		`{"version":"2019","answers":[{"question":"a"},{"question":7}]}`: "/answers/1/question",
		`{"version":"2019","answers":{"question":"a"}}`:                  "/answers",
	}
	for body, want := range tests {
		var in index.Input
		err := decodeStrict([]byte(body), &in)
		fe := failure.As(err)
		if fe == nil || len(fe.Fields) != 1 || fe.Fields[0].Pointer != want {
			t.Errorf("%s: %v, want pointer %s", body, err, want)
		}
	}
}

// TestKeysNamedTwiceAreRefusedAtAnyDepth checks the refusal of a key an
// object names twice, which encoding/json would resolve silently (the last
// wins), and that the problem points at the second.
func TestKeysNamedTwiceAreRefusedAtAnyDepth(t *testing.T) {
	tests := map[string]string{
		`{"a":1,"a":2}`:                                                  "/a",
		`{"a":1,"b":{"c":[],"c":null}}`:                                  "/b/c",
		`{"a":[{"x":1},{"x":1,"y":2,"x":3}]}`:                            "/a/1/x",
		`[{"k":"v"},[{"k":"v","k":"w"}]]`:                                "/1/0/k",
		`{"a":1,"\u0061":2}`:                                             "/a",
		`{"a/b":1,"a~b":{"q":1,"q":1},"a\/b":2}`:                         "/a~0b/q",
		`{"a/b":1,"a\/b":2}`:                                             "/a~1b",
		` { "a" : { "b" : 1 , "b" : 2 } } `:                              "/a/b",
		`{"":1,"":2}`:                                                    "/",
		`{"deep":[[[[{"z":0}]]]],"deep2":{"z":0,"z":{}}}`:                "/deep2/z",
		`{"s":"a\"b","s2":"x","t":{"s":1},"s2":"y"}`:                     "/s2",
		`{"version":"2019","answers":[{"question":"a","question":"b"}]}`: "/answers/0/question",
	}
	// Objects naming many keys (looked up, not compared one by one), and
	// objects inside them, which name theirs apart.
	many := func(n int, extra string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, `"k%d":{"k%d":1,"x":{"y":[1]}},`, i, i)
		}
		return b.String() + extra + "}"
	}
	tests[many(40, `"k3":0`)] = "/k3"
	tests[many(40, `"k39":0`)] = "/k39"
	tests[many(15, `"k0":0`)] = "/k0"
	tests[many(16, `"k0":0`)] = "/k0"
	tests[many(17, `"k16":0`)] = "/k16"
	tests[`{"a":`+many(30, `"in":{"b":1,"b":2}`)+`}`] = "/a/in/b"
	for body, want := range tests {
		err := checkJSONText([]byte(body))
		fe := failure.As(err)
		if fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Pointer != want {
			t.Errorf("%.80s: %v, want a key named twice at %s", body, err, want)
		}
	}
	for _, n := range []int{15, 16, 17, 40} {
		if body := many(n, `"last":[`+many(20, `"k0x":1`)+`]`); checkJSONText([]byte(body)) != nil {
			t.Errorf("%d keys, each once: %v", n, checkJSONText([]byte(body)))
		}
	}
	for _, body := range []string{`{"a":1,"b":{"a":1}}`, `[{"a":1},{"a":1}]`, `{"a":{"a":{"a":1}}}`, `{"A":1,"a":2}`, `"a"`, `[]`, `{}`, `1`,
		`{"a":1,"a":`, // not JSON: the decoder says where it breaks
	} {
		if err := checkJSONText([]byte(body)); err != nil {
			t.Errorf("%s: %v, want no fault", body, err)
		}
	}
}

// TestLoneSurrogatesAreRefused checks the refusal of a string escaping half
// a UTF-16 surrogate pair, which encoding/json would replace with U+FFFD.
func TestLoneSurrogatesAreRefused(t *testing.T) {
	tests := map[string]string{
		`{"cityName":"\ud800"}`:                     "/cityName",
		`{"cityName":"Lyon\uDBFF"}`:                 "/cityName",
		`{"cityName":"\udc00Lyon"}`:                 "/cityName",
		`{"a":{"b":["ok","\ud83d\u0041"]}}`:         "/a/b/1",
		`{"a":"\ud83d\ud83d\ude00"}`:                "/a",
		`{"a":"\ud83d\\ude00"}`:                     "/a",
		`{"a":"\ud83dx"}`:                           "/a",
		`{"\ud800":1}`:                              "/\ufffd",
		`["\udfff"]`:                                "/0",
		`"\ud800"`:                                  "/",
		`{"contact":{"name":"A","email":"\ud800"}}`: "/contact/email",
	}
	for body, want := range tests {
		err := checkJSONText([]byte(body))
		fe := failure.As(err)
		if fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Pointer != want {
			t.Errorf("%s: %v, want a lone surrogate at %s", body, err, want)
		}
	}
	for _, body := range []string{`{"a":"\ud83d\ude00"}`, `{"a":"😀"}`, `{"a":"\u00e9\uFFFD\\ud800"}`, `{"\ud83d\ude00":["\uD83D\uDE00"]}`} {
		if err := checkJSONText([]byte(body)); err != nil {
			t.Errorf("%s: %v, want no fault", body, err)
		}
	}
}

// TestBodiesMustSayTheyAreJSON checks the media types a JSON body is read
// with: application/json (in UTF-8, if a charset is named), and nothing
// else; a request without a body needs none.
func TestBodiesMustSayTheyAreJSON(t *testing.T) {
	tests := []struct {
		contentType, body string
		kind              failure.Kind // -1: accepted
	}{
		{"application/json", `{}`, -1},
		{"application/json; charset=utf-8", `{}`, -1},
		{"Application/JSON; charset=\"UTF-8\"", `{}`, -1},
		{"", ``, -1},
		{"", `{}`, failure.UnsupportedMediaType},
		{"", ` `, failure.UnsupportedMediaType},
		{"text/plain", `{}`, failure.UnsupportedMediaType},
		{"text/plain", ``, failure.UnsupportedMediaType},
		{"application/x-www-form-urlencoded", `a=1`, failure.UnsupportedMediaType},
		{"application/problem+json", `{}`, failure.UnsupportedMediaType},
		{"application/json; charset=iso-8859-1", `{}`, failure.UnsupportedMediaType},
		{"application/xml", `<a/>`, failure.UnsupportedMediaType},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/applications", strings.NewReader(tt.body))
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		_, err := readBody(r, MaxBody)
		switch {
		case tt.kind == -1 && err != nil:
			t.Errorf("%q with %q: %v, want it read", tt.body, tt.contentType, err)
		case tt.kind != -1 && failure.KindOf(err) != tt.kind:
			t.Errorf("%q with %q: %v, want kind %v", tt.body, tt.contentType, err, tt.kind)
		case tt.kind != -1:
			if fe := failure.As(err); len(fe.Fields) != 1 || fe.Fields[0].Pointer != "header/Content-Type" {
				t.Errorf("%q with %q: %v, want it to name header/Content-Type", tt.body, tt.contentType, err)
			}
		}
	}
	if kinds[failure.UnsupportedMediaType].status != http.StatusUnsupportedMediaType {
		t.Errorf("an unsupported media type is %d", kinds[failure.UnsupportedMediaType].status)
	}
}

// TestWeakEntityTagsNeverMatch checks If-Match's strong comparison (RFC
// 9110 §13.1.1): a weak tag fails the precondition.
func TestWeakEntityTagsNeverMatch(t *testing.T) {
	for h, want := range map[string]any{`"3"`: int64(3), `W/"3"`: failure.PreconditionFailed, ` W/"1" `: failure.PreconditionFailed,
		`w/"1"`: failure.Invalid, `"0"`: failure.Invalid, ``: int64(0)} {
		r := httptest.NewRequest(http.MethodPut, "/cities/x/index/draft", nil)
		r.Header.Set("If-Match", h)
		n, err := ifMatch(r)
		switch want := want.(type) {
		case int64:
			if err != nil || n != want {
				t.Errorf("If-Match %s: %d, %v; want %d", h, n, err, want)
			}
		case failure.Kind:
			if failure.KindOf(err) != want {
				t.Errorf("If-Match %s: %d, %v; want a failure of kind %v", h, n, err, want)
			}
		}
	}
}

// TestDeepBodiesAreRefusedAsInput checks a body nested past what the JSON
// decoder takes (10 000 levels): invalid input, however deep.
func TestDeepBodiesAreRefusedAsInput(t *testing.T) {
	for _, body := range []string{strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001),
		strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001), strings.Repeat(`[`, 100000)} {
		r := httptest.NewRequest(http.MethodPost, "/applications", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var in index.Input
		_, err := readJSON(r, MaxIndexBody, &in)
		if fe := failure.As(err); fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "/" {
			t.Errorf("%.20s… (%d bytes): %v", body, len(body), err)
		}
	}
}
