package fees

import (
	"fmt"
	"strconv"
)

// EUR is the currency of invoices. Other currencies can be represented
// (a bank credit in another currency) but are never invoiced.
const EUR = "EUR"

// MaxAmount bounds every amount the package accepts (ten million euros), so
// that sums of a few amounts never overflow and a typo stands out.
const MaxAmount = 1_000_000_000

// Money is an amount in cents of a currency (ISO 4217 code). Its JSON shape
// is the project's: {"amount": 500000, "currency": "EUR"}.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Euros returns an amount of euro cents.
func Euros(cents int64) Money { return Money{Amount: cents, Currency: EUR} }

// Add returns m + o; both must be in the same currency (a programming error
// otherwise, hence the panic).
func (m Money) Add(o Money) Money {
	m.same(o)
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}
}

// Sub returns m - o, in the same currency.
func (m Money) Sub(o Money) Money {
	m.same(o)
	return Money{Amount: m.Amount - o.Amount, Currency: m.Currency}
}

func (m Money) same(o Money) {
	if m.Currency != o.Currency && m.Currency != "" && o.Currency != "" {
		panic(fmt.Sprintf("fees: adding %s to %s", o.Currency, m.Currency))
	}
}

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Amount == 0 }

// Decimal writes the amount with two decimals and a point, as e-invoices,
// bank statements and payment QR codes want it: "5000.00", "-12.50".
func (m Money) Decimal() string {
	a := m.Amount
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	return sign + strconv.FormatInt(a/100, 10) + "." + strconv.FormatInt(a%100+100, 10)[1:]
}

// String writes "5000.00 EUR" (logs and errors; documents use i18n.Money).
func (m Money) String() string { return m.Decimal() + " " + m.Currency }

// ParseDecimal reads an amount written with a point and at most two
// decimals ("5000", "5000.5", "5000.50") into cents. It refuses signs,
// exponents, more than two decimals and amounts over MaxAmount: money is
// never rounded on the way in.
func ParseDecimal(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	var whole, frac string
	whole = s
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			whole, frac = s[:i], s[i+1:]
			break
		}
	}
	if whole == "" || len(frac) > 2 || (len(frac) == 0 && len(whole) < len(s)) {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
			}
		}
	}
	if len(whole) > 10 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	cents := w*100 + f
	if cents > MaxAmount {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return cents, nil
}

// Raw writes m as notification data carry amounts, "<cents> <currency>"
// ("500000 EUR"): the email formats it in its reader's language.
func (m Money) Raw() string { return strconv.FormatInt(m.Amount, 10) + " " + m.Currency }
