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
		{French.Percent(50), "50,0\u202f%"},
		{English.Money(500000, "EUR"), "€5,000.00"},
		{French.Money(500000, "EUR"), "5\u202f000,00\u00a0€"},
		{French.Money(-1205, "EUR"), "-12,05\u00a0€"},
		{English.Money(7, "CHF"), "CHF 0.07"},
		{string(Parse("fr-CH")), "fr"},
		{string(Parse("de")), "en"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
