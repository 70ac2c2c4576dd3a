package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

func TestCreateAndRevokeASecretariatToken(t *testing.T) {
	s := localtest.New(t, local.Options{})
	t.Setenv("TABLE_NAME", s.Table)
	out := captureStdout(t, func() error { return run(context.Background(), []string{"create", "--name", "Jane Doe"}) })
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if status, _, _ := s.Do(http.MethodGet, "/admin/cities", secret, ""); status != 200 {
		t.Fatalf("the new token: %d (%s)", status, out)
	}
	captureStdout(t, func() error { return run(context.Background(), []string{"revoke", "--secret", secret}) })
	if status, _, _ := s.Do(http.MethodGet, "/admin/cities", secret, ""); status != 401 {
		t.Fatalf("the revoked token: %d", status)
	}
	for _, args := range [][]string{{}, {"create"}, {"create", "--name", "x", "--ttl", "-1h"}, {"revoke"}, {"fly"}} {
		if err := run(context.Background(), args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func captureStdout(t *testing.T, f func() error) string {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	err := f()
	os.Stdout = old
	w.Close()
	b := make([]byte, 4096)
	n, _ := r.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:n])
}
