package report

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// progress compares the submission with the previous one. Within one
// questionnaire version the published scores compare as they are. Across
// versions only questions asked and scored identically in both count: both
// submissions are scored again on those questions alone (with the current
// version's weights), and everything left out is listed with the reason.
func (b *builder) progress() (*Progress, error) {
	prev, w := b.in.Previous, b.w
	prevQ, ok := index.Lookup(prev.Version)
	if !ok {
		return nil, failure.Fields("the report cannot be built",
			failure.Field("/previous/version", "no INDEX version %q", prev.Version))
	}
	p := &Progress{PreviousSubmission: prev.ID, PreviousDate: prev.SubmittedAt.UTC(), PreviousVersion: prev.Version,
		VersionChanged: prev.Version != b.q.Version, Areas: []AreaChange{}, Excluded: []Exclusion{}}
	var before, after index.Result
	partial := map[string]bool{}
	if p.VersionChanged {
		common := b.commonQuestions(prevQ, p, partial)
		before, after = common.Score(prev.Answers), common.Score(b.in.Submission.Answers)
	} else {
		before, after = *prev.Result, b.res
	}
	// An optional area compares only when answered both times.
	beforeAreas, afterAreas := areaScores(before), areaScores(after)
	lang := string(w.lang)
	for _, a := range b.q.Areas {
		x, inBefore := beforeAreas[a.ID]
		y, inAfter := afterAreas[a.ID]
		switch {
		case inBefore && inAfter:
			p.Areas = append(p.Areas, AreaChange{Area: a.ID, Title: a.Title.In(lang), Partial: partial[a.ID],
				Change: change(x.Score, y.Score)})
		case a.Optional && (inBefore || inAfter):
			p.Excluded = append(p.Excluded, Exclusion{Area: a.ID, AreaTitle: a.Title.In(lang), Label: a.Title.In(lang),
				Reason: w.exclOptional})
		}
	}
	coreCompared := slices.ContainsFunc(p.Areas, func(c AreaChange) bool {
		a, _ := b.q.Area(c.Area)
		return !a.Optional
	})
	if coreCompared {
		c := change(before.Aggregate, after.Aggregate)
		p.Aggregate = &c
	}
	sortExclusions(b.q, prevQ, p.Excluded)

	date := w.lang.Date(p.PreviousDate)
	first := fmt.Sprintf(w.progressIntro, b.in.City.Name, date, prev.Version)
	if p.VersionChanged {
		questions, areas := 0, 0
		for _, e := range p.Excluded {
			if e.Question != "" {
				questions++
			} else {
				areas++
			}
		}
		first += fmt.Sprintf(w.progressVersion, prev.Version, b.q.Version, w.count(questions), w.count(areas))
	}
	p.Paragraphs = append(p.Paragraphs, first)
	if p.Aggregate != nil {
		p.Paragraphs = append(p.Paragraphs, fmt.Sprintf(w.progressAgg, w.percent(p.Aggregate.Before),
			w.percent(p.Aggregate.After), w.signed(p.Aggregate.Delta)))
	} else {
		p.Paragraphs = append(p.Paragraphs, w.progressNoAgg)
	}
	if moves := b.moves(p.Areas); moves != "" {
		p.Paragraphs = append(p.Paragraphs, moves)
	}
	return p, nil
}

func areaScores(r index.Result) map[string]index.AreaScore {
	m := make(map[string]index.AreaScore, len(r.Areas))
	for _, a := range r.Areas {
		m[a.Area] = a
	}
	return m
}

func change(before, after float64) Change {
	return Change{Before: before, After: after, Delta: index.Round1(after - before)}
}

// Movement is the least change, in points, that the progress text calls an
// improvement or a fall: scores are rounded to a tenth, and a change of less
// than a point is not worth a sentence.
const Movement = 1.0

// moves names the largest improvements and falls (up to Highlights each).
func (b *builder) moves(areas []AreaChange) string {
	w := b.w
	up := slices.Clone(areas)
	slices.SortStableFunc(up, func(x, y AreaChange) int { return cmp.Compare(y.Delta, x.Delta) })
	down := slices.Clone(areas)
	slices.SortStableFunc(down, func(x, y AreaChange) int { return cmp.Compare(x.Delta, y.Delta) })
	name := func(cs []AreaChange, keep func(float64) bool) []string {
		var out []string
		for _, c := range cs {
			if keep(c.Delta) && len(out) < Highlights {
				out = append(out, fmt.Sprintf("%s (%s)", c.Title, w.signed(c.Delta)))
			}
		}
		return out
	}
	var s string
	if ups := name(up, func(d float64) bool { return d >= Movement }); len(ups) > 0 {
		s = fmt.Sprintf(w.progressUp, w.list(ups))
	}
	if downs := name(down, func(d float64) bool { return d <= -Movement }); len(downs) > 0 {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf(w.progressDown, w.list(downs))
	}
	return s
}

