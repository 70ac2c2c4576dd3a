package index

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/membership"
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
	if in.Answers == nil {
		return nil, failure.Fields("answers are missing", failure.FieldError{Pointer: "/answers", Detail: "is required"})
	}
	return q, q.Check(in.Answers, complete)
}

// City is what scoring needs to know of the city.
type City struct {
	ID                string
	Name              string
	Language          string
	ContactName       string
	ContactEmail      string
	Status            membership.Status
	Version           int64     // the city record's version, for optimistic concurrency
	LatestSubmission  string    // the submission its place in the sample comes from
	LatestSubmittedAt time.Time // when that submission was made
	Latest            *Result   // that submission's result
}

// Scored is everything scoring one submission writes, in one transaction.
type Scored struct {
	Submission Submission
	City       City // as read: the commit is conditional on its latest submission
	Deltas     map[string]Delta
	Notify     bool
}

// ErrAlreadyScored is returned by a store when the submission was scored
// meanwhile (a duplicate delivery or a concurrent scorer won).
var ErrAlreadyScored = errors.New("submission already scored")

// ScoreStore is what scoring needs from storage.
type ScoreStore interface {
	Submission(ctx context.Context, cityID, id string) (Submission, error)
	ScoringCity(ctx context.Context, cityID string) (City, error)
	Sample(ctx context.Context) (map[string]GroupStats, error)
	CommitScore(ctx context.Context, s Scored) error
}

// Scorer scores submissions and places them in the network.
type Scorer struct {
	Store ScoreStore
	Bands Bands
	Now   func() time.Time
}

// Score scores one submission once: a submission already scored is left
// as it is, and a lost race with another scorer changes nothing.
func (s *Scorer) Score(ctx context.Context, cityID, id string) error {
	sub, err := s.Store.Submission(ctx, cityID, id)
	if err != nil {
		return err
	}
	if sub.Status == StatusScored {
		return nil
	}
	q, ok := Lookup(sub.Version)
	if !ok {
		return fmt.Errorf("submission %s: unknown version %s", id, sub.Version)
	}
	city, err := s.Store.ScoringCity(ctx, cityID)
	if err != nil {
		return err
	}
	sample, err := s.Store.Sample(ctx)
	if err != nil {
		return err
	}
	res := q.Score(sub.Answers)
	deltas, standings := Place(s.Bands, city.Latest, res, sample)
	if city.LatestSubmission != "" && city.LatestSubmittedAt.After(sub.SubmittedAt) {
		// An older submission scored late (a re-drive) gets its result but
		// does not displace the newer one in the sample.
		deltas = nil
		standings = Standings(s.Bands, res, sample)
	}
	now := s.Now().UTC()
	sub.Status, sub.Result, sub.Standings, sub.ScoredAt = StatusScored, &res, standings, &now
	err = s.Store.CommitScore(ctx, Scored{Submission: sub, City: city, Deltas: deltas, Notify: true})
	if errors.Is(err, ErrAlreadyScored) {
		return nil
	}
	return err
}

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
