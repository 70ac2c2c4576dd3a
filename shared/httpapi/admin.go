package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

func (a *API) secretariat(r *http.Request) (auth.Principal, error) {
	p, err := a.principal(r)
	if err == nil {
		err = p.RequireSecretariat()
	}
	return p, err
}

// step runs one secretariat workflow step on the path's city: decode the
// body into a fresh In, let do compute the change from the city as stored,
// and record it. With an Idempotency-Key the answer (the city after the
// step) is stored in the step's own transaction and replayed.
func step[In any](a *API, w http.ResponseWriter, r *http.Request,
	do func(c membership.City, in In, now time.Time, actor string) (membership.Change, error),
) {
	p, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := cityID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var in In
	body, err := readJSON(r, a.maxBody(), &in)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	a.record(w, r, id, body, func(c membership.City) (membership.Change, error) {
		return do(c, in, a.Now(), p.Actor())
	})
}

// record writes one change to a city, once per Idempotency-Key: the key is
// read only when the step fails.
func (a *API) record(w http.ResponseWriter, r *http.Request, id string, body []byte,
	do func(membership.City) (membership.Change, error),
) {
	scope := r.Method + " " + r.URL.Path
	hash := idempotency.HashRequest(body)
	var rec *idempotency.Record
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		if err := idempotency.ValidKey(key); err != nil {
			writeProblem(w, r, err)
			return
		}
		now := a.Now()
		rec = &idempotency.Record{Scope: scope, Key: key, RequestHash: hash, Status: http.StatusOK,
			ContentType: "application/json", CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL)}
	}
	var out []byte
	var err error
	// A step that numbers a document (an agreement's first invoice) takes
	// the next number of its series; another document taking it meanwhile
	// makes the step run again with the next one.
	for range numberTries {
		_, err = a.Store.UpdateCity(r.Context(), id, rec, func(c membership.City) (membership.Change, error) {
			ch, err := do(c)
			if err != nil {
				return ch, err
			}
			out, err = json.Marshal(cityView(r, ch.City, nil))
			if rec != nil {
				rec.Body = out
			}
			return ch, err
		})
		if !errors.Is(err, membership.ErrNumberTaken) {
			break
		}
	}
	// A key answered before (a retry, a double click) makes the step fail
	// — refused by the status it moved the city to, or by the record —
	// and gets that answer (see once).
	if err != nil && rec != nil && a.replay(w, r, scope, rec.Key, hash) {
		return
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	writeStored(w, http.StatusOK, "", "application/json", out)
}

func (a *API) scheduleVisit(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.VisitInput, now time.Time, actor string) (membership.Change, error) {
		return c.ScheduleVisit(in, a.Rules, now, actor, a.NewID)
	})
}

func (a *API) holdVisit(w http.ResponseWriter, r *http.Request) {
	visit := r.PathValue("visitId")
	if !ids.Valid(visit) {
		writeProblem(w, r, failure.Fields("invalid visit id",
			failure.FieldError{Pointer: "path/visitId", Detail: "is not a visit id"}))
		return
	}
	step(a, w, r, func(c membership.City, in membership.VisitHeldInput, now time.Time, actor string) (membership.Change, error) {
		return c.HoldVisit(visit, in, now, actor, a.NewID)
	})
}

func (a *API) issueProfile(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.ProfileInput, now time.Time, actor string) (membership.Change, error) {
		return c.IssueProfile(in, now, actor, a.NewID)
	})
}

func (a *API) signAgreement(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.AgreementInput, now time.Time, actor string) (membership.Change, error) {
		// The first year's invoice takes the next number of today's series.
		seq, err := a.Store.NextNumber(r.Context(), fees.InvoiceSeries(fees.Today(now).Year()))
		if err != nil {
			return membership.Change{}, err
		}
		return c.SignAgreement(in, a.Rules, seq, now, actor, a.NewID)
	})
}

func (a *API) amendAgreement(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.AmendmentInput, now time.Time, actor string) (membership.Change, error) {
		return c.AmendAgreement(in, a.Rules, now, actor, a.NewID)
	})
}

func (a *API) notifyTermination(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.TerminationInput, now time.Time, actor string) (membership.Change, error) {
		return c.NotifyTermination(in, a.Rules, now, actor, a.NewID)
	})
}

func (a *API) withdraw(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.ReasonInput, now time.Time, actor string) (membership.Change, error) {
		return c.Withdraw(in, now, actor, a.NewID)
	})
}

func (a *API) decline(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.ReasonInput, now time.Time, actor string) (membership.Change, error) {
		return c.Decline(in, now, actor, a.NewID)
	})
}

func (a *API) signIntent(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, in membership.IntentInput, now time.Time, actor string) (membership.Change, error) {
		return c.SignIntent(in, now, actor, a.NewID)
	})
}

// TokenInput is the (empty) body of a token re-issue.
type TokenInput struct{}

func (a *API) reissueToken(w http.ResponseWriter, r *http.Request) {
	step(a, w, r, func(c membership.City, _ TokenInput, now time.Time, actor string) (membership.Change, error) {
		rules, err := a.rules(r)
		if err != nil {
			return membership.Change{}, err
		}
		return c.ReissueToken(rules, now, actor, a.NewID)
	})
}

