package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/index"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func build(t testing.TB, in Input) Model {
	t.Helper()
	m, err := Build(in)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return m
}

// TestModelMatchesTheGoldenFiles builds each fixture and compares the model
// with testdata/<fixture>.golden.json: any change in the wording, the
// recommendations, the practices chosen or the numbers shows up here. Run
// with -update to accept a deliberate change.
func TestModelMatchesTheGoldenFiles(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			got, err := json.MarshalIndent(build(t, fx.input()), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", fx.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("the model of %s changed (run with -update to accept):\n%s", fx.name, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + g[i] + "\nwant: " + w[i]
		}
	}
	return "lengths differ: " + strconv.Itoa(len(g)) + " and " + strconv.Itoa(len(w)) + " lines"
}

// TestModelFollowsTheSubmission checks, for every fixture, what the report
// must say whatever the numbers: the chapters, the findings and the
// recommendations drawn from the answers, the practices chosen.
func TestModelFollowsTheSubmission(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			in := fx.input()
			m := build(t, in)
			q, _ := index.Lookup(in.Submission.Version)
			lang := string(i18n.Parse(in.City.Language))
			if m.Schema != SchemaVersion || m.CityID != in.City.ID || !strings.Contains(m.Title, in.City.Name) {
				t.Fatalf("header: schema %d, city %q, title %q", m.Schema, m.CityID, m.Title)
			}
			if len(m.Areas) != len(q.Areas) {
				t.Fatalf("%d area chapters, want %d", len(m.Areas), len(q.Areas))
			}
			answers := map[string]index.Answer{}
			for _, a := range in.Submission.Answers {
				answers[a.Question] = a
			}
			scores := areaScores(*in.Submission.Result)
			for i, a := range m.Areas {
				def := q.Areas[i]
				if a.ID != def.ID || a.Title != def.Title.In(lang) {
					t.Fatalf("chapter %d is %s %q, want %s in the questionnaire's order", i, a.ID, a.Title, def.ID)
				}
				score, answered := scores[a.ID]
				if a.Answered != answered || a.Score != score.Score {
					t.Errorf("%s: answered %v score %v, want %v %v", a.ID, a.Answered, a.Score, answered, score.Score)
				}
				checkFindings(t, a, def, answers, score.MaxPoints, lang)
				if len(a.Practices) > DefaultPractices {
					t.Errorf("%s: %d practices", a.ID, len(a.Practices))
				}
				for _, p := range a.Practices {
					c := findCandidate(in.Practices, p.ID)
					switch {
					case c == nil:
						t.Errorf("%s: practice %s is not a candidate", a.ID, p.ID)
					case c.Practice.CityID == in.City.ID || !c.Practice.Published || c.Practice.Area != a.ID:
						t.Errorf("%s: practice %s should not be chosen: %+v", a.ID, p.ID, c.Practice)
					}
				}
				if len(in.Practices) == 0 && len(a.Practices) != 0 {
					t.Errorf("%s: practices without candidates", a.ID)
				}
			}
			for i, s := range m.Overall.Standings {
				want := in.Submission.Standings[i]
				if s.Rank != want.Rank || s.Of != want.Of || s.Percentile != want.Percentile || s.Key != want.Group.Key {
					t.Errorf("standing %s: %+v, the submission says %+v", s.Kind, s, want)
				}
			}
			// The model survives its JSON: what is stored renders the same.
			raw, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var back Model
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatal("the model changes through JSON")
			}
		})
	}
}

