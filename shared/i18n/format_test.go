package i18n

import (
	"testing"
	"time"
)

func TestFormatsFollowTheReadersLanguage(t *testing.T) {
	d := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	first := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{English.Date(d), "30 November 2026"},
		{French.Date(d), "30 novembre 2026"},
		{French.Date(first), "1er janvier 2027"},
		{English.Date(first), "1 January 2027"},
		{French.ISODate("2026-08-15"), "15 août 2026"},
		{French.ISODate("not a date"), "not a date"},
		{English.Int(1234567), "1,234,567"},
		{French.Int(1234567), "1\u202f234\u202f567"},
		{English.Int(-1500), "-1,500"},
		{French.Int(999), "999"},
		{English.Number(68.75, 1), "68.8"},
		{French.Number(68.75, 1), "68,8"},
		{French.Number(-0.04, 1), "-0,0"},
		{English.Percent(50), "50.0%"},
		{French.Percent(50), "50,0\u00a0%"},
		{English.Money(500000, "EUR"), "€5,000.00"},
		{French.Money(500000, "EUR"), "5\u202f000,00\u00a0€"},
		{French.Money(-1205, "EUR"), "-12,05\u00a0€"},
		{English.Money(7, "CHF"), "CHF 0.07"},
		{string(Parse("fr-CH")), "fr"},
		{string(Parse("de")), "en"},
		{French.RawMoney("500000 EUR"), "5\u202f000,00\u00a0€"},
		{English.RawMoney("500000 EUR"), "€5,000.00"},
		{French.RawMoney("-1205 EUR"), "-12,05\u00a0€"},
		{French.RawMoney("5 000.00 EUR"), "5 000.00 EUR"}, // not the convention: as it is
		{French.RawPercent("68.8"), "68,8\u00a0%"},
		{English.RawPercent("50"), "50.0%"},
		{French.RawPercent("1e3"), "1e3"},
		{French.RawPercent("NaN"), "NaN"},
		{French.RawInt("150000"), "150\u202f000"},
		{English.RawInt("150000"), "150,000"},
		{French.RawInt("12.5"), "12.5"},
		{French.Number(12.5, -1), "12,5"},
		{English.Number(7, -1), "7"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestPreferredFollowsAcceptLanguage(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                              English,
		"fr":                            French,
		"fr-BE":                         French,
		"FR-ch, en;q=0.5":               French,
		"en-GB,en;q=0.9,fr;q=0.8":       English,
		"de-DE,de;q=0.9,fr;q=0.7":       French,
		"de":                            English,
		"en;q=0.3, fr;q=0.6":            French,
		"fr;q=0":                        English,
		"it, fr-CA;q=0.4, en-US;q=0.35": French,
		"*":                             English,
		"fr;q=nonsense,,;":              English,
	} {
		if got := Preferred(header); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
	if got := Preferred("de", "fr"); got != French {
		t.Errorf("two header lines, the second French: %s", got)
	}
}

func TestTemplateFunctionsFollowTheConvention(t *testing.T) {
	f := French.Funcs()
	for name, tc := range map[string]struct{ in, want string }{
		"date":    {"2026-11-30", "30 novembre 2026"},
		"money":   {"500000 EUR", "5\u202f000,00\u00a0€"},
		"percent": {"68.8", "68,8\u00a0%"},
		"int":     {"150000", "150\u202f000"},
	} {
		fn, ok := f[name].(func(string) string)
		if !ok {
			t.Fatalf("no function %s", name)
		}
		if got := fn(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", name, tc.in, got, tc.want)
		}
	}
}
