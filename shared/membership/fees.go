package membership

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// The yearly fee's steps (agreement §2.5): issuing the year's invoice,
// recording a payment, correcting an invoice by a credit note, and keeping
// the city's billing details. The rules of money are package fees'; these
// steps put them on the city's file, each in one transaction with its
// audit entry and emails.

// InvoiceAccount is an invoice as stored, with what was paid and credited
// on it. Version counts its changes: a payment or a credit note is
// recorded only if nothing changed the account meanwhile.
type InvoiceAccount struct {
	Invoice  fees.Invoice
	Payments []fees.Payment
	Credits  []fees.CreditNote
	// Documents says whether the invoice's PDF and XML are archived.
	Documents bool
	// Flagged is when the reminders ran out and the secretariat was asked
	// to follow up; zero if not.
	Flagged time.Time
	// The account's sums, kept with every payment and credit note, so that
	// lists and reminders read one item per invoice.
	Paid, Credited Money
	CreditedInFull bool
	Version        int64
}

// Balance is the account on a day.
func (a InvoiceAccount) Balance(today fees.Date) fees.Balance {
	return fees.BalanceFrom(a.Invoice, a.Paid, a.Credited, a.CreditedInFull, today)
}

// PaymentRecorded is a payment and the invoice's account after it, written
// together: the account as it was read (Version) is the condition.
type PaymentRecorded struct {
	Payment fees.Payment
	Account InvoiceAccount // before the payment
	Balance fees.Balance   // after it
	// EntryKey is the bank statement entry the payment was read from, if
	// any: an entry is recorded once however often its statement is
	// imported.
	EntryKey string
}

// CreditNoteIssued is a credit note and the invoice's account after it.
type CreditNoteIssued struct {
	CreditNote fees.CreditNote
	Account    InvoiceAccount
	Balance    fees.Balance
}

// InvoiceIssued is a newly issued invoice.
type InvoiceIssued struct {
	Invoice fees.Invoice
}

// ErrEntryRecorded is what storing a payment reports when its bank
// statement entry was recorded already: its statement was imported before.
var ErrEntryRecorded = errors.New("this bank statement entry was recorded already")

// ErrNumberTaken is what storing an invoice or a credit note reports when
// its number was given to another one meanwhile: read the next number and
// take the step again.
var ErrNumberTaken = errors.New("the document's number was taken meanwhile")

// Invoiced says whether the city has its invoice for a fee year.
func (c City) Invoiced(year int) bool { return slices.Contains(c.InvoicedYears, year) }

// term is the agreement's period in force, as the fees count years.
func (c City) term() (fees.Term, error) {
	if c.Agreement == nil {
		return fees.Term{}, failure.New(failure.Conflict, "city %s has no agreement", c.ID)
	}
	from, err := fees.ParseDate(c.Agreement.InForceFrom)
	if err != nil {
		return fees.Term{}, err
	}
	until, err := fees.ParseDate(c.Agreement.EndsOn)
	if err != nil {
		return fees.Term{}, err
	}
	return fees.Term{From: from, Until: until}, nil
}

// Owes says whether the city owes the fee for a year: its agreement covers
// the year, the fee is not waived, and no invoice was issued for it.
func (c City) Owes(year int) bool {
	t, err := c.term()
	return err == nil && t.Covers(year) && c.Agreement.FeePerYear.Amount > 0 && !c.Invoiced(year)
}

// IssueInvoice issues the city's invoice for a fee year, numbered seq in
// the series of today's year. The PDF and the e-invoice are rendered and
// archived once it is stored, and then emailed.
func (c City) IssueInvoice(year, seq int, r Rules, now time.Time, actor string, newID func() string) (Change, error) {
	inv, err := c.invoice(year, seq, r, now, newID)
	if err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepInvoiceFee, now, actor, nil, invoiceDetail(inv))
	if err != nil {
		return Change{}, err
	}
	next.InvoicedYears = append(slices.Clone(c.InvoicedYears), year)
	return Change{City: next, Event: ev, Records: []any{InvoiceIssued{Invoice: inv}}}, nil
}

