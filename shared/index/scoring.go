package index

import "math"

// AreaScore is one area's result.
type AreaScore struct {
	Area      string  `json:"area"`
	Score     float64 `json:"score"` // 0 to 100, one decimal
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"maxPoints"`
	Optional  bool    `json:"optional"`
	Lens      bool    `json:"lens"`
}

// Result is the scoring of one submission.
type Result struct {
	Version string      `json:"version"`
	Areas   []AreaScore `json:"areas"` // in the questionnaire's order; optional areas only when answered
	// Aggregate is the weighted mean of the core areas: optional areas never
	// change it, so a city that skips them loses nothing.
	Aggregate float64 `json:"aggregate"`
	// Lens is the weighted mean of the six "intercultural lens" areas.
	Lens float64 `json:"lens"`
	// Extended also counts the optional areas the city answered.
	Extended float64 `json:"extended"`
	Facts    Facts   `json:"facts"`
}

// Facts are the demographic answers that place a city in comparison groups.
type Facts struct {
	Population       float64 `json:"population"`
	ForeignBornShare float64 `json:"foreignBornShare"`
}

// Round1 rounds half away from zero to one decimal, the precision every
// published score has.
func Round1(x float64) float64 { return math.Round(x*10) / 10 }

// points scores one answer.
func (q *Question) points(a Answer) float64 {
	switch q.Type {
	case Choice:
		if a.Option != nil {
			for _, o := range q.Options {
				if o.ID == *a.Option {
					return o.Points
				}
			}
		}
	case Percent, Number:
		if a.Value != nil {
			for _, b := range q.Bands {
				if *a.Value <= b.UpTo {
					return b.Points
				}
			}
		}
	}
	return 0
}

// Score scores complete, valid answers. Questions are walked in the
// definition's order, so the order of the answers never changes a result.
// An area scores its points over its maximum × 100; composites are weighted
// means of the unrounded area scores, rounded once at the end.
func (q *Questionnaire) Score(answers []Answer) Result {
	byID := make(map[string]Answer, len(answers))
	for _, a := range answers {
		byID[a.Question] = a
	}
	res := Result{Version: q.Version}
	for _, d := range q.Demographics {
		a, ok := byID[d.ID]
		if !ok || a.Value == nil {
			continue
		}
		switch d.Fact {
		case "population":
			res.Facts.Population = *a.Value
		case "foreignBornShare":
			res.Facts.ForeignBornShare = *a.Value
		}
	}
	var core, lens, ext weighted
	for _, area := range q.Areas {
		var pts, maxPts float64
		answered := 0
		for i := range area.Questions {
			qu := &area.Questions[i]
			if !qu.Scored() {
				continue
			}
			maxPts += qu.MaxPoints()
			if a, ok := byID[qu.ID]; ok {
				answered++
				pts += qu.points(a)
			}
		}
		if area.Optional && answered == 0 {
			continue
		}
		score := 0.0
		if maxPts > 0 {
			score = pts / maxPts * 100
		}
		res.Areas = append(res.Areas, AreaScore{Area: area.ID, Score: Round1(score), Points: pts, MaxPoints: maxPts,
			Optional: area.Optional, Lens: area.Lens})
		ext.add(score, area.Weight)
		if !area.Optional {
			core.add(score, area.Weight)
		}
		if area.Lens {
			lens.add(score, area.Weight)
		}
	}
	res.Aggregate, res.Lens, res.Extended = core.mean(), lens.mean(), ext.mean()
	return res
}

type weighted struct{ sum, weights float64 }

func (w *weighted) add(x, weight float64) { w.sum += x * weight; w.weights += weight }

func (w weighted) mean() float64 {
	if w.weights == 0 {
		return 0
	}
	return Round1(w.sum / w.weights)
}
