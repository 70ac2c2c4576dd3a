package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/index"
)

func renderHTML(t testing.TB, m Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderHTML(&buf, m); err != nil {
		t.Fatalf("RenderHTML: %v", err)
	}
	return buf.Bytes()
}

// xhtml is what the tests read from a page parsed as XML.
type xhtml struct {
	headings []heading
	elements map[string]int    // local name → count
	text     strings.Builder   // all character data, elements separated by spaces
	ids      map[string]int    // id → count
	hrefs    []string          // every href
	svgs     []map[string]bool // per svg: which of title and desc it has
}

type heading struct {
	level int
	text  string
}

// parseXHTML parses the page with the strict XML decoder: a page that is
// not well-formed fails the test.
func parseXHTML(t *testing.T, page []byte) *xhtml {
	t.Helper()
	x := &xhtml{elements: map[string]int{}, ids: map[string]int{}}
	dec := xml.NewDecoder(bytes.NewReader(page))
	dec.Strict = true
	var stack []string
	var inHeading *heading
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page is not well-formed XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			name := tk.Name.Local
			stack = append(stack, name)
			x.elements[name]++
			for _, a := range tk.Attr {
				switch a.Name.Local {
				case "id":
					x.ids[a.Value]++
				case "href":
					x.hrefs = append(x.hrefs, a.Value)
				}
			}
			if len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' {
				x.headings = append(x.headings, heading{level: int(name[1] - '0')})
				inHeading = &x.headings[len(x.headings)-1]
			}
			if name == "svg" {
				x.svgs = append(x.svgs, map[string]bool{})
			}
			if (name == "title" || name == "desc") && len(stack) > 1 && stack[len(stack)-2] == "svg" {
				x.svgs[len(x.svgs)-1][name] = true
			}
		case xml.EndElement:
			if len(tk.Name.Local) == 2 && tk.Name.Local[0] == 'h' {
				inHeading = nil
			}
			stack = stack[:len(stack)-1]
			x.text.WriteByte(' ')
		case xml.CharData:
			x.text.Write(tk)
			if inHeading != nil {
				inHeading.text += string(tk)
			}
		}
	}
	return x
}

func TestHTMLIsWellFormedWithHeadingsInOrder(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			m := build(t, fx.input())
			x := parseXHTML(t, renderHTML(t, m))
			if len(x.headings) == 0 || x.headings[0].level != 1 || x.elements["h1"] != 1 {
				t.Fatalf("the page must open with its only h1: %+v", x.headings[:min(3, len(x.headings))])
			}
			if x.headings[0].text != m.Title {
				t.Errorf("h1 %q, want the title %q", x.headings[0].text, m.Title)
			}
			for i := 1; i < len(x.headings); i++ {
				if x.headings[i].level > x.headings[i-1].level+1 {
					t.Fatalf("heading %q (h%d) follows h%d: a level is skipped", x.headings[i].text,
						x.headings[i].level, x.headings[i-1].level)
				}
			}
			h3 := map[string]bool{}
			for _, h := range x.headings {
				if h.level == 3 {
					h3[h.text] = true
				}
			}
			for _, a := range m.Areas {
				if !h3[a.Title] {
					t.Errorf("no h3 for the area %q", a.Title)
				}
			}
			// Every chart has its text alternative.
			if len(x.svgs) != 1+len(m.Areas) {
				t.Errorf("%d charts, want %d", len(x.svgs), 1+len(m.Areas))
			}
			for i, s := range x.svgs {
				if !s["title"] || !s["desc"] {
					t.Errorf("chart %d lacks a title or a description: %v", i, s)
				}
			}
			for id, n := range x.ids {
				if n > 1 {
					t.Errorf("id %q is used %d times", id, n)
				}
			}
			for _, h := range x.hrefs {
				if strings.HasPrefix(h, "#") && x.ids[h[1:]] == 0 {
					t.Errorf("link to %s, which does not exist", h)
				}
			}
			// Self-contained: nothing is loaded from elsewhere.
			for _, el := range []string{"script", "link", "img", "iframe"} {
				if x.elements[el] > 0 {
					t.Errorf("the page has a <%s>", el)
				}
			}
		})
	}
}

