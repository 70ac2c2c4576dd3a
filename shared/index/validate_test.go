package index

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// defQuestion finds a question of q by id, failing the test when it is missing.
func defQuestion(t *testing.T, q *Questionnaire, id string) *Question {
	t.Helper()
	qu, _, ok := q.Question(id)
	if !ok {
		t.Fatalf("no question %s in INDEX %s", id, q.Version)
	}
	return qu
}

func defArea(t *testing.T, q *Questionnaire, id string) *Area {
	t.Helper()
	a, ok := q.Area(id)
	if !ok {
		t.Fatalf("no area %s in INDEX %s", id, q.Version)
	}
	return a
}

// placeOf names where a question or an area sits in the current version, as
// Validate names it: "areas[1].questions[0] (education.mixed-schools)",
// "areas[6] (public-space)", "demographics[1] (demographics.foreign-born)".
func placeOf(id string) string {
	q := Current()
	for i, d := range q.Demographics {
		if d.ID == id {
			return fmt.Sprintf("demographics[%d] (%s)", i, id)
		}
	}
	for i, a := range q.Areas {
		if a.ID == id {
			return fmt.Sprintf("areas[%d] (%s)", i, id)
		}
		for j, qu := range a.Questions {
			if qu.ID == id {
				return fmt.Sprintf("areas[%d].questions[%d] (%s)", i, j, id)
			}
		}
	}
	panic("no " + id + " in the current version")
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, q *Questionnaire)
		want   []string
		exact  bool // the problems are exactly want, nothing else
	}{
		{
			name: "duplicate question id",
			mutate: func(t *testing.T, q *Questionnaire) {
				defQuestion(t, q, "education.staff-diversity").ID = "education.mixed-schools"
			},
			want: []string{strings.Replace(placeOf("education.staff-diversity"), "education.staff-diversity", "education.mixed-schools", 1) +
				`: duplicate question id "education.mixed-schools" (also ` + strings.Fields(placeOf("education.mixed-schools"))[0] + ")"},
			exact: true,
		},
		{
			name: "duplicate id between a demographic and a policy question",
			mutate: func(t *testing.T, q *Questionnaire) {
				defQuestion(t, q, "interaction.youth").ID = "demographics.population"
			},
			want: []string{`duplicate question id "demographics.population" (also demographics[0])`},
		},
		{
			name:   "missing French text",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "mediation.interfaith").Text.FR = "  " },
			want:   []string{placeOf("mediation.interfaith") + ": text has no French text"},
			exact:  true,
		},
		{
			name:   "missing English help",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "demographics.origin-groups").Help.EN = "" },
			want:   []string{placeOf("demographics.origin-groups") + ": help has no English text"},
			exact:  true,
		},
		{
			name:   "option without a French label",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "education.parents").Options[1].Label.FR = "" },
			want:   []string{placeOf("education.parents") + `: option "partly" has no French label`},
			exact:  true,
		},
		{
			name:   "option with negative points",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "commitment.statement").Options[2].Points = -1 },
			want:   []string{placeOf("commitment.statement") + `: option "no" has negative points (-1)`},
			exact:  true,
		},
		{
			name: "no option scores",
			mutate: func(t *testing.T, q *Questionnaire) {
				for i := range defQuestion(t, q, "media.journalists").Options {
					defQuestion(t, q, "media.journalists").Options[i].Points = 0
				}
			},
			want:  []string{placeOf("media.journalists") + ": no option scores more than 0 points"},
			exact: true,
		},
		{
			name: "option points not a number",
			mutate: func(t *testing.T, q *Questionnaire) {
				defQuestion(t, q, "media.journalists").Options[0].Points = math.NaN()
			},
			want: []string{placeOf("media.journalists") + `: option "yes" points is not a finite number`},
		},
		{
			name: "duplicate option id",
			mutate: func(t *testing.T, q *Questionnaire) {
				defQuestion(t, q, "welcoming.package").Options[1].ID = "yes"
			},
			want: []string{placeOf("welcoming.package") + `: duplicate option id "yes"`},
		},
		{
			name:   "core weights summing to 99",
			mutate: func(t *testing.T, q *Questionnaire) { defArea(t, q, "commitment").Weight = 9 },
			want:   []string{"core area weights sum to 99, want 100"},
			exact:  true,
		},
		{
			name:   "optional area without weight",
			mutate: func(t *testing.T, q *Questionnaire) { defArea(t, q, "interaction").Weight = 0 },
			want:   []string{placeOf("interaction") + ": weight 0 must be more than 0"},
			exact:  true,
		},
		{
			name:   "lens area marked optional",
			mutate: func(t *testing.T, q *Questionnaire) { defArea(t, q, "education").Optional = true },
			want: []string{placeOf("education") + ": an optional area cannot be a lens area",
				"core area weights sum to 93, want 100",
				"the current version's optional areas are [education, participation, interaction], want exactly [participation, interaction]"},
			exact: true,
		},
		{
			name: "current version without its optional areas",
			mutate: func(t *testing.T, q *Questionnaire) {
				defArea(t, q, "interaction").Optional = false
			},
			want: []string{"core area weights sum to 106, want 100",
				"the current version's optional areas are [participation], want exactly [participation, interaction]"},
			exact: true,
		},
		{
			name: "choice with one option",
			mutate: func(t *testing.T, q *Questionnaire) {
				qu := defQuestion(t, q, "language.recognition")
				qu.Options = qu.Options[:1]
			},
			want:  []string{placeOf("language.recognition") + ": has 1 option(s), want at least 2"},
			exact: true,
		},
		{
			name:   "bands not ascending",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "education.mixed-schools").Bands[2].UpTo = 40 },
			want: []string{placeOf("education.mixed-schools") +
				": bands[2].upTo 40 is not above bands[1].upTo 50 (bands must ascend)"},
			exact: true,
		},
		{
			name:   "last band short of the maximum",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "mediation.staff").Bands[3].UpTo = 500 },
			want:   []string{placeOf("mediation.staff") + ": the last band ends at 500, below the highest answer 1000"},
			exact:  true,
		},
		{
			name:   "percent question without bands",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "leadership.elected-diversity").Bands = nil },
			want:   []string{placeOf("leadership.elected-diversity") + ": a percent question in an area needs bands to be scored"},
			exact:  true,
		},
		{
			name: "band with negative points",
			mutate: func(t *testing.T, q *Questionnaire) {
				defQuestion(t, q, "intelligence.staff-trained").Bands[0].Points = -2
			},
			want:  []string{placeOf("intelligence.staff-trained") + ": bands[0] has negative points (-2)"},
			exact: true,
		},
		{
			name: "number question with min not below max",
			mutate: func(t *testing.T, q *Questionnaire) {
				qu := defQuestion(t, q, "international.partnerships")
				lo := 500.0
				qu.Min = &lo
			},
			want:  []string{placeOf("international.partnerships") + ": min 500 must be below max 500"},
			exact: true,
		},
		{
			name:   "number question without max",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "demographics.population").Max = nil },
			want:   []string{placeOf("demographics.population") + ": a number question needs both min and max"},
			exact:  true,
		},
		{
			name: "text question inside an area",
			mutate: func(t *testing.T, q *Questionnaire) {
				qu := defQuestion(t, q, "language.recognition")
				qu.Type, qu.Options = FreeText, nil
			},
			want:  []string{placeOf("language.recognition") + ": a text question may only be a demographic fact: policy questions are scored"},
			exact: true,
		},
		{
			name:   "unknown answer type",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "media.strategy").Type = "yesno" },
			want:   []string{placeOf("media.strategy") + `: unknown type "yesno" (choice, percent, number or text)`},
		},
		{
			name: "area with 3 questions",
			mutate: func(t *testing.T, q *Questionnaire) {
				a := defArea(t, q, "public-space")
				a.Questions = a.Questions[:3]
			},
			want:  []string{placeOf("public-space") + ": has 3 questions, want 4 to 8"},
			exact: true,
		},
		{
			name: "area with 9 questions",
			mutate: func(t *testing.T, q *Questionnaire) {
				a := defArea(t, q, "commitment")
				for i := range 3 {
					extra := a.Questions[0]
					extra.ID = fmt.Sprintf("commitment.extra-%d", i)
					a.Questions = append(a.Questions, extra)
				}
			},
			want:  []string{placeOf("commitment") + ": has 9 questions, want 4 to 8"},
			exact: true,
		},
		{
			name:   "duplicate area id",
			mutate: func(t *testing.T, q *Questionnaire) { defArea(t, q, "interaction").ID = "participation" },
			want: []string{strings.Replace(placeOf("interaction"), "interaction", "participation", 1) +
				`: duplicate area id "participation" (also ` + strings.Fields(placeOf("participation"))[0] + ")"},
		},
		{
			name:   "area id not lowercase",
			mutate: func(t *testing.T, q *Questionnaire) { defArea(t, q, "media").ID = "Media" },
			want:   []string{`areas[9] (Media): id "Media" is not lowercase words joined by hyphens`},
			exact:  true,
		},
		{
			name:   "question id not dotted",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "media.strategy").ID = "MediaStrategy" },
			want:   []string{`(MediaStrategy): id "MediaStrategy" is not lowercase dotted words`},
			exact:  true,
		},
		{
			name:   "fact on a policy question",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "welcoming.agency").Fact = "population" },
			want:   []string{placeOf("welcoming.agency") + ": only demographic questions record a fact (population)"},
			exact:  true,
		},
		{
			name: "scored demographic",
			mutate: func(t *testing.T, q *Questionnaire) {
				defQuestion(t, q, "demographics.foreign-born").Bands = []Band{{UpTo: 100, Points: 1}}
			},
			want:  []string{placeOf("demographics.foreign-born") + ": demographics are not scored: no options or bands"},
			exact: true,
		},
		{
			name: "required fact missing",
			mutate: func(t *testing.T, q *Questionnaire) {
				q.Demographics = append(q.Demographics[:3:3], q.Demographics[4:]...)
			},
			want:  []string{"demographics: no question records the fact nationalMinorityShare"},
			exact: true,
		},
		{
			name:   "fact recorded by the wrong type",
			mutate: func(t *testing.T, q *Questionnaire) { defQuestion(t, q, "demographics.foreign-born").Type = Number },
			want:   []string{placeOf("demographics.foreign-born") + ": fact foreignBornShare must be recorded by a percent question, not number"},
		},
		{
			name: "current version with too few questions",
			mutate: func(t *testing.T, q *Questionnaire) {
				for i := range q.Areas {
					q.Areas[i].Questions = q.Areas[i].Questions[:4]
				}
			},
			want:  []string{"the current version has 68 policy questions, want at least 70"},
			exact: true,
		},
		{
			name: "no version, no French title, bad date",
			mutate: func(t *testing.T, q *Questionnaire) {
				q.Version, q.Title.FR, q.Published = "", "", "1 June 2019"
			},
			want:  []string{"version is missing", "title has no French text", `published "1 June 2019" is not a date (YYYY-MM-DD)`},
			exact: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := Current().Clone()
			tt.mutate(t, q)
			err := q.Validate()
			if err == nil {
				t.Fatal("Validate accepted the broken definition")
			}
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("error %T, want *DefinitionError", err)
			}
			for _, w := range tt.want {
				if !containsProblem(de.Problems, w) {
					t.Errorf("no problem containing\n\t%s\nin\n\t%s", w, strings.Join(de.Problems, "\n\t"))
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the message does not contain %q", w)
				}
			}
			if tt.exact && len(de.Problems) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n\t%s", len(de.Problems), len(tt.want), strings.Join(de.Problems, "\n\t"))
			}
		})
	}
	if err := Current().Validate(); err != nil {
		t.Fatalf("a test modified the shared definition: %v", err)
	}
}