func invoiceDetail(inv fees.Invoice) string {
	return fmt.Sprintf("invoice %s for %d: %s, due %s", inv.Number, inv.FeeYear, inv.Total(), inv.DueDate)
}

// invoice plans the city's invoice for a year.
func (c City) invoice(year, seq int, r Rules, now time.Time, newID func() string) (fees.Invoice, error) {
	t, err := c.term()
	if err != nil {
		return fees.Invoice{}, err
	}
	if c.Invoiced(year) {
		return fees.Invoice{}, failure.New(failure.Conflict, "city %s has its invoice for %s already", c.ID, strconv.Itoa(year))
	}
	if !t.Covers(year) {
		return fees.Invoice{}, failure.New(failure.Conflict, "the agreement of city %s (%s to %s) does not cover %s",
			c.ID, c.Agreement.InForceFrom, c.Agreement.EndsOn, strconv.Itoa(year))
	}
	if c.Billing == nil {
		return fees.Invoice{}, failure.New(failure.Conflict,
			"city %s has no billing details: record them (PUT /cities/%s/billing) before it is invoiced", c.ID, c.ID)
	}
	charge, err := fees.ChargeFor(t, year, c.Agreement.FeePerYear, r.FirstYear)
	if err != nil {
		return fees.Invoice{}, err
	}
	return r.Fees.IssueInvoice(fees.InvoiceRequest{ID: newID(), Seq: seq, CityID: c.ID, Buyer: *c.Billing,
		Language: i18n.Parse(c.Language), Charge: charge, IssueDate: fees.Today(now)})
}

// BillingInput is the city's billing details, as the city or the
// secretariat records them.
type BillingInput = fees.Buyer

// FeeDue asks for a city's invoice of a year to be issued (by the billing
// function, from the table's stream).
type FeeDue struct {
	CityID string
	Year   int
	At     time.Time
}

// UpdateBilling records the city's billing details: the buyer on its next
// invoices (issued ones never change). A member whose invoices waited for
// them has them issued now.
func (c City) UpdateBilling(in BillingInput, now time.Time, actor string) (Change, error) {
	if err := in.Validate(); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepUpdateBilling, now, actor, in, "billing details: "+in.LegalName)
	if err != nil {
		return Change{}, err
	}
	b := in
	next.Billing = &b
	ch := Change{City: next, Event: ev}
	if c.Status == StatusMember || c.Status == StatusTerminationNotified {
		if t, err := c.term(); err == nil {
			for _, y := range t.Years(fees.FeeYear(now)) {
				// Years still to come are invoiced in their January.
				if y <= fees.FeeYear(now) && next.Owes(y) {
					ch.Records = append(ch.Records, FeeDue{CityID: c.ID, Year: y, At: now.UTC()})
				}
			}
		}
	}
	return ch, nil
}

// PaymentInput is a payment as the secretariat records it.
type PaymentInput struct {
	Amount     *int64 `json:"amount"` // cents
	ReceivedOn string `json:"receivedOn"`
	Reference  string `json:"reference,omitempty"`
}

