// Package web serves the web pages: a bilingual landing page, the
// application form, a city's INDEX form, progress report and invoices, and
// the secretariat's console. The pages are rendered with
// html/template from templates embedded here, in English or French
// (?lang=fr; anything else is English). Their words come from the catalogue
// of package i18n: the templates ask for a label by its name ({{t "name"}}),
// and the script gets the messages whose names start with "js"; the script
// writes numbers and dates with the browser's Intl in the page's language.
// Each page carries its small style sheet and one script inline: the script
// is assets/common.js followed by the page's own files (scripts), in one
// function. The Content-Security-Policy admits exactly that style sheet and
// script by their SHA-256 hashes (the console also the analytical report's
// style sheet, for its preview), and the script talks only to this origin.
// The pages hold nothing personal: a city's access token stays in the URL's
// fragment, which browsers never send to a server, and the secretariat's in
// the tab's sessionStorage. The one exception is the application form sent
// without JavaScript (apply.go), answered to its sender only, never stored
// by a cache.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

//go:embed templates/*.html assets/*.js assets/forms.css
var files embed.FS

// CacheControl is what every page answers with: the pages are the same for
// everyone in a language, so anyone may cache them briefly.
const CacheControl = "public, max-age=300"

// scripts lists the files of each page's script after assets/common.js,
// the page's own last: it starts the page, once the others are defined.
var scripts = map[string][]string{
	"home":        nil,
	"apply":       {"apply.js"},
	"index":       {"fees.js", "reports.js", "index-form.js"},
	"progress":    {"progress-report.js"},
	"invoices":    {"fees.js", "billing.js", "invoices.js"},
	"secretariat": {"fees.js", "billing.js", "finance.js", "reports.js", "review.js", "practices.js", "secretariat.js"},
}

// reportStyle is the SHA-256 of the analytical report's style sheet
// (shared/report/report.css), which a report's HTML carries inline. The
// console previews a report in a sandboxed frame of its own document
// (srcdoc), which runs under the console's policy: the policy admits that
// style sheet too. Package web does not import package report, which
// links the PDF library; a test checks this hash against a report rendered.
// A report published before report.css last changed keeps the style it was
// archived with: its preview is plain, its documents as they were.
const reportStyle = "'sha256-ivoClV6EL5T0N32bzwmiCss11FR+dJMcwWnbwMZRQtU='"

// styles lists the style sheets a page admits besides its own.
var styles = map[string][]string{"secretariat": {reportStyle}}

// page is a page's script and its Content-Security-Policy.
type page struct {
	Script string
	CSP    string
}

var (
	style = mustRead("assets/forms.css")
	// assembled are the pages' scripts and policies, each script one
	// function holding common.js and the page's files.
	assembled = sync.OnceValue(func() map[string]page {
		out := map[string]page{}
		for name, files := range scripts {
			var b strings.Builder
			b.WriteString("(function () {\n\"use strict\";\n")
			for _, f := range append([]string{"common.js"}, files...) {
				b.WriteString(mustRead("assets/" + f))
			}
			b.WriteString("})();\n")
			out[name] = page{Script: b.String(), CSP: "default-src 'none'; script-src " + hashSource(b.String()) +
				"; style-src " + strings.Join(append([]string{hashSource(style)}, styles[name]...), " ") +
				"; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"}
		}
		return out
	})
	// The pages are parsed on first use, not at start-up: every function
	// that links the routes links this package, and only web serves pages.
	// Each language has its own, parsed with the functions of its words.
	pages = sync.OnceValue(func() map[i18n.Lang]map[string]*template.Template {
		out := map[i18n.Lang]map[string]*template.Template{}
		for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
			out[lang] = map[string]*template.Template{
				"home":        parse(lang, "home.html"),
				"apply":       parse(lang, "apply.html"),
				"index":       parse(lang, "index-form.html"),
				"progress":    parse(lang, "progress-report.html"),
				"invoices":    parse(lang, "invoices.html"),
				"secretariat": parse(lang, "secretariat.html"),
			}
		}
		return out
	})
)

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// parse parses a page for lang: t writes a label in lang, o in the other
// language (the landing page shows both), with arguments when the label has
// verbs ({{t "applyIntro" .MinPopulation .MinShare}}).
func parse(lang i18n.Lang, page string) *template.Template {
	funcs := template.FuncMap{"t": lang.Sprintf, "o": other(lang).Sprintf}
	return template.Must(template.New(page).Option("missingkey=error").Funcs(funcs).
		ParseFS(files, "templates/layout.html", "templates/"+page))
}

