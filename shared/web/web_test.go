package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/i18n/i18ntest"
	"github.com/intercultural-cities/backoffice/shared/report"
)

var handlers = map[string]http.HandlerFunc{"/": Home, "/apply": Apply, "/index-form": IndexForm,
	"/progress-report": ProgressReport, "/invoices": Invoices, "/secretariat": Secretariat}

func get(t *testing.T, path, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	handlers[path](w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

var (
	inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	inlineStyle  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	anyScript    = regexp.MustCompile(`<script[^>]*>`)
)

// directive gives the sources of a directive of a Content-Security-Policy.
func directive(csp, name string) []string {
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 && f[0] == name {
			return f[1:]
		}
	}
	return nil
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func TestPagesInEnglishAndFrench(t *testing.T) {
	for path := range handlers {
		for _, lang := range []string{"en", "fr"} {
			t.Run(path+" "+lang, func(t *testing.T) {
				w := get(t, path, path+"?lang="+lang)
				body := w.Body.String()
				if w.Code != http.StatusOK {
					t.Fatalf("status %d: %s", w.Code, body)
				}
				if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				// The application form carries a key of its own: no cache keeps it.
				if cc, want := w.Header().Get("Cache-Control"), map[bool]string{true: "no-store", false: CacheControl}[path == "/apply"]; cc != want {
					t.Errorf("Cache-Control %q, want %q", cc, want)
				}
				csp := w.Header().Get("Content-Security-Policy")
				for _, d := range []string{"default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "connect-src 'self'"} {
					if !strings.Contains(csp, d) {
						t.Errorf("CSP %q lacks %s", csp, d)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("CSP %q allows unsafe sources", csp)
				}
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("no <html lang=%q>", lang)
				}
				// The inline script and style are exactly those the CSP admits.
				scripts := inlineScript.FindAllStringSubmatch(body, -1)
				if len(scripts) != 1 || !strings.Contains(csp, "script-src "+sha(scripts[0][1])+";") {
					t.Errorf("%d inline scripts; the CSP does not admit the page's script by its hash", len(scripts))
				}
				if n := len(anyScript.FindAllString(body, -1)); n != 2 {
					t.Errorf("%d script elements, want the script and its JSON messages", n)
				}
				styles := inlineStyle.FindAllStringSubmatch(body, -1)
				if len(styles) != 1 || !slices.Contains(directive(csp, "style-src"), sha(styles[0][1])) {
					t.Errorf("%d inline styles; the CSP does not admit the page's style by its hash", len(styles))
				}
				if strings.Contains(body, " style=") || strings.Contains(body, " onclick=") || strings.Contains(body, " onsubmit=") {
					t.Error("inline style or event attributes would be refused by the CSP")
				}
				if !strings.Contains(body, i18n.Lang(lang).Sprintf("programme")) {
					t.Errorf("the page does not speak %s", lang)
				}
			})
		}
	}
}

// TestEveryWordAPageAsksForIsInBothLanguages reads the templates and the
// script for the names of the messages they ask for, and requires each in
// the catalogue in English and French.
func TestEveryWordAPageAsksForIsInBothLanguages(t *testing.T) {
	asked := map[string]string{} // name → where
	pages, err := fs.Glob(files, "templates/*.html")
	if err != nil || len(pages) < 5 {
		t.Fatalf("templates %v: %v", pages, err)
	}
	for _, page := range pages {
		for _, m := range regexp.MustCompile(`\{\{[ot] "([A-Za-z0-9_]+)"`).FindAllStringSubmatch(mustRead(page), -1) {
			asked[m[1]] = page
		}
	}
	js, err := fs.Glob(files, "assets/*.js")
	if err != nil || len(js) < 6 {
		t.Fatalf("scripts %v: %v", js, err)
	}
	for _, f := range js {
		for _, m := range regexp.MustCompile(`t\("(js[A-Za-z0-9_]+)"\)`).FindAllStringSubmatch(mustRead(f), -1) {
			asked[m[1]] = f
		}
	}
	if len(asked) < 50 {
		t.Fatalf("only %d names found: the search is broken", len(asked))
	}
	for name, where := range asked {
		for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
			if !lang.Has(name) {
				t.Errorf("%s asks for %s, which has no %s in the catalogue", where, name, lang)
			}
		}
	}
	// The French pages use French labels, the English pages English ones.
	for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
		page := get(t, "/apply", "/apply?lang="+string(lang)).Body.String()
		for _, k := range []string{"cityName", "population", "contactEmail", "applySubmit"} {
			if !strings.Contains(page, lang.Sprintf(k)) {
				t.Errorf("/apply?lang=%s lacks its %s %q", lang, k, lang.Sprintf(k))
			}
		}
	}
}

