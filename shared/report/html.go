package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
)

//go:embed report.html.tmpl
var htmlTemplate string

//go:embed report.css
var reportCSS string

// page is parsed once: html/template escapes every value it inserts by
// context, so a city's name or the secretariat's text can never become markup.
var page = template.Must(template.New("report").Parse(htmlTemplate))

// RenderHTML writes the report as one self-contained HTML document: inline
// CSS (with a print stylesheet), inline SVG charts with their text
// alternatives and data tables, no external resource. The markup is also
// well-formed XML (XHTML-compatible).
func RenderHTML(w io.Writer, m Model) error {
	if err := checkSchema(&m); err != nil {
		return err
	}
	v := htmlView{Model: m, L: words(m.Lang), CSS: template.CSS(reportCSS), Contents: contents(&m)}
	v.Main = svgFor(&m.Chart, "chart-areas", v.L, mainLayout)
	for i := range m.Areas {
		v.AreaCharts = append(v.AreaCharts, svgFor(&m.Areas[i].Chart, "chart-"+m.Areas[i].ID, v.L, areaLayout))
	}
	return page.Execute(w, v)
}

// htmlView is what the template reads: the model, its wording, and the
// charts laid out.
type htmlView struct {
	Model
	L          *lexicon
	CSS        template.CSS
	Contents   []entry
	Main       svgChart
	AreaCharts []svgChart
}

// The template's formatting helpers, in the report's language.

func (v htmlView) Pct(x float64) string { return v.L.percent(x) }

func (v htmlView) PctOr(x *float64) string {
	if x == nil {
		return "—"
	}
	return v.L.percent(*x)
}

func (v htmlView) Signed(x float64) string { return v.L.signed(x) }

func (v htmlView) Num(x float64) string { return v.L.lang.Number(x, 1) }

// FigureNo numbers an area's chart: figure 1 is the chart of all areas.
func (v htmlView) FigureNo(area int) int { return area + 2 }

func (v htmlView) RankOf(rank, of int) string {
	return fmt.Sprintf(v.L.RankOf, v.L.ordinal(rank), v.L.count(of))
}

func (v htmlView) Gain(x float64) string { return fmt.Sprintf(v.L.Gain, v.L.lang.Number(x, 1)) }

func (v htmlView) Since(y int) string { return fmt.Sprintf(v.L.Since, y) }

func (v htmlView) Group(kind string) string { return v.L.shortGroup(kind) }

func (v htmlView) DateText() string { return v.L.lang.Date(v.Date) }

func (v htmlView) DateISO() string { return v.Date.Format("2006-01-02") }

func (v htmlView) VersionText() string { return fmt.Sprintf(v.L.Version, v.Version) }

// svgChart is a chart laid out in SVG user units. Coordinates are strings
// with at most one decimal, so the output is compact and stable.
type svgChart struct {
	ID, Title, Desc string
	W, H            string
	Grid            []svgGrid
	Legend          []svgLegend
	Labels          []svgText
	Bars            []svgBar
}

type svgGrid struct{ X, Y1, Y2, LabelY, Label string }

type svgLegend struct{ X, Y, TextX, TextY, Fill, Label string }

type svgText struct{ X, Y, Size, Anchor, Weight, Text string }

type svgBar struct{ X, Y, W, H, Fill string }

// Bar fills by series: the city solid, then a light tint, hatching and
// dots, so the series stay apart when printed without colour.
const ink = "#1f3b73"

func seriesFill(chartID string, i int) string {
	switch i {
	case 0:
		return ink
	case 1:
		return "#c5cde0"
	case 2:
		return "url(#" + chartID + "-hatch)"
	}
	return "url(#" + chartID + "-dots)"
}

// layout sizes a chart: the label column, the plot, the bars.
type layout struct {
	width, labelW, plotW, bar, gap, groupGap, top, legend float64
	rowLabels                                             bool // one label per row (area) rather than per bar
}

var mainLayout = layout{width: 760, labelW: 255, plotW: 430, bar: 7, gap: 1, groupGap: 12, top: 4, legend: 24, rowLabels: true}

var areaLayout = layout{width: 760, labelW: 255, plotW: 430, bar: 14, gap: 6, groupGap: 0, top: 8, legend: 0}

func f1(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) }

// svgFor lays out a horizontal bar chart from 0 to 100: one group of bars
// per row, one bar per series, each bar labelled with its value.
func svgFor(c *Chart, id string, w *lexicon, l layout) svgChart {
	s := svgChart{ID: id, Title: c.Title, Desc: c.Description}
	n := float64(len(c.Series))
	group := n*(l.bar+l.gap) + l.groupGap
	x0 := l.labelW
	y := l.top + l.legend
	if l.legend > 0 {
		lx := x0
		for i, ser := range c.Series {
			s.Legend = append(s.Legend, svgLegend{X: f1(lx), Y: f1(l.top), TextX: f1(lx + 16), TextY: f1(l.top + 9),
				Fill: seriesFill(id, i), Label: ser.Label})
			lx += 24 + 6.2*float64(len([]rune(ser.Label)))
		}
	}
	height := y + float64(len(c.Rows))*group + 22
	for t := 0.0; t <= 100; t += 20 {
		x := x0 + t/100*l.plotW
		s.Grid = append(s.Grid, svgGrid{X: f1(x), Y1: f1(y - 4), Y2: f1(height - 18), LabelY: f1(height - 6),
			Label: w.lang.Number(t, 0)})
	}
	for _, row := range c.Rows {
		if l.rowLabels {
			s.Labels = append(s.Labels, svgText{X: f1(x0 - 8), Y: f1(y + group/2 - l.groupGap/2 + 3.5), Size: "11",
				Anchor: "end", Weight: "normal", Text: row.Label})
		}
		for i, v := range row.Values {
			by := y + float64(i)*(l.bar+l.gap)
			if !l.rowLabels {
				weight := "normal"
				if i == 0 {
					weight = "bold"
				}
				s.Labels = append(s.Labels, svgText{X: f1(x0 - 8), Y: f1(by + l.bar/2 + 4), Size: "12", Anchor: "end",
					Weight: weight, Text: c.Series[i].Label})
			}
			size := "8.5"
			if !l.rowLabels {
				size = "11"
			}
			if v == nil {
				s.Labels = append(s.Labels, svgText{X: f1(x0 + 4), Y: f1(by + l.bar - 0.5), Size: size, Anchor: "start",
					Weight: "normal", Text: "—"})
				continue
			}
			bw := math.Max(*v, 0) / 100 * l.plotW
			s.Bars = append(s.Bars, svgBar{X: f1(x0), Y: f1(by), W: f1(bw), H: f1(l.bar), Fill: seriesFill(id, i)})
			s.Labels = append(s.Labels, svgText{X: f1(x0 + bw + 3), Y: f1(by + l.bar - 0.5), Size: size, Anchor: "start",
				Weight: "normal", Text: w.lang.Number(*v, 1)})
		}
		y += group
	}
	s.W, s.H = f1(l.width), f1(height)
	return s
}
