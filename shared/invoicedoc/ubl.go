package invoicedoc

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"github.com/intercultural-cities/backoffice/shared/fees"
)

// The UBL 2.1 namespaces and the Peppol BIS Billing 3.0 identifiers.
const (
	nsInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	nsCAC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

	// CustomizationID is BT-24: EN 16931 as profiled by Peppol BIS 3.0.
	CustomizationID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	// ProfileID is BT-23: the Peppol billing process.
	ProfileID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

	typeInvoice    = "380" // UNTDID 1001: commercial invoice
	typeCreditNote = "381" // credit note
	sepaTransfer   = "58"  // UNCL4461: SEPA credit transfer
	unitOne        = "C62" // UN/ECE Rec 20: one (a fee is one unit)
)

// The structs below follow the element order of the UBL 2.1 schemas, which
// is significant (xsd:sequence); the comments name the EN 16931 business
// terms. Element names carry their prefix literally: encoding/xml writes
// "cbc:ID" as is, and the root declares the prefixes.

type ublAmount struct {
	Currency string `xml:"currencyID,attr"`
	Value    string `xml:",chardata"`
}

func amount(m fees.Money) ublAmount { return ublAmount{Currency: m.Currency, Value: m.Decimal()} }

type ublID struct {
	Scheme string `xml:"schemeID,attr,omitempty"`
	Value  string `xml:",chardata"`
}

type ublPeriod struct {
	StartDate string `xml:"cbc:StartDate"`
	EndDate   string `xml:"cbc:EndDate"`
}

type ublOrderReference struct {
	ID string `xml:"cbc:ID"` // BT-13
}

type ublBillingReference struct {
	InvoiceDocumentReference struct {
		ID        string `xml:"cbc:ID"`        // BT-25
		IssueDate string `xml:"cbc:IssueDate"` // BT-26
	} `xml:"cac:InvoiceDocumentReference"`
}

type ublCountry struct {
	IdentificationCode string `xml:"cbc:IdentificationCode"`
}

type ublAddress struct {
	StreetName           string     `xml:"cbc:StreetName,omitempty"`
	AdditionalStreetName string     `xml:"cbc:AdditionalStreetName,omitempty"`
	CityName             string     `xml:"cbc:CityName,omitempty"`
	PostalZone           string     `xml:"cbc:PostalZone,omitempty"`
	CountrySubentity     string     `xml:"cbc:CountrySubentity,omitempty"`
	Country              ublCountry `xml:"cac:Country"`
}

func address(a fees.Address) ublAddress {
	return ublAddress{StreetName: a.Street, AdditionalStreetName: a.AdditionalStreet, CityName: a.City,
		PostalZone: a.PostalCode, CountrySubentity: a.Region, Country: ublCountry{a.Country}}
}

type ublTaxScheme struct {
	ID string `xml:"cbc:ID"`
}

type ublPartyTaxScheme struct {
	CompanyID string       `xml:"cbc:CompanyID"`
	TaxScheme ublTaxScheme `xml:"cac:TaxScheme"`
}

type ublLegalEntity struct {
	RegistrationName string `xml:"cbc:RegistrationName"`
}

type ublContact struct {
	ElectronicMail string `xml:"cbc:ElectronicMail,omitempty"`
}

type ublParty struct {
	EndpointID       *ublID              `xml:"cbc:EndpointID,omitempty"` // BT-34 / BT-49
	PostalAddress    ublAddress          `xml:"cac:PostalAddress"`        // BG-5 / BG-8
	PartyTaxSchemes  []ublPartyTaxScheme `xml:"cac:PartyTaxScheme"`       // BT-31, BT-32
	PartyLegalEntity ublLegalEntity      `xml:"cac:PartyLegalEntity"`     // BT-27 / BT-44
	Contact          *ublContact         `xml:"cac:Contact,omitempty"`    // BT-43 / BT-58
}

type ublSupplier struct {
	Party ublParty `xml:"cac:Party"`
}

func endpoint(e *fees.Endpoint) *ublID {
	if e == nil {
		return nil
	}
	return &ublID{Scheme: e.Scheme, Value: e.ID}
}

