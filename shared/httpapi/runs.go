package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/runs"
)

// pollAfter is the Retry-After of a run not finished yet, in seconds.
const pollAfter = "2"

// runView is a run as the API shows it.
type runView struct {
	RunID       string          `json:"runId"`
	Schedule    string          `json:"schedule"`
	Status      runs.Status     `json:"status"`
	Input       json.RawMessage `json:"input,omitempty"`
	RequestedBy string          `json:"requestedBy"`
	RequestedAt time.Time       `json:"requestedAt"`
	Attempts    int             `json:"attempts"`
	StartedAt   *time.Time      `json:"startedAt,omitempty"`
	FinishedAt  *time.Time      `json:"finishedAt,omitempty"`
	Result      json.RawMessage `json:"result,omitempty"`
	Error       string          `json:"error,omitempty"`
}

func viewOfRun(r runs.Run) runView {
	v := runView{RunID: r.ID, Schedule: r.Schedule, Status: r.Status, Input: r.Input, RequestedBy: r.RequestedBy,
		RequestedAt: r.RequestedAt.UTC(), Attempts: r.Attempts, Result: r.Result, Error: r.Error}
	if !r.StartedAt.IsZero() {
		t := r.StartedAt.UTC()
		v.StartedAt = &t
	}
	if !r.FinishedAt.IsZero() {
		t := r.FinishedAt.UTC()
		v.FinishedAt = &t
	}
	return v
}

// schedule is the path's schedule, one the secretariat can run.
func schedule(r *http.Request) (string, error) {
	name := r.PathValue("schedule")
	if !runs.Known(name) {
		return "", failure.New(failure.NotFound, "no schedule named %q", name)
	}
	return name, nil
}

// runSchedule asks for a run of a schedule now. It does not wait for it: it
// answers 202 with the queued run and its Location, which the caller polls,
// and the schedule's own function runs it (package runs says how, and why
// not here: API Gateway gives a request 30 seconds). With an
// Idempotency-Key a repeated request answers the same run; another request
// while a run of the schedule is queued or running gets 409 and that run's
// Location.
func (a *API) runSchedule(w http.ResponseWriter, r *http.Request) {
	p, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	name, err := schedule(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	input, err := readBody(r, a.maxBody())
	if err == nil {
		// Every schedule takes a RunInput; only the annual invoicing
		// reads its year. A bad one is refused now, not failed later.
		_, err = membership.RunYear(input)
	}
	var run runs.Run
	if err == nil {
		run, err = runs.New(a.NewID(), name, input, p.Actor(), a.Now())
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	a.createOnce(w, r, "runs:"+name, input,
		func() (created, error) {
			return created{Status: http.StatusAccepted, Location: link(r, runs.Path(name, run.ID)), Body: viewOfRun(run)}, nil
		},
		func(rec *idempotency.Record) error {
			err := runs.Request(r.Context(), a.Store, run, rec)
			var busy *runs.Busy
			if !errors.As(err, &busy) {
				return err
			}
			if rec != nil {
				// The run in progress may be this key's own, asked for by
				// a concurrent duplicate whose transaction won on the
				// lock: its answer is the one to replay.
				if _, found, err := a.Store.IdempotencyRecord(r.Context(), rec.Scope, rec.Key, a.Now()); err == nil && found {
					return idempotency.ErrRace
				}
			}
			w.Header().Set("Location", link(r, runs.Path(name, busy.Run.ID)))
			if busy.Run.Status == runs.Running {
				return failure.New(failure.Conflict, "a run of %s is already running: %s", name, busy.Run.ID)
			}
			return failure.New(failure.Conflict, "a run of %s is already queued: %s", name, busy.Run.ID)
		})
}

// getRun answers a run as it stands, with Retry-After until it is finished.
func (a *API) getRun(w http.ResponseWriter, r *http.Request) {
	_, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	name, err := schedule(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id := r.PathValue("runId")
	if !ids.Valid(id) {
		writeProblem(w, r, failure.Fields("invalid run id", failure.FieldError{Pointer: "path/runId", Detail: "is not a run id"}))
		return
	}
	run, err := a.Store.Run(r.Context(), name, id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if !run.Finished() {
		w.Header().Set("Retry-After", pollAfter)
	}
	writeJSON(w, http.StatusOK, "application/json", viewOfRun(run))
}
