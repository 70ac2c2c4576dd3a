package index

import "fmt"

// QuestionnaireView is a version as cities see it, in one language. Points
// and bands stay private: the programme does not publish them.
type QuestionnaireView struct {
	Version      string         `json:"version"`
	Lang         string         `json:"lang"`
	Title        string         `json:"title"`
	Published    string         `json:"published"`
	Current      bool           `json:"current"`
	Demographics []QuestionView `json:"demographics"`
	Areas        []AreaView     `json:"areas"`
}

// AreaView is an area in one language.
type AreaView struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Weight    float64        `json:"weight"`
	Optional  bool           `json:"optional"`
	Lens      bool           `json:"lens"`
	Questions []QuestionView `json:"questions"`
}

// QuestionView is a question in one language.
type QuestionView struct {
	ID       string       `json:"id"`
	Type     QuestionType `json:"type"`
	Text     string       `json:"text"`
	Help     string       `json:"help"`
	Options  []OptionView `json:"options,omitempty"`
	Min      *float64     `json:"min,omitempty"`
	Max      *float64     `json:"max,omitempty"`
	Unit     string       `json:"unit,omitempty"`
	Evidence bool         `json:"evidence"`
	Fact     string       `json:"fact,omitempty"`
}

// OptionView is an option in one language.
type OptionView struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// View renders q in lang.
func View(q *Questionnaire, lang string) QuestionnaireView {
	v := QuestionnaireView{Version: q.Version, Lang: lang, Title: q.Title.In(lang), Published: q.Published, Current: q.Current,
		Demographics: questionViews(q.Demographics, lang), Areas: make([]AreaView, 0, len(q.Areas))}
	for _, a := range q.Areas {
		v.Areas = append(v.Areas, AreaView{ID: a.ID, Title: a.Title.In(lang), Weight: a.Weight, Optional: a.Optional,
			Lens: a.Lens, Questions: questionViews(a.Questions, lang)})
	}
	return v
}

func questionViews(qs []Question, lang string) []QuestionView {
	out := make([]QuestionView, 0, len(qs))
	for _, q := range qs {
		qv := QuestionView{ID: q.ID, Type: q.Type, Text: q.Text.In(lang), Help: q.Help.In(lang), Unit: q.Unit,
			Evidence: q.Evidence, Fact: q.Fact}
		if q.Type == Percent || q.Type == Number {
			lo, hi := q.bounds()
			qv.Min, qv.Max = &lo, &hi
		}
		for _, o := range q.Options {
			qv.Options = append(qv.Options, OptionView{ID: o.ID, Label: o.Label.In(lang)})
		}
		out = append(out, qv)
	}
	return out
}

// SubmissionSchema derives the JSON Schema (2020-12) of a complete
// submission of q: each answer's shape per question, and every required
// question present. That an optional area is answered whole or not at all is
// stated in the description; the API checks it.
func SubmissionSchema(q *Questionnaire) map[string]any {
	var shapes []any
	var required []any
	addRequired := func(id string) {
		required = append(required, map[string]any{
			"contains": map[string]any{"properties": map[string]any{"question": map[string]any{"const": id}}, "required": []string{"question"}},
		})
	}
	all := append([]Question(nil), q.Demographics...)
	for _, d := range q.Demographics {
		addRequired(d.ID)
	}
	for _, a := range q.Areas {
		all = append(all, a.Questions...)
		if !a.Optional {
			for _, qu := range a.Questions {
				addRequired(qu.ID)
			}
		}
	}
	for _, qu := range all {
		props := map[string]any{"question": map[string]any{"const": qu.ID}}
		req := []string{"question"}
		switch qu.Type {
		case Choice:
			ids := make([]string, len(qu.Options))
			for i, o := range qu.Options {
				ids[i] = o.ID
			}
			props["option"] = map[string]any{"enum": ids}
			req = append(req, "option")
		case Percent, Number:
			lo, hi := qu.bounds()
			props["value"] = map[string]any{"type": "number", "minimum": lo, "maximum": hi}
			req = append(req, "value")
		case FreeText:
			props["text"] = map[string]any{"type": "string", "minLength": 1, "maxLength": MaxText}
			req = append(req, "text")
		}
		if qu.Evidence {
			props["evidence"] = map[string]any{"type": "string", "maxLength": MaxEvidence}
		}
		shapes = append(shapes, map[string]any{"type": "object", "additionalProperties": false,
			"properties": props, "required": req})
	}
	return map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     fmt.Sprintf("/questionnaire/%s/schema", q.Version),
		"title":   fmt.Sprintf("A complete submission of the Intercultural Cities INDEX %s", q.Version),
		"description": "Every demographic and core question answered once; an optional area (" + optionalIDs(q) +
			") answered either completely or not at all.",
		"type": "object", "additionalProperties": false, "required": []string{"version", "answers"},
		"properties": map[string]any{
			"version": map[string]any{"const": q.Version},
			"answers": map[string]any{"type": "array", "maxItems": MaxAnswers, "items": map[string]any{"oneOf": shapes},
				"allOf": required},
		},
	}
}

func optionalIDs(q *Questionnaire) string {
	s := ""
	for _, a := range q.Areas {
		if a.Optional {
			if s != "" {
				s += ", "
			}
			s += a.ID
		}
	}
	if s == "" {
		return "none in this version"
	}
	return s
}
