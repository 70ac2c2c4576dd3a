package httpapi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/intercultural-cities/backoffice/shared/camt"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// InvoiceView is an invoice as the API shows it: the document's key facts
// and its account today.
type InvoiceView struct {
	InvoiceID        string            `json:"invoiceId"`
	Number           string            `json:"number"`
	CityID           string            `json:"cityId"`
	Buyer            string            `json:"buyer"`
	FeeYear          int               `json:"feeYear"`
	IssueDate        string            `json:"issueDate"`
	DueDate          string            `json:"dueDate"`
	Total            fees.Money        `json:"total"`
	Paid             fees.Money        `json:"paid"`
	Credited         fees.Money        `json:"credited"`
	Outstanding      fees.Money        `json:"outstanding"`
	Overpaid         fees.Money        `json:"overpaid"`
	Status           fees.Status       `json:"status"`
	Flagged          bool              `json:"flagged"`
	PaymentReference string            `json:"paymentReference"`
	DocumentsReady   bool              `json:"documentsReady"`
	Links            map[string]string `json:"links"`
}

// InvoiceDetail is one invoice with its lines, parties, payments and
// credit notes.
type InvoiceDetail struct {
	InvoiceView
	Seller      fees.Seller      `json:"seller"`
	BuyerDetail fees.Buyer       `json:"buyerDetails"`
	Line        fees.Line        `json:"line"`
	VAT         fees.VAT         `json:"vat"`
	Language    string           `json:"language"`
	Payments    []PaymentView    `json:"payments"`
	CreditNotes []CreditNoteView `json:"creditNotes"`
}

// PaymentView is a payment as the API shows it.
type PaymentView struct {
	PaymentID  string     `json:"paymentId"`
	Amount     fees.Money `json:"amount"`
	ReceivedOn string     `json:"receivedOn"`
	Reference  string     `json:"reference,omitempty"`
	Source     string     `json:"source"`
}

// CreditNoteView is a credit note as the API shows it.
type CreditNoteView struct {
	CreditNoteID string     `json:"creditNoteId"`
	Number       string     `json:"number"`
	IssueDate    string     `json:"issueDate"`
	Total        fees.Money `json:"total"`
	Reason       string     `json:"reason"`
}

func (a *API) today() fees.Date { return fees.Today(a.Now()) }

func invoiceView(r *http.Request, acc membership.InvoiceAccount, today fees.Date) InvoiceView {
	inv := acc.Invoice
	b := acc.Balance(today)
	self := link(r, "/cities/"+inv.CityID+"/invoices/"+inv.ID)
	return InvoiceView{InvoiceID: inv.ID, Number: inv.Number, CityID: inv.CityID, Buyer: inv.Buyer.LegalName,
		FeeYear: inv.FeeYear, IssueDate: inv.IssueDate.String(), DueDate: inv.DueDate.String(), Total: inv.Total(),
		Paid: b.Paid, Credited: b.Credited, Outstanding: b.Outstanding, Overpaid: b.Overpaid, Status: b.Status,
		Flagged: !acc.Flagged.IsZero(), PaymentReference: inv.PaymentReference, DocumentsReady: acc.Documents,
		Links: map[string]string{"self": self, "pdf": self + "?format=pdf", "xml": self + "?format=xml"}}
}

func invoiceDetail(r *http.Request, acc membership.InvoiceAccount, today fees.Date) InvoiceDetail {
	d := InvoiceDetail{InvoiceView: invoiceView(r, acc, today), Seller: acc.Invoice.Seller, BuyerDetail: acc.Invoice.Buyer,
		Line: acc.Invoice.Line, VAT: acc.Invoice.VAT, Language: string(acc.Invoice.Language),
		Payments: []PaymentView{}, CreditNotes: []CreditNoteView{}}
	for _, p := range acc.Payments {
		d.Payments = append(d.Payments, PaymentView{PaymentID: p.ID, Amount: p.Amount, ReceivedOn: p.ReceivedOn.String(),
			Reference: p.Reference, Source: p.Source.Kind})
	}
	for _, cn := range acc.Credits {
		d.CreditNotes = append(d.CreditNotes, CreditNoteView{CreditNoteID: cn.ID, Number: cn.Number,
			IssueDate: cn.IssueDate.String(), Total: cn.Total(), Reason: cn.Reason})
	}
	return d
}

