package invoicedoc

import (
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// SampleSettings is an example invoicing configuration (illustrative bank
// details, not the Council of Europe's): used by the tests, the benchmarks
// and the project's bench program.
func SampleSettings() fees.Settings {
	return fees.Settings{
		Seller: fees.Seller{
			Name:              "Council of Europe",
			Unit:              "Intercultural Cities programme",
			Address:           fees.Address{Street: "Avenue de l'Europe", City: "Strasbourg Cedex", PostalCode: "67075", Country: "FR"},
			IBAN:              "FR7630006000011234567890189",
			BIC:               "TESTFRPPXXX",
			TaxRegistrationID: "COE-TEST-1",
			Email:             "icc.finance@coe.example",
			Endpoint:          &fees.Endpoint{Scheme: "0009", ID: "12345678900017"},
		},
		VAT: fees.VATRule{
			Category: fees.VATExempt,
			Reasons: map[i18n.Lang]string{
				i18n.English: "Exempt from VAT: administrative contribution to an international organisation.",
				i18n.French:  "Exonération de TVA : contribution administrative à une organisation internationale.",
			},
		},
	}
}

// SampleBuyer is an example member city with an accented name.
func SampleBuyer() fees.Buyer {
	return fees.Buyer{
		LegalName:     "Ville de Besançon",
		Address:       fees.Address{Street: "2 rue Mégevand", City: "Besançon Cedex", PostalCode: "25034", Country: "FR"},
		Reference:     "DIR-CULTURE-ICC",
		PurchaseOrder: "BC-2027-00418",
		Email:         "finances@besancon.example",
	}
}

// SampleInvoice is a typical invoice: the full 2027 fee of a French city,
// in French, issued on 4 January 2027.
func SampleInvoice() fees.Invoice {
	return mustIssue(SampleBuyer(), i18n.French, 1, 500000)
}

// SampleInvoiceEN is an English invoice to a German public buyer with a
// Leitweg-ID, for a first year prorated from July.
func SampleInvoiceEN() fees.Invoice {
	b := fees.Buyer{
		LegalName: "Stadt Erlangen – Amt für Integration",
		Address:   fees.Address{Street: "Rathausplatz 1", City: "Erlangen", PostalCode: "91052", Country: "DE"},
		Routing:   &fees.Endpoint{Scheme: fees.SchemeLeitwegID, ID: "04011000-1234512345-06"},
		Email:     "rechnungen@erlangen.example",
	}
	return mustIssue(b, i18n.English, 2, 250000)
}

// SampleCreditNote cancels half of SampleInvoice.
func SampleCreditNote() fees.CreditNote {
	inv := SampleInvoice()
	cn, err := fees.CreditInvoice(inv, nil, fees.CreditNoteRequest{
		ID: "sample-credit-note", Seq: 1, IssueDate: fees.NewDate(2027, 2, 15),
		Amount: fees.Euros(250000), Reason: "Adhésion effective au 1er juillet 2027 : la moitié de la contribution est annulée.",
	})
	if err != nil {
		panic("invoicedoc: the sample credit note does not issue: " + err.Error())
	}
	return cn
}

func mustIssue(b fees.Buyer, l i18n.Lang, seq int, cents int64) fees.Invoice {
	months := 12
	from := fees.NewDate(2027, 1, 1)
	if cents < 500000 {
		months, from = 6, fees.NewDate(2027, 7, 1)
	}
	inv, err := SampleSettings().IssueInvoice(fees.InvoiceRequest{
		ID: "sample-invoice", Seq: seq, CityID: "sample-city", Buyer: b, Language: l,
		Charge: fees.Charge{Year: 2027, Amount: fees.Euros(cents), Yearly: fees.Euros(500000), Months: months,
			From: from, To: fees.NewDate(2027, 12, 31), Policy: string(fees.Monthly)},
		IssueDate: fees.NewDate(2027, 1, 4),
	})
	if err != nil {
		panic("invoicedoc: the sample invoice does not issue: " + err.Error())
	}
	return inv
}
