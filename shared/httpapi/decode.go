package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// MaxBody is the largest request body accepted, in bytes.
const MaxBody = 64 << 10

// readBody reads a JSON request body: a body must say it is JSON
// (Content-Type: application/json, 415 otherwise), be at most max bytes
// (413), be valid UTF-8 and, when it is valid JSON, name no key twice and
// escape no lone surrogate (see checkJSONText). A request without a body
// needs no Content-Type; one that declares another type gets 415 all the
// same.
func readBody(r *http.Request, max int64) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if ct != "" {
		if err := requireMediaType(ct, jsonMedia); err != nil {
			return nil, err
		}
	}
	body, err := readLimited(r, max)
	if err != nil {
		return nil, err
	}
	if ct == "" && len(body) > 0 {
		return nil, requireMediaType(ct, jsonMedia)
	}
	if !utf8.Valid(body) {
		return nil, failure.Fields("the body is not valid UTF-8",
			failure.FieldError{Pointer: "/", Detail: "must be valid UTF-8"})
	}
	if err := checkJSONText(body); err != nil {
		return nil, err
	}
	return body, nil
}

// readLimited reads a request body, refusing one over max bytes.
func readLimited(r *http.Request, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, failure.New(failure.Invalid, "the body could not be read")
	}
	if int64(len(body)) > max {
		err := failure.New(failure.TooLarge, "the body exceeds %d bytes", max)
		err.Fields = []failure.FieldError{failure.Field("/", "must be at most %d bytes", max)}
		return nil, err
	}
	return body, nil
}

// media is a kind of body a route takes: its media types, and what a
// problem says when a body is not of them.
type media struct {
	types   []string
	summary string // the problem's detail
	field   string // the Content-Type error's detail
}

var (
	// jsonMedia is every JSON body's: application/json, in UTF-8 (RFC 8259
	// §8.1) if a charset is named.
	jsonMedia = media{[]string{"application/json"}, "the body must be JSON", "must be application/json"}
	// formMedia is the application form's (POST /apply), as browsers send it.
	formMedia = media{[]string{"application/x-www-form-urlencoded"}, "the body must be a form", "must be application/x-www-form-urlencoded"}
	// xmlMedia is a bank statement's.
	xmlMedia = media{[]string{"application/xml", "text/xml"}, "the body must be a CAMT.053 XML statement", "must be application/xml"}
)

// requireMediaType checks a request's Content-Type against the media a
// route takes: none, one that does not parse, another type or another
// charset than UTF-8 is 415 Unsupported Media Type.
func requireMediaType(contentType string, m media) error {
	mt, params, err := mime.ParseMediaType(contentType)
	cs, named := params["charset"]
	if err != nil || !slices.Contains(m.types, mt) || named && !strings.EqualFold(cs, "utf-8") {
		return &failure.Error{Kind: failure.UnsupportedMediaType, Detail: m.summary,
			Fields: []failure.FieldError{{Pointer: "header/Content-Type", Detail: m.field}}}
	}
	return nil
}

// readJSON reads the request body (see readBody) and decodes it strictly
// into v (see decodeStrict); it returns the body, which idempotency hashes.
func readJSON(r *http.Request, max int64, v any) ([]byte, error) {
	body, err := readBody(r, max)
	if err != nil {
		return nil, err
	}
	return body, decodeStrict(body, v)
}

// decodeStrict decodes one JSON value into v, refusing unknown fields, wrong
// types and trailing data, and naming the offending field.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return failure.Fields("the body is empty", failure.FieldError{Pointer: "/", Detail: "a JSON object is required"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(body, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return failure.Fields("the body has data after the JSON value",
			failure.FieldError{Pointer: "/", Detail: "must hold exactly one JSON value"})
	}
	return nil
}

func decodeError(body []byte, err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return failure.Fields("the body is not valid JSON",
			failure.Field("/", "malformed JSON at byte %d", syntax.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return failure.Fields("the body is not valid JSON",
			failure.FieldError{Pointer: "/", Detail: "the JSON ends too early"})
	case errors.As(err, &typ):
		ptr := pointerAt(body, typ.Offset)
		if ptr == "" {
			ptr = "/" + strings.ReplaceAll(typ.Field, ".", "/")
		}
		return failure.Fields("a field has the wrong type",
			failure.Field(ptr, "must be %s, not %s", jsonType(typ.Type.Kind().String()), typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return failure.Fields("the body has an unknown field",
			failure.FieldError{Pointer: fieldPointer(body, name), Detail: "is not a known field"})
	}
	return failure.Fields("the body is not valid JSON", failure.FieldError{Pointer: "/", Detail: err.Error()})
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "another type"
}

// fieldPointer finds where an object key stands in the body (the shallowest
// occurrence), since the decoder names an unknown field without its path.
func fieldPointer(body []byte, name string) string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return "/" + escapePointer(name)
	}
	type node struct {
		v    any
		path string
	}
	queue := []node{{doc, ""}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		switch x := n.v.(type) {
		case map[string]any:
			if _, ok := x[name]; ok {
				return n.path + "/" + escapePointer(name)
			}
			for k, v := range x {
				queue = append(queue, node{v, n.path + "/" + escapePointer(k)})
			}
		case []any:
			for i, v := range x {
				queue = append(queue, node{v, fmt.Sprintf("%s/%d", n.path, i)})
			}
		}
	}
	return "/" + escapePointer(name)
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// pointerAt returns the JSON Pointer of the value that ends at offset in
// body (the decoder reports where a wrong-typed value is, not its array
// index); "" if the body cannot be walked.
func pointerAt(body []byte, offset int64) string {
	type frame struct {
		array bool
		index int
		key   string
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "/%d", f.index)
			} else {
				b.WriteString("/" + escapePointer(f.key))
			}
		}
		if b.Len() == 0 {
			return "/"
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if dec.InputOffset() >= offset {
					return path()
				}
				stack = append(stack, frame{})
				expectKey = true
				continue
			case '[':
				if dec.InputOffset() >= offset {
					return path()
				}
				stack = append(stack, frame{array: true, index: -1})
				if dec.More() {
					stack[len(stack)-1].index = 0
				}
				continue
			case '}', ']':
				if dec.InputOffset() >= offset {
					return path()
				}
				stack = stack[:top]
			}
		default:
			if top >= 0 && !stack[top].array && expectKey {
				stack[top].key, _ = t.(string)
				expectKey = false
				continue
			}
			if dec.InputOffset() >= offset {
				return path()
			}
		}
		// A value ended: move to the next key or element.
		if top = len(stack) - 1; top >= 0 {
			if stack[top].array {
				stack[top].index++
			} else {
				expectKey = true
			}
		}
	}
}
