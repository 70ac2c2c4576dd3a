package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// An emailed access link carries a secret that nothing stores, not even
// until the email is sent. The secret is derived from a key held outside
// the table (in Secrets Manager) and a random token id:
//
//	secret = base64url(HMAC-SHA256(key, "icc-link-v1:" + tokenID))
//
// The step that issues the link stores the token's hash, as for any token,
// and the email's work item stores the key's id and the token id: neither
// lets a reader of the table, its stream or its backups act as the city.
// The notify function derives the secret again when it sends the email.

// Key is one version of the link key.
type Key struct {
	ID     string // the version's id (Secrets Manager's VersionId)
	Secret []byte
}

// MinKeyBytes is the shortest key accepted: 32 bytes, as HMAC-SHA256's
// output.
const MinKeyBytes = 32

// Validate refuses a key too short to be a secret.
func (k Key) Validate() error {
	if k.ID == "" {
		return errors.New("the link key has no version id")
	}
	if len(k.Secret) < MinKeyBytes {
		return fmt.Errorf("the link key %s has %d bytes, want at least %d", k.ID, len(k.Secret), MinKeyBytes)
	}
	return nil
}

// LinkRef is what an email's work item keeps of its link's secret: enough
// for the key's holder to derive it, nothing for anyone else.
type LinkRef struct {
	KeyID   string
	TokenID string
}

// Derive returns the secret of the link with this token id, under key k.
func (k Key) Derive(tokenID string) string {
	mac := hmac.New(sha256.New, k.Secret)
	mac.Write([]byte("icc-link-v1:" + tokenID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// IssueLink creates a token whose secret is derived from key k: it returns
// the token to store (its hash) and the ref to store with the email.
func IssueLink(k Key, role Role, cityID, name string, now time.Time, ttl time.Duration) (Token, LinkRef) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	ref := LinkRef{KeyID: k.ID, TokenID: base64.RawURLEncoding.EncodeToString(b[:])}
	return Token{
		Hash: Hash(k.Derive(ref.TokenID)), Role: role, CityID: cityID, Name: name,
		IssuedAt: now.UTC(), ExpiresAt: now.UTC().Add(ttl),
	}, ref
}

// CityLinksRevocation ends every live token of a city from a time on: the
// file ended, or a new link replaces all earlier ones (the yearly reminders'
// included). The store finds the tokens.
type CityLinksRevocation struct {
	CityID string
	At     time.Time
}
