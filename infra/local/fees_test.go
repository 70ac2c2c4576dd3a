package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

// billingBody is a city's billing details as its finance office gives them.
func billingBody(name, email string) string {
	return fmt.Sprintf(`{"legalName":"Ville de %s","address":{"street":"1 place de l'Hôtel de Ville","city":%q,
		"postalCode":"69001","country":"FR"},"reference":"SERV-INTERNATIONAL","email":%q}`, name, name, email)
}

type invoiceList struct {
	Invoices []struct {
		InvoiceID, Number, Status, PaymentReference string
		FeeYear                                     int
		DocumentsReady                              bool
		Total, Paid, Outstanding, Overpaid          fees.Money
	}
	Outstanding fees.Money
}

func cityInvoices(t *testing.T, s *localtest.Stack, id, tok string) invoiceList {
	t.Helper()
	status, _, resp := s.Do(http.MethodGet, "/cities/"+id+"/invoices", tok, "")
	if status != 200 {
		t.Fatalf("invoices of %s: %d %s", id, status, resp)
	}
	var l invoiceList
	if err := json.Unmarshal(resp, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// payingMember is a member a year into its agreement whose billing details
// are recorded: the invoices of last year and this year are issued.
func payingMember(t *testing.T, s *localtest.Stack, adm, name, email string) (string, string) {
	t.Helper()
	id, tok := member(t, s, adm, name)
	if status, _, resp := s.Do(http.MethodPut, "/cities/"+id+"/billing", tok, billingBody(name, email)); status != 200 {
		t.Fatalf("billing: %d %s", status, resp)
	}
	s.Drain()
	return id, tok
}

// The whole life of a fee: invoices issued once billing details exist,
// archived and emailed with their PDF and e-invoice, served byte for byte;
// a payment posted five times with one key recorded once, the rest paid,
// an overpayment flagged; a credit note; a city sees only its own.
func TestFeesFromInvoiceToPayment(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := payingMember(t, s, adm, "Feeville", "finances@feeville.example")
	year := fees.FeeYear(s.Clock.Now())

	l := cityInvoices(t, s, id, tok)
	if len(l.Invoices) != 2 {
		t.Fatalf("%d invoices, want last year's and this year's: %+v", len(l.Invoices), l)
	}
	numbers := []string{l.Invoices[1].Number, l.Invoices[0].Number}
	if numbers[0] != fmt.Sprintf("ICC-%d-0001", year) || numbers[1] != fmt.Sprintf("ICC-%d-0002", year) ||
		l.Invoices[0].FeeYear != year || l.Invoices[1].FeeYear != year-1 {
		t.Fatalf("numbers %v, fee years %d and %d", numbers, l.Invoices[1].FeeYear, l.Invoices[0].FeeYear)
	}
	inv := l.Invoices[0]
	if !inv.DocumentsReady || inv.Total != fees.Euros(500000) || inv.Outstanding != fees.Euros(500000) ||
		l.Outstanding != fees.Euros(1000000) || !fees.ValidCreditorReference(inv.PaymentReference) {
		t.Fatalf("invoice %+v, outstanding %v", inv, l.Outstanding)
	}

	// The documents, as archived: the PDF, the e-invoice, by Accept or link.
	path := "/cities/" + id + "/invoices/" + inv.InvoiceID
	status, hdr, pdf := s.Do(http.MethodGet, path, tok, "", "Accept", "application/pdf")
	if status != 200 || hdr.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %s %.40q", status, hdr.Get("Content-Type"), pdf)
	}
	stored, err := s.Archive.Get(t.Context(), "invoices/"+fmt.Sprint(year)+"/"+inv.Number+".pdf")
	if err != nil || !bytes.Equal(stored.Body, pdf) {
		t.Fatalf("the PDF served is not the one archived: %v", err)
	}
	status, _, again := s.Do(http.MethodGet, path+"?format=pdf", tok, "")
	if status != 200 || !bytes.Equal(again, pdf) {
		t.Fatal("the PDF changed between two reads")
	}
	status, hdr, xml := s.Do(http.MethodGet, path, tok, "", "Accept", "application/xml")
	if status != 200 || !bytes.Contains(xml, []byte("<cbc:ID>"+inv.Number+"</cbc:ID>")) {
		t.Fatalf("e-invoice: %d %s %.200s", status, hdr.Get("Content-Type"), xml)
	}

	// The emails: each invoice once, with both documents attached.
	mails, _ := s.MailTo(t.Context(), "finances@feeville.example")
	sent := 0
	for _, m := range mails {
		if strings.Contains(m.Subject, "invoice") {
			sent++
			for _, n := range numbers {
				if strings.Contains(m.Subject, n) && (!strings.Contains(m.RawData, `filename=`+n+`.pdf`) ||
					!strings.Contains(m.RawData, `filename=`+n+`.xml`)) {
					t.Errorf("the email of %s lacks its attachments", n)
				}
			}
		}
	}
	if sent != 2 {
		t.Fatalf("%d invoice emails, want 2", sent)
	}

	// Another city sees neither the invoice nor its documents.
	other, otherTok := applyCity(t, s, "Elsewhere", 90000, 9)
	if status, _, _ := s.Do(http.MethodGet, path, otherTok, ""); status != http.StatusForbidden {
		t.Fatalf("another city's token on the invoice: %d", status)
	}
	if status, _, _ := s.Do(http.MethodGet, "/cities/"+other+"/invoices/"+inv.InvoiceID, otherTok, ""); status != http.StatusNotFound {
		t.Fatalf("the invoice through another city's path: %d", status)
	}
	if status, _, _ := s.Do(http.MethodPost, "/admin/invoices/"+inv.InvoiceID+"/payments", tok,
		fmt.Sprintf(`{"amount":100,"receivedOn":%q}`, day(0))); status != http.StatusForbidden {
		t.Fatalf("a city recording a payment: %d", status)
	}

	// A partial payment posted five times at once with one key: once.
	pay := "/admin/invoices/" + inv.InvoiceID + "/payments"
	var wg sync.WaitGroup
	codes := make(chan int, 5)
	for range 5 {
		wg.Go(func() {
			status, _, _ := s.Do(http.MethodPost, pay, adm, fmt.Sprintf(`{"amount":200000,"receivedOn":%q,"reference":"VIR 1"}`, day(-1)),
				"Idempotency-Key", "pay-once")
			codes <- status
		})
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusCreated {
			t.Errorf("a repeat of the payment: %d", c)
		}
	}
	status, _, resp := s.Do(http.MethodGet, path, adm, "")
	var detail struct {
		Status      string
		Outstanding fees.Money
		Payments    []struct{ Amount fees.Money }
	}
	_ = json.Unmarshal(resp, &detail)
	if status != 200 || len(detail.Payments) != 1 || detail.Outstanding != fees.Euros(300000) || detail.Status != "open" {
		t.Fatalf("after the payment posted five times: %s", resp)
	}
	// The rest, and more: paid, the excess flagged.
	status, _, resp = s.Do(http.MethodPost, pay, adm, fmt.Sprintf(`{"amount":310000,"receivedOn":%q}`, day(0)))
	if status != http.StatusCreated || !strings.Contains(string(resp), `"status":"paid"`) || !strings.Contains(string(resp), `"overpaid":{"amount":10000`) {
		t.Fatalf("paid in full and more: %d %s", status, resp)
	}
	_, _, resp = s.Do(http.MethodGet, "/admin/cities/"+id+"/audit", adm, "")
	if !strings.Contains(string(resp), "overpaid by 100.00 EUR") {
		t.Errorf("the overpayment is not in the audit trail: %s", resp)
	}
	// Bad input names the field and records nothing.
	for body, ptr := range map[string]string{`{"receivedOn":"2026-01-01"}`: "/amount", `{"amount":-5,"receivedOn":"2026-01-01"}`: "/amount",
		fmt.Sprintf(`{"amount":100,"receivedOn":%q}`, day(30)): "/receivedOn", `{"amount":100}`: "/receivedOn"} {
		status, _, resp := s.Do(http.MethodPost, "/admin/invoices/"+l.Invoices[1].InvoiceID+"/payments", adm, body)
		if status != 400 || !strings.Contains(string(resp), `"pointer":"`+ptr+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, status, resp, ptr)
		}
	}

	// Last year's invoice is cancelled by a credit note, which is archived
	// and emailed in its turn.
	cn := "/admin/invoices/" + l.Invoices[1].InvoiceID + "/credit-notes"
	status, _, resp = s.Do(http.MethodPost, cn, adm, `{"reason":"Membership began this year: no fee for last year."}`, "Idempotency-Key", "cn-1")
	if status != http.StatusCreated || !strings.Contains(string(resp), `"status":"credited"`) ||
		!strings.Contains(string(resp), fmt.Sprintf("ICC-CN-%d-0001", year)) {
		t.Fatalf("credit note: %d %s", status, resp)
	}
	s.Drain()
	mails, _ = s.MailTo(t.Context(), "finances@feeville.example")
	if !slices.ContainsFunc(mails, func(m local.Mail) bool {
		return strings.Contains(m.Subject, "credit note") && strings.Contains(m.RawData, fmt.Sprintf("filename=ICC-CN-%d-0001.pdf", year))
	}) {
		t.Error("no email with the credit note attached")
	}
	if status, _, resp := s.Do(http.MethodPost, cn, adm, `{"reason":"again"}`); status != 409 || !strings.Contains(string(resp), "credited in full") {
		t.Errorf("crediting a credited invoice: %d %s", status, resp)
	}
	l = cityInvoices(t, s, id, tok)
	if l.Outstanding != fees.Euros(0) {
		t.Errorf("outstanding after payment and credit note: %v", l.Outstanding)
	}
}

