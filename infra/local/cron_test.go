package local_test

import (
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// Next fire times computed by hand from a calendar: Paris is UTC+1 in
// winter and UTC+2 in summer; in 2026 summer time starts on Sunday 29 March
// (02:00 becomes 03:00) and ends on Sunday 25 October (03:00 becomes
// 02:00); 2028 and 2032 are leap years.
func TestScheduleExpressionsNextFireTimes(t *testing.T) {
	start := utc("2026-03-28T05:00:00Z")
	tests := []struct {
		name, expr, tz string
		after          string
		want           string // empty: never again
	}{
		{"daily, the next morning", "cron(0 6 * * ? *)", "Europe/Paris", "2026-11-27T06:30:00Z", "2026-11-28T05:00:00Z"},
		{"daily, later the same day", "cron(45 7 * * ? *)", "Europe/Paris", "2026-11-27T06:30:00Z", "2026-11-27T06:45:00Z"},
		{"daily, strictly after a fire time", "cron(0 6 * * ? *)", "Europe/Paris", "2026-03-28T05:00:00Z", "2026-03-29T04:00:00Z"},
		{"daily, into winter time", "cron(0 6 * * ? *)", "Europe/Paris", "2026-10-24T04:00:00Z", "2026-10-25T05:00:00Z"},
		{"02:30 does not exist on 29 March: skipped", "cron(30 2 * * ? *)", "Europe/Paris", "2026-03-28T02:00:00Z", "2026-03-30T00:30:00Z"},
		{"02:30 happens twice on 25 October: the first", "cron(30 2 * * ? *)", "Europe/Paris", "2026-10-24T22:00:00Z", "2026-10-25T00:30:00Z"},
		{"02:30 happens twice on 25 October: not again", "cron(30 2 * * ? *)", "Europe/Paris", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
		{"every 20 minutes through the repeated hour, once each", "cron(0/20 2 * * ? *)", "Europe/Paris", "2026-10-25T00:40:00Z", "2026-10-26T01:00:00Z"},
		{"annual, 2 January 07:00 Paris", "cron(0 7 2 1 ? *)", "Europe/Paris", "2027-01-01T06:59:00Z", "2027-01-02T06:00:00Z"},
		{"annual, the year after", "cron(0 7 2 1 ? *)", "Europe/Paris", "2027-01-02T06:00:00Z", "2028-01-02T06:00:00Z"},
		{"new year in Paris is 23:00 UTC", "cron(0 0 1 1 ? *)", "Europe/Paris", "2026-12-31T23:00:00Z", "2027-12-31T23:00:00Z"},
		{"the last minute of the year", "cron(59 23 31 12 ? *)", "", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"},
		{"29 February, the next leap year", "cron(0 12 29 2 ? *)", "UTC", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z"},
		{"29 February, four years on", "cron(0 12 29 2 ? *)", "UTC", "2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"},
		{"L: the last day of February, leap", "cron(0 9 L * ? *)", "UTC", "2028-02-01T00:00:00Z", "2028-02-29T09:00:00Z"},
		{"L: the last day of February", "cron(0 9 L * ? *)", "UTC", "2027-02-01T00:00:00Z", "2027-02-28T09:00:00Z"},
		{"L: into the next year", "cron(0 9 L * ? *)", "UTC", "2026-12-31T09:00:00Z", "2027-01-31T09:00:00Z"},
		{"LW: Sunday 31 May gives Friday 29", "cron(0 9 LW * ? *)", "UTC", "2026-05-01T00:00:00Z", "2026-05-29T09:00:00Z"},
		{"1W: Saturday 1 August gives Monday 3", "cron(0 9 1W * ? *)", "UTC", "2026-08-01T00:00:00Z", "2026-08-03T09:00:00Z"},
		{"15W: Sunday 15 March gives Monday 16", "cron(0 9 15W * ? *)", "UTC", "2026-03-01T00:00:00Z", "2026-03-16T09:00:00Z"},
		{"31W: Sunday 31 May gives Friday 29", "cron(0 9 31W * ? *)", "UTC", "2026-05-01T00:00:00Z", "2026-05-29T09:00:00Z"},
		{"31W: June has no 31st", "cron(0 9 31W * ? *)", "UTC", "2026-06-01T00:00:00Z", "2026-07-31T09:00:00Z"},
		{"weekdays, Friday to Monday", "cron(0 9 ? * MON-FRI *)", "UTC", "2026-03-27T10:00:00Z", "2026-03-30T09:00:00Z"},
		{"weekdays as numbers, 1 is Sunday", "cron(0 9 ? * 2-6 *)", "UTC", "2026-03-27T10:00:00Z", "2026-03-30T09:00:00Z"},
		{"Sundays", "cron(0 9 ? * 1 *)", "UTC", "2026-03-27T10:00:00Z", "2026-03-29T09:00:00Z"},
		{"L in day-of-week: Saturdays", "cron(0 9 ? * L *)", "UTC", "2026-03-02T00:00:00Z", "2026-03-07T09:00:00Z"},
		{"6L: the last Friday", "cron(0 9 ? * 6L *)", "UTC", "2026-03-01T00:00:00Z", "2026-03-27T09:00:00Z"},
		{"FRIL: the last Friday, by name", "cron(0 9 ? * FRIL *)", "UTC", "2026-03-28T00:00:00Z", "2026-04-24T09:00:00Z"},
		{"2#1: the first Monday", "cron(0 9 ? * 2#1 *)", "UTC", "2026-03-01T00:00:00Z", "2026-03-02T09:00:00Z"},
		{"3#5: the fifth Tuesday", "cron(0 9 ? * 3#5 *)", "UTC", "2026-03-01T00:00:00Z", "2026-03-31T09:00:00Z"},
		{"3#5: none in April or May", "cron(0 9 ? * TUE#5 *)", "UTC", "2026-04-01T00:00:00Z", "2026-06-30T09:00:00Z"},
		{"steps from a start", "cron(10/20 * * * ? *)", "UTC", "2026-03-02T08:51:00Z", "2026-03-02T09:10:00Z"},
		{"steps over a range", "cron(0 8-18/5 * * ? *)", "UTC", "2026-03-02T13:00:00Z", "2026-03-02T18:00:00Z"},
		{"steps from *", "cron(*/15 * * * ? *)", "UTC", "2026-03-02T08:46:00Z", "2026-03-02T09:00:00Z"},
		{"a list of hours", "cron(0 8,12,18 * * ? *)", "UTC", "2026-03-02T12:00:00Z", "2026-03-02T18:00:00Z"},
		{"a list of months by name", "cron(0 0 1 JAN,JUL ? *)", "UTC", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z"},
		{"days of a month", "cron(0 0 10-12 * ? *)", "UTC", "2026-03-12T00:00:00Z", "2026-04-10T00:00:00Z"},
		{"a range of years", "cron(0 0 1 1 ? 2030-2031)", "UTC", "2026-05-01T00:00:00Z", "2030-01-01T00:00:00Z"},
		{"a range of years that has ended", "cron(0 0 1 1 ? 2030-2031)", "UTC", "2031-01-01T00:00:00Z", ""},
		{"every other year", "cron(0 0 1 1 ? 2027/2)", "UTC", "2027-01-01T00:00:00Z", "2029-01-01T00:00:00Z"},
		{"a day that never comes", "cron(0 0 30 2 ? *)", "UTC", "2026-01-01T00:00:00Z", ""},
		{"rate: its start", "rate(5 minutes)", "Europe/Paris", "2026-03-28T04:00:00Z", "2026-03-28T05:00:00Z"},
		{"rate: after its start", "rate(5 minutes)", "Europe/Paris", "2026-03-28T05:00:00Z", "2026-03-28T05:05:00Z"},
		{"rate: between two runs", "rate(5 minutes)", "Europe/Paris", "2026-03-28T05:07:00Z", "2026-03-28T05:10:00Z"},
		{"rate: a day is 24 hours, whatever the clocks do", "rate(1 day)", "Europe/Paris", "2026-03-28T05:00:00Z", "2026-03-29T05:00:00Z"},
		{"rate: hours", "rate(2 hours)", "", "2026-03-28T06:00:00Z", "2026-03-28T07:00:00Z"},
		{"at: once", "at(2027-01-02T07:00:00)", "Europe/Paris", "2027-01-01T00:00:00Z", "2027-01-02T06:00:00Z"},
		{"at: not twice", "at(2027-01-02T07:00:00)", "Europe/Paris", "2027-01-02T06:00:00Z", ""},
		{"at: a time that does not exist", "at(2026-03-29T02:30:00)", "Europe/Paris", "2026-03-01T00:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := local.ParseSchedule(tt.expr, tt.tz, start)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := r.Next(utc(tt.after))
			switch {
			case tt.want == "" && ok:
				t.Errorf("%s after %s: %s, want none", tt.expr, tt.after, got.UTC().Format(time.RFC3339))
			case tt.want != "" && (!ok || !got.Equal(utc(tt.want))):
				t.Errorf("%s after %s: %s (%v), want %s", tt.expr, tt.after, got.UTC().Format(time.RFC3339), ok, tt.want)
			}
		})
	}
}

// Expressions EventBridge refuses, or forms this scheduler does not
// support, are refused with a message that names the problem.
func TestScheduleExpressionsRefused(t *testing.T) {
	tests := []struct{ expr, tz, says string }{
		{"cron(0 6 * * * *)", "", "exactly one of day-of-month and day-of-week"},
		{"cron(0 6 ? * ? *)", "", "exactly one of day-of-month and day-of-week"},
		{"cron(0 6 * * ?)", "", "six fields"},
		{"cron(0 6 * * ? * *)", "", "six fields"},
		{"cron(60 6 * * ? *)", "", "minutes"},
		{"cron(0 24 * * ? *)", "", "hours"},
		{"cron(0 6 0 * ? *)", "", "day-of-month"},
		{"cron(0 6 32 * ? *)", "", "day-of-month"},
		{"cron(0 6 * 13 ? *)", "", "month"},
		{"cron(0 6 * FOO ? *)", "", "month"},
		{"cron(0 6 ? * 0 *)", "", "day-of-week"},
		{"cron(0 6 ? * 8 *)", "", "day-of-week"},
		{"cron(0 6 * * ? 1969)", "", "year"},
		{"cron(0 6 * * ? 2200)", "", "year"},
		{"cron(0 22-2 * * ? *)", "", "backwards"},
		{"cron(*/0 6 * * ? *)", "", "step"},
		{"cron(0 6 1,L * ? *)", "", "stand alone"},
		{"cron(0 6 L-2 * ? *)", "", "stand alone"},
		{"cron(0 6 1W,15 * ? *)", "", "stand alone"},
		{"cron(0 6 32W * ? *)", "", "W follows one day"},
		{"cron(0 6 ? * 6L,2 *)", "", "stand alone"},
		{"cron(0 6 ? * 2#6 *)", "", "1 to 5"},
		{"cron(0 6 ? * 9#1 *)", "", "day-of-week"},
		{"rate(0 minutes)", "", "positive"},
		{"rate(5 weeks)", "", "minutes, hours or days"},
		{"rate(five minutes)", "", "positive"},
		{"rate(5)", "", "positive"},
		{"at(2027-01-02 07:00)", "", "at(yyyy-mm-ddThh:mm:ss)"},
		{"every day", "", "not a schedule expression"},
		{"cron(0 6 * * ? *)", "Mars/Olympus_Mons", "timezone"},
	}
	for _, tt := range tests {
		_, err := local.ParseSchedule(tt.expr, tt.tz, time.Now())
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v, want an error saying %q", tt.expr, err, tt.says)
		}
	}
}
