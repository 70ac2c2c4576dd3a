package local_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// fitsPage says whether the page is no wider than its viewport: nothing
// to scroll sideways (WCAG 1.4.10, reflow at 320 CSS pixels; checked at a
// phone's 375).
const fitsPage = `document.documentElement.scrollWidth <= document.documentElement.clientWidth`

// overflowing lists the elements, and the texts, that reach past the
// viewport's right edge, for a failure's message (a clipped one may be
// among them).
const overflowing = `(() => {
	const w = document.documentElement.clientWidth, out = [];
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).replace(/ /g, ".") : "");
	document.querySelectorAll("body *").forEach(e => {
		if (e.getClientRects().length && e.getBoundingClientRect().right > w + 0.5) {
			out.push(name(e) + " right " + Math.round(e.getBoundingClientRect().right));
		}
	});
	const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = texts.nextNode(); n; n = texts.nextNode()) {
		const r = document.createRange();
		r.selectNodeContents(n);
		if (r.getClientRects().length && r.getBoundingClientRect().right > w + 0.5) {
			out.push("text in " + name(n.parentElement) + " " + JSON.stringify(n.textContent.slice(0, 40)));
		}
	}
	return out.slice(0, 15).join("; ");
})()`

// reflows fails the test when the page, as it stands, is wider than the
// viewport, naming what sticks out.
func reflows(t *testing.T, ctx context.Context, what string, fail func(string, error)) {
	t.Helper()
	if !value(t, ctx, "measure "+what, chromedp.Evaluate[bool](fitsPage), fail) {
		t.Errorf("%s is wider than the window: %s", what, value(t, ctx, "find what sticks out", chromedp.Evaluate[string](overflowing), fail))
	}
}

// TestConsoleCityFileReflowsInABrowser opens the secretariat's console on a
// phone's width, in English and French: the pipeline (its rows stacked), a
// member's file with a step's form, an invoice and the billing form open, an
// applicant's with every step's form open, a withdrawn one; with words too
// long for a line. Nothing may make the page scroll sideways.
func TestConsoleCityFileReflowsInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	// Words too long for a phone's line: a city's name, an address, a link.
	id, tok := payingMember(t, s, adm, "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
		"comptabilite-generale-et-facturation@llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch.example")
	if status, _, body := s.Do(http.MethodPost, "/cities/"+id+"/progress-reports", tok,
		`{"period":"`+strconv.Itoa(time.Now().Year())+`","actions":["Formation interculturelle de 120 agents municipaux"],"text":"Une année de mise en œuvre de la stratégie interculturelle de la ville."}`); status != http.StatusCreated {
		t.Fatalf("progress report: %d %s", status, body)
	}
	applicant, _ := applyCity(t, s, "Petite-Commune-Intercommunale-du-Haut-Plateau", 12000, 3)
	withdrawn, _ := applyCity(t, s, "Retraitville", 52000, 6)
	admin(t, s, adm, "/admin/cities/"+withdrawn+"/withdrawal",
		`{"reason":"Voir https://www.retraitville.example/deliberations/2026/retrait-de-la-candidature-au-programme.pdf"}`, 200)
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	inv := cityInvoices(t, s, id, tok).Invoices[0]
	do("sign in",
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(s.URL+"/secretariat?lang=en"),
		chromedp.WaitVisible(css("#signin")),
		chromedp.SendKeys(css("#token"), adm),
		chromedp.Click(css(`#signin button[type=submit]`)),
		chromedp.WaitVisible(css(`#cities tbody tr`)),
	)
	for _, lang := range []string{"en", "fr"} {
		do("open the pipeline in "+lang,
			chromedp.Navigate(s.URL+"/secretariat?lang="+lang),
			chromedp.WaitVisible(css(`#cities tbody tr`)),
		)
		reflows(t, ctx, "the pipeline ("+lang+")", fail)
		do("open the file in "+lang,
			chromedp.Navigate(s.URL+"/secretariat?lang="+lang+"#city="+id),
			chromedp.WaitVisible(css(`#city[data-loaded="`+id+`"]`)),
		)
		reflows(t, ctx, "the city's file ("+lang+")", fail)
		do("open a step, an invoice and the billing form",
			chromedp.Click(css(`#steps details[data-step="termination_notified"] summary`)),
			chromedp.Click(css(`#city-invoices [data-open="`+inv.InvoiceID+`"]`)),
			chromedp.WaitVisible(css("#city-invoice .payment-form")),
			chromedp.Click(css(`#city-billing-edit summary`)),
			chromedp.WaitVisible(css(`#city-billing-form input`)),
		)
		reflows(t, ctx, "the city's file with its forms open ("+lang+")", fail)
		accessible(t, ctx, "the city's file ("+lang+")", fail)
		// An applicant's file, flagged ineligible, every step's form open.
		do("open an applicant's file in "+lang,
			chromedp.Navigate(s.URL+"/secretariat?lang="+lang+"#city="+applicant),
			chromedp.WaitVisible(css(`#city[data-loaded="`+applicant+`"]`)),
			chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#steps details").forEach(d => { d.open = true; })`),
		)
		if n := value(t, ctx, "count the forms", chromedp.Evaluate[int](`document.querySelectorAll("#steps details[open] form").length`), fail); n < 3 {
			t.Errorf("%d step forms open, want the applicant's every step", n)
		}
		reflows(t, ctx, "an applicant's file with every step's form open ("+lang+")", fail)
		// A withdrawn file: the reason typed, with a link, in the timeline.
		do("open a withdrawn file in "+lang,
			chromedp.Navigate(s.URL+"/secretariat?lang="+lang+"#city="+withdrawn),
			chromedp.WaitVisible(css(`#city[data-loaded="`+withdrawn+`"]`)),
		)
		reflows(t, ctx, "a withdrawn file ("+lang+")", fail)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}

// TestIndexResultsReflowInABrowser opens a city's INDEX page with its
// scored result on a phone's width, in English and French.
func TestIndexResultsReflowInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	id, tok := applyCity(t, s, "Résultatville", 152000, 12.5)
	body := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 152000, ForeignBorn: 12.5}, 0.6, 3, true))
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+id+"/index/submissions", tok, body); status != http.StatusAccepted {
		t.Fatalf("submit: %d %s", status, resp)
	}
	s.Drain()
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	for _, lang := range []string{"en", "fr"} {
		do("open the INDEX page in "+lang,
			chromedp.EmulateViewport(375, 800),
			chromedp.Navigate(s.URL+"/index-form?city="+id+"&lang="+lang+"#token="+tok),
			chromedp.WaitVisible(css("#latest #area-scores")),
			chromedp.WaitVisible(css(`#q-commitment_statement`)),
		)
		reflows(t, ctx, "the INDEX results ("+lang+")", fail)
		accessible(t, ctx, "the INDEX results ("+lang+")", fail)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
