package fees

import (
	"github.com/intercultural-cities/backoffice/shared/failure"
)

// Where a payment's record comes from.
const (
	// SourceManual: the secretariat recorded it by hand.
	SourceManual = "manual"
	// SourceBankStatement: imported from a bank statement entry.
	SourceBankStatement = "bank-statement"
)

// PaymentSource says where a payment was learnt of.
type PaymentSource struct {
	Kind string `json:"kind"` // manual or bank-statement
	// StatementID and EntryRef name the statement entry it was imported
	// from (bank-statement only).
	StatementID string `json:"statementId,omitempty"`
	EntryRef    string `json:"entryRef,omitempty"`
}

// Payment is money received against an invoice.
type Payment struct {
	ID         string        `json:"id"`
	InvoiceID  string        `json:"invoiceId"`
	Amount     Money         `json:"amount"`
	ReceivedOn Date          `json:"receivedOn"`
	Reference  string        `json:"reference,omitempty"` // as the payer wrote it
	Source     PaymentSource `json:"source"`
}

// Validate checks a payment about to be recorded against inv, today being
// the date in Paris: a positive amount in the invoice's currency, received
// neither in the future nor before 2000, and a source that says where it
// comes from.
func (p Payment) Validate(inv Invoice, today Date) error {
	var c failure.Collector
	required(&c, "/id", p.ID)
	switch {
	case p.InvoiceID == "":
		c.Add("/invoiceId", "is required")
	case p.InvoiceID != inv.ID:
		c.Add("/invoiceId", "must be the invoice's id")
	}
	switch {
	case p.Amount.Currency != inv.Currency:
		c.Add("/amount/currency", "must be %s, the invoice's currency", inv.Currency)
	case p.Amount.Amount <= 0:
		c.Add("/amount/amount", "must be more than zero")
	case p.Amount.Amount > MaxAmount:
		c.Add("/amount/amount", "must be at most %d cents", MaxAmount)
	}
	switch {
	case p.ReceivedOn.IsZero():
		c.Add("/receivedOn", "is required")
	case p.ReceivedOn.After(today):
		c.Add("/receivedOn", "must not be in the future (today is %s)", today)
	case p.ReceivedOn.Year() < 2000:
		c.Add("/receivedOn", "must be a plausible date")
	}
	text(&c, "/reference", p.Reference, false, 140) // an SCT's remittance information
	switch p.Source.Kind {
	case SourceManual:
		if p.Source.StatementID != "" || p.Source.EntryRef != "" {
			c.Add("/source", "a manual payment has no statement entry")
		}
	case SourceBankStatement:
		if p.Source.StatementID == "" {
			c.Add("/source/statementId", "is required for a payment from a bank statement")
		}
		if p.Source.EntryRef == "" {
			c.Add("/source/entryRef", "is required for a payment from a bank statement")
		}
	default:
		c.Add("/source/kind", "must be manual or bank-statement")
	}
	return c.Err("the payment is invalid")
}
