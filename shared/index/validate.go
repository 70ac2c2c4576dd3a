package index

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Limits a questionnaire definition must respect.
const (
	MinAreaQuestions = 4   // questions per area, at least
	MaxAreaQuestions = 8   // questions per area, at most
	CoreWeightTotal  = 100 // the core areas' weights sum to this
	// MinCurrentQuestions is the least number of policy (area) questions
	// the current version may have; demographic facts are not counted.
	MinCurrentQuestions = 70
)

// currentOptionalAreas are the optional areas of the current version (the
// 2019 revision added them).
var currentOptionalAreas = []string{"participation", "interaction"}

// requiredFacts are the demographic facts every version records, with the
// type of question that records each. Population and the foreign-born share
// place a city in its comparison groups; the two other shares complete the
// eligibility picture (5 % foreign residents, foreign-born or minorities).
var requiredFacts = map[string]QuestionType{
	"population":            Number,
	"foreignBornShare":      Percent,
	"foreignResidentShare":  Percent,
	"nationalMinorityShare": Percent,
}

var (
	areaIDPattern     = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	questionIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$`)
	optionIDPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// DefinitionError lists every problem found in a questionnaire definition,
// each prefixed by the place it was found, e.g.
// `areas[1].questions[0] (education.mixed-schools): bands[2].upTo 40 is not above bands[1].upTo 50`.
type DefinitionError struct {
	Version  string
	Problems []string
}

func (e *DefinitionError) Error() string {
	v := e.Version
	if v == "" {
		v = "(no version)"
	}
	noun := "problems"
	if len(e.Problems) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("INDEX %s: %d %s in the definition:\n\t%s", v, len(e.Problems), noun,
		strings.Join(e.Problems, "\n\t"))
}

// validator collects problems.
type validator struct{ problems []string }

func (v *validator) add(place, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if place != "" {
		msg = place + ": " + msg
	}
	v.problems = append(v.problems, msg)
}

// bilingual checks that a text has both languages.
func (v *validator) bilingual(place, field string, t Text) {
	if strings.TrimSpace(t.EN) == "" {
		v.add(place, "%s has no English text", field)
	}
	if strings.TrimSpace(t.FR) == "" {
		v.add(place, "%s has no French text", field)
	}
}

func (v *validator) finite(place, field string, x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		v.add(place, "%s is not a finite number", field)
		return false
	}
	return true
}

// Validate checks a questionnaire definition and returns a *DefinitionError
// listing every problem found, or nil. It checks the structure (ids, both
// languages, answer types, scoring of every policy question, bands,
// demographic facts, 4 to 8 questions per area, core weights summing to 100)
// and, for the current version, the programme's present shape (at least 70
// policy questions, exactly the optional areas participation and interaction).
// Whether exactly one of the embedded versions is current is checked when
// they are loaded.
func (q *Questionnaire) Validate() error {
	v := &validator{}
	if strings.TrimSpace(q.Version) == "" {
		v.add("", "version is missing")
	}
	v.bilingual("", "title", q.Title)
	if _, err := time.Parse(time.DateOnly, q.Published); err != nil {
		v.add("", "published %q is not a date (YYYY-MM-DD)", q.Published)
	}

	seen := map[string]string{} // question id → place
	v.demographics(q.Demographics, seen)

	if len(q.Areas) == 0 {
		v.add("", "there are no areas")
	}
	areaSeen := map[string]string{}
	var coreWeight float64
	var core, policyQuestions int
	var optional []string
	for i := range q.Areas {
		a := &q.Areas[i]
		place := fmt.Sprintf("areas[%d] (%s)", i, a.ID)
		switch {
		case a.ID == "":
			place = fmt.Sprintf("areas[%d]", i)
			v.add(place, "id is missing")
		case !areaIDPattern.MatchString(a.ID):
			v.add(place, "id %q is not lowercase words joined by hyphens", a.ID)
		}
		if other, dup := areaSeen[a.ID]; dup && a.ID != "" {
			v.add(place, "duplicate area id %q (also %s)", a.ID, other)
		} else {
			areaSeen[a.ID] = fmt.Sprintf("areas[%d]", i)
		}
		v.bilingual(place, "title", a.Title)
		if v.finite(place, "weight", a.Weight) && a.Weight <= 0 {
			v.add(place, "weight %g must be more than 0", a.Weight)
		}
		if a.Optional {
			optional = append(optional, a.ID)
			if a.Lens {
				v.add(place, "an optional area cannot be a lens area")
			}
		} else {
			core++
			coreWeight += a.Weight
		}
		if n := len(a.Questions); n < MinAreaQuestions || n > MaxAreaQuestions {
			v.add(place, "has %d questions, want %d to %d", n, MinAreaQuestions, MaxAreaQuestions)
		}
		for j := range a.Questions {
			qu := &a.Questions[j]
			qplace := fmt.Sprintf("areas[%d].questions[%d] (%s)", i, j, qu.ID)
			v.question(qplace, qu, seen)
			v.policy(qplace, qu)
		}
		policyQuestions += len(a.Questions)
	}
	if core == 0 && len(q.Areas) > 0 {
		v.add("", "there are no core (non-optional) areas")
	}
	if math.Abs(coreWeight-CoreWeightTotal) > 1e-9 {
		v.add("", "core area weights sum to %g, want %d", coreWeight, CoreWeightTotal)
	}

	if q.Current {
		if policyQuestions < MinCurrentQuestions {
			v.add("", "the current version has %d policy questions, want at least %d", policyQuestions, MinCurrentQuestions)
		}
		got, want := slices.Sorted(slices.Values(optional)), slices.Sorted(slices.Values(currentOptionalAreas))
		if !slices.Equal(got, want) {
			v.add("", "the current version's optional areas are [%s], want exactly [%s]",
				strings.Join(optional, ", "), strings.Join(currentOptionalAreas, ", "))
		}
	}

	if len(v.problems) == 0 {
		return nil
	}
	return &DefinitionError{Version: q.Version, Problems: v.problems}
}

// demographics checks the unscored facts.
func (v *validator) demographics(ds []Question, seen map[string]string) {
	facts := map[string]string{}
	for i := range ds {
		d := &ds[i]
		place := fmt.Sprintf("demographics[%d] (%s)", i, d.ID)
		v.question(place, d, seen)
		if len(d.Options) > 0 || len(d.Bands) > 0 {
			v.add(place, "demographics are not scored: no options or bands")
		}
		if d.Type == Choice {
			v.add(place, "a demographic fact cannot be a choice")
		}
		switch {
		case d.Fact == "":
			v.add(place, "fact is missing (every demographic question records a fact)")
		case facts[d.Fact] != "":
			v.add(place, "duplicate fact %q (also %s)", d.Fact, facts[d.Fact])
		default:
			facts[d.Fact] = fmt.Sprintf("demographics[%d]", i)
			if want, ok := requiredFacts[d.Fact]; ok && d.Type != want {
				v.add(place, "fact %s must be recorded by a %s question, not %s", d.Fact, want, d.Type)
			}
		}
	}
	for _, f := range slices.Sorted(maps.Keys(requiredFacts)) {
		if facts[f] == "" {
			v.add("demographics", "no question records the fact %s", f)
		}
	}
}

// question checks what every question needs: an id, both languages, a known
// type and sane bounds.
func (v *validator) question(place string, q *Question, seen map[string]string) {
	switch {
	case q.ID == "":
		v.add(place, "id is missing")
	case !questionIDPattern.MatchString(q.ID):
		v.add(place, "id %q is not lowercase dotted words such as education.mixed-schools", q.ID)
	}
	if q.ID != "" {
		if other, dup := seen[q.ID]; dup {
			v.add(place, "duplicate question id %q (also %s)", q.ID, other)
		} else {
			seen[q.ID] = strings.SplitN(place, " ", 2)[0]
		}
	}
	v.bilingual(place, "text", q.Text)
	v.bilingual(place, "help", q.Help)
	switch q.Type {
	case Choice, FreeText:
		if q.Min != nil || q.Max != nil {
			v.add(place, "a %s question takes no min or max", q.Type)
		}
	case Percent:
		lo, hi := q.bounds()
		if v.finite(place, "min", lo) && v.finite(place, "max", hi) && (lo < 0 || hi > 100 || lo >= hi) {
			v.add(place, "percent bounds %g to %g must lie within 0 to 100, min below max", lo, hi)
		}
	case Number:
		switch {
		case q.Min == nil || q.Max == nil:
			v.add(place, "a number question needs both min and max")
		case v.finite(place, "min", *q.Min) && v.finite(place, "max", *q.Max) && *q.Min >= *q.Max:
			v.add(place, "min %g must be below max %g", *q.Min, *q.Max)
		}
	case "":
		v.add(place, "type is missing (choice, percent, number or text)")
	default:
		v.add(place, "unknown type %q (choice, percent, number or text)", q.Type)
	}
}

// policy checks that a question in an area is scored, and scored soundly.
func (v *validator) policy(place string, q *Question) {
	if q.Fact != "" {
		v.add(place, "only demographic questions record a fact (%s)", q.Fact)
	}
	switch q.Type {
	case Choice:
		if len(q.Bands) > 0 {
			v.add(place, "a choice question is scored by its options, not bands")
		}
		if n := len(q.Options); n < 2 {
			v.add(place, "has %d option(s), want at least 2", n)
		}
		ids := map[string]bool{}
		best := 0.0
		for k, o := range q.Options {
			name := fmt.Sprintf("option %q", o.ID)
			switch {
			case o.ID == "":
				name = fmt.Sprintf("options[%d]", k)
				v.add(place, "%s has no id", name)
			case !optionIDPattern.MatchString(o.ID):
				v.add(place, "%s: id is not lowercase words joined by hyphens", name)
			case ids[o.ID]:
				v.add(place, "duplicate option id %q", o.ID)
			}
			ids[o.ID] = true
			if strings.TrimSpace(o.Label.EN) == "" {
				v.add(place, "%s has no English label", name)
			}
			if strings.TrimSpace(o.Label.FR) == "" {
				v.add(place, "%s has no French label", name)
			}
			if v.finite(place, name+" points", o.Points) && o.Points < 0 {
				v.add(place, "%s has negative points (%g)", name, o.Points)
			}
			best = max(best, o.Points)
		}
		if len(q.Options) > 0 && !(best > 0) {
			v.add(place, "no option scores more than 0 points")
		}
	case Percent, Number:
		if len(q.Options) > 0 {
			v.add(place, "a %s question is scored by bands, not options", q.Type)
		}
		if len(q.Bands) == 0 {
			v.add(place, "a %s question in an area needs bands to be scored", q.Type)
			return
		}
		best := 0.0
		for k, b := range q.Bands {
			bplace := fmt.Sprintf("bands[%d]", k)
			v.finite(place, bplace+".upTo", b.UpTo)
			if v.finite(place, bplace+".points", b.Points) && b.Points < 0 {
				v.add(place, "%s has negative points (%g)", bplace, b.Points)
			}
			if k > 0 && !(b.UpTo > q.Bands[k-1].UpTo) {
				v.add(place, "%s.upTo %g is not above bands[%d].upTo %g (bands must ascend)", bplace, b.UpTo, k-1, q.Bands[k-1].UpTo)
			}
			best = max(best, b.Points)
		}
		if !(best > 0) {
			v.add(place, "no band scores more than 0 points")
		}
		if _, hi := q.bounds(); q.Bands[len(q.Bands)-1].UpTo < hi {
			v.add(place, "the last band ends at %g, below the highest answer %g", q.Bands[len(q.Bands)-1].UpTo, hi)
		}
	case FreeText:
		v.add(place, "a text question may only be a demographic fact: policy questions are scored")
	}
}
