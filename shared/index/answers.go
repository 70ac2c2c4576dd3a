package index

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// Answer is a city's answer to one question: an option for choice
// questions, a value for percent and number questions, a text for text
// questions, and optional free-text evidence.
type Answer struct {
	Question string   `json:"question"`
	Option   *string  `json:"option,omitempty"`
	Value    *float64 `json:"value,omitempty"`
	Text     *string  `json:"text,omitempty"`
	Evidence string   `json:"evidence,omitempty"`
}

// Limits on free text, in characters.
const (
	MaxEvidence = 4000
	MaxText     = 1000
	MaxAnswers  = 500
)

// Check validates answers against the questionnaire. Complete demands every
// demographic fact and every core question, and each optional area either
// whole or absent; a draft may be partial but each answer given must be
// valid. Every offending answer is reported, named by its position and
// question id.
func (q *Questionnaire) Check(answers []Answer, complete bool) error {
	var c failure.Collector
	if len(answers) > MaxAnswers {
		c.Add("/answers", "at most %d answers", MaxAnswers)
		return c.Err("too many answers")
	}
	seen := make(map[string]int, len(answers))
	for i, a := range answers {
		ptr := fmt.Sprintf("/answers/%d", i)
		qu, _, ok := q.Question(a.Question)
		switch {
		case a.Question == "":
			c.Add(ptr+"/question", "is required")
			continue
		case !ok:
			c.Add(ptr+"/question", "%s: no such question in INDEX %s", clip(a.Question), q.Version)
			continue
		}
		if first, dup := seen[a.Question]; dup {
			c.Add(ptr+"/question", "%s: answered twice (also at /answers/%d)", a.Question, first)
			continue
		}
		seen[a.Question] = i
		checkAnswer(&c, ptr, qu, a)
	}
	if complete {
		for _, d := range q.Demographics {
			if _, ok := seen[d.ID]; !ok {
				c.Add("/answers", "%s: is required", d.ID)
			}
		}
		for _, area := range q.Areas {
			answered := 0
			for _, qu := range area.Questions {
				if _, ok := seen[qu.ID]; ok {
					answered++
				}
			}
			if area.Optional && (answered == 0 || answered == len(area.Questions)) {
				continue
			}
			for _, qu := range area.Questions {
				if _, ok := seen[qu.ID]; !ok {
					if area.Optional {
						c.Add("/answers", "%s: is required once any question of the optional area %s is answered", qu.ID, area.ID)
					} else {
						c.Add("/answers", "%s: is required", qu.ID)
					}
				}
			}
		}
	}
	return c.Err("some answers are invalid")
}

func checkAnswer(c *failure.Collector, ptr string, q *Question, a Answer) {
	if utf8.RuneCountInString(a.Evidence) > MaxEvidence {
		c.Add(ptr+"/evidence", "%s: evidence must be at most %d characters", q.ID, MaxEvidence)
	}
	if a.Evidence != "" && !q.Evidence {
		c.Add(ptr+"/evidence", "%s: this question takes no evidence", q.ID)
	}
	switch q.Type {
	case Choice:
		if a.Value != nil || a.Text != nil {
			c.Add(ptr, "%s: answer with an option, not a value or text", q.ID)
		}
		if a.Option == nil {
			c.Add(ptr+"/option", "%s: an option is required (%s)", q.ID, optionIDs(q))
			return
		}
		for _, o := range q.Options {
			if o.ID == *a.Option {
				return
			}
		}
		c.Add(ptr+"/option", "%s: unknown option %q (%s)", q.ID, clip(*a.Option), optionIDs(q))
	case Percent, Number:
		if a.Option != nil || a.Text != nil {
			c.Add(ptr, "%s: answer with a value, not an option or text", q.ID)
		}
		if a.Value == nil {
			c.Add(ptr+"/value", "%s: a value is required", q.ID)
			return
		}
		lo, hi := q.bounds()
		if v := *a.Value; v < lo || v > hi || v != v {
			c.Add(ptr+"/value", "%s: must be from %g to %g", q.ID, lo, hi)
		}
	case FreeText:
		if a.Option != nil || a.Value != nil {
			c.Add(ptr, "%s: answer with a text", q.ID)
		}
		switch {
		case a.Text == nil || strings.TrimSpace(*a.Text) == "":
			c.Add(ptr+"/text", "%s: a text is required", q.ID)
		case utf8.RuneCountInString(*a.Text) > MaxText:
			c.Add(ptr+"/text", "%s: must be at most %d characters", q.ID, MaxText)
		}
	}
}

// bounds returns the accepted range of a numeric answer.
func (q *Question) bounds() (lo, hi float64) {
	lo, hi = 0, 1e12
	if q.Type == Percent {
		hi = 100
	}
	if q.Min != nil {
		lo = *q.Min
	}
	if q.Max != nil {
		hi = *q.Max
	}
	return lo, hi
}

func optionIDs(q *Question) string {
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	return "one of " + strings.Join(ids, ", ")
}

// clip shortens hostile input before it is echoed in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
