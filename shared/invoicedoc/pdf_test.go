package invoicedoc

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// asPrinted is how a value formatted by shared/i18n reads in the PDF: the
// narrow no-break space French groups thousands with is printed as a
// no-break space (the embedded font has no U+202F).
func asPrinted(s string) string { return strings.ReplaceAll(s, "\u202f", "\u00a0") }

func cyrillicInvoice() fees.Invoice {
	b := fees.Buyer{
		LegalName: "Мелітопольська міська рада",
		Address:   fees.Address{Street: "проспект Богдана Хмельницького, 64", City: "Мелітополь", PostalCode: "72312", Country: "UA"},
		Reference: "ICC-UA-7",
		Email:     "finance@melitopol.example",
	}
	charge, err := fees.ChargeFor(fees.Term{From: fees.NewDate(2026, 5, 4)}, 2028, fees.Euros(500000), fees.Monthly)
	if err != nil {
		panic(err)
	}
	inv, err := SampleSettings().IssueInvoice(fees.InvoiceRequest{ID: "inv-ua", Seq: 12345, CityID: "ua", Buyer: b,
		Language: i18n.English, Charge: charge, IssueDate: fees.NewDate(2028, 2, 29)})
	if err != nil {
		panic(err)
	}
	return inv
}

func TestInvoicePDFTextIsExtractable(t *testing.T) {
	tests := []struct {
		name string
		inv  fees.Invoice
		want []string
	}{
		{"French", SampleInvoice(), []string{
			"FACTURE", "Ville de Besançon", "2 rue Mégevand", "ICC-2027-0001",
			asPrinted(i18n.French.Money(500000, "EUR")), "5\u00a0000,00\u00a0€",
			"4 janvier 2027", "3 février 2027", "FR76 3000 6000 0112 3456 7890 189", "RF07 ICC2 0270 001",
			"Exonération de TVA", "DIR-CULTURE-ICC", "BC-2027-00418", "Total à payer", "Page 1/1",
		}},
		{"English, German public buyer, prorated", SampleInvoiceEN(), []string{
			"INVOICE", "Stadt Erlangen – Amt für Integration", "GERMANY", "ICC-2027-0002", "€2,500.00",
			"3 February 2027", "Leitweg-ID 04011000-1234512345-06", "6 of 12 months", "1 July 2027 – 31 December 2027",
		}},
		{"Cyrillic name, leap day, number past 9999", cyrillicInvoice(), []string{
			"Мелітопольська міська рада", "Мелітополь", "UKRAINE", "ICC-2028-12345", "29 February 2028", "30 March 2028",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := InvoicePDF(tt.inv)
			if err != nil {
				t.Fatal(err)
			}
			text, err := pdfText(b)
			if err != nil {
				t.Fatal(err)
			}
			// Wrapped text comes out a line per row; read it as one.
			text = strings.ReplaceAll(text, "\n", " ")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the PDF's text lacks %q; it reads:\n%s", w, text)
				}
			}
		})
	}
}

func TestCreditNotePDFTextIsExtractable(t *testing.T) {
	b, err := CreditNotePDF(SampleCreditNote())
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdfText(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"AVOIR", "ICC-CN-2027-0001", "ICC-2027-0001", "Ville de Besançon", "2\u00a0500,00\u00a0€",
		"15 février 2027", "Adhésion effective au 1er juillet 2027", "Aucun paiement n'est dû"} {
		if !strings.Contains(text, w) {
			t.Errorf("the credit note's text lacks %q; it reads:\n%s", w, text)
		}
	}
	if strings.Contains(text, "RF07") {
		t.Error("a credit note asks for no payment, yet shows a payment reference")
	}
}

