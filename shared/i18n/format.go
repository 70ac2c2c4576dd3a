// Package i18n holds what a reader's language changes: the language itself,
// which language a request prefers, the catalogue of the code's messages in
// each language (golang.org/x/text/message), and how dates, numbers,
// percentages and money are written in it. Every place a city reads a value
// formats it here ("30 novembre 2026", "5 000,00 €", "50,0 %" for a French
// reader).
package i18n

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Lang is a language the programme works in: English or French, the
// Council of Europe's two official languages.
type Lang string

// The languages.
const (
	English Lang = "en"
	French  Lang = "fr"
)

// matcher picks one of the programme's languages for what a reader asks;
// English, the first, is its default.
var matcher = language.NewMatcher([]language.Tag{language.English, language.French})

// Parse returns the language a code names ("fr", "fr-CH"), English for
// anything else.
func Parse(code string) Lang {
	return Preferred(code)
}

// Preferred returns the programme's language that Accept-Language header
// values prefer ("de-DE,de;q=0.9,fr;q=0.7" prefers French), English when
// they name neither.
func Preferred(acceptLanguage ...string) Lang {
	if _, i := language.MatchStrings(matcher, acceptLanguage...); i == 1 {
		return French
	}
	return English
}

// Tag returns the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	if l == French {
		return language.French
	}
	return language.English
}

var months = map[Lang][12]string{
	English: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	French:  {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// Date writes a calendar date: "30 November 2026", "30 novembre 2026"
// ("1er janvier 2027": French writes the first day as an ordinal).
func (l Lang) Date(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if l == French && t.Day() == 1 {
		day = "1er"
	}
	return day + " " + months[l.known()][t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// ISODate writes a YYYY-MM-DD date as Date does; a value that is not such a
// date is returned as it is.
func (l Lang) ISODate(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return l.Date(t)
}

func (l Lang) known() Lang {
	if l == French {
		return French
	}
	return English
}

// The separators: French groups thousands with a narrow no-break space
// (U+202F) and writes a decimal comma.
func (l Lang) separators() (group, decimal string) {
	if l == French {
		return "\u202f", ","
	}
	return ",", "."
}

// Int writes a whole number with grouped thousands: "150,000", "150 000".
func (l Lang) Int(n int64) string {
	group, _ := l.separators()
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Number writes x with the given number of decimals: "68.8", "68,8"; -1
// decimals writes as many as x needs ("12.5", "7").
func (l Lang) Number(x float64, decimals int) string {
	_, decimal := l.separators()
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := l.Int(n)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-0"
	}
	if frac != "" {
		out += decimal + frac
	}
	return out
}

// Percent writes a percentage (x out of 100) with one decimal: "50.0%",
// "50,0 %" (French puts a no-break space before the sign, U+00A0 as in
// CLDR, so a page's script writing with Intl.NumberFormat agrees).
func (l Lang) Percent(x float64) string {
	if l == French {
		return l.Number(x, 1) + "\u00a0%"
	}
	return l.Number(x, 1) + "%"
}

// Money writes an amount in cents of a currency: "€5,000.00",
// "5 000,00 €". Currencies other than the euro are written with their code.
func (l Lang) Money(cents int64, currency string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	_, decimal := l.separators()
	s := l.Int(cents/100) + decimal + strconv.FormatInt(cents%100+100, 10)[1:]
	sign := ""
	if neg {
		sign = "-"
	}
	switch {
	case currency == "EUR" && l == French:
		return sign + s + "\u00a0€"
	case currency == "EUR":
		return sign + "€" + s
	case l == French:
		return sign + s + "\u00a0" + currency
	}
	return sign + currency + " " + s
}
