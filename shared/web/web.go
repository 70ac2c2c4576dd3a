// Package web serves the web forms: a bilingual landing page, the
// application form and the INDEX form. The pages are rendered with
// html/template from templates embedded here, in English or French
// (?lang=fr; anything else is English). Each page carries its small style
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
	"sync"
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
	pages = sync.OnceValue(func() map[string]*template.Template {
		return map[string]*template.Template{
			"home":        parse("home.html"),
			"apply":       parse("apply.html"),
			"index":       parse("index-form.html"),
			"progress":    parse("progress-report.html"),
			"secretariat": parse("secretariat.html"),
		}
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

func parse(page string) *template.Template {
	// A label missing from texts fails the page (and its test), not silently.
	return template.Must(template.New(page).Option("missingkey=error").ParseFS(files, "templates/layout.html", "templates/"+page))
}

// view is what a page template sees.
type view struct {
	Page     string
	Lang     string
	Other    string            // the other language
	T        map[string]string // labels in Lang
	O        map[string]string // labels in Other (the landing page shows both)
	Messages map[string]string // the script's messages
	Script   template.JS
	Style    template.CSS
}

// Lang is the page's language: fr when asked for, en otherwise.
func Lang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "fr" {
		return "fr"
	}
	return "en"
}

func render(w http.ResponseWriter, r *http.Request, page string) {
	lang := Lang(r)
	other := map[string]string{"en": "fr", "fr": "en"}[lang]
	msgs := map[string]string{}
	for k, v := range texts[lang] {
		if len(k) > 2 && k[:2] == "js" {
			msgs[k] = v
		}
	}
	var buf bytes.Buffer
	err := pages()[page].ExecuteTemplate(&buf, "layout", view{
		Page: page, Lang: lang, Other: other, T: texts[lang], O: texts[other], Messages: msgs,
		Script: template.JS(script), Style: template.CSS(style),
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
