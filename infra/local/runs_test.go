package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/runs"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// The runs the secretariat asks for (package runs): each runs once in its
// schedule's function, whatever the stream delivers, and ends succeeded or
// failed, whatever happens to the function.

// askRun asks for a run and returns its id.
func askRun(t *testing.T, s *localtest.Stack, adm, schedule string) string {
	t.Helper()
	status, hdr, body := s.Do(http.MethodPost, "/admin/runs/"+schedule, adm, "")
	var r struct{ RunID string }
	if err := json.Unmarshal(body, &r); status != http.StatusAccepted || err != nil || hdr.Get("Location") != runs.Path(schedule, r.RunID) {
		t.Fatalf("POST /admin/runs/%s: %d (Location %q) %s", schedule, status, hdr.Get("Location"), body)
	}
	return r.RunID
}

// runNamed reads a run as stored.
func runNamed(t *testing.T, s *localtest.Stack, schedule, id string) runs.Run {
	t.Helper()
	r, err := s.Store.Run(t.Context(), schedule, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runRecord is the stream event of a run's record as its INSERT brings it.
func runRecord(t *testing.T, schedule, id string) []byte {
	t.Helper()
	b, err := json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
		EventName: "INSERT", EventSource: "aws:dynamodb", EventID: "e-" + id,
		Change: events.DynamoDBStreamRecord{SequenceNumber: "100", StreamViewType: "NEW_AND_OLD_IMAGES",
			NewImage: map[string]events.DynamoDBAttributeValue{
				"pk": events.NewStringAttribute(store.SchedulePrefix + schedule), "sk": events.NewStringAttribute(store.RunPrefix + id),
				"type": events.NewStringAttribute("run"), "schedule": events.NewStringAttribute(schedule),
				"status": events.NewStringAttribute("pending"),
			}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// counted replaces the job a schedule's function runs for the runs asked
// for (the scheduled invocations keep theirs) by job, counting its starts.
func counted(s *localtest.Stack, schedule string, job runs.Job) *atomic.Int32 {
	n := &atomic.Int32{}
	s.Runners[schedule].Job = func(ctx context.Context, input []byte) (any, error) {
		n.Add(1)
		return job(ctx, input)
	}
	return n
}

func TestARunRunsOnceWhateverTheStreamDelivers(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	n := counted(s, "sweeper", func(context.Context, []byte) (any, error) {
		time.Sleep(50 * time.Millisecond)
		return map[string]int{"found": 0}, nil
	})
	id := askRun(t, s, adm, "sweeper")
	// The record three times at once (a duplicate, a retry), and the
	// stream's own delivery.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := s.Scheduled["sweeper"](t.Context(), runRecord(t, "sweeper", id)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() { s.Drain() })
	wg.Wait()
	s.Drain()
	if _, err := s.Scheduled["sweeper"](t.Context(), runRecord(t, "sweeper", id)); err != nil {
		t.Fatal(err)
	}
	if r := runNamed(t, s, "sweeper", id); n.Load() != 1 || r.Status != runs.Succeeded || r.Attempts != 1 || string(r.Result) != `{"found":0}` {
		t.Fatalf("ran %d times: %+v", n.Load(), r)
	}
}

func TestARunReachesOnlyItsSchedulesFunction(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	daily := counted(s, "daily", func(context.Context, []byte) (any, error) { return "daily", nil })
	sweeps := counted(s, "sweeper", func(context.Context, []byte) (any, error) { return "sweep", nil })
	id := askRun(t, s, adm, "sweeper")
	// Were the daily function's filter wrong, it would still not run it.
	if _, err := s.Scheduled["daily"](t.Context(), runRecord(t, "sweeper", id)); err != nil {
		t.Fatal(err)
	}
	if r := runNamed(t, s, "sweeper", id); r.Status != runs.Queued {
		t.Fatalf("the daily function took a sweeper's run: %+v", r)
	}
	askRun(t, s, adm, "daily")
	s.Drain()
	if daily.Load() != 1 || sweeps.Load() != 1 {
		t.Fatalf("daily ran %d runs and the sweeper %d, want one each", daily.Load(), sweeps.Load())
	}
}

func TestAFailedRunSaysWhyAndFreesItsSchedule(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	for _, tc := range []struct {
		name string
		job  runs.Job
		want string
	}{
		{"a failure the secretariat can act on", func(context.Context, []byte) (any, error) {
			return nil, failure.New(failure.Conflict, "city %s has no agreement", "k5vq3ztm2xw7cjr4hbn6dpaafe")
		}, "city k5vq3ztm2xw7cjr4hbn6dpaafe has no agreement"},
		{"an internal error, which stays in the log", func(context.Context, []byte) (any, error) {
			return nil, errors.New("operation error DynamoDB: Query, AccessDeniedException")
		}, "the run failed on an internal error; the function's log has it under this run's id"},
		{"a panic", func(context.Context, []byte) (any, error) { panic("index out of range") },
			"the run failed on an internal error; the function's log has it under this run's id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counted(s, "daily", tc.job)
			id := askRun(t, s, adm, "daily")
			s.Drain()
			status, hdr, body := s.Do(http.MethodGet, runs.Path("daily", id), adm, "")
			var r struct{ Status, Error string }
			if err := json.Unmarshal(body, &r); err != nil || status != http.StatusOK || hdr.Get("Retry-After") != "" ||
				r.Status != "failed" || r.Error != tc.want || strings.Contains(string(body), `"result"`) {
				t.Fatalf("GET the failed run: %d (Retry-After %q) %s, want the error %q", status, hdr.Get("Retry-After"), body, tc.want)
			}
		})
	}
	// Freed: the next run goes ahead.
	counted(s, "daily", func(context.Context, []byte) (any, error) { return "ok", nil })
	s.RunSchedule(adm, "daily", "")
}

func TestARunPastItsFunctionsTimeLimitFails(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	counted(s, "daily", func(ctx context.Context, _ []byte) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	id := askRun(t, s, adm, "daily")
	// Lambda's context ends at the function's timeout: the job's ends a
	// little before, so that the outcome can be recorded.
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
	defer cancel()
	if _, err := s.Scheduled["daily"](ctx, runRecord(t, "daily", id)); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the outcome was recorded after the function's deadline")
	}
	if r := runNamed(t, s, "daily", id); r.Status != runs.Failed || !strings.Contains(r.Error, "did not finish within its function's time limit") {
		t.Fatalf("the run past its time limit: %+v", r)
	}
	s.Drain() // the stream's own delivery finds it finished
	if r := runNamed(t, s, "daily", id); r.Attempts != 1 {
		t.Fatalf("started %d times", r.Attempts)
	}
}

// A function that dies while it runs a run (out of memory, killed) leaves
// the run running under its lease. Once the lease is over, the sweeper puts
// it back in the queue and the stream delivers it again; after MaxAttempts
// starts that never finished, the run is marked failed.
func TestACrashedRunIsRunAgainThenGivenUp(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	n := counted(s, "daily", func(context.Context, []byte) (any, error) { return "done", nil })
	crash := func(id string) {
		t.Helper()
		now := s.Clock.Now()
		if _, ok, err := s.Store.ClaimRun(t.Context(), "daily", id, now, now.Add(15*time.Minute)); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	sweepLater := func() {
		t.Helper()
		s.Clock.Advance(16 * time.Minute)
		if _, err := s.Scheduled["sweeper"](t.Context(), []byte(`{"schedule":"sweeper"}`)); err != nil {
			t.Fatal(err)
		}
	}

	// Started, then the function died: running, and the stream's delivery
	// leaves it to its lease.
	id := askRun(t, s, adm, "daily")
	crash(id)
	s.Drain()
	status, hdr, body := s.Do(http.MethodGet, runs.Path("daily", id), adm, "")
	if status != http.StatusOK || hdr.Get("Retry-After") == "" || !strings.Contains(string(body), `"status":"running"`) {
		t.Fatalf("GET a run whose function died: %d (Retry-After %q) %s", status, hdr.Get("Retry-After"), body)
	}
	if status, _, _ := s.Do(http.MethodPost, "/admin/runs/daily", adm, ""); status != http.StatusConflict {
		t.Fatalf("another run while it holds the schedule: %d", status)
	}
	sweepLater()
	s.Drain()
	if r := runNamed(t, s, "daily", id); r.Status != runs.Succeeded || r.Attempts != 2 || n.Load() != 1 {
		t.Fatalf("the run re-driven: %+v, the job started %d times", r, n.Load())
	}

	// Died on every start: failed after the last, never running for good.
	id = askRun(t, s, adm, "daily")
	for range runs.MaxAttempts {
		crash(id)
		sweepLater()
	}
	s.Drain()
	r := runNamed(t, s, "daily", id)
	if r.Status != runs.Failed || !strings.Contains(r.Error, "stopped 3 times without finishing") || n.Load() != 1 {
		t.Fatalf("a run that never finished: %+v, the job started %d more times", r, n.Load()-1)
	}
	s.RunSchedule(adm, "daily", "")
}

// The schedule's lock is freed after the run's outcome is recorded: a
// function that died in between, or a run record that has expired, leaves
// a lock that the next request takes over.
func TestALockLeftBehindIsTakenOver(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id := askRun(t, s, adm, "daily")
	now := s.Clock.Now()
	r, ok, err := s.Store.ClaimRun(t.Context(), "daily", id, now, now.Add(time.Minute))
	if !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	r.Status, r.FinishedAt, r.Result = runs.Succeeded, now, json.RawMessage(`{}`)
	if ok, err := s.Store.FinishRun(t.Context(), r, now.Add(time.Hour)); !ok || err != nil {
		t.Fatalf("finish: %v %v", ok, err)
	}
	s.Drain()
	s.RunSchedule(adm, "daily", "")
}

// A double click: requests with the same Idempotency-Key at once ask for
// one run, and each gets its 202.
func TestADoubleClickAsksForOneRun(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	const clicks = 6
	var wg sync.WaitGroup
	statuses, bodies := make([]int, clicks), make([]string, clicks)
	for i := range clicks {
		wg.Go(func() {
			var b []byte
			statuses[i], _, b = s.Do(http.MethodPost, "/admin/runs/daily", adm, `{"schedule":"daily"}`, "Idempotency-Key", "double-click")
			bodies[i] = string(b)
		})
	}
	wg.Wait()
	for i := range clicks {
		if statuses[i] != http.StatusAccepted || bodies[i] != bodies[0] {
			t.Fatalf("click %d: %d %s, want 202 and %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	if n := s.Items(store.SchedulePrefix + "daily"); n != 2 {
		t.Fatalf("%d items for the daily schedule, want one run and its lock", n)
	}
}
