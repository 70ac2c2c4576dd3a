package demo

import (
	"testing"

	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
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

// A city has one open file: the demo cities must be distinct cities.
func TestDemoCitiesAreDistinctCities(t *testing.T) {
	seen := map[string]string{}
	for _, c := range Cities {
		k := membership.NameKey(c.Country, c.Name)
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s are the same city to the application rules", other, c.Name)
		}
		seen[k] = c.Name
	}
}