// RecordPayment records money received against one of the city's invoices.
// The invoice is paid once payments cover it; more than its total is
// flagged as an overpayment for the secretariat. The payer is sent one
// receipt.
func (c City) RecordPayment(a InvoiceAccount, in PaymentInput, src fees.PaymentSource, entryKey string,
	now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	if in.Amount == nil {
		col.Add("/amount", "is required (cents)")
	}
	received, err := fees.ParseDate(in.ReceivedOn)
	if in.ReceivedOn == "" {
		col.Add("/receivedOn", "is required (YYYY-MM-DD)")
	} else if err != nil {
		col.Add("/receivedOn", "must be a date YYYY-MM-DD")
	}
	if err := col.Err("the payment has invalid fields"); err != nil {
		return Change{}, err
	}
	if a.Invoice.CityID != c.ID {
		return Change{}, fmt.Errorf("invoice %s is not city %s's", a.Invoice.ID, c.ID)
	}
	today := fees.Today(now)
	p := fees.Payment{ID: newID(), InvoiceID: a.Invoice.ID, Amount: fees.Euros(*in.Amount), ReceivedOn: received,
		Reference: strings.TrimSpace(in.Reference), Source: src}
	if err := p.Validate(a.Invoice, today); err != nil {
		return Change{}, amountAtCents(err)
	}
	before := a.Balance(today)
	if before.Status == fees.StatusCredited {
		return Change{}, failure.New(failure.Conflict, "invoice %s is credited in full: it takes no payment", a.Invoice.Number)
	}
	after := a.Balance(today)
	after = fees.BalanceFrom(a.Invoice, after.Paid.Add(p.Amount), after.Credited, a.CreditedInFull, today)
	detail := fmt.Sprintf("payment of %s on %s against %s: %s left to pay", p.Amount, p.ReceivedOn, a.Invoice.Number,
		after.Outstanding)
	if after.Overpaid.Amount > 0 {
		detail += fmt.Sprintf("; overpaid by %s: refund or carry over", after.Overpaid)
	}
	next, ev, err := c.step(StepRecordPayment, now, actor, in, detail)
	if err != nil {
		return Change{}, err
	}
	n := invoiceMail(next, a.Invoice, "payment-received", "payment-"+p.ID, map[string]string{
		"Amount": p.Amount.Raw(), "ReceivedOn": p.ReceivedOn.String(), "Outstanding": after.Outstanding.Raw(),
		"Overpaid": after.Overpaid.Raw(), "Settled": yesNo(after.Settled()),
	}, now)
	rec := PaymentRecorded{Payment: p, Account: a, Balance: after, EntryKey: entryKey}
	return Change{City: next, Event: ev, Records: []any{rec}, Notifications: []notify.Notification{n}}, nil
}

// CreditNoteInput corrects or cancels an issued invoice.
type CreditNoteInput struct {
	Amount *int64 `json:"amount,omitempty"` // cents, net; the whole creditable amount when absent
	Reason string `json:"reason"`
}

// IssueCreditNote corrects one of the city's invoices by a credit note,
// numbered seq in the credit notes' series of today's year. Like an
// invoice, it is archived, then emailed.
func (c City) IssueCreditNote(a InvoiceAccount, in CreditNoteInput, seq int, now time.Time, actor string,
	newID func() string) (Change, error) {
	var col failure.Collector
	if in.Amount != nil {
		switch {
		case *in.Amount <= 0:
			col.Add("/amount", "must be more than zero")
		case *in.Amount > fees.MaxAmount:
			col.Add("/amount", "must be at most %d cents", fees.MaxAmount)
		}
	}
	text(&col, "/reason", in.Reason, true, 500)
	if err := col.Err("the credit note has invalid fields"); err != nil {
		return Change{}, err
	}
	// What the request asks is valid; whether the invoice can take it is
	// the invoice's state, as for a payment: nothing left is a conflict,
	// however much was asked.
	left := fees.Creditable(a.Invoice, a.Credits)
	if left.Amount <= 0 {
		return Change{}, failure.New(failure.Conflict, "invoice %s is credited in full: nothing remains to credit", a.Invoice.Number)
	}
	amount := left
	if in.Amount != nil {
		amount = fees.Euros(*in.Amount)
	}
	cn, err := fees.CreditInvoice(a.Invoice, a.Credits, fees.CreditNoteRequest{ID: newID(), Seq: seq,
		IssueDate: fees.Today(now), Amount: amount, Reason: strings.TrimSpace(in.Reason)})
	if err != nil {
		return Change{}, amountAtCents(err)
	}
	today := fees.Today(now)
	credits := append(slices.Clone(a.Credits), cn)
	after := fees.BalanceFrom(a.Invoice, a.Paid, a.Credited.Add(cn.Total()), fees.Creditable(a.Invoice, credits).Amount <= 0, today)
	next, ev, err := c.step(StepIssueCreditNote, now, actor, in,
		fmt.Sprintf("credit note %s on %s: %s (%s)", cn.Number, a.Invoice.Number, cn.Total(), cn.Reason))
	if err != nil {
		return Change{}, err
	}
	if after.Status == fees.StatusCredited {
		// A year credited in full may be invoiced again, correctly.
		next.InvoicedYears = slices.DeleteFunc(slices.Clone(c.InvoicedYears), func(y int) bool { return y == a.Invoice.FeeYear })
	}
	rec := CreditNoteIssued{CreditNote: cn, Account: a, Balance: after}
	return Change{City: next, Event: ev, Records: []any{rec}}, nil
}

