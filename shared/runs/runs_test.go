package runs

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

var now = time.Date(2026, time.November, 30, 7, 40, 0, 0, time.UTC)

// memory is a Store and a RequestStore in memory: runs by id, and each
// schedule's lock.
type memory struct {
	runs     map[string]Run
	locks    map[string]string // schedule → run id
	raceOnce bool              // the next CreateRun loses on its idempotency record
	finished []Run
	released []string
}

func newMemory() *memory { return &memory{runs: map[string]Run{}, locks: map[string]string{}} }

func (m *memory) CreateRun(_ context.Context, r Run, holder string, idem *idempotency.Record) error {
	if m.raceOnce && idem != nil {
		m.raceOnce = false
		return idempotency.ErrRace
	}
	if m.locks[r.Schedule] != holder {
		return &Held{RunID: m.locks[r.Schedule]}
	}
	m.locks[r.Schedule], m.runs[r.ID] = r.ID, r
	return nil
}

func (m *memory) Run(_ context.Context, schedule, id string) (Run, error) {
	r, ok := m.runs[id]
	if !ok || r.Schedule != schedule {
		return Run{}, failure.New(failure.NotFound, "no run %s of %s", id, schedule)
	}
	return r, nil
}

func (m *memory) ClaimRun(_ context.Context, schedule, id string, _, _ time.Time) (Run, bool, error) {
	r, ok := m.runs[id]
	if !ok || r.Schedule != schedule || r.Status != Queued {
		return Run{}, false, nil
	}
	r.Status, r.Attempts, r.StartedAt = Running, r.Attempts+1, now
	m.runs[id] = r
	return r, true, nil
}

func (m *memory) FinishRun(_ context.Context, r Run, _ time.Time) (bool, error) {
	m.runs[r.ID] = r
	m.finished = append(m.finished, r)
	return true, nil
}

func (m *memory) ReleaseSchedule(_ context.Context, schedule, id string) error {
	if m.locks[schedule] == id {
		delete(m.locks, schedule)
	}
	m.released = append(m.released, id)
	return nil
}

