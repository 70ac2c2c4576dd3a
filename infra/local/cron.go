package local

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Recurrence is when a schedule fires, read from an EventBridge Scheduler
// schedule expression.
type Recurrence interface {
	// Next is the first occurrence strictly after t; false when there is
	// none (a one-time schedule that has fired, a year range that ended).
	Next(after time.Time) (time.Time, bool)
}

// ParseSchedule reads an EventBridge Scheduler schedule expression,
// evaluated in timezone (an IANA name; empty is UTC, as in EventBridge):
//
//	rate(value unit)              unit minute(s), hour(s) or day(s); a day is 24 hours
//	cron(min hour dom month dow year)
//	at(yyyy-mm-ddThh:mm:ss)       once, at that wall-clock time
//
// A rate schedule without a start date starts invoking at once, so its
// occurrences are start, start+rate, and so on. Wall-clock times follow
// EventBridge Scheduler's handling of daylight saving time: a time the
// spring change skips does not fire that day, and a time the autumn change
// repeats fires once, the first time.
func ParseSchedule(expr, timezone string, start time.Time) (Recurrence, error) {
	loc := time.UTC
	if timezone != "" {
		l, err := time.LoadLocation(timezone)
		if err != nil {
			return nil, fmt.Errorf("schedule timezone %q: %w", timezone, err)
		}
		loc = l
	}
	inner := func(prefix string) (string, bool) {
		if !strings.HasPrefix(expr, prefix+"(") || !strings.HasSuffix(expr, ")") {
			return "", false
		}
		return expr[len(prefix)+1 : len(expr)-1], true
	}
	if body, ok := inner("rate"); ok {
		every, err := parseRate(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", expr, err)
		}
		return rate{start: start, every: every}, nil
	}
	if body, ok := inner("cron"); ok {
		c, err := parseCron(body, loc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", expr, err)
		}
		return c, nil
	}
	if body, ok := inner("at"); ok {
		w, err := time.Parse("2006-01-02T15:04:05", body)
		if err != nil {
			return nil, fmt.Errorf("%s: a one-time schedule is at(yyyy-mm-ddThh:mm:ss)", expr)
		}
		t, ok := wallClock(w, loc)
		return once{at: t, ok: ok}, nil
	}
	return nil, fmt.Errorf("%q is not a schedule expression: rate(...), cron(...) or at(...)", expr)
}

// rate fires every interval from its start.
type rate struct {
	start time.Time
	every time.Duration
}

func parseRate(body string) (time.Duration, error) {
	value, unit, ok := strings.Cut(body, " ")
	n, err := strconv.Atoi(value)
	if !ok || err != nil || n < 1 || value != strconv.Itoa(n) {
		return 0, fmt.Errorf("a rate is a positive whole number and a unit, as in rate(5 minutes)")
	}
	units := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute,
		"hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}
	d, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("the unit of a rate is minutes, hours or days, not %q", unit)
	}
	return time.Duration(n) * d, nil
}

func (r rate) Next(after time.Time) (time.Time, bool) {
	if after.Before(r.start) {
		return r.start, true
	}
	n := int64(after.Sub(r.start)/r.every) + 1
	return r.start.Add(time.Duration(n) * r.every), true
}

// once fires at one instant, if that wall-clock time exists.
type once struct {
	at time.Time
	ok bool
}

func (o once) Next(after time.Time) (time.Time, bool) {
	if !o.ok || !o.at.After(after) {
		return time.Time{}, false
	}
	return o.at, true
}

// The years a cron expression can name.
const (
	firstYear = 1970
	lastYear  = 2199
)

// cron is a parsed cron expression: a set of values per field, with the
// day-of-month and day-of-week fields' special forms.
type cron struct {
	minutes, hours, months, years []bool // indexed by value
	dom                           dayOfMonth
	dow                           dayOfWeek
	loc                           *time.Location
}

// dayOfMonth is the day-of-month field: any day ("?" when the day of week
// decides), a set of days, the last day (L), the last weekday (LW) or the
// weekday nearest a day (15W).
type dayOfMonth struct {
	any     bool
	days    []bool
	last    bool
	weekday bool // W: the weekday nearest the day in days (or the last day with last)
}

