package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/practice"
)

// Reporting builds and renders analytical reports (package reporting):
// only the reports function has it, so that no other links the PDF library.
type Reporting interface {
	// Model builds a report's model as it stands today (the report
	// package's JSON).
	Model(ctx context.Context, c membership.City, r membership.Report) ([]byte, error)
	// Render renders a model as "html" or "pdf".
	Render(model []byte, format string) ([]byte, string, error)
}

// ReportView is a report as the API lists it.
type ReportView struct {
	ReportID       string            `json:"reportId"`
	CityID         string            `json:"cityId"`
	CityName       string            `json:"cityName"`
	SubmissionID   string            `json:"submissionId"`
	Status         string            `json:"status"`
	CreatedAt      time.Time         `json:"createdAt"`
	PublishedAt    *time.Time        `json:"publishedAt,omitempty"`
	Commentary     CommentaryView    `json:"commentary"`
	DocumentsReady bool              `json:"documentsReady"`
	Links          map[string]string `json:"links"`
}

// CommentaryView is the secretariat's commentary of a report.
type CommentaryView struct {
	Introduction index.Text            `json:"introduction"`
	Areas        map[string]index.Text `json:"areas"`
}

func reportView(r *http.Request, rep membership.Report) ReportView {
	self := link(r, "/cities/"+rep.CityID+"/reports/"+rep.ID)
	v := ReportView{ReportID: rep.ID, CityID: rep.CityID, CityName: rep.CityName, SubmissionID: rep.SubmissionID,
		Status: rep.Status, CreatedAt: rep.CreatedAt, DocumentsReady: rep.Documents,
		Commentary: CommentaryView{Introduction: rep.Commentary.Introduction, Areas: rep.Commentary.Areas},
		Links:      map[string]string{"self": self, "html": self + "?format=html", "pdf": self + "?format=pdf"}}
	if v.Commentary.Areas == nil {
		v.Commentary.Areas = map[string]index.Text{}
	}
	if !rep.PublishedAt.IsZero() {
		t := rep.PublishedAt
		v.PublishedAt = &t
	}
	return v
}

func reportID(r *http.Request) (string, error) {
	id := r.PathValue("reportId")
	if !ids.Valid(id) {
		return "", failure.Fields("invalid report id", failure.Field("path/reportId", "is not a report id"))
	}
	return id, nil
}

// listReports answers GET /cities/{cityId}/reports: a city sees its
// published reports, the secretariat the drafts too.
func (a *API) listReports(w http.ResponseWriter, r *http.Request) {
	id, p, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if _, err := a.Store.CityForUpdate(r.Context(), id); err != nil {
		writeProblem(w, r, err)
		return
	}
	reports, err := a.Store.Reports(r.Context(), id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	out := []ReportView{}
	for _, rep := range reports {
		if rep.Status == membership.ReportPublished || p.IsSecretariat() {
			out = append(out, reportView(r, rep))
		}
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"cityId": id, "reports": out})
}

