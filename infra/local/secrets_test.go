package local_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/store"
)

var emailedToken = regexp.MustCompile(`#token=([A-Za-z0-9_-]{20,})`)

// memberDueAReport takes a city to membership, its agreement signed two
// years ago: the daily run asks it for a progress report, with a link.
func memberDueAReport(t *testing.T, s *localtest.Stack, adm, name string) string {
	t.Helper()
	id, _ := reported(t, s, name)
	base := "/admin/cities/" + id
	c := admin(t, s, adm, base+"/expert-visits", `{"scheduledFor":"2025-01-10","experts":[{"name":"A","email":"a@x.example"}],"representative":{"name":"R","email":"r@x.example"}}`, 200)
	admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held", `{"heldOn":"2025-01-10","diagnosis":"ok"}`, 200)
	admin(t, s, adm, base+"/profile", `{"title":"P","issuedOn":"2025-02-01"}`, 200)
	now := time.Now().UTC()
	signed := now.AddDate(-2, 0, -1).Format("2006-01-02")
	ends := now.AddDate(2, 0, 0).Format("2006-01-02")
	admin(t, s, adm, base+"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, signed, signed, ends), 200)
	return id
}

// works says whether a token opens the city's file.
func works(t *testing.T, s *localtest.Stack, id, tok string) bool {
	t.Helper()
	status, _, resp := s.Do(http.MethodGet, "/cities/"+id, tok, "")
	if status != http.StatusOK && status != http.StatusUnauthorized {
		t.Fatalf("GET /cities/%s: %d %s", id, status, resp)
	}
	return status == http.StatusOK
}

// TestNoEmailedTokenIsStoredStreamedOrLogged issues every kind of emailed
// link (the application's, re-issued ones, one for an ended file, a
// progress report reminder's), sends the emails, and looks for each
// emailed secret in every item of the table, every record of its stream
// and every log line: none holds one, before or after sending.
func TestNoEmailedTokenIsStoredStreamedOrLogged(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	s := localtest.New(t, local.Options{})
	var mu sync.Mutex
	var stream []events.DynamoDBEventRecord
	for _, p := range s.Pollers {
		p.Read = func(ev events.DynamoDBEventRecord) {
			mu.Lock()
			defer mu.Unlock()
			stream = append(stream, ev)
		}
	}
	adm := s.AdminToken()
	ctx := t.Context()

	id, first := applyCity(t, s, "Kept Secret", 90000, 9)
	admin(t, s, adm, "/admin/cities/"+id+"/tokens", `{}`, 200)
	s.Drain()
	second := s.TokenFromMail("keptsecret@index.example")
	if works(t, s, id, first) || !works(t, s, id, second) {
		t.Fatal("a re-issued link does not replace the first")
	}
	// An ended file's links stop working; the secretariat can give the
	// city a new one.
	admin(t, s, adm, "/admin/cities/"+id+"/withdrawal", `{"reason":"left the process"}`, 200)
	if works(t, s, id, second) {
		t.Fatal("the link of a withdrawn city still works")
	}
	admin(t, s, adm, "/admin/cities/"+id+"/tokens", `{}`, 200)
	s.Drain()
	third := s.TokenFromMail("keptsecret@index.example")
	if !works(t, s, id, third) {
		t.Fatal("a link re-issued for an ended file does not work")
	}

	// A reminder's link, then a re-issued one that ends it.
	member := memberDueAReport(t, s, adm, "Reminded")
	s.RunSchedule(adm, "daily", "")
	reminder := s.TokenFromMail("reminded@index.example")
	if !works(t, s, member, reminder) {
		t.Fatal("the reminder's link does not work")
	}
	admin(t, s, adm, "/admin/cities/"+member+"/tokens", `{}`, 200)
	if works(t, s, member, reminder) {
		t.Fatal("a re-issued link leaves the reminder's link working")
	}
	s.Drain()

	var tokens []string
	mails, err := s.Mailbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		for _, g := range emailedToken.FindAllStringSubmatch(m.Body, -1) {
			tokens = append(tokens, g[1])
		}
	}
	for _, tok := range []string{first, second, third, reminder} {
		if !strings.Contains(strings.Join(tokens, " "), tok) {
			t.Fatalf("token %s… not found in the mailbox", tok[:6])
		}
	}

	out, err := s.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(s.Table)})
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	streamJSON, _ := json.Marshal(stream)
	mu.Unlock()
	itemsJSON, _ := json.Marshal(items)
	for _, tok := range tokens {
		for _, where := range []struct{ name, text string }{
			{"an item", string(itemsJSON)}, {"a stream record", string(streamJSON)}, {"a log line", logs.String()},
		} {
			if strings.Contains(where.text, tok) {
				t.Errorf("the emailed token %s… is in %s", tok[:6], where.name)
			}
		}
	}
	// The test saw what it meant to look at.
	if !strings.Contains(string(streamJSON), `"tokenId"`) || !strings.Contains(string(itemsJSON), "TOKENS#"+member) ||
		!strings.Contains(logs.String(), "notification sent") {
		t.Fatal("no link reference in the stream, no live token of the member or no delivery logged: the test proves nothing")
	}

	// What is kept of a sent email for good is its sent record; the item
	// with the address and the data goes when its time to live ends.
	sent := 0
	for _, it := range items {
		pk, _ := it["pk"].(string)
		if !strings.HasPrefix(pk, store.NotificationPrefix) || it["sk"] != "NOTIFICATION" || (it["cityId"] != id && it["cityId"] != member) {
			continue
		}
		nid := strings.TrimPrefix(pk, store.NotificationPrefix)
		if it["status"] != string(notify.StatusSent) || it["ttl"] == nil {
			t.Errorf("notification %s: status %v, ttl %v", nid, it["status"], it["ttl"])
		}
		rec, ok, err := s.Store.NotificationSent(ctx, nid)
		if err != nil || !ok || rec.MessageID == "" || rec.RecipientHash == "" {
			t.Errorf("notification %s has no sent record: %+v %v", nid, rec, err)
		}
		sent++
	}
	for _, it := range items {
		if it["sk"] == "SENT" && (it["toEmail"] != nil || it["toName"] != nil || it["data"] != nil) {
			t.Errorf("a sent record keeps personal data: %v", it)
		}
	}
	if sent < 6 {
		t.Fatalf("%d sent notifications checked", sent)
	}
}

// syncBuffer is a log sink the stack's goroutines may write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
