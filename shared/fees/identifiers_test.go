package fees

import (
	"slices"
	"testing"
)

func TestValidIBAN(t *testing.T) {
	tests := []struct {
		iban string
		ok   bool
	}{
		{"FR7630006000011234567890189", true},
		{"DE89370400440532013000", true},
		{"GB82WEST12345698765432", true},
		{"BE68539007547034", true},
		{"NL91ABNA0417164300", true},
		{"CH9300762011623852957", true},
		{"FR7630006000011234567890188", false},       // a digit changed
		{"FR763000600001123456789018", false},        // one short for France
		{"DE8937040044053201300", false},             // one short for Germany
		{"FR76 3000 6000 0112 3456 7890 189", false}, // printed form: compact it first
		{"fr7630006000011234567890189", false},
		{"XX7630006000011234567890189", false}, // no such country
		{"FRAB30006000011234567890189", false}, // letters as check digits
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidIBAN(tt.iban); got != tt.ok {
			t.Errorf("ValidIBAN(%q) = %v, want %v", tt.iban, got, tt.ok)
		}
	}
	if got := CompactIBAN(" fr76 3000 6000 0112 3456 7890 189 "); !ValidIBAN(got) {
		t.Errorf("CompactIBAN gave %q", got)
	}
	if got := FormatIBAN("FR7630006000011234567890189"); got != "FR76 3000 6000 0112 3456 7890 189" {
		t.Errorf("FormatIBAN = %q", got)
	}
}

func TestValidBIC(t *testing.T) {
	for bic, ok := range map[string]bool{
		"DEUTDEFF": true, "DEUTDEFF500": true, "TESTFRPPXXX": true, "NEDSZAJJ": true,
		"DEUTDEF": false, "DEUTDEFF5": false, "DEU1DEFF": false, "DEUTZZFF": false, "deutdeff": false,
		"DEUTDE-F": false, "": false,
	} {
		if got := ValidBIC(bic); got != ok {
			t.Errorf("ValidBIC(%q) = %v, want %v", bic, got, ok)
		}
	}
}

func TestValidCountry(t *testing.T) {
	for code, ok := range map[string]bool{
		"FR": true, "DE": true, "UA": true, "MA": true, "JP": true, "GB": true,
		"UK": false, "EU": false, "ZZ": false, "fr": false, "FRA": false, "F": false, "": false,
	} {
		if got := ValidCountry(code); got != ok {
			t.Errorf("ValidCountry(%q) = %v, want %v", code, got, ok)
		}
	}
}

func TestValidLeitwegID(t *testing.T) {
	for id, ok := range map[string]bool{
		"04011000-1234512345-06":  true, // the format specification's example
		"991-33333TEST-33":        true, // letters in the fine address
		"991-33333test-33":        true,
		"04011000-45":             true, // coarse address only
		"04011000-1234512345-07":  false,
		"991-33333TEST-34":        false,
		"0-1234-06":               false, // coarse address too short
		"0401100012345-45":        false, // coarse address too long
		"04011000--06":            false,
		"04011000-1234512345-6":   false,
		"04011000":                false,
		"04011000-12345_12345-06": false,
	} {
		if got := ValidLeitwegID(id); got != ok {
			t.Errorf("ValidLeitwegID(%q) = %v, want %v", id, got, ok)
		}
	}
}

func TestValidGLN(t *testing.T) {
	for id, ok := range map[string]bool{"7300010000001": true, "4000001000005": true, "7300010000002": false, "730001000000": false} {
		if got := ValidGLN(id); got != ok {
			t.Errorf("ValidGLN(%q) = %v, want %v", id, got, ok)
		}
	}
}

func TestCreditorReference(t *testing.T) {
	tests := []struct{ number, want string }{
		{"2348231", "RF712348231"}, // ISO 11649's own example
		{"539007547034", "RF18539007547034"},
		{"ICC-2027-0001", "RF07ICC20270001"},
		{"ICC-2027-0042", "RF64ICC20270042"},
		{"icc-2027-0001", "RF07ICC20270001"},
	}
	for _, tt := range tests {
		got, err := CreditorReference(tt.number)
		if err != nil || got != tt.want {
			t.Errorf("CreditorReference(%q) = %q, %v; want %q", tt.number, got, err, tt.want)
		}
		if !ValidCreditorReference(got) {
			t.Errorf("%q does not validate", got)
		}
	}
	for _, bad := range []string{"", "---", "ICC-2027-0001-ABCDEFGHIJKLMNOP"} {
		if _, err := CreditorReference(bad); err == nil {
			t.Errorf("CreditorReference(%q) accepted", bad)
		}
	}
}

func TestValidCreditorReference(t *testing.T) {
	for ref, ok := range map[string]bool{
		"RF18539007547034":            true,
		"RF18 5390 0754 7034":         true, // printed form
		"rf18539007547034":            true,
		"RF19539007547034":            false,
		"RF18539007547035":            false,
		"RF1":                         false,
		"XX18539007547034":            false,
		"RF18-5390-0754-7034":         false,
		"RF0712345678901234567890123": false, // over 25 characters
	} {
		if got := ValidCreditorReference(ref); got != ok {
			t.Errorf("ValidCreditorReference(%q) = %v, want %v", ref, got, ok)
		}
	}
	if got := FormatReference("RF07ICC20270001"); got != "RF07 ICC2 0270 001" {
		t.Errorf("FormatReference = %q", got)
	}
}

