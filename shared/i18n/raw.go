package i18n

import (
	"regexp"
	"strconv"
	"strings"
)

// The data convention. The values code hands to a template (an email's data)
// are raw, and the template words them in its language with the functions
// Funcs gives:
//
//	dates                 YYYY-MM-DD              "2026-11-30"  date
//	money                 "<cents> <CURRENCY>"    "500000 EUR"  money
//	percentages, scores   decimal with a dot      "68.8"        percent
//	counts, populations   integer                 "150000"      int
//
// A value not in its form is shown as it is: a mistake shows in the text,
// where a test finds it, instead of stopping the email.

var rawMoney = regexp.MustCompile(`^(-?[0-9]+) ([A-Z]{3})$`)

// RawMoney writes a "<cents> <CURRENCY>" amount ("500000 EUR") as Money does.
func (l Lang) RawMoney(s string) string {
	m := rawMoney.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return s
	}
	cents, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return s
	}
	return l.Money(cents, m[2])
}

// RawPercent writes a decimal ("68.8") as Percent does.
func (l Lang) RawPercent(s string) string {
	x, ok := decimal(s)
	if !ok {
		return s
	}
	return l.Percent(x)
}

// RawInt writes an integer ("150000") as Int does.
func (l Lang) RawInt(s string) string {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return s
	}
	return l.Int(n)
}

// decimal reads a plain decimal with a dot: no exponent, no grouping, no
// "NaN" or "Inf", which strconv would take but a convention's value is not.
func decimal(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "-.0123456789") != "" {
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil
}

// Funcs returns the template functions that word raw values in l: date,
// money, percent and int (see the data convention above).
func (l Lang) Funcs() map[string]any {
	return map[string]any{
		"date":    l.ISODate,
		"money":   l.RawMoney,
		"percent": l.RawPercent,
		"int":     l.RawInt,
	}
}
