package demo

import (
	"testing"

	"github.com/intercultural-cities/backoffice/shared/index"
)

func TestDemoAnswersAreValidAndSpreadAcrossTheRange(t *testing.T) {
	q := index.Current()
	lo, hi := 100.0, 0.0
	for i, c := range Cities {
		answers := Answers(q, c, Strength(i), uint64(i+1), i%3 == 0)
		if err := q.Check(answers, true); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		agg := q.Score(answers).Aggregate
		lo, hi = min(lo, agg), max(hi, agg)
	}
	if len(Cities) < 40 {
		t.Fatalf("%d demo cities, want at least 40", len(Cities))
	}
	if lo > 40 || hi < 85 || lo < 25 || hi > 97 {
		t.Fatalf("aggregates span %.1f–%.1f, want roughly 35–90", lo, hi)
	}
	t.Logf("demo aggregates span %.1f–%.1f", lo, hi)
}
