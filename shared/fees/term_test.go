package fees

import (
	"slices"
	"testing"
)

func TestTermYears(t *testing.T) {
	tests := []struct {
		name  string
		term  Term
		upTo  int
		years []int
	}{
		{"mid-year to end of a later year", Term{From: date("2025-07-14"), Until: date("2027-12-31")}, 0, []int{2025, 2026, 2027}},
		{"within one year", Term{From: date("2026-03-01"), Until: date("2026-09-30")}, 0, []int{2026}},
		{"ends on 1 January: that year is touched", Term{From: date("2025-01-01"), Until: date("2027-01-01")}, 0, []int{2025, 2026, 2027}},
		{"open-ended, up to the given year", Term{From: date("2026-11-30")}, 2028, []int{2026, 2027, 2028}},
	}
	for _, tt := range tests {
		if got := tt.term.Years(tt.upTo); !slices.Equal(got, tt.years) {
			t.Errorf("%s: Years = %v, want %v", tt.name, got, tt.years)
		}
	}
}

func TestChargeFor(t *testing.T) {
	fee := Euros(500000)
	tests := []struct {
		name     string
		term     Term
		year     int
		policy   Proration
		amount   int64
		months   int
		from, to string
	}{
		{"year covered whole", Term{From: date("2025-07-14"), Until: date("2027-12-31")}, 2026, Monthly, 500000, 12, "2026-01-01", "2026-12-31"},
		{"first year, full policy", Term{From: date("2025-07-14"), Until: date("2027-12-31")}, 2025, Full, 500000, 12, "2025-01-01", "2025-12-31"},
		{"first year from July: 6/12", Term{From: date("2025-07-14"), Until: date("2027-12-31")}, 2025, Monthly, 250000, 6, "2025-07-01", "2025-12-31"},
		{"first year from June: 7/12 rounds up", Term{From: date("2025-06-30")}, 2025, Monthly, 291667, 7, "2025-06-01", "2025-12-31"},
		{"first year from August: 5/12 rounds down", Term{From: date("2025-08-01")}, 2025, Monthly, 208333, 5, "2025-08-01", "2025-12-31"},
		{"in force in December: 1/12", Term{From: date("2025-12-31")}, 2025, Monthly, 41667, 1, "2025-12-01", "2025-12-31"},
		{"in force on 1 January: whole year", Term{From: date("2026-01-01")}, 2026, Monthly, 500000, 12, "2026-01-01", "2026-12-31"},
		{"last year ends in June: January to June", Term{From: date("2024-01-01"), Until: date("2027-06-15")}, 2027, Monthly, 250000, 6, "2027-01-01", "2027-06-30"},
		{"last year ends in June, full policy", Term{From: date("2024-01-01"), Until: date("2027-06-15")}, 2027, Full, 500000, 12, "2027-01-01", "2027-12-31"},
		{"first and last year: March to September", Term{From: date("2026-03-10"), Until: date("2026-09-01")}, 2026, Monthly, 291667, 7, "2026-03-01", "2026-09-30"},
		{"leap year February end", Term{From: date("2027-01-01"), Until: date("2028-02-10")}, 2028, Monthly, 83333, 2, "2028-01-01", "2028-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ChargeFor(tt.term, tt.year, fee, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			if c.Amount != Euros(tt.amount) || c.Months != tt.months || c.From.String() != tt.from || c.To.String() != tt.to {
				t.Errorf("got %s, %d months, %s to %s; want %d cents, %d months, %s to %s",
					c.Amount, c.Months, c.From, c.To, tt.amount, tt.months, tt.from, tt.to)
			}
			if c.Prorated() != (tt.months < 12) {
				t.Errorf("Prorated = %v", c.Prorated())
			}
		})
	}
}

func TestChargeForRefuses(t *testing.T) {
	term := Term{From: date("2025-07-14"), Until: date("2027-12-31")}
	tests := []struct {
		name   string
		term   Term
		year   int
		fee    Money
		policy Proration
	}{
		{"year before the term", term, 2024, Euros(500000), Full},
		{"year after the term", term, 2028, Euros(500000), Full},
		{"unknown policy", term, 2026, Euros(500000), "weekly"},
		{"negative fee", term, 2026, Euros(-1), Full},
		{"term ending before it starts", Term{From: date("2026-01-01"), Until: date("2025-12-31")}, 2026, Euros(500000), Full},
		{"no start", Term{}, 2026, Euros(500000), Full},
	}
	for _, tt := range tests {
		if _, err := ChargeFor(tt.term, tt.year, tt.fee, tt.policy); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestProrateRoundsHalfUp(t *testing.T) {
	for _, tt := range []struct{ amount, num, den, want int64 }{
		{500000, 7, 12, 291667}, // 291 666.67
		{500000, 5, 12, 208333}, // 208 333.33
		{1, 1, 2, 1},            // 0.5 rounds up
		{3, 1, 2, 2},            // 1.5 rounds up
		{5, 1, 10, 1},           // 0.5
		{4, 1, 10, 0},           // 0.4
		{100000, 2000, 10000, 20000},
		{33333, 550, 10000, 1833}, // 1833.3
	} {
		if got := prorate(tt.amount, tt.num, tt.den); got != tt.want {
			t.Errorf("prorate(%d, %d, %d) = %d, want %d", tt.amount, tt.num, tt.den, got, tt.want)
		}
	}
}
