package invoicedoc

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// labels are the fixed texts of the documents in one language.
type labels struct {
	invoice, creditNote                             string
	number, issued, due, feeYear                    string
	buyerRef, order, routing, cityID                string
	billTo, description, period, amount             string
	net, vat, vatExempt, total, totalCredited       string
	payment, payBy, beneficiary, iban, bic, yourRef string
	quoteRef, scan, page                            string
	credits, reason, noPayment, creditNoteFor       string
	paymentTerms                                    string
	contact                                         string
}

var texts = map[i18n.Lang]labels{
	i18n.English: {
		invoice: "INVOICE", creditNote: "CREDIT NOTE",
		number: "Number", issued: "Issue date", due: "Due date", feeYear: "Fee year",
		buyerRef: "Your reference", order: "Purchase order", routing: "E-invoicing address", cityID: "Member",
		billTo: "Bill to", description: "Description", period: "Period", amount: "Amount",
		net: "Total excluding VAT", vat: "VAT", vatExempt: "VAT: exempt", total: "Total due", totalCredited: "Total credited",
		payment: "Payment", payBy: "Please pay by %s by SEPA credit transfer to:", beneficiary: "Beneficiary",
		iban: "IBAN", bic: "BIC", yourRef: "Payment reference",
		quoteRef: "Please quote this reference with your payment so that it is matched automatically.",
		scan:     "Scan with your banking app", page: "Page",
		credits: "Credits invoice", reason: "Reason", noPayment: "No payment is due. The amount credited will be offset against the invoice or refunded.",
		creditNoteFor: "Credit note for",
		paymentTerms:  "Payment within %d days of the issue date, by %s, by SEPA credit transfer quoting %s.",
		contact:       "Questions about this document",
	},
	i18n.French: {
		invoice: "FACTURE", creditNote: "AVOIR",
		number: "Numéro", issued: "Date d'émission", due: "Date d'échéance", feeYear: "Année de contribution",
		buyerRef: "Votre référence", order: "Bon de commande", routing: "Adresse de facturation électronique", cityID: "Membre",
		billTo: "Facturé à", description: "Désignation", period: "Période", amount: "Montant",
		net: "Total hors TVA", vat: "TVA", vatExempt: "TVA : exonéré", total: "Total à payer", totalCredited: "Total de l'avoir",
		payment: "Paiement", payBy: "Merci de régler au plus tard le %s par virement SEPA à :", beneficiary: "Bénéficiaire",
		iban: "IBAN", bic: "BIC", yourRef: "Référence de paiement",
		quoteRef: "Merci d'indiquer cette référence avec votre virement pour qu'il soit rapproché automatiquement.",
		scan:     "Scannez avec votre application bancaire", page: "Page",
		credits: "Avoir sur la facture", reason: "Motif", noPayment: "Aucun paiement n'est dû. Le montant de l'avoir sera déduit de la facture ou remboursé.",
		creditNoteFor: "Avoir pour",
		paymentTerms:  "Paiement sous %d jours à compter de la date d'émission, au plus tard le %s, par virement SEPA avec la référence %s.",
		contact:       "Questions sur ce document",
	},
}

func textsFor(l i18n.Lang) labels {
	if l == i18n.French {
		return texts[i18n.French]
	}
	return texts[i18n.English]
}

// countryName writes an ISO 3166-1 code as a country's name in language l
// ("DE" → "Germany", "Allemagne"), the code itself if unknown.
func countryName(l i18n.Lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	tag := language.English
	if l == i18n.French {
		tag = language.French
	}
	if n := display.Regions(tag).Name(r); n != "" {
		return n
	}
	return code
}

// addressLines writes a postal address as it goes on an envelope.
func addressLines(l i18n.Lang, a fees.Address) []string {
	lines := []string{a.Street}
	if a.AdditionalStreet != "" {
		lines = append(lines, a.AdditionalStreet)
	}
	lines = append(lines, strings.TrimSpace(a.PostalCode+" "+a.City))
	if a.Region != "" {
		lines = append(lines, a.Region)
	}
	return append(lines, strings.ToUpper(countryName(l, a.Country)))
}

// date writes a document date in language l.
func date(l i18n.Lang, d fees.Date) string { return l.Date(d.Time()) }

// money writes an amount in language l.
func money(l i18n.Lang, m fees.Money) string { return l.Money(m.Amount, m.Currency) }
