package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// downloads lets the page save downloads in a directory of the test's own,
// and returns how to wait for the next one: its name and its bytes.
func downloads(t *testing.T, ctx context.Context) func(what string) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	var mu sync.Mutex
	names := map[string]string{}
	done := make(chan string, 8)
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdpbrowser.EventDownloadWillBegin:
			mu.Lock()
			names[e.GUID] = e.SuggestedFilename
			mu.Unlock()
		case *cdpbrowser.EventDownloadProgress:
			if e.State == cdpbrowser.DownloadProgressStateCompleted {
				done <- e.GUID
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	on := true
	if _, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on}); err != nil {
		t.Fatal(err)
	}
	return func(what string) (string, []byte) {
		t.Helper()
		select {
		case guid := <-done:
			b, err := os.ReadFile(filepath.Join(dir, guid))
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			mu.Lock()
			defer mu.Unlock()
			return names[guid], b
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no download", what)
			return "", nil
		}
	}
}

// fitsWidth says whether the page is as wide as the window: nothing to
// scroll sideways (WCAG 1.4.10).
const fitsWidth = `document.documentElement.scrollWidth <= window.innerWidth`

// skippedHeadingsJS lists the headings shown that skip a level (an h4
// after an h2): headings in order let a screen reader's user navigate.
const skippedHeadingsJS = `(() => {
	let prev = 0;
	return Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6")).filter(h => h.offsetParent !== null)
		.filter(h => { const skip = +h.tagName[1] > prev + 1; prev = +h.tagName[1]; return skip; })
		.map(h => h.tagName + " " + h.textContent).join("; ");
})()`

// unlabelledJS lists the form controls shown without a label.
const unlabelledJS = `Array.from(document.querySelectorAll("main input, main select, main textarea"))
	.filter(e => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute("aria-label"))
	.map(e => e.id || e.name).join(" ")`

// accessible checks what the page shows: headings in order, every control
// labelled, nothing to scroll sideways.
func accessible(t *testing.T, ctx context.Context, page string, fail func(string, error)) {
	t.Helper()
	if got := value(t, ctx, "read the headings of "+page, chromedp.Evaluate[string](skippedHeadingsJS), fail); got != "" {
		t.Errorf("%s: headings skip a level: %s", page, got)
	}
	if got := value(t, ctx, "read the labels of "+page, chromedp.Evaluate[string](unlabelledJS), fail); got != "" {
		t.Errorf("%s: controls without a label: %s", page, got)
	}
	if !value(t, ctx, "measure "+page, chromedp.Evaluate[bool](fitsWidth), fail) {
		t.Errorf("%s is wider than the window", page)
	}
}

type invoiceDetail struct {
	Status      string
	Outstanding fees.Money
	Payments    []struct {
		Amount    fees.Money
		Reference string
	}
	CreditNotes []struct{ Number string }
}

func getInvoice(t *testing.T, s *localtest.Stack, tok, cityID, invoiceID string) invoiceDetail {
	t.Helper()
	status, _, body := s.Do(http.MethodGet, "/cities/"+cityID+"/invoices/"+invoiceID, tok, "")
	var d invoiceDetail
	if err := json.Unmarshal(body, &d); status != http.StatusOK || err != nil {
		t.Fatalf("invoice %s: %d %v %s", invoiceID, status, err, body)
	}
	return d
}

