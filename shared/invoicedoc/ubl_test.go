package invoicedoc

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// node is a parsed XML element, named by namespace URI and local name, so
// the tests check the namespaces too, not only the prefixes.
type node struct {
	ns, name string
	attrs    map[string]string
	text     string
	kids     []*node
}

func parseXML(t *testing.T, b []byte) *node {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("the XML does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{ns: tok.Name.Space, name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	return root
}

var prefixes = map[string]string{"cac": nsCAC, "cbc": nsCBC}

// all returns the nodes at a path of prefixed names below n.
func (n *node) all(path string) []*node {
	cur := []*node{n}
	for _, step := range strings.Split(path, "/") {
		prefix, local, _ := strings.Cut(step, ":")
		var next []*node
		for _, c := range cur {
			for _, k := range c.kids {
				if k.ns == prefixes[prefix] && k.name == local {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// get returns the text at path ("" if absent); "@attr" at the end reads an
// attribute.
func (n *node) get(path string) string {
	path, attr, _ := strings.Cut(path, "@")
	found := n.all(strings.TrimSuffix(path, "/"))
	if len(found) == 0 {
		return ""
	}
	if attr != "" {
		return found[0].attrs[attr]
	}
	return strings.TrimSpace(found[0].text)
}

func cents(t *testing.T, s string) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	c, err := fees.ParseDecimal(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return c
}

// The element order of UBL 2.1 (xsd:sequence) for the aggregates we write,
// as Peppol BIS 3.0 lists them.
var ublOrder = map[string][]string{
	"Invoice": {"UBLExtensions", "UBLVersionID", "CustomizationID", "ProfileID", "ProfileExecutionID", "ID", "CopyIndicator", "UUID",
		"IssueDate", "IssueTime", "DueDate", "InvoiceTypeCode", "CreditNoteTypeCode", "Note", "TaxPointDate", "DocumentCurrencyCode",
		"TaxCurrencyCode", "PricingCurrencyCode", "PaymentCurrencyCode", "PaymentAlternativeCurrencyCode", "AccountingCostCode",
		"AccountingCost", "LineCountNumeric", "BuyerReference", "InvoicePeriod", "DiscrepancyResponse", "OrderReference", "BillingReference",
		"DespatchDocumentReference", "ReceiptDocumentReference", "StatementDocumentReference", "OriginatorDocumentReference",
		"ContractDocumentReference", "AdditionalDocumentReference", "ProjectReference", "Signature", "AccountingSupplierParty",
		"AccountingCustomerParty", "PayeeParty", "BuyerCustomerParty", "SellerSupplierParty", "TaxRepresentativeParty", "Delivery",
		"DeliveryTerms", "PaymentMeans", "PaymentTerms", "PrepaidPayment", "AllowanceCharge", "TaxExchangeRate", "PricingExchangeRate",
		"PaymentExchangeRate", "PaymentAlternativeExchangeRate", "TaxTotal", "WithholdingTaxTotal", "LegalMonetaryTotal", "InvoiceLine",
		"CreditNoteLine"},
	"Party": {"MarkCareIndicator", "MarkAttentionIndicator", "WebsiteURI", "LogoReferenceID", "EndpointID", "IndustryClassificationCode",
		"PartyIdentification", "PartyName", "Language", "PostalAddress", "PhysicalLocation", "PartyTaxScheme", "PartyLegalEntity", "Contact"},
	"PostalAddress": {"ID", "AddressTypeCode", "AddressFormatCode", "Postbox", "Floor", "Room", "StreetName", "AdditionalStreetName",
		"BlockName", "BuildingName", "BuildingNumber", "InhouseMail", "Department", "MarkAttention", "MarkCare", "PlotIdentification",
		"CitySubdivisionName", "CityName", "PostalZone", "CountrySubentity", "CountrySubentityCode", "Region", "District",
		"TimezoneOffset", "AddressLine", "Country", "LocationCoordinate"},
	"PaymentMeans": {"ID", "PaymentMeansCode", "PaymentDueDate", "PaymentChannelCode", "InstructionID", "InstructionNote", "PaymentID",
		"CardAccount", "PayerFinancialAccount", "PayeeFinancialAccount"},
	"PayeeFinancialAccount": {"ID", "Name", "AliasName", "AccountTypeCode", "AccountFormatCode", "CurrencyCode", "PaymentNote",
		"FinancialInstitutionBranch"},
	"TaxTotal":    {"TaxAmount", "RoundingAmount", "TaxEvidenceIndicator", "TaxIncludedIndicator", "TaxSubtotal"},
	"TaxSubtotal": {"TaxableAmount", "TaxAmount", "CalculationSequenceNumeric", "TransactionCurrencyTaxAmount", "Percent", "BaseUnitMeasure", "PerUnitAmount", "TierRange", "TierRatePercent", "TaxCategory"},
	"TaxCategory": {"ID", "Name", "Percent", "BaseUnitMeasure", "PerUnitAmount", "TaxExemptionReasonCode", "TaxExemptionReason",
		"TierRange", "TierRatePercent", "TaxScheme"},
	"LegalMonetaryTotal": {"LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount",
		"ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount"},
	"InvoiceLine": {"ID", "UUID", "Note", "InvoicedQuantity", "CreditedQuantity", "LineExtensionAmount", "TaxPointDate", "AccountingCostCode",
		"AccountingCost", "PaymentPurposeCode", "FreeOfChargeIndicator", "InvoicePeriod", "OrderLineReference", "DespatchLineReference",
		"ReceiptLineReference", "BillingReference", "DocumentReference", "PricingReference", "OriginatorParty", "Delivery", "PaymentTerms",
		"AllowanceCharge", "TaxTotal", "WithholdingTaxTotal", "Item", "Price"},
	"Item": {"Description", "PackQuantity", "PackSizeNumeric", "CatalogueIndicator", "Name", "HazardousRiskIndicator", "AdditionalInformation",
		"Keyword", "BrandName", "ModelName", "BuyersItemIdentification", "SellersItemIdentification", "ManufacturersItemIdentification",
		"StandardItemIdentification", "CatalogueItemIdentification", "AdditionalItemIdentification", "CatalogueDocumentReference",
		"ItemSpecificationDocumentReference", "OriginCountry", "CommodityClassification", "TransactionConditions", "HazardousItem",
		"ClassifiedTaxCategory", "AdditionalItemProperty"},
	"InvoicePeriod": {"StartDate", "StartTime", "EndDate", "EndTime", "DurationMeasure", "DescriptionCode", "Description"},
}

func init() {
	ublOrder["CreditNote"] = ublOrder["Invoice"]
	ublOrder["CreditNoteLine"] = ublOrder["InvoiceLine"]
	ublOrder["ClassifiedTaxCategory"] = ublOrder["TaxCategory"]
}

// checkOrder reports children out of the schema's sequence, or unknown.
func checkOrder(t *testing.T, n *node) {
	t.Helper()
	if order, ok := ublOrder[n.name]; ok {
		last := -1
		for _, k := range n.kids {
			i := slices.Index(order, k.name)
			switch {
			case i < 0:
				t.Errorf("%s: unexpected child %s", n.name, k.name)
			case i < last:
				t.Errorf("%s: %s comes after %s, against the UBL sequence", n.name, k.name, order[last])
			}
			last = max(last, i)
		}
	}
	for _, k := range n.kids {
		checkOrder(t, k)
	}
}

// checkBusinessRules checks the mandatory business terms of our documents
// and the EN 16931 arithmetic rules BR-CO-10 to BR-CO-16.
func checkBusinessRules(t *testing.T, doc *node, kind string, want map[string]string) {
	t.Helper()
	line := kind + "Line"
	quantity := "cbc:InvoicedQuantity"
	if kind == "CreditNote" {
		quantity = "cbc:CreditedQuantity"
	}
	mandatory := map[string]string{
		"BT-1 number":          "cbc:ID",
		"BT-2 issue date":      "cbc:IssueDate",
		"BT-5 currency":        "cbc:DocumentCurrencyCode",
		"BT-23 process":        "cbc:ProfileID",
		"BT-24 specification":  "cbc:CustomizationID",
		"BT-27 seller name":    "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
		"BT-35 seller street":  "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:StreetName",
		"BT-37 seller city":    "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:CityName",
		"BT-38 seller post":    "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:PostalZone",
		"BT-40 seller country": "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
		"BT-44 buyer name":     "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
		"BT-55 buyer country":  "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
		"BT-106 line total":    "cac:LegalMonetaryTotal/cbc:LineExtensionAmount",
		"BT-109 net":           "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
		"BT-110 VAT":           "cac:TaxTotal/cbc:TaxAmount",
		"BT-112 gross":         "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
		"BT-115 payable":       "cac:LegalMonetaryTotal/cbc:PayableAmount",
		"BT-116 VAT base":      "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount",
		"BT-117 VAT amount":    "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount",
		"BT-118 VAT category":  "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
		"BT-126 line id":       "cac:" + line + "/cbc:ID",
		"BT-129 quantity":      "cac:" + line + "/" + quantity,
		"BT-130 unit":          "cac:" + line + "/" + quantity + "@unitCode",
		"BT-131 line net":      "cac:" + line + "/cbc:LineExtensionAmount",
		"BT-146 price":         "cac:" + line + "/cac:Price/cbc:PriceAmount",
		"BT-151 line VAT":      "cac:" + line + "/cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
		"BT-153 item name":     "cac:" + line + "/cac:Item/cbc:Name",
		"BG-14 period start":   "cac:InvoicePeriod/cbc:StartDate",
	}
	for bt, path := range mandatory {
		if doc.get(path) == "" {
			t.Errorf("%s (%s) is missing", bt, path)
		}
	}
	for path, v := range want {
		if got := doc.get(path); got != v {
			t.Errorf("%s = %q, want %q", path, got, v)
		}
	}
	if doc.get("cbc:BuyerReference") == "" && doc.get("cac:OrderReference/cbc:ID") == "" {
		t.Error("neither BT-10 buyer reference nor BT-13 order reference (PEPPOL-EN16931-R003)")
	}
	if doc.get("cbc:DueDate") == "" && doc.get("cac:PaymentTerms/cbc:Note") == "" {
		t.Error("neither BT-9 due date nor BT-20 payment terms (BR-CO-25)")
	}
	cur := doc.get("cbc:DocumentCurrencyCode")
	for _, p := range []string{"cac:LegalMonetaryTotal/cbc:PayableAmount", "cac:TaxTotal/cbc:TaxAmount", "cac:" + line + "/cbc:LineExtensionAmount"} {
		if got := doc.get(p + "@currencyID"); got != cur {
			t.Errorf("%s is in %q, the document in %q", p, got, cur)
		}
	}
	category := doc.get("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID")
	if category == fees.VATExempt || category == fees.VATOutOfScope {
		if doc.get("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason") == "" &&
			doc.get("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode") == "" {
			t.Error("an exempt VAT breakdown without BT-120 or BT-121 (BR-E-10)")
		}
		if cents(t, doc.get("cac:TaxTotal/cbc:TaxAmount")) != 0 {
			t.Error("VAT charged on an exempt document")
		}
	}

	// The arithmetic.
	var lines int64
	for _, l := range doc.all("cac:" + line) {
		lines += cents(t, l.get("cbc:LineExtensionAmount"))
	}
	total := func(name string) int64 { return cents(t, doc.get("cac:LegalMonetaryTotal/cbc:"+name)) }
	var subtotals int64
	for _, s := range doc.all("cac:TaxTotal/cac:TaxSubtotal") {
		subtotals += cents(t, s.get("cbc:TaxAmount"))
	}
	var allowances, charges int64
	for _, ac := range doc.all("cac:AllowanceCharge") {
		if ac.get("cbc:ChargeIndicator") == "true" {
			charges += cents(t, ac.get("cbc:Amount"))
		} else {
			allowances += cents(t, ac.get("cbc:Amount"))
		}
	}
	vat := cents(t, doc.get("cac:TaxTotal/cbc:TaxAmount"))
	rules := []struct {
		rule      string
		got, want int64
	}{
		{"BR-CO-10 sum of lines = BT-106", total("LineExtensionAmount"), lines},
		{"BR-CO-11 allowances = BT-107", total("AllowanceTotalAmount"), allowances},
		{"BR-CO-12 charges = BT-108", total("ChargeTotalAmount"), charges},
		{"BR-CO-13 BT-109 = BT-106 - BT-107 + BT-108", total("TaxExclusiveAmount"), total("LineExtensionAmount") - total("AllowanceTotalAmount") + total("ChargeTotalAmount")},
		{"BR-CO-14 BT-110 = sum of BT-117", vat, subtotals},
		{"BR-CO-15 BT-112 = BT-109 + BT-110", total("TaxInclusiveAmount"), total("TaxExclusiveAmount") + vat},
		{"BR-CO-16 BT-115 = BT-112 - BT-113 + BT-114", total("PayableAmount"), total("TaxInclusiveAmount") - total("PrepaidAmount") + total("PayableRoundingAmount")},
	}
	for _, r := range rules {
		if r.got != r.want {
			t.Errorf("%s: %d != %d", r.rule, r.got, r.want)
		}
	}
	checkOrder(t, doc)
}

func standardRateInvoice(t *testing.T, category string) fees.Invoice {
	s := SampleSettings()
	s.VAT = fees.VATRule{Category: category}
	switch category {
	case fees.VATStandard:
		s.Seller.VATID = "FR00123456789"
		s.VAT.RateBasisPoints = 2000
	case fees.VATOutOfScope:
		s.VAT.ReasonCode = "VATEX-EU-O"
	}
	charge, err := fees.ChargeFor(fees.Term{From: fees.NewDate(2027, 6, 15)}, 2027, fees.Euros(500000), fees.Monthly)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := s.IssueInvoice(fees.InvoiceRequest{ID: "inv-s", Seq: 9, CityID: "c", Buyer: SampleBuyer(), Language: i18n.English,
		Charge: charge, IssueDate: fees.NewDate(2027, 6, 20)})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestInvoiceUBL(t *testing.T) {
	tests := []struct {
		name string
		inv  fees.Invoice
		want map[string]string
	}{
		{"French, exempt", SampleInvoice(), map[string]string{
			"cbc:ID": "ICC-2027-0001", "cbc:IssueDate": "2027-01-04", "cbc:DueDate": "2027-02-03", "cbc:InvoiceTypeCode": "380",
			"cbc:DocumentCurrencyCode": "EUR", "cbc:CustomizationID": CustomizationID, "cbc:ProfileID": ProfileID,
			"cbc:BuyerReference": "DIR-CULTURE-ICC", "cac:OrderReference/cbc:ID": "BC-2027-00418",
			"cac:InvoicePeriod/cbc:StartDate": "2027-01-01", "cac:InvoicePeriod/cbc:EndDate": "2027-12-31",
			"cac:AccountingSupplierParty/cac:Party/cbc:EndpointID@schemeID":                    "0009",
			"cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID":           "COE-TEST-1",
			"cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID":    "TAX",
			"cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName":  "Ville de Besançon",
			"cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:PostalZone":           "25034",
			"cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ElectronicMail":             "finances@besancon.example",
			"cac:PaymentMeans/cbc:PaymentMeansCode":                                            "58",
			"cac:PaymentMeans/cbc:PaymentID":                                                   "RF07ICC20270001",
			"cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID":                                "FR7630006000011234567890189",
			"cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID": "TESTFRPPXXX",
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID":                              "E",
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent":                         "0",
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason":              "Exonération de TVA : contribution administrative à une organisation internationale.",
			"cac:LegalMonetaryTotal/cbc:PayableAmount":                                         "5000.00",
			"cac:InvoiceLine/cbc:InvoicedQuantity":                                             "1",
			"cac:InvoiceLine/cbc:InvoicedQuantity@unitCode":                                    "C62",
			"cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent":                   "0",
		}},
		{"English, German public buyer", SampleInvoiceEN(), map[string]string{
			"cbc:BuyerReference": "04011000-1234512345-06",
			"cac:AccountingCustomerParty/cac:Party/cbc:EndpointID":          "04011000-1234512345-06",
			"cac:AccountingCustomerParty/cac:Party/cbc:EndpointID@schemeID": "0204",
			"cac:LegalMonetaryTotal/cbc:PayableAmount":                      "2500.00",
			"cac:InvoicePeriod/cbc:StartDate":                               "2027-07-01",
			"cac:InvoiceLine/cac:Item/cbc:Name":                             "Administrative fee 2027 – Intercultural Cities programme (agreement, §2.5), 6 of 12 months",
		}},
		{"standard rate", standardRateInvoice(t, fees.VATStandard), map[string]string{
			"cac:TaxTotal/cbc:TaxAmount":                                             "583.33", // 2 916.67 × 20 %
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID":                    "S",
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent":               "20.00",
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason":    "",
			"cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount":                          "3500.00",
			"cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID": "FR00123456789",
		}},
		{"outside the scope of VAT", standardRateInvoice(t, fees.VATOutOfScope), map[string]string{
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID":                     "O",
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent":                "", // BR-O-05
			"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode": "VATEX-EU-O",
			"cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent":          "",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := InvoiceUBL(tt.inv)
			if err != nil {
				t.Fatal(err)
			}
			doc := parseXML(t, b)
			if doc.ns != nsInvoice || doc.name != "Invoice" {
				t.Fatalf("root is {%s}%s", doc.ns, doc.name)
			}
			checkBusinessRules(t, doc, "Invoice", tt.want)
			again, _ := InvoiceUBL(tt.inv)
			if !bytes.Equal(b, again) {
				t.Error("two renderings differ")
			}
		})
	}
}

func TestCreditNoteUBL(t *testing.T) {
	cn := SampleCreditNote()
	b, err := CreditNoteUBL(cn)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseXML(t, b)
	if doc.ns != nsCreditNote || doc.name != "CreditNote" {
		t.Fatalf("root is {%s}%s", doc.ns, doc.name)
	}
	checkBusinessRules(t, doc, "CreditNote", map[string]string{
		"cbc:ID":                 "ICC-CN-2027-0001",
		"cbc:CreditNoteTypeCode": "381",
		"cbc:IssueDate":          "2027-02-15",
		"cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID":        "ICC-2027-0001",
		"cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate": "2027-01-04",
		"cac:LegalMonetaryTotal/cbc:PayableAmount":                        "2500.00",
		"cac:CreditNoteLine/cbc:CreditedQuantity":                         "1",
		"cbc:Note": cn.Reason,
	})
	if doc.get("cbc:DueDate") != "" || len(doc.all("cac:InvoiceLine")) != 0 {
		t.Error("a credit note carries invoice-only elements")
	}
}

func TestUBLEscapesText(t *testing.T) {
	inv := SampleInvoice()
	inv.Buyer.LegalName = `Ville <de> "Saint-Dié" & Co]]>`
	b, err := InvoiceUBL(inv)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseXML(t, b)
	if got := doc.get("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"); got != inv.Buyer.LegalName {
		t.Errorf("name read back as %q", got)
	}
	if n := strings.Count(string(b), "<cac:AccountingCustomerParty>"); n != 1 {
		t.Errorf("%d customer parties: text leaked into the markup", n)
	}
}
