package demo

import (
	"math/rand/v2"
	"strings"

	"github.com/intercultural-cities/backoffice/shared/index"
)

// Answers fills in q as a city with the given strength (0 weak, 1 strong)
// plausibly would: stronger cities pick better options more often. The
// same seed gives the same answers.
func Answers(q *index.Questionnaire, facts City, strength float64, seed uint64, withOptional bool) []index.Answer {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var out []index.Answer
	for _, d := range q.Demographics {
		a := index.Answer{Question: d.ID}
		switch d.Fact {
		case "population":
			v := float64(facts.Population)
			a.Value = &v
		case "foreignBornShare":
			a.Value = &facts.ForeignBorn
		case "foreignResidentShare":
			a.Value = &facts.ForeignResidents
		case "nationalMinorityShare":
			a.Value = &facts.Minorities
		default:
			switch d.Type {
			case index.FreeText:
				t := "Demo data: several origin groups"
				a.Text = &t
			case index.Choice:
				a.Option = &d.Options[0].ID
			default:
				lo := 0.0
				if d.Min != nil {
					lo = *d.Min
				}
				a.Value = &lo
			}
		}
		out = append(out, a)
	}
	for _, area := range q.Areas {
		if area.Optional && !withOptional {
			continue
		}
		for _, qu := range area.Questions {
			out = append(out, answer(rng, qu, strength))
		}
	}
	return out
}

func answer(rng *rand.Rand, q index.Question, strength float64) index.Answer {
	a := index.Answer{Question: q.ID}
	// A noisy draw around the city's strength picks how good the answer is.
	level := min(max(strength+rng.NormFloat64()*0.2, 0), 1)
	switch q.Type {
	case index.Choice:
		// Rank the options by points and pick by level.
		order := make([]int, len(q.Options))
		for i := range order {
			order[i] = i
		}
		for i := 1; i < len(order); i++ {
			for j := i; j > 0 && q.Options[order[j]].Points < q.Options[order[j-1]].Points; j-- {
				order[j], order[j-1] = order[j-1], order[j]
			}
		}
		idx := order[min(int(level*float64(len(order))), len(order)-1)]
		a.Option = &q.Options[idx].ID
	case index.Percent, index.Number:
		lo, hi := 0.0, 100.0
		if q.Min != nil {
			lo = *q.Min
		}
		if q.Max != nil {
			hi = *q.Max
		}
		if q.Type == index.Number && len(q.Bands) > 0 {
			hi = min(hi, q.Bands[len(q.Bands)-1].UpTo)
		}
		v := lo + level*(hi-lo)
		v = float64(int(v*10)) / 10
		a.Value = &v
	case index.FreeText:
		t := "Demo answer"
		a.Text = &t
	}
	if q.Evidence && level > 0.3 {
		a.Evidence = "Demo evidence: " + strings.ToLower(q.ID) + " (council decision, programme page)"
	}
	return a
}
