package membership

import (
	"slices"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/invoicedoc"
)

// pointers lists the fields a failure names.
func pointers(err error) []string {
	var ps []string
	if f := failure.As(err); f != nil {
		for _, e := range f.Fields {
			ps = append(ps, e.Pointer)
		}
	}
	return ps
}

// creditedBy is the sample invoice's account after credit notes of these
// net amounts.
func creditedBy(t *testing.T, cents ...int64) InvoiceAccount {
	t.Helper()
	a := InvoiceAccount{Invoice: invoicedoc.SampleInvoice(), Paid: fees.Euros(0), Credited: fees.Euros(0), Version: 1}
	for i, c := range cents {
		cn, err := fees.CreditInvoice(a.Invoice, a.Credits, fees.CreditNoteRequest{ID: "earlier-" + string(rune('a'+i)),
			Seq: i + 1, IssueDate: a.Invoice.IssueDate, Amount: fees.Euros(c), Reason: "earlier"})
		if err != nil {
			t.Fatal(err)
		}
		a.Credits = append(a.Credits, cn)
		a.Credited = a.Credited.Add(cn.Total())
	}
	a.CreditedInFull = fees.Creditable(a.Invoice, a.Credits).Amount <= 0
	return a
}

// A credit note's errors name the field the client sent (the amount in
// cents is at /amount, not at the fee's /amount/amount); an invoice with
// nothing left to credit is a conflict, whether or not an amount was
// sent, as a payment to it is.
func TestIssueCreditNote(t *testing.T) {
	now := time.Date(2027, 1, 20, 10, 0, 0, 0, fees.Paris) // the invoice is due on 3 February
	c := City{ID: invoicedoc.SampleInvoice().CityID, Status: StatusMember}
	cents := func(n int64) *int64 { return &n }
	for _, tt := range []struct {
		name     string
		account  InvoiceAccount
		in       CreditNoteInput
		kind     failure.Kind
		pointers []string
		credited int64 // net, when issued
		status   fees.Status
	}{
		{name: "part of the fee", account: creditedBy(t), in: CreditNoteInput{Amount: cents(100000), Reason: "Reduced."},
			credited: 100000, status: fees.StatusOpen},
		{name: "all that remains, without amount", account: creditedBy(t, 100000), in: CreditNoteInput{Reason: "Cancelled."},
			credited: 400000, status: fees.StatusCredited},
		{name: "exactly what remains", account: creditedBy(t, 100000), in: CreditNoteInput{Amount: cents(400000), Reason: "Cancelled."},
			credited: 400000, status: fees.StatusCredited},
		{name: "zero", account: creditedBy(t), in: CreditNoteInput{Amount: cents(0), Reason: "r"},
			kind: failure.Invalid, pointers: []string{"/amount"}},
		{name: "a negative amount", account: creditedBy(t), in: CreditNoteInput{Amount: cents(-100), Reason: "r"},
			kind: failure.Invalid, pointers: []string{"/amount"}},
		{name: "more than the invoice", account: creditedBy(t), in: CreditNoteInput{Amount: cents(500001), Reason: "r"},
			kind: failure.Invalid, pointers: []string{"/amount"}},
		{name: "more than remains creditable", account: creditedBy(t, 100000), in: CreditNoteInput{Amount: cents(400001), Reason: "r"},
			kind: failure.Invalid, pointers: []string{"/amount"}},
		{name: "more than ten million euros", account: creditedBy(t), in: CreditNoteInput{Amount: cents(fees.MaxAmount + 1), Reason: "r"},
			kind: failure.Invalid, pointers: []string{"/amount"}},
		{name: "zero and no reason, at once", account: creditedBy(t), in: CreditNoteInput{Amount: cents(0)},
			kind: failure.Invalid, pointers: []string{"/amount", "/reason"}},
		{name: "no reason on an invoice credited in full", account: creditedBy(t, 500000), in: CreditNoteInput{},
			kind: failure.Invalid, pointers: []string{"/reason"}},
		{name: "zero on an invoice credited in full", account: creditedBy(t, 500000), in: CreditNoteInput{Amount: cents(0), Reason: "r"},
			kind: failure.Invalid, pointers: []string{"/amount"}},
		{name: "the whole of an invoice credited in full", account: creditedBy(t, 500000), in: CreditNoteInput{Reason: "Cancelled."},
			kind: failure.Conflict},
		{name: "the whole of an invoice credited in full by two notes", account: creditedBy(t, 100000, 400000), in: CreditNoteInput{Reason: "Cancelled."},
			kind: failure.Conflict},
		{name: "an amount on an invoice credited in full", account: creditedBy(t, 500000), in: CreditNoteInput{Amount: cents(100), Reason: "r"},
			kind: failure.Conflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := c.IssueCreditNote(tt.account, tt.in, 7, now, "secretariat", func() string { return "credit-note" })
			if tt.pointers == nil && tt.kind == failure.Internal {
				if err != nil {
					t.Fatal(err)
				}
				rec := ch.Records[0].(CreditNoteIssued)
				if rec.CreditNote.Line.Amount != fees.Euros(tt.credited) || rec.CreditNote.Number != "ICC-CN-2027-0007" ||
					rec.Balance.Status != tt.status {
					t.Errorf("credit note %s of %v, invoice %s", rec.CreditNote.Number, rec.CreditNote.Line.Amount, rec.Balance.Status)
				}
				return
			}
			if failure.KindOf(err) != tt.kind || !slices.Equal(pointers(err), tt.pointers) {
				t.Errorf("%v (kind %d) at %v, want kind %d at %v", err, failure.KindOf(err), pointers(err), tt.kind, tt.pointers)
			}
		})
	}
}

