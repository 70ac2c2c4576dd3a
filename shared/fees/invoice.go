package fees

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// VAT categories (UNCL5305) an invoice of the fee can carry.
const (
	// VATExempt: exempt from VAT, with a reason (the default: the Council
	// of Europe is an international organisation).
	VATExempt = "E"
	// VATOutOfScope: not subject to VAT, with a reason.
	VATOutOfScope = "O"
	// VATStandard: the standard rate of the configured percentage.
	VATStandard = "S"
)

// VATRule is how the fee is taxed: configuration, copied into each invoice.
type VATRule struct {
	Category string `json:"category"` // E (default), O or S
	// RateBasisPoints is the rate in hundredths of a percent (2000 = 20 %),
	// for category S only.
	RateBasisPoints int `json:"rateBasisPoints,omitempty"`
	// ReasonCode is the VATEX exemption reason code (BT-121), optional.
	ReasonCode string `json:"reasonCode,omitempty"`
	// Reasons is the exemption reason's text (BT-120) in each language; the
	// invoice copies the one in its language (English when missing).
	Reasons map[i18n.Lang]string `json:"reasons,omitempty"`
}

// VAT is the tax treatment an issued document carries.
type VAT struct {
	Category        string `json:"category"`
	RateBasisPoints int    `json:"rateBasisPoints,omitempty"`
	ReasonCode      string `json:"reasonCode,omitempty"`
	Reason          string `json:"reason,omitempty"` // in the document's language
}

// Exempt reports whether no VAT is charged (categories E and O).
func (v VAT) Exempt() bool { return v.Category != VATStandard }

// Tax returns the VAT on net, rounded half up to the cent.
func (v VAT) Tax(net Money) Money {
	if v.Exempt() {
		return Money{Currency: net.Currency}
	}
	return Money{Amount: prorate(net.Amount, int64(v.RateBasisPoints), 10_000), Currency: net.Currency}
}

// Percent writes the rate as e-invoices want it ("20.00", "0").
func (v VAT) Percent() string {
	if v.Exempt() {
		return "0"
	}
	return strconv.Itoa(v.RateBasisPoints/100) + "." + strconv.Itoa(v.RateBasisPoints%100 + 100)[1:]
}

// Settings are the invoicing configuration.
type Settings struct {
	Seller Seller `json:"seller"`
	// PaymentTermDays is the time to pay: due date = issue date + this many
	// days (30 when zero).
	PaymentTermDays int     `json:"paymentTermDays,omitempty"`
	VAT             VATRule `json:"vat"`
}

// DefaultPaymentTermDays is the time to pay when none is configured.
const DefaultPaymentTermDays = 30

func (s Settings) termDays() int {
	if s.PaymentTermDays == 0 {
		return DefaultPaymentTermDays
	}
	return s.PaymentTermDays
}

// Validate checks the configuration, including the EN 16931 rules that tie
// the VAT category to the seller's identifiers (BR-E-02, BR-O-02, BR-S-02)
// and to the exemption reason (BR-E-10, BR-O-10, BR-S-10).
func (s Settings) Validate() error {
	var c failure.Collector
	s.Seller.validate(&c, "/seller")
	if s.PaymentTermDays < 0 || s.PaymentTermDays > 365 {
		c.Add("/paymentTermDays", "must be from 1 to 365 days (0 for the default, 30)")
	}
	hasReason := s.VAT.ReasonCode != "" || s.VAT.Reasons[i18n.English] != ""
	switch s.VAT.Category {
	case VATExempt:
		if !hasReason {
			c.Add("/vat/reasons/en", "is required for an exempt invoice (or /vat/reasonCode)")
		}
		if s.Seller.VATID == "" && s.Seller.TaxRegistrationID == "" {
			c.Add("/seller/taxRegistrationId", "is required for an exempt invoice when the seller has no VAT id")
		}
	case VATOutOfScope:
		if !hasReason {
			c.Add("/vat/reasons/en", "is required for an invoice outside the scope of VAT (or /vat/reasonCode)")
		}
		if s.Seller.VATID != "" {
			c.Add("/seller/vatId", "must be empty for an invoice outside the scope of VAT")
		}
	case VATStandard:
		if s.VAT.RateBasisPoints <= 0 || s.VAT.RateBasisPoints >= 10_000 {
			c.Add("/vat/rateBasisPoints", "must be from 1 to 9999 (hundredths of a percent)")
		}
		if hasReason {
			c.Add("/vat/reasons", "must be empty when VAT is charged")
		}
		if s.Seller.VATID == "" {
			c.Add("/seller/vatId", "is required when VAT is charged")
		}
	default:
		c.Add("/vat/category", "must be E, O or S")
	}
	if s.VAT.Category != VATStandard && s.VAT.RateBasisPoints != 0 {
		c.Add("/vat/rateBasisPoints", "must be 0 unless VAT is charged")
	}
	for lang, r := range s.VAT.Reasons {
		text(&c, "/vat/reasons/"+string(lang), r, false, 300)
	}
	identifier(&c, "/vat/reasonCode", s.VAT.ReasonCode, 30)
	if s.VAT.ReasonCode == "VATEX-EU-O" && s.VAT.Category != VATOutOfScope {
		c.Add("/vat/reasonCode", "VATEX-EU-O is the code of category O (not subject to VAT)")
	}
	return c.Err("the invoicing settings are invalid")
}