func invoiceID(r *http.Request) (string, error) {
	id := r.PathValue("invoiceId")
	if !ids.Valid(id) {
		return "", failure.Fields("invalid invoice id", failure.Field("path/invoiceId", "is not an invoice id"))
	}
	return id, nil
}

// listCityInvoices answers GET /cities/{cityId}/invoices.
func (a *API) listCityInvoices(w http.ResponseWriter, r *http.Request) {
	id, _, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	accounts, err := a.Store.CityInvoices(r.Context(), id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	today := a.today()
	out := struct {
		CityID      string        `json:"cityId"`
		Invoices    []InvoiceView `json:"invoices"`
		Outstanding fees.Money    `json:"outstanding"`
	}{CityID: id, Invoices: []InvoiceView{}, Outstanding: fees.Euros(0)}
	for _, acc := range accounts {
		v := invoiceView(r, acc, today)
		out.Invoices = append(out.Invoices, v)
		out.Outstanding = out.Outstanding.Add(v.Outstanding)
	}
	writeJSON(w, http.StatusOK, "application/json", out)
}

// getCityInvoice answers GET /cities/{cityId}/invoices/{invoiceId}: JSON,
// or the archived PDF or e-invoice (Accept, or ?format=pdf|xml for links),
// served byte for byte as issued.
func (a *API) getCityInvoice(w http.ResponseWriter, r *http.Request) {
	cityID, _, err := a.cityPrincipal(r)
	if err == nil {
		var id string
		if id, err = invoiceID(r); err == nil {
			var acc membership.InvoiceAccount
			acc, err = a.Store.InvoiceAccount(r.Context(), id)
			if err == nil && acc.Invoice.CityID != cityID {
				// Another city's invoice does not exist for this one.
				err = failure.New(failure.NotFound, "city %s has no invoice %s", cityID, id)
			}
			if err == nil {
				a.serveInvoice(w, r, acc)
				return
			}
		}
	}
	writeProblem(w, r, err)
}

func (a *API) serveInvoice(w http.ResponseWriter, r *http.Request, acc membership.InvoiceAccount) {
	format := r.URL.Query().Get("format")
	switch format {
	case "", "json", "pdf", "xml":
	default:
		writeProblem(w, r, failure.Fields("unknown format", failure.Field("query/format", "must be json, pdf or xml")))
		return
	}
	if format == "" {
		format = negotiate(r.Header.Get("Accept"), "json", map[string]string{
			"application/json": "json", "application/pdf": "pdf", "application/xml": "xml", "text/xml": "xml"})
	}
	if format == "json" {
		// The representation depends on Accept: a cache must not answer
		// a request for the JSON with the PDF it kept for the same URL.
		w.Header().Set("Vary", "Accept")
		writeJSON(w, http.StatusOK, "application/json", invoiceDetail(r, acc, a.today()))
		return
	}
	if !acc.Documents || a.Documents == nil {
		err := failure.New(failure.Conflict, "the documents of invoice %s are being prepared: try again in a minute", acc.Invoice.Number)
		w.Header().Set("Retry-After", "60")
		writeProblem(w, r, err)
		return
	}
	pdfKey, xmlKey := docKeys(acc.Invoice.Number, acc.Invoice.Year)
	key, name := pdfKey, acc.Invoice.Number+".pdf"
	if format == "xml" {
		key, name = xmlKey, acc.Invoice.Number+".xml"
	}
	body, ct, err := a.Documents.Document(r.Context(), key)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Vary", "Accept")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	// An issued document never changes.
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// docKeys mirrors the archive's naming (store.DocumentKeys), which this
// package does not import.
func docKeys(number string, year int) (pdf, xml string) {
	base := "invoices/" + strconv.Itoa(year) + "/" + number
	if strings.HasPrefix(number, "ICC-CN-") {
		base = "credit-notes/" + strconv.Itoa(year) + "/" + number
	}
	return base + ".pdf", base + ".xml"
}

// negotiate picks the format of the first acceptable media type in accept,
// in the client's order of preference; def when it names none we serve.
func negotiate(accept, def string, formats map[string]string) string {
	type choice struct {
		format string
		q      float64
	}
	var best *choice
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			q, _ = strconv.ParseFloat(v, 64)
		}
		f, ok := formats[mt]
		if !ok || q <= 0 {
			continue
		}
		if best == nil || q > best.q {
			best = &choice{f, q}
		}
	}
	if best == nil {
		return def
	}
	return best.format
}

