package fees

// Status is where an invoice stands.
type Status string

// The statuses.
const (
	// StatusOpen: something is left to pay and the due date has not passed.
	StatusOpen Status = "open"
	// StatusOverdue: something is left to pay after the due date.
	StatusOverdue Status = "overdue"
	// StatusPaid: payments (and partial credit notes) cover the total.
	StatusPaid Status = "paid"
	// StatusCredited: credit notes cancel the whole invoice.
	StatusCredited Status = "credited"
)

// Balance is an invoice's account: what was invoiced, paid and credited,
// what is left to pay, and any excess received (to refund or carry over).
type Balance struct {
	Invoiced    Money  `json:"invoiced"`
	Paid        Money  `json:"paid"`
	Credited    Money  `json:"credited"`
	Outstanding Money  `json:"outstanding"`
	Overpaid    Money  `json:"overpaid"`
	Status      Status `json:"status"`
}

// Settled reports whether nothing is left to pay.
func (b Balance) Settled() bool { return b.Status == StatusPaid || b.Status == StatusCredited }

// BalanceOf returns inv's balance on date today from its payments and
// credit notes; those of other invoices are not counted. Payments are taken
// as received whatever their date (a payment recorded with a later date is
// still money received). The invoice is credited when credit notes cancel
// its whole net amount, and any payment received then is overpaid.
func BalanceOf(inv Invoice, payments []Payment, credits []CreditNote, today Date) Balance {
	paid, credited := Money{Currency: inv.Currency}, Money{Currency: inv.Currency}
	for _, p := range payments {
		if p.InvoiceID == inv.ID && p.Amount.Currency == inv.Currency {
			paid = paid.Add(p.Amount)
		}
	}
	for _, cn := range credits {
		if cn.InvoiceID == inv.ID {
			credited = credited.Add(cn.Total())
		}
	}
	// Compared on the net amounts: VAT rounded credit note by credit note
	// must not leave a cent "open" on a cancelled invoice.
	return BalanceFrom(inv, paid, credited, Creditable(inv, credits).Amount <= 0, today)
}

// BalanceFrom is the balance from an invoice's sums: what was paid, what
// was credited (tax included), and whether credit notes cancel it whole.
// Stores keep these sums beside an invoice so that lists need no payments.
func BalanceFrom(inv Invoice, paid, credited Money, creditedInFull bool, today Date) Balance {
	b := Balance{Invoiced: inv.Total(), Paid: paid, Credited: credited}
	if b.Paid.Currency == "" {
		b.Paid.Currency = inv.Currency
	}
	if b.Credited.Currency == "" {
		b.Credited.Currency = inv.Currency
	}
	left := b.Invoiced.Sub(b.Paid).Sub(b.Credited)
	b.Outstanding = Money{Amount: max(left.Amount, 0), Currency: inv.Currency}
	b.Overpaid = Money{Amount: max(-left.Amount, 0), Currency: inv.Currency}
	switch {
	case creditedInFull:
		b.Status = StatusCredited
		b.Outstanding.Amount = 0
		b.Overpaid = b.Paid // nothing was owed: all of it goes back
	case b.Outstanding.Amount == 0:
		b.Status = StatusPaid
	case today.After(inv.DueDate):
		b.Status = StatusOverdue
	default:
		b.Status = StatusOpen
	}
	return b
}
