package httpapi

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// checkJSONText refuses what encoding/json lets through silently in a valid
// JSON text: an object naming a key twice (the decoder keeps the last value,
// so two readers of the same body could see two requests) and a string
// escaping a lone UTF-16 surrogate (the decoder turns "\ud800" into U+FFFD,
// so the text stored is not the text sent). It names the offending key or
// value by its JSON Pointer. A body that is not valid JSON is left to the
// decoder, which says where it breaks.
func checkJSONText(body []byte) error {
	if !json.Valid(body) {
		return nil
	}
	w := jsonWalker{body: body}
	w.value()
	return w.err
}

// jsonWalker walks a valid JSON text, tracking the pointer of the value it
// is in.
type jsonWalker struct {
	body []byte
	pos  int
	path []string // the pointer's reference tokens, escaped
	err  error
}

func (w *jsonWalker) pointer() string {
	if len(w.path) == 0 {
		return "/"
	}
	return "/" + strings.Join(w.path, "/")
}

func (w *jsonWalker) space() {
	for w.pos < len(w.body) {
		switch w.body[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// value walks the value at pos; it stops at the first fault. Nesting is
// walked with an explicit stack of containers, not recursion, so a deeply
// nested body costs no goroutine stack.
func (w *jsonWalker) value() {
	type container struct {
		object bool
		keys   map[string]bool
		index  int
	}
	var stack []*container
	for w.err == nil {
		w.space()
		// A value starts here.
		switch c := w.body[w.pos]; c {
		case '{', '[':
			w.pos++
			top := &container{object: c == '{'}
			if top.object {
				top.keys = map[string]bool{}
			}
			stack = append(stack, top)
			w.space()
			if w.body[w.pos] == '}' || w.body[w.pos] == ']' {
				w.pos++
				stack = stack[:len(stack)-1]
				break
			}
			if c == '[' {
				w.path = append(w.path, "0")
				continue
			}
			if !w.key(stack[len(stack)-1].keys) {
				return
			}
			continue
		case '"':
			if !w.str() {
				return
			}
		default:
			// A number, true, false or null: valid, so it ends at the
			// next delimiter.
			for w.pos < len(w.body) && !strings.ContainsRune(",]} \t\n\r", rune(w.body[w.pos])) {
				w.pos++
			}
		}
		// A value ended: the next one of its container, or the end of it.
		for {
			if len(stack) == 0 {
				return
			}
			top := stack[len(stack)-1]
			w.space()
			if w.body[w.pos] == ',' {
				w.pos++
				if top.object {
					w.path = w.path[:len(w.path)-1]
					if !w.key(top.keys) {
						return
					}
				} else {
					top.index++
					w.path[len(w.path)-1] = strconv.Itoa(top.index)
				}
				break
			}
			// '}' or ']'
			w.pos++
			w.path = w.path[:len(w.path)-1]
			stack = stack[:len(stack)-1]
		}
	}
}

// key reads an object's key and the colon after it, and enters the key's
// value; it reports false on a fault.
func (w *jsonWalker) key(seen map[string]bool) bool {
	w.space()
	start := w.pos
	// The key's own pointer, for a fault in the key itself.
	w.path = append(w.path, "")
	raw, ok := w.rawString()
	name := raw
	if strings.ContainsRune(raw, '\\') {
		name = decodeKey(w.body[start:w.pos])
	}
	w.path[len(w.path)-1] = escapePointer(name)
	if !ok {
		w.surrogate()
		return false
	}
	if seen[name] {
		w.err = failure.Fields("the body names a key twice",
			failure.Field(w.pointer(), "is given more than once"))
		return false
	}
	seen[name] = true
	w.space()
	w.pos++ // ':'
	return true
}

// str reads a string value; it reports false on a fault.
func (w *jsonWalker) str() bool {
	if _, ok := w.rawString(); !ok {
		w.surrogate()
		return false
	}
	return true
}

func (w *jsonWalker) surrogate() {
	w.err = failure.Fields("the body holds a lone UTF-16 surrogate",
		failure.Field(w.pointer(), "must not escape a lone UTF-16 surrogate (\\ud800 to \\udfff without its pair)"))
}

// rawString reads the string at pos, quotes included, and returns its
// content as written (escapes undecoded); ok is false when it escapes a
// lone surrogate.
func (w *jsonWalker) rawString() (raw string, ok bool) {
	b := w.body
	start := w.pos + 1
	i := start
	lone := false
	high := false // the previous character was an escaped high surrogate
	for ; b[i] != '"'; i++ {
		r := rune(-1)
		if b[i] == '\\' {
			i++
			if b[i] == 'u' {
				n, _ := strconv.ParseUint(string(b[i+1:i+5]), 16, 16)
				r = rune(n)
				i += 4
			}
		}
		isLow := utf16.IsSurrogate(r) && r >= 0xdc00
		if high != isLow {
			lone = true // a high one without its low, or a low one alone
		}
		high = utf16.IsSurrogate(r) && r < 0xdc00
	}
	w.pos = i + 1
	return string(b[start:i]), !lone && !high
}

// decodeKey decodes a JSON string, quotes included, as the decoder does.
func decodeKey(quoted []byte) string {
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return strings.Trim(string(quoted), `"`)
	}
	return s
}
