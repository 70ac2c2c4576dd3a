// Package camt reads ISO 20022 bank-to-customer statements (camt.053, the
// end-of-day account statement European banks export), versions
// camt.053.001.02 to .13: the statement, its account, and each entry with
// its transactions' remittance information and debtor, so that incoming
// payments can be matched to the fee's invoices (fees.MatchCredit).
//
// Parsing is strict and safe: the input is size-limited, a document type
// declaration is refused (so no entity can be expanded), amounts are read
// exactly into cents (never rounded), and a missing or malformed required
// element is an error naming it with a JSON-Pointer-style path into the
// document ("/Document/BkToCstmrStmt/Stmt/0/Ntry/2/Amt").
package camt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
)

// MaxSize bounds a statement file: a year of a busy account's entries fits
// many times over, and a larger upload is refused before it is parsed.
const MaxSize = 10 << 20

const nsPrefix = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."

// Document is a parsed camt.053 message.
type Document struct {
	// Version is the message version, e.g. "camt.053.001.08".
	Version    string      `json:"version"`
	MessageID  string      `json:"messageId"`
	Statements []Statement `json:"statements"`
}

// Statement is one account's statement.
type Statement struct {
	ID        string  `json:"id"`
	IBAN      string  `json:"iban"`
	Currency  string  `json:"currency"`
	CreatedAt string  `json:"createdAt,omitempty"` // as the bank wrote it
	Entries   []Entry `json:"entries"`
}

// Entry is one booking on the account: one amount, possibly a batch of
// several transactions.
type Entry struct {
	// Ref is the entry reference (NtryRef), unique within the statement.
	Ref string `json:"ref,omitempty"`
	// ServicerRef is the bank's reference (AcctSvcrRef), unique for the
	// account across statements.
	ServicerRef  string        `json:"servicerRef,omitempty"`
	Credit       bool          `json:"credit"` // CdtDbtInd CRDT; false: DBIT
	Amount       fees.Money    `json:"amount"`
	Status       string        `json:"status"` // BOOK, PDNG, INFO…
	BookingDate  fees.Date     `json:"bookingDate"`
	ValueDate    fees.Date     `json:"valueDate"`
	Transactions []Transaction `json:"transactions"`
}

// Booked reports whether the entry is booked (not pending or informative).
func (e Entry) Booked() bool { return e.Status == "BOOK" }

// Transaction is one transaction of an entry.
type Transaction struct {
	Amount      fees.Money `json:"amount"`
	EndToEndID  string     `json:"endToEndId,omitempty"`
	ServicerRef string     `json:"servicerRef,omitempty"`
	// Unstructured is the free remittance text (Ustrd), lines joined by a
	// space.
	Unstructured string `json:"unstructured,omitempty"`
	// CreditorRefs are the structured creditor references (Strd/CdtrRefInf/Ref).
	CreditorRefs []string `json:"creditorRefs,omitempty"`
	DebtorName   string   `json:"debtorName,omitempty"`
	DebtorIBAN   string   `json:"debtorIban,omitempty"`
}

// Credit is money received: one transaction of a booked credit entry.
type Credit struct {
	// Key identifies the credit across imports: the caller records it, and
	// a credit whose key is already recorded is not recorded again.
	Key         string     `json:"key"`
	StatementID string     `json:"statementId"`
	EntryRef    string     `json:"entryRef"` // the reference the key is built on
	IBAN        string     `json:"iban"`     // the account credited
	Amount      fees.Money `json:"amount"`
	BookingDate fees.Date  `json:"bookingDate"`
	Transaction
}

// Match returns what the fee matcher needs of the credit: the first
// creditor reference as the structured reference, the free text and the
// debtor.
func (c Credit) Match() fees.Credit {
	m := fees.Credit{Amount: c.Amount, Unstructured: c.Unstructured, DebtorName: c.DebtorName}
	if len(c.CreditorRefs) > 0 {
		m.StructuredRef = c.CreditorRefs[0]
		// Further references go with the text, where the matcher still
		// looks for creditor references and numbers.
		for _, r := range c.CreditorRefs[1:] {
			m.Unstructured += " " + r
		}
	}
	return m
}

