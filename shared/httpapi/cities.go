package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// ApplicationResponse answers POST /applications.
type ApplicationResponse struct {
	CityID      string              `json:"cityId"`
	Status      membership.Status   `json:"status"`
	Eligibility eligibility.Verdict `json:"eligibility"`
	AppliedAt   time.Time           `json:"appliedAt"`
	Links       map[string]string   `json:"links"`
}

func (a *API) createApplication(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, a.maxBody())
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	ap := applying{api: a, r: r}
	a.createOnce(w, r, "applications", body,
		func() (created, error) {
			var app membership.Application
			if err := decodeStrict(body, &app); err != nil {
				return created{}, err
			}
			return ap.plan(app)
		},
		ap.commit,
	)
}

// applying is the one way an application is recorded, whether it came as
// JSON (POST /applications) or from the form (POST /apply): plan decides
// what the application writes and answers, commit writes it.
type applying struct {
	api *API
	r   *http.Request
	// reasonsIn is the language the answer words the eligibility reasons
	// in; the application's own language when empty.
	reasonsIn i18n.Lang
	adm       membership.Change
}

func (ap *applying) plan(app membership.Application) (created, error) {
	a, r := ap.api, ap.r
	rules, err := a.rules(r)
	if err != nil {
		return created{}, err
	}
	if ap.adm, err = membership.Apply(app, rules, a.Now(), a.NewID); err != nil {
		return created{}, err
	}
	city := ap.adm.City
	// The reasons in the application's language (in the page's, for the
	// form): a replay of the same request answers the same words.
	lang := ap.reasonsIn
	if lang == "" {
		lang = i18n.Parse(city.Language)
	}
	loc := link(r, "/cities/"+city.ID)
	return created{Status: http.StatusCreated, Location: loc, Body: ApplicationResponse{
		CityID: city.ID, Status: city.Status, Eligibility: city.Eligibility.In(lang),
		AppliedAt: city.AppliedAt, Links: map[string]string{"city": loc},
	}}, nil
}

func (ap *applying) commit(rec *idempotency.Record) error {
	// A city has one open file: the name taken by an ended file is a
	// re-application; a few rounds settle concurrent ones.
	for range 3 {
		err := ap.api.Store.Apply(ap.r.Context(), ap.adm, rec)
		var taken *membership.NameTaken
		if !errors.As(err, &taken) {
			return err
		}
		if ap.adm, err = ap.adm.Reapply(taken.Holder); err != nil {
			return err
		}
	}
	return failure.New(failure.Conflict, "applications for this city are being recorded at the same moment; try again")
}

// CityResponse is a city's file as the API shows it.
type CityResponse struct {
	CityID                string              `json:"cityId"`
	Name                  string              `json:"name"`
	Country               string              `json:"country"`
	Population            int64               `json:"population"`
	ForeignBornShare      float64             `json:"foreignBornShare"`
	ForeignResidentShare  float64             `json:"foreignResidentShare"`
	NationalMinorityShare float64             `json:"nationalMinorityShare"`
	Contact               membership.Contact  `json:"contact"`
	Language              string              `json:"language"`
	Status                membership.Status   `json:"status"`
	NextSteps             []membership.Step   `json:"nextSteps"`
	Eligibility           eligibility.Verdict `json:"eligibility"`
	AppliedAt             time.Time           `json:"appliedAt"`
	UpdatedAt             time.Time           `json:"updatedAt"`
	IntentSignedOn        string              `json:"intentSignedOn,omitempty"`
	ExpertVisit           *VisitView          `json:"expertVisit,omitempty"`
	Profile               *ProfileView        `json:"profile,omitempty"`
	Agreement             *AgreementView      `json:"agreement,omitempty"`
	Termination           *TerminationView    `json:"termination,omitempty"`
	PreviousCityID        string              `json:"previousCityId,omitempty"`
	LatestIndex           *LatestIndex        `json:"latestIndex,omitempty"`
	// Billing is how the city is invoiced, once recorded
	// (PUT /cities/{cityId}/billing).
	Billing  *fees.Buyer     `json:"billing,omitempty"`
	Timeline []TimelineEntry `json:"timeline,omitempty"`
}

// LatestIndex is the city's latest scored INDEX submission, with the link
// to its areas and standings.
type LatestIndex struct {
	SubmissionID string            `json:"submissionId"`
	Version      string            `json:"version"`
	SubmittedAt  time.Time         `json:"submittedAt"`
	Aggregate    float64           `json:"aggregate"`
	Links        map[string]string `json:"links"`
}

// VisitView is the expert visit as the API shows it.
type VisitView struct {
	VisitID        string              `json:"visitId"`
	ScheduledFor   string              `json:"scheduledFor"`
	Experts        []membership.Person `json:"experts"`
	Representative membership.Person   `json:"representative"`
	HeldOn         string              `json:"heldOn,omitempty"`
	Diagnosis      string              `json:"diagnosis,omitempty"`
}

// ProfileView is the intercultural profile as the API shows it.
type ProfileView struct {
	Title    string `json:"title"`
	IssuedOn string `json:"issuedOn"`
	Link     string `json:"link,omitempty"`
	Summary  string `json:"summary,omitempty"`
}