func containsProblem(problems []string, want string) bool {
	for _, p := range problems {
		if strings.Contains(p, want) {
			return true
		}
	}
	return false
}

// TestValidateReportsEverything: unrelated problems are all reported in one go.
func TestValidateReportsEverything(t *testing.T) {
	q := Current().Clone()
	defQuestion(t, q, "mediation.interfaith").Text.FR = ""
	defQuestion(t, q, "education.mixed-schools").Bands[2].UpTo = 40
	a := defArea(t, q, "public-space")
	a.Questions = a.Questions[:3]
	err := q.Validate()
	var de *DefinitionError
	if !errors.As(err, &de) || len(de.Problems) != 3 || de.Version != "2019" {
		t.Fatalf("want 3 problems, got %v", err)
	}
	if !strings.HasPrefix(err.Error(), "INDEX 2019: 3 problems in the definition:\n\t") {
		t.Errorf("message %q", err.Error())
	}
}

func TestValidateEmpty(t *testing.T) {
	err := (&Questionnaire{}).Validate()
	var de *DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("an empty questionnaire validates: %v", err)
	}
	for _, w := range []string{"version is missing", "title has no English text", "there are no areas",
		"demographics: no question records the fact population", "core area weights sum to 0, want 100"} {
		if !containsProblem(de.Problems, w) {
			t.Errorf("missing %q in %v", w, de.Problems)
		}
	}
}
