package index

import (
	"errors"
	"strconv"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

func hasPointer(err error, ptr string) bool {
	var f *failure.Error
	if !errors.As(err, &f) {
		return false
	}
	for _, e := range f.Fields {
		if e.Pointer == ptr {
			return true
		}
	}
	return false
}

func TestGroupsFollowTheBands(t *testing.T) {
	b := DefaultBands()
	tests := []struct {
		facts           Facts
		pop, foreignBrn string
		popBounds       string // min–max, open ends as -
	}{
		{Facts{Population: 30000, ForeignBornShare: 5}, "under 100 000 inhabitants", "under 10 % foreign-born", "-–100000"},
		{Facts{Population: 100000, ForeignBornShare: 10}, "100 000–200 000 inhabitants", "10–15 % foreign-born", "100000–200000"},
		{Facts{Population: 499999, ForeignBornShare: 19.9}, "200 000–500 000 inhabitants", "15–20 % foreign-born", "200000–500000"},
		{Facts{Population: 2500000, ForeignBornShare: 40}, "500 000 or more inhabitants", "20 or more % foreign-born", "500000–-"},
	}
	bound := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	for _, tt := range tests {
		g := b.Groups(tt.facts)
		if len(g) != 3 || g[0].Key != "all" || g[1].Label != tt.pop || g[2].Label != tt.foreignBrn {
			t.Errorf("groups(%+v) = %+v", tt.facts, g)
		}
		if got := bound(g[1].Min) + "–" + bound(g[1].Max); got != tt.popBounds {
			t.Errorf("groups(%+v): population bounds %s, want %s", tt.facts, got, tt.popBounds)
		}
		if g[0].Min != nil || g[0].Max != nil {
			t.Errorf("the whole sample has bounds: %+v", g[0])
		}
	}
}

func result(agg float64, areas ...float64) Result {
	r := Result{Aggregate: agg}
	for i, s := range areas {
		r.Areas = append(r.Areas, AreaScore{Area: []string{"commitment", "education"}[i], Score: s})
	}
	return r
}

func TestStandingRanksAndAverages(t *testing.T) {
	var g GroupStats
	for _, r := range []Result{result(84, 90, 80), result(70, 60, 80), result(63, 50, 70), result(70, 70, 70)} {
		g.Apply(DeltaOf(r, 1))
	}
	grp := Group{Key: "all", Label: "all cities"}
	tests := []struct {
		agg        float64
		rank       int
		percentile float64
	}{{84, 1, 100}, {70, 2, 33.3}, {63, 4, 0}}
	for _, tt := range tests {
		s := g.Standing(grp, tt.agg)
		if s.Rank != tt.rank || s.Of != 4 || s.Percentile != tt.percentile {
			t.Errorf("standing(%v) = %d of %d, %v%%; want %d of 4, %v%%", tt.agg, s.Rank, s.Of, s.Percentile, tt.rank, tt.percentile)
		}
	}
	s := g.Standing(grp, 84)
	if s.Average != 71.8 || s.Areas["commitment"] != 67.5 || s.Areas["education"] != 75 {
		t.Fatalf("averages %v %v", s.Average, s.Areas)
	}
	// A city re-assessed moves from its old result to its new one.
	g.Apply(DeltaOf(result(63, 50, 70), -1))
	g.Apply(DeltaOf(result(90, 95, 85), 1))
	if s := g.Standing(grp, 90); s.Rank != 1 || s.Of != 4 {
		t.Fatalf("after re-assessment: %d of %d", s.Rank, s.Of)
	}
	if s := g.Standing(grp, 84); s.Rank != 2 {
		t.Fatalf("the former leader is %d", s.Rank)
	}
	if _, ok := g.Histogram[630]; ok {
		t.Fatal("an emptied bucket was kept")
	}
}
