package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/intercultural-cities/backoffice/shared/runs"
)

// Scheduler fires the template's schedules on the stack's clock, as
// EventBridge Scheduler fires them on real time: as real time brings them
// due (Run), and when the clock is moved forward past them (MoveTo).
//
// A move fires every occurrence it passes, in order, at its own time: the
// clock reads that time while the job runs, and the streams are drained
// before the next one, so the emails and documents a run causes come out
// as they would have on the day. EventBridge Scheduler also delivers every
// occurrence on its own (a failed one is retried, then dropped to the
// dead-letter queue; it is never folded into a later one), and the daily
// duties depend on it: a run that misses a day sends only the latest fee
// reminder stage (fees.ReminderRules.StageDue), so a year must see its 365
// daily runs. The one exception is a rate schedule: the occurrences it has
// between two runs of other schedules run once, at the latest of them. Such
// a schedule polls state (the sweeper re-drives work pending for a while)
// which nothing changes between those occurrences but the time, so the
// latest one does all the earlier ones would; a year then costs hundreds
// of sweeps instead of a hundred thousand.
type Scheduler struct {
	clock *Clock
	drain func(context.Context) error
	// Save, if set, keeps the clock's offset after a move, for a stack
	// whose data outlives the process (see Stack.ResumeClock).
	Save func(ctx context.Context, offset time.Duration) error

	moving  sync.Mutex // one move, or one real-time firing, at a time
	mu      sync.Mutex // guards what follows
	entries []*entry
	last    *Move
	wake    chan struct{}
}

type entry struct {
	name     string
	expr     string
	loc      *time.Location // the schedule's timezone
	input    []byte
	job      runs.Job
	rec      Recurrence
	coalesce bool
	next     time.Time
	pending  bool // next is an occurrence still to fire
}