// putBilling answers PUT /cities/{cityId}/billing: the city (or the
// secretariat) records how it is invoiced. Issued invoices keep the details
// they were issued with.
func (a *API) putBilling(w http.ResponseWriter, r *http.Request) {
	id, p, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var in membership.BillingInput
	if _, err := readJSON(r, a.maxBody(), &in); err != nil {
		writeProblem(w, r, err)
		return
	}
	ch, err := a.Store.UpdateCity(r.Context(), id, nil, func(c membership.City) (membership.Change, error) {
		return c.UpdateBilling(in, a.Now(), p.Actor())
	})
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", ch.City.Billing)
}

// LedgerResponse is the finance view of a fee year.
type LedgerResponse struct {
	Year     int           `json:"year"`
	Status   string        `json:"status,omitempty"`
	Invoices []InvoiceView `json:"invoices"`
	Totals   LedgerTotals  `json:"totals"`
}

// LedgerTotals sums the listed invoices.
type LedgerTotals struct {
	Count       int        `json:"count"`
	Invoiced    fees.Money `json:"invoiced"`
	Paid        fees.Money `json:"paid"`
	Credited    fees.Money `json:"credited"`
	Outstanding fees.Money `json:"outstanding"`
	Overdue     fees.Money `json:"overdue"`
	Overpaid    fees.Money `json:"overpaid"`
}

var ledgerStatuses = []string{string(fees.StatusOpen), string(fees.StatusOverdue), string(fees.StatusPaid),
	string(fees.StatusCredited)}

// listInvoices answers GET /admin/invoices?year=&status=: a fee year's
// invoices with their totals, as JSON or CSV (Accept: text/csv).
func (a *API) listInvoices(w http.ResponseWriter, r *http.Request) {
	if _, err := a.secretariat(r); err != nil {
		writeProblem(w, r, err)
		return
	}
	qs := r.URL.Query()
	var c failure.Collector
	year := fees.FeeYear(a.Now())
	if y := qs.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2200 {
			c.Add("query/year", "must be a year such as 2027")
		}
		year = n
	}
	status := qs.Get("status")
	if status != "" && !slices.Contains(ledgerStatuses, status) {
		c.Add("query/status", "must be one of %v", ledgerStatuses)
	}
	format := qs.Get("format")
	if format == "" {
		format = negotiate(r.Header.Get("Accept"), "json", map[string]string{"application/json": "json", "text/csv": "csv"})
	}
	if format != "json" && format != "csv" {
		c.Add("query/format", "must be json or csv")
	}
	if err := c.Err("invalid query"); err != nil {
		writeProblem(w, r, err)
		return
	}
	accounts, err := a.Store.Invoices(r.Context(), year)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	today := a.today()
	out := LedgerResponse{Year: year, Status: status, Invoices: []InvoiceView{}, Totals: LedgerTotals{
		Invoiced: fees.Euros(0), Paid: fees.Euros(0), Credited: fees.Euros(0), Outstanding: fees.Euros(0),
		Overdue: fees.Euros(0), Overpaid: fees.Euros(0)}}
	for _, acc := range accounts {
		v := invoiceView(r, acc, today)
		if status != "" && string(v.Status) != status {
			continue
		}
		out.Invoices = append(out.Invoices, v)
		t := &out.Totals
		t.Count++
		t.Invoiced, t.Paid, t.Credited = t.Invoiced.Add(v.Total), t.Paid.Add(v.Paid), t.Credited.Add(v.Credited)
		t.Outstanding, t.Overpaid = t.Outstanding.Add(v.Outstanding), t.Overpaid.Add(v.Overpaid)
		if v.Status == fees.StatusOverdue {
			t.Overdue = t.Overdue.Add(v.Outstanding)
		}
	}
	if format == "csv" {
		writeLedgerCSV(w, out)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", out)
}

