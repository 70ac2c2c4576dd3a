// Package i18ntest finds English in what should read as French: words that
// English has and French has not, and numbers, dates, percentages and money
// written the English way. The tests of the emails and of the pages read
// their French output with it.
package i18ntest

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// english are words a French text never holds but an English one often
// does. Words French shares with English (contact, date, expert, index,
// population, programme, question, questionnaire, score, visite,
// application…) or that French has in another sense (an, or, on, report,
// file, due) are left out, so that a French text never trips it.
var english = set(`
	the and of is are was were be been being your you our we us they their with this that these those
	from for has have had not will would can cannot could should must please thank thanks dear yes no
	in at to by it its if when which who what there here into than then also only each every any some
	all none yet more less back next new previous
	city cities town apply applied submit submitted save saved draft drafts
	send sent sending sign signed record recorded reason reasons link links email emails eligible
	ineligible eligibility member members membership network agreement notice termination terminated
	visit profile progress status step steps rank average inhabitants foreign born residents minority
	minorities share shares diversity below above highest lowest reaches secretariat council
	intercultural europe's day days today tomorrow week month months year years held issued ends
	effective given served flagged loading error failed invalid required optional name title summary
	token search filter result results answer answers evidence area areas lens group groups similar
	size fee fees invoice invoices representative scoring scored received
	january february march april may june july august september october november december
	monday tuesday wednesday thursday friday saturday sunday
`)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var (
	// What is not prose: addresses, links, fragments, placeholders.
	notProse = regexp.MustCompile(`https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|[#?&][\w-]+=\S*|\{\w+\}|\b[A-Z][A-Z0-9-]*\d[A-Z0-9-]*\b`)

	// English ways with numbers, each with why it is not French.
	numbers = []struct {
		re  *regexp.Regexp
		why string
	}{
		{regexp.MustCompile(`\d,\d{3}(\D|$)`), "a comma groups thousands (French: 1 234)"},
		{regexp.MustCompile(`\d\.\d`), "a decimal point (French: 68,8)"},
		{regexp.MustCompile(`\d{4}-\d{2}-\d{2}`), "a date in figures (French: 30 novembre 2026)"},
		{regexp.MustCompile(`\d%`), "a percent sign without a space (French: 50,0 %)"},
		{regexp.MustCompile(`€\s?\d`), "the euro sign first (French: 5 000,00 €)"},
		{regexp.MustCompile(`\d\s?EUR\b`), "an amount in cents and a code (French: 5 000,00 €)"},
		{regexp.MustCompile(`(^|[^\d.,])\d{5,}($|\D)`), "thousands not grouped (French: 150 000)"},
	}
	// A legal reference keeps its point in French too: "article 2.2", "§2.5";
	// a standard keeps its number whole: "EN 16931", "ISO 20022".
	reference = regexp.MustCompile(`(article|paragraphe|§)\s?\d+\.\d+|\b(EN|ISO|IEC|NF)(/IEC)?\s\d+(-\d+)*`)
)

// NotFrench returns what in text reads as English: each English word and
// each number written the English way, with the words around it. Words in
// capitals (INDEX, FR, EUR) are codes, not prose, and are let through, as are
// addresses, links and {placeholders}.
func NotFrench(text string) []string {
	text = notProse.ReplaceAllString(text, " ")
	var found []string
	prose := reference.ReplaceAllString(text, " ")
	for _, n := range numbers {
		for _, m := range n.re.FindAllStringIndex(prose, -1) {
			found = append(found, n.why+": "+around(prose, m[0], m[1]))
		}
	}
	start := -1
	for i, r := range text + " " {
		letter := unicode.IsLetter(r)
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			w := text[start:i]
			if english[strings.ToLower(w)] && (w != strings.ToUpper(w) || len(w) == 1) {
				found = append(found, "English word "+w+": "+around(text, start, i))
			}
			start = -1
		}
	}
	return slices.Compact(found)
}

// around returns text[i:j] with up to 40 bytes either side, on one line.
func around(text string, i, j int) string {
	from, to := max(0, i-40), min(len(text), j+40)
	for from > 0 && !isStart(text[from]) {
		from--
	}
	for to < len(text) && !isStart(text[to]) {
		to++
	}
	return strings.Join(strings.Fields("…"+text[from:to]+"…"), " ")
}

// isStart reports whether b begins a UTF-8 character.
func isStart(b byte) bool { return b&0xC0 != 0x80 }

var (
	hidden     = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(?:script|style)>`)
	langStart  = regexp.MustCompile(`(?i)<(\w+)\b[^>]*\slang="([^"]*)"[^>]*>`)
	shownAttrs = regexp.MustCompile(`(?i)\s(?:aria-label|title|alt|placeholder)="([^"]*)"`)
	tag        = regexp.MustCompile(`<[^>]*>`)
)

// HTMLText returns what a reader of an HTML document (a page, an email's
// HTML part) reads: its text and its labelling attributes (aria-label,
// title, alt, placeholder), without scripts, styles and the elements marked
// as another language than French (the link to the English page,
// lang="en").
func HTMLText(doc string) string {
	doc = hidden.ReplaceAllString(doc, " ")
	doc = withoutOtherLanguages(doc)
	var attrs []string
	for _, m := range shownAttrs.FindAllStringSubmatch(doc, -1) {
		attrs = append(attrs, m[1])
	}
	doc = tag.ReplaceAllString(doc, " ")
	return html.UnescapeString(doc + " " + strings.Join(attrs, " "))
}

// withoutOtherLanguages removes each element whose lang is not French, up
// to its own end tag (elements of its name nested in it included).
func withoutOtherLanguages(doc string) string {
	from := 0
	for {
		m := langStart.FindStringSubmatchIndex(doc[from:])
		if m == nil {
			return doc
		}
		start, end := from+m[0], from+m[1]
		name, lang := doc[from+m[2]:from+m[3]], strings.ToLower(doc[from+m[4]:from+m[5]])
		if lang == "fr" || strings.HasPrefix(lang, "fr-") || strings.EqualFold(name, "html") {
			from = end
			continue
		}
		open := regexp.MustCompile(`(?i)<` + name + `\b|</` + name + `\s*>`)
		depth, stop := 1, len(doc)
		for _, t := range open.FindAllStringIndex(doc[end:], -1) {
			if doc[end+t[0]+1] == '/' {
				depth--
			} else {
				depth++
			}
			if depth == 0 {
				stop = end + t[1]
				break
			}
		}
		doc = doc[:start] + " " + doc[stop:]
		from = start
	}
}