func queued(t *testing.T, id, schedule string) Run {
	t.Helper()
	r, err := New(id, schedule, nil, "secretariat:Jane Doe", now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewKeepsTheInputCompact(t *testing.T) {
	r, err := New("r1", "annual-invoices", []byte(" {\n \"year\": 2027 }\n"), "secretariat:Jane Doe", now)
	if err != nil || string(r.Input) != `{"year":2027}` || r.Status != Queued || !r.RequestedAt.Equal(now) {
		t.Fatalf("%+v, %v", r, err)
	}
	if r, err := New("r2", "daily", []byte("  "), "x", now); err != nil || r.Input != nil {
		t.Fatalf("no input: %+v, %v", r, err)
	}
	if _, err := New("r3", "daily", []byte(`{"year":2027} {}`), "x", now); failure.KindOf(err) != failure.Invalid {
		t.Fatalf("two values: %v", err)
	}
}

func TestRequestAllowsOneRunOfAScheduleAtATime(t *testing.T) {
	ctx := context.Background()
	m := newMemory()
	if err := Request(ctx, m, queued(t, "first", "daily"), nil); err != nil {
		t.Fatal(err)
	}
	var busy *Busy
	if err := Request(ctx, m, queued(t, "second", "daily"), nil); !errors.As(err, &busy) || busy.Run.ID != "first" {
		t.Fatalf("a second run while the first is queued: %v", err)
	}
	if err := Request(ctx, m, queued(t, "sweep", "sweeper"), nil); err != nil {
		t.Fatalf("another schedule: %v", err)
	}
	// A lock its finished run did not free, or whose run is gone, is
	// taken over.
	done := m.runs["first"]
	done.Status = Succeeded
	m.runs["first"] = done
	if err := Request(ctx, m, queued(t, "third", "daily"), nil); err != nil || m.locks["daily"] != "third" {
		t.Fatalf("over a finished run's lock: %v, lock %q", err, m.locks["daily"])
	}
	delete(m.runs, "third")
	if err := Request(ctx, m, queued(t, "fourth", "daily"), nil); err != nil || m.locks["daily"] != "fourth" {
		t.Fatalf("over a lock whose run is gone: %v, lock %q", err, m.locks["daily"])
	}
	// A lost race on the Idempotency-Key is the caller's to replay.
	m.raceOnce = true
	if err := Request(ctx, m, queued(t, "fifth", "sweeper"), &idempotency.Record{}); !errors.Is(err, idempotency.ErrRace) {
		t.Fatalf("a lost race: %v", err)
	}
}

func runner(m *memory, job Job) *Runner {
	return &Runner{Schedule: "daily", Job: job, Store: m, Now: func() time.Time { return now }, Lease: time.Minute}
}

func TestRunnerRecordsEachOutcome(t *testing.T) {
	internal := "the run failed on an internal error; the function's log has it under this run's id"
	for _, tc := range []struct {
		name   string
		job    Job
		status Status
		result string
		error  string
	}{
		{"a report", func(context.Context, []byte) (any, error) { return map[string]int{"reminded": 2}, nil },
			Succeeded, `{"reminded":2}`, ""},
		{"a failure with a kind", func(context.Context, []byte) (any, error) {
			return nil, failure.Fields("invalid run input", failure.Field("/year", "must be a plausible year"))
		}, Failed, "", "invalid run input: /year must be a plausible year"},
		{"a failure among others", func(context.Context, []byte) (any, error) {
			return nil, errors.Join(errors.New("throttled"), failure.New(failure.Conflict, "city c has no agreement"))
		}, Failed, "", "city c has no agreement"},
		{"an internal error", func(context.Context, []byte) (any, error) { return nil, errors.New("AccessDeniedException") },
			Failed, "", internal},
		{"a panic", func(context.Context, []byte) (any, error) { panic("nil map") }, Failed, "", internal},
		{"a report that is no JSON", func(context.Context, []byte) (any, error) { return func() {}, nil }, Failed, "", internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMemory()
			r := queued(t, "r1", "daily")
			m.runs["r1"], m.locks["daily"] = r, "r1"
			if err := runner(m, tc.job).Run(context.Background(), "daily", "r1"); err != nil {
				t.Fatal(err)
			}
			got := m.runs["r1"]
			if got.Status != tc.status || string(got.Result) != tc.result || got.Error != tc.error || !got.FinishedAt.Equal(now) ||
				got.Attempts != 1 {
				t.Fatalf("%+v, want %s %s %q", got, tc.status, tc.result, tc.error)
			}
			if _, held := m.locks["daily"]; held {
				t.Error("the schedule is still held")
			}
		})
	}
}

func TestRunnerRunsNothingItShouldNot(t *testing.T) {
	ran := 0
	job := func(context.Context, []byte) (any, error) { ran++; return "ok", nil }
	m := newMemory()
	r := queued(t, "other", "sweeper")
	m.runs["other"] = r
	if err := runner(m, job).Run(context.Background(), "sweeper", "other"); err != nil || m.runs["other"].Status != Queued {
		t.Fatalf("another schedule's run: %v %+v", err, m.runs["other"])
	}
	done := queued(t, "done", "daily")
	done.Status = Succeeded
	m.runs["done"] = done
	if err := runner(m, job).Run(context.Background(), "daily", "done"); err != nil || len(m.finished) != 0 {
		t.Fatalf("a finished run: %v %+v", err, m.finished)
	}
	crashed := queued(t, "crashed", "daily")
	crashed.Attempts = MaxAttempts
	m.runs["crashed"] = crashed
	if err := runner(m, job).Run(context.Background(), "daily", "crashed"); err != nil {
		t.Fatal(err)
	}
	if got := m.runs["crashed"]; got.Status != Failed || !strings.Contains(got.Error, "stopped 3 times without finishing") {
		t.Fatalf("a run started for the 4th time: %+v", got)
	}
	if ran != 0 {
		t.Fatalf("the job ran %d times", ran)
	}
}

func TestRunnerStopsTheJobBeforeTheDeadline(t *testing.T) {
	m := newMemory()
	m.runs["slow"] = queued(t, "slow", "daily")
	job := func(ctx context.Context, _ []byte) (any, error) { <-ctx.Done(); return nil, ctx.Err() }
	ctx, cancel := context.WithTimeout(context.Background(), finishMargin+100*time.Millisecond)
	defer cancel()
	if err := runner(m, job).Run(ctx, "daily", "slow"); err != nil {
		t.Fatal(err)
	}
	if got := m.runs["slow"]; got.Status != Failed || got.Error != reasonTimeout || ctx.Err() != nil {
		t.Fatalf("%+v; the function's context: %v", got, ctx.Err())
	}
}

func TestHandlerTellsTheStreamFromTheSchedule(t *testing.T) {
	var consumed []outbox.Key
	var inputs []string
	h := Handler(func(_ context.Context, input []byte) (any, error) {
		inputs = append(inputs, string(input))
		return "report", nil
	}, func(_ context.Context, k outbox.Key) error {
		consumed = append(consumed, k)
		return nil
	})
	ctx := context.Background()
	if out, err := h(ctx, json.RawMessage(`{"schedule":"daily"}`)); err != nil || out != "report" {
		t.Fatalf("the schedule's input: %v %v", out, err)
	}
	record := `{"Records":[{"eventID":"1","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"7",
		"NewImage":{"pk":{"S":"SCHEDULE#daily"},"sk":{"S":"RUN#r1"},"type":{"S":"run"},"status":{"S":"pending"}}}}]}`
	out, err := h(ctx, json.RawMessage(record))
	if err != nil || len(consumed) != 1 || consumed[0] != (outbox.Key{PK: "SCHEDULE#daily", SK: "RUN#r1"}) {
		t.Fatalf("a stream event: %v %v %v", out, err, consumed)
	}
	if b, _ := json.Marshal(out); string(b) != `{"batchItemFailures":[]}` && string(b) != `{"batchItemFailures":null}` {
		t.Errorf("the stream's answer: %s", b)
	}
	if _, err := h(ctx, json.RawMessage(`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"NewImage":"x"}}]}`)); err == nil {
		t.Error("a stream event that does not decode ran as a schedule's input")
	}
	if len(inputs) != 1 {
		t.Errorf("the job ran for %v", inputs)
	}
}