// A payment's amount errors name /amount too: the same rule as a credit
// note's.
func TestRecordPaymentAmountErrorsNameTheFieldSent(t *testing.T) {
	now := time.Date(2027, 1, 20, 10, 0, 0, 0, fees.Paris)
	a := creditedBy(t)
	c := City{ID: a.Invoice.CityID, Status: StatusMember}
	for _, cents := range []int64{0, -5000, fees.MaxAmount + 1} {
		in := PaymentInput{Amount: &cents, ReceivedOn: "2027-01-19"}
		_, err := c.RecordPayment(a, in, fees.PaymentSource{Kind: fees.SourceManual}, "", now, "secretariat", func() string { return "p" })
		if failure.KindOf(err) != failure.Invalid || !slices.Equal(pointers(err), []string{"/amount"}) {
			t.Errorf("a payment of %d cents: %v at %v", cents, err, pointers(err))
		}
	}
}

// An annual run's input names what is wrong at the field that is.
func TestRunYear(t *testing.T) {
	for _, tt := range []struct {
		input   string
		year    int
		pointer string
	}{
		{"", 0, ""},
		{" \n", 0, ""},
		{`{"year":2027}`, 2027, ""},
		{`{"schedule":"annual-invoices"}`, 0, ""},
		{`{"year":null}`, 0, ""},
		{`{"year":1999}`, 0, "/year"},
		{`{"year":"2027"}`, 0, "/year"},
		{`{"year":2027.5}`, 0, "/year"},
		{`{"year":2027,"foo":1}`, 0, "/foo"},
		{`{"foo":1,"year":2027}`, 0, "/foo"},
		{`{"year":2027,"a/b~c":1}`, 0, "/a~1b~0c"},
		{`{"schedule":5}`, 0, "/schedule"},
		{`[2027]`, 0, "/"},
		{`2027`, 0, "/"},
		{`{"year":`, 0, "/"},
	} {
		year, err := RunYear([]byte(tt.input))
		switch {
		case tt.pointer == "" && (err != nil || year != tt.year):
			t.Errorf("RunYear(%s) = %d, %v; want %d", tt.input, year, err, tt.year)
		case tt.pointer != "" && (failure.KindOf(err) != failure.Invalid || !slices.Equal(pointers(err), []string{tt.pointer})):
			t.Errorf("RunYear(%s): %v at %v, want an error at %s", tt.input, err, pointers(err), tt.pointer)
		}
	}
}
