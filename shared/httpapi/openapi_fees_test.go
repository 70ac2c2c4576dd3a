package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The contract of the yearly fee: a city's invoices and billing details,
// the documents issued, the ledger, payments, credit notes, bank statements
// and the annual invoicing (openapi/invoices.yaml, finance.yaml, runs.yaml).

// The fee's routes.
const (
	invoicesPath    = "/cities/{cityId}/invoices"
	invoicePath     = "/cities/{cityId}/invoices/{invoiceId}"
	billingPath     = "/cities/{cityId}/billing"
	ledgerPath      = "/admin/invoices"
	paymentsPath    = "/admin/invoices/{invoiceId}/payments"
	creditNotesPath = "/admin/invoices/{invoiceId}/credit-notes"
	statementsPath  = "/admin/bank-statements"
)

// invoiceSummary is what the tests read of an invoice.
type invoiceSummary struct {
	InvoiceID, Number, CityID, Buyer, IssueDate, DueDate, Status, PaymentReference string
	FeeYear                                                                        int
	Total, Paid, Credited, Outstanding, Overpaid                                   fees.Money
	Flagged, DocumentsReady                                                        bool
}

// invoiceDetail is what the tests read of an invoice's detail.
type invoiceDetail struct {
	invoiceSummary
	Seller       fees.Seller
	BuyerDetails fees.Buyer
	Payments     []struct {
		Amount                        fees.Money
		ReceivedOn, Reference, Source string
	}
	CreditNotes []struct {
		Number string
		Total  fees.Money
	}
}

// cityInvoices reads a city's invoices as the caller with token.
func (c contract) cityInvoices(ct city, token string) (l struct {
	Invoices    []invoiceSummary
	Outstanding fees.Money
}) {
	c.t.Helper()
	a := c.expect(http.StatusOK, http.MethodGet, invoicesPath, ct.url(invoicesPath), token, "")
	if err := json.Unmarshal(a.body, &l); err != nil {
		c.t.Fatal(err)
	}
	return l
}

// detail decodes an invoice's detail.
func (c contract) detail(a answer) invoiceDetail {
	c.t.Helper()
	var d invoiceDetail
	if err := json.Unmarshal(a.body, &d); err != nil {
		c.t.Fatalf("not an invoice: %v: %s", err, a.body)
	}
	return d
}

// billingExample is a documented request body of PUT billing.
func (c contract) billingExample(name string) string {
	c.t.Helper()
	ex, ok := c.requestExamples(http.MethodPut, billingPath)[name]
	if !ok {
		c.t.Fatalf("PUT %s has no request example %q", billingPath, name)
	}
	return ex
}

// billed takes a city to membership with the documented agreement, which
// gives no billing details, records the documented details, and lets the
// billing function issue the year's invoice: the city's invoice is then
// ct.invoice.
func (c contract) billed(name string) (city, invoiceSummary) {
	c.t.Helper()
	ct := c.cityAt(name, membership.StatusMember)
	c.expect(http.StatusOK, http.MethodPut, billingPath, ct.url(billingPath), ct.token, c.billingExample("leitwegId"))
	c.s.Drain()
	l := c.cityInvoices(ct, ct.token)
	if len(l.Invoices) != 1 {
		c.t.Fatalf("%s: %d invoices, want the year's", name, len(l.Invoices))
	}
	ct.invoice = l.Invoices[0].InvoiceID
	return ct, l.Invoices[0]
}

// stored is an archived document's bytes.
func (c contract) stored(key string) []byte {
	c.t.Helper()
	obj, err := c.s.Archive.Get(context.Background(), key)
	if err != nil {
		c.t.Fatalf("archive %s: %v", key, err)
	}
	return obj.Body
}

