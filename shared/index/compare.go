package index

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Bands are the comparison groups' cut-offs (configuration: the historic
// split was 200 000 inhabitants and 15 % foreign-born; finer bands since 2019).
type Bands struct {
	Population  []float64 `json:"population"`  // ascending upper bounds, exclusive
	ForeignBorn []float64 `json:"foreignBorn"` // ascending upper bounds in %, exclusive
}

// DefaultBands are <100k / 100–200k / 200–500k / ≥500k inhabitants and
// <10 / 10–15 / 15–20 / ≥20 % foreign-born.
func DefaultBands() Bands {
	return Bands{Population: []float64{100_000, 200_000, 500_000}, ForeignBorn: []float64{10, 15, 20}}
}

// Group kinds.
const (
	GroupAll         = "all"
	GroupPopulation  = "population"
	GroupForeignBorn = "foreignBorn"
)

// Group is a comparison group a city belongs to.
type Group struct {
	Key   string `json:"key"`   // stable: "all", "population:1", "foreignBorn:3"
	Kind  string `json:"kind"`  // all, population, foreignBorn
	Label string `json:"label"` // "100 000–200 000 inhabitants"
	// The band's bounds, for clients that word it in another language:
	// Min ≤ value < Max; an open end is absent.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

// Groups returns the three groups facts place a city in.
func (b Bands) Groups(f Facts) []Group {
	p := band(b.Population, f.Population)
	fb := band(b.ForeignBorn, f.ForeignBornShare)
	pop := Group{Key: GroupPopulation + ":" + strconv.Itoa(p), Kind: GroupPopulation,
		Label: label(b.Population, p, func(x float64) string { return thousands(x) }, " inhabitants")}
	pop.Min, pop.Max = bounds(b.Population, p)
	born := Group{Key: GroupForeignBorn + ":" + strconv.Itoa(fb), Kind: GroupForeignBorn,
		Label: label(b.ForeignBorn, fb, func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }, " % foreign-born")}
	born.Min, born.Max = bounds(b.ForeignBorn, fb)
	return []Group{{Key: GroupAll, Kind: GroupAll, Label: "all cities"}, pop, born}
}

// bounds are band i's limits; nil where it is open.
func bounds(cuts []float64, i int) (lower, upper *float64) {
	if i > 0 && i <= len(cuts) {
		v := cuts[i-1]
		lower = &v
	}
	if i < len(cuts) {
		v := cuts[i]
		upper = &v
	}
	return lower, upper
}

func band(cuts []float64, x float64) int {
	for i, c := range cuts {
		if x < c {
			return i
		}
	}
	return len(cuts)
}

func label(cuts []float64, i int, f func(float64) string, unit string) string {
	switch {
	case len(cuts) == 0:
		return "all" + unit
	case i == 0:
		return "under " + f(cuts[0]) + unit
	case i == len(cuts):
		return f(cuts[i-1]) + " or more" + unit
	}
	return f(cuts[i-1]) + "–" + f(cuts[i]) + unit
}

func thousands(x float64) string {
	s := strconv.FormatInt(int64(x), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}

// Buckets is the resolution of the rank histogram: aggregates are kept to
// one decimal, so 1001 buckets rank exactly.
const Buckets = 1001

func bucket(score float64) int {
	b := int(math.Round(score * 10))
	return min(max(b, 0), Buckets-1)
}

// GroupStats is a comparison group's maintained aggregate: how many cities,
// how their aggregates are spread, and per-area sums for the averages. It is
// updated when a city's latest result changes, so ranking a city costs the
// same for a network of 10 or 10 000.
type GroupStats struct {
	Key       string             `json:"key"`
	Count     int                `json:"count"`
	Histogram map[int]int        `json:"histogram"` // bucket (aggregate × 10) → cities
	AggSum    float64            `json:"aggSum"`
	AreaSum   map[string]float64 `json:"areaSum"`
	AreaCount map[string]int     `json:"areaCount"`
}

// Delta is the change one result makes to a group's aggregate: applying
// Delta(old, -1) and Delta(new, +1) moves a city from its old result to its new one.
type Delta struct {
	Count     int
	Histogram map[int]int
	AggSum    float64
	AreaSum   map[string]float64
	AreaCount map[string]int
}

// DeltaOf is the contribution of r to a group, times sign (+1 or −1).
func DeltaOf(r Result, sign int) Delta {
	d := Delta{Count: sign, Histogram: map[int]int{bucket(r.Aggregate): sign}, AggSum: float64(sign) * r.Aggregate,
		AreaSum: map[string]float64{}, AreaCount: map[string]int{}}
	for _, a := range r.Areas {
		d.AreaSum[a.Area] += float64(sign) * a.Score
		d.AreaCount[a.Area] += sign
	}
	return d
}

// Apply adds d to the stats.
func (g *GroupStats) Apply(d Delta) {
	if g.Histogram == nil {
		g.Histogram = map[int]int{}
	}
	if g.AreaSum == nil {
		g.AreaSum, g.AreaCount = map[string]float64{}, map[string]int{}
	}
	g.Count += d.Count
	g.AggSum += d.AggSum
	for b, n := range d.Histogram {
		g.Histogram[b] += n
		if g.Histogram[b] == 0 {
			delete(g.Histogram, b)
		}
	}
	for a, s := range d.AreaSum {
		g.AreaSum[a] += s
	}
	for a, n := range d.AreaCount {
		g.AreaCount[a] += n
	}
}

// Standing is a city's place in one group.
type Standing struct {
	Group      Group              `json:"group"`
	Rank       int                `json:"rank"`       // 1 is the highest aggregate
	Of         int                `json:"of"`         // cities in the group
	Percentile float64            `json:"percentile"` // share of the other cities scoring lower, 0–100
	Average    float64            `json:"average"`    // the group's mean aggregate
	Areas      map[string]float64 `json:"areaAverages"`
}

// Standing places an aggregate in the group; the group must already count it.
func (g *GroupStats) Standing(grp Group, aggregate float64) Standing {
	b := bucket(aggregate)
	above, below := 0, 0
	keys := make([]int, 0, len(g.Histogram))
	for k := range g.Histogram {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch {
		case k > b:
			above += g.Histogram[k]
		case k < b:
			below += g.Histogram[k]
		}
	}
	s := Standing{Group: grp, Rank: above + 1, Of: g.Count, Areas: map[string]float64{}}
	if g.Count > 1 {
		s.Percentile = Round1(float64(below) / float64(g.Count-1) * 100)
	} else {
		s.Percentile = 100
	}
	if g.Count > 0 {
		s.Average = Round1(g.AggSum / float64(g.Count))
	}
	for a, n := range g.AreaCount {
		if n > 0 {
			s.Areas[a] = Round1(g.AreaSum[a] / float64(n))
		}
	}
	return s
}

func (s Standing) String() string {
	return fmt.Sprintf("%d of %d (%s)", s.Rank, s.Of, s.Group.Label)
}
