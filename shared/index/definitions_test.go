package index

import (
	"bytes"
	"embed"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// The questionnaire versions, one YAML file each, named after the version
// (definitions/2019.yaml holds version "2019"): the source, which people edit
// and the tests validate. The functions embed their compiled JSON only.
//
//go:embed definitions/*.yaml
var definitionFiles embed.FS

// definitionGlob finds the definitions inside definitionFiles.
const definitionGlob = "definitions/*.yaml"

func TestEmbeddedVersionsValidate(t *testing.T) {
	vs := Versions()
	if len(vs) < 2 {
		t.Fatalf("%d versions embedded, want at least 2 (2017 and 2019)", len(vs))
	}
	for _, q := range vs {
		if err := q.Validate(); err != nil {
			t.Errorf("%v", err)
		}
		core, optional, weight := 0, 0, 0.0
		for _, a := range q.Areas {
			if a.Optional {
				optional += len(a.Questions)
				continue
			}
			core += len(a.Questions)
			weight += a.Weight
		}
		t.Logf("INDEX %s (published %s, current %v): %d areas, %d questions (%d demographic, %d core, %d optional), core weight %g",
			q.Version, q.Published, q.Current, len(q.Areas), q.QuestionCount(), len(q.Demographics), core, optional, weight)
		for _, a := range q.Areas {
			t.Logf("  %-20s weight %2g  %d questions  lens=%v optional=%v", a.ID, a.Weight, len(a.Questions), a.Lens, a.Optional)
		}
	}
}

func TestVersionsOrderedOneCurrent(t *testing.T) {
	vs := Versions()
	var names []string
	current := 0
	for i, q := range vs {
		names = append(names, q.Version)
		if i > 0 && vs[i-1].Published >= q.Published {
			t.Errorf("versions not oldest first: %s (%s) before %s (%s)", vs[i-1].Version, vs[i-1].Published, q.Version, q.Published)
		}
		if q.Current {
			current++
		}
		if got, ok := Lookup(q.Version); !ok || got != q {
			t.Errorf("Lookup(%q) = %v, %v", q.Version, got, ok)
		}
	}
	if !slices.Equal(names, []string{"2017", "2019"}) {
		t.Errorf("versions %v, want [2017 2019]", names)
	}
	if current != 1 {
		t.Errorf("%d versions are current, want 1", current)
	}
	if c := Current(); c == nil || c.Version != "2019" || !c.Current {
		t.Errorf("Current() = %v, want INDEX 2019", c)
	}
	if q, ok := Lookup("2009"); ok || q != nil {
		t.Errorf("Lookup(2009) = %v, %v: no such embedded version", q, ok)
	}
	// Versions hands out a copy of the list.
	vs[0] = nil
	if Versions()[0] == nil {
		t.Error("Versions() exposes its internal slice")
	}
}

func TestCurrentShape(t *testing.T) {
	q := Current()
	if q.Title.EN != "Intercultural Cities INDEX" || q.Title.FR != "INDEX des Cités interculturelles" || q.Published != "2019-06-01" {
		t.Errorf("title %+v published %s", q.Title, q.Published)
	}
	wantAreas := []string{"commitment", "education", "neighbourhoods", "public-services", "business-labour",
		"cultural-social", "public-space", "mediation", "language", "media", "international", "intelligence",
		"welcoming", "leadership", "anti-discrimination", "participation", "interaction"}
	var ids, lens, optional []string
	for _, a := range q.Areas {
		ids = append(ids, a.ID)
		if a.Lens {
			lens = append(lens, a.ID)
		}
		if a.Optional {
			optional = append(optional, a.ID)
		}
		if len(a.Questions) < 4 || len(a.Questions) > 8 {
			t.Errorf("%s: %d questions", a.ID, len(a.Questions))
		}
		if a.Weight <= 0 {
			t.Errorf("%s: weight %g", a.ID, a.Weight)
		}
	}
	if !slices.Equal(ids, wantAreas) {
		t.Errorf("areas\n got %v\nwant %v", ids, wantAreas)
	}
	if want := wantAreas[1:7]; !slices.Equal(lens, want) {
		t.Errorf("lens areas %v, want %v", lens, want)
	}
	if want := []string{"participation", "interaction"}; !slices.Equal(optional, want) {
		t.Errorf("optional areas %v, want %v", optional, want)
	}
	if n := q.QuestionCount() - len(q.Demographics); n < 70 {
		t.Errorf("%d policy questions, want at least 70", n)
	}

	facts := map[string]QuestionType{}
	for _, d := range q.Demographics {
		facts[d.Fact] = d.Type
		if d.Scored() {
			t.Errorf("demographic %s is scored", d.ID)
		}
	}
	wantFacts := map[string]QuestionType{"population": Number, "foreignBornShare": Percent,
		"foreignResidentShare": Percent, "nationalMinorityShare": Percent, "mainOriginGroups": FreeText}
	if !maps.Equal(facts, wantFacts) {
		t.Errorf("facts %v, want %v", facts, wantFacts)
	}
	if p, _, _ := q.Question("demographics.population"); p == nil || p.Min == nil || *p.Min != 1 || p.Max == nil || *p.Max != 50_000_000 {
		t.Errorf("population question %+v", p)
	}

	types := map[QuestionType]int{}
	evidence := 0
	all := append(slices.Clone(q.Demographics), areaQuestions(q)...)
	for _, qu := range all {
		if strings.TrimSpace(qu.Text.EN) == "" || strings.TrimSpace(qu.Text.FR) == "" || qu.Text.EN == qu.Text.FR {
			t.Errorf("%s: text %+v", qu.ID, qu.Text)
		}
		if strings.TrimSpace(qu.Help.EN) == "" || strings.TrimSpace(qu.Help.FR) == "" {
			t.Errorf("%s: help %+v", qu.ID, qu.Help)
		}
	}
	for _, qu := range areaQuestions(q) {
		types[qu.Type]++
		if qu.Evidence {
			evidence++
		}
		if !strings.HasPrefix(qu.Help.EN, "e.g. ") || !strings.HasPrefix(qu.Help.FR, "p. ex. ") {
			t.Errorf("%s: help should start with an example: %+v", qu.ID, qu.Help)
		}
	}
	if types[Percent] < 3 || types[Number] < 2 || types[Choice] < 60 || types[FreeText] != 0 {
		t.Errorf("answer types %v", types)
	}
	if evidence*10 < len(areaQuestions(q))*8 {
		t.Errorf("only %d policy questions take evidence", evidence)
	}
}

func areaQuestions(q *Questionnaire) []Question {
	var out []Question
	for _, a := range q.Areas {
		out = append(out, a.Questions...)
	}
	return out
}

func TestOlderVersionShape(t *testing.T) {
	old, ok := Lookup("2017")
	if !ok {
		t.Fatal("INDEX 2017 missing")
	}
	if old.Current {
		t.Error("2017 marked current")
	}
	weight := 0.0
	for _, a := range old.Areas {
		if a.Optional {
			t.Errorf("2017 has the optional area %s", a.ID)
		}
		weight += a.Weight
	}
	if weight != 100 {
		t.Errorf("2017 weights sum to %g", weight)
	}
	if n := old.QuestionCount() - len(old.Demographics); n < 60 {
		t.Errorf("2017 has %d policy questions, want at least 60", n)
	}
	// Same demographic block in both versions.
	cur := Current()
	if len(old.Demographics) != len(cur.Demographics) {
		t.Fatalf("demographics differ: %d vs %d", len(old.Demographics), len(cur.Demographics))
	}
	for i := range old.Demographics {
		if old.Demographics[i].ID != cur.Demographics[i].ID || old.Demographics[i].Fact != cur.Demographics[i].Fact {
			t.Errorf("demographics[%d]: %s/%s vs %s/%s", i, old.Demographics[i].ID, old.Demographics[i].Fact,
				cur.Demographics[i].ID, cur.Demographics[i].Fact)
		}
	}
}

// TestVersionsComparable: a question id kept from one version to the next
// keeps its answer type, scale and area, so old results stay comparable;
// the versions really differ (some ids are unique to each, some wording changed).
func TestVersionsComparable(t *testing.T) {
	old, _ := Lookup("2017")
	cur := Current()
	shared, onlyOld, reworded := 0, []string{}, 0
	for _, a := range old.Areas {
		for _, oq := range a.Questions {
			nq, na, ok := cur.Question(oq.ID)
			if !ok {
				onlyOld = append(onlyOld, oq.ID)
				continue
			}
			shared++
			if na.ID != a.ID || nq.Type != oq.Type || nq.MaxPoints() != oq.MaxPoints() {
				t.Errorf("%s changed between versions: area %s→%s, type %s→%s, max points %g→%g",
					oq.ID, a.ID, na.ID, oq.Type, nq.Type, oq.MaxPoints(), nq.MaxPoints())
			}
			if nq.Text != oq.Text {
				reworded++
			}
		}
		if na, ok := cur.Area(a.ID); !ok || na.Weight != a.Weight || na.Lens != a.Lens {
			t.Errorf("area %s: weight or lens changed between versions", a.ID)
		}
	}
	onlyNew := cur.QuestionCount() - len(cur.Demographics) - shared
	t.Logf("2017→2019: %d questions kept (%d reworded), %d only in 2017 %v, %d only in 2019", shared, reworded, len(onlyOld), onlyOld, onlyNew)
	if shared < 50 || len(onlyOld) < 2 || reworded < 2 || onlyNew < 10 {
		t.Errorf("the versions should share most questions and differ in a few")
	}
}

func TestCloneIsDeep(t *testing.T) {
	c := Current().Clone()
	c.Version = "x"
	c.Areas[0].Questions[0].Options[0].Label.FR = "changé"
	c.Areas[1].Questions[0].Bands[0].UpTo = -1
	*c.Demographics[0].Min = 99
	c.Areas[2].Questions = c.Areas[2].Questions[:1]
	cur := Current()
	if cur.Version != "2019" || cur.Areas[0].Questions[0].Options[0].Label.FR == "changé" ||
		cur.Areas[1].Questions[0].Bands[0].UpTo == -1 || *cur.Demographics[0].Min != 1 || len(cur.Areas[2].Questions) < 4 {
		t.Fatal("Clone shares memory with the embedded definition")
	}
	if err := cur.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestLoadDefinitions runs the loader on made-up files: strict decoding, one
// document, version matching the file name, unique versions, one current.
func TestLoadDefinitions(t *testing.T) {
	good, err := definitionFiles.ReadFile("definitions/2019.yaml")
	if err != nil {
		t.Fatal(err)
	}
	old, _ := definitionFiles.ReadFile("definitions/2017.yaml")
	notCurrent := []byte(strings.Replace(string(good), "current: true", "current: false", 1))
	tests := []struct {
		name  string
		files map[string][]byte
		want  string // "" for success
	}{
		{"the embedded files", map[string][]byte{"d/2017.yaml": old, "d/2019.yaml": good}, ""},
		{"unknown field", map[string][]byte{"d/2019.yaml": []byte(strings.Replace(string(good), "    weight: 10\n", "    weight: 10\n    wieght: 3\n", 1))},
			"field wieght not found"},
		{"second document", map[string][]byte{"d/2019.yaml": append(slices.Clone(good), "\n---\nversion: \"x\"\n"...)},
			"only one YAML document"},
		{"empty file", map[string][]byte{"d/2019.yaml": nil}, "empty definition"},
		{"version not the file name", map[string][]byte{"d/2020.yaml": good}, `version "2019" does not match the file name`},
		{"no current version", map[string][]byte{"d/2019.yaml": notCurrent}, "no questionnaire version is marked current"},
		{"two current versions", map[string][]byte{"d/2019.yaml": good, "d/2020.yaml": []byte(strings.Replace(string(good), `version: "2019"`, `version: "2020"`, 1))},
			"exactly one questionnaire version must be current, not 2019, 2020"},
		{"an old version cannot pass as current", map[string][]byte{"d/2017.yaml": []byte(strings.Replace(string(old), "current: false", "current: true", 1))},
			"policy questions, want at least 70"},
		{"invalid definition", map[string][]byte{"d/2019.yaml": []byte(strings.Replace(string(good), "weight: 10", "weight: 9", 1))},
			"d/2019.yaml: INDEX 2019: 1 problem in the definition:\n\tcore area weights sum to 99, want 100"},
		{"no files", map[string][]byte{}, "no questionnaire definitions match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: data}
			}
			vs, err := loadDefinitions(fsys, "d/*.yaml")
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want == "" && (len(vs) != 2 || vs[0].Version != "2017"):
				t.Fatalf("versions %v", vs)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestCurrentWorksWithAnswers: the answers and scoring code accept the
// current definition end to end — the best answer to every question scores
// 100 everywhere, the worst 0.
func TestCurrentWorksWithAnswers(t *testing.T) {
	q := Current()
	for _, best := range []bool{true, false} {
		var answers []Answer
		for _, qu := range append(slices.Clone(q.Demographics), areaQuestions(q)...) {
			a := Answer{Question: qu.ID}
			switch qu.Type {
			case Choice:
				pick := qu.Options[0]
				for _, o := range qu.Options {
					if (best && o.Points > pick.Points) || (!best && o.Points < pick.Points) {
						pick = o
					}
				}
				a.Option = &pick.ID
			case Percent, Number:
				v := 10.0 // a demographic share
				if qu.Fact == "population" {
					v = 150_000
				}
				if len(qu.Bands) > 0 {
					pick := qu.Bands[0]
					for _, b := range qu.Bands {
						if (best && b.Points > pick.Points) || (!best && b.Points < pick.Points) {
							pick = b
						}
					}
					v = pick.UpTo // bands ascend, so their own upTo falls in them
				}
				a.Value = &v
			case FreeText:
				s := "Turkey 4 %, Syria 2 %"
				a.Text = &s
			}
			answers = append(answers, a)
		}
		if err := q.Check(answers, true); err != nil {
			t.Fatalf("best=%v: answers rejected: %v", best, err)
		}
		r := q.Score(answers)
		want := 0.0
		if best {
			want = 100
		}
		if r.Aggregate != want || r.Lens != want || r.Extended != want || len(r.Areas) != len(q.Areas) {
			t.Fatalf("best=%v: aggregate %v lens %v extended %v areas %d", best, r.Aggregate, r.Lens, r.Extended, len(r.Areas))
		}
	}
}

func TestCompiledDefinitionsAreTheYAML(t *testing.T) {
	want, err := CompileDefinitions(definitionFiles, definitionGlob)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(want, '\n'), compiled) {
		t.Fatal("definitions.json is not the YAML definitions compiled: run go generate ./shared/index")
	}
	yamls, _ := loadDefinitions(definitionFiles, definitionGlob)
	if vs := Versions(); !reflect.DeepEqual(vs, yamls) {
		t.Fatal("the compiled definitions decode to other questionnaires than the YAML's")
	}
	for _, q := range yamls {
		if q.Current && Current().Version != q.Version {
			t.Errorf("current version %s, the YAML's is %s", Current().Version, q.Version)
		}
	}
}
