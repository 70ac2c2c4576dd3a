package local_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// Notifications a stopped program had claimed (their lease still running)
// are sent by the next program at its start, not when the lease and the
// sweeper's five minutes have passed, and once.
func TestWorkClaimedByAStoppedProgramIsRedrivenAtStart(t *testing.T) {
	const secretariat = "secretariat@resume.example" // the default one is every test's
	s := localtest.New(t, local.Options{SecretariatEmail: secretariat})
	ctx := context.Background()
	if status, _, resp := s.Do(http.MethodPost, "/applications", "", cityApplication("Besançon", "mairie@besancon.example")); status != http.StatusCreated {
		t.Fatalf("POST /applications = %d %s", status, resp)
	}
	far := s.Clock.Now().Add(time.Hour)
	items, err := s.Sweeper.Store.PendingWork(ctx, far, 100)
	if err != nil {
		t.Fatal(err)
	}
	claimed := 0
	for _, it := range items {
		if it.Type != outbox.TypeNotification {
			continue
		}
		id, err := outbox.IDFromKey(it.PK, store.NotificationPrefix)
		if err != nil {
			t.Fatal(err)
		}
		now := s.Clock.Now()
		if _, ok, err := s.Store.ClaimNotification(ctx, id, now, now.Add(2*time.Minute)); !ok || err != nil {
			t.Fatalf("claim %s: %v %v", id, ok, err)
		}
		claimed++
	}
	if claimed != 2 {
		t.Fatalf("%d notifications claimed, want the city's and the secretariat's", claimed)
	}
	s.Drain() // the stream's deliveries find them taken
	if mails, _ := s.MailTo(ctx, "mairie@besancon.example"); len(mails) != 0 {
		t.Fatalf("sent while claimed: %d emails", len(mails))
	}

	res, err := s.RedriveAtStart(ctx)
	if err != nil || res.Found != 2 || res.Redriven != 2 {
		t.Fatalf("RedriveAtStart = %+v, %v; want both re-driven", res, err)
	}
	s.Drain()
	for _, addr := range []string{"mairie@besancon.example", secretariat} {
		if mails, _ := s.MailTo(ctx, addr); len(mails) != 1 {
			t.Errorf("%d emails to %s, want one", len(mails), addr)
		}
	}
	// Done work has left the outbox: another start finds nothing to do.
	if res, err := s.RedriveAtStart(ctx); err != nil || res.Found != 0 {
		t.Fatalf("second RedriveAtStart = %+v, %v", res, err)
	}
}
