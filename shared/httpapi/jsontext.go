package httpapi

import (
	"encoding/json"
	"slices"
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
	w := jsonWalker{text: string(body)}
	w.walk()
	// The walk reads JSON without validating it, and stops where it does
	// not make sense: a fault it finds counts only in a valid text (a
	// fault is rare, and validating costs a third of the walk).
	if w.err != nil && !json.Valid(body) {
		return nil
	}
	return w.err
}

// jsonWalker walks a JSON text. It is on every JSON request's path,
// so it allocates little: the text is one string, whose substrings are the
// keys it remembers, and a value's JSON Pointer is written only for a
// fault.
type jsonWalker struct {
	text  string
	pos   int
	stack []container // the containers the walk is in, outermost first
	// keys holds the keys named so far in the objects the walk is in, each
	// object's after its parent's (from its container's first); an object
	// that names many is looked up in seen instead, by its number.
	keys    []string
	seen    map[objectKey]struct{}
	objects int
	err     error
}

// fewKeys is how many keys an object's are compared one by one: most
// objects name a handful; one naming thousands is not compared in O(n²).
const fewKeys = 16

// container is an object or an array the walk is in, and where in it.
type container struct {
	object bool
	id     int    // an object's number, for seen
	first  int    // an object's first key in keys
	key    string // in an object, the key of the value walked, as written
	index  int    // in an array, the index of the value walked
}

type objectKey struct {
	id   int
	name string
}

// pointer is the JSON Pointer of the value (or key) walked.
func (w *jsonWalker) pointer() string {
	if len(w.stack) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, c := range w.stack {
		b.WriteByte('/')
		if c.object {
			b.WriteString(escapePointer(keyName(c.key)))
		} else {
			b.WriteString(strconv.Itoa(c.index))
		}
	}
	return b.String()
}

// at returns the byte at pos, or 0 past the end: no JSON value holds a
// NUL byte outside a string, so a walk that meets one stops (invalid).
func (w *jsonWalker) at() byte {
	if w.pos < len(w.text) {
		return w.text[w.pos]
	}
	return 0
}