func sellerParty(s fees.Seller) ublParty {
	p := ublParty{
		EndpointID:       endpoint(s.Endpoint),
		PostalAddress:    address(s.Address),
		PartyLegalEntity: ublLegalEntity{RegistrationName: s.Name},
		Contact:          &ublContact{ElectronicMail: s.Email},
	}
	if s.VATID != "" {
		p.PartyTaxSchemes = append(p.PartyTaxSchemes, ublPartyTaxScheme{CompanyID: s.VATID, TaxScheme: ublTaxScheme{"VAT"}})
	}
	if s.TaxRegistrationID != "" {
		// BT-32: a tax registration other than VAT; Peppol BIS gives its
		// scheme as anything but VAT, conventionally TAX.
		p.PartyTaxSchemes = append(p.PartyTaxSchemes, ublPartyTaxScheme{CompanyID: s.TaxRegistrationID, TaxScheme: ublTaxScheme{"TAX"}})
	}
	return p
}

func buyerParty(b fees.Buyer) ublParty {
	return ublParty{
		EndpointID:       endpoint(b.Routing),
		PostalAddress:    address(b.Address),
		PartyLegalEntity: ublLegalEntity{RegistrationName: b.LegalName},
		Contact:          &ublContact{ElectronicMail: b.Email},
	}
}

type ublFinancialInstitutionBranch struct {
	ID string `xml:"cbc:ID"` // BT-86
}

type ublFinancialAccount struct {
	ID     string                         `xml:"cbc:ID"`             // BT-84
	Name   string                         `xml:"cbc:Name,omitempty"` // BT-85
	Branch *ublFinancialInstitutionBranch `xml:"cac:FinancialInstitutionBranch,omitempty"`
}

type ublPaymentMeansCode struct {
	Name  string `xml:"name,attr,omitempty"`
	Value string `xml:",chardata"`
}

type ublPaymentMeans struct {
	PaymentMeansCode      ublPaymentMeansCode `xml:"cbc:PaymentMeansCode"`      // BT-81
	PaymentID             string              `xml:"cbc:PaymentID,omitempty"`   // BT-83
	PayeeFinancialAccount ublFinancialAccount `xml:"cac:PayeeFinancialAccount"` // BG-17
}

type ublPaymentTerms struct {
	Note string `xml:"cbc:Note"` // BT-20
}

type ublTaxCategory struct {
	ID                     string       `xml:"cbc:ID"`                               // BT-118 / BT-151
	Percent                string       `xml:"cbc:Percent,omitempty"`                // BT-119 / BT-152
	TaxExemptionReasonCode string       `xml:"cbc:TaxExemptionReasonCode,omitempty"` // BT-121
	TaxExemptionReason     string       `xml:"cbc:TaxExemptionReason,omitempty"`     // BT-120
	TaxScheme              ublTaxScheme `xml:"cac:TaxScheme"`
}

type ublTaxSubtotal struct {
	TaxableAmount ublAmount      `xml:"cbc:TaxableAmount"` // BT-116
	TaxAmount     ublAmount      `xml:"cbc:TaxAmount"`     // BT-117
	TaxCategory   ublTaxCategory `xml:"cac:TaxCategory"`
}

type ublTaxTotal struct {
	TaxAmount   ublAmount      `xml:"cbc:TaxAmount"` // BT-110
	TaxSubtotal ublTaxSubtotal `xml:"cac:TaxSubtotal"`
}

type ublMonetaryTotal struct {
	LineExtensionAmount ublAmount `xml:"cbc:LineExtensionAmount"` // BT-106
	TaxExclusiveAmount  ublAmount `xml:"cbc:TaxExclusiveAmount"`  // BT-109
	TaxInclusiveAmount  ublAmount `xml:"cbc:TaxInclusiveAmount"`  // BT-112
	PayableAmount       ublAmount `xml:"cbc:PayableAmount"`       // BT-115
}

type ublQuantity struct {
	UnitCode string `xml:"unitCode,attr"` // BT-130
	Value    string `xml:",chardata"`
}

type ublItem struct {
	Name                  string         `xml:"cbc:Name"` // BT-153
	ClassifiedTaxCategory ublTaxCategory `xml:"cac:ClassifiedTaxCategory"`
}

type ublPrice struct {
	PriceAmount ublAmount `xml:"cbc:PriceAmount"` // BT-146
}

type ublLine struct {
	ID                  string       `xml:"cbc:ID"`                         // BT-126
	InvoicedQuantity    *ublQuantity `xml:"cbc:InvoicedQuantity,omitempty"` // BT-129
	CreditedQuantity    *ublQuantity `xml:"cbc:CreditedQuantity,omitempty"`
	LineExtensionAmount ublAmount    `xml:"cbc:LineExtensionAmount"`     // BT-131
	InvoicePeriod       *ublPeriod   `xml:"cac:InvoicePeriod,omitempty"` // BG-26
	Item                ublItem      `xml:"cac:Item"`
	Price               ublPrice     `xml:"cac:Price"`
}