// checkFindings: each scored answer is listed once, in place when it earned
// points and missing when not, and each answer short of full points yields
// its question's advice, the largest gain first.
func checkFindings(t *testing.T, a AreaSection, def index.Area, answers map[string]index.Answer, areaMax float64, lang string) {
	t.Helper()
	if !a.Answered {
		if len(a.InPlace)+len(a.Missing)+len(a.Recommendations) != 0 {
			t.Errorf("%s: findings for an area not answered", a.ID)
		}
		return
	}
	listed := map[string]Finding{}
	for _, f := range a.InPlace {
		if f.Points <= 0 {
			t.Errorf("%s: %s is in place with %v points", a.ID, f.Question, f.Points)
		}
		listed[f.Question] = f
	}
	for _, f := range a.Missing {
		if f.Points != 0 || f.Level != LevelNone {
			t.Errorf("%s: %s is missing with %v points (%s)", a.ID, f.Question, f.Points, f.Level)
		}
		listed[f.Question] = f
	}
	var wantRecs []string
	for _, qu := range def.Questions {
		if _, ok := answers[qu.ID]; !ok || !qu.Scored() {
			continue
		}
		f, ok := listed[qu.ID]
		if !ok {
			t.Errorf("%s: %s is neither in place nor missing", a.ID, qu.ID)
			continue
		}
		adv, _ := AdviceFor(qu.ID)
		if f.Topic != words(i18n.Lang(lang)).typeset(adv.Topic.In(lang)) || f.MaxPoints != qu.MaxPoints() {
			t.Errorf("%s: finding %+v", a.ID, f)
		}
		if f.Points < f.MaxPoints {
			wantRecs = append(wantRecs, qu.ID)
		}
	}
	if len(listed) != len(wantRecs)+countFull(listed) {
		t.Errorf("%s: %d findings listed", a.ID, len(listed))
	}
	var gotRecs []string
	for i, r := range a.Recommendations {
		gotRecs = append(gotRecs, r.Question)
		f := listed[r.Question]
		adv, _ := AdviceFor(r.Question)
		if r.Text != words(i18n.Lang(lang)).typeset(adv.Advice.In(lang)) {
			t.Errorf("%s: recommendation for %s reads %q", a.ID, r.Question, r.Text)
		}
		if want := index.Round1((f.MaxPoints - f.Points) / areaMax * 100); r.Gain != want {
			t.Errorf("%s: gain of %s is %v, want %v", a.ID, r.Question, r.Gain, want)
		}
		if i > 0 && r.Gain > a.Recommendations[i-1].Gain {
			t.Errorf("%s: recommendations not ordered by gain", a.ID)
		}
	}
	slices.Sort(gotRecs)
	slices.Sort(wantRecs)
	if !slices.Equal(gotRecs, wantRecs) {
		t.Errorf("%s: recommendations for %v, want %v", a.ID, gotRecs, wantRecs)
	}
}

func countFull(fs map[string]Finding) int {
	n := 0
	for _, f := range fs {
		if f.Points >= f.MaxPoints {
			n++
		}
	}
	return n
}

func findCandidate(cs []Candidate, id string) *Candidate {
	for i := range cs {
		if cs[i].Practice.ID == id {
			return &cs[i]
		}
	}
	return nil
}

func TestFrenchReportIsWrittenAndFormattedInFrench(t *testing.T) {
	m := build(t, fixtureFrench())
	if m.Lang != i18n.French || !strings.HasPrefix(m.Title, "Villefranche-des-Écrins\u00a0: résultats de l'INDEX") {
		t.Fatalf("title %q in %s", m.Title, m.Lang)
	}
	agg := i18n.French.Percent(m.Overall.Aggregate) // "68,8 %"
	if !strings.Contains(agg, ",") || !strings.Contains(m.Overall.Paragraphs[0], "L'indice agrégé de Villefranche-des-Écrins est de "+agg) {
		t.Fatalf("first paragraph %q should quote %q", m.Overall.Paragraphs[0], agg)
	}
	all := strings.Join(append(append(m.Method, m.Overall.Paragraphs...), m.Progress.Paragraphs...), " ")
	for _, a := range m.Areas {
		all += " " + a.Summary
	}
	if strings.Contains(all, ".0%") || strings.Contains(all, " of ") {
		t.Error("English formats or words in the French report")
	}
	if !strings.Contains(m.Progress.Paragraphs[0], "1er mars 2025") {
		t.Errorf("progress should date the previous assessment in French: %q", m.Progress.Paragraphs[0])
	}
	if m.Overall.Standings[0].Group != "Villes de l'échantillon" || !strings.Contains(m.Overall.Paragraphs[1], "sur") {
		t.Errorf("standings worded %q / %q", m.Overall.Standings[0].Group, m.Overall.Paragraphs[1])
	}
	// A text written only in English is given in English, marked as such;
	// the French comment keeps its two paragraphs.
	if m.Introduction == nil || m.Introduction.Lang != i18n.English {
		t.Errorf("introduction %+v", m.Introduction)
	}
	lang := m.Areas[slices.IndexFunc(m.Areas, func(a AreaSection) bool { return a.ID == "language" })]
	if lang.Commentary == nil || lang.Commentary.Lang != i18n.French || len(lang.Commentary.Paragraphs) != 2 {
		t.Errorf("area comment %+v", lang.Commentary)
	}
}