func TestBuyerValidateNamesEachField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Buyer)
		want   []string
	}{
		{"valid", func(*Buyer) {}, nil},
		{"no legal name", func(b *Buyer) { b.LegalName = "" }, []string{"/legalName"}},
		{"blank legal name", func(b *Buyer) { b.LegalName = "   " }, []string{"/legalName"}},
		{"line break in name", func(b *Buyer) { b.LegalName = "Ville\nde Lyon" }, []string{"/legalName"}},
		{"no postal code", func(b *Buyer) { b.Address.PostalCode = "" }, []string{"/address/postalCode"}},
		{"no postal code where there is none", func(b *Buyer) { b.Address.PostalCode = ""; b.Address.Country = "IE" }, nil},
		{"odd postal code", func(b *Buyer) { b.Address.PostalCode = "25<034>" }, []string{"/address/postalCode"}},
		{"deprecated country", func(b *Buyer) { b.Address.Country = "UK" }, []string{"/address/country"}},
		{"no street nor city", func(b *Buyer) { b.Address.Street, b.Address.City = "", "" }, []string{"/address/street", "/address/city"}},
		{"bad email", func(b *Buyer) { b.Email = "Finance <finances@besancon.example>" }, []string{"/email"}},
		{"no email", func(b *Buyer) { b.Email = "" }, []string{"/email"}},
		{"Leitweg-ID", func(b *Buyer) { b.Routing = &Endpoint{Scheme: "0204", ID: "04011000-1234512345-06"} }, nil},
		{"Leitweg-ID with a wrong check", func(b *Buyer) { b.Routing = &Endpoint{Scheme: "0204", ID: "04011000-1234512345-60"} }, []string{"/routing/id"}},
		{"GLN with a wrong check", func(b *Buyer) { b.Routing = &Endpoint{Scheme: "0088", ID: "7300010000002"} }, []string{"/routing/id"}},
		{"Norwegian org number (format only)", func(b *Buyer) { b.Routing = &Endpoint{Scheme: "0192", ID: "987654321"} }, nil},
		{"bad scheme, empty id", func(b *Buyer) { b.Routing = &Endpoint{Scheme: "EM"} }, []string{"/routing/scheme", "/routing/id"}},
		{"space in id", func(b *Buyer) { b.Routing = &Endpoint{Scheme: "0192", ID: "987 654 321"} }, []string{"/routing/id"}},
		{"reference too long", func(b *Buyer) { b.Reference = string(make([]byte, 101)) }, []string{"/reference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := testBuyer()
			tt.change(&b)
			got := pointers(b.Validate())
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSettingsValidateTiesTheVATCategoryToTheSeller(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Settings)
		want   []string
	}{
		{"exempt, with a tax registration", func(*Settings) {}, nil},
		{"exempt without any seller tax id (BR-E-02)", func(s *Settings) { s.Seller.TaxRegistrationID = "" }, []string{"/seller/taxRegistrationId"}},
		{"exempt without reason (BR-E-10)", func(s *Settings) { s.VAT.Reasons, s.VAT.ReasonCode = nil, "" }, []string{"/vat/reasons/en"}},
		{"out of scope with a VAT id (BR-O-02)", func(s *Settings) { s.VAT.Category = VATOutOfScope; s.Seller.VATID = "FR00123456789" }, []string{"/seller/vatId"}},
		{"standard rate", func(s *Settings) {
			s.VAT = VATRule{Category: VATStandard, RateBasisPoints: 2000}
			s.Seller.VATID = "FR00123456789"
		}, nil},
		{"standard rate with a reason and no VAT id", func(s *Settings) { s.VAT.Category = VATStandard; s.VAT.RateBasisPoints = 2000 }, []string{"/vat/reasons", "/seller/vatId"}},
		{"rate on an exempt invoice", func(s *Settings) { s.VAT.RateBasisPoints = 550 }, []string{"/vat/rateBasisPoints"}},
		{"unknown category", func(s *Settings) { s.VAT.Category = "Z" }, []string{"/vat/category"}},
		{"out of scope with its code", func(s *Settings) { s.VAT.Category, s.VAT.ReasonCode = VATOutOfScope, "VATEX-EU-O" }, nil},
		{"exempt with the out-of-scope code", func(s *Settings) { s.VAT.ReasonCode = "VATEX-EU-O" }, []string{"/vat/reasonCode"}},
		{"bad IBAN and BIC", func(s *Settings) { s.Seller.IBAN = "FR7630006000011234567890188"; s.Seller.BIC = "TEST" }, []string{"/seller/iban", "/seller/bic"}},
		{"negative term", func(s *Settings) { s.PaymentTermDays = -1 }, []string{"/paymentTermDays"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSettings()
			tt.change(&s)
			if got := pointers(s.Validate()); !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}