// ublDocument is an Invoice or a CreditNote: the two differ in the root
// element, the type code's element, the due date and the line's quantity.
type ublDocument struct {
	XMLName            xml.Name
	Xmlns              string               `xml:"xmlns,attr"`
	XmlnsCAC           string               `xml:"xmlns:cac,attr"`
	XmlnsCBC           string               `xml:"xmlns:cbc,attr"`
	CustomizationID    string               `xml:"cbc:CustomizationID"`              // BT-24
	ProfileID          string               `xml:"cbc:ProfileID"`                    // BT-23
	ID                 string               `xml:"cbc:ID"`                           // BT-1
	IssueDate          string               `xml:"cbc:IssueDate"`                    // BT-2
	DueDate            string               `xml:"cbc:DueDate,omitempty"`            // BT-9
	InvoiceTypeCode    string               `xml:"cbc:InvoiceTypeCode,omitempty"`    // BT-3
	CreditNoteTypeCode string               `xml:"cbc:CreditNoteTypeCode,omitempty"` // BT-3
	Note               string               `xml:"cbc:Note,omitempty"`               // BT-22
	DocumentCurrency   string               `xml:"cbc:DocumentCurrencyCode"`         // BT-5
	BuyerReference     string               `xml:"cbc:BuyerReference,omitempty"`     // BT-10
	InvoicePeriod      *ublPeriod           `xml:"cac:InvoicePeriod,omitempty"`      // BG-14
	OrderReference     *ublOrderReference   `xml:"cac:OrderReference,omitempty"`
	BillingReference   *ublBillingReference `xml:"cac:BillingReference,omitempty"` // BG-3
	Supplier           ublSupplier          `xml:"cac:AccountingSupplierParty"`    // BG-4
	Customer           ublSupplier          `xml:"cac:AccountingCustomerParty"`    // BG-7
	PaymentMeans       *ublPaymentMeans     `xml:"cac:PaymentMeans,omitempty"`     // BG-16
	PaymentTerms       *ublPaymentTerms     `xml:"cac:PaymentTerms,omitempty"`
	TaxTotal           ublTaxTotal          `xml:"cac:TaxTotal"`           // BG-22, BG-23
	LegalMonetaryTotal ublMonetaryTotal     `xml:"cac:LegalMonetaryTotal"` // BG-22
	InvoiceLines       []ublLine            `xml:"cac:InvoiceLine,omitempty"`
	CreditNoteLines    []ublLine            `xml:"cac:CreditNoteLine,omitempty"`
}

func taxCategory(v fees.VAT) ublTaxCategory {
	c := ublTaxCategory{ID: v.Category, TaxScheme: ublTaxScheme{"VAT"}}
	if v.Category != fees.VATOutOfScope {
		// BR-O-05: no rate for "not subject to VAT"; E carries 0 (BR-E-05).
		c.Percent = v.Percent()
	}
	return c
}

func exemption(c ublTaxCategory, v fees.VAT) ublTaxCategory {
	if v.Exempt() {
		c.TaxExemptionReasonCode = v.ReasonCode
		c.TaxExemptionReason = v.Reason
	}
	return c
}

// buyerReference is BT-10. Peppol BIS requires BT-10 or BT-13
// (PEPPOL-EN16931-R003); a city that gave neither a reference nor a
// purchase order gets the invoice's own number, which it can quote back.
func buyerReference(b fees.Buyer, number string) string {
	if b.Reference != "" || b.PurchaseOrder != "" {
		return b.Reference
	}
	return number
}