// TestProgressWithinOneVersionComparesThePublishedScores: the same
// questionnaire twice compares the results as they were published; an
// optional area answered only once is left out, with the reason.
func TestProgressWithinOneVersionComparesThePublishedScores(t *testing.T) {
	in := fixtureFrench()
	p := build(t, in).Progress
	if p == nil || p.VersionChanged {
		t.Fatalf("progress %+v", p)
	}
	before, after := areaScores(*in.Previous.Result), areaScores(*in.Submission.Result)
	if p.Aggregate == nil || p.Aggregate.Before != in.Previous.Result.Aggregate || p.Aggregate.After != in.Submission.Result.Aggregate {
		t.Fatalf("aggregate %+v", p.Aggregate)
	}
	for _, c := range p.Areas {
		if c.Before != before[c.Area].Score || c.After != after[c.Area].Score || c.Delta != index.Round1(c.After-c.Before) || c.Partial {
			t.Errorf("%s: %+v, published %v → %v", c.Area, c, before[c.Area].Score, after[c.Area].Score)
		}
	}
	var excluded []string
	for _, e := range p.Excluded {
		excluded = append(excluded, e.Area)
		if e.Question != "" || e.Reason != french.exclOptional {
			t.Errorf("exclusion %+v", e)
		}
	}
	if !slices.Equal(excluded, []string{"participation", "interaction"}) {
		t.Errorf("excluded %v, want the optional areas answered only the first time", excluded)
	}
}

// TestProgressAcrossVersionsComparesOnlyWhatBothAsk: from INDEX 2017 to
// 2019, exactly the questions asked (and scored alike) in both count; the
// others and the areas 2017 lacks are listed as left out, and an area whose
// questions did not change compares its published scores.
func TestProgressAcrossVersionsComparesOnlyWhatBothAsk(t *testing.T) {
	in := fixtureFull()
	p := build(t, in).Progress
	if p == nil || !p.VersionChanged || p.PreviousVersion != "2017" {
		t.Fatalf("progress %+v", p)
	}
	old, _ := index.Lookup("2017")
	cur := index.Current()
	wantOut := map[string]bool{}
	unchanged := map[string]bool{}
	for _, a := range cur.Areas {
		o, ok := old.Area(a.ID)
		if !ok {
			wantOut[a.ID] = true
			continue
		}
		same := len(a.Questions) == len(o.Questions)
		for _, qu := range a.Questions {
			if w := findQuestion(o, qu.ID); w == nil || !sameScoring(&qu, w) {
				wantOut[qu.ID], same = true, false
			}
		}
		for _, qu := range o.Questions {
			if findQuestion(&a, qu.ID) == nil {
				wantOut[qu.ID] = true
			}
		}
		unchanged[a.ID] = same
	}
	gotOut := map[string]bool{}
	for _, e := range p.Excluded {
		gotOut[cmpOr(e.Question, e.Area)] = true
	}
	if !reflect.DeepEqual(gotOut, wantOut) {
		t.Fatalf("left out %v, want %v", keys(gotOut), keys(wantOut))
	}
	before, after := areaScores(*in.Previous.Result), areaScores(*in.Submission.Result)
	compared := 0
	for _, c := range p.Areas {
		if c.Partial == unchanged[c.Area] {
			t.Errorf("%s: partial %v, but unchanged %v", c.Area, c.Partial, unchanged[c.Area])
		}
		if unchanged[c.Area] && (c.Before != before[c.Area].Score || c.After != after[c.Area].Score) {
			t.Errorf("%s: %v → %v, published %v → %v", c.Area, c.Before, c.After, before[c.Area].Score, after[c.Area].Score)
		}
		compared++
	}
	if compared != len(old.Areas) || p.Aggregate == nil {
		t.Errorf("%d areas compared, want the %d of INDEX 2017; aggregate %+v", compared, len(old.Areas), p.Aggregate)
	}
	if !strings.Contains(p.Paragraphs[0], "INDEX 2017, now INDEX 2019") {
		t.Errorf("the version change is not explained: %q", p.Paragraphs[0])
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestBuildRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(*Input)
		kind    failure.Kind
		pointer string
	}{
		{"submission not scored", func(in *Input) { in.Submission.Result = nil }, failure.Conflict, ""},
		{"unknown version", func(in *Input) { in.Submission.Version = "1999"; in.Questionnaire = nil }, failure.Invalid, "/submission/version"},
		{"another version's questionnaire", func(in *Input) { in.Questionnaire, _ = index.Lookup("2017") }, failure.Invalid, "/questionnaire"},
		{"no city name", func(in *Input) { in.City.Name = " " }, failure.Invalid, "/city/name"},
		{"no date", func(in *Input) { in.GeneratedAt = time.Time{} }, failure.Invalid, "/generatedAt"},
		{"introduction too long", func(in *Input) { in.Commentary.Introduction.FR = strings.Repeat("é", MaxIntroduction+1) },
			failure.Invalid, "/commentary/introduction/fr"},
		{"comment on an unknown area", func(in *Input) { in.Commentary.Areas["housing/x"] = index.Text{EN: "x"} },
			failure.Invalid, "/commentary/areas/housing~1x"},
		{"area comment too long", func(in *Input) { in.Commentary.Areas["media"] = index.Text{EN: strings.Repeat("a", MaxAreaComment+1)} },
			failure.Invalid, "/commentary/areas/media/en"},
		{"control characters", func(in *Input) { in.Commentary.Introduction.EN = "a\x00b" }, failure.Invalid, "/commentary/introduction/en"},
		{"previous not scored", func(in *Input) { in.Previous.Result = nil }, failure.Invalid, "/previous"},
		{"previous is later", func(in *Input) { in.Previous.SubmittedAt = in.Submission.SubmittedAt.AddDate(0, 0, 1) }, failure.Invalid, "/previous"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := fixtureFull()
			tc.change(&in)
			_, err := Build(in)
			f := failure.As(err)
			if f == nil || f.Kind != tc.kind {
				t.Fatalf("got %v, want a failure of kind %d", err, tc.kind)
			}
			if tc.pointer != "" && (len(f.Fields) != 1 || f.Fields[0].Pointer != tc.pointer) {
				t.Fatalf("fields %+v, want %s", f.Fields, tc.pointer)
			}
		})
	}
}

