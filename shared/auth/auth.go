// Package auth holds bearer tokens and the rules of who may reach what.
// A token is 256 random bits shown once; only its SHA-256 hash is stored.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// Role says what a token stands for.
type Role string

// The roles a token can carry.
const (
	RoleCity        Role = "city"
	RoleSecretariat Role = "secretariat"
)

// Token is a stored credential: the hash of the secret, never the secret.
type Token struct {
	Hash      string
	Role      Role
	CityID    string // set for city tokens
	Name      string // who or what the token was issued to
	IssuedAt  time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Issue creates a new token and returns the secret to hand out once.
func Issue(role Role, cityID, name string, now time.Time, ttl time.Duration) (secret string, t Token) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, Token{
		Hash:      Hash(secret),
		Role:      role,
		CityID:    cityID,
		Name:      name,
		IssuedAt:  now.UTC(),
		ExpiresAt: now.UTC().Add(ttl),
	}
}

// Hash returns the hex SHA-256 of a secret: the token's stored identity.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Principal is the caller a valid token identifies.
type Principal struct {
	Role   Role
	CityID string
	Name   string
}

// BearerSecret extracts the secret from an Authorization header value.
func BearerSecret(header string) (string, bool) {
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	// Our secrets are 43 base64url characters; anything far off cannot match.
	if len(secret) < 16 || len(secret) > 128 {
		return "", false
	}
	return secret, true
}

// Authenticate turns a stored token into a principal, refusing expired and
// revoked tokens.
func (t Token) Authenticate(now time.Time) (Principal, error) {
	if t.RevokedAt != nil {
		return Principal{}, failure.New(failure.Unauthenticated, "the token was revoked")
	}
	if !now.Before(t.ExpiresAt) {
		return Principal{}, failure.New(failure.Unauthenticated, "the token has expired")
	}
	return Principal{Role: t.Role, CityID: t.CityID, Name: t.Name}, nil
}

// IsSecretariat reports whether p acts for the secretariat.
func (p Principal) IsSecretariat() bool { return p.Role == RoleSecretariat }

// Actor names the principal in audit trails and timelines.
func (p Principal) Actor() string {
	if p.Role == RoleCity {
		return "city:" + p.CityID
	}
	return string(p.Role) + ":" + p.Name
}

// RequireCity allows the secretariat and the city's own tokens.
// A token of another city is refused with 403: the caller is known, the
// resource is not theirs.
func (p Principal) RequireCity(cityID string) error {
	if p.IsSecretariat() || (p.Role == RoleCity && p.CityID == cityID) {
		return nil
	}
	return failure.New(failure.Forbidden, "this token does not give access to city %s", cityID)
}

// RequireSecretariat allows secretariat tokens only.
func (p Principal) RequireSecretariat() error {
	if p.IsSecretariat() {
		return nil
	}
	return failure.New(failure.Forbidden, "this route is for the secretariat")
}

// Revocation ends a token from a time on: a re-issued link revokes the one
// it replaces.
type Revocation struct {
	Hash string
	At   time.Time
}