// TestFinanceConsoleInABrowser drives the console's finance view in French
// on a phone's width: the year's totals and invoices, a payment typed
// "2 000,50" and double-clicked (recorded once, to the cent), the CSV
// export, a bank statement paying the rest, a credit note on last year's
// invoice, the annual run naming the member without billing details, and
// that member's file, marked until its details are recorded there.
func TestFinanceConsoleInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := payingMember(t, s, adm, "Financeville", "finances@financeville.example")
	waiting, _ := member(t, s, adm, "Sansfacture")
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	text := func(sel string) string { t.Helper(); return value(t, ctx, "read "+sel, chromedp.Text(css(sel)), fail) }
	year := fees.FeeYear(s.Clock.Now())
	l := cityInvoices(t, s, id, tok)
	inv, last := l.Invoices[0], l.Invoices[1]
	fr := i18n.French
	next := downloads(t, ctx)

	do("open the finance view",
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(s.URL+"/secretariat?lang=fr#finance"),
		chromedp.WaitVisible(css("#signin")),
		chromedp.SendKeys(css("#token"), adm),
		chromedp.Click(css(`#signin button[type=submit]`)),
		chromedp.WaitVisible(css(`#ledger tr[data-invoice="`+inv.InvoiceID+`"]`)),
	)
	if got := text(`#ledger-totals [data-total="invoiced"]`); got != fr.Money(500000, "EUR") {
		t.Errorf("invoiced %q, want %q", got, fr.Money(500000, "EUR"))
	}
	if got := text(`#ledger tr[data-invoice="` + inv.InvoiceID + `"] [data-status]`); got != "à payer" {
		t.Errorf("status %q, want à payer", got)
	}

	// A payment typed the French way, double-clicked: recorded once.
	do("record a payment",
		chromedp.Click(css(`#ledger [data-open="`+inv.InvoiceID+`"]`)),
		chromedp.WaitVisible(css("#ledger-invoice .payment-form")),
		chromedp.SendKeys(css("#ledger-invoice-pay-amount"), "2 000,50"),
		chromedp.SendKeys(css("#ledger-invoice-pay-reference"), "VIR FINANCEVILLE"),
		chromedp.DoubleClick(css("#ledger-invoice .payment-form button[type=submit]")),
		chromedp.WaitVisible(css("#ledger-invoice-recorded")),
	)
	if got, want := text(`#ledger-invoice [data-fact="outstanding"]`), fr.Money(299950, "EUR"); got != want {
		t.Errorf("outstanding shown %q, want %q", got, want)
	}
	if msg := text("#ledger-invoice-recorded"); !strings.Contains(msg, fr.Money(200050, "EUR")) {
		t.Errorf("message %q", msg)
	}
	value(t, ctx, "the ledger follows", chromedp.Poll[bool](
		`document.querySelector('#ledger tr[data-invoice="`+inv.InvoiceID+`"] [data-outstanding]').dataset.outstanding === "299950"`), fail)
	d := getInvoice(t, s, adm, id, inv.InvoiceID)
	if len(d.Payments) != 1 || d.Payments[0].Amount != fees.Euros(200050) || d.Payments[0].Reference != "VIR FINANCEVILLE" ||
		d.Outstanding != fees.Euros(299950) {
		t.Fatalf("after the double click: %+v", d)
	}
	accessible(t, ctx, "the finance view with an invoice open", fail)

	// Another payment, the form sent twice at once (what a disabled button
	// cannot stop): one Idempotency-Key, one payment.
	const posted = `performance.getEntriesByType("resource").filter(e => e.name.endsWith("/payments")).length`
	before := value(t, ctx, "count the payments sent", chromedp.Evaluate[int](posted), fail)
	value(t, ctx, "empty the form", chromedp.Evaluate[bool](
		`(f => { f.elements.amount.value = ""; f.elements.reference.value = ""; return true; })(document.querySelector("#ledger-invoice .payment-form"))`), fail)
	do("type another amount", chromedp.SendKeys(css("#ledger-invoice-pay-amount"), "10"))
	value(t, ctx, "send twice", chromedp.Evaluate[bool](
		`(f => { f.requestSubmit(); f.requestSubmit(); return true; })(document.querySelector("#ledger-invoice .payment-form"))`), fail)
	value(t, ctx, "both sent and answered", chromedp.Poll[bool](fmt.Sprintf(`%s === %d && document.querySelectorAll("#ledger-invoice .payments li").length === 2`,
		posted, before+2), chromedp.WithPollingTimeout(5*time.Second)), fail)
	value(t, ctx, "both handled", chromedp.Poll[bool](`!document.querySelector("#ledger-invoice .payment-form button").disabled`), fail)
	if msg := text("#ledger-invoice .panel-status"); !strings.Contains(msg, fr.Money(1000, "EUR")) || strings.Contains(msg, "échoué") {
		t.Errorf("after the form sent twice, the page says %q", msg)
	}
	if d := getInvoice(t, s, adm, id, inv.InvoiceID); len(d.Payments) != 2 || d.Outstanding != fees.Euros(298950) {
		t.Fatalf("after the form sent twice: %+v", d)
	}

	// The invoice's e-invoice, fetched with the token.
	do("download the e-invoice", chromedp.Click(css(`#ledger-invoice [data-download=xml]`)))
	if name, xml := next("the e-invoice"); name != inv.Number+".xml" || !strings.Contains(string(xml), "<cbc:ID>"+inv.Number+"</cbc:ID>") {
		t.Errorf("e-invoice %s: %.200s", name, xml)
	}

	// The ledger as CSV, fetched with the token.
	do("export", chromedp.Click(css("#export-csv")))
	name, csv := next("the CSV export")
	if name != fmt.Sprintf("factures-%d.csv", year) || !strings.HasPrefix(string(csv), "number,city_id,") ||
		!strings.Contains(string(csv), inv.Number) || !strings.Contains(string(csv), ",2989.50,") {
		t.Errorf("CSV %s:\n%s", name, csv)
	}

	// A statement pays the rest; a credit naming both invoices, and one from
	// elsewhere, are left to check.
	stmt := filepath.Join(t.TempDir(), "statement.xml")
	if err := os.WriteFile(stmt, []byte(camt053("STMT-WEB-1", []camtEntry{
		{ref: "WEB-0", amount: "50.00", unstructured: "Factures " + inv.Number + " et " + last.Number, debtor: "Ville de Financeville"},
		{ref: "WEB-1", amount: "2989.50", structured: inv.PaymentReference, debtor: "Ville de Financeville"},
		{ref: "WEB-2", amount: "50.00", unstructured: "cotisation ?", debtor: "Inconnu"},
	})), 0o600); err != nil {
		t.Fatal(err)
	}
	do("import a statement",
		chromedp.SetUploadFiles(css("#statement"), []string{stmt}),
		chromedp.Click(css("#statement-form button[type=submit]")),
		chromedp.WaitVisible(css("#statement-recorded li")),
		chromedp.WaitVisible(css("#statement-unmatched li")),
	)
	if got := text("#statement-recorded li"); !strings.Contains(got, fr.Money(298950, "EUR")) || !strings.Contains(got, inv.Number) {
		t.Errorf("recorded credit %q", got)
	}
	if got := text("#statement-unmatched"); !strings.Contains(got, "Inconnu") || !strings.Contains(got, "aucune facture") ||
		!strings.Contains(got, "plusieurs factures") {
		t.Errorf("unmatched credits %q", got)
	}
	// Of the invoices the ambiguous credit may pay, the one listed is offered,
	// its payment form filled in from the credit.
	do("pick the invoice of the ambiguous credit",
		chromedp.Click(css(`#statement-unmatched [data-candidate="`+inv.InvoiceID+`"]`)),
		chromedp.WaitVisible(css("#ledger-invoice .payment-form")),
	)
	if got := value(t, ctx, "read the amount filled in", chromedp.Value(css("#ledger-invoice-pay-amount")), fail); got != "50,00" {
		t.Errorf("amount filled in from the credit: %q", got)
	}
	if d := getInvoice(t, s, adm, id, inv.InvoiceID); d.Status != "paid" || len(d.Payments) != 3 {
		t.Errorf("after the statement: %+v", d)
	}
	value(t, ctx, "the ledger shows it paid", chromedp.Poll[bool](
		`document.querySelector('#ledger tr[data-invoice="`+inv.InvoiceID+`"] [data-status]').dataset.status === "paid"`), fail)
	read := frenchReader(t, ctx, fail)
	read("/secretariat?lang=fr, the finance view", "Reste dû", "dont en retard", "payée", "Relevé STMT-WEB-1")

	// Last year's invoice, cancelled by a credit note.
	do("credit last year's invoice",
		chromedp.SetValue(css("#ledger-year"), strconv.Itoa(year-1)),
		chromedp.Click(css("#ledger-filters button[type=submit]")),
		chromedp.WaitVisible(css(`#ledger [data-open="`+last.InvoiceID+`"]`)),
		chromedp.Click(css(`#ledger [data-open="`+last.InvoiceID+`"]`)),
		chromedp.WaitVisible(css("#ledger-invoice .credit-form")),
		chromedp.SendKeys(css("#ledger-invoice-cn-reason"), "Adhésion commencée cette année."),
		chromedp.Click(css("#ledger-invoice .credit-form button[type=submit]")),
		chromedp.WaitVisible(css(`#ledger tr[data-invoice="`+last.InvoiceID+`"] [data-status="credited"]`)),
	)
	if got := text(`#ledger-invoice [data-fact="status"]`); got != "annulée par avoir" {
		t.Errorf("credited status %q", got)
	}
	if d := getInvoice(t, s, adm, id, last.InvoiceID); d.Status != "credited" || len(d.CreditNotes) != 1 {
		t.Errorf("after the credit note: %+v", d)
	}

	// The annual run, confirmed first, which the page follows while the
	// annual-invoices function runs it from the stream: the member without
	// billing details is named, and its file says its invoices wait.
	streams, stop := context.WithCancel(t.Context())
	go s.RunPollers(streams, 50*time.Millisecond)
	do("run the annual invoicing",
		chromedp.Click(css("#annual-form button[type=submit]")),
		chromedp.WaitVisible(css("#annual-go")),
		chromedp.Click(css("#annual-go")),
		chromedp.WaitVisible(css("#annual-done")),
	)
	value(t, ctx, "the waiting member named", chromedp.Poll[bool](
		`(document.querySelector('#annual-missing a[href="#city=`+waiting+`"]') || {}).textContent === "Sansfacture (DE)"`), fail)
	stop()
	do("open the waiting member's file",
		chromedp.Click(css(`#annual-missing a`)),
		chromedp.WaitVisible(css("#city-waits")),
		chromedp.Click(css("#city-billing-edit summary")),
		chromedp.SendKeys(css("#cb-legalName"), "Stadt Sansfacture"),
		chromedp.SendKeys(css("#cb-street"), "Rathausplatz 1"),
		chromedp.SendKeys(css("#cb-postalCode"), "10115"),
		chromedp.SendKeys(css("#cb-city"), "Sansfacture"),
		chromedp.SendKeys(css("#cb-country"), "de"),
		chromedp.SendKeys(css("#cb-email"), "rechnungen@sansfacture.example"),
		chromedp.Click(css("#cb-form button[type=submit]")),
		chromedp.WaitNotVisible(css("#city-waits")),
	)
	_, _, body := s.Do(http.MethodGet, "/cities/"+waiting, adm, "")
	var c struct {
		Billing *struct {
			LegalName string
			Address   struct{ Country string }
		}
	}
	if err := json.Unmarshal(body, &c); err != nil || c.Billing == nil || c.Billing.LegalName != "Stadt Sansfacture" ||
		c.Billing.Address.Country != "DE" {
		t.Errorf("billing recorded from the console: %s", body)
	}
	read("/secretariat?lang=fr, a member's billing details", "Coordonnées de facturation", "Aucune facture")
	if got := text("#city-billing"); !strings.Contains(got, "Stadt Sansfacture") || !strings.Contains(got, "10115 Sansfacture, DE") {
		t.Errorf("billing details shown: %q", got)
	}
	accessible(t, ctx, "a city's file", fail)
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}