// Credits returns the booked credits of every statement, one per
// transaction, each with its idempotency key:
//
//   - the bank's entry reference (AcctSvcrRef), scoped by the account's
//     IBAN: it is unique for the account, so an entry exported again in
//     another statement (a monthly statement after the daily ones) keeps
//     its key;
//   - else the statement id and the entry reference (NtryRef), unique
//     within a statement;
//   - else a SHA-256 of the entry's content (account, dates, amount,
//     remittance information, debtor), counted among identical entries of
//     the statement, so two identical transfers on one day stay two.
//
// A transaction of a batch entry adds its position to the entry's key.
func (d Document) Credits() []Credit {
	var out []Credit
	for _, s := range d.Statements {
		seen := map[string]int{}
		for _, e := range s.Entries {
			if !e.Credit || !e.Booked() {
				continue
			}
			// The variable parts are escaped (no ":" nor "/" is left in them),
			// so that no two different entries can spell the same key.
			var base, ref string
			switch {
			case e.ServicerRef != "":
				ref = e.ServicerRef
				base = "camt:" + s.IBAN + ":svcr:" + url.QueryEscape(ref)
			case e.Ref != "":
				ref = e.Ref
				base = "camt:" + s.IBAN + ":stmt:" + url.QueryEscape(s.ID) + ":ntry:" + url.QueryEscape(ref)
			default:
				h := contentHash(s, e)
				seen[h]++
				ref = "sha256:" + h[:32] + ":" + strconv.Itoa(seen[h])
				base = "camt:" + s.IBAN + ":" + ref
			}
			for i, tx := range e.Transactions {
				key, eref := base, ref
				if len(e.Transactions) > 1 {
					key += "/" + strconv.Itoa(i+1)
					eref += "/" + strconv.Itoa(i+1)
				}
				out = append(out, Credit{Key: key, StatementID: s.ID, EntryRef: eref, IBAN: s.IBAN,
					Amount: tx.Amount, BookingDate: e.BookingDate, Transaction: tx})
			}
		}
	}
	return out
}

