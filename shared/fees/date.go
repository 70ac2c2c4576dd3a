package fees

import (
	"fmt"
	"time"
	_ "time/tzdata" // Lambda's provided.al2023 image may lack a zoneinfo database
)

// Paris is the secretariat's time zone: the fee year and "today" are taken
// there, so an invoice run at 00:30 on 1 January in Strasbourg belongs to the
// new year even though it is still 31 December in UTC.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("fees: time zone " + name + ": " + err.Error())
	}
	return loc
}

// Date is a calendar date, with no time of day and no zone. The zero Date
// is "no date". Dates compare with ==, Before and After.
type Date struct {
	t time.Time // always midnight UTC, so == and map keys work
}

// DateLayout is the ISO 8601 calendar date layout dates are written in.
const DateLayout = "2006-01-02"

// NewDate returns the date y-m-d, normalised as time.Date does (31 April is
// 1 May).
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the calendar date of instant t in the location loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// Today returns the date it is in Paris at instant now.
func Today(now time.Time) Date { return DateOf(now, Paris) }

// FeeYear returns the fee year at instant now: the calendar year in Paris.
func FeeYear(now time.Time) int { return Today(now).Year() }

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Year returns d's year.
func (d Date) Year() int { return d.t.Year() }

// Month returns d's month.
func (d Date) Month() time.Month { return d.t.Month() }

// Day returns d's day of the month.
func (d Date) Day() int { return d.t.Day() }

// Time returns midnight UTC of d, for formatting (i18n.Lang.Date) and for
// fixing a document's creation date.
func (d Date) Time() time.Time { return d.t }

// AddDays returns the date n days after d (before, if n < 0).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// DaysUntil returns the number of days from d to e (negative if e is
// earlier).
func (d Date) DaysUntil(e Date) int {
	// Both are midnight UTC: no daylight saving time can make a day 23 hours.
	return int(e.t.Sub(d.t).Hours() / 24)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.t.Compare(e.t) }

// String writes d as YYYY-MM-DD ("" for the zero Date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(DateLayout)
}

// MarshalText writes d as YYYY-MM-DD, so JSON and DynamoDB attribute
// marshalling store dates as strings.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a YYYY-MM-DD date; an empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// LastOfMonth returns the last day of d's month.
func (d Date) LastOfMonth() Date { return NewDate(d.Year(), d.Month()+1, 0) }
