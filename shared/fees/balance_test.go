package fees

import (
	"slices"
	"testing"
)

func pay(id, invoiceID string, cents int64, on string) Payment {
	return Payment{ID: id, InvoiceID: invoiceID, Amount: Euros(cents), ReceivedOn: date(on), Source: PaymentSource{Kind: SourceManual}}
}

func credit(t *testing.T, inv Invoice, prior []CreditNote, cents int64) CreditNote {
	t.Helper()
	cn, err := CreditInvoice(inv, prior, CreditNoteRequest{ID: "cn", Seq: len(prior) + 1, IssueDate: inv.IssueDate, Amount: Euros(cents), Reason: "correction"})
	if err != nil {
		t.Fatal(err)
	}
	return cn
}

func TestBalanceOf(t *testing.T) {
	inv := issue(t, "inv-1", 1, "2027-01-04") // due 2027-02-03
	half := credit(t, inv, nil, 250000)
	whole := credit(t, inv, nil, 500000)
	tests := []struct {
		name        string
		payments    []Payment
		credits     []CreditNote
		today       string
		paid        int64
		credited    int64
		outstanding int64
		overpaid    int64
		status      Status
	}{
		{"nothing yet", nil, nil, "2027-01-10", 0, 0, 500000, 0, StatusOpen},
		{"due today is not overdue", nil, nil, "2027-02-03", 0, 0, 500000, 0, StatusOpen},
		{"the day after", nil, nil, "2027-02-04", 0, 0, 500000, 0, StatusOverdue},
		{"partly paid", []Payment{pay("p1", "inv-1", 200000, "2027-01-20")}, nil, "2027-01-25", 200000, 0, 300000, 0, StatusOpen},
		{"partly paid, overdue", []Payment{pay("p1", "inv-1", 200000, "2027-01-20")}, nil, "2027-03-01", 200000, 0, 300000, 0, StatusOverdue},
		{"paid in two parts", []Payment{pay("p1", "inv-1", 200000, "2027-01-20"), pay("p2", "inv-1", 300000, "2027-02-20")}, nil, "2027-03-01", 500000, 0, 0, 0, StatusPaid},
		{"overpaid", []Payment{pay("p1", "inv-1", 500000, "2027-01-20"), pay("p2", "inv-1", 500000, "2027-01-21")}, nil, "2027-01-25", 1000000, 0, 0, 500000, StatusPaid},
		{"another invoice's payment is not counted", []Payment{pay("p1", "inv-2", 500000, "2027-01-20")}, nil, "2027-01-25", 0, 0, 500000, 0, StatusOpen},
		{"half credited, half paid", []Payment{pay("p1", "inv-1", 250000, "2027-01-20")}, []CreditNote{half}, "2027-03-01", 250000, 250000, 0, 0, StatusPaid},
		{"half credited, overdue for the rest", nil, []CreditNote{half}, "2027-03-01", 0, 250000, 250000, 0, StatusOverdue},
		{"fully credited", nil, []CreditNote{whole}, "2027-03-01", 0, 500000, 0, 0, StatusCredited},
		{"credited after being paid: refund due", []Payment{pay("p1", "inv-1", 500000, "2027-01-20")}, []CreditNote{whole}, "2027-03-01", 500000, 500000, 0, 500000, StatusCredited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := BalanceOf(inv, tt.payments, tt.credits, date(tt.today))
			if b.Invoiced != Euros(500000) || b.Paid != Euros(tt.paid) || b.Credited != Euros(tt.credited) ||
				b.Outstanding != Euros(tt.outstanding) || b.Overpaid != Euros(tt.overpaid) || b.Status != tt.status {
				t.Errorf("balance = %+v; want paid %d credited %d outstanding %d overpaid %d %s",
					b, tt.paid, tt.credited, tt.outstanding, tt.overpaid, tt.status)
			}
		})
	}
}

func TestCreditedWithVATRoundingLeavesNoCentOpen(t *testing.T) {
	s := testSettings()
	s.Seller.VATID = "FR00123456789"
	s.VAT = VATRule{Category: VATStandard, RateBasisPoints: 550}
	inv, err := s.IssueInvoice(InvoiceRequest{ID: "inv-1", Seq: 1, CityID: "c", Buyer: testBuyer(), Language: "en",
		Charge: Charge{Year: 2027, Amount: Euros(100001), Months: 12, From: date("2027-01-01"), To: date("2027-12-31")}, IssueDate: date("2027-01-04")})
	if err != nil {
		t.Fatal(err)
	}
	// 1000.01 € at 5.5 %: 55.00055 → 55.00; credited as 500.00 + 500.01:
	// 27.50 + 27.50055 → 27.50 + 27.50 = 55.00.
	a := credit(t, inv, nil, 50000)
	b := credit(t, inv, []CreditNote{a}, 50001)
	bal := BalanceOf(inv, nil, []CreditNote{a, b}, date("2027-03-01"))
	if bal.Status != StatusCredited || bal.Outstanding.Amount != 0 || bal.Overpaid.Amount != 0 {
		t.Errorf("balance = %+v", bal)
	}
}

func TestPaymentValidate(t *testing.T) {
	inv := issue(t, "inv-1", 1, "2027-01-04")
	today := date("2027-02-10")
	ok := Payment{ID: "p1", InvoiceID: "inv-1", Amount: Euros(500000), ReceivedOn: date("2027-02-10"),
		Reference: "RF07ICC20270001", Source: PaymentSource{Kind: SourceBankStatement, StatementID: "STMT-1", EntryRef: "E1"}}
	tests := []struct {
		name   string
		change func(*Payment)
		want   []string
	}{
		{"valid, from a statement", func(*Payment) {}, nil},
		{"valid, manual", func(p *Payment) { p.Source = PaymentSource{Kind: SourceManual} }, nil},
		{"zero", func(p *Payment) { p.Amount.Amount = 0 }, []string{"/amount/amount"}},
		{"negative", func(p *Payment) { p.Amount.Amount = -5 }, []string{"/amount/amount"}},
		{"too large", func(p *Payment) { p.Amount.Amount = MaxAmount + 1 }, []string{"/amount/amount"}},
		{"other currency", func(p *Payment) { p.Amount.Currency = "CHF" }, []string{"/amount/currency"}},
		{"tomorrow", func(p *Payment) { p.ReceivedOn = date("2027-02-11") }, []string{"/receivedOn"}},
		{"no date", func(p *Payment) { p.ReceivedOn = Date{} }, []string{"/receivedOn"}},
		{"another invoice", func(p *Payment) { p.InvoiceID = "inv-2" }, []string{"/invoiceId"}},
		{"no id", func(p *Payment) { p.ID = "" }, []string{"/id"}},
		{"statement without entry", func(p *Payment) { p.Source.EntryRef = "" }, []string{"/source/entryRef"}},
		{"manual with a statement", func(p *Payment) { p.Source.Kind = SourceManual }, []string{"/source"}},
		{"unknown source", func(p *Payment) { p.Source.Kind = "cash" }, []string{"/source/kind"}},
		{"control characters in reference", func(p *Payment) { p.Reference = "RF07\x00" }, []string{"/reference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.change(&p)
			got := pointers(p.Validate(inv, today))
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}
