package index

import (
	"errors"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// Draft is a city's answers in progress, saved from any device.
type Draft struct {
	CityID    string    `json:"cityId"`
	Version   string    `json:"version"`
	Answers   []Answer  `json:"answers"`
	Revision  int64     `json:"revision"` // bumped by every save; the ETag
	UpdatedAt time.Time `json:"updatedAt"`
	UpdatedBy string    `json:"updatedBy"`
}

// Status of a submission.
type Status string

// Submission statuses as the API shows them.
const (
	StatusReceived Status = "received"
	StatusScored   Status = "scored"
)

// Submission is a complete questionnaire a city submitted. It is kept for
// good: a re-assessment is a new submission.
type Submission struct {
	ID          string     `json:"submissionId"`
	CityID      string     `json:"cityId"`
	Version     string     `json:"version"`
	Answers     []Answer   `json:"answers"`
	SubmittedAt time.Time  `json:"submittedAt"`
	SubmittedBy string     `json:"submittedBy"`
	Status      Status     `json:"status"`
	Result      *Result    `json:"result,omitempty"`
	Standings   []Standing `json:"standings,omitempty"`
	ScoredAt    *time.Time `json:"scoredAt,omitempty"`
}

// Input is a draft or submission body as a city sends it.
type Input struct {
	Version *string  `json:"version"`
	Answers []Answer `json:"answers"`
}

// Validate checks input against its version; complete for submissions.
func (in Input) Validate(complete bool) (*Questionnaire, error) {
	if in.Version == nil {
		return nil, failure.Fields("the questionnaire version is missing",
			failure.Field("/version", "is required, e.g. %s", Current().Version))
	}
	q, ok := Lookup(*in.Version)
	if !ok {
		return nil, failure.Fields("unknown questionnaire version",
			failure.Field("/version", "no INDEX version %q", clip(*in.Version)))
	}
	if cur := Current(); q.Version != cur.Version {
		// Submissions already made on an older version stay readable and
		// are scored on it; new work uses the current one.
		return nil, failure.Fields("an older questionnaire version",
			failure.Field("/version", "INDEX %s is no longer open: answer the current version, %s", q.Version, cur.Version))
	}
	if in.Answers == nil {
		return nil, failure.Fields("answers are missing", failure.FieldError{Pointer: "/answers", Detail: "is required"})
	}
	return q, q.Check(in.Answers, complete)
}

// ScoredSubmission records a submission's result on it: written once, while
// the submission is still waiting to be scored.
type ScoredSubmission struct {
	CityID       string
	SubmissionID string
	Result       Result
	Standings    []Standing
	ScoredAt     time.Time
}

// GroupChange adds a delta to one comparison group's aggregate.
type GroupChange struct {
	Group string
	Delta Delta
}

// ErrAlreadyScored is what recording a score reports when the submission
// was scored meanwhile (a duplicate delivery or a concurrent scorer won).
var ErrAlreadyScored = errors.New("submission already scored")

// Place moves a city from its previous result (nil for its first) to res in
// every comparison group, and returns the changes to store and the city's
// standings in its new groups.
func Place(b Bands, previous *Result, res Result, sample map[string]GroupStats) (map[string]Delta, []Standing) {
	deltas := map[string]Delta{}
	merge := func(key string, d Delta) {
		cur, ok := deltas[key]
		if !ok {
			deltas[key] = d
			return
		}
		var g GroupStats
		g.Apply(cur)
		g.Apply(d)
		deltas[key] = Delta{Count: g.Count, Histogram: g.Histogram, AggSum: g.AggSum, AreaSum: g.AreaSum, AreaCount: g.AreaCount}
	}
	if previous != nil {
		for _, g := range b.Groups(previous.Facts) {
			merge(g.Key, DeltaOf(*previous, -1))
		}
	}
	groups := b.Groups(res.Facts)
	for _, g := range groups {
		merge(g.Key, DeltaOf(res, 1))
	}
	standings := make([]Standing, 0, len(groups))
	for _, g := range groups {
		stats := sample[g.Key]
		stats.Key = g.Key
		copyStats := GroupStats{Key: g.Key, Count: stats.Count, AggSum: stats.AggSum,
			Histogram: cloneMap(stats.Histogram), AreaSum: cloneMap(stats.AreaSum), AreaCount: cloneMap(stats.AreaCount)}
		copyStats.Apply(deltas[g.Key])
		standings = append(standings, copyStats.Standing(g, res.Aggregate))
	}
	return deltas, standings
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Standings places a result in the sample as it stands, without adding it.
func Standings(b Bands, res Result, sample map[string]GroupStats) []Standing {
	var out []Standing
	for _, g := range b.Groups(res.Facts) {
		stats := sample[g.Key]
		out = append(out, stats.Standing(g, res.Aggregate))
	}
	return out
}