// sameNumber is the finance function's store, but that the first two
// readers of a series' next number wait for each other once they have read
// it: two requests numbering a document at the same moment read the same
// number, and one of them loses it when it is stored.
type sameNumber struct {
	httpapi.Store
	series  string
	readers atomic.Int32
	both    chan struct{}
}

func (s *sameNumber) NextNumber(ctx context.Context, series string) (int, error) {
	n, err := s.Store.NextNumber(ctx, series)
	if series == s.series {
		switch s.readers.Add(1) {
		case 1:
			select {
			case <-s.both:
			case <-time.After(10 * time.Second): // the other request never came
			}
		case 2:
			close(s.both)
		}
	}
	return n, err
}

// Two credit notes on different invoices at the same moment both read the
// next number of the series; the one that loses it when it is stored takes
// the next one: both are issued, numbered one after the other, and the
// answer stored for an Idempotency-Key is the credit note as issued.
func TestConcurrentCreditNotesTakeConsecutiveNumbers(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	var invoices []string
	for _, name := range []string{"Creditville", "Notebourg"} {
		id, tok := payingMember(t, s, adm, name, "finances@"+strings.ToLower(name)+".example")
		invoices = append(invoices, cityInvoices(t, s, id, tok).Invoices[0].InvoiceID)
	}
	year := fees.Today(s.Clock.Now()).Year()
	fin := s.API("finance")
	store := &sameNumber{Store: fin.Store, series: fees.CreditNoteSeries(year), both: make(chan struct{})}
	fin.Store = store
	defer func() { fin.Store = store.Store }()

	type issued struct {
		status int
		body   []byte
	}
	answers := make([]issued, len(invoices))
	var wg sync.WaitGroup
	for i, inv := range invoices {
		wg.Go(func() {
			status, _, body := s.Do(http.MethodPost, "/admin/invoices/"+inv+"/credit-notes", adm,
				`{"amount":100000,"reason":"Fee reduced by decision."}`, "Idempotency-Key", fmt.Sprintf("concurrent-%d", i))
			answers[i] = issued{status, body}
		})
	}
	wg.Wait()
	// Read before the replays below, which plan again before they fail.
	reads := store.readers.Load()
	var numbers []string
	for i, a := range answers {
		var d struct{ CreditNotes []struct{ Number string } }
		if a.status != http.StatusCreated || json.Unmarshal(a.body, &d) != nil || len(d.CreditNotes) != 1 {
			t.Fatalf("the credit note on invoice %d: %d %s", i, a.status, a.body)
		}
		numbers = append(numbers, d.CreditNotes[0].Number)
		// The replay is the credit note as issued, not as first planned.
		status, hdr, body := s.Do(http.MethodPost, "/admin/invoices/"+invoices[i]+"/credit-notes", adm,
			`{"amount":100000,"reason":"Fee reduced by decision."}`, "Idempotency-Key", fmt.Sprintf("concurrent-%d", i))
		if status != http.StatusCreated || hdr.Get("Idempotent-Replayed") != "true" || !bytes.Equal(body, a.body) {
			t.Errorf("the replay of the credit note on invoice %d: %d %s, want %s", i, status, body, a.body)
		}
	}
	slices.Sort(numbers)
	if want := []string{fees.CreditNoteNumber(year, 1), fees.CreditNoteNumber(year, 2)}; !slices.Equal(numbers, want) {
		t.Fatalf("credit notes %v, want %v", numbers, want)
	}
	if n := reads; n != 3 {
		t.Errorf("the series was read %d times, want twice at once and once more by the request that lost its number", n)
	}
	// Each is archived under its own number.
	s.Drain()
	for _, n := range numbers {
		if _, err := s.Archive.Get(t.Context(), fmt.Sprintf("credit-notes/%d/%s.pdf", year, n)); err != nil {
			t.Errorf("credit note %s is not archived: %v", n, err)
		}
	}
}

