package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// created is a creating handler's answer, known before anything is written
// so that it can be stored with the change it describes.
type created struct {
	Status   int
	Location string
	Body     any
}

// numberTries bounds how often a step that numbers a document is taken
// again because another document took its number meanwhile.
const numberTries = 20

// createOnce runs a creating request at most once per Idempotency-Key. The
// lookup is one read; the record is written by commit in the same
// transaction as the change. A concurrent duplicate that loses the race
// replays the winner's response; a reused key with another body gets 422.
// A plan that numbers a document (a credit note) takes the next number of
// its series; another document taking it meanwhile makes the request be
// planned and committed again with the next one, as a step on a city is.
func (a *API) createOnce(w http.ResponseWriter, r *http.Request, scope string, body []byte,
	plan func() (created, error), commit func(*idempotency.Record) error,
) {
	key := r.Header.Get("Idempotency-Key")
	hash := idempotency.HashRequest(body)
	if key != "" {
		if err := idempotency.ValidKey(key); err != nil {
			writeProblem(w, r, err)
			return
		}
		if ok := a.replay(w, r, scope, key, hash); ok {
			return
		}
	}
	var (
		res created
		out []byte
		err error
	)
	for range numberTries {
		if res, err = plan(); err != nil {
			writeProblem(w, r, err)
			return
		}
		if out, err = json.Marshal(res.Body); err != nil {
			writeProblem(w, r, err)
			return
		}
		var rec *idempotency.Record
		if key != "" {
			now := a.Now()
			rec = &idempotency.Record{
				Scope: scope, Key: key, RequestHash: hash, Status: res.Status, Location: res.Location,
				ContentType: "application/json",
				Body:        out, CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL),
			}
		}
		if err = commit(rec); !errors.Is(err, membership.ErrNumberTaken) {
			break
		}
	}
	if err != nil {
		if errors.Is(err, idempotency.ErrRace) && a.replay(w, r, scope, key, hash) {
			return
		}
		writeProblem(w, r, err)
		return
	}
	writeStored(w, res.Status, res.Location, "application/json", out)
}

// replay answers from a stored record; it reports whether it answered.
func (a *API) replay(w http.ResponseWriter, r *http.Request, scope, key, hash string) bool {
	stored, found, err := a.Store.IdempotencyRecord(r.Context(), scope, key, a.Now())
	if err != nil {
		writeProblem(w, r, err)
		return true
	}
	if !found {
		return false
	}
	if err := stored.Replay(hash); err != nil {
		writeProblem(w, r, err)
		return true
	}
	w.Header().Set("Idempotent-Replayed", "true")
	writeStored(w, stored.Status, stored.Location, stored.ContentType, stored.Body)
	return true
}

func writeStored(w http.ResponseWriter, status int, location, contentType string, body []byte) {
	if location != "" {
		w.Header().Set("Location", location)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
