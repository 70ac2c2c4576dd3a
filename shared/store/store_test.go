package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/store"
)

func admission(t *testing.T) membership.Change {
	t.Helper()
	name, country, lang := "Porto Azzurro", "IT", "en"
	pop := int64(96000)
	fb, fr, nm := 9.3, 8.7, 0.8
	a, err := membership.Apply(membership.Application{
		CityName: &name, Country: &country, Population: &pop, ForeignBornShare: &fb, ForeignResidentShare: &fr,
		NationalMinorityShare: &nm, Contact: &membership.Contact{Name: "Luca", Email: "luca@porto.example"}, Language: &lang,
	}, rules(), time.Now(), ids.New)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// rules are the workflow's rules in these tests.
func rules() membership.Rules {
	return membership.Rules{Eligibility: eligibility.Default(), SecretariatEmail: "sec@coe.example",
		FormsBaseURL: "https://forms.example", CityTokenTTL: time.Hour,
		LinkKey: auth.Key{ID: "v1", Secret: []byte("tests-only-link-key-of-32-bytes!")}}
}

func TestAdmissionIsOneTransactionReadBackWhole(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ctx := context.Background()
	a := admission(t)
	if err := s.Store.Apply(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	city, events, err := s.Store.City(ctx, a.City.ID)
	if err != nil {
		t.Fatal(err)
	}
	if city.Name != "Porto Azzurro" || city.Population != 96000 || city.Contact.Email != "luca@porto.example" ||
		!city.Eligibility.Eligible || city.Status != membership.StatusApplied || len(events) != 1 {
		t.Fatalf("read back %+v with %d events", city, len(events))
	}
	issued, _ := a.Token()
	tok, err := s.Store.Token(ctx, issued.Hash)
	if err != nil || tok.CityID != a.City.ID {
		t.Fatalf("token %+v %v", tok, err)
	}
	// The same city cannot be created twice, and a failed transaction
	// leaves nothing behind.
	before := s.Items("")
	err = s.Store.Apply(ctx, a, nil)
	if err == nil {
		t.Fatal("the same city was created twice")
	}
	if after := s.Items(""); after != before {
		t.Fatalf("a failed transaction changed the item count from %d to %d", before, after)
	}
	if _, _, err := s.Store.City(ctx, ids.New()); failure.KindOf(err) != failure.NotFound {
		t.Fatalf("unknown city: %v", err)
	}
}

func TestIdempotencyRecordRacesAreReported(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ctx := context.Background()
	now := time.Now()
	rec := &idempotency.Record{Scope: "applications", Key: "k", RequestHash: "h", Status: 201,
		ContentType: "application/json", Body: []byte(`{}`), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.Store.Apply(ctx, admission(t), rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.Apply(ctx, admission(t), rec); !errors.Is(err, idempotency.ErrRace) {
		t.Fatalf("second use of the key: %v, want ErrRace", err)
	}
	got, ok, err := s.Store.IdempotencyRecord(ctx, "applications", "k", now)
	if err != nil || !ok || got.Status != 201 || string(got.Body) != `{}` {
		t.Fatalf("record %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s.Store.IdempotencyRecord(ctx, "applications", "k", now.Add(2*time.Hour)); ok {
		t.Fatal("an expired record is still replayed")
	}
}

func TestNotificationClaimsAreExclusiveAndLeased(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ctx := context.Background()
	a := admission(t)
	if err := s.Store.Apply(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	id := a.Notifications[0].ID
	now := time.Now()
	n, ok, err := s.Store.ClaimNotification(ctx, id, now, now.Add(time.Minute))
	if err != nil || !ok || n.Link == nil || n.Link.Ref.TokenID == "" || n.Attempts != 1 {
		t.Fatalf("first claim: %+v %v %v", n, ok, err)
	}
	if _, ok, _ := s.Store.ClaimNotification(ctx, id, now, now.Add(time.Minute)); ok {
		t.Fatal("a second delivery claimed an item under a live lease")
	}
	// A delivery that died holding the lease is taken over once it ends.
	later := now.Add(2 * time.Minute)
	n, ok, err = s.Store.ClaimNotification(ctx, id, later, later.Add(time.Minute))
	if err != nil || !ok || n.Attempts != 2 {
		t.Fatalf("claim after the lease ended: %+v %v %v", n, ok, err)
	}
	if err := s.Store.ReleaseNotification(ctx, id, "boom", later); err != nil {
		t.Fatal(err)
	}
	if n, ok, _ := s.Store.ClaimNotification(ctx, id, later, later.Add(time.Minute)); !ok || n.Status != notify.StatusSending {
		t.Fatalf("a released item could not be claimed again: %+v", n)
	}
	if err := s.Store.MarkNotificationSent(ctx, n, "msg-1", later, later.Add(90*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Store.ClaimNotification(ctx, id, later.Add(time.Hour), later.Add(2*time.Hour)); ok {
		t.Fatal("a sent notification was claimed again")
	}
	sent, err := s.Store.Notification(ctx, id)
	if err != nil || sent.Status != notify.StatusSent {
		t.Fatalf("sent item %+v %v", sent, err)
	}
	// What stays for good names no one: the template, the recipient's
	// hash, the times and the message id.
	rec, ok, err := s.Store.NotificationSent(ctx, id)
	if err != nil || !ok || rec.Template != "application-received" || rec.RecipientHash != store.RecipientHash("Luca@Porto.example") ||
		rec.MessageID != "msg-1" || !rec.SentAt.Equal(later.UTC()) || rec.Attempts != 2 {
		t.Fatalf("sent record %+v %v %v", rec, ok, err)
	}
	item, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: store.NotificationPrefix + id},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "NOTIFICATION"}}})
	if err != nil {
		t.Fatal(err)
	}
	ttl, _ := item.Item["ttl"].(*ddbtypes.AttributeValueMemberN)
	if ttl == nil || ttl.Value != strconv.FormatInt(later.Add(90*24*time.Hour).Unix(), 10) {
		t.Fatalf("the sent notification expires at %v, want 90 days after it was sent", item.Item["ttl"])
	}
	pending, err := s.Store.PendingWork(ctx, later.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if p.PK == "NOTIFICATION#"+id {
			t.Fatal("a sent notification is still in the pending index")
		}
	}
	if len(pending) != 1 { // the secretariat's email is still pending
		t.Fatalf("%d pending items, want 1", len(pending))
	}
}

// A reminder goes once, even after its email's item was deleted at the end
// of its retention: its sent record stays, and QueueOnce checks it.
func TestAReminderIsQueuedOnceEvenAfterItsEmailIsForgotten(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	n := notify.Notification{ID: "progress-c1-2026", Template: "progress-due", Lang: "en", CityID: "c1",
		ToName: "Luca", ToEmail: "luca@porto.example", Data: map[string]string{"Year": "2026"},
		Status: notify.StatusPending, CreatedAt: now}
	for i, want := range []bool{true, false} {
		if queued, err := s.Store.QueueOnce(ctx, n, nil); err != nil || queued != want {
			t.Fatalf("queue %d: %v %v, want %v", i, queued, err, want)
		}
	}
	claimed, ok, err := s.Store.ClaimNotification(ctx, n.ID, now, now.Add(time.Minute))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := s.Store.MarkNotificationSent(ctx, claimed, "m1", now, now); err != nil {
		t.Fatal(err)
	}
	// What the TTL does once the retention has passed.
	if _, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: store.NotificationPrefix + n.ID},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "NOTIFICATION"}}}); err != nil {
		t.Fatal(err)
	}
	if queued, err := s.Store.QueueOnce(ctx, n, nil); err != nil || queued {
		t.Fatalf("the reminder was queued again once its email was forgotten: %v %v", queued, err)
	}
}