// The annual run: the one the secretariat asks for (a second request while
// it is queued is refused and pointed at it), while the schedule's own run
// of the same year goes at the same time, then a third after, give one
// invoice per member and year, numbered 1..N without a gap; a run only
// queues work, which the billing function turns into invoices.
func TestAnnualInvoicesOncePerMemberWithoutGaps(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	const n = 6
	var ids []string
	for i := range n {
		id, _ := payingMember(t, s, adm, fmt.Sprintf("Annual %d", i), fmt.Sprintf("annual%d@fees.example", i))
		ids = append(ids, id)
	}
	// Next January, in Paris.
	next := fees.FeeYear(s.Clock.Now()) + 1
	s.Clock.Set(time.Date(next, 1, 2, 6, 30, 0, 0, fees.Paris))
	input := fmt.Sprintf(`{"year":%d}`, next)
	statuses := make([]int, 2)
	locations := make([]string, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			var hdr http.Header
			statuses[i], hdr, _ = s.Do(http.MethodPost, "/admin/runs/annual-invoices", adm, input)
			locations[i] = hdr.Get("Location")
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{http.StatusAccepted, http.StatusConflict}) || locations[0] != locations[1] {
		t.Fatalf("two requests at once: %v, Locations %q, want one run queued and the other request pointed at it", statuses, locations)
	}
	// The run, by the annual-invoices function from the stream, and the
	// schedule's own, by EventBridge Scheduler, at the same time.
	wg.Go(func() { s.Drain() })
	wg.Go(func() {
		if _, err := s.Scheduled["annual-invoices"](t.Context(), []byte(`{"schedule":"annual-invoices"}`)); err != nil {
			t.Errorf("the scheduled run: %v", err)
		}
	})
	wg.Wait()
	s.Drain()
	if resp := string(s.RunSchedule(adm, "annual-invoices", input)); !strings.Contains(resp, fmt.Sprintf(`"alreadyInvoiced":%d`, n)) ||
		!strings.Contains(resp, `"queued":0`) {
		t.Fatalf("the third run: %s", resp)
	}
	s.Drain()
	var numbers []string
	for _, id := range ids {
		for _, inv := range cityInvoices(t, s, id, adm).Invoices {
			if inv.FeeYear == next {
				numbers = append(numbers, inv.Number)
			}
		}
	}
	slices.Sort(numbers)
	if len(numbers) != n {
		t.Fatalf("%d invoices for %d, want %d: %v", len(numbers), next, n, numbers)
	}
	for i, num := range numbers {
		if want := fmt.Sprintf("ICC-%d-%04d", next, i+1); num != want {
			t.Fatalf("numbers %v: %s where %s was due", numbers, num, want)
		}
	}
	// The ledger of the year, as finance sees it.
	status, _, resp := s.Do(http.MethodGet, fmt.Sprintf("/admin/invoices?year=%d", next), adm, "")
	if status != 200 || !strings.Contains(string(resp), fmt.Sprintf(`"count":%d`, n)) ||
		!strings.Contains(string(resp), fmt.Sprintf(`"invoiced":{"amount":%d`, n*500000)) {
		t.Fatalf("ledger: %d %.400s", status, resp)
	}
	status, hdr, csv := s.Do(http.MethodGet, fmt.Sprintf("/admin/invoices?year=%d", next), adm, "", "Accept", "text/csv")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || strings.Count(string(csv), "\n") != n+1 {
		t.Fatalf("CSV: %d %s\n%s", status, hdr.Get("Content-Type"), csv)
	}
}

