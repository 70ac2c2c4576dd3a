package local_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/template"
)

// fired is what a recording job saw: its schedule, the clock when it ran,
// its input.
type fired struct {
	schedule string
	at       time.Time
	input    string
}

// templateScheduler is the template's schedules on a clock set to start,
// each with a job that records what it saw and, after each run, a drain
// that records that it came.
func templateScheduler(t *testing.T, start time.Time) (*local.Scheduler, *local.Clock, *[]fired) {
	t.Helper()
	tpl, err := template.LoadProject()
	if err != nil {
		t.Fatal(err)
	}
	clock := &local.Clock{}
	clock.Set(start)
	var log []fired
	s := local.NewScheduler(clock, func(context.Context) error {
		log = append(log, fired{schedule: "drain", at: clock.Now()})
		return nil
	})
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		for _, sc := range f.Schedules {
			job := func(_ context.Context, input []byte) (any, error) {
				log = append(log, fired{schedule: name, at: clock.Now(), input: string(input)})
				return nil, nil
			}
			if err := s.Add(name, sc.Expression, sc.Timezone, []byte(sc.Input), job); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	return s, clock, &log
}

// at lists the times a schedule's job ran, in UTC, to the minute (the
// clock runs on with real time while a job runs).
func at(log []fired, schedule string) []string {
	var out []string
	for _, f := range log {
		if f.schedule == schedule {
			out = append(out, f.at.UTC().Format("2006-01-02T15:04Z"))
		}
	}
	return out
}

func moveTo(t *testing.T, s *local.Scheduler, to string) local.Move {
	t.Helper()
	mv, err := s.MoveTo(context.Background(), utc(to))
	if err != nil {
		t.Fatal(err)
	}
	return mv
}

// The annual run of the template fires when the clock passes 2 January
// 07:00 in Paris — 06:00 UTC — once, with the schedule's input, while the
// clock reads that time; not on 1 January, nor a minute early.
func TestSchedulerFiresTheAnnualRunOn2JanuaryInParis(t *testing.T) {
	s, _, log := templateScheduler(t, utc("2026-12-31T12:00:00Z"))
	moveTo(t, s, "2027-01-01T06:59:00Z")
	moveTo(t, s, "2027-01-02T05:59:00Z")
	if got := at(*log, "annual-invoices"); len(got) != 0 {
		t.Fatalf("the annual run fired before 2 January 07:00 Paris: %v", got)
	}
	mv := moveTo(t, s, "2027-01-02T06:00:00Z")
	if got := at(*log, "annual-invoices"); !slices.Equal(got, []string{"2027-01-02T06:00Z"}) {
		t.Fatalf("annual runs %v, want one at 2027-01-02T06:00Z", got)
	}
	if mv.Ran["annual-invoices"] != 1 || mv.Runs[len(mv.Runs)-1].At.Format(time.RFC3339) != "2027-01-02T07:00:00+01:00" {
		t.Errorf("the move reports %v, last run %+v", mv.Ran, mv.Runs[len(mv.Runs)-1])
	}
	for _, f := range *log {
		if f.schedule == "annual-invoices" && f.input != `{"schedule":"annual-invoices"}` {
			t.Errorf("the annual run's input: %s", f.input)
		}
	}
	if got := at(*log, "daily"); !slices.Equal(got, []string{"2027-01-01T05:00Z", "2027-01-02T05:00Z"}) {
		t.Errorf("daily runs %v", got)
	}
	moveTo(t, s, "2027-12-31T00:00:00Z")
	if got := at(*log, "annual-invoices"); len(got) != 1 {
		t.Errorf("annual runs in 2027: %v", got)
	}
}

// The daily run fires at 06:00 in Paris whatever the offset: 05:00 UTC in
// winter, 04:00 UTC in summer, on the day the clocks change too.
func TestSchedulerFiresDailyRunsAt6InParisAcrossClockChanges(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"into summer time", "2026-03-27T12:00:00Z", "2026-03-31T12:00:00Z",
			[]string{"2026-03-28T05:00Z", "2026-03-29T04:00Z", "2026-03-30T04:00Z", "2026-03-31T04:00Z"}},
		{"into winter time", "2026-10-23T12:00:00Z", "2026-10-27T12:00:00Z",
			[]string{"2026-10-24T04:00Z", "2026-10-25T05:00Z", "2026-10-26T05:00Z", "2026-10-27T05:00Z"}},
		{"29 February", "2028-02-28T12:00:00Z", "2028-03-01T12:00:00Z",
			[]string{"2028-02-29T05:00Z", "2028-03-01T05:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, log := templateScheduler(t, utc(tt.from))
			moveTo(t, s, tt.to)
			if got := at(*log, "daily"); !slices.Equal(got, tt.want) {
				t.Errorf("daily runs %v, want %v", got, tt.want)
			}
		})
	}
}