// dayOfWeek is the day-of-week field, 1=SUN … 7=SAT: any day ("?"), a set
// of days, the last of one day in the month (6L: the last Friday) or the
// nth of one day in the month (2#1: the first Monday).
type dayOfWeek struct {
	any  bool
	days []bool
	last int // 1..7: the last such day of the month
	nth  int // 1..5, with day
	day  int
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
		"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

func parseCron(body string, loc *time.Location) (*cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("a cron expression has six fields (minutes hours day-of-month month day-of-week year), not %d", len(f))
	}
	c := &cron{loc: loc}
	var err error
	if c.minutes, err = parseField(f[0], "minutes", 0, 59, nil); err != nil {
		return nil, err
	}
	if c.hours, err = parseField(f[1], "hours", 0, 23, nil); err != nil {
		return nil, err
	}
	if c.months, err = parseField(f[3], "month", 1, 12, monthNames); err != nil {
		return nil, err
	}
	if c.years, err = parseField(f[5], "year", firstYear, lastYear, nil); err != nil {
		return nil, err
	}
	domAny, dowAny := f[2] == "?", f[4] == "?"
	if domAny == dowAny {
		return nil, fmt.Errorf("exactly one of day-of-month and day-of-week must be ?, as in cron(0 6 * * ? *) or cron(0 6 ? * MON *)")
	}
	if c.dom, err = parseDayOfMonth(f[2]); err != nil {
		return nil, err
	}
	if c.dow, err = parseDayOfWeek(f[4]); err != nil {
		return nil, err
	}
	return c, nil
}

// parseField reads a list of values, ranges (a-b), steps (*/n, a/n,
// a-b/n) and "*" into the set of values from min to max.
func parseField(s, name string, min, max int, names map[string]int) ([]bool, error) {
	set := make([]bool, max+1)
	value := func(v string) (int, error) {
		if n, ok := names[strings.ToUpper(v)]; ok {
			return n, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			return 0, fmt.Errorf("%s: %q is not a value from %d to %d", name, v, min, max)
		}
		return n, nil
	}
	for _, part := range strings.Split(s, ",") {
		rng, step, stepped := strings.Cut(part, "/")
		by := 1
		if stepped {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s: the step of %q is not a positive number", name, part)
			}
			by = n
		}
		lo, hi := min, max
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if lo, err = value(a); err != nil {
				return nil, err
			}
			if hi, err = value(b); err != nil {
				return nil, err
			}
			if lo > hi {
				return nil, fmt.Errorf("%s: the range %q runs backwards; write it as two ranges", name, rng)
			}
		default:
			v, err := value(rng)
			if err != nil {
				return nil, err
			}
			lo = v
			if !stepped {
				hi = v // a single value; with a step, from v to the end
			}
		}
		for v := lo; v <= hi; v += by {
			set[v] = true
		}
	}
	return set, nil
}

func parseDayOfMonth(s string) (dayOfMonth, error) {
	switch {
	case s == "?":
		return dayOfMonth{any: true}, nil
	case s == "L":
		return dayOfMonth{last: true}, nil
	case s == "LW":
		return dayOfMonth{last: true, weekday: true}, nil
	case strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "W"))
		if err != nil || n < 1 || n > 31 {
			return dayOfMonth{}, fmt.Errorf("day-of-month: W follows one day from 1 to 31, as in 15W, not %q", s)
		}
		days := make([]bool, 32)
		days[n] = true
		return dayOfMonth{days: days, weekday: true}, nil
	case strings.ContainsAny(s, "LW#"):
		return dayOfMonth{}, fmt.Errorf("day-of-month: %q is not supported: L, LW and nW (15W) stand alone", s)
	}
	days, err := parseField(s, "day-of-month", 1, 31, nil)
	return dayOfMonth{days: days}, err
}

