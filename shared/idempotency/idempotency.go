// Package idempotency lets a client repeat a creating request safely: the
// first response is stored with a hash of the request, written in the same
// transaction as what the request created, and replayed for the same key.
package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// Record is a stored response for one key.
type Record struct {
	Scope       string // the route and caller the key belongs to
	Key         string
	RequestHash string
	Status      int
	Location    string
	ContentType string
	Body        []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// HashRequest identifies a request body.
func HashRequest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// ValidKey accepts 1 to 255 visible ASCII characters.
func ValidKey(key string) error {
	if len(key) == 0 || len(key) > 255 {
		return failure.Fields("invalid Idempotency-Key header",
			failure.FieldError{Pointer: "header/Idempotency-Key", Detail: "must be 1 to 255 characters"})
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return failure.Fields("invalid Idempotency-Key header",
				failure.FieldError{Pointer: "header/Idempotency-Key", Detail: "must be visible ASCII characters"})
		}
	}
	return nil
}

// Replay decides what a stored record means for a repeated request.
func (r Record) Replay(requestHash string) error {
	if r.RequestHash != requestHash {
		return failure.New(failure.Unprocessable,
			"this Idempotency-Key was already used with a different request body")
	}
	return nil
}

// ErrRace is returned by a store whose conditional write of the record lost
// to a concurrent request with the same key: the caller replays the winner.
var ErrRace = failure.New(failure.Conflict, "a concurrent request with the same Idempotency-Key won")
