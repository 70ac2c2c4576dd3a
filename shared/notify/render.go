package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// templateSet is one language's templates, parsed with the functions that
// word raw values in that language.
type templateSet struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

// The templates are parsed on first use, not at start-up: every function
// links this package, only notify renders.
var templates = sync.OnceValue(func() map[string]templateSet {
	sets := make(map[string]templateSet, len(Languages))
	for _, lang := range Languages {
		fn := funcs(i18n.Lang(lang))
		sets[lang] = templateSet{
			html: htmltemplate.Must(htmltemplate.New("").Option("missingkey=error").Funcs(fn).
				ParseFS(templateFS, "templates/*."+lang+".html.tmpl")),
			text: texttemplate.Must(texttemplate.New("").Option("missingkey=error").Funcs(fn).
				ParseFS(templateFS, "templates/*."+lang+".txt.tmpl")),
		}
	}
	return sets
})

// funcs are the functions every template has, bound to its language. A
// notification's data are raw values (the data convention of package
// i18n: dates YYYY-MM-DD, money "<cents> <CURRENCY>", percentages and
// scores "68.8", counts "150000", eligibility reasons as
// eligibility.RawReasons writes them), and a template words each with
//
//	{{date .EndsOn}}  {{money .FeePerYear}}  {{percent .Aggregate}}  {{int .Population}}
//	{{range reasons .Reasons}}…{{end}}
func funcs(l i18n.Lang) map[string]any {
	f := l.Funcs()
	f["reasons"] = func(raw string) []string {
		var out []string
		for _, r := range eligibility.ParseReasons(raw) {
			out = append(out, r.Text(l))
		}
		return out
	}
	return f
}

// Languages are the languages every template exists in.
var Languages = []string{"en", "fr"}

// Templates lists every notification template name.
func Templates() []string {
	var names []string
	for _, t := range templates()["en"].text.Templates() {
		if name, ok := strings.CutSuffix(t.Name(), ".en.txt.tmpl"); ok {
			names = append(names, name)
		}
	}
	return names
}

// Render produces the email for n in n's language. Every value is escaped in
// the HTML part; names and addresses with line breaks are refused so no
// header can be injected.
func Render(n Notification) (Message, error) {
	lang := string(i18n.Parse(n.Lang))
	if err := SafeHeader(n.ToName); err != nil {
		return Message{}, fmt.Errorf("recipient name: %w", err)
	}
	if err := ValidAddress(n.ToEmail); err != nil {
		return Message{}, fmt.Errorf("recipient address: %w", err)
	}
	data := make(map[string]string, len(n.Data)+1)
	for k, v := range n.Data {
		data[k] = v
	}
	data["ToName"] = n.ToName

	set := templates()[lang]
	htmlTemplates, textTemplates := set.html, set.text
	base := n.Template + "." + lang
	var subject, text, html bytes.Buffer
	tt := textTemplates.Lookup(base + ".txt.tmpl")
	ht := htmlTemplates.Lookup(base + ".html.tmpl")
	if tt == nil || ht == nil {
		return Message{}, fmt.Errorf("no template %q in %s", n.Template, lang)
	}
	if err := textTemplates.ExecuteTemplate(&subject, base+".subject", data); err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	if err := tt.Execute(&text, data); err != nil {
		return Message{}, fmt.Errorf("text part: %w", err)
	}
	if err := ht.Execute(&html, data); err != nil {
		return Message{}, fmt.Errorf("html part: %w", err)
	}
	subj := strings.TrimSpace(subject.String())
	if err := SafeHeader(subj); err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	return Message{ToName: n.ToName, ToEmail: n.ToEmail, Subject: subj, HTML: html.String(), Text: text.String()}, nil
}

// SafeHeader refuses values that could break out of a mail header line.
func SafeHeader(v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return fmt.Errorf("contains a line break")
	}
	return nil
}

// ValidAddress accepts a bare address (name@domain) and nothing else.
func ValidAddress(addr string) error {
	if err := SafeHeader(addr); err != nil {
		return err
	}
	if len(addr) > 254 {
		return fmt.Errorf("longer than 254 characters")
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return fmt.Errorf("not an email address")
	}
	local, domain, _ := strings.Cut(addr, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return fmt.Errorf("not an email address")
	}
	return nil
}
