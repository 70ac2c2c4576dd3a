package local_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/i18n/i18ntest"
)

// shownJS is what the reader of a page reads: the text of its main part
// without what is marked as another language or as not to be translated
// (what a city typed: its address), its labelling attributes and its title.
const shownJS = `(() => {
	const main = document.querySelector("main").cloneNode(true);
	main.querySelectorAll("[lang]:not([lang^=fr]), [translate=no]").forEach(e => e.remove());
	const labels = Array.from(document.querySelectorAll("main [aria-label], main [title], main [placeholder]"))
		.map(e => ["aria-label", "title", "placeholder"].map(a => e.getAttribute(a) || "").join(" "));
	document.body.appendChild(main);
	main.hidden = false;
	const text = main.innerText;
	main.remove();
	return document.title + "\n" + text + "\n" + labels.join("\n");
})()`

// frenchReader returns how a test reads the page shown as its reader does
// and requires it French, with the words in want.
func frenchReader(t *testing.T, ctx context.Context, fail func(string, error)) func(page string, want ...string) {
	return func(page string, want ...string) {
		t.Helper()
		text := value(t, ctx, "read "+page, chromedp.Evaluate[string](shownJS), fail)
		t.Logf("%s:\n%s", page, text)
		// Lines and table cells are read apart: an amount ending one
		// ("5 000,00 €") is not the euro sign before the next.
		if found := i18ntest.NotFrench(strings.NewReplacer("\n", " | ", "\t", " | ").Replace(text)); len(found) > 0 {
			t.Errorf("%s is not French:\n%s\n\nthe page reads:\n%s", page, strings.Join(found, "\n"), text)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q not shown in\n%s", page, w, text)
			}
		}
	}
}

// TestFrenchPagesInABrowser opens every page in French, filled with what a
// French city and the secretariat see — an ineligible application's
// reasons, INDEX results beside the network's averages, earlier progress
// reports, the pipeline and a city's file with its timeline — and reads
// what the browser shows: no English word, and no number, date, percentage
// or amount written the English way.
func TestFrenchPagesInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	read := frenchReader(t, ctx, fail)

	// An application the city does not meet the criteria with.
	do("apply, ineligible",
		chromedp.Navigate(s.URL+"/apply?lang=fr"),
		chromedp.WaitVisible(css("#apply-form")),
		chromedp.SendKeys(css("#cityName"), "Petiteville"),
		chromedp.SendKeys(css("#country"), "FR"),
		chromedp.SendKeys(css("#population"), "12000"),
		chromedp.SendKeys(css("#foreignBornShare"), "4.5"),
		chromedp.SendKeys(css("#foreignResidentShare"), "2"),
		chromedp.SendKeys(css("#nationalMinorityShare"), "0"),
		chromedp.SendKeys(css("#contactName"), "Anne Martin"),
		chromedp.SendKeys(css("#contactEmail"), "maire@petiteville.example"),
		chromedp.Click(css(`#apply-form button[type=submit]`)),
		chromedp.WaitVisible(css("#verdict")),
	)
	read("/apply?lang=fr, an ineligible city", "population de 12\u202f000 habitants, sous le seuil de 30\u202f000 habitants",
		"n'atteint 5,0\u00a0% (la plus élevée : 4,5\u00a0%)")
	small := value(t, ctx, "read the city", chromedp.AttributeValue(css("#verdict"), "data-city-id"), fail).Value

	// A city's INDEX form with its latest results.
	id, tok := reported(t, s, "Villefranche")
	do("open the INDEX form",
		chromedp.Navigate(s.URL+"/index-form?city="+id+"&lang=fr#token="+tok),
		chromedp.WaitVisible(css("#index-form")),
		chromedp.WaitVisible(css("#latest #area-scores")),
	)
	read("/index-form?lang=fr with results", "Villes de taille semblable (de 100\u202f000 à 200\u202f000 habitants)")

	// A member's progress report form, with a report sent earlier.
	memberID, memberTok := member(t, s, adm, "Rapporteville")
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+memberID+"/progress-reports", memberTok,
		`{"period":"2026","actions":["Un guichet d'accueil"],"text":"Une année de mise en œuvre."}`); status != http.StatusCreated {
		t.Fatalf("a progress report: %d %s", status, resp)
	}
	do("open the progress report",
		chromedp.Navigate(s.URL+"/progress-report?city="+memberID+"&lang=fr#token="+memberTok),
		chromedp.WaitVisible(css("#progress-form")),
		chromedp.WaitVisible(css("#report-list li")),
	)
	read("/progress-report?lang=fr with an earlier report", "2026, envoyé le ")

	// The member's invoices, issued once its billing details are recorded.
	if status, _, resp := s.Do(http.MethodPut, "/cities/"+memberID+"/billing", memberTok,
		billingBody("Rapporteville", "finances@rapporteville.example")); status != http.StatusOK {
		t.Fatalf("billing details: %d %s", status, resp)
	}
	s.Drain()
	do("open the invoices page",
		chromedp.Navigate(s.URL+"/invoices?city="+memberID+"&lang=fr#token="+memberTok),
		chromedp.WaitVisible(css("#invoices tbody tr:nth-child(2)")),
		chromedp.WaitVisible(css("#billing-form")),
	)
	read("/invoices?lang=fr with two invoices", "Reste dû : 10\u202f000,00\u00a0€", "à payer")
	accessible(t, ctx, "/invoices?lang=fr", fail)

	// The secretariat's console: the pipeline, a member's file, the
	// ineligible city's file.
	do("sign in to the console",
		chromedp.Navigate(s.URL+"/secretariat?lang=fr"),
		chromedp.WaitVisible(css("#signin")),
	)
	read("/secretariat?lang=fr, signed out")
	do("open the pipeline",
		chromedp.SendKeys(css("#token"), adm),
		chromedp.Click(css(`#signin button[type=submit]`)),
		chromedp.WaitVisible(css(`#cities tbody tr[data-city="`+memberID+`"]`)),
	)
	read("/secretariat?lang=fr, the pipeline", "Membre")
	do("open the member's file",
		chromedp.Click(css(`#cities tbody tr[data-city="`+memberID+`"] a`)),
		chromedp.WaitVisible(css(`#timeline li[data-event="agreement_signed"]`)),
		chromedp.WaitVisible(css(`#reports li`)),
	)
	value(t, ctx, "wait for the member's invoices", chromedp.Poll[bool](`!!document.querySelector("#city-invoice-list")`), fail)
	read("/secretariat?lang=fr, a member's file", "évaluation de l'INDEX", "le secrétariat", "Reste dû", "Dénomination")
	do("open the ineligible city's file", chromedp.Navigate(s.URL+"/secretariat?lang=fr#city="+small))
	// The same page: wait for the city's file to replace the member's.
	value(t, ctx, "wait for the ineligible city's file", chromedp.Poll[bool](
		`document.getElementById("city").dataset.loaded === "`+small+`"`), fail)
	read("/secretariat?lang=fr, an ineligible city's file", "non : population de 12\u202f000 habitants")
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
