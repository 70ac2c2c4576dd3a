package fees

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTodayAndFeeYearAreTakenInParis(t *testing.T) {
	tests := []struct {
		name  string
		now   string
		today string
		year  int
	}{
		{"new year in Paris, still 31 December in UTC", "2026-12-31T23:30:00Z", "2027-01-01", 2027},
		{"one second before midnight in Paris", "2026-12-31T22:59:59Z", "2026-12-31", 2026},
		{"midnight in Paris exactly", "2026-12-31T23:00:00Z", "2027-01-01", 2027},
		{"summer time: UTC+2", "2027-06-30T22:30:00Z", "2027-07-01", 2027},
		{"an instant written in another zone", "2027-01-01T05:00:00+09:00", "2026-12-31", 2026},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := Today(now).String(); got != tt.today {
				t.Errorf("Today(%s) = %s, want %s", tt.now, got, tt.today)
			}
			if got := FeeYear(now); got != tt.year {
				t.Errorf("FeeYear(%s) = %d, want %d", tt.now, got, tt.year)
			}
		})
	}
}

func TestDateArithmeticAcrossLeapYearsAndDaylightSaving(t *testing.T) {
	tests := []struct {
		from string
		days int
		want string
	}{
		{"2028-02-28", 1, "2028-02-29"}, // 2028 is a leap year
		{"2027-02-28", 1, "2027-03-01"},
		{"2100-02-28", 1, "2100-03-01"}, // divisible by 100, not by 400
		{"2000-02-28", 1, "2000-02-29"}, // divisible by 400
		{"2028-01-31", 30, "2028-03-01"},
		{"2027-01-31", 30, "2027-03-02"},
		{"2027-03-20", 14, "2027-04-03"}, // across the spring change of hour
		{"2027-10-25", 7, "2027-11-01"},  // across the autumn one
		{"2027-01-08", -7, "2027-01-01"},
	}
	for _, tt := range tests {
		got := date(tt.from).AddDays(tt.days)
		if got.String() != tt.want {
			t.Errorf("%s + %d days = %s, want %s", tt.from, tt.days, got, tt.want)
		}
		if n := date(tt.from).DaysUntil(got); n != tt.days {
			t.Errorf("DaysUntil(%s, %s) = %d, want %d", tt.from, got, n, tt.days)
		}
	}
}

func TestParseDateRefusesImpossibleDates(t *testing.T) {
	for _, s := range []string{"2027-02-29", "2027-13-01", "2027-1-1", "27-01-01", "2027-01-01T00:00:00Z", ""} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	if d, err := ParseDate("2028-02-29"); err != nil || d != NewDate(2028, time.February, 29) {
		t.Errorf("ParseDate(2028-02-29) = %v, %v", d, err)
	}
}

func TestDatesTravelAsISOStrings(t *testing.T) {
	in := struct {
		D Date `json:"d"`
		Z Date `json:"z"`
	}{D: NewDate(2027, time.January, 31)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"d":"2027-01-31","z":""}` {
		t.Fatalf("JSON = %s", b)
	}
	var out struct {
		D Date `json:"d"`
		Z Date `json:"z"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.D != in.D || !out.Z.IsZero() {
		t.Errorf("round trip gave %v %v", out.D, out.Z)
	}
	if err := json.Unmarshal([]byte(`{"d":"2027-02-30"}`), &out); err == nil {
		t.Error("an impossible date was read")
	}
}
