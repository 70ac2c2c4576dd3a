// Package runs is how the secretariat runs a schedule now without waiting
// for it inside an HTTP request, which API Gateway ends after 30 seconds.
//
// Asking for a run writes a run record (queued), in one transaction with the
// schedule's lock and the request's idempotency record. The record is a work
// item of the outbox: the table's stream hands it to the schedule's own
// function (the one EventBridge Scheduler triggers, with its own grants),
// which claims it with a conditional write and a lease (running), runs the
// same code as the schedule, and records the outcome (succeeded with its
// report, or failed with the reason) for the caller to poll. A duplicate
// stream record or a retried delivery finds the run claimed or finished and
// does nothing; a run whose function crashed keeps its record in the
// outbox's pending index, so the sweeper re-drives it once its lease has
// ended, and after MaxAttempts starts that never finished it is marked
// failed: no run stays running for good.
//
// One run of a schedule at a time: while a run is queued or running, asking
// for another is refused with the run in progress (Busy), which the caller
// can poll instead. The jobs themselves are idempotent (the daily duties
// send nothing twice, the annual invoicing invoices once), so a re-driven
// run, or a scheduled run overlapping an asked-for one, does no harm.
package runs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
)

// Job is a schedule's duty, with the run's JSON input (empty for none): the
// code the schedule's function runs when EventBridge Scheduler triggers it
// and when a run record reaches it.
type Job = func(ctx context.Context, input []byte) (any, error)

// Schedules are the schedules the secretariat can run on demand, each by
// the name of the function it triggers (functions/<name>).
var Schedules = []string{"annual-invoices", "daily", "sweeper"}

// Known reports whether name is one of Schedules.
func Known(name string) bool { return slices.Contains(Schedules, name) }

// Status is where a run is.
type Status string

// A run is queued until its function claims it, running while the function
// holds it, then succeeded or failed for good.
const (
	Queued    Status = "queued"
	Running   Status = "running"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
)

// MaxAttempts is how many times a run is started before a run that never
// finished (its function crashed or was stopped each time) is marked failed.
const MaxAttempts = 3

// Retention is how long a finished run's record is kept.
const Retention = 90 * 24 * time.Hour

// Run is one run of a schedule asked for by the secretariat.
type Run struct {
	ID          string
	Schedule    string
	Input       json.RawMessage // the request's body, compacted; nil for none
	RequestedBy string          // the principal's actor name
	RequestedAt time.Time
	Status      Status
	Attempts    int       // how many times a function claimed it
	StartedAt   time.Time // of the latest attempt; zero while queued
	FinishedAt  time.Time // zero until it succeeded or failed
	Result      json.RawMessage
	Error       string
}

// New is a queued run of schedule with input (JSON, or empty for none).
func New(id, schedule string, input []byte, by string, now time.Time) (Run, error) {
	r := Run{ID: id, Schedule: schedule, RequestedBy: by, RequestedAt: now.UTC(), Status: Queued}
	if len(bytes.TrimSpace(input)) > 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, input); err != nil {
			// The input was decoded before: only data after it is left.
			return Run{}, failure.Fields("the body has data after the JSON value",
				failure.FieldError{Pointer: "/", Detail: "must hold exactly one JSON value"})
		}
		r.Input = b.Bytes()
	}
	return r, nil
}

// Finished reports whether the run succeeded or failed.
func (r Run) Finished() bool { return r.Status == Succeeded || r.Status == Failed }

// Path is where the API serves a run: the Location of the request for it.
func Path(schedule, id string) string { return "/admin/runs/" + schedule + "/" + id }

// Busy is the answer to asking for a run of a schedule while another is
// queued or running.
type Busy struct{ Run Run }

func (b *Busy) Error() string {
	return fmt.Sprintf("a run of %s is already %s: %s", b.Run.Schedule, b.Run.Status, b.Run.ID)
}

// Held is a store's answer when the schedule's lock names another run: the
// run it names, empty when the lock was freed in the meantime.
type Held struct{ RunID string }

func (h *Held) Error() string { return "the schedule's lock is held by run " + h.RunID }

// RequestStore is what asking for a run needs from storage.
type RequestStore interface {
	// CreateRun writes the queued run, takes its schedule's lock and
	// writes the request's idempotency record, in one transaction. The
	// lock must be free, or held by holder when holder is not empty;
	// otherwise the error is a *Held. A concurrent request with the same
	// Idempotency-Key gives idempotency.ErrRace.
	CreateRun(ctx context.Context, run Run, holder string, idem *idempotency.Record) error
	// Run reads a run; a failure of kind NotFound when there is none.
	Run(ctx context.Context, schedule, id string) (Run, error)
}

// Request records a queued run, unless another run of its schedule is
// queued or running (then the error is a *Busy naming it). A lock left by
// a run that finished (its function stopped between recording the outcome
// and freeing the lock) or whose record has expired is taken over.
func Request(ctx context.Context, st RequestStore, run Run, idem *idempotency.Record) error {
	holder := ""
	for range 3 {
		err := st.CreateRun(ctx, run, holder, idem)
		var held *Held
		if !errors.As(err, &held) {
			return err
		}
		if held.RunID == "" {
			holder = ""
			continue
		}
		active, err := st.Run(ctx, run.Schedule, held.RunID)
		switch {
		case failure.KindOf(err) == failure.NotFound:
		case err != nil:
			return err
		case !active.Finished():
			return &Busy{Run: active}
		}
		holder = held.RunID
	}
	return fmt.Errorf("the lock of schedule %s keeps changing hands", run.Schedule)
}