func contentHash(s Statement, e Entry) string {
	h := sha256.New()
	field := func(v string) { fmt.Fprintf(h, "%d:%s;", len(v), v) }
	field(s.IBAN)
	field(e.BookingDate.String())
	field(e.ValueDate.String())
	field(e.Amount.String())
	for _, tx := range e.Transactions {
		field(tx.Amount.String())
		field(tx.EndToEndID)
		field(tx.Unstructured)
		field(strings.Join(tx.CreditorRefs, ","))
		field(tx.DebtorName)
		field(tx.DebtorIBAN)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// The XML shapes read, namespace-agnostic: the root's namespace is checked
// once, and the elements read have the same names in every version.
type xDocument struct {
	XMLName xml.Name `xml:"Document"`
	Msg     *struct {
		GrpHdr struct {
			MsgID string `xml:"MsgId"`
		} `xml:"GrpHdr"`
		Stmts []xStatement `xml:"Stmt"`
	} `xml:"BkToCstmrStmt"`
}

type xStatement struct {
	ID      string `xml:"Id"`
	CreDtTm string `xml:"CreDtTm"`
	Acct    struct {
		ID struct {
			IBAN string `xml:"IBAN"`
		} `xml:"Id"`
		Ccy string `xml:"Ccy"`
	} `xml:"Acct"`
	Entries []xEntry `xml:"Ntry"`
}

type xAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type xDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

type xEntry struct {
	NtryRef   string   `xml:"NtryRef"`
	Amt       *xAmount `xml:"Amt"`
	CdtDbtInd string   `xml:"CdtDbtInd"`
	Sts       *struct {
		Text string `xml:",chardata"` // .02: <Sts>BOOK</Sts>
		Cd   string `xml:"Cd"`        // .08: <Sts><Cd>BOOK</Cd></Sts>
	} `xml:"Sts"`
	BookgDt     *xDate `xml:"BookgDt"`
	ValDt       *xDate `xml:"ValDt"`
	AcctSvcrRef string `xml:"AcctSvcrRef"`
	Details     []struct {
		TxDtls []xTx `xml:"TxDtls"`
	} `xml:"NtryDtls"`
}

type xParty struct {
	Nm  string `xml:"Nm"`
	Pty struct {
		Nm string `xml:"Nm"`
	} `xml:"Pty"`
}

type xTx struct {
	Refs struct {
		AcctSvcrRef string `xml:"AcctSvcrRef"`
		EndToEndID  string `xml:"EndToEndId"`
	} `xml:"Refs"`
	Amt     *xAmount `xml:"Amt"`
	AmtDtls struct {
		TxAmt struct {
			Amt *xAmount `xml:"Amt"`
		} `xml:"TxAmt"`
	} `xml:"AmtDtls"`
	RltdPties struct {
		Dbtr     xParty `xml:"Dbtr"`
		DbtrAcct struct {
			ID struct {
				IBAN string `xml:"IBAN"`
			} `xml:"Id"`
		} `xml:"DbtrAcct"`
	} `xml:"RltdPties"`
	RmtInf struct {
		Ustrd []string `xml:"Ustrd"`
		Strd  []struct {
			CdtrRefInf struct {
				Ref string `xml:"Ref"`
			} `xml:"CdtrRefInf"`
		} `xml:"Strd"`
	} `xml:"RmtInf"`
}

// Parse reads a camt.053 document of at most MaxSize bytes.
func Parse(r io.Reader) (Document, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Document{}, err
	}
	if len(b) > MaxSize {
		return Document{}, failure.New(failure.TooLarge, "the statement is over %d bytes", MaxSize)
	}
	return parse(b)
}

func invalid(ptr, format string, args ...any) error {
	return failure.Fields("the bank statement is not a camt.053 statement we can read", failure.Field(ptr, format, args...))
}

func parse(b []byte) (Document, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	// No CharsetReader: ISO 20022 messages are UTF-8, and any other
	// declared encoding is refused.
	var start xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			return Document{}, invalid("/", "is not well-formed XML: %s", syntaxError(err))
		}
		if d, ok := tok.(xml.Directive); ok && len(d) > 0 {
			return Document{}, invalid("/", "must not declare a document type")
		}
		if s, ok := tok.(xml.StartElement); ok {
			start = s
			break
		}
	}
	if start.Name.Local != "Document" {
		return Document{}, invalid("/Document", "is required as the root element (found %s)", start.Name.Local)
	}
	version, ok := strings.CutPrefix(start.Name.Space, nsPrefix)
	if n, err := strconv.Atoi(version); !ok || err != nil || len(version) != 2 || n < 2 || n > 13 {
		return Document{}, invalid("/Document", "must be in a camt.053.001.02 to .13 namespace (found %q)", start.Name.Space)
	}
	var x xDocument
	if err := dec.DecodeElement(&x, &start); err != nil {
		return Document{}, invalid("/Document", "is not well-formed XML: %s", syntaxError(err))
	}
	// Nothing but comments and space may follow the root.
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Document{}, invalid("/", "is not well-formed XML: %s", syntaxError(err))
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return Document{}, invalid("/", "has text after the root element")
			}
		default:
			return Document{}, invalid("/", "has content after the root element")
		}
	}
	return convert(x, "camt.053.001."+version)
}

func syntaxError(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("line %d: %s", se.Line, se.Msg)
	}
	return err.Error()
}