// getReport answers GET /cities/{cityId}/reports/{reportId}: the model as
// JSON, or the report as HTML (Accept: text/html, ?format=html) or PDF. A
// published report is served as archived; a draft, to the secretariat
// only, as it stands today.
func (a *API) getReport(w http.ResponseWriter, r *http.Request) {
	cityID, p, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := reportID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = negotiate(r.Header.Get("Accept"), "json", map[string]string{"application/json": "json",
			"text/html": "html", "application/pdf": "pdf"})
	}
	if !slices.Contains([]string{"json", "html", "pdf"}, format) {
		writeProblem(w, r, failure.Fields("unknown format", failure.Field("query/format", "must be json, html or pdf")))
		return
	}
	rep, err := a.Store.Report(r.Context(), cityID, id)
	if err == nil && rep.Status != membership.ReportPublished && !p.IsSecretariat() {
		// A draft does not exist for the city until it is published.
		err = failure.New(failure.NotFound, "city %s has no report %s", cityID, id)
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	model := rep.Model
	if rep.Status != membership.ReportPublished {
		if a.Reporting == nil {
			writeProblem(w, r, errors.New("this function cannot build reports"))
			return
		}
		c, err := a.Store.CityForUpdate(r.Context(), cityID)
		if err == nil {
			model, err = a.Reporting.Model(r.Context(), c, rep)
		}
		if err != nil {
			writeProblem(w, r, err)
			return
		}
	}
	var (
		body []byte
		ct   string
	)
	switch {
	case format == "json":
		body, ct = model, "application/json"
	case rep.Status == membership.ReportPublished && rep.Documents && a.Documents != nil:
		// As archived: byte for byte what was published.
		key := "reports/" + cityID + "/" + id + "." + format
		body, ct, err = a.Documents.Document(r.Context(), key)
	case a.Reporting != nil:
		// Rendering is deterministic: before the archive has it, the
		// frozen model renders the same bytes.
		body, ct, err = a.Reporting.Render(model, format)
	default:
		err = errors.New("this function cannot render reports")
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	// The representation depends on Accept: a cache must not answer a
	// request for the JSON with the PDF it kept for the same URL.
	w.Header().Set("Vary", "Accept")
	if format == "pdf" {
		// Saved under a name that says what it is.
		w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": "report-" + id + ".pdf"}))
	}
	if rep.Status == membership.ReportPublished {
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// putCommentary answers PUT /admin/cities/{cityId}/reports/{reportId}/commentary.
func (a *API) putCommentary(w http.ResponseWriter, r *http.Request) {
	p, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	cityID, err := cityID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := reportID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var in membership.CommentaryInput
	if _, err := readJSON(r, a.maxBody(), &in); err != nil {
		writeProblem(w, r, err)
		return
	}
	rep, err := a.Store.Report(r.Context(), cityID, id)
	var sub index.Submission
	if err == nil {
		sub, err = a.Store.Submission(r.Context(), cityID, rep.SubmissionID)
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	ch, err := a.Store.UpdateCity(r.Context(), cityID, nil, func(c membership.City) (membership.Change, error) {
		return c.CommentReport(rep, in, sub.Version, a.Now(), p.Actor())
	})
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	rep = ch.Records[0].(membership.ReportCommented).Report
	rep.Version++
	writeJSON(w, http.StatusOK, "application/json", reportView(r, rep))
}

// publishReport answers POST /admin/cities/{cityId}/reports/{reportId}/publish:
// the draft's model as it stands is frozen, archived and emailed to the
// city. Publishing twice publishes once: the second answers the report.
func (a *API) publishReport(w http.ResponseWriter, r *http.Request) {
	p, err := a.secretariat(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	cityID, err := cityID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, err := reportID(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if _, err := readBody(r, a.maxBody()); err != nil {
		writeProblem(w, r, err)
		return
	}
	rep, err := a.Store.Report(r.Context(), cityID, id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if rep.Status == membership.ReportDraft {
		if a.Reporting == nil {
			writeProblem(w, r, errors.New("this function cannot build reports"))
			return
		}
		_, err = a.Store.UpdateCity(r.Context(), cityID, nil, func(c membership.City) (membership.Change, error) {
			model, err := a.Reporting.Model(r.Context(), c, rep)
			if err != nil {
				return membership.Change{}, err
			}
			return c.PublishReport(rep, model, a.Now(), p.Actor())
		})
		if err != nil && !errors.Is(err, membership.ErrPublished) {
			writeProblem(w, r, err)
			return
		}
		if rep, err = a.Store.Report(r.Context(), cityID, id); err != nil {
			writeProblem(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, "application/json", reportView(r, rep))
}

// listDraftReports answers GET /admin/reports: the drafts awaiting review.
func (a *API) listDraftReports(w http.ResponseWriter, r *http.Request) {
	if _, err := a.secretariat(r); err != nil {
		writeProblem(w, r, err)
		return
	}
	drafts, err := a.Store.DraftReports(r.Context())
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	out := []ReportView{}
	for _, rep := range drafts {
		out = append(out, reportView(r, rep))
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"reports": out})
}

// PracticeView is a good practice as the public reads it, in a language.
type PracticeView struct {
	ID       string `json:"id"`
	CityID   string `json:"cityId,omitempty"`
	CityName string `json:"cityName"`
	Country  string `json:"country"`
	Area     string `json:"area"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Year     int    `json:"year"`
	Link     string `json:"link,omitempty"`
	Demo     bool   `json:"demo"`
}

// listPublicPractices answers GET /good-practices?area=&lang=: the
// published practices, in the language asked (English by default).
func (a *API) listPublicPractices(w http.ResponseWriter, r *http.Request) {
	lang, err := language(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	area, err := practiceArea(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	all, err := a.Store.Practices(r.Context(), area)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	out := []PracticeView{}
	for _, p := range all {
		if !p.Published {
			continue
		}
		out = append(out, PracticeView{ID: p.ID, CityID: p.CityID, CityName: p.CityName, Country: p.Country, Area: p.Area,
			Title: p.Title.In(lang), Summary: p.Summary.In(lang), Year: p.Year, Link: p.Link, Demo: p.Demo})
	}
	body, err := json.Marshal(map[string]any{"lang": lang, "practices": out})
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	// Public and the same for everyone: caches may keep it a few minutes
	// (writeJSON would mark it no-store, as it does personal data).
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func practiceArea(r *http.Request) (string, error) {
	area := r.URL.Query().Get("area")
	if area == "" {
		return "", nil
	}
	if _, ok := index.Current().Area(area); !ok {
		return "", failure.Fields("unknown area", failure.Field("query/area", "is not an area of the current INDEX"))
	}
	return area, nil
}

// listPractices answers GET /admin/good-practices: the whole catalogue,
// drafts included.
func (a *API) listPractices(w http.ResponseWriter, r *http.Request) {
	if _, err := a.secretariat(r); err != nil {
		writeProblem(w, r, err)
		return
	}
	area, err := practiceArea(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	all, err := a.Store.Practices(r.Context(), area)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if all == nil {
		all = []practice.Practice{}
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"practices": all})
}

// createPractice answers POST /admin/good-practices.
func (a *API) createPractice(w http.ResponseWriter, r *http.Request) {
	if _, err := a.secretariat(r); err != nil {
		writeProblem(w, r, err)
		return
	}
	var in practice.Practice
	body, err := readJSON(r, a.maxBody(), &in)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	in.ID = "" // a new practice gets its id from the server
	a.createOnce(w, r, "good-practices", body, func() (created, error) {
		in.ID = a.NewID()
		if err := in.Validate(a.Now()); err != nil {
			return created{}, err
		}
		return created{Status: http.StatusCreated, Location: link(r, "/admin/good-practices/"+in.ID), Body: in}, nil
	}, func(rec *idempotency.Record) error { return a.Store.PutPractice(r.Context(), in, rec) })
}

// putPractice answers PUT /admin/good-practices/{practiceId}.
func (a *API) putPractice(w http.ResponseWriter, r *http.Request) {
	if _, err := a.secretariat(r); err != nil {
		writeProblem(w, r, err)
		return
	}
	id := r.PathValue("practiceId")
	if !ids.Valid(id) {
		writeProblem(w, r, failure.Fields("invalid practice id", failure.Field("path/practiceId", "is not a practice id")))
		return
	}
	if _, err := a.Store.Practice(r.Context(), id); err != nil {
		writeProblem(w, r, err)
		return
	}
	var in practice.Practice
	if _, err := readJSON(r, a.maxBody(), &in); err != nil {
		writeProblem(w, r, err)
		return
	}
	if in.ID != "" && in.ID != id {
		writeProblem(w, r, failure.Fields("the id is the path's", failure.Field("/id", "must be the path's id or absent")))
		return
	}
	in.ID = id
	if err := in.Validate(a.Now()); err != nil {
		writeProblem(w, r, err)
		return
	}
	if err := a.Store.PutPractice(r.Context(), in, nil); err != nil {
		writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", in)
}