// Run is one invocation of a schedule's target.
type Run struct {
	Schedule string    `json:"schedule"`
	At       time.Time `json:"at"`
	// Occurrences is the number of occurrences the run stands for: more
	// than one when a rate schedule's occurrences ran as one.
	Occurrences int    `json:"occurrences"`
	Result      any    `json:"result,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Move is a move of the clock and what ran on the way.
type Move struct {
	From time.Time      `json:"from"`
	To   time.Time      `json:"to"`
	Ran  map[string]int `json:"ran"` // runs by schedule
	Runs []Run          `json:"runs"`
}

// Occurrence is when a schedule fires next.
type Occurrence struct {
	Schedule   string    `json:"schedule"`
	Expression string    `json:"expression"`
	At         time.Time `json:"at"`
}

// MaxMove is the longest move: a move runs every day's duties, so a longer
// one is better made in steps one can watch.
const MaxMove = 10 * 366 * 24 * time.Hour

// ErrBackwards refuses a move into the past.
var ErrBackwards = errors.New("the local clock only moves forward")

// whyForward is why the clock does not go back.
const whyForward = "what the stack stored was stamped by it: idempotency records, access tokens (issued, expiring), " +
	"expiry times (TTL), invoice dates and numbers, fee reminders sent once per stage. Moved back, tokens would not " +
	"be valid yet, keys would meet records from the future and schedules would run again what they already did. " +
	"To start over, stop the stack and delete its data (.local/data)"

// NewScheduler returns a scheduler on clock that drains the streams after
// each run with drain.
func NewScheduler(clock *Clock, drain func(context.Context) error) *Scheduler {
	return &Scheduler{clock: clock, drain: drain, wake: make(chan struct{}, 1)}
}

// Add schedules job with the expression and timezone of a template
// schedule; input is the schedule's Input. Schedules added together with
// occurrences at the same instant fire in the order they were added.
func (s *Scheduler) Add(name, expr, timezone string, input []byte, job runs.Job) error {
	now := s.clock.Now()
	rec, err := ParseSchedule(expr, timezone, now)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(timezone) // read by ParseSchedule already
	if err != nil {
		return err
	}
	_, isRate := rec.(rate)
	e := &entry{name: name, expr: expr, loc: loc, input: input, job: job, rec: rec, coalesce: isRate}
	e.next, e.pending = rec.Next(now.Add(-time.Nanosecond))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, e)
	return nil
}

// Resume moves the clock ahead by offset (the offset it had when the stack
// last stopped) and starts every schedule afresh from there: what fell due
// while the stack was stopped does not run.
func (s *Scheduler) Resume(offset time.Duration) {
	s.moving.Lock()
	defer s.moving.Unlock()
	if offset > 0 {
		s.clock.Advance(offset)
	}
	now := s.clock.Now()
	s.mu.Lock()
	for _, e := range s.entries {
		if r, ok := e.rec.(rate); ok {
			r.start = now
			e.rec = r
		}
		e.next, e.pending = e.rec.Next(now.Add(-time.Nanosecond))
	}
	s.mu.Unlock()
	s.poke()
}

// MoveTo moves the clock forward to t, firing on the way every occurrence
// that falls due (see Scheduler).
func (s *Scheduler) MoveTo(ctx context.Context, t time.Time) (Move, error) {
	s.moving.Lock()
	defer s.moving.Unlock()
	from := s.clock.Now()
	switch {
	case t.Before(from):
		return Move{}, fmt.Errorf("%w: it reads %s, and %s", ErrBackwards, from.In(t.Location()).Format(time.RFC3339), whyForward)
	case t.Sub(from) > MaxMove:
		return Move{}, fmt.Errorf("a move goes at most 10 years at a time, as it runs every day's duties")
	}
	mv := Move{From: from.In(t.Location()), To: t, Ran: map[string]int{}, Runs: s.fireUntil(ctx, t, false)}
	for _, r := range mv.Runs {
		mv.Ran[r.Schedule]++
	}
	s.clock.Forward(t)
	if s.Save != nil {
		if err := s.Save(ctx, s.clock.Offset()); err != nil {
			slog.WarnContext(ctx, "the local clock is not saved: a restart will set it back", "error", err)
		}
	}
	s.mu.Lock()
	s.last = &mv
	s.mu.Unlock()
	slog.InfoContext(ctx, "local clock moved", "from", from, "to", t, "ran", mv.Ran)
	s.poke()
	return mv, nil
}

// Run fires the schedules as the clock, running on with real time, brings
// them due, until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	for {
		wait := time.Hour
		if next, ok := s.nextOccurrence(); ok {
			wait = max(0, next.Sub(s.clock.Now()))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
			timer.Stop()
			continue // a move changed what is next
		case <-timer.C:
		}
		s.moving.Lock()
		s.fireUntil(ctx, s.clock.Now(), true)
		s.moving.Unlock()
	}
}

// poke wakes Run to look again at what is next.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Next lists when each schedule fires next, soonest first.
func (s *Scheduler) Next() []Occurrence {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Occurrence
	for _, e := range s.entries {
		if e.pending {
			out = append(out, Occurrence{Schedule: e.name, Expression: e.expr, At: e.inZone(e.next)})
		}
	}
	for i := 1; i < len(out); i++ { // few entries: insertion sort, stable
		for j := i; j > 0 && out[j].At.Before(out[j-1].At); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Last is the latest move, if any.
func (s *Scheduler) Last() *Move {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *Scheduler) nextOccurrence() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.earliest()
	if e == nil {
		return time.Time{}, false
	}
	return e.next, true
}

// earliest is the entry whose next occurrence comes first (the first
// added among equals); s.mu is held.
func (s *Scheduler) earliest() *entry {
	var first *entry
	for _, e := range s.entries {
		if e.pending && (first == nil || e.next.Before(first.next)) {
			first = e
		}
	}
	return first
}

// fireUntil fires, in order, every occurrence up to and including to;
// s.moving is held.
func (s *Scheduler) fireUntil(ctx context.Context, to time.Time, realTime bool) []Run {
	var runs []Run
	for ctx.Err() == nil {
		s.mu.Lock()
		e := s.earliest()
		if e == nil || e.next.After(to) {
			s.mu.Unlock()
			return runs
		}
		at, n := e.next, 1
		if e.coalesce {
			// Up to the next run of another schedule, or the end of the move.
			var bound time.Time
			for _, o := range s.entries {
				if o != e && o.pending && !o.next.After(to) && (bound.IsZero() || o.next.Before(bound)) {
					bound = o.next
				}
			}
			for {
				nxt, ok := e.rec.Next(at)
				if !ok || nxt.After(to) || (!bound.IsZero() && !nxt.Before(bound)) {
					break
				}
				at, n = nxt, n+1
			}
		}
		s.mu.Unlock()

		s.clock.Forward(at)
		run := s.fire(ctx, e, at, n, realTime)
		runs = append(runs, run)

		s.mu.Lock()
		e.next, e.pending = e.rec.Next(at)
		s.mu.Unlock()
	}
	return runs
}

// fire runs one occurrence's job with the schedule's input, then delivers
// what it caused. A failed run is recorded and the next one goes ahead, as
// EventBridge goes on with a schedule whose target failed.
func (s *Scheduler) fire(ctx context.Context, e *entry, at time.Time, occurrences int, realTime bool) Run {
	run := Run{Schedule: e.name, At: e.inZone(at), Occurrences: occurrences}
	res, err := e.job(ctx, e.input)
	run.Result = res
	if err != nil {
		run.Error = err.Error()
	}
	if err := s.drain(ctx); err != nil {
		run.Error = strings.TrimPrefix(run.Error+"; drain streams: "+err.Error(), "; ")
	}
	level := slog.LevelDebug // a move logs its summary
	switch {
	case run.Error != "":
		level = slog.LevelWarn
	case realTime:
		level = slog.LevelInfo
	}
	slog.Log(ctx, level, "schedule ran", "schedule", e.name, "at", run.At, "result", res, "error", run.Error)
	return run
}

// inZone shows t in the schedule's timezone.
func (e *entry) inZone(t time.Time) time.Time { return t.In(e.loc) }
