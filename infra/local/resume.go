package local

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/intercultural-cities/backoffice/shared/outbox"
)

// RedriveAtStart re-drives every work item still waiting in the table's
// outbox (notifications, submissions, fee-due, documents, report documents),
// whatever its age, so that work a stopped or crashed program left undone is
// done at once rather than at the sweeper's next run, five minutes later.
//
// It is the sweeper's re-drive without its age threshold, run by the sweeper
// function, and it also takes back the items the stopped program was
// working on: their lease (a notification's is two minutes) was held by a
// process that is gone. That is only safe before anything in this process
// can take a lease, so it must run before the stream pollers and the
// scheduler start; the pollers then read the re-driven items from the
// table's stream, from its start, on their first round.
//
// Nothing else brings that work back: the table's new stream (see
// keepStream) starts empty, and the stream records of transactions, which
// the local stack keeps in memory (txStream), died with the program.
func (s *Stack) RedriveAtStart(ctx context.Context) (outbox.SweepResult, error) {
	// Later than any item's creation, however far the clock was moved.
	everything := s.Clock.Now().Add(100 * 365 * 24 * time.Hour)
	const limit = 500
	items, err := s.Sweeper.Store.PendingWork(ctx, everything, limit)
	if err != nil {
		return outbox.SweepResult{}, err
	}
	res := outbox.SweepResult{Found: len(items), Remaining: len(items) == limit}
	var errs []error
	for _, it := range items {
		now := s.Clock.Now()
		if lease := it.LeaseUntil.Add(time.Second); lease.After(now) {
			now = lease // the lease's holder is gone: treat it as ended
		}
		ok, err := s.Sweeper.Store.Redrive(ctx, it, now)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok:
			res.Redriven++
		default:
			res.InFlight++ // done meanwhile, or no longer waiting
		}
	}
	if res.Found > 0 {
		slog.InfoContext(ctx, "work left pending by the last run re-driven at start",
			"found", res.Found, "redriven", res.Redriven, "more", res.Remaining)
	}
	return res, errors.Join(errs...)
}