// TestContractCityInvoices has a member record its billing details, then
// reads the invoice issued as JSON, PDF and e-invoice, and sends what the
// routes refuse; a city that signed with its billing details asks for the
// documents before they are archived.
func TestContractCityInvoices(t *testing.T) {
	c := newContract(t)
	ct := c.cityAt("Contract Fees", membership.StatusMember)
	other := c.apply("Contract Elsewhere")
	gone := c.apply("Contract Gone")
	c.advance(withdrawalPath, &gone, c.example(withdrawalPath, ""), membership.StatusWithdrawn)

	// A member without billing details has no invoice yet.
	if l := c.cityInvoices(ct, ct.token); len(l.Invoices) != 0 || l.Outstanding != fees.Euros(0) {
		t.Fatalf("invoices before the billing details: %+v", l)
	}
	body := c.billingExample("leitwegId")
	c.run(http.MethodPut, billingPath, ct, []exchange{
		{name: "anonymous", body: body, status: 401},
		{name: "an unknown token", as: unknownToken, body: body, status: 401},
		{name: "another city", token: other.token, body: body, status: 403},
		{name: "no such city", as: secretariat, url: "/cities/" + missing + "/billing", body: body, status: 404},
		{name: "a malformed city id", as: secretariat, url: "/cities/" + malformed + "/billing", body: body, status: 400, pointer: "path/cityId"},
		{name: "a city that withdrew", as: secretariat, url: gone.url(billingPath), body: body, status: 409},
		{name: "an empty body", as: theCity, status: 400, pointer: "/"},
		{name: "not JSON", as: theCity, body: "legalName=Stadt", headers: []string{"Content-Type", "text/plain"}, status: 415, pointer: "header/Content-Type"},
		{name: "an unknown field", as: theCity, body: strings.Replace(body, "{", `{"vatId":"DE123456789",`, 1), status: 400, pointer: "/vatId"},
		{name: "an unknown address field", as: theCity, body: strings.Replace(body, `"street"`, `"streetNumber":"1","street"`, 1), status: 400, pointer: "/address/streetNumber"},
		{name: "too large", as: theCity, body: `{"legalName":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
		{name: "every field wrong", as: theCity, status: 400, pointer: "/legalName", errors: 6,
			body: `{"legalName":" ","address":{"street":"","city":"Rheinstadt","country":"de"},"routing":{"scheme":"0204","id":"123"},"email":"Finance <f@x.example>"}`},
		{name: "a French address without postal code", as: theCity, status: 400, pointer: "/address/postalCode", errors: 1,
			body: `{"legalName":"Ville de Lyon","address":{"street":"1 place de la Comédie","city":"Lyon","country":"FR"},"email":"finances@lyon.example"}`},
		{name: "a Leitweg-ID with wrong check digits", as: theCity, body: strings.ReplaceAll(body, "1234512345-06", "1234512345-07"), status: 400, pointer: "/routing/id", errors: 1},
		{name: "a legal name with surrounding spaces", as: theCity, body: strings.Replace(body, `"Stadt Rheinstadt"`, `" Stadt Rheinstadt"`, 1), status: 400, pointer: "/legalName", errors: 1},
	})
	// The details the city last gives are those of its invoice.
	c.expect(http.StatusOK, http.MethodPut, billingPath, ct.url(billingPath), ct.token, c.billingExample("plain"))
	a := c.expect(http.StatusOK, http.MethodPut, billingPath, ct.url(billingPath), ct.token, body)
	if !bytes.Equal(roundTripBytes(t, jsonValue(t, a.body)), roundTripBytes(t, jsonValue(t, []byte(body)))) {
		t.Errorf("PUT billing answers %s, want the details sent %s", a.body, body)
	}
	c.s.Drain()

	year := fees.FeeYear(c.s.Clock.Now())
	l := c.cityInvoices(ct, ct.token)
	if len(l.Invoices) != 1 {
		t.Fatalf("%d invoices once the billing details are recorded, want the year's", len(l.Invoices))
	}
	inv := l.Invoices[0]
	ref, _ := fees.CreditorReference(inv.Number)
	if inv.Number != fmt.Sprintf("ICC-%d-0001", year) || inv.FeeYear != year || inv.Status != "open" || !inv.DocumentsReady ||
		inv.Total != fees.Euros(500000) || inv.Outstanding != inv.Total || l.Outstanding != inv.Total || inv.PaymentReference != ref ||
		inv.Buyer != "Stadt Rheinstadt" || inv.IssueDate != c.daysAfter(0) || inv.DueDate != c.daysAfter(30) {
		t.Errorf("the invoice issued: %+v, outstanding %v", inv, l.Outstanding)
	}
	if c.cityInvoices(ct, c.admin).Invoices[0] != inv {
		t.Error("the secretariat reads another list")
	}
	c.run(http.MethodGet, invoicesPath, ct, []exchange{
		{name: "anonymous", status: 401},
		{name: "an unknown token", as: unknownToken, status: 401},
		{name: "another city", token: other.token, status: 403},
		{name: "a malformed city id", as: secretariat, url: "/cities/" + malformed + "/invoices", status: 400, pointer: "path/cityId"},
	})
	if l := c.cityInvoices(city{id: missing}, c.admin); len(l.Invoices) != 0 {
		t.Errorf("a city id no city has: %+v", l)
	}

	// The invoice as JSON, to the city and to the secretariat.
	ct.invoice = inv.InvoiceID
	d := c.detail(c.expect(http.StatusOK, http.MethodGet, invoicePath, ct.url(invoicePath), ct.token, ""))
	var want fees.Buyer
	_ = json.Unmarshal([]byte(body), &want)
	if d.invoiceSummary != inv || d.BuyerDetails.Email != want.Email || d.BuyerDetails.Routing == nil || *d.BuyerDetails.Routing != *want.Routing ||
		!fees.ValidIBAN(d.Seller.IBAN) || len(d.Payments) != 0 || len(d.CreditNotes) != 0 {
		t.Errorf("the invoice's detail: %+v", d)
	}
	c.expect(http.StatusOK, http.MethodGet, invoicePath, ct.url(invoicePath), c.admin, "")

	// The documents, byte for byte as archived, however asked for.
	base := fmt.Sprintf("invoices/%d/%s", year, inv.Number)
	pdf, xml := c.stored(base+".pdf"), c.stored(base+".xml")
	if !bytes.Contains(xml, []byte("<cbc:ID>"+inv.Number+"</cbc:ID>")) || !bytes.Contains(xml, []byte("<cbc:PaymentID>"+ref+"</cbc:PaymentID>")) {
		t.Errorf("the e-invoice archived does not name the invoice and its reference: %.300s", xml)
	}
	for _, tt := range []struct {
		name, query string
		headers     []string
		want        []byte
		ext         string
	}{
		{"the PDF by Accept", "", []string{"Accept", "application/pdf"}, pdf, "pdf"},
		{"the PDF by link", "?format=pdf", nil, pdf, "pdf"},
		{"the PDF by link, whatever Accept says", "?format=pdf", []string{"Accept", "application/json"}, pdf, "pdf"},
		{"the PDF preferred by quality", "", []string{"Accept", "application/json;q=0.5, application/pdf"}, pdf, "pdf"},
		{"the e-invoice by Accept", "", []string{"Accept", "application/xml"}, xml, "xml"},
		{"the e-invoice as text/xml", "", []string{"Accept", "text/xml"}, xml, "xml"},
		{"the e-invoice by link", "?format=xml", nil, xml, "xml"},
	} {
		a := c.expect(http.StatusOK, http.MethodGet, invoicePath, ct.url(invoicePath)+tt.query, ct.token, "", tt.headers...)
		if !bytes.Equal(a.body, tt.want) || a.hdr.Get("Content-Disposition") != "inline; filename="+inv.Number+"."+tt.ext ||
			a.hdr.Get("Cache-Control") != "private, max-age=31536000, immutable" {
			t.Errorf("%s: %d bytes, Content-Disposition %q, Cache-Control %q; want the %d bytes archived", tt.name, len(a.body),
				a.hdr.Get("Content-Disposition"), a.hdr.Get("Cache-Control"), len(tt.want))
		}
	}
	for _, tt := range []struct{ name, query, accept string }{
		{"JSON by link, whatever Accept says", "?format=json", "application/pdf"},
		{"JSON for a media type not served", "", "text/html"},
		{"JSON for anything", "", "*/*"},
	} {
		a := c.expect(http.StatusOK, http.MethodGet, invoicePath, ct.url(invoicePath)+tt.query, ct.token, "", "Accept", tt.accept)
		if a.hdr.Get("Content-Type") != "application/json" || a.hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %s, Cache-Control %q", tt.name, a.hdr.Get("Content-Type"), a.hdr.Get("Cache-Control"))
		}
	}
	c.run(http.MethodGet, invoicePath, ct, []exchange{
		{name: "an unknown format", as: theCity, url: ct.url(invoicePath) + "?format=html", status: 400, pointer: "query/format"},
		{name: "an invoice number for its id", as: theCity, url: ct.url(invoicesPath) + "/" + inv.Number, status: 400, pointer: "path/invoiceId"},
		{name: "a malformed city id", as: secretariat, url: "/cities/" + malformed + "/invoices/" + inv.InvoiceID, status: 400, pointer: "path/cityId"},
		{name: "no such invoice", as: theCity, url: ct.url(invoicesPath) + "/" + missing, status: 404},
		{name: "the invoice through another city's path", token: other.token, url: other.url(invoicesPath) + "/" + inv.InvoiceID, status: 404},
		{name: "the invoice's document through another city's path", token: other.token, url: other.url(invoicesPath) + "/" + inv.InvoiceID + "?format=pdf", status: 404},
		{name: "another city's token", token: other.token, status: 403},
		{name: "anonymous", status: 401},
	})

	// Signed with its billing details: invoiced with the agreement, its
	// documents archived a moment later.
	signed := c.cityAt("Contract Signed Billed", membership.StatusProfileIssued)
	c.advance(agreementPath, &signed, c.example(agreementPath, "billed"), membership.StatusMember)
	l = c.cityInvoices(signed, signed.token)
	if len(l.Invoices) != 1 || l.Invoices[0].DocumentsReady || l.Invoices[0].Number != fmt.Sprintf("ICC-%d-0002", year) {
		t.Fatalf("the invoice issued with the agreement: %+v", l)
	}
	signed.invoice = l.Invoices[0].InvoiceID
	c.expect(http.StatusOK, http.MethodGet, invoicePath, signed.url(invoicePath), signed.token, "")
	for _, format := range []string{"pdf", "xml"} {
		a := c.expect(http.StatusConflict, http.MethodGet, invoicePath, signed.url(invoicePath)+"?format="+format, signed.token, "")
		if a.hdr.Get("Retry-After") != "60" {
			t.Errorf("the %s being prepared: Retry-After %q", format, a.hdr.Get("Retry-After"))
		}
	}
	c.s.Drain()
	c.expect(http.StatusOK, http.MethodGet, invoicePath, signed.url(invoicePath)+"?format=pdf", signed.token, "")
	if !c.cityInvoices(signed, signed.token).Invoices[0].DocumentsReady {
		t.Error("the documents are archived but the invoice does not say so")
	}
}

// interleaved is the store of the finance function, but for one change of
// the invoice made, once, between the moment a handler reads the invoice and
// the moment it reads the invoice's city to record its own change: a race
// lost every time.
type interleaved struct {
	httpapi.Store
	armed  atomic.Bool
	change func()
}

func (s *interleaved) CityForUpdate(ctx context.Context, id string) (membership.City, error) {
	if s.armed.CompareAndSwap(true, false) {
		s.change()
	}
	return s.Store.CityForUpdate(ctx, id)
}

// lostRace sends a request about the city's invoice while a payment of one
// cent on it is recorded between the handler's read and its write, and
// checks the answer: the 409 of an invoice that changed.
func (c contract) lostRace(route string, ct city, body string) {
	c.t.Helper()
	fin := c.s.API("finance")
	s := &interleaved{Store: fin.Store}
	var paid atomic.Int32
	s.change = func() {
		req, _ := http.NewRequest(http.MethodPost, c.s.URL+ct.url(paymentsPath), strings.NewReader(fmt.Sprintf(`{"amount":1,"receivedOn":%q}`, c.daysAfter(0))))
		req.Header.Set("Authorization", "Bearer "+c.admin)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			paid.Store(int32(resp.StatusCode))
			_ = resp.Body.Close()
		}
	}
	s.armed.Store(true)
	fin.Store = s
	defer func() { fin.Store = s.Store }()
	a := c.expect(http.StatusConflict, http.MethodPost, route, ct.url(route), c.admin, body)
	if paid.Load() != http.StatusCreated || !strings.Contains(string(a.body), "changed while this was being recorded") {
		c.t.Errorf("POST %s racing a payment (%d): %s", route, paid.Load(), a.body)
	}
}

// TestContractPaymentsAndCreditNotes records payments, overpaid, and credit
// notes that reduce and cancel an invoice, each once per key, and sends what
// the routes refuse.
func TestContractPaymentsAndCreditNotes(t *testing.T) {
	c := newContract(t)
	payer, inv := c.billed("Contract Payer")
	transfer, rest := c.example(paymentsPath, "transfer"), c.example(paymentsPath, "rest")

	first := c.expect(http.StatusCreated, http.MethodPost, paymentsPath, payer.url(paymentsPath), c.admin, transfer, "Idempotency-Key", "contract-payment")
	d := c.detail(first)
	if d.Paid != fees.Euros(200000) || d.Outstanding != fees.Euros(300000) || d.Status != "open" || len(d.Payments) != 1 ||
		d.Payments[0].Source != "manual" || d.Payments[0].Reference != "VIR SEPA STADT RHEINSTADT RF93ICC20260014" {
		t.Errorf("after the first instalment: %+v", d)
	}
	c.replay(first, http.MethodPost, paymentsPath, payer.url(paymentsPath), c.admin, transfer, "contract-payment")
	future, noInvoice := c.daysAfter(1), "/admin/invoices/"+missing+"/payments"
	c.run(http.MethodPost, paymentsPath, payer, []exchange{
		{name: "its key with another body", as: secretariat, body: rest, headers: []string{"Idempotency-Key", "contract-payment"}, status: 422},
		{name: "a bad key", as: secretariat, body: transfer, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, pointer: "header/Idempotency-Key"},
		{name: "anonymous", body: transfer, status: 401},
		{name: "the city's own token", as: theCity, body: transfer, status: 403},
		{name: "an invoice number for its id", as: secretariat, url: "/admin/invoices/" + inv.Number + "/payments", body: transfer, status: 400, pointer: "path/invoiceId"},
		{name: "no such invoice", as: secretariat, url: noInvoice, body: transfer, status: 404},
		{name: "an empty body", as: secretariat, status: 400, pointer: "/"},
		{name: "not JSON", as: secretariat, body: "amount=100", headers: []string{"Content-Type", "text/plain"}, status: 415, pointer: "header/Content-Type"},
		{name: "an unknown field", as: secretariat, body: strings.Replace(transfer, "{", `{"currency":"EUR",`, 1), status: 400, pointer: "/currency"},
		{name: "too large", as: secretariat, body: `{"reference":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
		{name: "nothing", as: secretariat, body: `{}`, status: 400, pointer: "/amount", errors: 2},
		{name: "no amount", as: secretariat, body: `{"receivedOn":"2026-10-30"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "zero", as: secretariat, body: `{"amount":0,"receivedOn":"2026-10-30"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "a refund as a negative amount", as: secretariat, body: `{"amount":-5000,"receivedOn":"2026-10-30"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "euros, not cents", as: secretariat, body: `{"amount":2000.5,"receivedOn":"2026-10-30"}`, status: 400, pointer: "/amount"},
		{name: "an amount as a string", as: secretariat, body: `{"amount":"200000","receivedOn":"2026-10-30"}`, status: 400, pointer: "/amount"},
		{name: "over ten million euros", as: secretariat, body: `{"amount":1000000001,"receivedOn":"2026-10-30"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "no date", as: secretariat, body: `{"amount":100}`, status: 400, pointer: "/receivedOn", errors: 1},
		{name: "a date in another format", as: secretariat, body: `{"amount":100,"receivedOn":"30/10/2026"}`, status: 400, pointer: "/receivedOn", errors: 1},
		{name: "received tomorrow", as: secretariat, body: `{"amount":100,"receivedOn":"` + future + `"}`, status: 400, pointer: "/receivedOn", errors: 1},
		{name: "received in the last century", as: secretariat, body: `{"amount":100,"receivedOn":"1999-12-31"}`, status: 400, pointer: "/receivedOn", errors: 1},
		{name: "a reference on two lines", as: secretariat, body: `{"amount":100,"receivedOn":"2026-10-30","reference":"VIR\nSEPA"}`, status: 400, pointer: "/reference", errors: 1},
		{name: "a reference over 140 characters", as: secretariat, body: `{"amount":100,"receivedOn":"2026-10-30","reference":"` + strings.Repeat("é", 141) + `"}`, status: 400, pointer: "/reference", errors: 1},
		{name: "every field wrong", as: secretariat, body: `{"amount":0,"receivedOn":"` + future + `","reference":"a\u0007b"}`, status: 400, pointer: "/amount", errors: 3},
	})
	// The rest and more: paid, the excess shown and noted for the secretariat.
	d = c.detail(c.expect(http.StatusCreated, http.MethodPost, paymentsPath, payer.url(paymentsPath), c.admin, rest))
	if d.Status != "paid" || d.Paid != fees.Euros(510000) || d.Outstanding != fees.Euros(0) || d.Overpaid != fees.Euros(10000) || len(d.Payments) != 2 {
		t.Errorf("paid in full and more: %+v", d)
	}
	if a := c.expect(http.StatusOK, http.MethodGet, auditPath, payer.url(auditPath), c.admin, ""); !strings.Contains(string(a.body), "overpaid by 100.00 EUR") {
		t.Errorf("the overpayment is not in the audit trail: %s", a.body)
	}

	// Credit notes: part of the fee, once per key, then the whole of it.
	credited, _ := c.billed("Contract Credited")
	reduction, cancellation := c.example(creditNotesPath, "reduction"), c.example(creditNotesPath, "cancellation")
	year := fees.FeeYear(c.s.Clock.Now())
	first = c.expect(http.StatusCreated, http.MethodPost, creditNotesPath, credited.url(creditNotesPath), c.admin, reduction, "Idempotency-Key", "contract-credit")
	d = c.detail(first)
	if d.Credited != fees.Euros(100000) || d.Outstanding != fees.Euros(400000) || d.Status != "open" || len(d.CreditNotes) != 1 ||
		d.CreditNotes[0].Number != fmt.Sprintf("ICC-CN-%d-0001", year) || d.CreditNotes[0].Total != fees.Euros(100000) {
		t.Errorf("after the reduction: %+v", d)
	}
	c.replay(first, http.MethodPost, creditNotesPath, credited.url(creditNotesPath), c.admin, reduction, "contract-credit")
	c.run(http.MethodPost, creditNotesPath, credited, []exchange{
		{name: "its key with another body", as: secretariat, body: cancellation, headers: []string{"Idempotency-Key", "contract-credit"}, status: 422},
		{name: "a bad key", as: secretariat, body: reduction, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, pointer: "header/Idempotency-Key"},
		{name: "anonymous", body: reduction, status: 401},
		{name: "the city's own token", as: theCity, body: reduction, status: 403},
		{name: "an invoice number for its id", as: secretariat, url: "/admin/invoices/" + inv.Number + "/credit-notes", body: reduction, status: 400, pointer: "path/invoiceId"},
		{name: "no such invoice", as: secretariat, url: "/admin/invoices/" + missing + "/credit-notes", body: reduction, status: 404},
		{name: "an empty body", as: secretariat, status: 400, pointer: "/"},
		{name: "not JSON", as: secretariat, body: "reason=x", headers: []string{"Content-Type", "text/plain"}, status: 415, pointer: "header/Content-Type"},
		{name: "an unknown field", as: secretariat, body: strings.Replace(reduction, "{", `{"vat":0,`, 1), status: 400, pointer: "/vat"},
		{name: "too large", as: secretariat, body: `{"reason":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
		{name: "no reason", as: secretariat, body: `{"amount":100}`, status: 400, pointer: "/reason", errors: 1},
		{name: "a blank reason", as: secretariat, body: `{"reason":"   "}`, status: 400, pointer: "/reason", errors: 1},
		{name: "a reason on two lines", as: secretariat, body: `{"reason":"Fee reduced.\nSee the decision."}`, status: 400, pointer: "/reason", errors: 1},
		{name: "a reason over 300 characters", as: secretariat, body: `{"reason":"` + strings.Repeat("é", 301) + `"}`, status: 400, pointer: "/reason", errors: 1},
		{name: "zero", as: secretariat, body: `{"amount":0,"reason":"r"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "a negative amount", as: secretariat, body: `{"amount":-100,"reason":"r"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "euros, not cents", as: secretariat, body: `{"amount":1000.5,"reason":"r"}`, status: 400, pointer: "/amount"},
		{name: "more than remains creditable", as: secretariat, body: `{"amount":400001,"reason":"r"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "more than ten million euros", as: secretariat, body: `{"amount":1000000001,"reason":"r"}`, status: 400, pointer: "/amount", errors: 1},
		{name: "every field wrong", as: secretariat, body: `{"amount":0}`, status: 400, pointer: "/amount", errors: 2},
	})
	// A payment that lands between the read and the write of a credit note
	// makes it lose: nothing is issued.
	c.lostRace(creditNotesPath, credited, reduction)
	d = c.detail(c.expect(http.StatusCreated, http.MethodPost, creditNotesPath, credited.url(creditNotesPath), c.admin, cancellation))
	if d.Status != "credited" || d.Outstanding != fees.Euros(0) || d.Credited != fees.Euros(500000) || d.Overpaid != d.Paid || d.Paid != fees.Euros(1) ||
		len(d.CreditNotes) != 2 || d.CreditNotes[1].Number != fmt.Sprintf("ICC-CN-%d-0002", year) {
		t.Errorf("after the cancellation: %+v", d)
	}
	// Credited in full, the invoice takes no more credit notes, as it takes
	// no payment: a conflict, amount or not; an invalid amount is still 400.
	c.run(http.MethodPost, creditNotesPath, credited, []exchange{
		{name: "the whole of an invoice credited already", as: secretariat, body: cancellation, status: 409},
		{name: "part of an invoice credited already", as: secretariat, body: reduction, status: 409},
		{name: "zero on an invoice credited already", as: secretariat, body: `{"amount":0,"reason":"r"}`, status: 400, pointer: "/amount", errors: 1},
	})
	if a := c.expect(http.StatusConflict, http.MethodPost, creditNotesPath, credited.url(creditNotesPath), c.admin, cancellation); !strings.Contains(string(a.body), "credited in full") {
		t.Errorf("a credit note on an invoice credited in full: %s", a.body)
	}
	// A credited invoice takes no payment; a payment that loses a race is
	// not recorded.
	c.run(http.MethodPost, paymentsPath, credited, []exchange{
		{name: "a credited invoice", as: secretariat, body: transfer, status: 409},
	})
	second, _ := c.billed("Contract Second Payer")
	c.lostRace(paymentsPath, second, transfer)
	if d := c.detail(c.expect(http.StatusOK, http.MethodGet, invoicePath, second.url(invoicePath), c.admin, "")); d.Paid != fees.Euros(1) || len(d.Payments) != 1 {
		t.Errorf("the payment that lost its race was recorded: %+v", d)
	}
}

// TestContractLedger lists a fee year's invoices with their totals, as JSON
// and CSV, by status, and sends what the ledger refuses.
func TestContractLedger(t *testing.T) {
	c := newContract(t)
	paid, _ := c.billed("Contract Ledger Paid")
	c.expect(http.StatusCreated, http.MethodPost, paymentsPath, paid.url(paymentsPath), c.admin, fmt.Sprintf(`{"amount":500000,"receivedOn":%q}`, c.daysAfter(0)))
	open := c.cityAt("Contract Ledger Open", membership.StatusMember)
	// A buyer's name a spreadsheet would take for a formula.
	c.expect(http.StatusOK, http.MethodPut, billingPath, open.url(billingPath), open.token,
		strings.Replace(c.billingExample("leitwegId"), `"Stadt Rheinstadt"`, `"=SUM(A1:A9)"`, 1))
	c.s.Drain()
	year := fees.FeeYear(c.s.Clock.Now())

	type ledger struct {
		Year     int
		Status   string
		Invoices []invoiceSummary
		Totals   struct {
			Count                                                    int
			Invoiced, Paid, Credited, Outstanding, Overdue, Overpaid fees.Money
		}
	}
	read := func(query string, headers ...string) ledger {
		t.Helper()
		a := c.expect(http.StatusOK, http.MethodGet, ledgerPath, ledgerPath+query, c.admin, "", headers...)
		var l ledger
		if err := json.Unmarshal(a.body, &l); err != nil {
			t.Fatalf("GET %s%s: %v: %s", ledgerPath, query, err, a.body)
		}
		return l
	}
	l := read(fmt.Sprintf("?year=%d", year))
	tot := l.Totals
	if l.Year != year || l.Status != "" || len(l.Invoices) != 2 || tot.Count != 2 || tot.Invoiced != fees.Euros(1000000) || tot.Paid != fees.Euros(500000) ||
		tot.Outstanding != fees.Euros(500000) || tot.Overdue != fees.Euros(0) || tot.Credited != fees.Euros(0) || tot.Overpaid != fees.Euros(0) ||
		l.Invoices[0].Number != fmt.Sprintf("ICC-%d-0001", year) || l.Invoices[1].Number != fmt.Sprintf("ICC-%d-0002", year) {
		t.Errorf("the ledger of %d: %+v", year, l)
	}
	if this := read(""); this.Year != year || len(this.Invoices) != 2 {
		t.Errorf("the ledger of the current fee year: %+v", this)
	}
	for status, n := range map[string]int{"open": 1, "paid": 1, "overdue": 0, "credited": 0} {
		if l := read("?status=" + status); l.Status != status || len(l.Invoices) != n || l.Totals.Count != n {
			t.Errorf("the %s invoices: %+v", status, l)
		}
	}
	if next := read(fmt.Sprintf("?year=%d", year+1)); len(next.Invoices) != 0 || next.Totals.Invoiced != fees.Euros(0) {
		t.Errorf("the ledger of next year: %+v", next)
	}
	if l := read("?format=json", "Accept", "text/csv"); len(l.Invoices) != 2 {
		t.Errorf("format=json with Accept: text/csv: %+v", l)
	}

	// The CSV, by Accept and by link.
	for _, tt := range []struct {
		query   string
		headers []string
	}{{"", []string{"Accept", "text/csv"}}, {"?format=csv", nil}, {"?format=csv", []string{"Accept", "application/json"}}} {
		a := c.expect(http.StatusOK, http.MethodGet, ledgerPath, ledgerPath+tt.query, c.admin, "", tt.headers...)
		rows, err := csv.NewReader(bytes.NewReader(a.body)).ReadAll()
		if err != nil || len(rows) != 3 || a.hdr.Get("Content-Disposition") != fmt.Sprintf("attachment; filename=invoices-%d.csv", year) ||
			a.hdr.Get("Cache-Control") != "no-store" {
			t.Fatalf("the CSV%s: %v, %q: %s", tt.query, err, a.hdr.Get("Content-Disposition"), a.body)
		}
		if got := rows[1]; got[0] != l.Invoices[0].Number || got[6] != "5000.00" || got[7] != "5000.00" || got[9] != "0.00" || got[11] != "paid" {
			t.Errorf("the paid invoice's row: %v", got)
		}
		if got := rows[2]; got[2] != "'=SUM(A1:A9)" || got[9] != "5000.00" || got[12] != "false" || got[13] != l.Invoices[1].PaymentReference {
			t.Errorf("the open invoice's row: %v", got)
		}
	}

	// Past its due date, the open invoice is overdue.
	c.s.Clock.Set(examplesNow.AddDate(0, 0, 45))
	if l := read(fmt.Sprintf("?year=%d&status=overdue", year)); len(l.Invoices) != 1 || l.Totals.Overdue != fees.Euros(500000) {
		t.Errorf("the overdue invoices: %+v", l)
	}
	c.run(http.MethodGet, ledgerPath, open, []exchange{
		{name: "a two-digit year", as: secretariat, url: ledgerPath + "?year=26", status: 400, pointer: "query/year", errors: 1},
		{name: "a year as a word", as: secretariat, url: ledgerPath + "?year=next", status: 400, pointer: "query/year", errors: 1},
		{name: "an unknown status", as: secretariat, url: ledgerPath + "?status=late", status: 400, pointer: "query/status", errors: 1},
		{name: "an unknown format", as: secretariat, url: ledgerPath + "?format=xlsx", status: 400, pointer: "query/format", errors: 1},
		{name: "all three", as: secretariat, url: ledgerPath + "?year=26&status=late&format=xlsx", status: 400, pointer: "query/year", errors: 3},
		{name: "anonymous", url: ledgerPath, status: 401},
		{name: "a city token", as: theCity, url: ledgerPath, status: 403},
	})
}

// TestContractBankStatements imports the documented statement, quoting a
// real invoice's reference, twice; a statement whose credit quotes two
// invoices, and one whose credit quotes none but fits one invoice by amount
// and payer, each naming the invoices by number and id for the secretariat
// to act on; then what the import refuses.
func TestContractBankStatements(t *testing.T) {
	c := newContract(t)
	ct, inv := c.billed("Contract Bank")
	_, other := c.billed("Contract Other Bank")
	example, _ := c.doc.Paths.Value(statementsPath).Post.RequestBody.Value.Content.Get("application/xml").Example.(string)
	if !strings.Contains(example, "RF93ICC20260014") {
		t.Fatal("the documented statement no longer quotes RF93ICC20260014")
	}
	stmt := strings.ReplaceAll(example, "RF93ICC20260014", inv.PaymentReference)
	xml := []string{"Content-Type", "application/xml"}

	type named struct{ InvoiceID, InvoiceNumber string }
	type result struct {
		MessageID                            string
		Credits                              int
		Recorded, AlreadyRecorded, Unmatched []struct {
			named
			EntryKey, Match, BookedOn string
			Amount                    fees.Money
			Candidates                []named
		}
	}
	importOnce := func(body string, headers ...string) result {
		t.Helper()
		a := c.expect(http.StatusOK, http.MethodPost, statementsPath, statementsPath, c.admin, body, headers...)
		var r result
		if err := json.Unmarshal(a.body, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := importOnce(stmt, xml...)
	if r.MessageID != "STMT-20261102-0001" || r.Credits != 2 || len(r.Recorded) != 1 || len(r.AlreadyRecorded) != 0 || len(r.Unmatched) != 1 ||
		r.Recorded[0].named != (named{inv.InvoiceID, inv.Number}) || r.Recorded[0].Match != "reference" || r.Recorded[0].Amount != fees.Euros(300000) ||
		r.Recorded[0].BookedOn != "2026-10-30" || r.Unmatched[0].Match != "none" || r.Unmatched[0].named != (named{}) {
		t.Errorf("the first import: %+v", r)
	}
	if r := importOnce(stmt, "Content-Type", "text/xml; charset=utf-8"); len(r.Recorded) != 0 || len(r.AlreadyRecorded) != 1 || len(r.Unmatched) != 1 {
		t.Errorf("the same statement again: %+v", r)
	}
	d := c.detail(c.expect(http.StatusOK, http.MethodGet, invoicePath, ct.url(invoicePath), ct.token, ""))
	if d.Outstanding != fees.Euros(200000) || len(d.Payments) != 1 || d.Payments[0].Source != "bank-statement" || d.Payments[0].ReceivedOn != "2026-10-30" {
		t.Errorf("the invoice after the statement: %+v", d)
	}

	// One transfer for two invoices: a person splits it.
	both := strings.NewReplacer("STMT-20261102-0001", "STMT-20261102-0002", "2026103000412", "2026103000512", "2026103000413", "2026103000513",
		`<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF93ICC20260014</Ref></CdtrRefInf></Strd>`,
		"<Ustrd>"+inv.Number+" "+other.Number+"</Ustrd>").Replace(example)
	r = importOnce(both, xml...)
	byNumber := func(a, b named) int { return strings.Compare(a.InvoiceNumber, b.InvoiceNumber) }
	if len(r.Recorded) != 0 || len(r.Unmatched) != 2 || r.Unmatched[0].Match != "ambiguous" || r.Unmatched[0].named != (named{}) ||
		!slices.Equal(slices.SortedFunc(slices.Values(r.Unmatched[0].Candidates), byNumber),
			slices.SortedFunc(slices.Values([]named{{inv.InvoiceID, inv.Number}, {other.InvoiceID, other.Number}}), byNumber)) {
		t.Errorf("a transfer for two invoices: %+v", r)
	}

	// A transfer without reference, of what is left to pay on one of the
	// payer's two invoices: a suggestion naming that invoice, which the
	// secretariat confirms by recording the payment on it.
	unquoted := strings.NewReplacer("STMT-20261102-0001", "STMT-20261102-0003", "2026103000412", "2026103000612", "2026103000413", "2026103000613",
		">3000.00<", ">2000.00<",
		`<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF93ICC20260014</Ref></CdtrRefInf></Strd>`,
		"<Ustrd>MITGLIEDSBEITRAG</Ustrd>").Replace(example)
	r = importOnce(unquoted, xml...)
	if len(r.Recorded) != 0 || len(r.Unmatched) != 2 || r.Unmatched[0].Match != "amount-and-name" ||
		r.Unmatched[0].named != (named{inv.InvoiceID, inv.Number}) || len(r.Unmatched[0].Candidates) != 0 {
		t.Errorf("a transfer that fits one invoice by amount and payer: %+v", r)
	}
	confirmed := c.detail(c.expect(http.StatusCreated, http.MethodPost, paymentsPath, "/admin/invoices/"+r.Unmatched[0].InvoiceID+"/payments", c.admin,
		fmt.Sprintf(`{"amount":%d,"receivedOn":%q}`, r.Unmatched[0].Amount.Amount, r.Unmatched[0].BookedOn)))
	if confirmed.Number != r.Unmatched[0].InvoiceNumber || confirmed.Status != "paid" {
		t.Errorf("the suggestion confirmed: %+v", confirmed)
	}

	before := c.s.Items("INVOICE#")
	c.run(http.MethodPost, statementsPath, ct, []exchange{
		{name: "an amount with three decimals", as: secretariat, headers: xml, status: 400, pointer: "/Document/BkToCstmrStmt/Stmt/0/Ntry/0/Amt",
			body: strings.ReplaceAll(stmt, ">3000.00<", ">3000.001<")},
		{name: "an IBAN with wrong check digits", as: secretariat, headers: xml, status: 400, pointer: "/Document/BkToCstmrStmt/Stmt/0/Acct/Id/IBAN", errors: 1,
			body: strings.Replace(stmt, "FR7630006000011234567890189", "FR7630006000011234567890188", 1)},
		{name: "an entry reference given twice", as: secretariat, headers: xml, status: 400, pointer: "/Document/BkToCstmrStmt/Stmt/0/Ntry/1/AcctSvcrRef", errors: 1,
			body: strings.Replace(stmt, "2026103000413", "2026103000412", 1)},
		{name: "a CSV export", as: secretariat, headers: xml, body: "Date;Amount;Reference\n30/10/2026;3000,00;RF93ICC20260014\n", status: 400, pointer: "/"},
		{name: "an XML file that is not a statement", as: secretariat, headers: xml, body: `<?xml version="1.0"?><Invoice/>`, status: 400, pointer: "/Document"},
		{name: "a document type declaration", as: secretariat, headers: xml, body: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document/>`, status: 400, pointer: "/"},
		{name: "an empty body", as: secretariat, headers: xml, status: 400, pointer: "/"},
		{name: "a statement sent as JSON", as: secretariat, body: stmt, status: 415, pointer: "header/Content-Type"},
		{name: "a statement without Content-Type", as: secretariat, body: stmt, headers: []string{"Content-Type", ""}, status: 415, pointer: "header/Content-Type"},
		{name: "over 5 MiB", as: secretariat, headers: xml, body: stmt + strings.Repeat(" ", httpapi.MaxStatement), status: 413, pointer: "/"},
		{name: "anonymous", headers: xml, body: stmt, status: 401},
		{name: "a city token", as: theCity, headers: xml, body: stmt, status: 403},
	})
	if after := c.s.Items("INVOICE#"); after != before {
		t.Errorf("the refused statements recorded something: %d invoice items, %d before", after, before)
	}
}

// TestContractAnnualInvoices runs the annual invoicing of next year twice,
// then the daily duties when the invoices fall due: each member invoiced
// once, the one without billing details listed, each reminder sent once.
func TestContractAnnualInvoices(t *testing.T) {
	c := newContract(t)
	ct, inv := c.billed("Contract Annual")
	waiting := c.cityAt("Contract Waiting", membership.StatusMember)
	year := fees.FeeYear(c.s.Clock.Now())
	annual := "/admin/runs/annual-invoices"
	type run struct {
		Schedule string
		Result   struct {
			Year, Members, Queued, AlreadyInvoiced int
			MissingBilling                         []string
		}
	}
	runAnnual := func(body string) run {
		t.Helper()
		a := c.runNow(annual, body)
		var r run
		if err := json.Unmarshal(a.body, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	next := fmt.Sprintf(`{"year":%d}`, year+1)
	if r := runAnnual(next); r.Schedule != "annual-invoices" || r.Result.Year != year+1 || r.Result.Members != 2 || r.Result.Queued != 1 ||
		r.Result.AlreadyInvoiced != 0 || !slices.Equal(r.Result.MissingBilling, []string{waiting.id}) {
		t.Errorf("the annual invoicing of %d: %+v", year+1, r)
	}
	c.s.Drain()
	if r := runAnnual(next); r.Result.Queued != 0 || r.Result.AlreadyInvoiced != 1 {
		t.Errorf("the annual invoicing of %d again: %+v", year+1, r)
	}
	if r := runAnnual(""); r.Result.Year != year || r.Result.Queued != 0 || r.Result.AlreadyInvoiced != 1 || len(r.Result.MissingBilling) != 1 {
		t.Errorf("the annual invoicing of this year: %+v", r)
	}
	l := c.cityInvoices(ct, ct.token)
	if len(l.Invoices) != 2 || l.Invoices[0].FeeYear != year+1 || l.Invoices[0].Number != fmt.Sprintf("ICC-%d-0002", year) || l.Invoices[1] != inv {
		t.Errorf("the member's invoices: %+v", l)
	}

	// A week before they fall due, the daily duties send each invoice its
	// courtesy notice, once.
	type daily struct {
		Result struct {
			Fees struct{ Open, Sent, Already, Flagged int }
		}
	}
	c.s.Clock.Set(examplesNow.AddDate(0, 0, 30-7))
	var runs []daily
	for range 2 {
		var d daily
		if err := json.Unmarshal(c.runNow("/admin/runs/daily", "").body, &d); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, d)
	}
	if f := runs[0].Result.Fees; f.Open != 2 || f.Sent != 2 || f.Already != 0 || f.Flagged != 0 {
		t.Errorf("the fee reminders of the first daily run: %+v", f)
	}
	if f := runs[1].Result.Fees; f.Open != 2 || f.Sent != 0 || f.Already != 2 {
		t.Errorf("the fee reminders of the second daily run: %+v", f)
	}
}

// TestContractFeeSchemasAgreeWithTheHandlers sends variants of the
// documented billing details, payments and credit notes where valid input
// is told from invalid by the answer: billing details to a city that
// withdrew (409 valid, 400 invalid), payments to an invoice credited in full
// (idem), credit notes to an invoice with plenty left to credit (201 valid,
// 400 invalid). The documented schema must accept exactly the valid ones,
// but for what JSON Schema cannot check: today, check digits, what remains
// creditable.
func TestContractFeeSchemasAgreeWithTheHandlers(t *testing.T) {
	c := newContract(t)
	gone := c.apply("Schema Billing")
	c.advance(withdrawalPath, &gone, `{"reason":"schema check"}`, membership.StatusWithdrawn)
	cancelled, _ := c.billed("Schema Cancelled")
	c.expect(http.StatusCreated, http.MethodPost, creditNotesPath, cancelled.url(creditNotesPath), c.admin, c.example(creditNotesPath, "cancellation"))
	reduced, _ := c.billed("Schema Reduced")

	objectOf := func(s string) map[string]any { return jsonValue(t, []byte(s)).(map[string]any) }
	with := func(base string, kv ...any) string {
		m := objectOf(base)
		for i := 0; i+1 < len(kv); i += 2 {
			m = withField(m, kv[i].(string), kv[i+1])
		}
		return string(roundTripBytes(t, m))
	}
	buyer := c.billingExample("leitwegId")
	address := objectOf(buyer)["address"].(map[string]any)
	at := func(kv ...any) map[string]any {
		m := address
		for i := 0; i+1 < len(kv); i += 2 {
			m = withField(m, kv[i].(string), kv[i+1])
		}
		return m
	}
	endpoint := func(scheme, id string) map[string]any { return map[string]any{"scheme": scheme, "id": id} }
	transfer, reduction := c.example(paymentsPath, "transfer"), c.example(creditNotesPath, "reduction")
	// Today's date in UTC+14, the latest anywhere: the Date convention's
	// today, which a payment's date is not checked against.
	latestToday := c.s.Clock.Now().UTC().Add(14 * time.Hour).Format("2006-01-02")
	const (
		unknownToday = "JSON Schema does not know today; PaymentInput's description says the date cannot be in the future"
		parisToday   = "a payment's date is checked against today in Paris, not in UTC+14 as the Date convention says"
		checkDigits  = "JSON Schema cannot compute check digits; Endpoint's description says the server checks them"
		creditable   = "JSON Schema cannot know what remains creditable; CreditNoteInput's description says the server checks it"
		nullRouting  = "encoding/json reads null as absent: no routing"
	)
	valid := map[string]int{}
	for _, tt := range []struct {
		method, path, name, body string
		known                    string
	}{
		{http.MethodPut, billingPath, "the example", buyer, ""},
		{http.MethodPut, billingPath, "the French example", c.billingExample("siret"), ""},
		{http.MethodPut, billingPath, "the plain example", c.billingExample("plain"), ""},
		{http.MethodPut, billingPath, "no legal name", with(buyer, "legalName", nil), ""},
		{http.MethodPut, billingPath, "a blank legal name", with(buyer, "legalName", " \u00a0"), ""},
		{http.MethodPut, billingPath, "a legal name after a space", with(buyer, "legalName", " Stadt Rheinstadt"), ""},
		{http.MethodPut, billingPath, "a legal name before a space", with(buyer, "legalName", "Stadt Rheinstadt "), ""},
		{http.MethodPut, billingPath, "a legal name with a tab", with(buyer, "legalName", "Stadt\tRheinstadt"), ""},
		{http.MethodPut, billingPath, "a one-letter legal name", with(buyer, "legalName", "X"), ""},
		{http.MethodPut, billingPath, "200 letters of legal name", with(buyer, "legalName", strings.Repeat("é", 200)), ""},
		{http.MethodPut, billingPath, "201 letters of legal name", with(buyer, "legalName", strings.Repeat("é", 201)), ""},
		{http.MethodPut, billingPath, "no address", with(buyer, "address", nil), ""},
		{http.MethodPut, billingPath, "no street", with(buyer, "address", at("street", nil)), ""},
		{http.MethodPut, billingPath, "an empty second line", with(buyer, "address", at("additionalStreet", "")), ""},
		{http.MethodPut, billingPath, "a second line on two lines", with(buyer, "address", at("additionalStreet", "Kämmerei\nZimmer 204")), ""},
		{http.MethodPut, billingPath, "101 letters of city", with(buyer, "address", at("city", strings.Repeat("é", 101))), ""},
		{http.MethodPut, billingPath, "no postal code in Germany", with(buyer, "address", at("postalCode", nil)), ""},
		{http.MethodPut, billingPath, "an empty postal code in Germany", with(buyer, "address", at("postalCode", "")), ""},
		{http.MethodPut, billingPath, "no postal code in Ireland", with(buyer, "address", at("postalCode", nil, "country", "IE")), ""},
		{http.MethodPut, billingPath, "an empty postal code in Hong Kong", with(buyer, "address", at("postalCode", "", "country", "HK")), ""},
		{http.MethodPut, billingPath, "a British postal code", with(buyer, "address", at("postalCode", "SW1A 2AA", "country", "GB")), ""},
		{http.MethodPut, billingPath, "a postal code with a slash", with(buyer, "address", at("postalCode", "76131/1")), ""},
		{http.MethodPut, billingPath, "17 characters of postal code", with(buyer, "address", at("postalCode", strings.Repeat("7", 17))), ""},
		{http.MethodPut, billingPath, "a country in lower case", with(buyer, "address", at("country", "de")), ""},
		{http.MethodPut, billingPath, "an unassigned country", with(buyer, "address", at("country", "XX")), ""},
		{http.MethodPut, billingPath, "no country", with(buyer, "address", at("country", nil)), ""},
		{http.MethodPut, billingPath, "an empty reference", with(buyer, "reference", ""), ""},
		{http.MethodPut, billingPath, "100 characters of reference", with(buyer, "reference", strings.Repeat("R", 100)), ""},
		{http.MethodPut, billingPath, "101 characters of reference", with(buyer, "reference", strings.Repeat("R", 101)), ""},
		{http.MethodPut, billingPath, "a purchase order on two lines", with(buyer, "purchaseOrder", "BANF\n4711"), ""},
		{http.MethodPut, billingPath, "no routing", with(buyer, "routing", nil), ""},
		{http.MethodPut, billingPath, "a null routing", with(buyer, "routing", json.RawMessage("null")), nullRouting},
		{http.MethodPut, billingPath, "a GLN", with(buyer, "routing", endpoint("0088", "4012345000009")), ""},
		{http.MethodPut, billingPath, "a GLN with a wrong check digit", with(buyer, "routing", endpoint("0088", "4012345000008")), checkDigits},
		{http.MethodPut, billingPath, "a Leitweg-ID with wrong check digits", with(buyer, "reference", "", "routing", endpoint("0204", "04011000-1234512345-07")), checkDigits},
		{http.MethodPut, billingPath, "a SIRET", with(buyer, "routing", endpoint("0009", "21690999900017")), ""},
		{http.MethodPut, billingPath, "a three-digit scheme", with(buyer, "routing", endpoint("204", "04011000-1234512345-06")), ""},
		{http.MethodPut, billingPath, "a routing id with a space", with(buyer, "routing", endpoint("0009", "216909999 00017")), ""},
		{http.MethodPut, billingPath, "135 characters of routing id", with(buyer, "routing", endpoint("9999", strings.Repeat("a", 135))), ""},
		{http.MethodPut, billingPath, "136 characters of routing id", with(buyer, "routing", endpoint("9999", strings.Repeat("a", 136))), ""},
		{http.MethodPut, billingPath, "a routing without id", with(buyer, "routing", map[string]any{"scheme": "0009"}), ""},
		{http.MethodPut, billingPath, "no email", with(buyer, "email", nil), ""},
		{http.MethodPut, billingPath, "a display-name email", with(buyer, "email", "Kämmerei <rechnungen@rheinstadt.example>"), ""},
		{http.MethodPut, billingPath, "an email without a dot in its domain", with(buyer, "email", "rechnungen@localhost"), ""},
		{http.MethodPut, billingPath, "an array", `[]`, ""},

		{http.MethodPost, paymentsPath, "the example", transfer, ""},
		{http.MethodPost, paymentsPath, "the other example", c.example(paymentsPath, "rest"), ""},
		{http.MethodPost, paymentsPath, "one cent", with(transfer, "amount", 1), ""},
		{http.MethodPost, paymentsPath, "ten million euros", with(transfer, "amount", 1000000000), ""},
		{http.MethodPost, paymentsPath, "more than ten million euros", with(transfer, "amount", 1000000001), ""},
		{http.MethodPost, paymentsPath, "zero", with(transfer, "amount", 0), ""},
		{http.MethodPost, paymentsPath, "a negative amount", with(transfer, "amount", -1), ""},
		{http.MethodPost, paymentsPath, "euros with cents", with(transfer, "amount", 2000.5), ""},
		{http.MethodPost, paymentsPath, "an amount as a string", with(transfer, "amount", "200000"), ""},
		{http.MethodPost, paymentsPath, "a null amount", with(transfer, "amount", json.RawMessage("null")), ""},
		{http.MethodPost, paymentsPath, "no amount", with(transfer, "amount", nil), ""},
		{http.MethodPost, paymentsPath, "1 January 2000", with(transfer, "receivedOn", "2000-01-01"), ""},
		{http.MethodPost, paymentsPath, "31 December 1999", with(transfer, "receivedOn", "1999-12-31"), ""},
		{http.MethodPost, paymentsPath, "tomorrow", with(transfer, "receivedOn", c.daysAfter(1)), unknownToday},
		{http.MethodPost, paymentsPath, "today in UTC+14", with(transfer, "receivedOn", latestToday), parisToday},
		{http.MethodPost, paymentsPath, "30 February", with(transfer, "receivedOn", "2026-02-30"), ""},
		{http.MethodPost, paymentsPath, "a date in another format", with(transfer, "receivedOn", "30/10/2026"), ""},
		{http.MethodPost, paymentsPath, "a date-time", with(transfer, "receivedOn", "2026-10-30T00:00:00Z"), ""},
		{http.MethodPost, paymentsPath, "no date", with(transfer, "receivedOn", nil), ""},
		{http.MethodPost, paymentsPath, "an empty reference", with(transfer, "reference", ""), ""},
		{http.MethodPost, paymentsPath, "a reference in spaces", with(transfer, "reference", "  VIR 1  "), ""},
		{http.MethodPost, paymentsPath, "a reference ending in a line break", with(transfer, "reference", "VIR 1\r\n"), ""},
		{http.MethodPost, paymentsPath, "a reference on two lines", with(transfer, "reference", "VIR\n1"), ""},
		{http.MethodPost, paymentsPath, "a reference with a tab", with(transfer, "reference", "VIR\t1"), ""},
		{http.MethodPost, paymentsPath, "140 letters of reference", with(transfer, "reference", strings.Repeat("é", 140)), ""},
		{http.MethodPost, paymentsPath, "141 letters of reference", with(transfer, "reference", strings.Repeat("é", 141)), ""},
		{http.MethodPost, paymentsPath, "a currency", with(transfer, "currency", "EUR"), ""},

		{http.MethodPost, creditNotesPath, "the example", reduction, ""},
		{http.MethodPost, creditNotesPath, "one cent", with(reduction, "amount", 1), ""},
		{http.MethodPost, creditNotesPath, "zero", with(reduction, "amount", 0), ""},
		{http.MethodPost, creditNotesPath, "a negative amount", with(reduction, "amount", -1), ""},
		{http.MethodPost, creditNotesPath, "euros with cents", with(reduction, "amount", 1000.5), ""},
		{http.MethodPost, creditNotesPath, "an amount as a string", with(reduction, "amount", "100000"), ""},
		{http.MethodPost, creditNotesPath, "ten million euros", with(reduction, "amount", 1000000000), creditable},
		{http.MethodPost, creditNotesPath, "more than ten million euros", with(reduction, "amount", 1000000001), ""},
		{http.MethodPost, creditNotesPath, "no reason", with(reduction, "reason", nil), ""},
		{http.MethodPost, creditNotesPath, "an empty reason", with(reduction, "reason", ""), ""},
		{http.MethodPost, creditNotesPath, "a blank reason", with(reduction, "reason", "\u00a0 "), ""},
		{http.MethodPost, creditNotesPath, "a reason after a space", with(reduction, "reason", " Fee reduced."), ""},
		{http.MethodPost, creditNotesPath, "a reason ending in a line feed", with(reduction, "reason", "Fee reduced.\n"), ""},
		{http.MethodPost, creditNotesPath, "a reason ending in a carriage return", with(reduction, "reason", "Fee reduced.\r\n"), ""},
		{http.MethodPost, creditNotesPath, "a reason with a tab", with(reduction, "reason", "Fee\treduced."), ""},
		{http.MethodPost, creditNotesPath, "a reason on two lines", with(reduction, "reason", "Fee reduced.\nBy decision."), ""},
		{http.MethodPost, creditNotesPath, "300 letters of reason", with(reduction, "reason", strings.Repeat("é", 300)), ""},
		{http.MethodPost, creditNotesPath, "301 letters of reason", with(reduction, "reason", strings.Repeat("é", 301)), ""},
		{http.MethodPost, creditNotesPath, "501 letters of reason", with(reduction, "reason", strings.Repeat("é", 501)), ""},
		{http.MethodPost, creditNotesPath, "a VAT rate", with(reduction, "vatRate", 0), ""},
		// Last: it credits all that remains.
		{http.MethodPost, creditNotesPath, "the other example", c.example(creditNotesPath, "cancellation"), ""},
	} {
		t.Run(tt.method+" "+tt.path+" "+tt.name, func(t *testing.T) {
			schemaErr := visit(c.doc.Paths.Value(tt.path).GetOperation(tt.method).RequestBody.Value.Content.Get("application/json").Schema,
				jsonValue(t, []byte(tt.body)), asRequest)
			ct, accepted := gone, http.StatusConflict
			switch tt.path {
			case paymentsPath:
				ct = cancelled
			case creditNotesPath:
				ct, accepted = reduced, http.StatusCreated
			}
			status, _, resp := c.s.Do(tt.method, ct.url(tt.path), c.admin, tt.body)
			if status != accepted && status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", status, resp)
			}
			if status == accepted {
				valid[tt.path]++
			}
			agreement{documented: schemaErr == nil, schemaErr: schemaErr, served: status == accepted, known: tt.known,
				answer: fmt.Sprintf("%d %s\nbody: %.300s", status, resp, tt.body)}.judge(t)
		})
	}
	for _, path := range []string{billingPath, paymentsPath, creditNotesPath} {
		if valid[path] == 0 {
			t.Errorf("no variant of %s was valid input", path)
		}
	}
}

// TestOpenAPIFeeVocabulary checks the fee's enumerations and rules in the
// document against the domain's.
func TestOpenAPIFeeVocabulary(t *testing.T) {
	doc := loadContract(t)
	schemas := doc.Components.Schemas
	enum := func(schema string) []string {
		var out []string
		for _, v := range schemas[schema].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	strs := func(vs ...any) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = fmt.Sprint(v)
		}
		return out
	}
	for _, tt := range []struct {
		what       string
		documented []string
		domain     []string
	}{
		{"InvoiceStatus", enum("InvoiceStatus"), strs(fees.StatusOpen, fees.StatusOverdue, fees.StatusPaid, fees.StatusCredited)},
		{"MatchKind", enum("MatchKind"), strs(fees.MatchReference, fees.MatchReferenceInText, fees.MatchNumber, fees.MatchAmountAndName,
			fees.MatchAmbiguous, fees.MatchNone)},
		{"a payment's source", strs(schemas["Payment"].Value.Properties["source"].Value.Enum...), strs(fees.SourceManual, fees.SourceBankStatement)},
		{"VAT categories", strs(schemas["VAT"].Value.Properties["category"].Value.Enum...), strs(fees.VATExempt, fees.VATOutOfScope, fees.VATStandard)},
	} {
		if !slices.Equal(slices.Sorted(slices.Values(tt.documented)), slices.Sorted(slices.Values(tt.domain))) {
			t.Errorf("%s: documented %v, the domain's %v", tt.what, tt.documented, tt.domain)
		}
	}
	// The countries of a billing address (the Country schema, which
	// TestOpenAPICountriesAreTheDomainsCountries checks code by code), and
	// those where it needs no postal code.
	countries := map[string]bool{}
	for _, v := range schemas["Country"].Value.Enum {
		countries[v.(string)] = true
	}
	address := schemas["Address"]
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if countries[code] != fees.ValidCountry(code) {
				t.Errorf("%s: a country of the document %v, of a billing address %v", code, countries[code], fees.ValidCountry(code))
			}
			if !countries[code] {
				continue
			}
			in := fees.Buyer{LegalName: "L", Email: "f@city.example", Address: fees.Address{Street: "S", City: "C", Country: code}}
			documented := visit(address, map[string]any{"street": "S", "city": "C", "country": code}, asRequest) == nil
			if served := in.Validate() == nil; documented != served {
				t.Errorf("an address in %s without postal code: documented %v, accepted by the server %v", code, documented, served)
			}
		}
	}
}

// TestOpenAPIFeeExamplesAddUp reads the fee's examples as a finance officer
// would: the creditor references are those of the numbers, the IBANs and
// routing ids have valid check digits, every invoice's account adds up, the
// ledger's totals are the sums of its invoices, and the documented CSV is
// the documented JSON ledger.
func TestOpenAPIFeeExamplesAddUp(t *testing.T) {
	doc := loadContract(t)
	invoices := 0
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", where, i), e)
			}
			return
		case map[string]any:
			for k, e := range x {
				walk(where+"/"+k, e)
			}
			var m struct {
				Number, PaymentReference, IBAN, Status string
				Routing                                *fees.Endpoint
				Total, Paid, Credited, Outstanding     *fees.Money
				Overpaid                               fees.Money
				Invoices                               []struct {
					Total, Paid, Credited, Outstanding, Overpaid fees.Money
					Status                                       string
				}
				Totals *struct {
					Count                                                    int
					Invoiced, Paid, Credited, Outstanding, Overdue, Overpaid fees.Money
				}
			}
			if err := json.Unmarshal(roundTripBytes(t, x), &m); err != nil {
				return
			}
			if m.PaymentReference != "" {
				if ref, err := fees.CreditorReference(m.Number); err != nil || ref != m.PaymentReference {
					t.Errorf("%s: invoice %s quotes %s, its creditor reference is %s", where, m.Number, m.PaymentReference, ref)
				}
			}
			if m.IBAN != "" && !fees.ValidIBAN(m.IBAN) {
				t.Errorf("%s: IBAN %s has wrong check digits", where, m.IBAN)
			}
			if r := m.Routing; r != nil && (r.Scheme == fees.SchemeLeitwegID && !fees.ValidLeitwegID(r.ID) || r.Scheme == fees.SchemeGLN && !fees.ValidGLN(r.ID)) {
				t.Errorf("%s: routing %s %s has wrong check digits", where, r.Scheme, r.ID)
			}
			if m.Total != nil && m.Paid != nil && m.Credited != nil && m.Outstanding != nil && m.Status != "" {
				invoices++
				left := m.Total.Amount - m.Paid.Amount - m.Credited.Amount
				want := fees.Balance{Outstanding: fees.Euros(max(left, 0)), Overpaid: fees.Euros(max(-left, 0))}
				switch {
				case m.Status == "credited":
					want = fees.Balance{Outstanding: fees.Euros(0), Overpaid: *m.Paid}
				case (want.Outstanding.Amount == 0) != (m.Status == "paid"):
					t.Errorf("%s: status %s with %v outstanding", where, m.Status, want.Outstanding)
				}
				if *m.Outstanding != want.Outstanding || m.Overpaid != want.Overpaid {
					t.Errorf("%s: outstanding %v and overpaid %v, the account says %v and %v", where, *m.Outstanding, m.Overpaid, want.Outstanding, want.Overpaid)
				}
			}
			if tot := m.Totals; tot != nil {
				var sum [6]int64
				for _, inv := range m.Invoices {
					sum[0] += inv.Total.Amount
					sum[1] += inv.Paid.Amount
					sum[2] += inv.Credited.Amount
					sum[3] += inv.Outstanding.Amount
					if inv.Status == "overdue" {
						sum[4] += inv.Outstanding.Amount
					}
					sum[5] += inv.Overpaid.Amount
				}
				got := [6]int64{tot.Invoiced.Amount, tot.Paid.Amount, tot.Credited.Amount, tot.Outstanding.Amount, tot.Overdue.Amount, tot.Overpaid.Amount}
				if tot.Count != len(m.Invoices) || got != sum {
					t.Errorf("%s: totals %+v, the invoices sum to %v over %d", where, *tot, sum, len(m.Invoices))
				}
			}
		}
	}
	for _, e := range examples(t, doc) {
		walk(e.where, roundTrip(t, e.value))
	}
	if invoices < 10 {
		t.Errorf("only %d invoice accounts among the examples: the walk is broken", invoices)
	}

	// The CSV example is the JSON example of the same ledger.
	content := doc.Paths.Value(ledgerPath).Get.Responses.Status(http.StatusOK).Value.Content
	rows, err := csv.NewReader(strings.NewReader(content.Get("text/csv").Example.(string))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ledger struct{ Invoices []invoiceSummary }
	if err := json.Unmarshal(roundTripBytes(t, content.Get("application/json").Examples["year"].Value.Value), &ledger); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(ledger.Invoices)+1 {
		t.Fatalf("the CSV example has %d rows for %d invoices", len(rows)-1, len(ledger.Invoices))
	}
	for i, inv := range ledger.Invoices {
		want := []string{inv.Number, inv.CityID, inv.Buyer, strconv.Itoa(inv.FeeYear), inv.IssueDate, inv.DueDate, inv.Total.Decimal(),
			inv.Paid.Decimal(), inv.Credited.Decimal(), inv.Outstanding.Decimal(), inv.Overpaid.Decimal(), inv.Status,
			strconv.FormatBool(inv.Flagged), inv.PaymentReference}
		if !slices.Equal(rows[i+1], want) {
			t.Errorf("CSV row %d: %v, the JSON example says %v", i+1, rows[i+1], want)
		}
	}
}

// TestOpenAPIFeeSchemasRefuse is the negative control of the fee's
// examples: each row is an example with one thing wrong.
func TestOpenAPIFeeSchemasRefuse(t *testing.T) {
	doc := loadContract(t)
	schemas := doc.Components.Schemas
	ex := func(schema string) map[string]any {
		return roundTrip(t, schemas[schema].Value.Example).(map[string]any)
	}
	summary, buyer, payment, credit, credited := ex("InvoiceSummary"), ex("Buyer"), ex("PaymentInput"), ex("CreditNoteInput"), ex("StatementCredit")
	address := buyer["address"].(map[string]any)
	eur := func(amount any, currency string) map[string]any {
		return map[string]any{"amount": amount, "currency": currency}
	}
	// The positive controls: what the rows below refuse is one change away.
	for _, tt := range []struct {
		schema string
		ok     any
	}{
		{"Address", withField(withField(address, "postalCode", nil), "country", "IE")},
		{"Buyer", withField(buyer, "routing", nil)},
		{"CreditNoteInput", withField(credit, "amount", nil)},
	} {
		if err := visit(schemas[tt.schema], tt.ok, asRequest); err != nil {
			t.Errorf("%s refuses %v: %v", tt.schema, tt.ok, err)
		}
	}
	for _, tt := range []struct {
		schema string
		as     bool
		name   string
		bad    any
	}{
		{"InvoiceSummary", asResponse, "an amount in euros", withField(summary, "total", eur(5000.5, "EUR"))},
		{"InvoiceSummary", asResponse, "an amount in dollars", withField(summary, "paid", eur(100, "USD"))},
		{"InvoiceSummary", asResponse, "a negative outstanding", withField(summary, "outstanding", eur(-1, "EUR"))},
		{"InvoiceSummary", asResponse, "an unknown status", withField(summary, "status", "late")},
		{"InvoiceSummary", asResponse, "a reference in its printed form", withField(summary, "paymentReference", "RF93 ICC2 0260 014")},
		{"InvoiceSummary", asResponse, "a reference in lower case", withField(summary, "paymentReference", "rf93icc20260014")},
		{"InvoiceSummary", asResponse, "a short number", withField(summary, "number", "ICC-26-14")},
		{"InvoiceSummary", asResponse, "a credit note's number", withField(summary, "number", "ICC-CN-2026-0003")},
		{"InvoiceSummary", asResponse, "no links", withField(summary, "links", nil)},
		{"InvoiceSummary", asResponse, "no pdf link", withField(summary, "links", map[string]any{"self": "/x", "xml": "/x"})},
		{"InvoiceSummary", asResponse, "a fee year of the last century", withField(summary, "feeYear", 1999)},
		{"IBAN", asResponse, "an IBAN in its printed form", "FR76 3000 6000 0112 3456 7890 189"},
		{"Buyer", asRequest, "no email", withField(buyer, "email", nil)},
		{"Buyer", asRequest, "a VAT id", withField(buyer, "vatId", "DE123456789")},
		{"Buyer", asRequest, "a legal name in spaces", withField(buyer, "legalName", " Stadt Rheinstadt ")},
		{"Address", asRequest, "no postal code in France", withField(withField(address, "postalCode", nil), "country", "FR")},
		{"Address", asRequest, "an empty postal code in France", withField(withField(address, "postalCode", ""), "country", "FR")},
		{"Address", asRequest, "a house number field", withField(address, "number", "1")},
		{"Endpoint", asRequest, "a scheme of letters", map[string]any{"scheme": "GLN", "id": "4012345000009"}},
		{"PaymentInput", asRequest, "no amount", withField(payment, "amount", nil)},
		{"PaymentInput", asRequest, "euros", withField(payment, "amount", 2000.5)},
		{"PaymentInput", asRequest, "an amount with its currency", withField(payment, "amount", eur(200000, "EUR"))},
		{"PaymentInput", asRequest, "a date-time", withField(payment, "receivedOn", "2026-10-30T10:00:00Z")},
		{"CreditNoteInput", asRequest, "zero", withField(credit, "amount", 0)},
		{"CreditNoteInput", asRequest, "no reason", withField(credit, "reason", nil)},
		{"CreditNoteInput", asRequest, "a reason on two lines", withField(credit, "reason", "Fee reduced.\nBy decision.")},
		{"CreditNoteInput", asRequest, "a blank reason", withField(credit, "reason", " \n ")},
		{"StatementCredit", asResponse, "an unknown match", withField(credited, "match", "fuzzy")},
		{"StatementCredit", asResponse, "a credit of nothing", withField(credited, "amount", eur(0, "EUR"))},
		{"RunInput", asRequest, "a year as a string", map[string]any{"year": "2027"}},
		{"RunInput", asRequest, "a month", map[string]any{"year": 2027, "month": 1}},
		{"Run", asResponse, "an annual run reporting a sweep", withField(ex("Run"), "schedule", "annual-invoices")},
		{"Run", asResponse, "a run of an unknown status", withField(ex("Run"), "status", "done")},
		{"Run", asResponse, "a run without its requester", withField(ex("Run"), "requestedBy", nil)},
		{"DailyResult", asResponse, "a daily run without its fees", withField(ex("DailyResult"), "fees", nil)},
	} {
		if err := visit(schemas[tt.schema], tt.bad, tt.as); err == nil {
			t.Errorf("%s schema accepts %s", tt.schema, tt.name)
		}
	}
	for name, bad := range map[string]string{"InvoiceCache": "no-cache", "DocumentDisposition": "attachment; filename=ICC-2026-0014.pdf",
		"RetryAfter": "soon", "RunRetryAfter": "soon", "RunLocation": "/admin/runs/nightly/t3kq7vzm2xw4bjr6nhc5dpaafe", "LedgerDisposition": "inline; filename=invoices-2026.csv"} {
		if err := visit(doc.Components.Headers[name].Value.Schema, bad, asResponse); err == nil {
			t.Errorf("header %s accepts %q", name, bad)
		}
	}
}
