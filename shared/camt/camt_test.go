package camt

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

func parseFile(t *testing.T, name string) Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

func TestParseVersion02(t *testing.T) {
	doc := parseFile(t, "v02-matched-by-reference.xml")
	if doc.Version != "camt.053.001.02" || doc.MessageID != "MSG-20270205-001" || len(doc.Statements) != 1 {
		t.Fatalf("document = %+v", doc)
	}
	s := doc.Statements[0]
	if s.ID != "STMT-2027-036" || s.IBAN != "FR7630006000011234567890189" || s.Currency != "EUR" || len(s.Entries) != 2 {
		t.Fatalf("statement = %+v", s)
	}
	e := s.Entries[0]
	if !e.Credit || !e.Booked() || e.Amount != fees.Euros(500000) || e.BookingDate.String() != "2027-02-05" ||
		e.Ref != "1" || e.ServicerRef != "20270205-0000871" || len(e.Transactions) != 1 {
		t.Errorf("entry = %+v", e)
	}
	tx := e.Transactions[0]
	if tx.DebtorName != "VILLE DE BESANCON" || !slices.Equal(tx.CreditorRefs, []string{"RF07ICC20270001"}) ||
		tx.EndToEndID != "BESANCON-2027-ICC" || tx.DebtorIBAN != "FR1420041010050500013M02606" {
		t.Errorf("transaction = %+v", tx)
	}
	if d := s.Entries[1]; d.Credit || d.Amount != fees.Euros(1250) {
		t.Errorf("debit entry = %+v", d)
	}
	credits := doc.Credits()
	if len(credits) != 1 {
		t.Fatalf("credits = %+v, want the one booked credit (not the debit)", credits)
	}
	c := credits[0]
	if c.Key != "camt:FR7630006000011234567890189:svcr:20270205-0000871" || c.StatementID != "STMT-2027-036" ||
		c.EntryRef != "20270205-0000871" || c.Amount != fees.Euros(500000) {
		t.Errorf("credit = %+v", c)
	}
}

func TestParseVersion08(t *testing.T) {
	doc := parseFile(t, "v08-number-in-text.xml")
	if doc.Version != "camt.053.001.08" {
		t.Fatalf("version = %s", doc.Version)
	}
	s := doc.Statements[0]
	if len(s.Entries) != 2 {
		t.Fatalf("entries = %d", len(s.Entries))
	}
	e := s.Entries[0]
	tx := e.Transactions[0]
	if e.Status != "BOOK" || e.BookingDate.String() != "2027-02-08" || tx.DebtorName != "Stadt Erlangen Stadtkämmerei" ||
		tx.Unstructured != "Mitgliedsbeitrag Intercultural Cities Rechnung ICC-2027-0002" || tx.EndToEndID != "" {
		t.Errorf("entry = %+v, transaction = %+v", e, tx)
	}
	if p := s.Entries[1]; p.Status != "PDNG" || p.Booked() || !p.BookingDate.IsZero() {
		t.Errorf("pending entry = %+v", p)
	}
	if credits := doc.Credits(); len(credits) != 1 {
		t.Errorf("credits = %+v, want only the booked one", credits)
	}
}

func TestBatchEntryGivesOneCreditPerTransaction(t *testing.T) {
	doc := parseFile(t, "v08-partly-paid.xml")
	credits := doc.Credits()
	if len(credits) != 2 {
		t.Fatalf("credits = %+v", credits)
	}
	want := []struct {
		key    string
		amount int64
	}{
		{"camt:FR7630006000011234567890189:stmt:STMT-2027-040:ntry:7/1", 200000},
		{"camt:FR7630006000011234567890189:stmt:STMT-2027-040:ntry:7/2", 75000},
	}
	for i, w := range want {
		if credits[i].Key != w.key || credits[i].Amount != fees.Euros(w.amount) {
			t.Errorf("credit %d = %s %s, want %s %d", i, credits[i].Key, credits[i].Amount, w.key, w.amount)
		}
	}
	if doc.Statements[0].Currency != "EUR" {
		t.Errorf("currency taken from the entries = %q", doc.Statements[0].Currency)
	}
}

func TestIdempotencyKeys(t *testing.T) {
	daily := parseFile(t, "v02-matched-by-reference.xml").Credits()
	again := parseFile(t, "v02-matched-by-reference.xml").Credits()
	monthly := parseFile(t, "v08-duplicate.xml").Credits()
	if daily[0].Key != again[0].Key {
		t.Error("the same statement imported twice gives other keys")
	}
	if daily[0].Key != monthly[0].Key {
		t.Errorf("the same entry in the monthly statement has another key: %s vs %s", daily[0].Key, monthly[0].Key)
	}
	// Two identical transfers without any reference stay two credits, and
	// keep their keys when the statement is read again.
	u1 := parseFile(t, "v02-unmatched.xml").Credits()
	u2 := parseFile(t, "v02-unmatched.xml").Credits()
	if len(u1) != 2 || u1[0].Key == u1[1].Key {
		t.Fatalf("identical unreferenced credits: %+v", u1)
	}
	if u1[0].Key != u2[0].Key || u1[1].Key != u2[1].Key || !strings.Contains(u1[0].Key, ":sha256:") {
		t.Errorf("content keys are not stable: %s %s", u1[0].Key, u2[0].Key)
	}
	// A credit recorded once is recognised in every later import.
	recorded := map[string]bool{}
	var recordedNow int
	for _, batch := range [][]Credit{daily, again, monthly, u1, u2} {
		for _, c := range batch {
			if !recorded[c.Key] {
				recorded[c.Key] = true
				recordedNow++
			}
		}
	}
	if recordedNow != 3 {
		t.Errorf("%d credits recorded across the imports, want 3", recordedNow)
	}
}