func (r VATRule) forLang(l i18n.Lang) VAT {
	reason := r.Reasons[l]
	if reason == "" {
		reason = r.Reasons[i18n.English]
	}
	return VAT{Category: r.Category, RateBasisPoints: r.RateBasisPoints, ReasonCode: r.ReasonCode, Reason: reason}
}

// Line is the single line of a fee invoice or credit note.
type Line struct {
	// Description is the item name (BT-153) in the document's language.
	Description string `json:"description"`
	FeeYear     int    `json:"feeYear"`
	Months      int    `json:"months"` // 12, or fewer when prorated
	PeriodStart Date   `json:"periodStart"`
	PeriodEnd   Date   `json:"periodEnd"`
	Amount      Money  `json:"amount"` // net (BT-131)
}

// Totals are a document's sums.
type Totals struct {
	Net   Money `json:"net"`   // BT-106 = BT-109
	VAT   Money `json:"vat"`   // BT-110
	Gross Money `json:"gross"` // BT-112 = BT-115 (nothing prepaid)
}

func totals(l Line, v VAT) Totals {
	tax := v.Tax(l.Amount)
	return Totals{Net: l.Amount, VAT: tax, Gross: l.Amount.Add(tax)}
}

// Invoice is an issued invoice of the yearly fee. Once issued it never
// changes: the buyer and seller are copies taken at issue, and corrections
// are credit notes.
type Invoice struct {
	ID        string    `json:"id"`
	Number    string    `json:"number"` // ICC-<year>-<seq>
	Year      int       `json:"year"`   // the year of issue: the number series
	Seq       int       `json:"seq"`
	CityID    string    `json:"cityId"`
	FeeYear   int       `json:"feeYear"`
	IssueDate Date      `json:"issueDate"`
	DueDate   Date      `json:"dueDate"`
	Seller    Seller    `json:"seller"`
	Buyer     Buyer     `json:"buyer"`
	Line      Line      `json:"line"`
	Currency  string    `json:"currency"`
	VAT       VAT       `json:"vat"`
	Language  i18n.Lang `json:"language"`
	// PaymentReference is the ISO 11649 creditor reference of the number,
	// the structured remittance information payers are asked to quote.
	PaymentReference string `json:"paymentReference"`
}

// Totals returns the invoice's sums.
func (inv Invoice) Totals() Totals { return totals(inv.Line, inv.VAT) }

// Total returns the amount to pay (BT-115).
func (inv Invoice) Total() Money { return inv.Totals().Gross }

// InvoiceNumber returns the number of the seq-th invoice issued in year:
// ICC-2027-0001; the sequence is zero-padded to four digits and simply
// grows past 9999 (ICC-2027-10000).
func InvoiceNumber(year, seq int) string { return fmt.Sprintf("ICC-%d-%04d", year, seq) }

// CreditNoteNumber returns the number of the seq-th credit note issued in
// year, from its own series: ICC-CN-2027-0001.
func CreditNoteNumber(year, seq int) string { return fmt.Sprintf("ICC-CN-%d-%04d", year, seq) }

// ParseInvoiceNumber reads an invoice number back into its year and
// sequence.
func ParseInvoiceNumber(s string) (year, seq int, ok bool) {
	rest, found := strings.CutPrefix(s, "ICC-")
	if !found {
		return 0, 0, false
	}
	y, q, found := strings.Cut(rest, "-")
	if !found || len(y) != 4 || !allDigits(y) || len(q) < 4 || len(q) > 9 || !allDigits(q) {
		return 0, 0, false
	}
	year, _ = strconv.Atoi(y)
	seq, _ = strconv.Atoi(q)
	if seq < 1 || InvoiceNumber(year, seq) != s {
		return 0, 0, false
	}
	return year, seq, true
}

// InvoiceRequest is what issuing one invoice needs besides the settings.
type InvoiceRequest struct {
	ID        string    // opaque, from the caller
	Seq       int       // the next number in the series of IssueDate's year
	CityID    string    //
	Buyer     Buyer     // the city's billing details, copied
	Language  i18n.Lang // the city's language: en or fr
	Charge    Charge    // what the fee year costs (ChargeFor)
	IssueDate Date      // today in Paris (Today)
}