// amountAtCents points the errors of the fee's Money (/amount/amount,
// /amount/currency) at /amount, where a request carries the cents: a
// client is told about the field it sent.
func amountAtCents(err error) error {
	if f := failure.As(err); f != nil {
		for i := range f.Fields {
			if strings.HasPrefix(f.Fields[i].Pointer, "/amount/") {
				f.Fields[i].Pointer = "/amount"
			}
		}
	}
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// invoiceMail is an email about an invoice to the city's finance office
// (the invoice's buyer), in the invoice's language.
func invoiceMail(c City, inv fees.Invoice, template, id string, data map[string]string, now time.Time) notify.Notification {
	n := c.mail(template, id, data, now)
	n.Lang = string(inv.Language)
	n.ToName, n.ToEmail = inv.Buyer.LegalName, inv.Buyer.Email
	n.Data["InvoiceID"] = inv.ID
	n.Data["InvoiceNumber"] = inv.Number
	n.Data["FeeYear"] = strconv.Itoa(inv.FeeYear)
	n.Data["IssueDate"] = inv.IssueDate.String()
	n.Data["DueDate"] = inv.DueDate.String()
	n.Data["Total"] = inv.Total().Raw()
	n.Data["PaymentReference"] = inv.PaymentReference
	n.Data["IBAN"] = fees.FormatIBAN(inv.Seller.IBAN)
	n.Data["BIC"] = inv.Seller.BIC
	n.Data["Beneficiary"] = inv.Seller.Beneficiary()
	return n
}

// InvoiceIssuedMail is the email that sends an archived invoice, its PDF
// and e-invoice attached.
func InvoiceIssuedMail(c City, inv fees.Invoice, pdfKey, xmlKey string, now time.Time) notify.Notification {
	n := invoiceMail(c, inv, "invoice-issued", "invoice-"+inv.ID, nil, now)
	n.Attachments = []notify.Attachment{{Name: inv.Number + ".pdf", Key: pdfKey}, {Name: inv.Number + ".xml", Key: xmlKey}}
	return n
}

// CreditNoteMail is the email that sends an archived credit note.
func CreditNoteMail(c City, inv fees.Invoice, cn fees.CreditNote, pdfKey, xmlKey string, now time.Time) notify.Notification {
	n := invoiceMail(c, inv, "credit-note-issued", "credit-note-"+cn.ID, map[string]string{
		"CreditNoteNumber": cn.Number, "Credited": cn.Total().Raw(), "Reason": cn.Reason,
	}, now)
	n.Attachments = []notify.Attachment{{Name: cn.Number + ".pdf", Key: pdfKey}, {Name: cn.Number + ".xml", Key: xmlKey}}
	return n
}

// FeeReminder works out the reminder an open invoice is due today, if any:
// at most one email per invoice and stage (its id derives from both), the
// final notice copied to the secretariat; the flagged stage emails no one
// and asks the secretariat to follow up.
func FeeReminder(a InvoiceAccount, r Rules, today fees.Date, now time.Time) (fees.Stage, []notify.Notification) {
	// Everything the reminder says is on the invoice: no need to read the
	// city's file for each of thousands of invoices.
	c := City{ID: a.Invoice.CityID, Name: a.Invoice.Buyer.LegalName}
	b := a.Balance(today)
	stage := r.Reminders.StageDue(a.Invoice, b, today)
	if stage == fees.StageNone || stage == fees.StageFlagged {
		return stage, nil
	}
	data := map[string]string{"Outstanding": b.Outstanding.Raw(), "Paid": b.Paid.Raw(),
		"DaysOverdue": strconv.Itoa(max(0, a.Invoice.DueDate.DaysUntil(today)))}
	n := invoiceMail(c, a.Invoice, "fee-"+string(stage), fees.ReminderID(a.Invoice.ID, stage), data, now)
	mails := []notify.Notification{n}
	if stage.CopiesSecretariat() {
		mails = append(mails, secretariatCopy(n, n.ID+"-secretariat", r))
	}
	return stage, mails
}
