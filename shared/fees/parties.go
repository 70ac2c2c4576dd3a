package fees

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// Address is a postal address as EN 16931 has it (BG-5 for the seller, BG-8
// for the buyer).
type Address struct {
	Street           string `json:"street"`                     // BT-35 / BT-50
	AdditionalStreet string `json:"additionalStreet,omitempty"` // BT-36 / BT-51
	City             string `json:"city"`                       // BT-37 / BT-52
	PostalCode       string `json:"postalCode,omitempty"`       // BT-38 / BT-53
	Region           string `json:"region,omitempty"`           // BT-39 / BT-54
	Country          string `json:"country"`                    // BT-40 / BT-55, ISO 3166-1 alpha-2
}

// Endpoint is an electronic address on the Peppol network (BT-34, BT-49):
// an identifier and its scheme from the Electronic Address Scheme code list
// (ISO 6523 ICD codes such as 0204 for a German Leitweg-ID, 0088 for a GLN,
// 0009 for a French SIRET, and 9xxx national codes).
type Endpoint struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

// Peppol schemes whose identifiers carry a check digit this package checks.
const (
	SchemeLeitwegID = "0204"
	SchemeGLN       = "0088"
)

// Seller is the Council of Europe as it appears on its invoices. It is
// configuration: the caller supplies it, the invoice copies it at issue.
type Seller struct {
	Name string `json:"name"` // BT-27, e.g. "Council of Europe"
	// Unit is printed under the name (the programme or directorate).
	Unit    string  `json:"unit,omitempty"`
	Address Address `json:"address"`
	IBAN    string  `json:"iban"` // BT-84, electronic form
	BIC     string  `json:"bic"`  // BT-86: cities outside the EEA need it
	// AccountName is the account holder the payer's bank checks the name
	// against (BT-85); the seller's name when empty.
	AccountName string `json:"accountName,omitempty"`
	VATID       string `json:"vatId,omitempty"` // BT-31
	// TaxRegistrationID is a tax identifier other than a VAT number (BT-32).
	TaxRegistrationID string    `json:"taxRegistrationId,omitempty"`
	Email             string    `json:"email"`              // BT-43
	Endpoint          *Endpoint `json:"endpoint,omitempty"` // BT-34
}

// Beneficiary returns the name payments are made out to.
func (s Seller) Beneficiary() string {
	if s.AccountName != "" {
		return s.AccountName
	}
	return s.Name
}

// Buyer is the member city as its finance office wants to be invoiced.
type Buyer struct {
	LegalName string  `json:"legalName"` // BT-44
	Address   Address `json:"address"`   // BG-8
	// Reference is the buyer's own reference for the invoice (BT-10), for
	// German public buyers their Leitweg-ID.
	Reference     string `json:"reference,omitempty"`
	PurchaseOrder string `json:"purchaseOrder,omitempty"` // BT-13
	// Routing is where e-invoices reach the city: a Leitweg-ID, a Peppol
	// participant id (BT-49).
	Routing *Endpoint `json:"routing,omitempty"`
	Email   string    `json:"email"` // where invoices and reminders go (BT-58)
}

// Lengths bound free text so it fits the documents and the e-invoice.
const (
	maxName      = 200
	maxLine      = 200
	maxReference = 100
)

// noPostcode lists countries where addresses commonly have no postal code.
var noPostcode = map[string]bool{
	"AE": true, "AG": true, "AO": true, "BS": true, "BZ": true, "CD": true, "CM": true, "FJ": true,
	"GH": true, "HK": true, "IE": true, "JM": true, "MO": true, "QA": true, "RW": true, "TZ": true,
	"UG": true, "YE": true, "ZW": true,
}

// Validate checks the buyer and returns every offending field at once.
func (b Buyer) Validate() error {
	var c failure.Collector
	b.validate(&c, "")
	return c.Err("the buyer has invalid fields")
}

func (b Buyer) validate(c *failure.Collector, at string) {
	text(c, at+"/legalName", b.LegalName, true, maxName)
	b.Address.validate(c, at+"/address")
	identifier(c, at+"/reference", b.Reference, maxReference)
	identifier(c, at+"/purchaseOrder", b.PurchaseOrder, maxReference)
	if b.Routing != nil {
		b.Routing.validate(c, at+"/routing")
	}
	email(c, at+"/email", b.Email)
}

