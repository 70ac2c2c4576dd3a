package store

import (
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// The storage shapes of the fee's documents, held as JSON text on their
// items. Like the city's (cityrecord.go), these field names never change;
// dates are stored as YYYY-MM-DD, amounts in integer cents.

type moneyAmount struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type addressRecord struct {
	Street           string `json:"street"`
	AdditionalStreet string `json:"additionalStreet,omitempty"`
	City             string `json:"city"`
	PostalCode       string `json:"postalCode,omitempty"`
	Region           string `json:"region,omitempty"`
	Country          string `json:"country"`
}

type endpointRecord struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

type sellerRecord struct {
	Name              string          `json:"name"`
	Unit              string          `json:"unit,omitempty"`
	Address           addressRecord   `json:"address"`
	IBAN              string          `json:"iban"`
	BIC               string          `json:"bic"`
	AccountName       string          `json:"accountName,omitempty"`
	VATID             string          `json:"vatId,omitempty"`
	TaxRegistrationID string          `json:"taxRegistrationId,omitempty"`
	Email             string          `json:"email"`
	Endpoint          *endpointRecord `json:"endpoint,omitempty"`
}

type buyerRecord struct {
	LegalName     string          `json:"legalName"`
	Address       addressRecord   `json:"address"`
	Reference     string          `json:"reference,omitempty"`
	PurchaseOrder string          `json:"purchaseOrder,omitempty"`
	Routing       *endpointRecord `json:"routing,omitempty"`
	Email         string          `json:"email"`
}

type lineRecord struct {
	Description string      `json:"description"`
	FeeYear     int         `json:"feeYear"`
	Months      int         `json:"months"`
	PeriodStart fees.Date   `json:"periodStart"`
	PeriodEnd   fees.Date   `json:"periodEnd"`
	Amount      moneyAmount `json:"amount"`
}

type vatRecord struct {
	Category        string `json:"category"`
	RateBasisPoints int    `json:"rateBasisPoints,omitempty"`
	ReasonCode      string `json:"reasonCode,omitempty"`
	Reason          string `json:"reason,omitempty"`
}

type invoiceRecord struct {
	ID               string       `json:"id"`
	Number           string       `json:"number"`
	Year             int          `json:"year"`
	Seq              int          `json:"seq"`
	CityID           string       `json:"cityId"`
	FeeYear          int          `json:"feeYear"`
	IssueDate        fees.Date    `json:"issueDate"`
	DueDate          fees.Date    `json:"dueDate"`
	Seller           sellerRecord `json:"seller"`
	Buyer            buyerRecord  `json:"buyer"`
	Line             lineRecord   `json:"line"`
	Currency         string       `json:"currency"`
	VAT              vatRecord    `json:"vat"`
	Language         string       `json:"language"`
	PaymentReference string       `json:"paymentReference"`
}

type creditNoteRecord struct {
	ID               string       `json:"id"`
	Number           string       `json:"number"`
	Year             int          `json:"year"`
	Seq              int          `json:"seq"`
	InvoiceID        string       `json:"invoiceId"`
	InvoiceNumber    string       `json:"invoiceNumber"`
	InvoiceIssueDate fees.Date    `json:"invoiceIssueDate"`
	CityID           string       `json:"cityId"`
	FeeYear          int          `json:"feeYear"`
	IssueDate        fees.Date    `json:"issueDate"`
	Seller           sellerRecord `json:"seller"`
	Buyer            buyerRecord  `json:"buyer"`
	Line             lineRecord   `json:"line"`
	Currency         string       `json:"currency"`
	VAT              vatRecord    `json:"vat"`
	Language         string       `json:"language"`
	Reason           string       `json:"reason"`
}

type paymentRecord struct {
	ID          string      `json:"id"`
	InvoiceID   string      `json:"invoiceId"`
	Amount      moneyAmount `json:"amount"`
	ReceivedOn  fees.Date   `json:"receivedOn"`
	Reference   string      `json:"reference,omitempty"`
	Source      string      `json:"source"`
	StatementID string      `json:"statementId,omitempty"`
	EntryRef    string      `json:"entryRef,omitempty"`
}

func endpointOf(e *fees.Endpoint) *endpointRecord {
	if e == nil {
		return nil
	}
	r := endpointRecord(*e)
	return &r
}

func endpoint(r *endpointRecord) *fees.Endpoint {
	if r == nil {
		return nil
	}
	e := fees.Endpoint(*r)
	return &e
}

func sellerOf(s fees.Seller) sellerRecord {
	return sellerRecord{Name: s.Name, Unit: s.Unit, Address: addressRecord(s.Address), IBAN: s.IBAN, BIC: s.BIC,
		AccountName: s.AccountName, VATID: s.VATID, TaxRegistrationID: s.TaxRegistrationID, Email: s.Email,
		Endpoint: endpointOf(s.Endpoint)}
}

func (r sellerRecord) seller() fees.Seller {
	return fees.Seller{Name: r.Name, Unit: r.Unit, Address: fees.Address(r.Address), IBAN: r.IBAN, BIC: r.BIC,
		AccountName: r.AccountName, VATID: r.VATID, TaxRegistrationID: r.TaxRegistrationID, Email: r.Email,
		Endpoint: endpoint(r.Endpoint)}
}

func buyerOf(b fees.Buyer) buyerRecord {
	return buyerRecord{LegalName: b.LegalName, Address: addressRecord(b.Address), Reference: b.Reference,
		PurchaseOrder: b.PurchaseOrder, Routing: endpointOf(b.Routing), Email: b.Email}
}

func (r buyerRecord) buyer() fees.Buyer {
	return fees.Buyer{LegalName: r.LegalName, Address: fees.Address(r.Address), Reference: r.Reference,
		PurchaseOrder: r.PurchaseOrder, Routing: endpoint(r.Routing), Email: r.Email}
}

func lineOf(l fees.Line) lineRecord {
	return lineRecord{Description: l.Description, FeeYear: l.FeeYear, Months: l.Months, PeriodStart: l.PeriodStart,
		PeriodEnd: l.PeriodEnd, Amount: moneyAmount(l.Amount)}
}

func (r lineRecord) line() fees.Line {
	return fees.Line{Description: r.Description, FeeYear: r.FeeYear, Months: r.Months, PeriodStart: r.PeriodStart,
		PeriodEnd: r.PeriodEnd, Amount: fees.Money(r.Amount)}
}

func invoiceRecordOf(inv fees.Invoice) invoiceRecord {
	return invoiceRecord{ID: inv.ID, Number: inv.Number, Year: inv.Year, Seq: inv.Seq, CityID: inv.CityID,
		FeeYear: inv.FeeYear, IssueDate: inv.IssueDate, DueDate: inv.DueDate, Seller: sellerOf(inv.Seller),
		Buyer: buyerOf(inv.Buyer), Line: lineOf(inv.Line), Currency: inv.Currency, VAT: vatRecord(inv.VAT),
		Language: string(inv.Language), PaymentReference: inv.PaymentReference}
}

func (r invoiceRecord) invoice() fees.Invoice {
	return fees.Invoice{ID: r.ID, Number: r.Number, Year: r.Year, Seq: r.Seq, CityID: r.CityID, FeeYear: r.FeeYear,
		IssueDate: r.IssueDate, DueDate: r.DueDate, Seller: r.Seller.seller(), Buyer: r.Buyer.buyer(),
		Line: r.Line.line(), Currency: r.Currency, VAT: fees.VAT(r.VAT), Language: i18n.Lang(r.Language),
		PaymentReference: r.PaymentReference}
}

func creditNoteRecordOf(cn fees.CreditNote) creditNoteRecord {
	return creditNoteRecord{ID: cn.ID, Number: cn.Number, Year: cn.Year, Seq: cn.Seq, InvoiceID: cn.InvoiceID,
		InvoiceNumber: cn.InvoiceNumber, InvoiceIssueDate: cn.InvoiceIssueDate, CityID: cn.CityID, FeeYear: cn.FeeYear,
		IssueDate: cn.IssueDate, Seller: sellerOf(cn.Seller), Buyer: buyerOf(cn.Buyer), Line: lineOf(cn.Line),
		Currency: cn.Currency, VAT: vatRecord(cn.VAT), Language: string(cn.Language), Reason: cn.Reason}
}

func (r creditNoteRecord) creditNote() fees.CreditNote {
	return fees.CreditNote{ID: r.ID, Number: r.Number, Year: r.Year, Seq: r.Seq, InvoiceID: r.InvoiceID,
		InvoiceNumber: r.InvoiceNumber, InvoiceIssueDate: r.InvoiceIssueDate, CityID: r.CityID, FeeYear: r.FeeYear,
		IssueDate: r.IssueDate, Seller: r.Seller.seller(), Buyer: r.Buyer.buyer(), Line: r.Line.line(),
		Currency: r.Currency, VAT: fees.VAT(r.VAT), Language: i18n.Lang(r.Language), Reason: r.Reason}
}

func paymentRecordOf(p fees.Payment) paymentRecord {
	return paymentRecord{ID: p.ID, InvoiceID: p.InvoiceID, Amount: moneyAmount(p.Amount), ReceivedOn: p.ReceivedOn,
		Reference: p.Reference, Source: p.Source.Kind, StatementID: p.Source.StatementID, EntryRef: p.Source.EntryRef}
}

func (r paymentRecord) payment() fees.Payment {
	return fees.Payment{ID: r.ID, InvoiceID: r.InvoiceID, Amount: fees.Money(r.Amount), ReceivedOn: r.ReceivedOn,
		Reference: r.Reference, Source: fees.PaymentSource{Kind: r.Source, StatementID: r.StatementID, EntryRef: r.EntryRef}}
}