// TestCityInvoicesPageInABrowser opens a member's invoices page from its
// personal link, records its billing details there after a refused first
// try, then sees the invoices they let be issued, and downloads one as PDF.
func TestCityInvoicesPageInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	id, tok := member(t, s, s.AdminToken(), "Billington")
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	next := downloads(t, ctx)

	do("open the page from the INDEX form's navigation",
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(s.URL+"/index-form?city="+id+"&lang=en#token="+tok),
		chromedp.WaitVisible(css(`#city-nav a[href^="invoices"]`)),
		chromedp.Click(css(`#city-nav a[href^="invoices"]`)),
		chromedp.WaitVisible(css("#billing-form")),
		chromedp.WaitVisible(css("#inv-waits")),
		chromedp.WaitVisible(css("#inv-none")),
	)
	do("record the billing details, the postal code forgotten",
		chromedp.SendKeys(css("#billing-legalName"), "City of Billington"),
		chromedp.SendKeys(css("#billing-street"), "1 Town Hall Square"),
		chromedp.SendKeys(css("#billing-city"), "Billington"),
		chromedp.SendKeys(css("#billing-country"), "FR"),
		chromedp.SendKeys(css("#billing-email"), "finance@billington.example"),
		chromedp.Click(css("#billing-form button[type=submit]")),
		chromedp.WaitVisible(css("#billing-postalCode[aria-invalid=true]")),
		chromedp.SendKeys(css("#billing-postalCode"), "69001"),
		chromedp.Click(css("#billing-form button[type=submit]")),
		chromedp.WaitNotVisible(css("#inv-waits")),
	)
	s.Drain() // the billing function issues the invoices that waited
	do("see the invoices", chromedp.WaitVisible(css("#invoices tbody tr:nth-child(2) [data-download=pdf]")))
	l := cityInvoices(t, s, id, tok)
	if len(l.Invoices) != 2 {
		t.Fatalf("%d invoices after the billing details", len(l.Invoices))
	}
	inv := l.Invoices[0]
	if got := value(t, ctx, "read the balance", chromedp.Text(css("#inv-balance")), fail); !strings.Contains(got, i18n.English.Money(l.Outstanding.Amount, "EUR")) {
		t.Errorf("balance %q, want %s", got, i18n.English.Money(l.Outstanding.Amount, "EUR"))
	}
	if got := value(t, ctx, "read a status", chromedp.Text(css(`#invoices tr[data-invoice="`+inv.InvoiceID+`"] [data-status]`)), fail); got != "open" {
		t.Errorf("status %q", got)
	}
	do("download the PDF", chromedp.Click(css(`#invoices tr[data-invoice="`+inv.InvoiceID+`"] [data-download=pdf]`)))
	name, pdf := next("the invoice's PDF")
	if name != inv.Number+".pdf" || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("download %q: %.20q", name, pdf)
	}
	accessible(t, ctx, "the invoices page", fail)
	// The token went to the API in headers only, never in a URL.
	urls := value(t, ctx, "list requests",
		chromedp.Evaluate[string](`performance.getEntriesByType("resource").map(e => e.name).join(" ")`), fail)
	if !strings.Contains(urls, "/invoices") || strings.Contains(urls, tok) {
		t.Errorf("the page's requests %s: want the invoices', none with the token", urls)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