func common(number string, issued fees.Date, currency string, s fees.Seller, b fees.Buyer, line fees.Line, v fees.VAT, t fees.Totals) ublDocument {
	d := ublDocument{
		XmlnsCAC:         nsCAC,
		XmlnsCBC:         nsCBC,
		CustomizationID:  CustomizationID,
		ProfileID:        ProfileID,
		ID:               number,
		IssueDate:        issued.String(),
		DocumentCurrency: currency,
		BuyerReference:   buyerReference(b, number),
		InvoicePeriod:    &ublPeriod{StartDate: line.PeriodStart.String(), EndDate: line.PeriodEnd.String()},
		Supplier:         ublSupplier{sellerParty(s)},
		Customer:         ublSupplier{buyerParty(b)},
		TaxTotal: ublTaxTotal{
			TaxAmount: amount(t.VAT),
			TaxSubtotal: ublTaxSubtotal{
				TaxableAmount: amount(t.Net),
				TaxAmount:     amount(t.VAT),
				TaxCategory:   exemption(taxCategory(v), v),
			},
		},
		LegalMonetaryTotal: ublMonetaryTotal{
			LineExtensionAmount: amount(t.Net),
			TaxExclusiveAmount:  amount(t.Net),
			TaxInclusiveAmount:  amount(t.Gross),
			PayableAmount:       amount(t.Gross),
		},
	}
	if b.PurchaseOrder != "" {
		d.OrderReference = &ublOrderReference{ID: b.PurchaseOrder}
	}
	return d
}

func docLine(line fees.Line, v fees.VAT) ublLine {
	return ublLine{
		ID:                  "1",
		LineExtensionAmount: amount(line.Amount),
		Item:                ublItem{Name: line.Description, ClassifiedTaxCategory: taxCategory(v)},
		Price:               ublPrice{PriceAmount: amount(line.Amount)},
	}
}

// InvoiceUBL renders an issued invoice as an EN 16931 UBL 2.1 Invoice
// (Peppol BIS Billing 3.0): due date and payment terms, SEPA credit
// transfer to the seller's IBAN with the creditor reference as remittance
// information, the VAT breakdown with the exemption reason, and the one
// line.
func InvoiceUBL(inv fees.Invoice) ([]byte, error) {
	t := inv.Totals()
	d := common(inv.Number, inv.IssueDate, inv.Currency, inv.Seller, inv.Buyer, inv.Line, inv.VAT, t)
	d.XMLName = xml.Name{Local: "Invoice"}
	d.Xmlns = nsInvoice
	d.DueDate = inv.DueDate.String()
	d.InvoiceTypeCode = typeInvoice
	d.PaymentMeans = &ublPaymentMeans{
		PaymentMeansCode: ublPaymentMeansCode{Name: "SEPA credit transfer", Value: sepaTransfer},
		PaymentID:        inv.PaymentReference,
		PayeeFinancialAccount: ublFinancialAccount{
			ID:     inv.Seller.IBAN,
			Name:   inv.Seller.Beneficiary(),
			Branch: &ublFinancialInstitutionBranch{ID: inv.Seller.BIC},
		},
	}
	t2 := textsFor(inv.Language)
	d.PaymentTerms = &ublPaymentTerms{Note: fmt.Sprintf(t2.paymentTerms,
		inv.IssueDate.DaysUntil(inv.DueDate), date(inv.Language, inv.DueDate), inv.PaymentReference)}
	l := docLine(inv.Line, inv.VAT)
	l.InvoicedQuantity = &ublQuantity{UnitCode: unitOne, Value: "1"}
	d.InvoiceLines = []ublLine{l}
	return marshal(d)
}

// CreditNoteUBL renders an issued credit note as an EN 16931 UBL 2.1
// CreditNote referring to the invoice it corrects (BG-3: BT-25, BT-26).
func CreditNoteUBL(cn fees.CreditNote) ([]byte, error) {
	t := cn.Totals()
	d := common(cn.Number, cn.IssueDate, cn.Currency, cn.Seller, cn.Buyer, cn.Line, cn.VAT, t)
	d.XMLName = xml.Name{Local: "CreditNote"}
	d.Xmlns = nsCreditNote
	d.CreditNoteTypeCode = typeCreditNote
	d.Note = cn.Reason
	d.BillingReference = &ublBillingReference{}
	d.BillingReference.InvoiceDocumentReference.ID = cn.InvoiceNumber
	d.BillingReference.InvoiceDocumentReference.IssueDate = cn.InvoiceIssueDate.String()
	// BR-CO-25: an amount due needs a due date or payment terms; here the
	// terms say that nothing is to be paid.
	d.PaymentTerms = &ublPaymentTerms{Note: textsFor(cn.Language).noPayment}
	l := docLine(cn.Line, cn.VAT)
	l.CreditedQuantity = &ublQuantity{UnitCode: unitOne, Value: "1"}
	d.CreditNoteLines = []ublLine{l}
	return marshal(d)
}

func marshal(d ublDocument) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("render UBL: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