func TestStandingsAreComputedWhenTheSubmissionHasNone(t *testing.T) {
	in := fixtureFirst()
	want := build(t, in).Overall.Standings
	in.Submission.Standings = nil
	in.Groups = fixtureFirst().Groups
	// The fixture's groups lack the foreign-born group, which
	// index.Standings then reads as empty.
	got := build(t, in).Overall.Standings
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("standings %+v, want %+v", got, want)
	}
	if math.IsNaN(got[2].Average) {
		t.Fatal("an empty group's average is NaN")
	}
}

func TestSameScoringIgnoresWordingButNotPoints(t *testing.T) {
	base := index.Question{ID: "x.q", Type: index.Choice, Text: index.Text{EN: "Old wording"}, Options: []index.Option{
		{ID: "yes", Points: 2}, {ID: "partly", Points: 1}, {ID: "no", Points: 0}}}
	banded := index.Question{ID: "x.p", Type: index.Percent, Bands: []index.Band{{UpTo: 50, Points: 0}, {UpTo: 100, Points: 2}}}
	for _, tc := range []struct {
		name   string
		change func(*index.Question)
		from   index.Question
		same   bool
	}{
		{"identical", func(*index.Question) {}, base, true},
		{"reworded, options reordered", func(q *index.Question) {
			q.Text.EN = "New wording"
			q.Options = []index.Option{{ID: "no", Points: 0}, {ID: "yes", Points: 2}, {ID: "partly", Points: 1}}
		}, base, true},
		{"an option scores differently", func(q *index.Question) {
			q.Options = []index.Option{{ID: "yes", Points: 4}, {ID: "partly", Points: 1}, {ID: "no", Points: 0}}
		}, base, false},
		{"an option renamed", func(q *index.Question) {
			q.Options = []index.Option{{ID: "fully", Points: 2}, {ID: "partly", Points: 1}, {ID: "no", Points: 0}}
		}, base, false},
		{"an option added", func(q *index.Question) {
			q.Options = append(slices.Clone(q.Options), index.Option{ID: "most", Points: 1})
		}, base, false},
		{"another type", func(q *index.Question) { q.Type = index.Number }, base, false},
		{"bands identical", func(*index.Question) {}, banded, true},
		{"a band moved", func(q *index.Question) { q.Bands = []index.Band{{UpTo: 40, Points: 0}, {UpTo: 100, Points: 2}} }, banded, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.from
			q.Options = slices.Clone(q.Options)
			tc.change(&q)
			if got := sameScoring(&tc.from, &q); got != tc.same {
				t.Fatalf("sameScoring = %v, want %v", got, tc.same)
			}
		})
	}
}

