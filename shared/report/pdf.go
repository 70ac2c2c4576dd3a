package report

import (
	"fmt"
	"io"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// RenderPDF writes the report as an A4 PDF: a cover, a table of contents
// with page numbers, one chapter per area, vector bar charts, page numbers,
// and a bookmark outline. The text is real text in embedded subsets of the
// Go fonts (Unicode TrueType: accents, Cyrillic and Greek), so it can be
// selected, searched and read aloud.
//
// The contents need the page each chapter starts on, which is known only
// once the chapters are laid out: the document is laid out twice. The first
// pass is never written out, it only records where each chapter starts; the
// second lays out the same pages with the numbers filled in. The contents
// occupy the same space in both passes (one line per chapter, the numbers
// in a fixed column), which the second pass checks.
//
// The output is deterministic: the same model gives the same bytes, dated
// by the model's date, so a published report can be stored once and its
// copies compared.
func RenderPDF(w io.Writer, m Model) error {
	if err := checkSchema(&m); err != nil {
		return err
	}
	first := newPDF(&m, nil, 0)
	first.render()
	if err := first.pdf.Error(); err != nil {
		return fmt.Errorf("report: laying out the PDF: %w", err)
	}
	second := newPDF(&m, first.starts, first.pdf.PageCount())
	second.render()
	if err := second.pdf.Error(); err != nil {
		return fmt.Errorf("report: laying out the PDF: %w", err)
	}
	if !maps.Equal(first.starts, second.starts) {
		return fmt.Errorf("report: the PDF's chapters moved between the two layout passes")
	}
	return second.pdf.Output(w)
}

// Page geometry, in millimetres.
const (
	pageW, pageH   = 210.0, 297.0
	marginX        = 20.0
	marginTop      = 22.0
	marginBottom   = 20.0
	textW          = pageW - 2*marginX
	lineH          = 4.7
	bodySize       = 9.5
	fontFamily     = "go"
	contentsNumber = 14.0 // the width of the contents' page-number column
)

type rgb struct{ r, g, b int }

var (
	blue  = rgb{31, 59, 115}
	grey  = rgb{85, 85, 85}
	rule  = rgb{201, 206, 216}
	soft  = rgb{238, 241, 246}
	tint  = rgb{197, 205, 224}
	black = rgb{27, 27, 27}
	white = rgb{255, 255, 255}
	warn  = rgb{122, 31, 31}
)

// pdfDoc is one layout pass.
type pdfDoc struct {
	pdf    *fpdf.Fpdf
	m      *Model
	w      *lexicon
	known  map[string]int // chapter → page, from the first pass (nil in it)
	starts map[string]int // chapter → page, as laid out in this pass
	links  map[string]int // chapter → internal link
	total  int            // pages, from the first pass
	figure int
}

func newPDF(m *Model, known map[string]int, total int) *pdfDoc {
	p := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{pdf: p, m: m, w: words(m.Lang), known: known, starts: map[string]int{}, links: map[string]int{},
		total: total}
	p.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	p.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	p.AddUTF8FontFromBytes(fontFamily, "I", goitalic.TTF)
	p.SetMargins(marginX, marginTop, marginX)
	p.SetAutoPageBreak(true, marginBottom)
	p.SetCellMargin(0)
	p.SetTitle(pdfText(m.Title), true)
	p.SetSubject(pdfText(m.Subtitle), true)
	p.SetAuthor(d.w.Council+" – "+d.w.Programme, true)
	p.SetCreator("Intercultural Cities back office", true)
	p.SetLang(string(m.Lang))
	// Fixed dates and sorted catalogues make the bytes reproducible.
	p.SetCreationDate(m.Date)
	p.SetModificationDate(m.Date)
	p.SetCatalogSort(true)
	p.SetHeaderFunc(d.header)
	p.SetFooterFunc(d.footer)
	return d
}

// pdfText adapts text to the embedded fonts: the Go fonts have no narrow
// no-break space (U+202F, which French puts before % and :), so the
// ordinary no-break space stands in; it also keeps the figure and its sign
// on one line.
func pdfText(s string) string { return strings.ReplaceAll(s, "\u202f", "\u00a0") }

func (d *pdfDoc) color(c rgb) { d.pdf.SetTextColor(c.r, c.g, c.b) }
func (d *pdfDoc) fill(c rgb)  { d.pdf.SetFillColor(c.r, c.g, c.b) }
func (d *pdfDoc) draw(c rgb)  { d.pdf.SetDrawColor(c.r, c.g, c.b) }
func (d *pdfDoc) font(style string, size float64) {
	d.pdf.SetFont(fontFamily, style, size)
}

func (d *pdfDoc) render() {
	d.cover()
	d.contentsPage()
	m := d.m
	// The short opening chapters share pages; the long ones start a page.
	opening := true
	if m.Introduction != nil {
		d.chapter("introduction", d.w.Introduction, 0, true)
		for _, p := range m.Introduction.Paragraphs {
			d.paragraph(p)
		}
		opening = false
	}
	d.chapter("method", d.w.Method, 0, opening)
	for _, p := range m.Method {
		d.paragraph(p)
	}
	d.cityChapter()
	d.overallChapter()
	d.chapter("results", d.w.Results, 0, true)
	for i := range m.Areas {
		d.areaChapter(&m.Areas[i], i == 0)
	}
	if m.Progress != nil {
		d.progressChapter()
	}
}

func (d *pdfDoc) header() {
	if d.pdf.PageNo() == 1 {
		return
	}
	d.font("", 8)
	d.color(grey)
	d.pdf.SetXY(marginX, 10)
	d.pdf.CellFormat(textW, 4, pdfText(d.m.Title), "", 0, "L", false, 0, "")
	d.draw(rule)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(marginX, 15, pageW-marginX, 15)
	d.pdf.SetXY(marginX, marginTop)
}

func (d *pdfDoc) footer() {
	if d.pdf.PageNo() == 1 {
		return
	}
	d.font("", 8)
	d.color(grey)
	d.pdf.SetXY(marginX, pageH-12)
	d.pdf.CellFormat(textW/2, 4, pdfText(d.w.Council+" · "+d.w.Programme), "", 0, "L", false, 0, "")
	total := d.total
	if total == 0 {
		total = d.pdf.PageNo() // the first pass: any number, the footer is outside the text
	}
	d.pdf.CellFormat(textW/2, 4, fmt.Sprintf(d.w.PageOf, d.pdf.PageNo(), total), "", 0, "R", false, 0, "")
}

func (d *pdfDoc) cover() {
	p, m, w := d.pdf, d.m, d.w
	p.AddPage()
	d.fill(blue)
	p.Rect(0, 0, 12, pageH, "F")
	p.SetXY(marginX+6, 60)
	d.font("B", 9)
	d.color(grey)
	p.CellFormat(textW, 5, pdfText(strings.ToUpper(w.Council+" · "+w.Programme)), "", 2, "L", false, 0, "")
	p.Ln(8)
	p.SetX(marginX + 6)
	d.font("B", 26)
	d.color(blue)
	p.MultiCell(textW-6, 11, pdfText(m.Title), "", "L", false)
	p.Ln(4)
	p.SetX(marginX + 6)
	d.font("", 14)
	d.color(black)
	p.MultiCell(textW-6, 7, pdfText(m.Subtitle), "", "L", false)
	p.Ln(6)
	p.SetX(marginX + 6)
	d.font("", 11)
	d.color(grey)
	p.CellFormat(textW-6, 6, pdfText(fmt.Sprintf(w.Version, m.Version)+" · "+w.lang.Date(m.Date)), "", 2, "L", false, 0, "")
	if m.Demo {
		p.Ln(10)
		p.SetX(marginX + 6)
		d.font("B", 11)
		d.color(warn)
		p.MultiCell(textW-6, 6, pdfText(w.Demo), "", "L", false)
	}
}

// contentsPage lists the chapters with their pages and links to them.
func (d *pdfDoc) contentsPage() {
	p, w := d.pdf, d.w
	p.AddPage()
	d.heading2(w.Contents)
	for _, e := range contents(d.m) {
		d.contentsLine(e, 0)
		for _, c := range e.Children {
			d.contentsLine(c, 1)
		}
	}
}

func (d *pdfDoc) contentsLine(e entry, level int) {
	p := d.pdf
	link := p.AddLink()
	d.links[e.ID] = link
	indent := 6.0 * float64(level)
	style, size, h := "B", 10.5, 6.5
	if level > 0 {
		style, size, h = "", 10, 5.5
	}
	d.font(style, size)
	d.color(black)
	title := pdfText(e.Title)
	y := p.GetY()
	p.SetX(marginX + indent)
	tw := p.GetStringWidth(title)
	p.CellFormat(tw, h, title, "", 0, "L", false, link, "")
	// Dot leaders up to the fixed page-number column.
	lead := marginX + textW - contentsNumber - (marginX + indent + tw)
	d.color(grey)
	dots := ""
	if dw := p.GetStringWidth(" ."); lead > 2*dw {
		dots = strings.Repeat(" .", int((lead-dw)/dw))
	}
	p.CellFormat(lead, h, dots, "", 0, "R", false, link, "")
	d.color(black)
	page := ""
	if n, ok := d.known[e.ID]; ok {
		page = fmt.Sprint(n)
	}
	p.CellFormat(contentsNumber, h, page, "", 1, "R", false, link, "")
	p.SetY(y + h)
}

// chapter starts a chapter (h2), or a section (h3) when level is 1, on a
// new page when newPage (or when too little of the page is left), records
// its page and makes it a link and bookmark target.
func (d *pdfDoc) chapter(id, title string, level int, newPage bool) {
	p := d.pdf
	if newPage {
		p.AddPage()
	} else {
		p.Ln(4)
		d.keep(40)
	}
	d.starts[id] = p.PageNo()
	if link, ok := d.links[id]; ok {
		p.SetLink(link, -1, -1)
	}
	d.font("B", 10)
	p.Bookmark(pdfText(title), level, -1)
	if level == 0 {
		d.heading2(title)
	} else {
		d.heading3(title)
	}
}

func (d *pdfDoc) heading2(title string) {
	p := d.pdf
	d.font("B", 18)
	d.color(blue)
	p.MultiCell(textW, 8, pdfText(title), "", "L", false)
	d.draw(blue)
	p.SetLineWidth(0.6)
	p.Line(marginX, p.GetY()+1, pageW-marginX, p.GetY()+1)
	p.Ln(6)
}

func (d *pdfDoc) heading3(title string) {
	d.keep(20)
	d.font("B", 14)
	d.color(blue)
	d.pdf.MultiCell(textW, 7, pdfText(title), "", "L", false)
	d.pdf.Ln(2)
}

func (d *pdfDoc) heading4(title string) {
	d.keep(16)
	d.pdf.Ln(1.5)
	d.font("B", 9)
	d.color(grey)
	d.pdf.MultiCell(textW, 5, pdfText(strings.ToUpper(title)), "", "L", false)
	d.pdf.Ln(1)
}

// keep starts a new page unless h millimetres are left, so a heading is
// never left alone at the foot of a page.
func (d *pdfDoc) keep(h float64) {
	if d.pdf.GetY()+h > pageH-marginBottom {
		d.pdf.AddPage()
	}
}

func (d *pdfDoc) paragraph(s string) {
	d.font("", bodySize)
	d.color(black)
	d.pdf.MultiCell(textW, lineH, pdfText(s), "", "L", false)
	d.pdf.Ln(2.5)
}

// items writes a bulleted (numbered when numbered) list; note, in grey,
// follows each item's text.
func (d *pdfDoc) items(texts, notes []string, numbered bool) {
	p := d.pdf
	for i, t := range texts {
		full := pdfText(t)
		if notes[i] != "" {
			full += " (" + pdfText(notes[i]) + ")"
		}
		d.font("", bodySize)
		lines := p.SplitText(full, textW-7)
		d.keep(float64(len(lines)) * lineH)
		mark := "•"
		if numbered {
			mark = fmt.Sprintf("%d.", i+1)
		}
		d.color(blue)
		p.SetX(marginX)
		p.CellFormat(7, lineH, mark, "", 0, "L", false, 0, "")
		d.color(black)
		p.MultiCell(textW-7, lineH, full, "", "L", false)
		p.Ln(0.7)
	}
	p.Ln(1)
}

// column of a table: its width and alignment.
type column struct {
	w     float64
	align string
}

// table writes rows under a header row; the first column is bold when
// rowHeads. A row moves to the next page whole.
func (d *pdfDoc) table(cols []column, head []string, rows [][]string, rowHeads bool) {
	p := d.pdf
	const pad, h = 1.2, 4.6
	size := 9.0
	draw := func(cells []string, bold bool, top bool) {
		heights := make([]int, len(cells))
		n := 1
		for i, c := range cells {
			style := ""
			if bold || (rowHeads && i == 0) {
				style = "B"
			}
			d.font(style, size)
			heights[i] = len(p.SplitText(pdfText(c), cols[i].w-2*pad))
			n = max(n, heights[i])
		}
		rowH := float64(n)*h + 2*pad
		d.keep(rowH)
		x, y := marginX, p.GetY()
		for i, c := range cells {
			style := ""
			if bold || (rowHeads && i == 0) {
				style = "B"
			}
			d.font(style, size)
			d.color(black)
			p.SetXY(x+pad, y+pad)
			p.MultiCell(cols[i].w-2*pad, h, pdfText(c), "", cols[i].align, false)
			x += cols[i].w
		}
		lw, c := 0.2, rule
		if top {
			lw, c = 0.5, blue
		}
		d.draw(c)
		p.SetLineWidth(lw)
		p.Line(marginX, y+rowH, marginX+sum(cols), y+rowH)
		p.SetXY(marginX, y+rowH)
	}
	if head != nil {
		draw(head, true, true)
	}
	for _, r := range rows {
		draw(r, false, false)
	}
	p.Ln(4)
}

func sum(cols []column) float64 {
	t := 0.0
	for _, c := range cols {
		t += c.w
	}
	return t
}

func (d *pdfDoc) cityChapter() {
	c := d.m.City
	d.chapter("city", d.w.CityHeading, 0, false)
	for _, p := range c.Paragraphs {
		d.paragraph(p)
	}
	var rows [][]string
	for _, f := range c.Facts {
		rows = append(rows, []string{f.Label, f.Value})
	}
	d.table([]column{{110, "L"}, {60, "R"}}, nil, rows, true)
}

func (d *pdfDoc) overallChapter() {
	p, m, w := d.pdf, d.m, d.w
	o := m.Overall
	d.chapter("overall", w.Overall, 0, true)
	// Key figures: one box each.
	type box struct{ label, value, note string }
	boxes := []box{
		{w.Aggregate, w.percent(o.Aggregate), w.shortAll + w.Colon + w.percent(o.NetworkAggregate)},
		{w.LensScore, w.percent(o.Lens), w.shortAll + w.Colon + w.percent(o.NetworkLens)},
	}
	if o.Extended != nil {
		boxes = append(boxes, box{w.ExtendedScore, w.percent(*o.Extended), ""})
	}
	const gap = 4.0
	bw := (textW - gap*float64(len(boxes)-1)) / float64(len(boxes))
	y := p.GetY()
	for i, b := range boxes {
		x := marginX + float64(i)*(bw+gap)
		d.fill(soft)
		p.Rect(x, y, bw, 24, "F")
		d.fill(blue)
		p.Rect(x, y, bw, 1.2, "F")
		p.SetXY(x+3, y+3)
		d.font("", 8.5)
		d.color(grey)
		p.CellFormat(bw-6, 4, pdfText(b.label), "", 2, "L", false, 0, "")
		p.SetX(x + 3)
		d.font("B", 18)
		d.color(black)
		p.CellFormat(bw-6, 9, pdfText(b.value), "", 2, "L", false, 0, "")
		p.SetX(x + 3)
		d.font("", 8)
		d.color(grey)
		p.CellFormat(bw-6, 4, pdfText(b.note), "", 2, "L", false, 0, "")
	}
	p.SetXY(marginX, y+30)
	for _, para := range o.Paragraphs {
		d.paragraph(para)
	}
	d.heading3(w.Position)
	var rows [][]string
	for _, s := range o.Standings {
		rows = append(rows, []string{s.Group, fmt.Sprintf(w.RankOf, w.ordinal(s.Rank), w.count(s.Of)),
			w.lang.Number(s.Percentile, 1), w.percent(s.Average)})
	}
	d.table([]column{{86, "L"}, {30, "R"}, {24, "R"}, {30, "R"}},
		[]string{w.Group, w.Rank, w.Percentile, w.Average}, rows, true)

	// The chart of every area takes a page of its own, its figures the next.
	p.AddPage()
	d.heading3(w.ScoresByArea)
	d.barChart(&m.Chart, true)
	d.caption(m.Chart.Title)
	head := []string{w.Area}
	for _, s := range m.Chart.Series {
		head = append(head, s.Label)
	}
	rows = nil
	for _, r := range m.Chart.Rows {
		row := []string{r.Label}
		for _, v := range r.Values {
			row = append(row, percentOr(w, v))
		}
		rows = append(rows, row)
	}
	cols := []column{{58, "L"}}
	for range m.Chart.Series {
		cols = append(cols, column{(textW - 58) / float64(len(m.Chart.Series)), "R"})
	}
	d.keep(40)
	d.font("B", 9.5)
	d.color(black)
	p.MultiCell(textW, 5, pdfText(w.Figures+w.Colon+m.Chart.Title), "", "L", false)
	d.table(cols, head, rows, true)
}

func percentOr(w *lexicon, v *float64) string {
	if v == nil {
		return "—"
	}
	return w.percent(*v)
}

// caption numbers and titles the figure just drawn.
func (d *pdfDoc) caption(title string) {
	d.figure++
	d.font("I", 8.5)
	d.color(grey)
	d.pdf.MultiCell(textW, 4.2, pdfText(fmt.Sprintf("%s %d. %s", d.w.Figure, d.figure, title)), "", "L", false)
	d.pdf.Ln(4)
}

// barChart draws a horizontal bar chart from 0 to 100 with fpdf's vector
// primitives: the city's bars solid, then a tint, hatching and dots, each
// bar labelled with its value, so it reads in black and white.
func (d *pdfDoc) barChart(c *Chart, byArea bool) {
	p, w := d.pdf, d.w
	labelW, plotW := 52.0, 104.0
	bar, gap, groupGap := 1.7, 0.35, 2.6
	if !byArea {
		labelW, bar, gap, groupGap = 52, 3.2, 1.0, 0
	}
	x0 := marginX + labelW
	n := float64(len(c.Series))
	group := n*(bar+gap) + groupGap
	height := float64(len(c.Rows))*group + 8
	if byArea {
		height += 8
	}
	d.keep(height + 6)
	y := p.GetY()
	if byArea { // the legend
		lx := x0
		for i, s := range c.Series {
			d.swatch(i, lx, y, 4, 3)
			d.font("", 7.5)
			d.color(black)
			p.SetXY(lx+5, y-0.3)
			label := pdfText(s.Label)
			lw := p.GetStringWidth(label)
			p.CellFormat(lw, 3.6, label, "", 0, "L", false, 0, "")
			lx += lw + 9
		}
		y += 8
	}
	bottom := y + float64(len(c.Rows))*group
	// The grid and its scale.
	for t := 0.0; t <= 100; t += 20 {
		x := x0 + t/100*plotW
		d.draw(rule)
		p.SetLineWidth(0.15)
		p.Line(x, y-1, x, bottom)
		d.font("", 7)
		d.color(grey)
		p.SetXY(x-6, bottom+0.8)
		p.CellFormat(12, 3, w.lang.Number(t, 0), "", 0, "C", false, 0, "")
	}
	for _, row := range c.Rows {
		if byArea {
			d.font("", 8)
			d.color(black)
			label := pdfText(row.Label)
			lines := p.SplitText(label, labelW-3)
			ly := y + (group-groupGap)/2 - float64(len(lines))*3.4/2
			for _, l := range lines {
				p.SetXY(marginX, ly)
				p.CellFormat(labelW-3, 3.4, l, "", 0, "R", false, 0, "")
				ly += 3.4
			}
		}
		for i, v := range row.Values {
			by := y + float64(i)*(bar+gap)
			size := 6.0
			if !byArea {
				size = 8.5
				style := ""
				if i == 0 {
					style = "B"
				}
				d.font(style, size)
				d.color(black)
				p.SetXY(marginX, by)
				p.CellFormat(labelW-3, bar, pdfText(c.Series[i].Label), "", 0, "R", false, 0, "")
			}
			d.font("", size)
			d.color(black)
			if v == nil {
				p.SetXY(x0+1, by)
				p.CellFormat(10, bar, "—", "", 0, "L", false, 0, "")
				continue
			}
			bw := math.Max(*v, 0) / 100 * plotW
			d.swatch(i, x0, by, bw, bar)
			p.SetXY(x0+bw+1, by)
			p.CellFormat(12, bar, w.lang.Number(*v, 1), "", 0, "L", false, 0, "")
		}
		y += group
	}
	p.SetXY(marginX, bottom+6)
}

// swatch fills a bar in the style of series i and outlines it.
func (d *pdfDoc) swatch(i int, x, y, w, h float64) {
	p := d.pdf
	if w <= 0 {
		return
	}
	p.SetLineWidth(0.15)
	d.draw(blue)
	switch i {
	case 0:
		d.fill(blue)
		p.Rect(x, y, w, h, "FD")
		return
	case 1:
		d.fill(tint)
		p.Rect(x, y, w, h, "FD")
		return
	}
	d.fill(white)
	p.Rect(x, y, w, h, "FD")
	p.ClipRect(x, y, w, h, false)
	if i == 2 { // hatching
		p.SetLineWidth(0.25)
		for hx := x - h; hx < x+w; hx += 1.1 {
			p.Line(hx, y+h, hx+h, y)
		}
	} else { // dots: a dotted line with round caps, row by row
		p.SetLineWidth(0.35)
		p.SetLineCapStyle("round")
		p.SetDashPattern([]float64{0, 0.9}, 0)
		for dy := y + 0.45; dy < y+h; dy += 0.9 {
			p.Line(x+0.45, dy, x+w, dy)
		}
		p.SetDashPattern([]float64{}, 0)
		p.SetLineCapStyle("butt")
	}
	p.ClipEnd()
}

func (d *pdfDoc) areaChapter(a *AreaSection, first bool) {
	p, w := d.pdf, d.w
	if first {
		// The first area follows the "Results by area" heading on its page.
		d.starts[areaAnchor(a.ID)] = p.PageNo()
		if link, ok := d.links[areaAnchor(a.ID)]; ok {
			p.SetLink(link, -1, -1)
		}
		d.font("B", 10)
		p.Bookmark(pdfText(a.Title), 1, -1)
		d.heading3(a.Title)
	} else {
		d.chapter(areaAnchor(a.ID), a.Title, 1, true)
	}
	if a.Optional || a.Lens {
		tag := w.Optional
		if a.Lens {
			tag = w.LensArea
		}
		d.font("I", 9)
		d.color(grey)
		p.MultiCell(textW, 4.5, pdfText(tag), "", "L", false)
		p.Ln(1)
	}
	d.font("", 10)
	d.color(black)
	p.MultiCell(textW, 5, pdfText(a.Summary), "", "L", false)
	p.Ln(2)
	d.barChart(&a.Chart, false)
	d.caption(a.Chart.Title)
	if a.Answered {
		d.heading4(w.InPlace)
		if len(a.InPlace) > 0 {
			d.findings(a.InPlace)
		} else {
			d.paragraph(w.NothingInPlace)
		}
		d.heading4(w.Missing)
		if len(a.Missing) > 0 {
			d.findings(a.Missing)
		} else {
			d.paragraph(w.NothingMissing)
		}
		d.heading4(w.Recommendations)
		if len(a.Recommendations) > 0 {
			var texts, notes []string
			for _, r := range a.Recommendations {
				texts = append(texts, r.Text)
				notes = append(notes, fmt.Sprintf(w.Gain, w.lang.Number(r.Gain, 1)))
			}
			d.items(texts, notes, true)
		} else {
			d.paragraph(w.NothingToRecommend)
		}
	}
	if c := a.Commentary; c != nil {
		d.heading4(w.Comments)
		for _, para := range c.Paragraphs {
			d.font("I", bodySize)
			d.color(black)
			lines := p.SplitText(pdfText(para), textW-8)
			d.keep(float64(len(lines)) * lineH)
			y := p.GetY()
			p.SetX(marginX + 5)
			p.MultiCell(textW-8, lineH, pdfText(para), "", "L", false)
			d.fill(rule)
			p.Rect(marginX, y, 1.2, p.GetY()-y, "F")
			p.Ln(2)
		}
	}
	d.heading4(w.Practices)
	if len(a.Practices) == 0 {
		d.paragraph(w.NoPractices)
	}
	for _, pr := range a.Practices {
		d.practice(pr)
	}
}

func (d *pdfDoc) findings(fs []Finding) {
	texts, notes := make([]string, len(fs)), make([]string, len(fs))
	for i, f := range fs {
		texts[i], notes[i] = f.Topic, f.Answer
	}
	d.items(texts, notes, false)
}

// practice writes one good practice, kept on one page.
func (d *pdfDoc) practice(pr PracticeView) {
	p, w := d.pdf, d.w
	d.font("", bodySize)
	lines := len(p.SplitText(pdfText(pr.Summary), textW))
	d.keep(float64(lines)*lineH + 16)
	d.draw(rule)
	p.SetLineWidth(0.2)
	p.Line(marginX, p.GetY(), pageW-marginX, p.GetY())
	p.Ln(1.5)
	d.font("B", 10.5)
	d.color(black)
	p.MultiCell(textW, 5.2, pdfText(pr.Title), "", "L", false)
	// City, country, year and the link on one line: the link prints in
	// full, since a printed report cannot be clicked.
	d.font("", 8.5)
	d.color(grey)
	meta := pdfText(fmt.Sprintf("%s (%s) · %s", pr.City, pr.CountryName, fmt.Sprintf(w.Since, pr.Year)))
	if pr.Link == "" {
		p.MultiCell(textW, 4.4, meta, "", "L", false)
	} else {
		mw := p.GetStringWidth(meta + " · ")
		p.CellFormat(mw, 4.4, meta+" · ", "", 0, "L", false, 0, "")
		d.color(blue)
		link := pdfText(pr.Link)
		if lines := p.SplitText(link, textW-mw); len(lines) == 1 {
			p.CellFormat(textW-mw, 4.4, link, "", 1, "L", false, 0, pr.Link)
		} else {
			p.Ln(4.4)
			for _, l := range p.SplitText(link, textW) {
				p.CellFormat(textW, 4.4, l, "", 1, "L", false, 0, pr.Link)
			}
		}
	}
	p.Ln(0.8)
	d.paragraph(pr.Summary)
}

func (d *pdfDoc) progressChapter() {
	w, pr := d.w, d.m.Progress
	d.chapter("progress", w.Progress, 0, true)
	for _, para := range pr.Paragraphs {
		d.paragraph(para)
	}
	var rows [][]string
	if a := pr.Aggregate; a != nil {
		rows = append(rows, []string{w.Aggregate, w.percent(a.Before), w.percent(a.After), w.signed(a.Delta)})
	}
	for _, a := range pr.Areas {
		title := a.Title
		if a.Partial {
			title += " *"
		}
		rows = append(rows, []string{title, w.percent(a.Before), w.percent(a.After), w.signed(a.Delta)})
	}
	d.table([]column{{95, "L"}, {25, "R"}, {25, "R"}, {25, "R"}}, []string{w.Area, w.Before, w.After, w.Delta}, rows, true)
	if len(pr.Excluded) == 0 {
		return
	}
	if pr.VersionChanged {
		d.font("", 8.5)
		d.color(grey)
		d.pdf.MultiCell(textW, 4.4, pdfText(w.PartialNote), "", "L", false)
		d.pdf.Ln(2)
	}
	d.heading3(w.Excluded)
	rows = nil
	for _, e := range pr.Excluded {
		label := w.AllQuestions
		if e.Question != "" {
			label = e.Label
		}
		rows = append(rows, []string{e.AreaTitle, label, e.Reason})
	}
	d.table([]column{{45, "L"}, {75, "L"}, {50, "L"}}, []string{w.Area, w.Question, w.Reason}, rows, false)
}

// BaselinePDF writes a one-page PDF with the same library, fonts and
// settings as RenderPDF: a heading and a paragraph. It is what any PDF of
// ours costs at least (the fonts' subsets dominate), the baseline against
// which the full report's time and size are measured.
func BaselinePDF(w io.Writer, title, text string, date time.Time) error {
	m := &Model{Lang: "en", Title: title, Date: date}
	d := newPDF(m, nil, 1)
	d.pdf.AddPage()
	d.heading2(title)
	d.paragraph(text)
	if err := d.pdf.Error(); err != nil {
		return err
	}
	return d.pdf.Output(w)
}
