// Package index holds the Intercultural Cities INDEX: the versioned
// questionnaire (data embedded in the binary), the validation of answers
// against a version, and the scoring and comparison of a city's answers.
package index

import (
	"fmt"
)

// Text is a text in the programme's two working languages.
type Text struct {
	EN string `yaml:"en" json:"en"`
	FR string `yaml:"fr" json:"fr"`
}

// In returns the text in lang ("en" or "fr"), English by default.
func (t Text) In(lang string) string {
	if lang == "fr" {
		return t.FR
	}
	return t.EN
}

// QuestionType says what kind of answer a question takes.
type QuestionType string

// The answer types.
const (
	// Choice: one option id from Options (yes/partly/no, graded options,
	// percentage bands given as options).
	Choice QuestionType = "choice"
	// Percent: a number from 0 to 100, scored by Bands.
	Percent QuestionType = "percent"
	// Number: a number from Min to Max, scored by Bands when it has any.
	Number QuestionType = "number"
	// Text: free text, never scored (demographic facts such as main origin groups).
	FreeText QuestionType = "text"
)

// Option is one possible answer to a choice question.
type Option struct {
	ID     string  `yaml:"id" json:"id"`
	Label  Text    `yaml:"label" json:"label"`
	Points float64 `yaml:"points" json:"points"`
}

// Band scores a numeric answer: the first band whose UpTo is at least the
// answer gives its points.
type Band struct {
	UpTo   float64 `yaml:"upTo" json:"upTo"`
	Points float64 `yaml:"points" json:"points"`
}

// Question is one question of the questionnaire.
type Question struct {
	ID       string       `yaml:"id" json:"id"`
	Type     QuestionType `yaml:"type" json:"type"`
	Text     Text         `yaml:"text" json:"text"`
	Help     Text         `yaml:"help" json:"help"` // a short example of what counts
	Options  []Option     `yaml:"options,omitempty" json:"options,omitempty"`
	Bands    []Band       `yaml:"bands,omitempty" json:"bands,omitempty"`
	Min      *float64     `yaml:"min,omitempty" json:"min,omitempty"`
	Max      *float64     `yaml:"max,omitempty" json:"max,omitempty"`
	Unit     string       `yaml:"unit,omitempty" json:"unit,omitempty"`
	Evidence bool         `yaml:"evidence" json:"evidence"` // a free-text evidence field is offered
	// Fact names the demographic fact a question records (population,
	// foreignBornShare...), which drives the comparison groups.
	Fact string `yaml:"fact,omitempty" json:"fact,omitempty"`
}

// MaxPoints is the most a question can score.
func (q Question) MaxPoints() float64 {
	best := 0.0
	for _, o := range q.Options {
		best = max(best, o.Points)
	}
	for _, b := range q.Bands {
		best = max(best, b.Points)
	}
	return best
}

// Scored reports whether the question counts towards its area's score.
func (q Question) Scored() bool { return q.MaxPoints() > 0 }

// Area is a policy area (an "indicator" of the index).
type Area struct {
	ID        string     `yaml:"id" json:"id"`
	Title     Text       `yaml:"title" json:"title"`
	Weight    float64    `yaml:"weight" json:"weight"`
	Optional  bool       `yaml:"optional" json:"optional"`
	Lens      bool       `yaml:"lens" json:"lens"` // part of "the city through an intercultural lens"
	Questions []Question `yaml:"questions" json:"questions"`
}

// Questionnaire is one version of the INDEX.
type Questionnaire struct {
	Version      string     `yaml:"version" json:"version"`
	Title        Text       `yaml:"title" json:"title"`
	Published    string     `yaml:"published" json:"published"` // YYYY-MM-DD
	Current      bool       `yaml:"current" json:"current"`
	Demographics []Question `yaml:"demographics" json:"demographics"`
	Areas        []Area     `yaml:"areas" json:"areas"`

	byID map[string]questionRef // set on the embedded, immutable versions
}

// questionRef locates a question: area −1 for demographics.
type questionRef struct{ area, question int }

// indexQuestions builds the id lookup of a version that will not change.
func (q *Questionnaire) indexQuestions() {
	q.byID = make(map[string]questionRef, q.QuestionCount())
	for i := range q.Demographics {
		q.byID[q.Demographics[i].ID] = questionRef{-1, i}
	}
	for a := range q.Areas {
		for i := range q.Areas[a].Questions {
			q.byID[q.Areas[a].Questions[i].ID] = questionRef{a, i}
		}
	}
}

// Question finds a question by id, with its area (nil for demographics).
func (q *Questionnaire) Question(id string) (*Question, *Area, bool) {
	if q.byID != nil {
		r, ok := q.byID[id]
		switch {
		case !ok:
			return nil, nil, false
		case r.area < 0:
			return &q.Demographics[r.question], nil, true
		}
		return &q.Areas[r.area].Questions[r.question], &q.Areas[r.area], true
	}
	for i := range q.Demographics {
		if q.Demographics[i].ID == id {
			return &q.Demographics[i], nil, true
		}
	}
	for a := range q.Areas {
		for i := range q.Areas[a].Questions {
			if q.Areas[a].Questions[i].ID == id {
				return &q.Areas[a].Questions[i], &q.Areas[a], true
			}
		}
	}
	return nil, nil, false
}

// Area finds an area by id.
func (q *Questionnaire) Area(id string) (*Area, bool) {
	for i := range q.Areas {
		if q.Areas[i].ID == id {
			return &q.Areas[i], true
		}
	}
	return nil, false
}

// QuestionCount counts every question, demographics included.
func (q *Questionnaire) QuestionCount() int {
	n := len(q.Demographics)
	for _, a := range q.Areas {
		n += len(a.Questions)
	}
	return n
}

func (q *Questionnaire) String() string { return fmt.Sprintf("INDEX %s", q.Version) }
