package i18n

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The catalogue holds the code's messages, registered once per language
// (english in messages_en.go, french in messages_fr.go) and looked up by a
// golang.org/x/text/message printer for the reader's language. A message has
// one of two kinds of key:
//
//   - a message written in the code in English — a problem's detail, an
//     eligibility reason — is its own key and its own English: only its
//     French is registered (a test finds every message a problem can carry
//     and requires it);
//   - a message known by a name — a label of the forms, "applyTitle" — has
//     its English and its French registered under that name (a test requires
//     both).
//
// Every entry is a format string: a translation keeps the verbs of its key
// (%s, %d, %v…) in their order, and writes a literal percent sign %%.
//
// The catalogue is built on first use, not at start-up (about half a
// millisecond): a function that never words a message does not pay for it.
var printers = sync.OnceValue(func() map[Lang]*message.Printer {
	b := catalog.NewBuilder()
	for lang, msgs := range map[Lang]map[string]string{English: english, French: french} {
		for key, msg := range msgs {
			if err := b.SetString(lang.Tag(), key, msg); err != nil {
				panic(fmt.Sprintf("i18n: message %q in %s: %v", key, lang, err))
			}
		}
	}
	return map[Lang]*message.Printer{
		English: message.NewPrinter(language.English, message.Catalog(b)),
		French:  message.NewPrinter(language.French, message.Catalog(b)),
	}
})

// Sprintf writes the catalogue's message key in l, formatted with args; a
// key the catalogue lacks is its own format (a message written in English
// in the code, read in English). Numbers, Percentage values, times and
// YYYY-MM-DD dates among args are written as l writes them, so "from 1 to
// %d" reads "from 1 to 50,000,000" or "de 1 à 50 000 000".
func (l Lang) Sprintf(key string, args ...any) string {
	local := make([]any, len(args))
	for i, a := range args {
		local[i] = l.arg(a)
	}
	return printers()[l.known()].Sprintf(key, local...)
}

// Text returns the catalogue's message key in l, for a key that is not a
// format (a message written as a literal, which a percent sign cannot turn
// into a verb); a key the catalogue lacks is its own text.
func (l Lang) Text(key string) string {
	if !l.Has(key) {
		return key
	}
	return printers()[l.known()].Sprintf(key)
}

// Has reports whether the catalogue has l's own text for key: a French
// translation, or the English of a message known by a name.
func (l Lang) Has(key string) bool {
	if l == French {
		_, ok := french[key]
		return ok
	}
	_, ok := english[key]
	return ok
}

// Names returns, sorted, the names of the messages known by a name (the
// forms' labels).
func Names() []string {
	return slices.Sorted(maps.Keys(english))
}

// Percentage is an argument of a message that is a percentage: Sprintf
// writes it as Percent does ("5.0%", "5,0 %").
type Percentage float64

// arg returns a, wrapped to be written in l when it is a value whose
// writing depends on the language.
func (l Lang) arg(a any) any {
	switch v := a.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, float32, float64, Percentage, time.Time:
		return localized{l, a}
	case string:
		if isISODate(v) {
			return localized{l, a}
		}
	}
	return a
}

func isISODate(s string) bool {
	if len(s) != len("2006-01-02") {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// localized is an argument written in a language; a verb that does not fit
// its value writes it as fmt would.
type localized struct {
	lang Lang
	v    any
}

// Format implements fmt.Formatter, which the message printer honours.
func (a localized) Format(s fmt.State, verb rune) {
	l := a.lang
	var out string
	switch v := a.v.(type) {
	case Percentage:
		out = l.Percent(float64(v))
	case time.Time:
		out = l.Date(v)
	case string:
		if verb == 's' || verb == 'v' {
			out = l.ISODate(v)
		}
	case float32:
		out = l.float(float64(v), s, verb)
	case float64:
		out = l.float(v, s, verb)
	default:
		if verb == 'd' || verb == 'v' {
			out = l.Int(toInt64(v))
		}
	}
	if out == "" {
		out = fmt.Sprintf(fmt.FormatString(s, verb), a.v)
	}
	_, _ = fmt.Fprint(s, out)
}

// float writes x for a %g, %v or %f verb: as many decimals as it needs, or
// the verb's precision ("%.1f").
func (l Lang) float(x float64, s fmt.State, verb rune) string {
	switch verb {
	case 'g', 'v':
		return l.Number(x, -1)
	case 'f':
		if p, ok := s.Precision(); ok {
			return l.Number(x, p)
		}
		return l.Number(x, 6)
	}
	return ""
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case uint:
		return int64(n)
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	}
	return 0
}