// A move runs each occurrence in time order and drains the streams after
// each; the sweeper's five-minute occurrences between two other runs run
// once, at the latest, and stand for all of them.
func TestSchedulerRunsInOrderAndDrainsBetweenRuns(t *testing.T) {
	start := utc("2026-12-30T12:00:00Z")
	s, _, log := templateScheduler(t, start)
	to := utc("2027-01-03T12:02:00Z")
	mv := moveTo(t, s, to.Format(time.RFC3339))
	var names []string
	for _, f := range *log {
		names = append(names, f.schedule)
	}
	for i := 0; i < len(names); i += 2 {
		if names[i] == "drain" || i+1 >= len(names) || names[i+1] != "drain" {
			t.Fatalf("each run is followed by a drain: %v", names)
		}
	}
	for i := 1; i < len(*log); i++ {
		if (*log)[i].at.Before((*log)[i-1].at) {
			t.Fatalf("out of order: %+v then %+v", (*log)[i-1], (*log)[i])
		}
	}
	// Four days: 4 daily runs, the annual run, and a sweep before each of
	// them and at the end of the move.
	if mv.Ran["daily"] != 4 || mv.Ran["annual-invoices"] != 1 || mv.Ran["sweeper"] != 6 {
		t.Errorf("ran %v, want 4 daily, 1 annual, 6 sweeps", mv.Ran)
	}
	occurrences := 0
	for _, r := range mv.Runs {
		if r.Schedule == "sweeper" {
			occurrences += r.Occurrences
		}
	}
	// The first at the start (a rate schedule starts at once), then every
	// five minutes.
	if want := int(to.Sub(start)/(5*time.Minute)) + 1; occurrences != want {
		t.Errorf("the sweeps stand for %d occurrences, want %d", occurrences, want)
	}
}

// A failing run is reported and the next ones go ahead; a move into the
// past is refused, and runs nothing.
func TestSchedulerGoesOnAfterAFailureAndRefusesThePast(t *testing.T) {
	clock := &local.Clock{}
	clock.Set(utc("2027-03-01T12:00:00Z"))
	s := local.NewScheduler(clock, func(context.Context) error { return nil })
	calls := 0
	if err := s.Add("daily", "cron(0 6 * * ? *)", "Europe/Paris", nil, func(context.Context, []byte) (any, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("table unavailable")
		}
		return "ok", nil
	}); err != nil {
		t.Fatal(err)
	}
	mv := moveTo(t, s, "2027-03-03T12:00:00Z")
	if len(mv.Runs) != 2 || mv.Runs[0].Error != "table unavailable" || mv.Runs[1].Result != "ok" {
		t.Fatalf("runs %+v", mv.Runs)
	}
	before := clock.Now()
	_, err := s.MoveTo(context.Background(), before.Add(-time.Hour))
	if !errors.Is(err, local.ErrBackwards) || calls != 2 || clock.Now().Before(before) {
		t.Fatalf("a move back: %v, %d calls, clock %v", err, calls, clock.Now())
	}
	if _, err := s.MoveTo(context.Background(), before.AddDate(11, 0, 0)); err == nil {
		t.Error("a move of eleven years was not refused")
	}
}