// TestPagesReadAsFrench renders every page in French and reads what the
// page shows and what its script will show (its messages): no English word,
// no number, date or percentage written the English way.
func TestPagesReadAsFrench(t *testing.T) {
	for path := range handlers {
		body := get(t, path, path+"?lang=fr").Body.String()
		if found := i18ntest.NotFrench(i18ntest.HTMLText(body)); len(found) > 0 {
			t.Errorf("%s?lang=fr is not French:\n%s", path, strings.Join(found, "\n"))
		}
		var msgs map[string]string
		m := regexp.MustCompile(`(?s)<script type="application/json" id="messages">(.*?)</script>`).FindStringSubmatch(body)
		if m == nil || json.Unmarshal([]byte(m[1]), &msgs) != nil || len(msgs) < 50 {
			t.Fatalf("%s?lang=fr: no messages for the script", path)
		}
		for name, msg := range msgs {
			if found := i18ntest.NotFrench(msg); len(found) > 0 {
				t.Errorf("%s?lang=fr: message %s is not French:\n%s", path, name, strings.Join(found, "\n"))
			}
		}
	}
	// The thresholds the application form states are written in French.
	if body := get(t, "/apply", "/apply?lang=fr").Body.String(); !strings.Contains(body, "au moins 30\u202f000 habitants dont au moins 5,0\u00a0%") {
		t.Error("/apply?lang=fr does not state the thresholds in French")
	}
	if body := get(t, "/apply", "/apply?lang=en").Body.String(); !strings.Contains(body, "at least 30,000 inhabitants where at least 5.0%") {
		t.Error("/apply?lang=en does not state the thresholds in English")
	}
}

func TestUserInputIsNeverEchoedUnescaped(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	for path := range handlers {
		for _, target := range []string{
			path + "?lang=" + urlEscape(evil),
			path + "?lang=de",
			path + "?city=" + urlEscape(evil) + "&lang=fr%22%3E",
			path + "?" + urlEscape(evil) + "=1",
		} {
			w := get(t, path, target)
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Errorf("%s: status %d", target, w.Code)
				continue
			}
			if strings.Contains(body, evil) || strings.Contains(body, "alert(1)") {
				t.Errorf("%s: the page echoes the query unescaped", target)
			}
			// Nothing of the query but a valid language reaches the page
			// (the application form's key aside, drawn for each page).
			if withoutKey(body) != withoutKey(get(t, path, path).Body.String()) {
				t.Errorf("%s: the page differs from the English page", target)
			}
			if !strings.Contains(body, `<html lang="en">`) {
				t.Errorf("%s: does not fall back to English", target)
			}
		}
	}
}

// withoutKey is a page without the application form's Idempotency-Key.
func withoutKey(page string) string {
	return regexp.MustCompile(`name="idempotencyKey" value="[^"]*"`).ReplaceAllString(page, "")
}

func urlEscape(s string) string {
	return strings.NewReplacer("<", "%3C", ">", "%3E", "(", "%28", ")", "%29", "/", "%2F", `"`, "%22").Replace(s)
}

