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

// stored is a creating request's answer as written: the first one, or the
// replay of the one stored for its Idempotency-Key.
type stored struct {
	Status      int
	Location    string
	ContentType string
	Body        []byte
	Replayed    bool
}

// createOnce runs a creating request at most once per Idempotency-Key and
// writes its answer (see once).
func (a *API) createOnce(w http.ResponseWriter, r *http.Request, scope string, body []byte,
	plan func() (created, error), commit func(*idempotency.Record) error,
) {
	s, err := a.once(r, scope, r.Header.Get("Idempotency-Key"), body, plan, commit)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if s.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeStored(w, s.Status, s.Location, s.ContentType, s.Body)
}

// once runs a creating request at most once per key (none when key is
// empty) and returns its answer. The record is written by commit in the
// same transaction as the change; a duplicate, concurrent or later, fails
// there or earlier and gets the first answer; a reused key
// with another body is an Unprocessable failure.
func (a *API) once(r *http.Request, scope, key string, body []byte,
	plan func() (created, error), commit func(*idempotency.Record) error,
) (stored, error) {
	var rec *idempotency.Record
	hash := idempotency.HashRequest(body)
	if key != "" {
		if err := idempotency.ValidKey(key); err != nil {
			return stored{}, err
		}
	}
	var (
		res created
		out []byte
		err error
	)
	// A plan that numbers a document (a credit note) takes the next number
	// of its series; another document taking it meanwhile makes the
	// request be planned and committed again with the next one, as a step
	// on a city is.
	for range numberTries {
		if res, err = plan(); err != nil {
			break
		}
		if out, err = json.Marshal(res.Body); err != nil {
			break
		}
		rec = nil
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
	// The record is written in the change's own transaction, on the
	// condition that there is none: a request whose key was answered before
	// cannot commit again, so the key is read only when a request fails —
	// its plan refused by what the first one changed, or its transaction by
	// the record — and the request that succeeds, nearly every one, costs
	// no read for its key. A stored answer wins over the failure; a key that
	// came with another body is Unprocessable.
	if err != nil && key != "" {
		if s, found, lerr := a.lookup(r, scope, key, hash); lerr != nil || found {
			return s, lerr
		}
	}
	if err != nil {
		return stored{}, err
	}
	return stored{Status: res.Status, Location: res.Location, ContentType: "application/json", Body: out}, nil
}

// lookup finds the answer stored for a key: found is false when there is
// none, and the error Unprocessable when the key came with another body.
func (a *API) lookup(r *http.Request, scope, key, hash string) (stored, bool, error) {
	rec, found, err := a.Store.IdempotencyRecord(r.Context(), scope, key, a.Now())
	if err != nil || !found {
		return stored{}, false, err
	}
	if err := rec.Replay(hash); err != nil {
		return stored{}, true, err
	}
	return stored{Status: rec.Status, Location: rec.Location, ContentType: rec.ContentType, Body: rec.Body, Replayed: true}, true, nil
}

// replay answers from a stored record; it reports whether it answered.
func (a *API) replay(w http.ResponseWriter, r *http.Request, scope, key, hash string) bool {
	s, found, err := a.lookup(r, scope, key, hash)
	switch {
	case err != nil:
		writeProblem(w, r, err)
		return true
	case !found:
		return false
	}
	w.Header().Set("Idempotent-Replayed", "true")
	writeStored(w, s.Status, s.Location, s.ContentType, s.Body)
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
