package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// The benchmarks measure a full report: the current INDEX answered in full
// (optional areas included), against a network of 1 000 cities, with a
// previous submission on another version, practices and commentary.
// BenchmarkOnePagePDF is the baseline: the least a PDF with the same fonts
// costs.

const benchCities = 1000

func BenchmarkBuildModel(b *testing.B) {
	in := SampleInput(benchCities)
	var m Model
	for b.Loop() {
		var err error
		if m, err = Build(in); err != nil {
			b.Fatal(err)
		}
	}
	raw, err := json.Marshal(m) // the model as it is stored
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(raw)), "bytes")
}

func BenchmarkRenderHTML(b *testing.B) {
	m := build(b, SampleInput(benchCities))
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := RenderHTML(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}

func BenchmarkRenderPDF(b *testing.B) {
	m := build(b, SampleInput(benchCities))
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := RenderPDF(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}

func BenchmarkOnePagePDF(b *testing.B) {
	date := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := BaselinePDF(&buf, "Saint-Étienne-sur-Lys", "One paragraph of text, the least any report can be.", date); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}