// commonQuestions returns the current questionnaire cut down to the
// questions the previous version asks and scores identically, and records
// in p what was left out and in partial the areas that lost questions.
func (b *builder) commonQuestions(prevQ *index.Questionnaire, p *Progress, partial map[string]bool) *index.Questionnaire {
	w, cur, lang := b.w, b.q, string(b.w.lang)
	common := &index.Questionnaire{Version: cur.Version + "∩" + prevQ.Version}
	exclude := func(a index.Area, reason string) {
		t := a.Title.In(lang)
		p.Excluded = append(p.Excluded, Exclusion{Area: a.ID, AreaTitle: t, Label: t, Reason: reason})
	}
	for _, a := range cur.Areas {
		old, ok := prevQ.Area(a.ID)
		if !ok {
			exclude(a, fmt.Sprintf(w.exclAreaMissing, prevQ.Version))
			continue
		}
		kept := index.Area{ID: a.ID, Title: a.Title, Weight: a.Weight, Optional: a.Optional, Lens: a.Lens}
		var dropped []Exclusion
		drop := func(qu *index.Question, reason string) {
			dropped = append(dropped, Exclusion{Area: a.ID, AreaTitle: a.Title.In(lang), Question: qu.ID,
				Label: topic(qu, lang), Reason: reason})
		}
		for _, qu := range a.Questions {
			was := findQuestion(old, qu.ID)
			switch {
			case was == nil:
				drop(&qu, fmt.Sprintf(w.exclOnlyIn, cur.Version))
			case !sameScoring(&qu, was):
				drop(&qu, fmt.Sprintf(w.exclScoring, prevQ.Version, cur.Version))
			default:
				kept.Questions = append(kept.Questions, qu)
			}
		}
		for _, qu := range old.Questions {
			if findQuestion(&a, qu.ID) == nil {
				drop(&qu, fmt.Sprintf(w.exclOnlyIn, prevQ.Version))
			}
		}
		if len(kept.Questions) == 0 {
			exclude(a, w.exclNone)
			continue
		}
		p.Excluded = append(p.Excluded, dropped...)
		partial[a.ID] = len(dropped) > 0
		common.Areas = append(common.Areas, kept)
	}
	for _, a := range prevQ.Areas {
		if _, ok := cur.Area(a.ID); !ok {
			exclude(a, fmt.Sprintf(w.exclAreaMissing, cur.Version))
		}
	}
	return common
}

func findQuestion(a *index.Area, id string) *index.Question {
	for i := range a.Questions {
		if a.Questions[i].ID == id {
			return &a.Questions[i]
		}
	}
	return nil
}

// topic names a question as the report lists it.
func topic(qu *index.Question, lang string) string {
	if adv, ok := AdviceFor(qu.ID); ok {
		return adv.Topic.In(lang)
	}
	return qu.Text.In(lang)
}

// sameScoring reports whether two versions of a question give every answer
// the same points: same type, same options with the same points, same bands.
// The wording may differ.
func sameScoring(a, b *index.Question) bool {
	if a.Type != b.Type || len(a.Options) != len(b.Options) || !slices.Equal(a.Bands, b.Bands) {
		return false
	}
	points := make(map[string]float64, len(a.Options))
	for _, o := range a.Options {
		points[o.ID] = o.Points
	}
	for _, o := range b.Options {
		if p, ok := points[o.ID]; !ok || p != o.Points {
			return false
		}
	}
	return true
}

// sortExclusions orders the exclusions as the areas come, current version
// first, whole areas before their questions.
func sortExclusions(cur, prev *index.Questionnaire, es []Exclusion) {
	rank := map[string]int{}
	for i, a := range cur.Areas {
		rank[a.ID] = i
	}
	for i, a := range prev.Areas {
		if _, ok := rank[a.ID]; !ok {
			rank[a.ID] = len(cur.Areas) + i
		}
	}
	slices.SortStableFunc(es, func(x, y Exclusion) int {
		return cmp.Or(cmp.Compare(rank[x.Area], rank[y.Area]), cmp.Compare(isQuestion(x), isQuestion(y)))
	})
}

func isQuestion(e Exclusion) int {
	if e.Question != "" {
		return 1
	}
	return 0
}