// Reminders: each stage once, however often the daily run goes; a paid
// invoice gets none; the final notice is copied to the secretariat; then
// the invoice is flagged for the secretariat.
func TestFeeRemindersEachStageOnce(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := payingMember(t, s, adm, "Slowpay", "finances@slowpay.example")
	paid, paidTok := payingMember(t, s, adm, "Quickpay", "finances@quickpay.example")
	for _, inv := range cityInvoices(t, s, paid, paidTok).Invoices {
		s.Do(http.MethodPost, "/admin/invoices/"+inv.InvoiceID+"/payments", adm,
			fmt.Sprintf(`{"amount":%d,"receivedOn":%q}`, inv.Total.Amount, day(0)))
	}
	// Credit last year's invoice: one open invoice is followed.
	l := cityInvoices(t, s, id, tok)
	s.Do(http.MethodPost, "/admin/invoices/"+l.Invoices[1].InvoiceID+"/credit-notes", adm, `{"reason":"Waived."}`)
	s.Drain()

	year := fees.FeeYear(s.Clock.Now())
	due := time.Now().AddDate(0, 0, 30) // issued today, due in 30 days
	stages := []struct {
		at    time.Time
		stage string
	}{
		{due.AddDate(0, 0, -7), "falls due"},
		{due.AddDate(0, 0, 14), "overdue"},
		{due.AddDate(0, 0, 45), "final notice"},
		{due.AddDate(0, 0, 60), ""},
	}
	for _, st := range stages {
		s.Clock.Set(st.at)
		for range 2 {
			s.RunSchedule(adm, "daily", "")
		}
		s.Drain()
	}
	mails, _ := s.MailTo(t.Context(), "finances@slowpay.example")
	var subjects []string
	for _, m := range mails {
		for _, st := range stages[:3] {
			if strings.Contains(m.Subject, st.stage) {
				subjects = append(subjects, st.stage)
			}
		}
	}
	slices.Sort(subjects)
	if strings.Join(subjects, ",") != "falls due,final notice,overdue" {
		t.Fatalf("reminders to the late payer: %v", subjects)
	}
	if m, _ := s.MailTo(t.Context(), "finances@quickpay.example"); slices.ContainsFunc(m, func(m local.Mail) bool {
		return strings.Contains(m.Subject, "reminder") || strings.Contains(m.Subject, "falls due")
	}) {
		t.Error("a paid invoice got a reminder")
	}
	sec, _ := s.MailTo(t.Context(), "secretariat@intercultural-cities.local")
	if !slices.ContainsFunc(sec, func(m local.Mail) bool { return strings.Contains(m.Subject, "final notice") }) {
		t.Error("the secretariat got no copy of the final notice")
	}
	status, _, resp := s.Do(http.MethodGet, fmt.Sprintf("/admin/invoices?year=%d&status=overdue", year), adm, "")
	if status != 200 || !strings.Contains(string(resp), `"flagged":true`) {
		t.Errorf("the invoice is not flagged for the secretariat: %s", resp)
	}
}

