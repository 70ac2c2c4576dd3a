package fees

import (
	"slices"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/i18n"
)

func TestNumbers(t *testing.T) {
	tests := []struct {
		year, seq int
		invoice   string
		credit    string
	}{
		{2027, 1, "ICC-2027-0001", "ICC-CN-2027-0001"},
		{2027, 42, "ICC-2027-0042", "ICC-CN-2027-0042"},
		{2027, 9999, "ICC-2027-9999", "ICC-CN-2027-9999"},
		{2027, 10000, "ICC-2027-10000", "ICC-CN-2027-10000"},
	}
	for _, tt := range tests {
		if got := InvoiceNumber(tt.year, tt.seq); got != tt.invoice {
			t.Errorf("InvoiceNumber(%d, %d) = %q, want %q", tt.year, tt.seq, got, tt.invoice)
		}
		if got := CreditNoteNumber(tt.year, tt.seq); got != tt.credit {
			t.Errorf("CreditNoteNumber(%d, %d) = %q, want %q", tt.year, tt.seq, got, tt.credit)
		}
		y, q, ok := ParseInvoiceNumber(tt.invoice)
		if !ok || y != tt.year || q != tt.seq {
			t.Errorf("ParseInvoiceNumber(%q) = %d, %d, %v", tt.invoice, y, q, ok)
		}
	}
	for _, bad := range []string{"ICC-2027-001", "ICC-2027-00001", "ICC-CN-2027-0001", "ICC-27-0001", "ICC-2027-0000", "icc-2027-0001", "ICC-2027-0001 "} {
		if _, _, ok := ParseInvoiceNumber(bad); ok {
			t.Errorf("ParseInvoiceNumber(%q) accepted", bad)
		}
	}
}

func TestIssueInvoice(t *testing.T) {
	s := testSettings()
	buyer := testBuyer()
	charge, err := ChargeFor(Term{From: date("2027-06-30")}, 2027, Euros(500000), Monthly)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := s.IssueInvoice(InvoiceRequest{ID: "inv-1", Seq: 7, CityID: "city-1", Buyer: buyer,
		Language: i18n.French, Charge: charge, IssueDate: date("2027-07-02")})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"number", inv.Number, "ICC-2027-0007"},
		{"year", inv.Year, 2027},
		{"fee year", inv.FeeYear, 2027},
		{"due date: issue + 30 days", inv.DueDate.String(), "2027-08-01"},
		{"amount", inv.Line.Amount, Euros(291667)},
		{"months", inv.Line.Months, 7},
		{"period", inv.Line.PeriodStart.String() + ".." + inv.Line.PeriodEnd.String(), "2027-06-01..2027-12-31"},
		{"total, exempt", inv.Total(), Euros(291667)},
		{"VAT", inv.Totals().VAT, Euros(0)},
		{"currency", inv.Currency, "EUR"},
		{"VAT category", inv.VAT.Category, "E"},
		{"exemption in French", inv.VAT.Reason, "Exonération de TVA : contribution à une organisation internationale"},
		{"reference", inv.PaymentReference, "RF39ICC20270007"}, // computed independently,
		{"reference valid", ValidCreditorReference(inv.PaymentReference), true},
		{"French description", strings.HasPrefix(inv.Line.Description, "Contribution aux frais administratifs 2027"), true},
		{"prorated in the description", strings.HasSuffix(inv.Line.Description, "7 mois sur 12"), true},
		{"buyer copied", inv.Buyer, buyer},
		{"seller copied", inv.Seller.Name, "Council of Europe"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestIssuedInvoiceSharesNothingWithTheCity(t *testing.T) {
	s := testSettings()
	s.Seller.Endpoint = &Endpoint{Scheme: "0009", ID: "12345678900017"}
	buyer := testBuyer()
	buyer.Reference = ""
	buyer.Routing = &Endpoint{Scheme: SchemeLeitwegID, ID: "04011000-1234512345-06"}
	inv, err := s.IssueInvoice(InvoiceRequest{ID: "inv-1", Seq: 1, CityID: "city-1", Buyer: buyer,
		Language: i18n.English, Charge: fullYear(2027), IssueDate: date("2027-01-04")})
	if err != nil {
		t.Fatal(err)
	}
	buyer.Routing.ID = "991-33333TEST-33"
	s.Seller.Endpoint.ID = "changed"
	if inv.Buyer.Routing.ID != "04011000-1234512345-06" || inv.Seller.Endpoint.ID != "12345678900017" {
		t.Error("changing the city's record or the settings changed the issued invoice")
	}
	if inv.Buyer.Reference != "04011000-1234512345-06" {
		t.Errorf("a German public buyer's reference = %q, want its Leitweg-ID", inv.Buyer.Reference)
	}
	if !strings.HasPrefix(inv.Line.Description, "Administrative fee 2027") || strings.Contains(inv.Line.Description, "months") {
		t.Errorf("English description = %q", inv.Line.Description)
	}
}

func TestPaymentTermAndVATRate(t *testing.T) {
	s := testSettings()
	s.PaymentTermDays = 45
	s.Seller.VATID = "FR00123456789"
	s.VAT = VATRule{Category: VATStandard, RateBasisPoints: 2000}
	inv, err := s.IssueInvoice(InvoiceRequest{ID: "inv-1", Seq: 1, CityID: "c", Buyer: testBuyer(),
		Language: i18n.English, Charge: fullYear(2028), IssueDate: date("2028-01-31")})
	if err != nil {
		t.Fatal(err)
	}
	if inv.DueDate.String() != "2028-03-16" {
		t.Errorf("due = %s, want 2028-03-16 (45 days, leap year)", inv.DueDate)
	}
	tt := inv.Totals()
	if tt.Net != Euros(500000) || tt.VAT != Euros(100000) || tt.Gross != Euros(600000) || inv.VAT.Percent() != "20.00" {
		t.Errorf("totals = %+v, percent %s", tt, inv.VAT.Percent())
	}
}

func TestIssueInvoiceRefuses(t *testing.T) {
	ok := InvoiceRequest{ID: "inv-1", Seq: 1, CityID: "c", Buyer: testBuyer(), Language: i18n.English,
		Charge: fullYear(2027), IssueDate: date("2027-01-04")}
	tests := []struct {
		name   string
		change func(*InvoiceRequest)
		want   []string
	}{
		{"no id, no seq", func(r *InvoiceRequest) { r.ID, r.Seq = "", 0 }, []string{"/id", "/seq"}},
		{"bad buyer", func(r *InvoiceRequest) { r.Buyer.Address.Country = "XX" }, []string{"/buyer/address/country"}},
		{"German language", func(r *InvoiceRequest) { r.Language = "de" }, []string{"/language"}},
		{"dollars", func(r *InvoiceRequest) { r.Charge.Amount.Currency = "USD" }, []string{"/charge/amount/currency"}},
		{"nothing to charge", func(r *InvoiceRequest) { r.Charge.Amount.Amount = 0 }, []string{"/charge/amount/amount"}},
		{"a charge not from ChargeFor", func(r *InvoiceRequest) { r.Charge.Months = 0 }, []string{"/charge"}},
		{"no issue date", func(r *InvoiceRequest) { r.IssueDate = Date{} }, []string{"/issueDate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.change(&r)
			_, err := testSettings().IssueInvoice(r)
			if got := pointers(err); !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v (%v)", got, tt.want, err)
			}
		})
	}
	bad := testSettings()
	bad.Seller.IBAN = ""
	if _, err := bad.IssueInvoice(ok); !slices.Equal(pointers(err), []string{"/seller/iban"}) {
		t.Errorf("invalid settings: %v", err)
	}
}

