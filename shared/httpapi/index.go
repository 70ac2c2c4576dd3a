package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// MaxIndexBody caps a draft or a submission: every answer with the longest
// evidence still fits in one DynamoDB item.
const MaxIndexBody = 256 << 10

func language(r *http.Request) (string, error) {
	switch lang := r.URL.Query().Get("lang"); lang {
	case "", "en":
		return "en", nil
	case "fr":
		return "fr", nil
	}
	return "", failure.Fields("unknown language", failure.FieldError{Pointer: "query/lang", Detail: "must be en or fr"})
}

// writeCacheable answers a public, versioned document with an ETag, and 304
// when the client has it already.
func writeCacheable(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func questionnaireVersion(r *http.Request) (*index.Questionnaire, error) {
	v := r.PathValue("version")
	if v == "" {
		return index.Current(), nil
	}
	q, ok := index.Lookup(v)
	if !ok {
		return nil, failure.New(failure.NotFound, "no INDEX version %q", clipped(v))
	}
	return q, nil
}

func clipped(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func (a *API) getQuestionnaire(w http.ResponseWriter, r *http.Request) {
	lang, err := language(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	q, err := questionnaireVersion(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	writeCacheable(w, r, index.View(q, lang))
}

func (a *API) getQuestionnaireSchema(w http.ResponseWriter, r *http.Request) {
	q, err := questionnaireVersion(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	writeCacheable(w, r, index.SubmissionSchema(q))
}

// cityPrincipal authenticates and authorizes access to the path's city: the
// city's id and who asks.
func (a *API) cityPrincipal(r *http.Request) (string, auth.Principal, error) {
	p, err := a.principal(r)
	if err != nil {
		return "", p, err
	}
	id, err := cityID(r)
	if err != nil {
		return "", p, err
	}
	return id, p, p.RequireCity(id)
}

// cityToChange is cityPrincipal for a request that changes the city: the
// token and the city are read together, in one round trip, and the city
// is returned once the principal may act on it (as CityForUpdate reads it:
// the change's version check catches a write in between).
func (a *API) cityToChange(r *http.Request) (membership.City, auth.Principal, error) {
	hash, err := bearerHash(r)
	if err != nil {
		return membership.City{}, auth.Principal{}, err
	}
	id, err := cityID(r)
	if err != nil {
		// The token is checked first, as everywhere.
		if _, perr := a.principal(r); perr != nil {
			err = perr
		}
		return membership.City{}, auth.Principal{}, err
	}
	tok, c, found, err := a.Store.TokenAndCity(r.Context(), hash, id)
	if err != nil {
		return membership.City{}, auth.Principal{}, err
	}
	p, err := tok.Authenticate(a.Now())
	if err != nil {
		return membership.City{}, p, err
	}
	if err := p.RequireCity(id); err != nil {
		return membership.City{}, p, err
	}
	if !found {
		return membership.City{}, p, failure.New(failure.NotFound, "no city %s", id)
	}
	return c, p, nil
}

func draftETag(rev int64) string { return `"` + strconv.FormatInt(rev, 10) + `"` }

// ifMatch reads the revision a draft write expects: 0 (create) without the
// header, the revision in "N" otherwise. A weak tag, W/"N", never matches
// (RFC 9110 §13.1.1: If-Match compares strongly): the write fails its
// precondition.
func ifMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, nil
	}
	if strings.HasPrefix(h, "W/") {
		return 0, failure.New(failure.PreconditionFailed,
			"a weak entity tag never matches If-Match: send the draft's ETag as it was given, e.g. \"3\"")
	}
	n, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || n < 1 {
		return 0, failure.Fields("invalid If-Match header",
			failure.FieldError{Pointer: "header/If-Match", Detail: `must be the draft's ETag, e.g. "3"`})
	}
	return n, nil
}

func (a *API) getDraft(w http.ResponseWriter, r *http.Request) {
	id, _, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	d, err := a.Store.Draft(r.Context(), id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	w.Header().Set("ETag", draftETag(d.Revision))
	writeJSON(w, http.StatusOK, "application/json", d)
}

func (a *API) putDraft(w http.ResponseWriter, r *http.Request) {
	// The city as it stands says whether it may still answer: an ended
	// file's draft no longer changes. (A file that ends between this read
	// and the write below leaves a draft that can never be submitted.)
	c, p, err := a.cityToChange(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	expected, err := ifMatch(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var in index.Input
	if _, err := readJSON(r, MaxIndexBody, &in); err != nil {
		writeProblem(w, r, err)
		return
	}
	d, err := c.SaveDraft(in, a.Now(), p.Actor())
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if d, err = a.Store.SaveDraft(r.Context(), d, expected); err != nil {
		writeProblem(w, r, err)
		return
	}
	w.Header().Set("ETag", draftETag(d.Revision))
	status := http.StatusOK
	if expected == 0 {
		status = http.StatusCreated // RFC 9110 §9.3.4: a PUT that creates says so
	}
	writeJSON(w, status, "application/json", d)
}

// SubmissionAccepted answers POST /cities/{cityId}/index/submissions.
type SubmissionAccepted struct {
	SubmissionID string            `json:"submissionId"`
	CityID       string            `json:"cityId"`
	Version      string            `json:"version"`
	Status       index.Status      `json:"status"`
	SubmittedAt  time.Time         `json:"submittedAt"`
	Links        map[string]string `json:"links"`
}

func (a *API) createSubmission(w http.ResponseWriter, r *http.Request) {
	// The city as it stands says whether its status takes a submission.
	c, p, err := a.cityToChange(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	id, actor := c.ID, p.Actor()
	body, err := readBody(r, MaxIndexBody)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	var sub index.Submission
	a.createOnce(w, r, "submissions:"+id, body,
		func() (created, error) {
			var in index.Input
			if err := decodeStrict(body, &in); err != nil {
				return created{}, err
			}
			if _, err := in.Validate(true); err != nil {
				return created{}, err
			}
			now := a.Now().UTC()
			sub = index.Submission{ID: a.NewID(), CityID: id, Version: *in.Version, Answers: in.Answers,
				SubmittedAt: now, SubmittedBy: actor, Status: index.StatusReceived}
			loc := link(r, "/cities/"+id+"/index/submissions/"+sub.ID)
			return created{Status: http.StatusAccepted, Location: loc, Body: SubmissionAccepted{
				SubmissionID: sub.ID, CityID: id, Version: sub.Version, Status: sub.Status, SubmittedAt: now,
				Links: map[string]string{"submission": loc},
			}}, nil
		},
		func(rec *idempotency.Record) error {
			ch, err := c.SubmitIndex(sub, sub.SubmittedAt, actor)
			if err != nil {
				return err
			}
			return a.Store.Apply(r.Context(), ch, rec)
		},
	)
}

func (a *API) getSubmission(w http.ResponseWriter, r *http.Request) {
	id, _, err := a.cityPrincipal(r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	sid := r.PathValue("submissionId")
	if !ids.Valid(sid) {
		writeProblem(w, r, failure.Fields("invalid submission id",
			failure.FieldError{Pointer: "path/submissionId", Detail: "is not a submission id"}))
		return
	}
	sub, err := a.Store.Submission(r.Context(), id, sid)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", sub)
}
