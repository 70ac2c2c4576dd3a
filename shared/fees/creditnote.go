package fees

import (
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// CreditNote cancels or reduces an issued invoice, which itself never
// changes. It has its own number series and copies the invoice's parties,
// tax treatment and language.
type CreditNote struct {
	ID     string `json:"id"`
	Number string `json:"number"` // ICC-CN-<year>-<seq>
	Year   int    `json:"year"`
	Seq    int    `json:"seq"`
	// The invoice it corrects (BT-25, BT-26).
	InvoiceID        string    `json:"invoiceId"`
	InvoiceNumber    string    `json:"invoiceNumber"`
	InvoiceIssueDate Date      `json:"invoiceIssueDate"`
	CityID           string    `json:"cityId"`
	FeeYear          int       `json:"feeYear"`
	IssueDate        Date      `json:"issueDate"`
	Seller           Seller    `json:"seller"`
	Buyer            Buyer     `json:"buyer"`
	Line             Line      `json:"line"` // Amount: the net amount credited
	Currency         string    `json:"currency"`
	VAT              VAT       `json:"vat"`
	Language         i18n.Lang `json:"language"`
	Reason           string    `json:"reason"`
}

// Totals returns the credit note's sums.
func (cn CreditNote) Totals() Totals { return totals(cn.Line, cn.VAT) }

// Total returns the amount credited, tax included.
func (cn CreditNote) Total() Money { return cn.Totals().Gross }

// CreditNoteRequest is what crediting an invoice needs.
type CreditNoteRequest struct {
	ID        string // opaque, from the caller
	Seq       int    // the next number in the credit-note series of IssueDate's year
	IssueDate Date   // today in Paris
	// Amount is the net amount to credit (before VAT, the invoice line's
	// basis): at most what earlier credit notes left of the invoice's line.
	Amount Money
	Reason string // why, printed on the credit note
}

// Creditable returns the net amount of inv that credit notes have not yet
// cancelled; credit notes of other invoices are not counted.
func Creditable(inv Invoice, credits []CreditNote) Money {
	left := inv.Line.Amount
	for _, cn := range credits {
		if cn.InvoiceID == inv.ID {
			left = left.Sub(cn.Line.Amount)
		}
	}
	return left
}

// CreditInvoice issues a credit note against inv, given the credit notes
// already issued against it.
func CreditInvoice(inv Invoice, prior []CreditNote, r CreditNoteRequest) (CreditNote, error) {
	var c failure.Collector
	required(&c, "/id", r.ID)
	if r.Seq < 1 {
		c.Add("/seq", "must be 1 or more")
	}
	if r.IssueDate.IsZero() {
		c.Add("/issueDate", "is required")
	} else if r.IssueDate.Before(inv.IssueDate) {
		c.Add("/issueDate", "must not be before the invoice's issue date (%s)", inv.IssueDate)
	}
	left := Creditable(inv, prior)
	switch {
	case r.Amount.Currency != inv.Currency:
		c.Add("/amount/currency", "must be %s, the invoice's currency", inv.Currency)
	case r.Amount.Amount <= 0:
		c.Add("/amount/amount", "must be more than zero")
	case r.Amount.Amount > left.Amount:
		c.Add("/amount/amount", "must be at most %s, what remains creditable on invoice %s", left.Decimal(), inv.Number)
	}
	text(&c, "/reason", r.Reason, true, 300)
	if err := c.Err("the credit note cannot be issued"); err != nil {
		return CreditNote{}, err
	}
	line := inv.Line
	line.Amount = r.Amount
	return CreditNote{
		ID:               r.ID,
		Number:           CreditNoteNumber(r.IssueDate.Year(), r.Seq),
		Year:             r.IssueDate.Year(),
		Seq:              r.Seq,
		InvoiceID:        inv.ID,
		InvoiceNumber:    inv.Number,
		InvoiceIssueDate: inv.IssueDate,
		CityID:           inv.CityID,
		FeeYear:          inv.FeeYear,
		IssueDate:        r.IssueDate,
		Seller:           inv.Seller,
		Buyer:            inv.Buyer,
		Line:             line,
		Currency:         inv.Currency,
		VAT:              inv.VAT,
		Language:         inv.Language,
		Reason:           r.Reason,
	}, nil
}