// Store is what running needs from storage.
type Store interface {
	// ClaimRun moves a queued run of schedule (or a running one whose
	// lease has ended) to running until leaseUntil, counts the attempt and
	// returns the run; ok is false when it is finished or another
	// function's lease holds it.
	ClaimRun(ctx context.Context, schedule, id string, now, leaseUntil time.Time) (run Run, ok bool, err error)
	// FinishRun records the outcome the run carries, if the run is still
	// the attempt claimed (ok is false otherwise), and forgets the record
	// at forgetAt.
	FinishRun(ctx context.Context, run Run, forgetAt time.Time) (ok bool, err error)
	// ReleaseSchedule frees the schedule's lock if run id holds it.
	ReleaseSchedule(ctx context.Context, schedule, id string) error
}

// Runner runs the records of one schedule in that schedule's function.
type Runner struct {
	Schedule string
	Job      Job
	Store    Store
	Now      func() time.Time
	// Lease is how long an attempt holds its run when the context has no
	// deadline. In Lambda it has one, the invocation's end: the lease then
	// lasts until it, plus LeaseMargin, so that a run is never re-driven
	// while its function may still be at work, whatever the timeout.
	Lease time.Duration
}

// LeaseMargin is how long past its function's deadline a run stays held.
const LeaseMargin = time.Minute

// finishMargin is how long before the function's deadline the job is
// stopped, so that its outcome can still be recorded.
const finishMargin = 3 * time.Second

// Messages recorded as a failed run's reason.
const (
	reasonTimeout = "the run did not finish within its function's time limit; what it did stays done: " +
		"run it again to carry on"
	reasonInternal = "the run failed on an internal error; the function's log has it under this run's id"
)

// Run runs run id of the schedule, unless it is finished or held by
// another attempt. The job's failure is the run's outcome, not an error:
// only a failure to claim or to record the run is returned, for the stream
// to deliver the record again.
func (r *Runner) Run(ctx context.Context, schedule, id string) error {
	if schedule != r.Schedule {
		// The event source mapping's filter should not let it through.
		slog.ErrorContext(ctx, "a run of another schedule reached this function; check its stream filter",
			"schedule", schedule, "function", r.Schedule, "run", id)
		return nil
	}
	now := r.Now()
	lease := r.Lease
	deadline, bounded := ctx.Deadline()
	if bounded {
		lease = time.Until(deadline) + LeaseMargin
	}
	run, ok, err := r.Store.ClaimRun(ctx, schedule, id, now, now.Add(lease))
	if err != nil {
		return fmt.Errorf("claim run %s of %s: %w", id, schedule, err)
	}
	if !ok {
		slog.InfoContext(ctx, "run already finished or in progress", "schedule", schedule, "run", id)
		return nil
	}
	if run.Attempts > MaxAttempts {
		reason := fmt.Sprintf("the run stopped %d times without finishing (its function crashed or timed out); "+
			"run it again once the cause is fixed", run.Attempts-1)
		slog.ErrorContext(ctx, "run given up", "schedule", schedule, "run", id, "attempts", run.Attempts-1)
		return r.finish(ctx, run, nil, reason)
	}
	slog.InfoContext(ctx, "run started", "schedule", schedule, "run", id, "attempt", run.Attempts,
		"requestedBy", run.RequestedBy)
	jobCtx, cancel := ctx, context.CancelFunc(func() {})
	if bounded {
		jobCtx, cancel = context.WithDeadline(ctx, deadline.Add(-finishMargin))
	}
	res, err := r.call(jobCtx, run.Input)
	timedOut := jobCtx.Err() != nil && ctx.Err() == nil
	cancel()
	if err == nil {
		return r.finish(ctx, run, res, "")
	}
	slog.ErrorContext(ctx, "run failed", "schedule", schedule, "run", id, "error", err)
	switch f := failure.As(err); {
	case timedOut:
		return r.finish(ctx, run, nil, reasonTimeout)
	case f != nil && f.Kind != failure.Internal:
		return r.finish(ctx, run, nil, failure.Describe(f))
	default:
		return r.finish(ctx, run, nil, reasonInternal)
	}
}

// call runs the job; a panic is its failure, not the function's crash.
func (r *Runner) call(ctx context.Context, input []byte) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			slog.ErrorContext(ctx, "run panicked", "schedule", r.Schedule, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return r.Job(ctx, input)
}

// finish records the outcome, a result or the reason it failed, and frees
// the schedule.
func (r *Runner) finish(ctx context.Context, run Run, res any, reason string) error {
	run.FinishedAt = r.Now().UTC()
	run.Status, run.Error = Failed, reason
	if reason == "" {
		b, err := json.Marshal(res)
		if err != nil {
			slog.ErrorContext(ctx, "run result not encodable", "schedule", run.Schedule, "run", run.ID, "error", err)
			run.Error = reasonInternal
		} else {
			run.Status, run.Result = Succeeded, b
		}
	}
	ok, err := r.Store.FinishRun(ctx, run, run.FinishedAt.Add(Retention))
	if err != nil {
		return fmt.Errorf("finish run %s of %s: %w", run.ID, run.Schedule, err)
	}
	if !ok {
		slog.WarnContext(ctx, "run finished by another attempt; this outcome is dropped", "schedule", run.Schedule,
			"run", run.ID, "status", run.Status)
		return nil
	}
	slog.InfoContext(ctx, "run finished", "schedule", run.Schedule, "run", run.ID, "status", run.Status)
	if err := r.Store.ReleaseSchedule(ctx, run.Schedule, run.ID); err != nil {
		// The next request takes the lock of a finished run over.
		slog.WarnContext(ctx, "schedule not released", "schedule", run.Schedule, "run", run.ID, "error", err)
	}
	return nil
}