func other(l i18n.Lang) i18n.Lang {
	if l == i18n.French {
		return i18n.English
	}
	return i18n.French
}

// view is what a page template sees.
type view struct {
	Page     string
	Lang     i18n.Lang
	Other    i18n.Lang         // the other language
	Messages map[string]string // the script's messages, in Lang
	Script   template.JS
	Style    template.CSS
	// The eligibility thresholds the application form states.
	MinPopulation int64
	MinShare      i18n.Percentage
	// Apply is the application form's state: its key, the values and
	// errors of a form sent back, or the confirmation.
	Apply *applyView
}

// Lang is the page's language: fr when asked for, en otherwise.
func Lang(r *http.Request) i18n.Lang {
	if r.URL.Query().Get("lang") == "fr" {
		return i18n.French
	}
	return i18n.English
}

// messages are the script's messages in each language: those named "js…".
var messages = sync.OnceValue(func() map[i18n.Lang]map[string]string {
	out := map[i18n.Lang]map[string]string{}
	for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
		out[lang] = map[string]string{}
		for _, name := range i18n.Names() {
			if strings.HasPrefix(name, "js") {
				out[lang][name] = lang.Sprintf(name)
			}
		}
	}
	return out
})

func render(w http.ResponseWriter, r *http.Request, name string) {
	serve(w, r, name, http.StatusOK, CacheControl, nil)
}

// serve writes the page name with status and cacheControl; apply is the
// application form's state, for its page.
func serve(w http.ResponseWriter, r *http.Request, name string, status int, cacheControl string, apply *applyView) {
	lang := Lang(r)
	rules := eligibility.Default()
	p := assembled()[name]
	var buf bytes.Buffer
	err := pages()[lang][name].ExecuteTemplate(&buf, "layout", view{
		Page: name, Lang: lang, Other: other(lang), Messages: messages()[lang],
		Script: template.JS(p.Script), Style: template.CSS(style),
		MinPopulation: rules.MinPopulation, MinShare: i18n.Percentage(rules.MinDiversityShare),
		Apply: apply,
	})
	if err != nil {
		slog.ErrorContext(r.Context(), "render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", p.CSP)
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Home serves GET /: the bilingual landing page.
func Home(w http.ResponseWriter, r *http.Request) { render(w, r, "home") }

// IndexForm serves GET /index-form: the INDEX questionnaire form, opened
// from the emailed link /index-form?city=<cityId>&lang=<en|fr>#token=<token>.
func IndexForm(w http.ResponseWriter, r *http.Request) { render(w, r, "index") }

// ProgressReport serves GET /progress-report: a member city's yearly
// progress report, opened from the emailed link
// /progress-report?city=<cityId>&lang=<en|fr>#token=<token>.
func ProgressReport(w http.ResponseWriter, r *http.Request) { render(w, r, "progress") }

// Invoices serves GET /invoices: a city's invoices, their balance and
// documents, and its billing details, opened from the city's personal link
// /invoices?city=<cityId>&lang=<en|fr>#token=<token>.
func Invoices(w http.ResponseWriter, r *http.Request) { render(w, r, "invoices") }

// Secretariat serves GET /secretariat: the secretariat's console (the
// pipeline, a city's file, its steps, invoices, billing details and
// reports, the finance view of a fee year, the draft reports to review and
// publish, and the good-practice catalogue), on the secretariat's token.
func Secretariat(w http.ResponseWriter, r *http.Request) { render(w, r, "secretariat") }
