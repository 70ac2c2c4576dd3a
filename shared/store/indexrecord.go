package store

import "github.com/intercultural-cities/backoffice/shared/index"

// The storage shapes of INDEX answers and results, held as JSON text in
// drafts, submissions and the city's file. Their field names must never
// change (see cityrecord.go).

type answerRecord struct {
	Question string   `json:"question"`
	Option   *string  `json:"option,omitempty"`
	Value    *float64 `json:"value,omitempty"`
	Text     *string  `json:"text,omitempty"`
	Evidence string   `json:"evidence,omitempty"`
}

func toAnswerRecords(as []index.Answer) []answerRecord {
	out := make([]answerRecord, len(as))
	for i, a := range as {
		out[i] = answerRecord(a)
	}
	return out
}

func answers(rs []answerRecord) []index.Answer {
	out := make([]index.Answer, len(rs))
	for i, r := range rs {
		out[i] = index.Answer(r)
	}
	return out
}

type areaScoreRecord struct {
	Area      string  `json:"area"`
	Score     float64 `json:"score"`
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"maxPoints"`
	Optional  bool    `json:"optional"`
	Lens      bool    `json:"lens"`
}

type factsRecord struct {
	Population       float64 `json:"population"`
	ForeignBornShare float64 `json:"foreignBornShare"`
}

type resultRecord struct {
	Version   string            `json:"version"`
	Areas     []areaScoreRecord `json:"areas"`
	Aggregate float64           `json:"aggregate"`
	Lens      float64           `json:"lens"`
	Extended  float64           `json:"extended"`
	Facts     factsRecord       `json:"facts"`
}

func toResultRecord(r index.Result) resultRecord {
	out := resultRecord{Version: r.Version, Aggregate: r.Aggregate, Lens: r.Lens, Extended: r.Extended,
		Facts: factsRecord(r.Facts), Areas: make([]areaScoreRecord, len(r.Areas))}
	for i, a := range r.Areas {
		out.Areas[i] = areaScoreRecord(a)
	}
	return out
}

func (r resultRecord) result() index.Result {
	out := index.Result{Version: r.Version, Aggregate: r.Aggregate, Lens: r.Lens, Extended: r.Extended,
		Facts: index.Facts(r.Facts), Areas: make([]index.AreaScore, len(r.Areas))}
	for i, a := range r.Areas {
		out.Areas[i] = index.AreaScore(a)
	}
	return out
}

type groupRecord struct {
	Key   string   `json:"key"`
	Kind  string   `json:"kind"`
	Label string   `json:"label"`
	Min   *float64 `json:"min,omitempty"`
	Max   *float64 `json:"max,omitempty"`
}

type standingRecord struct {
	Group      groupRecord        `json:"group"`
	Rank       int                `json:"rank"`
	Of         int                `json:"of"`
	Percentile float64            `json:"percentile"`
	Average    float64            `json:"average"`
	Areas      map[string]float64 `json:"areaAverages"`
}

func toStandingRecords(ss []index.Standing) []standingRecord {
	out := make([]standingRecord, len(ss))
	for i, s := range ss {
		out[i] = standingRecord{Group: groupRecord(s.Group), Rank: s.Rank, Of: s.Of, Percentile: s.Percentile,
			Average: s.Average, Areas: s.Areas}
	}
	return out
}

func standings(rs []standingRecord) []index.Standing {
	out := make([]index.Standing, len(rs))
	for i, r := range rs {
		out[i] = index.Standing{Group: index.Group(r.Group), Rank: r.Rank, Of: r.Of, Percentile: r.Percentile,
			Average: r.Average, Areas: r.Areas}
	}
	return out
}
