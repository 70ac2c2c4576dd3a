package membership

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// SubmitIndex records a complete INDEX submission. The submission is also
// the scoring work item: it is written with the step, and the scorer picks
// it up. A city's first submission moves it to index_submitted; later ones
// (a member re-assessing) leave its status as it is; an ended file submits
// no more.
func (c City) SubmitIndex(sub index.Submission, now time.Time, actor string) (Change, error) {
	next, ev, err := c.step(StepSubmitIndex, now, actor, nil, "INDEX "+sub.Version+" submission "+sub.ID)
	if failure.KindOf(err) == failure.Conflict {
		return Change{}, failure.New(failure.Conflict, "city %s is %s: it can no longer submit the INDEX", c.ID, c.Status)
	}
	if err != nil {
		return Change{}, err
	}
	return Change{City: next, Event: ev, Records: []any{sub}}, nil
}

// SaveDraft returns the city's INDEX answers in progress as they are to be
// saved: checked as a draft (answers may be missing), and refused (a
// Conflict) once the city's file has ended, as a submission is. A draft is
// no step of the file: it writes no audit entry and leaves the city as it
// is.
func (c City) SaveDraft(in index.Input, now time.Time, actor string) (index.Draft, error) {
	if _, err := in.Validate(false); err != nil {
		return index.Draft{}, err
	}
	if _, err := Transition(c.Status, StepSaveDraft); err != nil {
		if failure.KindOf(err) == failure.Conflict {
			err = failure.New(failure.Conflict, "city %s is %s: it can no longer answer the INDEX", c.ID, c.Status)
		}
		return index.Draft{}, err
	}
	return index.Draft{CityID: c.ID, Version: *in.Version, Answers: in.Answers, UpdatedAt: now.UTC(), UpdatedBy: actor}, nil
}

// RecordScore records a scored submission: its result and standings, the
// comparison groups' changes (deltas, nil when an older submission was
// scored late and must not displace the newer one), the city's latest
// result and the email with the results. The newest submission's results
// get a draft analytical report, which the secretariat reviews and
// publishes (PublishReport): it is asked to by email.
func (c City) RecordScore(sub index.Submission, deltas map[string]index.Delta, r Rules, now time.Time, actor string,
	newID func() string) (Change, error) {
	if sub.Result == nil {
		return Change{}, fmt.Errorf("submission %s has no result to record", sub.ID)
	}
	res := *sub.Result
	next, ev, err := c.step(StepScoreIndex, now, actor, nil,
		fmt.Sprintf("INDEX %s scored: aggregate %.1f %%", sub.Version, res.Aggregate))
	if err != nil {
		return Change{}, err
	}
	records := []any{index.ScoredSubmission{CityID: c.ID, SubmissionID: sub.ID, Result: res,
		Standings: sub.Standings, ScoredAt: now.UTC()}}
	data := map[string]string{"SubmissionID": sub.ID, "Version": sub.Version,
		"Aggregate": strconv.FormatFloat(res.Aggregate, 'f', 1, 64)}
	for _, st := range sub.Standings {
		if st.Group.Kind == index.GroupAll {
			data["Rank"], data["Of"] = strconv.Itoa(st.Rank), strconv.Itoa(st.Of)
		}
	}
	// The id derives from the submission: scoring it twice could never
	// queue a second email.
	var mails []notify.Notification
	if c.Contact.Email != "" {
		mails = append(mails, next.mail("index-scored", "scored-"+sub.ID, data, now))
	}
	if deltas != nil {
		next.LatestIndex = &IndexSummary{SubmissionID: sub.ID, Version: sub.Version, SubmittedAt: sub.SubmittedAt,
			Aggregate: res.Aggregate, Result: &res}
		for _, k := range sortedKeys(deltas) {
			records = append(records, index.GroupChange{Group: k, Delta: deltas[k]})
		}
		draft := draftReport(c, sub, now, newID)
		records = append(records, ReportDrafted{Report: draft})
		if r.SecretariatEmail != "" {
			review := next.mail("report-draft", "report-draft-"+draft.ID, map[string]string{"ReportID": draft.ID,
				"SubmissionID": sub.ID, "Aggregate": data["Aggregate"]}, now)
			mails = append(mails, secretariatCopy(review, review.ID, r))
		}
	}
	return Change{City: next, Event: ev, Records: records, Notifications: mails}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ScoreStore is what scoring needs from storage.
type ScoreStore interface {
	Submission(ctx context.Context, cityID, id string) (index.Submission, error)
	Sample(ctx context.Context) (map[string]index.GroupStats, error)
	UpdateCity(ctx context.Context, id string, idem *idempotency.Record, step func(City) (Change, error)) (Change, error)
}

// Scorer scores submissions and places cities in the network.
type Scorer struct {
	Store ScoreStore
	Bands index.Bands
	Rules Rules // who is asked to review the draft reports
	Now   func() time.Time
	NewID func() string
}

// Score scores one submission once: a submission already scored is left
// as it is, and a lost race with another scorer changes nothing.
func (s *Scorer) Score(ctx context.Context, cityID, id string) error {
	sub, err := s.Store.Submission(ctx, cityID, id)
	if err != nil {
		return err
	}
	if sub.Status == index.StatusScored {
		return nil
	}
	q, ok := index.Lookup(sub.Version)
	if !ok {
		return fmt.Errorf("submission %s: unknown version %s", id, sub.Version)
	}
	sample, err := s.Store.Sample(ctx)
	if err != nil {
		return err
	}
	res := q.Score(sub.Answers)
	_, err = s.Store.UpdateCity(ctx, cityID, nil, func(c City) (Change, error) {
		var previous *index.Result
		if c.LatestIndex != nil {
			previous = c.LatestIndex.Result
		}
		deltas, standings := index.Place(s.Bands, previous, res, sample)
		if c.LatestIndex != nil && c.LatestIndex.SubmittedAt.After(sub.SubmittedAt) {
			// An older submission scored late (a re-drive) gets its result
			// but does not displace the newer one in the sample.
			deltas, standings = nil, index.Standings(s.Bands, res, sample)
		}
		scored := sub
		now := s.Now().UTC()
		scored.Status, scored.Result, scored.Standings, scored.ScoredAt = index.StatusScored, &res, standings, &now
		return c.RecordScore(scored, deltas, s.Rules, now, "score", s.NewID)
	})
	if errors.Is(err, index.ErrAlreadyScored) {
		return nil
	}
	return err
}