// writeLedgerCSV writes the ledger for a spreadsheet: amounts in euros with
// a decimal point, dates as YYYY-MM-DD.
func writeLedgerCSV(w http.ResponseWriter, l LedgerResponse) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"number", "city_id", "buyer", "fee_year", "issue_date", "due_date", "total_eur", "paid_eur",
		"credited_eur", "outstanding_eur", "overpaid_eur", "status", "flagged", "payment_reference"})
	for _, v := range l.Invoices {
		// A leading = + - @ would make a spreadsheet read a formula.
		buyer := v.Buyer
		if strings.ContainsAny(buyer[:min(1, len(buyer))], "=+-@") {
			buyer = "'" + buyer
		}
		_ = cw.Write([]string{v.Number, v.CityID, buyer, strconv.Itoa(v.FeeYear), v.IssueDate, v.DueDate,
			v.Total.Decimal(), v.Paid.Decimal(), v.Credited.Decimal(), v.Outstanding.Decimal(), v.Overpaid.Decimal(),
			string(v.Status), strconv.FormatBool(v.Flagged), v.PaymentReference})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": "invoices-" + strconv.Itoa(l.Year) + ".csv"}))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// accountStep plans a change to an invoice's account: the invoice's city
// takes the step. The invoice is read first; the change is conditional on
// both the city and the account as read.
func (a *API) accountStep(r *http.Request, id string,
	do func(c membership.City, acc membership.InvoiceAccount) (membership.Change, error)) (membership.Change, membership.InvoiceAccount, error) {
	acc, err := a.Store.InvoiceAccount(r.Context(), id)
	if err != nil {
		return membership.Change{}, acc, err
	}
	c, err := a.Store.CityForUpdate(r.Context(), acc.Invoice.CityID)
	if err != nil {
		return membership.Change{}, acc, err
	}
	ch, err := do(c, acc)
	return ch, acc, err
}

// accountAfter is the invoice as a change leaves it, for the response.
func accountAfter(acc membership.InvoiceAccount, ch membership.Change) membership.InvoiceAccount {
	for _, rec := range ch.Records {
		switch rec := rec.(type) {
		case membership.PaymentRecorded:
			acc.Payments = append(slices.Clone(acc.Payments), rec.Payment)
			acc.Paid, acc.Credited = rec.Balance.Paid, rec.Balance.Credited
			acc.CreditedInFull = rec.Balance.Status == fees.StatusCredited
		case membership.CreditNoteIssued:
			acc.Credits = append(slices.Clone(acc.Credits), rec.CreditNote)
			acc.Paid, acc.Credited = rec.Balance.Paid, rec.Balance.Credited
			acc.CreditedInFull = rec.Balance.Status == fees.StatusCredited
		}
	}
	acc.Version++
	return acc
}

// recordPayment answers POST /admin/invoices/{invoiceId}/payments.
func (a *API) recordPayment(w http.ResponseWriter, r *http.Request) {
	p, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := invoiceID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var in membership.PaymentInput
	body, err := readJSON(r, a.maxBody(), &in)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var ch membership.Change
	a.createOnce(w, r, "payments:"+id, body,
		func() (created, error) {
			var acc membership.InvoiceAccount
			ch, acc, err = a.accountStep(r, id, func(c membership.City, acc membership.InvoiceAccount) (membership.Change, error) {
				return c.RecordPayment(acc, in, fees.PaymentSource{Kind: fees.SourceManual}, "", a.Now(), p.Actor(), a.NewID)
			})
			if err != nil {
				return created{}, err
			}
			return created{Status: http.StatusCreated, Body: invoiceDetail(r, accountAfter(acc, ch), a.today())}, nil
		},
		func(rec *idempotency.Record) error { return a.Store.Apply(r.Context(), ch, rec) })
}

// issueCreditNote answers POST /admin/invoices/{invoiceId}/credit-notes.
func (a *API) issueCreditNote(w http.ResponseWriter, r *http.Request) {
	p, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := invoiceID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var in membership.CreditNoteInput
	body, err := readJSON(r, a.maxBody(), &in)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var ch membership.Change
	a.createOnce(w, r, "credit-notes:"+id, body,
		func() (created, error) {
			now := a.Now()
			// The next number of today's series; createOnce plans again
			// if another credit note takes it before this one is stored.
			seq, err := a.Store.NextNumber(r.Context(), fees.CreditNoteSeries(fees.Today(now).Year()))
			if err != nil {
				return created{}, err
			}
			var acc membership.InvoiceAccount
			ch, acc, err = a.accountStep(r, id, func(c membership.City, acc membership.InvoiceAccount) (membership.Change, error) {
				return c.IssueCreditNote(acc, in, seq, now, p.Actor(), a.NewID)
			})
			if err != nil {
				return created{}, err
			}
			return created{Status: http.StatusCreated, Body: invoiceDetail(r, accountAfter(acc, ch), a.today())}, nil
		},
		func(rec *idempotency.Record) error { return a.Store.Apply(r.Context(), ch, rec) })
}

// MaxStatement bounds a bank statement's size: a month of a busy account.
const MaxStatement = 5 << 20

// StatementResult is what importing a bank statement did, credit by
// credit.
type StatementResult struct {
	MessageID       string            `json:"messageId"`
	Credits         int               `json:"credits"`
	Recorded        []StatementCredit `json:"recorded"`
	AlreadyRecorded []StatementCredit `json:"alreadyRecorded"`
	Unmatched       []StatementCredit `json:"unmatched"`
}

// StatementCredit is one credit of a statement and what became of it. The
// invoice the matcher found, whether the payment was recorded against it or
// is only a suggestion to confirm, is named by its number, as people read
// it, and its id, which POST /admin/invoices/{invoiceId}/payments takes.
type StatementCredit struct {
	EntryKey      string             `json:"entryKey"`
	Amount        fees.Money         `json:"amount"`
	BookedOn      string             `json:"bookedOn"`
	Debtor        string             `json:"debtor,omitempty"`
	Remittance    string             `json:"remittance,omitempty"`
	InvoiceID     string             `json:"invoiceId,omitempty"`
	InvoiceNumber string             `json:"invoiceNumber,omitempty"`
	Match         string             `json:"match"`
	Candidates    []StatementInvoice `json:"candidates,omitempty"`
	Problem       string             `json:"problem,omitempty"`
}

// StatementInvoice is an open invoice a credit may pay, for the
// secretariat to choose among.
type StatementInvoice struct {
	InvoiceID     string `json:"invoiceId"`
	InvoiceNumber string `json:"invoiceNumber"`
}

// importStatement answers POST /admin/bank-statements: an ISO 20022
// CAMT.053 statement. Each credit matched to an open invoice (by its
// structured reference, or its number in the remittance text) is recorded
// as a payment; the others are listed for the secretariat. An entry is
// recorded once, however often its statement is imported.
func (a *API) importStatement(w http.ResponseWriter, r *http.Request) {
	p, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/xml" && mt != "text/xml" {
		writeProblem(w, r, failure.Fields("the body must be a CAMT.053 XML statement",
			failure.Field("header/Content-Type", "must be application/xml")))
		return
	}
	doc, err := camt.Parse(http.MaxBytesReader(w, r.Body, MaxStatement))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err := failure.New(failure.TooLarge, "the body exceeds %d bytes", MaxStatement)
		err.Fields = []failure.FieldError{failure.Field("/", "must be at most %d bytes", MaxStatement)}
		writeProblem(w, r, err)
		return
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	now := a.Now()
	open, err := a.Store.OpenInvoices(r.Context(), fees.Today(now).AddDays(3650))
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	today := fees.Today(now)
	res := StatementResult{MessageID: doc.MessageID, Recorded: []StatementCredit{}, AlreadyRecorded: []StatementCredit{},
		Unmatched: []StatementCredit{}}
	for _, cr := range doc.Credits() {
		res.Credits++
		fc := cr.Match()
		sc := StatementCredit{EntryKey: cr.Key, Amount: fc.Amount, BookedOn: cr.BookingDate.String(), Debtor: fc.DebtorName,
			Remittance: strings.TrimSpace(fc.StructuredRef + " " + fc.Unstructured)}
		candidates := make([]fees.OpenInvoice, 0, len(open))
		byID := map[string]membership.InvoiceAccount{}
		for _, acc := range open {
			candidates = append(candidates, fees.OpenInvoice{Invoice: acc.Invoice, Outstanding: acc.Balance(today).Outstanding})
			byID[acc.Invoice.ID] = acc
		}
		m := fees.MatchCredit(fc, candidates)
		sc.Match = string(m.Kind)
		if m.InvoiceID != "" {
			sc.InvoiceID, sc.InvoiceNumber = m.InvoiceID, byID[m.InvoiceID].Invoice.Number
		}
		for _, id := range m.Candidates {
			sc.Candidates = append(sc.Candidates, StatementInvoice{InvoiceID: id, InvoiceNumber: byID[id].Invoice.Number})
		}
		if !m.Kind.Automatic() {
			// A suggestion (amount-and-name) or a choice (ambiguous) is
			// the secretariat's to confirm, by recording the payment.
			res.Unmatched = append(res.Unmatched, sc)
			continue
		}
		amount := fc.Amount.Amount
		in := membership.PaymentInput{Amount: &amount, ReceivedOn: cr.BookingDate.String(), Reference: sc.Remittance}
		src := fees.PaymentSource{Kind: fees.SourceBankStatement, StatementID: cr.StatementID, EntryRef: cr.EntryRef}
		ch, _, err := a.accountStep(r, m.InvoiceID, func(c membership.City, acc membership.InvoiceAccount) (membership.Change, error) {
			return c.RecordPayment(acc, in, src, cr.Key, now, p.Actor(), a.NewID)
		})
		if err == nil {
			err = a.Store.Apply(r.Context(), ch, nil)
		}
		switch {
		case errors.Is(err, membership.ErrEntryRecorded):
			res.AlreadyRecorded = append(res.AlreadyRecorded, sc)
		case err != nil:
			sc.Problem = err.Error()
			res.Unmatched = append(res.Unmatched, sc)
		default:
			res.Recorded = append(res.Recorded, sc)
			// The next credits see this payment in the open invoices.
			open = refreshOpen(open, accountAfter(byID[m.InvoiceID], ch), today)
		}
	}
	writeJSON(w, http.StatusOK, "application/json", res)
}

func refreshOpen(open []membership.InvoiceAccount, acc membership.InvoiceAccount, today fees.Date) []membership.InvoiceAccount {
	out := open[:0:0]
	for _, o := range open {
		if o.Invoice.ID == acc.Invoice.ID {
			if acc.Balance(today).Settled() {
				continue
			}
			o = acc
		}
		out = append(out, o)
	}
	return out
}