func convert(x xDocument, version string) (Document, error) {
	var c failure.Collector
	doc := Document{Version: version}
	root := "/Document/BkToCstmrStmt"
	if x.Msg == nil {
		c.Add(root, "is required")
		return Document{}, c.Err("the bank statement is not a camt.053 statement we can read")
	}
	doc.MessageID = strings.TrimSpace(x.Msg.GrpHdr.MsgID)
	if len(x.Msg.Stmts) == 0 {
		c.Add(root+"/Stmt", "is required")
	}
	servicerRefs := map[string]string{} // the bank's references are unique per account
	for i, xs := range x.Msg.Stmts {
		at := fmt.Sprintf("%s/Stmt/%d", root, i)
		s := Statement{ID: strings.TrimSpace(xs.ID), IBAN: strings.TrimSpace(xs.Acct.ID.IBAN),
			Currency: strings.TrimSpace(xs.Acct.Ccy), CreatedAt: strings.TrimSpace(xs.CreDtTm)}
		if s.ID == "" {
			c.Add(at+"/Id", "is required")
		}
		switch {
		case s.IBAN == "":
			c.Add(at+"/Acct/Id/IBAN", "is required (an account identified by its IBAN)")
		case !fees.ValidIBAN(s.IBAN):
			c.Add(at+"/Acct/Id/IBAN", "must be a valid IBAN")
		}
		if s.Currency != "" && !currency(s.Currency) {
			c.Add(at+"/Acct/Ccy", "must be an ISO 4217 currency code")
		}
		entryRefs := map[string]int{}
		for j, xe := range xs.Entries {
			ptr := fmt.Sprintf("%s/Ntry/%d", at, j)
			e, ok := entry(&c, ptr, xe)
			if ok && s.Currency == "" {
				s.Currency = e.Amount.Currency
			}
			// A reference given twice would make two payments one: refuse
			// the statement rather than lose one.
			if e.ServicerRef != "" {
				k := s.IBAN + "\x00" + e.ServicerRef
				if first, dup := servicerRefs[k]; dup {
					c.Add(ptr+"/AcctSvcrRef", "repeats the reference of %s", first)
				} else {
					servicerRefs[k] = ptr
				}
			}
			if e.Ref != "" {
				if first, dup := entryRefs[e.Ref]; dup {
					c.Add(ptr+"/NtryRef", "repeats the reference of entry %d", first)
				} else {
					entryRefs[e.Ref] = j
				}
			}
			s.Entries = append(s.Entries, e)
		}
		doc.Statements = append(doc.Statements, s)
	}
	if err := c.Err("the bank statement is not a camt.053 statement we can read"); err != nil {
		return Document{}, err
	}
	return doc, nil
}

func currency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// money reads an amount element: a currency and at most two decimals.
func money(c *failure.Collector, ptr string, a *xAmount) (fees.Money, bool) {
	if a == nil {
		c.Add(ptr, "is required")
		return fees.Money{}, false
	}
	ok := true
	if !currency(a.Ccy) {
		c.Add(ptr+"/@Ccy", "must be an ISO 4217 currency code")
		ok = false
	}
	cents, err := fees.ParseDecimal(strings.TrimSpace(a.Value))
	if err != nil {
		c.Add(ptr, "must be an amount with at most two decimals: %v", err)
		ok = false
	} else if cents == 0 {
		c.Add(ptr, "must be more than zero")
		ok = false
	}
	return fees.Money{Amount: cents, Currency: a.Ccy}, ok
}

func dateOf(c *failure.Collector, ptr string, d *xDate, required bool) fees.Date {
	if d == nil || d.Dt == "" && d.DtTm == "" {
		if required {
			c.Add(ptr, "is required")
		}
		return fees.Date{}
	}
	if d.Dt != "" {
		v, err := fees.ParseDate(strings.TrimSpace(d.Dt))
		if err != nil {
			c.Add(ptr+"/Dt", "must be a date YYYY-MM-DD")
		}
		return v
	}
	// A date and time: the day the bank wrote, in its own offset.
	s := strings.TrimSpace(d.DtTm)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return fees.NewDate(t.Year(), t.Month(), t.Day())
		}
	}
	c.Add(ptr+"/DtTm", "must be a date and time")
	return fees.Date{}
}