func TestApplyFormNamesEveryFieldOfAnApplication(t *testing.T) {
	body := get(t, "/apply", "/apply").Body.String()
	for _, p := range []string{"/cityName", "/country", "/population", "/foreignBornShare", "/foreignResidentShare",
		"/nationalMinorityShare", "/contact/name", "/contact/email", "/language"} {
		if !strings.Contains(body, `data-pointer="`+p+`"`) {
			t.Errorf("/apply has no field for %s", p)
		}
	}
	// Every input has a label.
	for _, id := range regexp.MustCompile(`<input id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `<label for="`+id[1]+`">`) {
			t.Errorf("input %s has no label", id[1])
		}
	}
}

// TestFeeWordsCoverTheAPIsValues requires the words the fee pages look up
// by the API's values — each invoice status, payment source and kind of
// bank match, each billing field — in both languages.
func TestFeeWordsCoverTheAPIsValues(t *testing.T) {
	key := func(v string) string { return strings.ReplaceAll(v, "-", "_") }
	var names []string
	for _, s := range []fees.Status{fees.StatusOpen, fees.StatusOverdue, fees.StatusPaid, fees.StatusCredited} {
		names = append(names, "jsInvoice_"+string(s))
	}
	for _, s := range []string{fees.SourceManual, fees.SourceBankStatement} {
		names = append(names, "jsSource_"+key(s))
	}
	for _, k := range []fees.MatchKind{fees.MatchNone, fees.MatchAmbiguous, fees.MatchAmountAndName, fees.MatchReference,
		fees.MatchReferenceInText, fees.MatchNumber} {
		names = append(names, "jsMatch_"+key(string(k)))
	}
	fields := regexp.MustCompile(`\["(\w+)", "(/[\w/]+)", "\w+", (true|false)`).FindAllStringSubmatch(mustRead("assets/billing.js"), -1)
	if len(fields) < 10 {
		t.Fatalf("%d billing fields found: the search is broken", len(fields))
	}
	for _, f := range fields {
		names = append(names, "jsBill_"+f[1])
	}
	for _, name := range names {
		for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
			if !lang.Has(name) {
				t.Errorf("%s has no %s in the catalogue", name, lang)
			}
		}
	}
}

// TestConsoleAdmitsTheReportsStyle renders an analytical report as the API
// serves it and requires the console's policy, which its preview frame
// runs under, to admit the report's one style sheet — and no other page's
// to admit it, nor any script of the report (it has none).
func TestConsoleAdmitsTheReportsStyle(t *testing.T) {
	m, err := report.Build(report.SampleInput(5))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := report.RenderHTML(&b, m); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	styles := inlineStyle.FindAllStringSubmatch(html, -1)
	if len(styles) != 1 || anyScript.MatchString(html) || strings.Contains(html, " style=") {
		t.Fatalf("the report has %d style sheets, scripts %v, style attributes %v: the preview's policy needs another look",
			len(styles), anyScript.MatchString(html), strings.Contains(html, " style="))
	}
	want := sha(styles[0][1])
	for path := range handlers {
		admitted := slices.Contains(directive(get(t, path, path).Header().Get("Content-Security-Policy"), "style-src"), want)
		if admitted != (path == "/secretariat") {
			t.Errorf("%s admits the report's style sheet: %v (the report's style changed? update reportStyle in web.go to %s)",
				path, admitted, want)
		}
	}
}

// TestReportWordsAreInBothLanguages requires every message the report and
// catalogue scripts name — in a call or in a table of columns, buttons or
// fields — in both languages, with the label of each practice field.
func TestReportWordsAreInBothLanguages(t *testing.T) {
	var names []string
	for _, f := range []string{"assets/reports.js", "assets/review.js", "assets/practices.js"} {
		for _, m := range regexp.MustCompile(`"(js[A-Za-z0-9_]*[A-Za-z0-9])"`).FindAllStringSubmatch(mustRead(f), -1) {
			names = append(names, m[1])
		}
		// The script has the messages named "js…" only.
		for _, m := range regexp.MustCompile(`\bt\("([A-Za-z0-9_]+)"\)`).FindAllStringSubmatch(mustRead(f), -1) {
			if !strings.HasPrefix(m[1], "js") {
				t.Errorf("%s asks for %s, which the script does not have: its messages are named js…", f, m[1])
			}
		}
	}
	fields := regexp.MustCompile(`\["(\w+)", "(/[\w/]+)", "\w+", (true|false)`).FindAllStringSubmatch(mustRead("assets/practices.js"), -1)
	if len(fields) < 10 || len(names) < 60 {
		t.Fatalf("%d practice fields, %d names found: the search is broken", len(fields), len(names))
	}
	for _, f := range append(fields, []string{"", "published"}) {
		names = append(names, "jsGp_"+f[1])
	}
	for _, name := range names {
		for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
			if !lang.Has(name) {
				t.Errorf("%s has no %s in the catalogue", name, lang)
			}
		}
	}
}
