package invoicedoc

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// The documents embed the Go fonts (regular and bold): Unicode TrueType
// fonts covering Latin, Greek and Cyrillic scripts (WGL4), so accented and
// Cyrillic city names print, and the text stays selectable.

// substitutes replace characters the Go fonts lack by ones they have that
// read the same: French groups thousands with a narrow no-break space
// (U+202F, from shared/i18n), printed as a no-break space.
var substitutes = strings.NewReplacer(
	"\u202f", "\u00a0", // narrow no-break space
	"\u2009", " ", // thin space
	"\u2007", "\u00a0", // figure space
	"\u2011", "-", // non-breaking hyphen
)

// printable returns s as the documents print it.
func printable(s string) string { return substitutes.Replace(s) }

var coverage = sync.OnceValue(func() *[1 << 16]bool {
	var set [1 << 16]bool
	fonts := [][]byte{goregular.TTF, gobold.TTF}
	parsed := make([]*sfnt.Font, len(fonts))
	for i, ttf := range fonts {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			panic("invoicedoc: the embedded Go font does not parse: " + err.Error())
		}
		parsed[i] = f
	}
	var buf sfnt.Buffer
	for r := rune(0x20); r < 1<<16; r++ {
		ok := true
		for _, f := range parsed {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				ok = false
			}
		}
		set[r] = ok
	}
	return &set
})

// unprintable returns the characters of s (as printed) the fonts cannot
// show, in order of appearance, each once.
func unprintable(s string) []rune {
	set := coverage()
	var missing []rune
	for _, r := range printable(s) {
		if r < 1<<16 && set[r] || r == ' ' {
			continue
		}
		if !containsRune(missing, r) {
			missing = append(missing, r)
		}
	}
	return missing
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// checkPrintable records a field error for each field whose text the
// documents cannot print, so an issued document never shows blanks where a
// city's name should be.
func checkPrintable(c *failure.Collector, fields [][2]string) {
	for _, f := range fields {
		if missing := unprintable(f[1]); len(missing) > 0 {
			var shown []string
			for _, r := range missing {
				if unicode.IsPrint(r) {
					shown = append(shown, string(r))
				} else {
					shown = append(shown, fmt.Sprintf("U+%04X", r))
				}
			}
			c.Add(f[0], "contains characters the invoice font cannot print: %s (write it in Latin, Greek or Cyrillic script)", strings.Join(shown, " "))
		}
	}
}