// TestComparableQuestionsLeaveOutWhatChanged cuts the current version down
// against an earlier version in which one question scores differently, one
// is missing and one area does not exist.
func TestComparableQuestionsLeaveOutWhatChanged(t *testing.T) {
	cur := index.Current()
	prev := cur.Clone()
	prev.Version = "earlier"
	prev.Areas = slices.DeleteFunc(prev.Areas, func(a index.Area) bool { return a.ID == "interaction" })
	edu := &prev.Areas[1]
	edu.Questions[1].Options[1].Points = 5                                                          // education.staff-diversity rescored
	edu.Questions = slices.Delete(edu.Questions, 2, 3)                                              // education.parents not asked
	prev.Areas[0].Questions = append(prev.Areas[0].Questions, index.Question{ID: "commitment.old"}) // only earlier
	b := builder{q: cur, w: &english}
	p := &Progress{}
	partial := map[string]bool{}
	common := b.commonQuestions(prev, p, partial)
	var got []string
	for _, e := range p.Excluded {
		got = append(got, cmpOr(e.Question, e.Area)+": "+e.Reason)
	}
	want := []string{
		"commitment.old: asked only in INDEX earlier",
		"education.staff-diversity: scored differently in INDEX earlier and INDEX 2019",
		"education.parents: asked only in INDEX 2019",
		"interaction: area not in INDEX earlier",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("left out:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !partial["education"] || !partial["commitment"] || partial["language"] {
		t.Errorf("partial areas %v", partial)
	}
	edCommon, _ := common.Area("education")
	if len(edCommon.Questions) != len(cur.Areas[1].Questions)-2 {
		t.Errorf("education keeps %d questions", len(edCommon.Questions))
	}
	if _, ok := common.Area("interaction"); ok {
		t.Error("an area the earlier version lacks is compared")
	}
}

// TestTheFirstCityIsNotComparedWithItself: the first city of a sample has
// no other to be compared with; its report says so, in its language,
// rather than "a comparison between 1 cities" and "1st of 1".
func TestTheFirstCityIsNotComparedWithItself(t *testing.T) {
	for _, tc := range []struct {
		in                  Input
		subtitle, noneToSay string
		plural              []string
	}{
		{fixtureFirst(), "The first city of the comparison", "No other city of the sample has results", []string{" 1 cities", "of 1 "}},
		{fixtureFrench(), "La première ville de la comparaison", "Aucune autre ville de l'échantillon", []string{" 1 villes", "sur 1 "}},
	} {
		in := tc.in
		in.Groups = maps.Clone(in.Groups)
		for k, g := range in.Groups {
			g.Count = 1
			in.Groups[k] = g
		}
		in.Submission.Standings = nil
		m := build(t, in)
		if m.Subtitle != tc.subtitle || m.CitiesCompared != 1 {
			t.Errorf("%s: subtitle %q for %d cities, want %q", m.Lang, m.Subtitle, m.CitiesCompared, tc.subtitle)
		}
		text := strings.Join(append(append([]string{m.Subtitle}, m.Method...), m.Overall.Paragraphs...), " | ")
		if !strings.Contains(m.Overall.Paragraphs[0], tc.noneToSay) {
			t.Errorf("%s: the overview does not say there is no one to compare with: %s", m.Lang, m.Overall.Paragraphs[0])
		}
		for _, p := range tc.plural {
			if strings.Contains(text, p) {
				t.Errorf("%s: %q in %s", m.Lang, p, text)
			}
		}
	}
}