// PipelineEntry is one city in the secretariat's pipeline.
type PipelineEntry struct {
	CityID       string            `json:"cityId"`
	Name         string            `json:"name"`
	Country      string            `json:"country"`
	Population   int64             `json:"population"`
	Status       membership.Status `json:"status"`
	Eligible     bool              `json:"eligible"`
	AppliedAt    time.Time         `json:"appliedAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	IntentSigned bool              `json:"intentSigned"`
}

// PipelineResponse is a page of the pipeline with the counts per status.
type PipelineResponse struct {
	Cities []PipelineEntry           `json:"cities"`
	Counts map[membership.Status]int `json:"counts"`
	Next   string                    `json:"next,omitempty"`
}

func (a *API) listCities(w http.ResponseWriter, r *http.Request) {
	if _, err := a.secretariat(r); err != nil {
		writeProblem(w, r, err)
		return
	}
	qs := r.URL.Query()
	var c failure.Collector
	status := membership.Status(qs.Get("status"))
	if status != "" && !slices.Contains(membership.Statuses, status) {
		c.Add("query/status", "must be one of %v", membership.Statuses)
	}
	country := qs.Get("country")
	if country != "" && !membership.IsCountry(country) {
		c.Add("query/country", "must be an ISO 3166-1 alpha-2 code")
	}
	q := qs.Get("q")
	if len(q) > 100 {
		c.Add("query/q", "must be at most 100 characters")
	}
	limit := 50
	if l := qs.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			c.Add("query/limit", "must be from 1 to 200")
		}
		limit = n
	}
	if err := c.Err("invalid query"); err != nil {
		writeProblem(w, r, err)
		return
	}
	page, err := a.Store.Pipeline(r.Context(), status, country, q, qs.Get("cursor"), int32(limit))
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	counts, err := a.Store.Counts(r.Context())
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	resp := PipelineResponse{Cities: make([]PipelineEntry, 0, len(page.Cities)), Counts: counts, Next: page.Next}
	for _, c := range page.Cities {
		resp.Cities = append(resp.Cities, PipelineEntry{CityID: c.ID, Name: c.Name, Country: c.Country,
			Population: c.Population, Status: c.Status, Eligible: c.Eligibility.Eligible, AppliedAt: c.AppliedAt,
			UpdatedAt: c.UpdatedAt, IntentSigned: c.IntentSignedOn != ""})
	}
	writeJSON(w, http.StatusOK, "application/json", resp)
}

// AuditEntry is one entry of a city's audit trail.
type AuditEntry struct {
	TimelineEntry
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (a *API) audit(w http.ResponseWriter, r *http.Request) {
	if _, err := a.secretariat(r); err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := cityID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	events, err := a.Store.Audit(r.Context(), id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	out := make([]AuditEntry, 0, len(events))
	for _, e := range events {
		entry := AuditEntry{TimelineEntry: TimelineEntry{At: e.At, Type: e.Type, From: e.From, To: e.To, Actor: e.Actor, Detail: e.Detail}}
		if e.Payload != "" {
			entry.Payload = json.RawMessage(e.Payload)
		}
		out = append(out, entry)
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"cityId": id, "entries": out})
}

func (a *API) addProgressReport(w http.ResponseWriter, r *http.Request) {
	id, p, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var in membership.ProgressInput
	body, err := readJSON(r, a.maxBody(), &in)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var ch membership.Change
	a.createOnce(w, r, "progress:"+id, body,
		func() (created, error) {
			c, err := a.Store.CityForUpdate(r.Context(), id)
			if err != nil {
				return created{}, err
			}
			ch, err = c.ReportProgress(in, a.Now(), p.Actor(), a.NewID)
			if err != nil {
				return created{}, err
			}
			return created{Status: http.StatusCreated, Body: progressView(ch.Records[0].(membership.ProgressReport))}, nil
		},
		func(rec *idempotency.Record) error { return a.Store.Apply(r.Context(), ch, rec) })
}

// ProgressReportView is a progress report as the API shows it.
type ProgressReportView struct {
	ReportID    string                 `json:"reportId"`
	CityID      string                 `json:"cityId"`
	Period      string                 `json:"period"`
	Actions     []string               `json:"actions"`
	Indicators  []membership.Indicator `json:"indicators"`
	Text        string                 `json:"text"`
	SubmittedAt time.Time              `json:"submittedAt"`
	SubmittedBy string                 `json:"submittedBy"`
}

func progressView(p membership.ProgressReport) ProgressReportView {
	return ProgressReportView{ReportID: p.ID, CityID: p.CityID, Period: p.Period, Actions: p.Actions,
		Indicators: p.Indicators, Text: p.Text, SubmittedAt: p.SubmittedAt, SubmittedBy: p.SubmittedBy}
}

func (a *API) listProgressReports(w http.ResponseWriter, r *http.Request) {
	id, _, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	reports, err := a.Store.ProgressReports(r.Context(), id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	views := make([]ProgressReportView, len(reports))
	for i, p := range reports {
		views[i] = progressView(p)
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"cityId": id, "reports": views})
}