func entry(c *failure.Collector, at string, xe xEntry) (Entry, bool) {
	before := len(c.Errs)
	e := Entry{Ref: strings.TrimSpace(xe.NtryRef), ServicerRef: strings.TrimSpace(xe.AcctSvcrRef)}
	e.Amount, _ = money(c, at+"/Amt", xe.Amt)
	switch strings.TrimSpace(xe.CdtDbtInd) {
	case "CRDT":
		e.Credit = true
	case "DBIT":
	case "":
		c.Add(at+"/CdtDbtInd", "is required")
	default:
		c.Add(at+"/CdtDbtInd", "must be CRDT or DBIT")
	}
	if xe.Sts != nil {
		e.Status = strings.TrimSpace(xe.Sts.Cd)
		if e.Status == "" {
			e.Status = strings.TrimSpace(xe.Sts.Text)
		}
	}
	switch e.Status {
	case "":
		c.Add(at+"/Sts", "is required")
	case "BOOK", "PDNG", "INFO", "FUTR":
	default:
		c.Add(at+"/Sts", "must be BOOK, PDNG, INFO or FUTR")
	}
	e.BookingDate = dateOf(c, at+"/BookgDt", xe.BookgDt, e.Status == "BOOK")
	e.ValueDate = dateOf(c, at+"/ValDt", xe.ValDt, false)

	var txs []xTx
	for _, d := range xe.Details {
		txs = append(txs, d.TxDtls...)
	}
	for k, xt := range txs {
		ptr := fmt.Sprintf("%s/NtryDtls/TxDtls/%d", at, k)
		tx := Transaction{
			EndToEndID:   strings.TrimSpace(xt.Refs.EndToEndID),
			ServicerRef:  strings.TrimSpace(xt.Refs.AcctSvcrRef),
			DebtorName:   strings.TrimSpace(xt.RltdPties.Dbtr.Nm),
			DebtorIBAN:   strings.TrimSpace(xt.RltdPties.DbtrAcct.ID.IBAN),
			Unstructured: strings.Join(strings.Fields(strings.Join(xt.RmtInf.Ustrd, " ")), " "),
		}
		if tx.EndToEndID == "NOTPROVIDED" {
			tx.EndToEndID = ""
		}
		if tx.DebtorName == "" {
			tx.DebtorName = strings.TrimSpace(xt.RltdPties.Dbtr.Pty.Nm)
		}
		for _, s := range xt.RmtInf.Strd {
			if ref := strings.TrimSpace(s.CdtrRefInf.Ref); ref != "" {
				tx.CreditorRefs = append(tx.CreditorRefs, ref)
			}
		}
		switch {
		case len(txs) == 1:
			// What the account received: a transaction's own amount may be
			// the instructed one, in the payer's currency.
			tx.Amount = e.Amount
		case xt.Amt != nil:
			tx.Amount, _ = money(c, ptr+"/Amt", xt.Amt)
		case xt.AmtDtls.TxAmt.Amt != nil:
			tx.Amount, _ = money(c, ptr+"/AmtDtls/TxAmt/Amt", xt.AmtDtls.TxAmt.Amt)
		default:
			c.Add(ptr+"/Amt", "is required in a batch entry")
		}
		e.Transactions = append(e.Transactions, tx)
	}
	if len(txs) == 0 {
		// An entry without details is one transaction of its own amount.
		e.Transactions = []Transaction{{Amount: e.Amount}}
	}
	if len(c.Errs) == before && len(txs) > 1 && e.Credit {
		var sum fees.Money
		for _, tx := range e.Transactions {
			if tx.Amount.Currency != e.Amount.Currency {
				c.Add(at+"/NtryDtls", "transactions in another currency than the entry are not supported")
				return e, false
			}
			sum = sum.Add(tx.Amount)
		}
		if sum.Amount != e.Amount.Amount {
			c.Add(at+"/NtryDtls", "the transactions add up to %s, not the entry's %s", sum.Decimal(), e.Amount.Decimal())
		}
	}
	return e, len(c.Errs) == before
}