// hostile is the full fixture with markup wherever a city or the
// secretariat writes text, and a script link on a chosen practice.
func hostile() Input {
	in := fixtureFull()
	in.City.Name = "<script>alert(1)</script>"
	in.Commentary.Introduction.EN = "</p><img src=x onerror=alert(1)><p>"
	in.Commentary.Areas["media"] = index.Text{EN: "<b>bold</b> & \"quoted\" 'text'"}
	p := validPractice()
	p.ID, p.CityID, p.Area = "evil", "city-evil", "commitment"
	p.CityName = "<i>Evil</i> City"
	p.Title.EN = "<b>Injected</b> & co"
	p.Link = "javascript:alert(1)" // Validate refuses it; the renderer must not trust that it ran
	in.Practices = append(in.Practices, Candidate{Practice: p, Scores: map[string]float64{"commitment": 100}})
	return in
}

func TestHTMLShowsHostileTextAsText(t *testing.T) {
	m := build(t, hostile())
	page := renderHTML(t, m)
	x := parseXHTML(t, page)
	for _, el := range []string{"script", "img", "b", "i"} {
		if x.elements[el] > 0 {
			t.Errorf("city text became a <%s> element", el)
		}
	}
	text := x.text.String()
	for _, want := range []string{"<script>alert(1)</script>", "</p><img src=x onerror=alert(1)><p>",
		"<b>bold</b> & \"quoted\" 'text'", "<b>Injected</b> & co", "<i>Evil</i> City"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}
	if x.headings[0].text != "<script>alert(1)</script>: results of the Intercultural Cities INDEX" {
		t.Errorf("h1 %q", x.headings[0].text)
	}
	for _, h := range x.hrefs {
		if strings.Contains(strings.ToLower(h), "javascript") || strings.Contains(h, "ZgotmplZ") {
			t.Errorf("a script link survived: %q", h)
		}
	}
	if bytes.Contains(page, []byte("<script>")) {
		t.Error("the raw page contains <script>")
	}
}

func TestFrenchHTMLUsesFrenchFormats(t *testing.T) {
	m := build(t, fixtureFrench())
	page := string(renderHTML(t, m))
	for _, want := range []string{
		`lang="fr"`,
		"<h2 id=\"contents\">Sommaire</h2>",
		i18n.French.Percent(m.Overall.Aggregate), // "68,8 %" with a narrow no-break space
		"1er janvier 2027",
		"Résultats par domaine",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the French page lacks %q", want)
		}
	}
	if strings.Contains(page, i18n.English.Percent(m.Overall.Aggregate)) {
		t.Error("the French page writes a percentage the English way")
	}
}

func TestHTMLIsReproducibleFromTheStoredModel(t *testing.T) {
	m := build(t, fixtureFull())
	first := renderHTML(t, m)
	raw, _ := json.Marshal(m)
	var stored Model
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(renderHTML(t, stored), first) {
		t.Fatal("the stored model renders differently")
	}
	stored.Schema = SchemaVersion + 1
	if err := RenderHTML(io.Discard, stored); err == nil {
		t.Fatal("a model of an unknown schema was rendered")
	}
}

func validPractice() Practice {
	return Practice{
		ID: "p-1", CityID: "city-1", CityName: "Réggio Émilia", Country: "IT", Area: "mediation",
		Title:   index.Text{EN: "Neighbourhood mediators", FR: "Médiateurs de quartier"},
		Summary: index.Text{EN: "Trained residents mediate everyday conflicts in every district.", FR: "Des habitants formés règlent les conflits du quotidien dans chaque quartier."},
		Year:    2015, Link: "https://www.example.org/mediation", Published: true,
	}
}