func TestPDFIsDeterministicAndSmall(t *testing.T) {
	render := []struct {
		name string
		f    func() ([]byte, error)
	}{
		{"invoice FR", func() ([]byte, error) { return InvoicePDF(SampleInvoice()) }},
		{"invoice EN", func() ([]byte, error) { return InvoicePDF(SampleInvoiceEN()) }},
		{"credit note", func() ([]byte, error) { return CreditNotePDF(SampleCreditNote()) }},
	}
	var outputs [][]byte
	for _, r := range render {
		first, err := r.f()
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			again, err := r.f()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Fatalf("%s: two renderings differ", r.name)
			}
		}
		if len(first) > 100_000 {
			t.Errorf("%s: %d bytes, over 100 KB", r.name, len(first))
		}
		if !bytes.HasPrefix(first, []byte("%PDF-1.")) || !bytes.Contains(first, []byte("%%EOF")) {
			t.Errorf("%s: not a complete PDF", r.name)
		}
		outputs = append(outputs, first)
	}
	if bytes.Equal(outputs[0], outputs[1]) {
		t.Error("two different invoices render the same bytes")
	}
	// The creation date is the issue date, written in the info dictionary.
	if !bytes.Contains(outputs[0], []byte("/CreationDate (D:20270104000000)")) {
		t.Error("the PDF's creation date is not the issue date")
	}
}

func TestUnprintableTextIsRefusedBeforeIssue(t *testing.T) {
	inv := SampleInvoice()
	inv.Buyer.LegalName = "浜松市"
	inv.Line.Description = "Fee 😀"
	err := CheckInvoice(inv)
	f := failure.As(err)
	if f == nil || f.Kind != failure.Invalid {
		t.Fatalf("CheckInvoice = %v, want field errors", err)
	}
	var ptrs []string
	for _, e := range f.Fields {
		ptrs = append(ptrs, e.Pointer)
	}
	if !slices.Equal(ptrs, []string{"/buyer/legalName", "/line/description"}) || !strings.Contains(f.Fields[0].Detail, "浜") {
		t.Errorf("fields = %+v", f.Fields)
	}
	if _, err := InvoicePDF(inv); err == nil {
		t.Error("InvoicePDF rendered a name it cannot print")
	}
	if err := CheckInvoice(SampleInvoice()); err != nil {
		t.Errorf("the sample is refused: %v", err)
	}
	if err := CheckInvoice(cyrillicInvoice()); err != nil {
		t.Errorf("a Cyrillic name is refused: %v", err)
	}
}

func TestEveryLabelIsPrintable(t *testing.T) {
	for lang, l := range texts {
		for _, s := range []string{l.invoice, l.creditNote, l.number, l.issued, l.due, l.feeYear, l.buyerRef, l.order,
			l.routing, l.billTo, l.description, l.period, l.amount, l.net, l.vat, l.vatExempt, l.total, l.totalCredited,
			l.payment, l.payBy, l.beneficiary, l.iban, l.bic, l.yourRef, l.quoteRef, l.scan, l.page, l.credits, l.reason,
			l.noPayment, l.creditNoteFor, l.paymentTerms, i18n.Lang(lang).Money(123456789, "EUR"), i18n.Lang(lang).Date(fees.NewDate(2027, 8, 1).Time())} {
			if s == "" {
				t.Errorf("%s: a label is empty", lang)
			}
			if m := unprintable(s); len(m) > 0 {
				t.Errorf("%s: %q has unprintable %q", lang, s, string(m))
			}
		}
	}
}

func TestLongTextsWrap(t *testing.T) {
	inv := SampleInvoice()
	inv.Buyer.LegalName = strings.TrimSpace(strings.Repeat("Communauté d'agglomération du Grand Besançon Métropole ", 3))
	inv.Buyer.Address.AdditionalStreet = "Direction des finances, service de la comptabilité, bureau des recettes"
	inv.Buyer.Address.Region = "Bourgogne-Franche-Comté"
	inv.VAT.Reason = strings.TrimSpace(strings.Repeat("Exonération de TVA au titre des privilèges et immunités. ", 4))
	b, err := InvoicePDF(inv)
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdfText(b)
	if err != nil {
		t.Fatal(err)
	}
	text = strings.ReplaceAll(text, "\n", " ")
	for _, w := range []string{inv.Buyer.LegalName, inv.VAT.Reason, "Bourgogne-Franche-Comté", "Direction des finances", "RF07 ICC2 0270 001"} {
		if !strings.Contains(text, w) {
			t.Errorf("the wrapped text lacks %q", w)
		}
	}
}