// A bank statement: credits matched by reference are recorded as payments,
// the others listed; importing it again records nothing twice; a malformed
// file is a clear 400 that records nothing.
func TestBankStatementImport(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := payingMember(t, s, adm, "Bankton", "finances@bankton.example")
	l := cityInvoices(t, s, id, tok)
	inv := l.Invoices[0]
	stmt := camt053("STMT-1", []camtEntry{
		{ref: "BK-1", amount: "2500.00", structured: inv.PaymentReference, debtor: "Ville de Bankton"},
		{ref: "BK-2", amount: "123.45", unstructured: "donation", debtor: "Someone Else"},
	})
	post := func(body string) (int, string) {
		status, _, resp := s.Do(http.MethodPost, "/admin/bank-statements", adm, body, "Content-Type", "application/xml")
		return status, string(resp)
	}
	status, resp := post(stmt)
	if status != 200 || !strings.Contains(resp, `"credits":2`) || strings.Count(resp, `"entryKey"`) != 2 ||
		!strings.Contains(resp, inv.Number) {
		t.Fatalf("import: %d %s", status, resp)
	}
	var res struct{ Recorded, AlreadyRecorded, Unmatched []struct{ EntryKey string } }
	_ = json.Unmarshal([]byte(resp), &res)
	if len(res.Recorded) != 1 || len(res.Unmatched) != 1 {
		t.Fatalf("recorded %d, unmatched %d: %s", len(res.Recorded), len(res.Unmatched), resp)
	}
	status, resp = post(stmt)
	_ = json.Unmarshal([]byte(resp), &res)
	if status != 200 || len(res.Recorded) != 0 || len(res.AlreadyRecorded) != 1 {
		t.Fatalf("the same statement again: %d %s", status, resp)
	}
	if got := cityInvoices(t, s, id, tok).Invoices[0]; got.Outstanding != fees.Euros(250000) || got.Status != "open" {
		t.Fatalf("after the statement: %+v", got)
	}
	before := s.Items("INVOICE#")
	status, resp = post(strings.Replace(stmt, "<Amt Ccy=\"EUR\">2500.00</Amt>", "<Amt Ccy=\"EUR\">25.001</Amt>", 1))
	if status != 400 || !strings.Contains(resp, "pointer") || s.Items("INVOICE#") != before {
		t.Fatalf("a malformed statement: %d %s", status, resp)
	}
	if status, _, _ := s.Do(http.MethodPost, "/admin/bank-statements", adm, stmt); status != http.StatusUnsupportedMediaType {
		t.Errorf("a statement sent as JSON: %d", status)
	}
}

