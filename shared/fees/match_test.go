package fees

import (
	"slices"
	"testing"
)

func TestMatchCredit(t *testing.T) {
	mk := func(id string, seq int, name string, outstanding int64) OpenInvoice {
		inv := issue(t, id, seq, "2027-01-04")
		inv.Buyer.LegalName = name
		return OpenInvoice{Invoice: inv, Outstanding: Euros(outstanding)}
	}
	open := []OpenInvoice{
		mk("inv-1", 1, "Ville de Besançon", 500000),       // RF07ICC20270001
		mk("inv-2", 2, "Stadt Erlangen", 500000),          // ICC-2027-0002
		mk("inv-3", 3, "Comune di Reggio Emilia", 300000), // partly paid
		mk("inv-4", 4, "Ville de Besançon", 500000),       // a second open invoice of the same city
		mk("inv-5", 5, "Ayuntamiento de Bilbao", 0),       // settled: never a candidate
		mk("inv-6", 6, "City of Ballarat", 500000),
		mk("inv-7", 7, "Municipality of Ioannina", 500000),
	}
	eur := Euros
	tests := []struct {
		name       string
		credit     Credit
		kind       MatchKind
		invoice    string
		candidates []string
	}{
		{"structured reference", Credit{Amount: eur(500000), StructuredRef: "RF07ICC20270001"}, MatchReference, "inv-1", nil},
		{"structured reference, printed form", Credit{Amount: eur(100), StructuredRef: "rf07 icc2 0270 001"}, MatchReference, "inv-1", nil},
		{"reference wins over a number in the text", Credit{Amount: eur(500000), StructuredRef: "RF07ICC20270001", Unstructured: "ICC-2027-0002"}, MatchReference, "inv-1", nil},
		{"reference with a bad check digit falls through to the text", Credit{Amount: eur(500000), StructuredRef: "RF08ICC20270001", Unstructured: "facture ICC-2027-0002"}, MatchNumber, "inv-2", nil},
		{"reference of a settled invoice, nothing else", Credit{Amount: eur(500000), StructuredRef: mustRef("ICC-2027-0005")}, MatchNone, "", nil},
		{"reference in the free text", Credit{Amount: eur(500000), Unstructured: "Cotisation RF07 ICC2 0270 001 merci"}, MatchReferenceInText, "inv-1", nil},
		{"number in the free text", Credit{Amount: eur(500000), Unstructured: "Rechnung ICC-2027-0002 Mitgliedsbeitrag"}, MatchNumber, "inv-2", nil},
		{"number with other separators", Credit{Amount: eur(300000), Unstructured: "FATTURA ICC/2027/0003"}, MatchNumber, "inv-3", nil},
		{"number without padding", Credit{Amount: eur(300000), Unstructured: "icc 2027 3"}, MatchNumber, "inv-3", nil},
		{"number run together", Credit{Amount: eur(300000), Unstructured: "ICC20270003"}, MatchNumber, "inv-3", nil},
		{"number in the structured field", Credit{Amount: eur(300000), StructuredRef: "ICC-2027-0003"}, MatchNumber, "inv-3", nil},
		{"a credit note's number is no invoice number", Credit{Amount: eur(500000), Unstructured: "ICC-CN-2027-0002"}, MatchNone, "", nil},
		{"two numbers: never guess", Credit{Amount: eur(1000000), Unstructured: "ICC-2027-0001 + ICC-2027-0002"}, MatchAmbiguous, "", []string{"inv-1", "inv-2"}},
		{"number of a settled invoice and of an open one", Credit{Amount: eur(500000), Unstructured: "ICC-2027-0005 ICC-2027-0006"}, MatchNumber, "inv-6", nil},
		{"amount and name", Credit{Amount: eur(500000), Unstructured: "membership fee", DebtorName: "CITY OF BALLARAT - FINANCE"}, MatchAmountAndName, "inv-6", nil},
		{"amount and name with accents folded", Credit{Amount: eur(500000), DebtorName: "DIMOS IOANNINA"}, MatchNone, "", nil},
		{"name agrees, amount does not", Credit{Amount: eur(400000), DebtorName: "City of Ballarat"}, MatchNone, "", nil},
		{"name of a city with two open invoices of that amount", Credit{Amount: eur(500000), DebtorName: "VILLE DE BESANCON"}, MatchAmbiguous, "", []string{"inv-1", "inv-4"}},
		{"partial name is not enough", Credit{Amount: eur(500000), DebtorName: "Ville"}, MatchNone, "", nil},
		{"word inside another word is not a name", Credit{Amount: eur(500000), DebtorName: "Stadt Erlangenbach"}, MatchNone, "", nil},
		{"nothing to go on", Credit{Amount: eur(500000), Unstructured: "virement"}, MatchNone, "", nil},
		{"another currency", Credit{Amount: Money{Amount: 500000, Currency: "CHF"}, StructuredRef: "RF07ICC20270001"}, MatchNone, "", nil},
		{"zero credit", Credit{Amount: eur(0), StructuredRef: "RF07ICC20270001"}, MatchNone, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MatchCredit(tt.credit, open)
			if m.Kind != tt.kind || m.InvoiceID != tt.invoice || !slices.Equal(m.Candidates, tt.candidates) {
				t.Errorf("match = %+v, want %s %q %v", m, tt.kind, tt.invoice, tt.candidates)
			}
			if m.Kind.Automatic() && m.InvoiceID == "" {
				t.Error("an automatic match names no invoice")
			}
		})
	}
	if MatchAmountAndName.Automatic() || MatchAmbiguous.Automatic() || !MatchReference.Automatic() || !MatchNumber.Automatic() {
		t.Error("Automatic is wrong")
	}
}

func mustRef(number string) string {
	r, err := CreditorReference(number)
	if err != nil {
		panic(err)
	}
	return r
}

func TestNamesAgree(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		ok   bool
	}{
		{"Ville de Besançon", "VILLE DE BESANCON", true},
		{"Ville de Besançon", "Trésorerie - Ville de Besançon", true},
		{"Stadt Erlangen", "Erlangen", true},
		{"Stadt Erlangen", "Stadt Erlangenbach", false},
		{"Comune di Reggio Emilia", "Reggio", true},
		{"City of Ballarat", "Bal", false}, // under four characters
		{"Ville de Lyon", "", false},
		{"Ville de Besançon", "Ville", false}, // only a word every city has
		{"City of Ballarat", "CITY OF", false},
		{"Stadt Erlangen", "Stadtkasse Erlangen", false}, // not the same words
	} {
		if got := namesAgree(tt.a, tt.b); got != tt.ok {
			t.Errorf("namesAgree(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.ok)
		}
	}
}
