package fees

import (
	"fmt"
	"time"
)

// Proration says how a year the agreement covers only in part is charged.
type Proration string

// The policies.
const (
	// Full charges the whole yearly fee for any year the agreement touches.
	Full Proration = "full"
	// Monthly charges one twelfth of the fee for each calendar month the
	// agreement is in force in that year, counting a month begun as a whole
	// month, rounded half up to the cent.
	Monthly Proration = "monthly"
)

// Valid reports whether p is a known policy.
func (p Proration) Valid() bool { return p == Full || p == Monthly }

// Term is the period an agreement is in force: from the day it enters into
// force to the day it ends, both included. A zero Until means open-ended.
type Term struct {
	From  Date `json:"from"`
	Until Date `json:"until,omitzero"`
}

// Validate checks that the term starts and does not end before it starts.
func (t Term) Validate() error {
	switch {
	case t.From.IsZero():
		return fmt.Errorf("the agreement has no date of entry into force")
	case !t.Until.IsZero() && t.Until.Before(t.From):
		return fmt.Errorf("the agreement ends (%s) before it enters into force (%s)", t.Until, t.From)
	}
	return nil
}

// Years returns the calendar years the term overlaps, in order; through
// the year of upTo for an open-ended term (upTo is ignored otherwise).
func (t Term) Years(upTo int) []int {
	last := upTo
	if !t.Until.IsZero() {
		last = t.Until.Year()
	}
	var ys []int
	for y := t.From.Year(); y <= last; y++ {
		ys = append(ys, y)
	}
	return ys
}

// Covers reports whether the term overlaps calendar year y.
func (t Term) Covers(y int) bool {
	return t.From.Year() <= y && (t.Until.IsZero() || y <= t.Until.Year())
}

// Months returns the first and last calendar months of year y the term is
// in force in (1 and 12 for a year it covers whole), and false if the term
// does not overlap y.
func (t Term) Months(y int) (first, last time.Month, ok bool) {
	if !t.Covers(y) {
		return 0, 0, false
	}
	first, last = time.January, time.December
	if t.From.Year() == y {
		first = t.From.Month()
	}
	if !t.Until.IsZero() && t.Until.Year() == y {
		last = t.Until.Month()
	}
	return first, last, true
}

// Charge is what a fee year costs and why.
type Charge struct {
	Year   int    `json:"year"`
	Amount Money  `json:"amount"`
	Yearly Money  `json:"yearly"` // the full yearly fee it derives from
	Months int    `json:"months"` // months charged: 12 unless prorated
	From   Date   `json:"from"`   // the period the fee covers (BG-14)
	To     Date   `json:"to"`
	Policy string `json:"policy"` // the proration applied
}

// Prorated reports whether less than the whole yearly fee is charged.
func (c Charge) Prorated() bool { return c.Months < 12 }

// ChargeFor returns the fee for year y of an agreement with term t and
// yearly fee yearly, under policy p:
//
//   - a year the agreement covers whole costs the yearly fee;
//   - a year begun or ended part-way (the first year, the last year, or a
//     year that is both) costs the yearly fee under Full, and under Monthly
//     yearly × months / 12, months counted from the month it enters into
//     force, or from January, to the month it ends, or December, inclusive,
//     rounded half up to the cent (5 000 € × 7/12 = 2 916.67 €).
//
// The last year follows the first year's policy: a city whose agreement
// ends in June under Monthly pays for January to June. A charge for a year
// the term does not overlap is an error.
func ChargeFor(t Term, y int, yearly Money, p Proration) (Charge, error) {
	if err := t.Validate(); err != nil {
		return Charge{}, err
	}
	if !p.Valid() {
		return Charge{}, fmt.Errorf("unknown proration policy %q", p)
	}
	if yearly.Amount < 0 || yearly.Amount > MaxAmount {
		return Charge{}, fmt.Errorf("yearly fee %s is out of range", yearly)
	}
	first, last, ok := t.Months(y)
	if !ok {
		return Charge{}, fmt.Errorf("the agreement (%s to %s) does not cover %d", t.From, t.Until, y)
	}
	months := int(last-first) + 1
	c := Charge{Year: y, Amount: yearly, Yearly: yearly, Months: 12, Policy: string(p),
		From: NewDate(y, time.January, 1), To: NewDate(y, time.December, 31)}
	if p == Monthly && months < 12 {
		c.Months = months
		c.Amount = Money{Amount: prorate(yearly.Amount, int64(months), 12), Currency: yearly.Currency}
		c.From = NewDate(y, first, 1)
		c.To = NewDate(y, last, 1).LastOfMonth()
	}
	return c, nil
}

// prorate returns amount × num / den rounded half up, for non-negative
// amounts: integer arithmetic, so no float can lose a cent.
func prorate(amount, num, den int64) int64 {
	return (2*amount*num + den) / (2 * den)
}