type camtEntry struct{ ref, amount, structured, unstructured, debtor string }

// camt053 writes a minimal ISO 20022 camt.053.001.08 statement of credits.
func camt053(id string, entries []camtEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>%s</MsgId><CreDtTm>2026-11-30T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>%s</Id><CreDtTm>2026-11-30T08:00:00</CreDtTm><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ccy>EUR</Ccy></Acct>`, id, id)
	for _, e := range entries {
		rmt := ""
		if e.structured != "" {
			rmt = `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>` + e.structured + `</Ref></CdtrRefInf></Strd>`
		}
		if e.unstructured != "" {
			rmt = `<Ustrd>` + e.unstructured + `</Ustrd>` + rmt
		}
		fmt.Fprintf(&b, `<Ntry><NtryRef>%s</NtryRef><Amt Ccy="EUR">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt><AcctSvcrRef>%s</AcctSvcrRef><BkTxCd/>
<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>%s</Nm></Pty></Dbtr></RltdPties><RmtInf>%s</RmtInf></TxDtls></NtryDtls></Ntry>`,
			e.ref, e.amount, day(0), day(0), e.ref, e.amount, e.debtor, rmt)
	}
	b.WriteString(`</Stmt></BkToCstmrStmt></Document>`)
	return b.String()
}
