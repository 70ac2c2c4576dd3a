package local_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

// request is a request the browser sent.
type request struct {
	method, url string
	typ         network.ResourceType
}

// requests records every request the page's browser sends.
func requests(t *testing.T, ctx context.Context) func() []request {
	t.Helper()
	var mu sync.Mutex
	var seen []request
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			seen = append(seen, request{e.Request.Method, e.Request.URL + e.Request.URLFragment, e.Type})
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() []request {
		mu.Lock()
		defer mu.Unlock()
		return append([]request(nil), seen...)
	}
}

// TestApplyFormWithoutJavaScriptInABrowser applies with JavaScript off, in
// French: the form is sent by POST, not as a query string, and no URL the
// browser asks for ever holds what was typed; a wrong form comes back with
// its values and its errors in French, next to their fields; sent twice
// (double-clicked, then sent again by reloading the confirmation, with the
// same page's key), the form records one application and one email.
func TestApplyFormWithoutJavaScriptInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	text := func(sel string) string { t.Helper(); return value(t, ctx, "read "+sel, chromedp.Text(css(sel)), fail) }
	sent := requests(t, ctx)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	// What is typed, none of which may reach a URL.
	const (
		city    = "Sansjavascript-sur-Mer"
		name    = "Zoé Hors-Ligne"
		email   = "zoe.horsligne@sansjs.example"
		badMail = "zoe-sans-arobase"
	)
	personal := []string{city, name, email, badMail, url.QueryEscape(city), url.QueryEscape(name), url.QueryEscape(email),
		"Sansjavascript", "horsligne", "sansjs"}

	do("open the form in French and send it with a wrong email and no population",
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(s.URL+"/apply?lang=fr"),
		chromedp.WaitVisible(css("#apply-form")),
		chromedp.SendKeys(css("#cityName"), city),
		chromedp.SendKeys(css("#country"), "fr"),
		chromedp.SendKeys(css("#foreignBornShare"), "12.5"),
		chromedp.SendKeys(css("#foreignResidentShare"), "8"),
		chromedp.SendKeys(css("#nationalMinorityShare"), "0"),
		chromedp.SendKeys(css("#contactName"), name),
		chromedp.SendKeys(css("#contactEmail"), badMail),
		chromedp.Click(css(`#apply-form button[type=submit]`)),
		chromedp.WaitVisible(css("#error-summary")),
	)
	// The page's script did not run: the form went as a page, not a fetch.
	if value(t, ctx, "look for the script's work", chromedp.Evaluate[bool](`document.getElementById("form-status").textContent !== ""`), fail) {
		t.Fatal("the page's script ran: JavaScript is not off")
	}
	fr := i18n.French
	if got := text("#population-error"); got != fr.Text("is required") {
		t.Errorf("the population's error %q, want %q", got, fr.Text("is required"))
	}
	if got := text("#contactEmail-error"); got != fr.Text("must be a plain email address such as name@city.example") {
		t.Errorf("the email's error %q", got)
	}
	summary := text("#error-summary")
	if !strings.Contains(summary, "Population (habitants) : est obligatoire") || !strings.Contains(summary, "Courriel : doit être une adresse") {
		t.Errorf("the summary %q, want each error in French with its field", summary)
	}
	// The summary has the focus and links each error to its field; the
	// fields say they are invalid and which text describes why.
	if id := value(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.id`), fail); id != "error-summary" {
		t.Errorf("the focus is on %q, want the error summary", id)
	}
	if got := value(t, ctx, "read the summary's links", chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll("#error-summary a")).map(a => a.getAttribute("href")).join(" ")`), fail); got != "#population #contactEmail" {
		t.Errorf("the summary links to %q", got)
	}
	if got := value(t, ctx, "read the email's description", chromedp.Evaluate[string](
		`document.getElementById("contactEmail").getAttribute("aria-invalid") + " " + document.getElementById("contactEmail").getAttribute("aria-describedby")`), fail); got != "true contactEmail-error" {
		t.Errorf("the email field: %q", got)
	}
	// The values are kept as typed.
	kept := value(t, ctx, "read the values", chromedp.Evaluate[string](
		`["cityName", "country", "contactName", "contactEmail", "foreignBornShare"].map(id => document.getElementById(id).value).join("|")`), fail)
	if kept != city+"|fr|"+name+"|"+badMail+"|12.5" {
		t.Errorf("values kept %q", kept)
	}
	accessible(t, ctx, "the form sent back", fail)

	// Corrected and double-clicked (Chromium sends such a form once).
	do("correct and double-click",
		chromedp.SendKeys(css("#population"), "152000"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("contactEmail").value = ""`),
		chromedp.SendKeys(css("#contactEmail"), email),
		chromedp.DoubleClick(css(`#apply-form button[type=submit]`)),
		chromedp.WaitVisible(css("#verdict")),
	)
	if got := text("#verdict"); !strings.Contains(got, "votre ville est éligible") {
		t.Errorf("the confirmation %q, want the French verdict", got)
	}
	accessible(t, ctx, "the confirmation", fail)
	cityID := value(t, ctx, "read the city", chromedp.AttributeValue(css("#verdict"), "data-city-id"), fail).Value

	// And once more: the confirmation reloaded sends the form again.
	posts := func() int {
		n := 0
		for _, r := range sent() {
			if r.method == http.MethodPost {
				n++
			}
		}
		return n
	}
	before := posts()
	do("send the form again", chromedp.Reload(), chromedp.WaitVisible(css("#verdict")))
	if again := value(t, ctx, "read the city", chromedp.AttributeValue(css("#verdict"), "data-city-id"), fail).Value; again != cityID || posts() <= before {
		t.Errorf("sent again (%d posts, %d before): city %q, first %q", posts(), before, again, cityID)
	}
	if n := applied(t, s, adm, city); n != 1 {
		t.Errorf("%d applications recorded, want 1", n)
	}
	s.Drain()
	if mails, err := s.MailTo(context.Background(), email); err != nil || len(mails) != 1 {
		t.Errorf("%d emails to the contact (%v), want 1", len(mails), err)
	}

	// Every request: the forms went by POST, as documents, to /apply; no
	// URL holds anything typed.
	all := sent()
	if posts() < 3 {
		t.Errorf("%d POSTs sent, want at least the wrong form, the corrected one and the reload", posts())
	}
	for _, r := range all {
		if r.method == http.MethodPost && (r.typ != network.ResourceTypeDocument || !strings.HasPrefix(r.url, s.URL+"/apply?lang=fr")) {
			t.Errorf("a POST other than the form's: %+v", r)
		}
		if strings.Contains(r.url, "/applications") {
			t.Errorf("the page called the API: %s", r.url)
		}
		for _, p := range personal {
			if strings.Contains(strings.ToLower(r.url), strings.ToLower(p)) {
				t.Errorf("the URL %s holds %q", r.url, p)
			}
		}
	}
	here := value(t, ctx, "read the address", chromedp.Evaluate[string](`location.href`), fail)
	if here != s.URL+"/apply?lang=fr" {
		t.Errorf("the address bar shows %s", here)
	}
}

// applied counts the applications whose city's name holds name.
func applied(t *testing.T, s *localtest.Stack, adm, name string) int {
	t.Helper()
	_, _, body := s.Do(http.MethodGet, "/admin/cities?q="+url.QueryEscape(name), adm, "")
	return strings.Count(string(body), `"cityId"`)
}
