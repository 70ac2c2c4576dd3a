package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/auth"
)

// workflowFigures counts DynamoDB round trips per admission step and per
// page of the secretariat's pipeline.
func workflowFigures(ctx context.Context, s *local.Stack, base string) error {
	secret, tok := auth.Issue(auth.RoleSecretariat, "", "bench", time.Now(), 3600e9)
	if err := s.Store.PutToken(ctx, tok); err != nil {
		return err
	}
	cityID, _, err := benchCity(ctx, s, base)
	if err != nil {
		return err
	}
	measure := func(f func() error) (int64, error) {
		before := s.RoundTrips.Load()
		err := f()
		return s.RoundTrips.Load() - before, err
	}
	n, err := measure(func() error {
		return expect(http.MethodPost, base+"/admin/cities/"+cityID+"/intent", secret, `{"signedOn":"2026-10-01"}`, 200)
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: an admission step (statement of intent)", fmt.Sprint(n), "-", "<= 3", n <= 3)
	n, err = measure(func() error {
		return expect(http.MethodPost, base+"/admin/cities/"+cityID+"/withdrawal", secret, `{"reason":"bench"}`, 200,
			"Idempotency-Key", "bench-withdrawal")
	})
	if err != nil {
		return err
	}
	// An ending step also finds the city's live links, to end them.
	add("DynamoDB round trips: a step with Idempotency-Key (withdrawal)", fmt.Sprint(n), "-",
		"<= 4: token, city, live links, transaction", n <= 4)
	n, err = measure(func() error {
		return expect(http.MethodGet, base+"/admin/cities?status=applied&limit=50", secret, "", 200)
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: pipeline page (50, one status)", fmt.Sprint(n), "-", "token + counts + 1 query", n <= 3)
	n, err = measure(func() error {
		return expect(http.MethodGet, base+"/admin/cities?limit=50", secret, "", 200)
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: pipeline page (50, all statuses)", fmt.Sprint(n), "-",
		"token + counts + 1 query per status reached", n <= 2+12)
	return nil
}
