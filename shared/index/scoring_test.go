package index

import (
	"math/rand/v2"
	"testing"
)

func yesPartlyNo(id string) Question {
	return Question{ID: id, Type: Choice, Text: Text{"q", "q"}, Help: Text{"h", "h"}, Evidence: true,
		Options: []Option{{ID: "yes", Points: 2}, {ID: "partly", Points: 1}, {ID: "no", Points: 0}}}
}

func f64(x float64) *float64 { return &x }

// tiny is a small questionnaire whose scores can be worked out by hand.
func tiny() *Questionnaire {
	return &Questionnaire{
		Version: "test",
		Demographics: []Question{
			{ID: "d.population", Type: Number, Fact: "population", Min: f64(1), Max: f64(5e7)},
			{ID: "d.foreign-born", Type: Percent, Fact: "foreignBornShare"},
		},
		Areas: []Area{
			{ID: "commitment", Weight: 60, Questions: []Question{yesPartlyNo("c.1"), yesPartlyNo("c.2")}},
			{ID: "education", Weight: 40, Lens: true, Questions: []Question{yesPartlyNo("e.1"), {
				ID: "e.mixed", Type: Percent, Bands: []Band{{UpTo: 10, Points: 0}, {UpTo: 50, Points: 1}, {UpTo: 100, Points: 2}},
			}}},
			{ID: "participation", Weight: 10, Optional: true, Questions: []Question{yesPartlyNo("p.1")}},
		},
	}
}

func opt(q, o string) Answer         { return Answer{Question: q, Option: &o} }
func val(q string, v float64) Answer { return Answer{Question: q, Value: &v} }

func TestScoreByHand(t *testing.T) {
	q := tiny()
	base := []Answer{val("d.population", 150000), val("d.foreign-born", 12), opt("c.1", "yes"), opt("c.2", "partly"),
		opt("e.1", "no"), val("e.mixed", 30)}
	tests := []struct {
		name                          string
		answers                       []Answer
		commitment, education, agg    float64
		lens, extended, participation float64
		areas                         int
	}{
		// commitment 3/4 = 75; education (0+1)/4 = 25; aggregate (75×60 + 25×40)/100 = 55.
		{"core only", base, 75, 25, 55, 25, 55, -1, 2},
		// Participation answered "no": shown as 0, the core aggregate unchanged, the extended one lower.
		{"optional area answered no", append(base[:len(base):len(base)], opt("p.1", "no")), 75, 25, 55, 25, 50, 0, 3},
		{"optional area answered yes", append(base[:len(base):len(base)], opt("p.1", "yes")), 75, 25, 55, 25, 59.1, 100, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := q.Check(tt.answers, true); err != nil {
				t.Fatalf("answers invalid: %v", err)
			}
			r := q.Score(tt.answers)
			if len(r.Areas) != tt.areas || r.Areas[0].Score != tt.commitment || r.Areas[1].Score != tt.education {
				t.Fatalf("areas %+v", r.Areas)
			}
			if r.Aggregate != tt.agg || r.Lens != tt.lens || r.Extended != tt.extended {
				t.Fatalf("aggregate %v lens %v extended %v, want %v %v %v", r.Aggregate, r.Lens, r.Extended, tt.agg, tt.lens, tt.extended)
			}
			if tt.participation >= 0 && r.Areas[2].Score != tt.participation {
				t.Fatalf("participation %v", r.Areas[2].Score)
			}
			if r.Facts.Population != 150000 || r.Facts.ForeignBornShare != 12 {
				t.Fatalf("facts %+v", r.Facts)
			}
		})
	}
}

func TestScoreIgnoresAnswerOrder(t *testing.T) {
	q := tiny()
	answers := []Answer{val("d.population", 150000), val("d.foreign-born", 12), opt("c.1", "yes"), opt("c.2", "partly"),
		opt("e.1", "partly"), val("e.mixed", 77), opt("p.1", "partly")}
	want := q.Score(answers)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		rng.Shuffle(len(answers), func(i, j int) { answers[i], answers[j] = answers[j], answers[i] })
		got := q.Score(answers)
		if got.Aggregate != want.Aggregate || got.Extended != want.Extended || len(got.Areas) != len(want.Areas) {
			t.Fatalf("shuffled answers scored %+v, want %+v", got, want)
		}
		for i := range got.Areas {
			if got.Areas[i] != want.Areas[i] {
				t.Fatalf("area %d: %+v, want %+v", i, got.Areas[i], want.Areas[i])
			}
		}
	}
}

func TestCheckAnswers(t *testing.T) {
	q := tiny()
	complete := []Answer{val("d.population", 150000), val("d.foreign-born", 12), opt("c.1", "yes"), opt("c.2", "partly"),
		opt("e.1", "no"), val("e.mixed", 30)}
	long := make([]byte, MaxEvidence+1)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name     string
		answers  []Answer
		complete bool
		pointer  string
	}{
		{"unknown question", []Answer{opt("nope", "yes")}, false, "/answers/0/question"},
		{"duplicate", []Answer{opt("c.1", "yes"), opt("c.1", "no")}, false, "/answers/1/question"},
		{"unknown option", []Answer{opt("c.1", "maybe")}, false, "/answers/0/option"},
		{"value for a choice", []Answer{val("c.1", 1)}, false, "/answers/0/option"},
		{"option for a percent", []Answer{opt("e.mixed", "yes")}, false, "/answers/0/value"},
		{"percent above 100", []Answer{val("e.mixed", 101)}, false, "/answers/0/value"},
		{"population out of range", []Answer{val("d.population", 0)}, false, "/answers/0/value"},
		{"oversized evidence", []Answer{{Question: "c.1", Option: strp("yes"), Evidence: string(long)}}, false, "/answers/0/evidence"},
		{"missing required", complete[:5], true, "/answers"},
		{"half an optional area", append(complete[:6:6], Answer{Question: "p.1"}), true, "/answers/6/option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := q.Check(tt.answers, tt.complete)
			if err == nil {
				t.Fatal("accepted")
			}
			if !hasPointer(err, tt.pointer) {
				t.Fatalf("%v does not name %s", err, tt.pointer)
			}
		})
	}
	if err := q.Check(complete[:3], false); err != nil {
		t.Fatalf("a partial draft was refused: %v", err)
	}
	if err := q.Check(complete, true); err != nil {
		t.Fatalf("complete answers refused: %v", err)
	}
}

func strp(s string) *string { return &s }