func TestCreditInvoice(t *testing.T) {
	inv := issue(t, "inv-1", 3, "2027-01-04")
	first, err := CreditInvoice(inv, nil, CreditNoteRequest{ID: "cn-1", Seq: 1, IssueDate: date("2027-02-01"),
		Amount: Euros(200000), Reason: "Accord résilié au 31 mai"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Number != "ICC-CN-2027-0001" || first.InvoiceNumber != "ICC-2027-0003" || first.InvoiceID != "inv-1" ||
		first.InvoiceIssueDate != inv.IssueDate || first.Total() != Euros(200000) || first.Buyer != inv.Buyer || first.Language != i18n.French {
		t.Errorf("credit note = %+v", first)
	}
	if left := Creditable(inv, []CreditNote{first}); left != Euros(300000) {
		t.Errorf("creditable = %s", left)
	}
	tests := []struct {
		name string
		req  CreditNoteRequest
		want []string
	}{
		{"more than remains", CreditNoteRequest{ID: "cn-2", Seq: 2, IssueDate: date("2027-02-02"), Amount: Euros(300001), Reason: "x"}, []string{"/amount/amount"}},
		{"zero", CreditNoteRequest{ID: "cn-2", Seq: 2, IssueDate: date("2027-02-02"), Amount: Euros(0), Reason: "x"}, []string{"/amount/amount"}},
		{"other currency", CreditNoteRequest{ID: "cn-2", Seq: 2, IssueDate: date("2027-02-02"), Amount: Money{Amount: 1, Currency: "CHF"}, Reason: "x"}, []string{"/amount/currency"}},
		{"no reason, before the invoice", CreditNoteRequest{ID: "cn-2", Seq: 2, IssueDate: date("2027-01-03"), Amount: Euros(1)}, []string{"/issueDate", "/reason"}},
	}
	for _, tt := range tests {
		_, err := CreditInvoice(inv, []CreditNote{first}, tt.req)
		if got := pointers(err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: fields = %v, want %v", tt.name, got, tt.want)
		}
	}
	rest, err := CreditInvoice(inv, []CreditNote{first}, CreditNoteRequest{ID: "cn-2", Seq: 2, IssueDate: date("2027-02-02"), Amount: Euros(300000), Reason: "Annulation"})
	if err != nil {
		t.Fatalf("crediting exactly what remains: %v", err)
	}
	if left := Creditable(inv, []CreditNote{first, rest}); left.Amount != 0 {
		t.Errorf("creditable after the whole = %s", left)
	}
}
