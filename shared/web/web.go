// Package web serves the web forms: a bilingual landing page, the
// application form and the INDEX form. The pages are rendered with
// html/template from templates embedded here, in English or French
// (?lang=fr; anything else is English). Their words come from the catalogue
// of package i18n: the templates ask for a label by its name ({{t "name"}}),
// and the script gets the messages whose names start with "js"; the script
// writes numbers and dates with the browser's Intl in the page's language. Each page carries its small style
// sheet and script inline; the Content-Security-Policy admits exactly those
// two by their SHA-256 hashes, and the script talks only to this origin.
// The pages hold nothing personal: the INDEX form's access token stays in
// the URL's fragment, which browsers never send to a server.
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

//go:embed templates/*.html assets/forms.js assets/forms.css
var files embed.FS

// CacheControl is what every page answers with: the pages are the same for
// everyone in a language, so anyone may cache them briefly.
const CacheControl = "public, max-age=300"

var (
	script = mustRead("assets/forms.js")
	style  = mustRead("assets/forms.css")
	// CSP is the Content-Security-Policy of every page.
	CSP = "default-src 'none'; script-src " + hashSource(script) + "; style-src " + hashSource(style) +
		"; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
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

func render(w http.ResponseWriter, r *http.Request, page string) {
	lang := Lang(r)
	rules := eligibility.Default()
	var buf bytes.Buffer
	err := pages()[lang][page].ExecuteTemplate(&buf, "layout", view{
		Page: page, Lang: lang, Other: other(lang), Messages: messages()[lang],
		Script: template.JS(script), Style: template.CSS(style),
		MinPopulation: rules.MinPopulation, MinShare: i18n.Percentage(rules.MinDiversityShare),
	})
	if err != nil {
		slog.ErrorContext(r.Context(), "render page", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", CSP)
	h.Set("Cache-Control", CacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// Home serves GET /: the bilingual landing page.
func Home(w http.ResponseWriter, r *http.Request) { render(w, r, "home") }

// Apply serves GET /apply: the application form.
func Apply(w http.ResponseWriter, r *http.Request) { render(w, r, "apply") }

// IndexForm serves GET /index-form: the INDEX questionnaire form, opened
// from the emailed link /index-form?city=<cityId>&lang=<en|fr>#token=<token>.
func IndexForm(w http.ResponseWriter, r *http.Request) { render(w, r, "index") }

// ProgressReport serves GET /progress-report: a member city's yearly
// progress report, opened from the emailed link
// /progress-report?city=<cityId>&lang=<en|fr>#token=<token>.
func ProgressReport(w http.ResponseWriter, r *http.Request) { render(w, r, "progress") }

// Secretariat serves GET /secretariat: the secretariat's console (the
// pipeline, a city's file and its steps), on the secretariat's token.
func Secretariat(w http.ResponseWriter, r *http.Request) { render(w, r, "secretariat") }