// IssueInvoice makes the invoice of r under settings s. It checks
// everything and returns field errors; it never reads a clock.
func (s Settings) IssueInvoice(r InvoiceRequest) (Invoice, error) {
	if err := s.Validate(); err != nil {
		return Invoice{}, err
	}
	var c failure.Collector
	required(&c, "/id", r.ID)
	required(&c, "/cityId", r.CityID)
	if r.Seq < 1 {
		c.Add("/seq", "must be 1 or more")
	}
	r.Buyer.validate(&c, "/buyer")
	checkLang(&c, "/language", r.Language)
	switch {
	case r.Charge.Amount.Currency != EUR:
		c.Add("/charge/amount/currency", "must be EUR")
	case r.Charge.Amount.Amount <= 0 || r.Charge.Amount.Amount > MaxAmount:
		c.Add("/charge/amount/amount", "must be from 1 to %d cents", MaxAmount)
	}
	if r.Charge.Year < 2000 || r.Charge.Year > 2200 {
		c.Add("/charge/year", "must be a plausible year")
	}
	if r.Charge.Months < 1 || r.Charge.Months > 12 || r.Charge.From.IsZero() || r.Charge.To.Before(r.Charge.From) {
		c.Add("/charge", "must come from ChargeFor: 1 to 12 months over a period within the year")
	}
	if r.IssueDate.IsZero() {
		c.Add("/issueDate", "is required")
	}
	if err := c.Err("the invoice cannot be issued"); err != nil {
		return Invoice{}, err
	}
	inv := Invoice{
		ID:        r.ID,
		Number:    InvoiceNumber(r.IssueDate.Year(), r.Seq),
		Year:      r.IssueDate.Year(),
		Seq:       r.Seq,
		CityID:    r.CityID,
		FeeYear:   r.Charge.Year,
		IssueDate: r.IssueDate,
		DueDate:   r.IssueDate.AddDays(s.termDays()),
		Seller:    s.Seller,
		Buyer:     copyBuyer(r.Buyer),
		Line: Line{
			Description: FeeDescription(r.Language, r.Charge),
			FeeYear:     r.Charge.Year,
			Months:      r.Charge.Months,
			PeriodStart: r.Charge.From,
			PeriodEnd:   r.Charge.To,
			Amount:      r.Charge.Amount,
		},
		Currency: EUR,
		VAT:      s.VAT.forLang(r.Language),
		Language: r.Language,
	}
	if inv.Seller.Endpoint != nil {
		e := *inv.Seller.Endpoint
		inv.Seller.Endpoint = &e
	}
	ref, err := CreditorReference(inv.Number)
	if err != nil {
		return Invoice{}, err
	}
	inv.PaymentReference = ref
	return inv, nil
}

// copyBuyer returns b with its own copy of what it points to, so the issued
// invoice shares nothing with the city's record; a German public buyer
// without a buyer reference gets its Leitweg-ID there, where XRechnung
// receivers route on it (BR-DE-15).
func copyBuyer(b Buyer) Buyer {
	if b.Routing != nil {
		r := *b.Routing
		b.Routing = &r
		if b.Reference == "" && r.Scheme == SchemeLeitwegID {
			b.Reference = r.ID
		}
	}
	return b
}

// FeeDescription is the invoice line's text for a charge, in language l.
func FeeDescription(l i18n.Lang, c Charge) string {
	if l == i18n.French {
		s := fmt.Sprintf("Contribution aux frais administratifs %d – programme des Cités interculturelles (accord, §2.5)", c.Year)
		if c.Prorated() {
			s += fmt.Sprintf(", %d mois sur 12", c.Months)
		}
		return s
	}
	s := fmt.Sprintf("Administrative fee %d – Intercultural Cities programme (agreement, §2.5)", c.Year)
	if c.Prorated() {
		s += fmt.Sprintf(", %d of 12 months", c.Months)
	}
	return s
}

func required(c *failure.Collector, ptr, v string) {
	switch {
	case v == "":
		c.Add(ptr, "is required")
	case len(v) > 100 || strings.TrimSpace(v) != v:
		c.Add(ptr, "must be an identifier of at most 100 characters")
	}
}

func checkLang(c *failure.Collector, ptr string, l i18n.Lang) {
	if l != i18n.English && l != i18n.French {
		c.Add(ptr, "must be en or fr")
	}
}

// InvoiceSeries names the series of invoice numbers of a year of issue.
func InvoiceSeries(year int) string { return "ICC-" + strconv.Itoa(year) }

// CreditNoteSeries names the series of credit note numbers of a year.
func CreditNoteSeries(year int) string { return "ICC-CN-" + strconv.Itoa(year) }
