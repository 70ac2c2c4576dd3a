package fees

import (
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

func testSettings() Settings {
	return Settings{
		Seller: Seller{
			Name:              "Council of Europe",
			Unit:              "Intercultural Cities programme",
			Address:           Address{Street: "Avenue de l'Europe", City: "Strasbourg", PostalCode: "67075", Country: "FR"},
			IBAN:              "FR7630006000011234567890189",
			BIC:               "TESTFRPPXXX",
			TaxRegistrationID: "COE-TEST-1",
			Email:             "icc.finance@coe.example",
		},
		VAT: VATRule{
			Category: VATExempt,
			Reasons: map[i18n.Lang]string{
				i18n.English: "Exempt from VAT: contribution to an international organisation",
				i18n.French:  "Exonération de TVA : contribution à une organisation internationale",
			},
		},
	}
}

func testBuyer() Buyer {
	return Buyer{
		LegalName:     "Ville de Besançon",
		Address:       Address{Street: "2 rue Mégevand", City: "Besançon", PostalCode: "25034", Country: "FR"},
		Reference:     "DIR-CULT-2027",
		PurchaseOrder: "PO-4471",
		Email:         "finances@besancon.example",
	}
}

func date(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func fullYear(y int) Charge {
	c, err := ChargeFor(Term{From: NewDate(y-1, 3, 1)}, y, Euros(500000), Full)
	if err != nil {
		panic(err)
	}
	return c
}

func issue(t *testing.T, id string, seq int, issued string) Invoice {
	t.Helper()
	inv, err := testSettings().IssueInvoice(InvoiceRequest{
		ID: id, Seq: seq, CityID: "city-" + id, Buyer: testBuyer(), Language: i18n.French,
		Charge: fullYear(date(issued).Year()), IssueDate: date(issued),
	})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// pointers returns the field pointers of a failure.Fields error.
func pointers(err error) []string {
	f := failure.As(err)
	if f == nil {
		return nil
	}
	var ps []string
	for _, e := range f.Fields {
		ps = append(ps, e.Pointer)
	}
	return ps
}