func TestMalformedStatementsNameTheElement(t *testing.T) {
	tests := []struct {
		file     string
		pointers []string
	}{
		{"truncated.xml", []string{"/Document"}},
		{"missing-amount.xml", []string{"/Document/BkToCstmrStmt/Stmt/0/Ntry/0/Amt"}},
		{"three-decimals.xml", []string{"/Document/BkToCstmrStmt/Stmt/0/Ntry/0/Amt"}},
		{"other-message.xml", []string{"/Document"}},
		{"doctype.xml", []string{"/"}},
		{"no-iban-bad-indicator.xml", []string{
			"/Document/BkToCstmrStmt/Stmt/0/Id",
			"/Document/BkToCstmrStmt/Stmt/0/Acct/Id/IBAN",
			"/Document/BkToCstmrStmt/Stmt/0/Ntry/0/Amt/@Ccy",
			"/Document/BkToCstmrStmt/Stmt/0/Ntry/0/CdtDbtInd",
			"/Document/BkToCstmrStmt/Stmt/0/Ntry/0/BookgDt",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "malformed", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(bytes.NewReader(b))
			f := failure.As(err)
			if f == nil || f.Kind != failure.Invalid {
				t.Fatalf("Parse = %v, want field errors", err)
			}
			var got []string
			for _, e := range f.Fields {
				got = append(got, e.Pointer)
			}
			if !slices.Equal(got, tt.pointers) {
				t.Errorf("pointers = %v, want %v (%+v)", got, tt.pointers, f.Fields)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	const head = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt><Id>S</Id>` +
		`<Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>`
	entry := func(amt, extra string) string {
		return head + `<Ntry><Amt Ccy="EUR">` + amt + `</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>` +
			`<BookgDt><Dt>2027-02-05</Dt></BookgDt>` + extra + `</Ntry></Stmt></BkToCstmrStmt></Document>`
	}
	tests := []struct {
		name, xml string
	}{
		{"negative amount", entry("-5.00", "")},
		{"zero amount", entry("0.00", "")},
		{"exponent", entry("5E3", "")},
		{"comma", entry("5000,00", "")},
		{"impossible booking date", strings.Replace(entry("1.00", ""), "2027-02-05", "2027-02-30", 1)},
		{"batch not adding up", entry("10.00", `<NtryDtls><TxDtls><Amt Ccy="EUR">4.00</Amt></TxDtls><TxDtls><Amt Ccy="EUR">5.00</Amt></TxDtls></NtryDtls>`)},
		{"batch without amounts", entry("10.00", `<NtryDtls><TxDtls></TxDtls><TxDtls></TxDtls></NtryDtls>`)},
		{"invalid IBAN", strings.Replace(entry("1.00", ""), "FR763", "FR764", 1)},
		{"another encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>` + entry("1.00", "")},
		{"two roots", entry("1.00", "") + "<Document/>"},
		{"text after the root", entry("1.00", "") + "junk"},
		{"not XML", "%PDF-1.4"},
		{"empty", ""},
		{"no statement", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt></BkToCstmrStmt></Document>`},
		{"no message", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"></Document>`},
		{"future version", strings.Replace(entry("1.00", ""), "001.08", "001.99", 1)},
		{"entry reference repeated", strings.Replace(entry("1.00", "<NtryRef>A</NtryRef>"), "</Ntry>", "</Ntry><Ntry><NtryRef>A</NtryRef><Amt Ccy=\"EUR\">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>INFO</Cd></Sts></Ntry>", 1)},
		{"bank reference repeated", strings.Replace(entry("1.00", "<AcctSvcrRef>B</AcctSvcrRef>"), "</Ntry>", "</Ntry><Ntry><Amt Ccy=\"EUR\">2.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>INFO</Cd></Sts><AcctSvcrRef>B</AcctSvcrRef></Ntry>", 1)},
	}
	for _, tt := range tests {
		if _, err := Parse(strings.NewReader(tt.xml)); err == nil {
			t.Errorf("%s: accepted", tt.name)
		} else if f := failure.As(err); f == nil || len(f.Fields) == 0 {
			t.Errorf("%s: %v has no field errors", tt.name, err)
		}
	}
	if _, err := Parse(strings.NewReader(entry("1.00", ""))); err != nil {
		t.Errorf("the well-formed base is refused: %v", err)
	}
}

func TestParseRefusesOversizedInput(t *testing.T) {
	big := strings.Repeat(" ", MaxSize+1)
	_, err := Parse(strings.NewReader(big))
	if failure.KindOf(err) != failure.TooLarge {
		t.Errorf("Parse of %d bytes = %v, want TooLarge", len(big), err)
	}
}

// TestStatementsMatchOpenInvoices runs the samples through the fee
// matcher, as the import does.
func TestStatementsMatchOpenInvoices(t *testing.T) {
	settings := fees.Settings{
		Seller: fees.Seller{Name: "Council of Europe", Address: fees.Address{Street: "Avenue de l'Europe", City: "Strasbourg", PostalCode: "67075", Country: "FR"},
			IBAN: "FR7630006000011234567890189", BIC: "TESTFRPPXXX", TaxRegistrationID: "T", Email: "icc@coe.example"},
		VAT: fees.VATRule{Category: fees.VATExempt, Reasons: map[i18n.Lang]string{i18n.English: "Exempt"}},
	}
	var open []fees.OpenInvoice
	for i, name := range []string{"Ville de Besançon", "Stadt Erlangen", "Comune di Reggio Emilia", "City of Ballarat"} {
		charge, err := fees.ChargeFor(fees.Term{From: fees.NewDate(2026, 1, 1)}, 2027, fees.Euros(500000), fees.Full)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := settings.IssueInvoice(fees.InvoiceRequest{ID: "inv-" + string(rune('1'+i)), Seq: i + 1, CityID: "c",
			Buyer:    fees.Buyer{LegalName: name, Address: fees.Address{Street: "1 Main", City: "X", PostalCode: "1", Country: "FR"}, Email: "f@x.example"},
			Language: i18n.English, Charge: charge, IssueDate: fees.NewDate(2027, 1, 4)})
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, fees.OpenInvoice{Invoice: inv, Outstanding: inv.Total()})
	}
	tests := []struct {
		file    string
		kinds   []fees.MatchKind
		invoice []string
	}{
		{"v02-matched-by-reference.xml", []fees.MatchKind{fees.MatchReference}, []string{"inv-1"}},
		{"v08-number-in-text.xml", []fees.MatchKind{fees.MatchNumber}, []string{"inv-2"}},
		{"v08-partly-paid.xml", []fees.MatchKind{fees.MatchReference, fees.MatchNone}, []string{"inv-3", ""}},
		{"v02-unmatched.xml", []fees.MatchKind{fees.MatchNone, fees.MatchNone}, []string{"", ""}},
	}
	for _, tt := range tests {
		credits := parseFile(t, tt.file).Credits()
		if len(credits) != len(tt.kinds) {
			t.Fatalf("%s: %d credits", tt.file, len(credits))
		}
		for i, c := range credits {
			m := fees.MatchCredit(c.Match(), open)
			if m.Kind != tt.kinds[i] || m.InvoiceID != tt.invoice[i] {
				t.Errorf("%s credit %d: %+v, want %s %q", tt.file, i, m, tt.kinds[i], tt.invoice[i])
			}
		}
	}
	// The partial payment leaves the rest open.
	c := parseFile(t, "v08-partly-paid.xml").Credits()[0]
	p := fees.Payment{ID: "p", InvoiceID: "inv-3", Amount: c.Amount, ReceivedOn: c.BookingDate,
		Source: fees.PaymentSource{Kind: fees.SourceBankStatement, StatementID: c.StatementID, EntryRef: c.EntryRef}}
	if err := p.Validate(open[2].Invoice, fees.NewDate(2027, 2, 10)); err != nil {
		t.Fatal(err)
	}
	b := fees.BalanceOf(open[2].Invoice, []fees.Payment{p}, nil, fees.NewDate(2027, 2, 10))
	if b.Status != fees.StatusOverdue || b.Outstanding != fees.Euros(300000) { // due on 3 February
		t.Errorf("balance after the partial payment = %+v", b)
	}
}

func TestRepeatedReferencesAreRefused(t *testing.T) {
	doc := `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S</Id>` +
		`<Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>` +
		`<Ntry><NtryRef>A</NtryRef><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2027-02-05</Dt></BookgDt><AcctSvcrRef>B</AcctSvcrRef></Ntry>` +
		`<Ntry><NtryRef>A</NtryRef><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2027-02-05</Dt></BookgDt><AcctSvcrRef>B</AcctSvcrRef></Ntry>` +
		`</Stmt></BkToCstmrStmt></Document>`
	_, err := Parse(strings.NewReader(doc))
	var got []string
	if f := failure.As(err); f != nil {
		for _, e := range f.Fields {
			got = append(got, e.Pointer)
		}
	}
	want := []string{"/Document/BkToCstmrStmt/Stmt/0/Ntry/1/AcctSvcrRef", "/Document/BkToCstmrStmt/Stmt/0/Ntry/1/NtryRef"}
	if !slices.Equal(got, want) {
		t.Errorf("pointers = %v, want %v (%v)", got, want, err)
	}
}
