package auth

import (
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestIssueStoresOnlyTheHash(t *testing.T) {
	secret, tok := Issue(RoleCity, "c1", "contact", now, time.Hour)
	if len(secret) != 43 {
		t.Fatalf("secret has %d characters, want 43 (256 bits base64url)", len(secret))
	}
	if tok.Hash == secret || tok.Hash != Hash(secret) || len(tok.Hash) != 64 {
		t.Fatalf("hash %q does not identify the secret", tok.Hash)
	}
	other, _ := Issue(RoleCity, "c1", "contact", now, time.Hour)
	if other == secret {
		t.Fatal("two tokens share a secret")
	}
}

func TestAuthenticate(t *testing.T) {
	revoked := now.Add(-time.Minute)
	tests := []struct {
		name string
		tok  Token
		want failure.Kind
		ok   bool
	}{
		{"valid", Token{Role: RoleCity, CityID: "c1", ExpiresAt: now.Add(time.Second)}, 0, true},
		{"expires now", Token{Role: RoleCity, ExpiresAt: now}, failure.Unauthenticated, false},
		{"expired", Token{Role: RoleSecretariat, ExpiresAt: now.Add(-time.Hour)}, failure.Unauthenticated, false},
		{"revoked", Token{Role: RoleSecretariat, ExpiresAt: now.Add(time.Hour), RevokedAt: &revoked}, failure.Unauthenticated, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.tok.Authenticate(now)
			if (err == nil) != tt.ok || (err != nil && failure.KindOf(err) != tt.want) {
				t.Fatalf("err = %v, want ok=%v kind=%v", err, tt.ok, tt.want)
			}
		})
	}
}

func TestAccessRules(t *testing.T) {
	cityA := Principal{Role: RoleCity, CityID: "a"}
	sec := Principal{Role: RoleSecretariat, Name: "ops"}
	if err := cityA.RequireCity("a"); err != nil {
		t.Errorf("city A on A: %v", err)
	}
	if err := cityA.RequireCity("b"); failure.KindOf(err) != failure.Forbidden {
		t.Errorf("city A on B: %v, want forbidden", err)
	}
	if err := sec.RequireCity("b"); err != nil {
		t.Errorf("secretariat on B: %v", err)
	}
	if err := cityA.RequireSecretariat(); failure.KindOf(err) != failure.Forbidden {
		t.Errorf("city on admin: %v, want forbidden", err)
	}
}

func TestBearerSecret(t *testing.T) {
	tests := map[string]bool{
		"Bearer abcdefghijklmnopqrstuvwxyz": true,
		"bearer abcdefghijklmnopqrstuvwxyz": true,
		"Basic abcdefghijklmnopqrstuvwxyz":  false,
		"Bearer short":                      false,
		"":                                  false,
		"Bearer":                            false,
	}
	for h, ok := range tests {
		if _, got := BearerSecret(h); got != ok {
			t.Errorf("BearerSecret(%q) ok = %v, want %v", h, got, ok)
		}
	}
}