func parseDayOfWeek(s string) (dayOfWeek, error) {
	day := func(v string) (int, error) {
		if n, ok := dayNames[strings.ToUpper(v)]; ok {
			return n, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 7 {
			return 0, fmt.Errorf("day-of-week: %q is not a day from 1 (SUN) to 7 (SAT)", v)
		}
		return n, nil
	}
	switch {
	case s == "?":
		return dayOfWeek{any: true}, nil
	case strings.ContainsAny(s, "L#") && strings.ContainsAny(s, ",-/*"):
		return dayOfWeek{}, fmt.Errorf("day-of-week: %q is not supported: L (Saturday), 6L (the last Friday) and 2#1 (the first Monday) stand alone", s)
	case s == "L":
		// The last day of the week: every Saturday.
		days := make([]bool, 8)
		days[7] = true
		return dayOfWeek{days: days}, nil
	case strings.HasSuffix(s, "L"):
		d, err := day(strings.TrimSuffix(s, "L"))
		if err != nil {
			return dayOfWeek{}, err
		}
		return dayOfWeek{last: d}, nil
	case strings.Contains(s, "#"):
		a, b, _ := strings.Cut(s, "#")
		d, err := day(a)
		if err != nil {
			return dayOfWeek{}, err
		}
		n, err := strconv.Atoi(b)
		if err != nil || n < 1 || n > 5 {
			return dayOfWeek{}, fmt.Errorf("day-of-week: in %q the week of the month is 1 to 5", s)
		}
		return dayOfWeek{nth: n, day: d}, nil
	}
	days, err := parseField(s, "day-of-week", 1, 7, dayNames)
	return dayOfWeek{days: days}, err
}

// Next walks the calendar day by day from the day of after, skipping months
// and years the expression excludes, and returns the first matching
// wall-clock time after it that exists in the timezone.
func (c *cron) Next(after time.Time) (time.Time, bool) {
	a := after.In(c.loc)
	day := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC) // a date, read in UTC
	for day.Year() <= lastYear {
		switch {
		case day.Year() < firstYear || !c.years[day.Year()]:
			day = time.Date(day.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
			continue
		case !c.months[day.Month()]:
			day = time.Date(day.Year(), day.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if c.matches(day) {
			for h, hok := range c.hours {
				for m, mok := range c.minutes {
					if !hok || !mok {
						continue
					}
					if t, ok := wallClock(day.Add(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute), c.loc); ok && t.After(after) {
						return t, true
					}
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// matches reports whether the date (read in UTC) is one the day fields
// allow.
func (c *cron) matches(date time.Time) bool {
	last := time.Date(date.Year(), date.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	d := date.Day()
	if !c.dom.any {
		switch {
		case c.dom.weekday:
			target := last
			if !c.dom.last {
				target = -1
				for n, ok := range c.dom.days {
					if ok {
						target = n
					}
				}
			}
			w, ok := nearestWeekday(date.Year(), date.Month(), target, last)
			return ok && d == w
		case c.dom.last:
			return d == last
		default:
			return c.dom.days[d]
		}
	}
	wd := int(date.Weekday()) + 1 // 1=SUN … 7=SAT
	switch {
	case c.dow.last != 0:
		return wd == c.dow.last && d+7 > last
	case c.dow.nth != 0:
		return wd == c.dow.day && (d-1)/7+1 == c.dow.nth
	default:
		return c.dow.days[wd]
	}
}

// nearestWeekday is the weekday (Monday to Friday) nearest day n of the
// month, never in another month: 1W on a Saturday is Monday the 3rd, 31W on
// a Sunday is Friday the 29th. A day the month does not have has none.
func nearestWeekday(y int, m time.Month, n, last int) (int, bool) {
	if n < 1 || n > last {
		return 0, false
	}
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3, true
		}
		return n - 1, true
	case time.Sunday:
		if n == last {
			return n - 2, true
		}
		return n + 1, true
	}
	return n, true
}

// wallClock is the instant at which clocks in loc read w (a wall-clock time
// written in UTC). A time the spring change skips has none; a time the
// autumn change repeats gives the first instant. time.Date is not used for
// this: it leaves unspecified which of two instants it returns.
func wallClock(w time.Time, loc *time.Location) (time.Time, bool) {
	var best time.Time
	found := false
	// The offsets in force a day either side cover any one change.
	for _, probe := range []time.Time{w.Add(-24 * time.Hour), w.Add(24 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		t := w.Add(-time.Duration(off) * time.Second)
		l := t.In(loc)
		same := l.Year() == w.Year() && l.YearDay() == w.YearDay() && l.Hour() == w.Hour() &&
			l.Minute() == w.Minute() && l.Second() == w.Second()
		if same && (!found || t.Before(best)) {
			best, found = t, true
		}
	}
	return best, found
}