// Validate checks the seller's configuration: every field an invoice needs.
func (s Seller) Validate() error {
	var c failure.Collector
	s.validate(&c, "")
	return c.Err("the seller has invalid fields")
}

func (s Seller) validate(c *failure.Collector, at string) {
	text(c, at+"/name", s.Name, true, maxName)
	text(c, at+"/unit", s.Unit, false, maxName)
	s.Address.validate(c, at+"/address")
	switch {
	case s.IBAN == "":
		c.Add(at+"/iban", "is required")
	case !ValidIBAN(s.IBAN):
		c.Add(at+"/iban", "must be an IBAN with valid check digits, in capitals without spaces")
	}
	switch {
	case s.BIC == "":
		c.Add(at+"/bic", "is required")
	case !ValidBIC(s.BIC):
		c.Add(at+"/bic", "must be a BIC of 8 or 11 characters, in capitals")
	}
	text(c, at+"/accountName", s.AccountName, false, 70) // the EPC QR code's limit
	identifier(c, at+"/vatId", s.VATID, 30)
	identifier(c, at+"/taxRegistrationId", s.TaxRegistrationID, 30)
	email(c, at+"/email", s.Email)
	if s.Endpoint != nil {
		s.Endpoint.validate(c, at+"/endpoint")
	}
}

func (a Address) validate(c *failure.Collector, at string) {
	text(c, at+"/street", a.Street, true, maxLine)
	text(c, at+"/additionalStreet", a.AdditionalStreet, false, maxLine)
	text(c, at+"/city", a.City, true, 100)
	text(c, at+"/region", a.Region, false, 100)
	switch {
	case a.Country == "":
		c.Add(at+"/country", "is required")
	case !ValidCountry(a.Country):
		c.Add(at+"/country", "must be an ISO 3166-1 alpha-2 code in capitals, e.g. FR")
	}
	switch {
	case a.PostalCode == "" && !noPostcode[a.Country]:
		c.Add(at+"/postalCode", "is required")
	case len(a.PostalCode) > 16:
		c.Add(at+"/postalCode", "must be at most 16 characters")
	case !onlyPostal(a.PostalCode):
		c.Add(at+"/postalCode", "must hold only letters, digits, spaces and hyphens")
	}
}

func onlyPostal(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == ' ' || r == '-') {
			return false
		}
	}
	return true
}

func (e Endpoint) validate(c *failure.Collector, at string) {
	if len(e.Scheme) != 4 || !allDigits(e.Scheme) {
		c.Add(at+"/scheme", "must be a four-digit electronic address scheme code, e.g. 0204 for a Leitweg-ID")
	}
	switch {
	case e.ID == "":
		c.Add(at+"/id", "is required")
	case len(e.ID) > 135 || strings.IndexFunc(e.ID, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		c.Add(at+"/id", "must be at most 135 printable ASCII characters without spaces")
	case e.Scheme == SchemeLeitwegID && !ValidLeitwegID(e.ID):
		c.Add(at+"/id", "must be a Leitweg-ID with valid check digits, e.g. 04011000-1234512345-06")
	case e.Scheme == SchemeGLN && !ValidGLN(e.ID):
		c.Add(at+"/id", "must be a 13-digit GLN with a valid check digit")
	}
}

// text checks a free-text field: present if required, not blank, valid
// UTF-8, at most maxLen characters, one line without control characters.
func text(c *failure.Collector, ptr, v string, required bool, maxLen int) {
	switch {
	case v == "" && required:
		c.Add(ptr, "is required")
	case v == "":
	case strings.TrimSpace(v) == "":
		c.Add(ptr, "must not be blank")
	case !utf8.ValidString(v):
		c.Add(ptr, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > maxLen:
		c.Add(ptr, "must be at most %d characters", maxLen)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		c.Add(ptr, "must not contain control characters or line breaks")
	case strings.TrimSpace(v) != v:
		c.Add(ptr, "must not start or end with spaces")
	}
}

// identifier checks an optional reference: printable, one line, bounded.
func identifier(c *failure.Collector, ptr, v string, maxLen int) {
	text(c, ptr, v, false, maxLen)
}

func email(c *failure.Collector, ptr, v string) {
	switch {
	case v == "":
		c.Add(ptr, "is required")
	case notify.ValidAddress(v) != nil:
		c.Add(ptr, "must be a plain email address such as finance@city.example")
	}
}