// AgreementView is the agreement as the API shows it.
type AgreementView struct {
	CitySignedOn string           `json:"citySignedOn"`
	CoESignedOn  string           `json:"coeSignedOn"`
	InForceFrom  string           `json:"inForceFrom"`
	EndsOn       string           `json:"endsOn"`
	FeePerYear   membership.Money `json:"feePerYear"`
	Amendments   []AmendmentView  `json:"amendments"`
}

// AmendmentView is an agreement in writing that moved the end date.
type AmendmentView struct {
	AgreedOn       string    `json:"agreedOn"`
	Reference      string    `json:"reference"`
	EndsOn         string    `json:"endsOn"`
	PreviousEndsOn string    `json:"previousEndsOn"`
	RecordedAt     time.Time `json:"recordedAt"`
}

// TerminationView is a termination notice as the API shows it.
type TerminationView struct {
	By          string `json:"by"`
	NoticeOn    string `json:"noticeOn"`
	EffectiveOn string `json:"effectiveOn"`
	Reason      string `json:"reason"`
}

func visitView(v *membership.Visit) *VisitView {
	if v == nil {
		return nil
	}
	return &VisitView{VisitID: v.ID, ScheduledFor: v.ScheduledFor, Experts: v.Experts, Representative: v.Representative,
		HeldOn: v.HeldOn, Diagnosis: v.Diagnosis}
}

func profileView(p *membership.Profile) *ProfileView {
	if p == nil {
		return nil
	}
	return &ProfileView{Title: p.Title, IssuedOn: p.IssuedOn, Link: p.Link, Summary: p.Summary}
}

func agreementView(a *membership.Agreement) *AgreementView {
	if a == nil {
		return nil
	}
	v := &AgreementView{CitySignedOn: a.CitySignedOn, CoESignedOn: a.CoESignedOn, InForceFrom: a.InForceFrom,
		EndsOn: a.EndsOn, FeePerYear: a.FeePerYear, Amendments: []AmendmentView{}}
	for _, am := range a.Amendments {
		v.Amendments = append(v.Amendments, AmendmentView(am))
	}
	return v
}

func terminationView(t *membership.Termination) *TerminationView {
	if t == nil {
		return nil
	}
	return &TerminationView{By: t.By, NoticeOn: t.NoticeOn, EffectiveOn: t.EffectiveOn, Reason: t.Reason}
}

// TimelineEntry is one admission step.
type TimelineEntry struct {
	At     time.Time         `json:"at"`
	Type   string            `json:"type"`
	From   membership.Status `json:"from,omitempty"`
	To     membership.Status `json:"to,omitempty"`
	Actor  string            `json:"actor"`
	Detail string            `json:"detail,omitempty"`
}

func cityView(r *http.Request, c membership.City, events []membership.Event) CityResponse {
	resp := CityResponse{
		CityID: c.ID, Name: c.Name, Country: c.Country, Population: c.Population,
		ForeignBornShare: c.ForeignBornShare, ForeignResidentShare: c.ForeignResidentShare,
		NationalMinorityShare: c.NationalMinorityShare, Contact: c.Contact, Language: c.Language,
		Status: c.Status, NextSteps: membership.Next(c.Status), Eligibility: c.Eligibility.In(requestLanguage(r)),
		AppliedAt: c.AppliedAt, UpdatedAt: c.UpdatedAt, IntentSignedOn: c.IntentSignedOn, ExpertVisit: visitView(c.Visit),
		Profile: profileView(c.Profile), Agreement: agreementView(c.Agreement), Termination: terminationView(c.Termination),
		PreviousCityID: c.PreviousCityID, Billing: c.Billing,
	}
	if resp.NextSteps == nil {
		resp.NextSteps = []membership.Step{}
	}
	if l := c.LatestIndex; l != nil {
		resp.LatestIndex = &LatestIndex{SubmissionID: l.SubmissionID, Version: l.Version, SubmittedAt: l.SubmittedAt,
			Aggregate: l.Aggregate, Links: map[string]string{"submission": link(r, "/cities/"+c.ID+"/index/submissions/"+l.SubmissionID)}}
	}
	if events != nil {
		resp.Timeline = make([]TimelineEntry, 0, len(events))
	}
	for _, e := range events {
		resp.Timeline = append(resp.Timeline, TimelineEntry{
			At: e.At, Type: e.Type, From: e.From, To: e.To, Actor: e.Actor, Detail: e.Detail,
		})
	}
	return resp
}

func cityID(r *http.Request) (string, error) {
	id := r.PathValue("cityId")
	if !ids.Valid(id) {
		return "", failure.Fields("invalid city id",
			failure.FieldError{Pointer: "path/cityId", Detail: "is not a city id"})
	}
	return id, nil
}

func (a *API) getCity(w http.ResponseWriter, r *http.Request) {
	p, err := a.principal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := cityID(r)
	if err == nil {
		err = p.RequireCity(id)
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	c, events, err := a.Store.City(r.Context(), id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if events == nil {
		events = []membership.Event{}
	}
	resp := cityView(r, c, events)
	writeJSON(w, http.StatusOK, "application/json", resp)
}
