package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/i18n"
)

func renderPDF(t testing.TB, m Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderPDF(&buf, m); err != nil {
		t.Fatalf("RenderPDF: %v", err)
	}
	return buf.Bytes()
}

func readPDFOrFail(t *testing.T, data []byte) pdfDocument {
	t.Helper()
	doc, err := readPDF(data)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// flat joins a page's lines, so a phrase that a cell or a line break split
// can still be found. No-break spaces stay: they are part of the formats.
func flat(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\n' }), " ")
}

func TestPDFParsesAndItsTextCanBeExtracted(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			m := build(t, fx.input())
			doc := readPDFOrFail(t, renderPDF(t, m))
			// The cover, the contents, the opening chapters, the overall
			// results (two pages at least), a page per area at least.
			if n := len(doc.pages); n < 5+len(m.Areas) {
				t.Fatalf("%d pages for %d areas", n, len(m.Areas))
			}
			all := flat(strings.Join(doc.pages, "\n"))
			if !strings.Contains(all, m.City.Name) || !strings.Contains(doc.pages[0], pdfText(m.Title)[:len(m.City.Name)]) {
				t.Errorf("the city's name %q is not in the text", m.City.Name)
			}
			for _, a := range m.Areas {
				if !strings.Contains(all, a.Title) {
					t.Errorf("the area %q is not in the text", a.Title)
				}
			}
			outline := strings.Join(doc.outline, "\n")
			for _, a := range m.Areas {
				if !strings.Contains(outline, a.Title) {
					t.Errorf("no bookmark for %q", a.Title)
				}
			}
			// Every page but the cover is numbered "n of N".
			total := len(doc.pages)
			for i, p := range doc.pages[1:] {
				if want := pdfText(fmt.Sprintf(words(m.Lang).PageOf, i+2, total)); !strings.Contains(p, want) {
					t.Errorf("page %d lacks %q", i+2, want)
				}
			}
			checkContents(t, m, doc)
		})
	}
}

// checkContents: the page the contents give for each area is the page on
// which that area's chapter starts (its summary is there, and not on the
// page before).
func checkContents(t *testing.T, m Model, doc pdfDocument) {
	t.Helper()
	toc := doc.pages[1]
	for _, a := range m.Areas {
		// The contents print the title, the dot leaders and the page, each
		// in a text object of its own.
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(pdfText(a.Title)) + `\n[ .]*\n(\d+)$`)
		match := re.FindStringSubmatch(toc)
		if match == nil {
			t.Errorf("the contents have no page for %q", a.Title)
			continue
		}
		n, _ := strconv.Atoi(match[1])
		if n < 1 || n > len(doc.pages) {
			t.Errorf("%q: page %d of %d", a.Title, n, len(doc.pages))
			continue
		}
		// The summary opens the chapter; an optional area that was not
		// answered has the same summary as another, so its figure's title
		// (which names it) stands in.
		opening := flat(pdfText(a.Summary))[:40]
		if !a.Answered {
			opening = flat(pdfText(a.Chart.Title))
		}
		if !strings.Contains(flat(doc.pages[n-1]), opening) {
			t.Errorf("%q: the contents say page %d, whose text lacks %q", a.Title, n, opening)
		}
		if strings.Contains(flat(doc.pages[n-2]), opening) {
			t.Errorf("%q: the chapter starts before page %d", a.Title, n)
		}
	}
}

func TestPDFShowsHostileTextAsText(t *testing.T) {
	m := build(t, hostile())
	doc := readPDFOrFail(t, renderPDF(t, m))
	all := flat(strings.Join(doc.pages, "\n"))
	for _, want := range []string{"<script>alert(1)</script>: results of the Intercultural Cities INDEX",
		"</p><img src=x onerror=alert(1)><p>", "<b>Injected</b> & co"} {
		if !strings.Contains(all, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
}

func TestPDFTextKeepsAccentsAndCyrillic(t *testing.T) {
	for _, name := range []string{"Saint-Étienne-sur-Lys", "Новоград", "Łódź", "Θεσσαλονίκη", "İzmir"} {
		t.Run(name, func(t *testing.T) {
			in := fixtureFirst()
			in.City.Name = name
			doc := readPDFOrFail(t, renderPDF(t, build(t, in)))
			if !strings.Contains(doc.pages[0], name) {
				t.Fatalf("the cover's text lacks %q:\n%s", name, doc.pages[0])
			}
		})
	}
}

func TestFrenchPDFUsesFrenchFormats(t *testing.T) {
	m := build(t, fixtureFrench())
	doc := readPDFOrFail(t, renderPDF(t, m))
	all := flat(strings.Join(doc.pages, "\n"))
	// The Go fonts lack U+202F: the PDF writes a no-break space instead.
	agg := strings.ReplaceAll(i18n.French.Percent(m.Overall.Aggregate), "\u202f", "\u00a0")
	for _, want := range []string{agg, "1er janvier 2027", "Sommaire", "Résultats par domaine", "Page 2 sur"} {
		if !strings.Contains(all, want) {
			t.Errorf("the French PDF lacks %q", want)
		}
	}
	if strings.Contains(all, i18n.English.Percent(m.Overall.Aggregate)) {
		t.Error("the French PDF writes a percentage the English way")
	}
}

// TestPDFIsDeterministic: published reports are stored once, so the same
// model, even read back from its JSON, must give the same bytes, dated by
// the report and not by the clock.
func TestPDFIsDeterministic(t *testing.T) {
	m := build(t, fixtureFull())
	first := renderPDF(t, m)
	for range 3 {
		if !bytes.Equal(renderPDF(t, m), first) {
			t.Fatal("two renderings of one model differ")
		}
	}
	raw, _ := json.Marshal(m)
	var stored Model
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(renderPDF(t, stored), first) {
		t.Fatal("the stored model renders differently")
	}
	if want := "/CreationDate (D:" + m.Date.Format("20060102150405") + ")"; !bytes.Contains(first, []byte(want)) {
		t.Errorf("the PDF is not dated by the report: no %s", want)
	}
	stored.Schema = SchemaVersion + 1
	if err := RenderPDF(io.Discard, stored); err == nil {
		t.Fatal("a model of an unknown schema was rendered")
	}
}

// MaxPDFBytes is the most a full report may weigh.
const MaxPDFBytes = 1 << 20

func TestFullReportPDFIsSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1 000-city network")
	}
	data := renderPDF(t, build(t, SampleInput(1000)))
	if len(data) > MaxPDFBytes {
		t.Fatalf("%d bytes, more than %d", len(data), MaxPDFBytes)
	}
	doc := readPDFOrFail(t, data)
	t.Logf("%d bytes, %d pages", len(data), len(doc.pages))
}

func TestBaselinePDFIsOnePage(t *testing.T) {
	var buf bytes.Buffer
	if err := BaselinePDF(&buf, "Łódź", "Un paragraphe : 68,8\u202f%.", fixtureFull().GeneratedAt); err != nil {
		t.Fatal(err)
	}
	doc := readPDFOrFail(t, buf.Bytes())
	if len(doc.pages) != 1 || !strings.Contains(doc.pages[0], "Łódź") || !strings.Contains(doc.pages[0], "68,8\u00a0%") {
		t.Fatalf("%d pages: %q", len(doc.pages), doc.pages)
	}
}