func (w *jsonWalker) space() {
	for w.pos < len(w.text) {
		switch w.text[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// walk walks the value at pos; it stops at the first fault. Nesting is
// walked with an explicit stack of containers, not recursion, so a deeply
// nested body costs no goroutine stack.
func (w *jsonWalker) walk() {
	for w.err == nil {
		w.space()
		// A value starts here.
		switch c := w.at(); c {
		case 0:
			return // the text ends early: not JSON
		case '{', '[':
			w.pos++
			top := container{object: c == '{', first: len(w.keys)}
			if top.object {
				w.objects++
				top.id = w.objects
			}
			w.stack = append(w.stack, top)
			w.space()
			if c := w.at(); c == '}' || c == ']' {
				w.pos++
				w.leave()
				break
			}
			if top.object && !w.key() {
				return
			}
			continue
		case '"':
			if !w.str() {
				return
			}
		default:
			// A number, true, false or null: it ends at the next
			// delimiter. (Anything else is not JSON; it is skipped the
			// same way, at least one byte, and the decoder says so.)
			w.pos++
			for w.pos < len(w.text) && !strings.ContainsRune(",]} \t\n\r", rune(w.text[w.pos])) {
				w.pos++
			}
		}
		// A value ended: the next one of its container, or the end of it.
		for {
			if len(w.stack) == 0 {
				return
			}
			top := &w.stack[len(w.stack)-1]
			w.space()
			if w.at() == 0 {
				return // not JSON
			}
			if w.text[w.pos] == ',' {
				w.pos++
				if top.object {
					if !w.key() {
						return
					}
				} else {
					top.index++
				}
				break
			}
			// '}' or ']'
			w.pos++
			w.leave()
		}
	}
}

// key reads the key of the innermost object and the colon after it, and
// enters the key's value; it reports false on a fault.
func (w *jsonWalker) key() bool {
	w.space()
	if w.at() != '"' {
		return false // not JSON
	}
	top := &w.stack[len(w.stack)-1]
	raw, ok, valid := w.rawString()
	if !valid {
		return false
	}
	top.key = raw
	if !ok {
		w.surrogate()
		return false
	}
	name := raw
	if strings.IndexByte(raw, '\\') >= 0 {
		name = keyName(raw)
	}
	if w.named(top, name) {
		w.err = failure.Fields("the body names a key twice",
			failure.Field(w.pointer(), "is given more than once"))
		return false
	}
	w.space()
	w.pos++ // ':'
	return true
}

// named reports whether the object top already names name, and notes it.
func (w *jsonWalker) named(top *container, name string) bool {
	mine := w.keys[top.first:]
	if len(mine) < fewKeys {
		if slices.Contains(mine, name) {
			return true
		}
		w.keys = append(w.keys, name)
		return false
	}
	if len(mine) == fewKeys {
		// The object's keys move to seen; keys keeps them as a count.
		if w.seen == nil {
			w.seen = map[objectKey]struct{}{}
		}
		for _, k := range mine {
			w.seen[objectKey{top.id, k}] = struct{}{}
		}
	}
	k := objectKey{top.id, name}
	if _, dup := w.seen[k]; dup {
		return true
	}
	w.seen[k] = struct{}{}
	w.keys = append(w.keys, "")
	return false
}

// leave ends the innermost container: its keys are forgotten.
func (w *jsonWalker) leave() {
	top := w.stack[len(w.stack)-1]
	if top.object {
		w.keys = w.keys[:top.first]
	}
	w.stack = w.stack[:len(w.stack)-1]
}

// str reads a string value; it reports false on a fault.
func (w *jsonWalker) str() bool {
	_, ok, valid := w.rawString()
	if valid && !ok {
		w.surrogate()
	}
	return valid && ok
}

func (w *jsonWalker) surrogate() {
	w.err = failure.Fields("the body holds a lone UTF-16 surrogate",
		failure.Field(w.pointer(), "must not escape a lone UTF-16 surrogate (\\ud800 to \\udfff without its pair)"))
}

// rawString reads the string at pos, quotes included, and returns its
// content as written (escapes undecoded), a substring of the text; ok is
// false when it escapes a lone surrogate, valid false when the text ends
// inside it.
func (w *jsonWalker) rawString() (raw string, ok, valid bool) {
	t := w.text
	start := w.pos + 1
	i := start
	lone := false
	high := false // the last character was an escaped high surrogate
	for {
		// Plain characters up to the next quote or escape.
		j := strings.IndexAny(t[i:], `"\\`)
		if j < 0 {
			return "", false, false
		}
		if j > 0 && high {
			lone = true // a high surrogate followed by a character
		}
		if j > 0 {
			high = false
		}
		i += j
		if t[i] == '"' {
			break
		}
		i++ // the escape's letter
		if i >= len(t) {
			return "", false, false
		}
		r := rune(-1)
		if t[i] == 'u' {
			if i+5 > len(t) {
				return "", false, false
			}
			n, _ := strconv.ParseUint(t[i+1:i+5], 16, 16)
			r = rune(n)
			i += 4
		}
		i++
		isLow := utf16.IsSurrogate(r) && r >= 0xdc00
		if high != isLow {
			lone = true // a high one without its low, or a low one alone
		}
		high = utf16.IsSurrogate(r) && r < 0xdc00
	}
	w.pos = i + 1
	return t[start:i], !lone && !high, true
}

// keyName is a key as the decoder reads it: its escapes decoded.
func keyName(raw string) string {
	if strings.IndexByte(raw, '\\') < 0 {
		return raw
	}
	return decodeKey([]byte(`"` + raw + `"`))
}

// decodeKey decodes a JSON string, quotes included, as the decoder does.
func decodeKey(quoted []byte) string {
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return strings.Trim(string(quoted), `"`)
	}
	return s
}
