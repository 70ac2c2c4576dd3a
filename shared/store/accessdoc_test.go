package store

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/practice"
	"github.com/intercultural-cities/backoffice/shared/runs"
)

// accessDoc is the table's design document this test keeps honest.
const accessDoc = "../../infra/ACCESS-PATTERNS.md"

// recorder is a DynamoDB endpoint that answers every request with an
// empty success and keeps the requests: what the store writes and reads,
// without a database.
type recorder struct {
	mu       sync.Mutex
	requests []request
}

type request struct {
	op   string // PutItem, TransactWriteItems, …
	body map[string]any
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.requests = append(r.requests, request{op: strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "DynamoDB_20120810."), body: body})
	r.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Request: req, Body: io.NopCloser(strings.NewReader("{}")),
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}}}, nil
}

// storeCalls runs every exported method of Store once or more, with
// values that reach its writes. A new method must be added here, so that
// what it writes is checked against the document.
func storeCalls(now time.Time) map[string]func(context.Context, *Store) {
	n := notify.Notification{ID: "n1", Template: "welcome", CityID: "c1", ToEmail: "a@b.example", CreatedAt: now}
	tok := auth.Token{Hash: "h1", Role: auth.RoleCity, CityID: "c1", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	idem := &idempotency.Record{Scope: "s", Key: "k", CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL)}
	city := membership.City{ID: "c1", Name: "Town", Country: "FR", Status: membership.StatusMember, AppliedAt: now}
	k := outbox.Key{PK: InvoicePrefix + "i1", SK: DocumentsPrefix + "i1"}
	return map[string]func(context.Context, *Store){
		"AddToSample": func(ctx context.Context, s *Store) {
			_ = s.AddToSample(ctx, map[string]index.Delta{"all": {Count: 1, Histogram: map[int]int{500: 1}}})
		},
		"Apply": func(ctx context.Context, s *Store) {
			_ = s.Apply(ctx, everyRecord(now), idem)
			_ = s.Apply(ctx, membership.Change{City: membership.City{ID: "c2", Status: membership.StatusApplied, AppliedAt: now},
				Event: membership.Event{At: now, To: membership.StatusApplied}}, nil)
		},
		"Audit":          func(ctx context.Context, s *Store) { _, _ = s.Audit(ctx, "c1") },
		"CitiesInStatus": func(ctx context.Context, s *Store) { _, _ = s.CitiesInStatus(ctx, membership.StatusMember) },
		"City":           func(ctx context.Context, s *Store) { _, _, _ = s.City(ctx, "c1") },
		"CityForUpdate":  func(ctx context.Context, s *Store) { _, _ = s.CityForUpdate(ctx, "c1") },
		"CityInvoices":   func(ctx context.Context, s *Store) { _, _ = s.CityInvoices(ctx, "c1") },
		"ClaimNotification": func(ctx context.Context, s *Store) {
			_, _, _ = s.ClaimNotification(ctx, "n1", now, now.Add(time.Minute))
		},
		"ClaimRun": func(ctx context.Context, s *Store) {
			_, _, _ = s.ClaimRun(ctx, "daily", "r1", now, now.Add(time.Minute))
		},
		"Counts": func(ctx context.Context, s *Store) { _, _ = s.Counts(ctx) },
		"CreateRun": func(ctx context.Context, s *Store) {
			run, _ := runs.New("r1", "annual-invoices", []byte(`{"year":2027}`), "secretariat:Jane Doe", now)
			_ = s.CreateRun(ctx, run, "", idem)
			_ = s.CreateRun(ctx, run, "r0", nil)
		},
		"FinishRun": func(ctx context.Context, s *Store) {
			_, _ = s.FinishRun(ctx, runs.Run{ID: "r1", Schedule: "daily", Status: runs.Succeeded, Attempts: 1, FinishedAt: now,
				Result: []byte(`{}`)}, now.Add(runs.Retention))
			_, _ = s.FinishRun(ctx, runs.Run{ID: "r2", Schedule: "daily", Status: runs.Failed, Attempts: 1, FinishedAt: now,
				Error: "boom"}, now.Add(runs.Retention))
		},
		"DocumentsArchived": func(ctx context.Context, s *Store) {
			_ = s.DocumentsArchived(ctx, k, "i1", "", []notify.Notification{n})
			_ = s.DocumentsArchived(ctx, outbox.Key{PK: InvoicePrefix + "i1", SK: DocumentsPrefix + "cn1"}, "i1", "cn1", nil)
		},
		"Draft":        func(ctx context.Context, s *Store) { _, _ = s.Draft(ctx, "c1") },
		"DraftReports": func(ctx context.Context, s *Store) { _, _ = s.DraftReports(ctx) },
		"FailNotification": func(ctx context.Context, s *Store) {
			_ = s.FailNotification(ctx, "n1", "boom", now, now.Add(time.Hour))
		},
		"FlagInvoice": func(ctx context.Context, s *Store) { _, _ = s.FlagInvoice(ctx, "i1", now) },
		"IdempotencyRecord": func(ctx context.Context, s *Store) {
			_, _, _ = s.IdempotencyRecord(ctx, "s", "k", now)
		},
		"InvoiceAccount": func(ctx context.Context, s *Store) { _, _ = s.InvoiceAccount(ctx, "i1") },
		"Invoices":       func(ctx context.Context, s *Store) { _, _ = s.Invoices(ctx, 2027) },
		"LatestResults":  func(ctx context.Context, s *Store) { _, _ = s.LatestResults(ctx, []string{"c1"}) },
		"LiveCityTokens": func(ctx context.Context, s *Store) { _, _ = s.LiveCityTokens(ctx, "c1", now) },
		"MarkNotificationSent": func(ctx context.Context, s *Store) {
			_ = s.MarkNotificationSent(ctx, n, "m1", now, now.Add(time.Hour))
		},
		"MembersToInvoice": func(ctx context.Context, s *Store) { _, _ = s.MembersToInvoice(ctx, membership.StatusMember) },
		"NextNumber":       func(ctx context.Context, s *Store) { _, _ = s.NextNumber(ctx, fees.InvoiceSeries(2027)) },
		"Notification":     func(ctx context.Context, s *Store) { _, _ = s.Notification(ctx, "n1") },
		"NotificationSent": func(ctx context.Context, s *Store) { _, _, _ = s.NotificationSent(ctx, "n1") },
		"OpenInvoices": func(ctx context.Context, s *Store) {
			_, _ = s.OpenInvoices(ctx, fees.NewDate(2027, 3, 1))
		},
		"PendingWork": func(ctx context.Context, s *Store) { _, _ = s.PendingWork(ctx, now, 500) },
		"Pipeline": func(ctx context.Context, s *Store) {
			_, _ = s.Pipeline(ctx, "", "FR", "town", "", 50)
		},
		"Practice":        func(ctx context.Context, s *Store) { _, _ = s.Practice(ctx, "p1") },
		"Practices":       func(ctx context.Context, s *Store) { _, _ = s.Practices(ctx, ""); _, _ = s.Practices(ctx, "education") },
		"ProgressReports": func(ctx context.Context, s *Store) { _, _ = s.ProgressReports(ctx, "c1") },
		"PutPractice": func(ctx context.Context, s *Store) {
			_ = s.PutPractice(ctx, practice.Practice{ID: "p1", CityID: "c1", Area: "education"}, nil)
			_ = s.PutPractice(ctx, practice.Practice{ID: "p2", CityID: "c1", Area: "education"},
				&idempotency.Record{Scope: "practices", Key: "k", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
		},
		"PutToken": func(ctx context.Context, s *Store) {
			_ = s.PutToken(ctx, tok)
			_ = s.PutToken(ctx, auth.Token{Hash: "h2", Role: auth.RoleSecretariat, ExpiresAt: now.Add(time.Hour)})
		},
		"QueueInvoicing": func(ctx context.Context, s *Store) {
			_ = s.QueueInvoicing(ctx, 2027, []string{"c1", "c2"}, now)
		},
		"QueueOnce": func(ctx context.Context, s *Store) {
			_, _ = s.QueueOnce(ctx, n, nil)
			_, _ = s.QueueOnce(ctx, n, &tok)
		},
		"Redrive": func(ctx context.Context, s *Store) {
			_, _ = s.Redrive(ctx, outbox.Item{PK: NotificationPrefix + "n1", SK: "NOTIFICATION"}, now)
		},
		"ReleaseNotification": func(ctx context.Context, s *Store) { _ = s.ReleaseNotification(ctx, "n1", "boom", now) },
		"ReleaseSchedule":     func(ctx context.Context, s *Store) { _ = s.ReleaseSchedule(ctx, "daily", "r1") },
		"Report":              func(ctx context.Context, s *Store) { _, _ = s.Report(ctx, "c1", "r1") },
		"Run":                 func(ctx context.Context, s *Store) { _, _ = s.Run(ctx, "daily", "r1") },
		"ReportArchived": func(ctx context.Context, s *Store) {
			_ = s.ReportArchived(ctx, outbox.Key{PK: CityPrefix + "c1", SK: ReportDocumentsPrefix + "r1"}, "c1", "r1",
				[]notify.Notification{n})
		},
		"Reports":     func(ctx context.Context, s *Store) { _, _ = s.Reports(ctx, "c1") },
		"RevokeToken": func(ctx context.Context, s *Store) { _ = s.RevokeToken(ctx, "h1", now) },
		"Sample":      func(ctx context.Context, s *Store) { _, _ = s.Sample(ctx) },
		"SaveDraft": func(ctx context.Context, s *Store) {
			_, _ = s.SaveDraft(ctx, index.Draft{CityID: "c1", UpdatedAt: now}, 0)
			_, _ = s.SaveDraft(ctx, index.Draft{CityID: "c1", UpdatedAt: now}, 1)
		},
		"SeedCities": func(ctx context.Context, s *Store) { _ = s.SeedCities(ctx, []membership.City{city}) },
		"SeedInvoices": func(ctx context.Context, s *Store) {
			_ = s.SeedInvoices(ctx, []membership.InvoiceIssued{{Invoice: fees.Invoice{ID: "i1", CityID: "c1", FeeYear: 2027}}})
		},
		"Submission":   func(ctx context.Context, s *Store) { _, _ = s.Submission(ctx, "c1", "s1") },
		"Submissions":  func(ctx context.Context, s *Store) { _, _ = s.Submissions(ctx, "c1") },
		"Queued":       func(ctx context.Context, s *Store) { _, _ = s.Queued(ctx, []string{"n1", "n2"}) },
		"Token":        func(ctx context.Context, s *Store) { _, _ = s.Token(ctx, "h1") },
		"TokenAndCity": func(ctx context.Context, s *Store) { _, _, _, _ = s.TokenAndCity(ctx, "h1", "c1") },
		"Transaction":  func(ctx context.Context, s *Store) { _, _ = s.Transaction(ctx, everyRecord(now), nil) },
		"UpdateCity": func(ctx context.Context, s *Store) {
			_, _ = s.UpdateCity(ctx, "c1", nil, func(membership.City) (membership.Change, error) {
				return membership.Change{}, nil
			})
		},
		"WorkDone": func(ctx context.Context, s *Store) {
			_ = s.WorkDone(ctx, outbox.Key{PK: CityPrefix + "c1", SK: FeeDuePrefix + "2027"}, now)
		},
	}
}

// everyRecord is a change of an existing city that moves its status, with
// one record of every kind the store has a codec or a resolver for, and an
// email. A record type without a sample here is written as its zero value.
func everyRecord(now time.Time) membership.Change {
	day := fees.NewDate(2027, 3, 1)
	inv := fees.Invoice{ID: "i1", CityID: "c1", Number: "ICC-2027-00001", Year: 2027, Seq: 1, FeeYear: 2027,
		IssueDate: day, DueDate: day.AddDays(30)}
	acc := membership.InvoiceAccount{Invoice: inv, Version: 1}
	rep := membership.Report{ID: "r1", CityID: "c1", SubmissionID: "s1", CreatedAt: now, PublishedAt: now,
		Model: []byte("{}"), Version: 1}
	samples := map[reflect.Type]any{}
	for _, rec := range []any{
		membership.NameClaim{Key: membership.NameKey("FR", "Town"), CityID: "c1", Name: "Town", At: now},
		auth.Token{Hash: "h3", Role: auth.RoleCity, CityID: "c1", IssuedAt: now, ExpiresAt: now.Add(time.Hour)},
		auth.Revocation{Hash: "h0", At: now},
		auth.CityLinksRevocation{CityID: "c1", At: now},
		index.Submission{ID: "s1", CityID: "c1", SubmittedAt: now},
		index.ScoredSubmission{CityID: "c1", SubmissionID: "s1", ScoredAt: now},
		index.GroupChange{Group: "population:2", Delta: index.Delta{Count: 1, AggSum: 50}},
		membership.ProgressReport{ID: "pr1", CityID: "c1", Period: "2027", SubmittedAt: now},
		membership.ReportDrafted{Report: rep},
		membership.ReportCommented{Report: rep},
		membership.ReportIssued{Report: rep},
		membership.InvoiceIssued{Invoice: inv},
		membership.PaymentRecorded{Payment: fees.Payment{ID: "p1", InvoiceID: "i1", ReceivedOn: day}, Account: acc,
			EntryKey: "statement-1#entry-1"},
		membership.CreditNoteIssued{CreditNote: fees.CreditNote{ID: "cn1", InvoiceID: "i1", Number: "ICC-CN-2027-00001",
			Year: 2027, Seq: 1, CityID: "c1", IssueDate: day}, Account: acc},
		membership.FeeDue{CityID: "c1", Year: 2027, At: now},
	} {
		samples[reflect.TypeOf(rec)] = rec
	}
	var records []any
	for _, t := range registeredTypes() {
		rec, ok := samples[t]
		if !ok {
			rec = reflect.New(t).Elem().Interface()
		}
		records = append(records, rec)
	}
	return membership.Change{
		City: membership.City{ID: "c1", Status: membership.StatusMember, Version: 3, AppliedAt: now},
		Event: membership.Event{At: now, Type: "agreement_signed", From: membership.StatusProfileIssued,
			To: membership.StatusMember},
		Records:       records,
		Notifications: []notify.Notification{{ID: "n2", CreatedAt: now}},
	}
}

// registeredTypes are the record types with a codec or a resolver.
func registeredTypes() []reflect.Type {
	var ts []reflect.Type
	for t := range codecs {
		ts = append(ts, t)
	}
	for t := range resolvers {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b reflect.Type) int { return strings.Compare(a.String(), b.String()) })
	return ts
}

// row is one row of the document's items table; each cell holds the
// pattern of its first code span ("" for none), <…> standing for any text.
type row struct {
	line                                               int
	item, typ, pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk  string
	ttl, schema                                        string
	rePK, reSK, reGSI1PK, reGSI1SK, reGSI2PK, reGSI2SK *regexp.Regexp
}

var codeSpan = regexp.MustCompile("`([^`]*)`")

func firstCode(cell string) string {
	if m := codeSpan.FindStringSubmatch(cell); m != nil {
		return m[1]
	}
	return ""
}

var placeholder = regexp.MustCompile(`<[^>]*>`)

// pattern turns a key pattern such as CITY#<cityId> into a regexp.
func pattern(p string) *regexp.Regexp {
	if p == "" {
		return nil
	}
	parts := placeholder.Split(p, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

func matches(re *regexp.Regexp, v string) bool { return re != nil && re.MatchString(v) }

// itemsTable reads the first table under "## Items".
func itemsTable(t *testing.T, doc string) []row {
	t.Helper()
	lines := strings.Split(doc, "\n")
	start := slices.Index(lines, "## Items")
	if start < 0 {
		t.Fatalf("%s has no \"## Items\" section", accessDoc)
	}
	var header []string
	var rows []row
	for i := start + 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "|") {
			if header != nil {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(l, "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		switch {
		case header == nil:
			header = cells
			continue
		case strings.HasPrefix(cells[0], "---"):
			continue
		}
		if len(cells) != len(header) {
			t.Fatalf("%s:%d: %d cells, the header has %d", accessDoc, i+1, len(cells), len(header))
		}
		get := func(name string) string {
			j := slices.Index(header, name)
			if j < 0 {
				t.Fatalf("%s: the items table has no column %q", accessDoc, name)
			}
			if name == "item" {
				return cells[j]
			}
			return firstCode(cells[j])
		}
		r := row{line: i + 1, item: get("item"), typ: get("type"), pk: get("pk"), sk: get("sk"),
			gsi1pk: get("gsi1pk"), gsi1sk: get("gsi1sk"), gsi2pk: get("gsi2pk"), gsi2sk: get("gsi2sk"),
			ttl: get("ttl"), schema: get("schema")}
		if cells[slices.Index(header, "ttl")] != "–" {
			r.ttl = "yes"
		}
		r.rePK, r.reSK = pattern(r.pk), pattern(r.sk)
		r.reGSI1PK, r.reGSI1SK, r.reGSI2PK, r.reGSI2SK = pattern(r.gsi1pk), pattern(r.gsi1sk), pattern(r.gsi2pk), pattern(r.gsi2sk)
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: the items table is empty", accessDoc)
	}
	return rows
}

// An item as a request names it: all attributes of a Put, the key (and a
// :type value) of an Update.
type seen struct {
	how   string // "Put", "Update", "GetItem", …
	attrs map[string]string
}

// attrValues flattens a wire-format item to its string and number values.
func attrValues(m any) map[string]string {
	out := map[string]string{}
	item, _ := m.(map[string]any)
	for k, v := range item {
		av, _ := v.(map[string]any)
		for kind, val := range av {
			if s, ok := val.(string); ok && (kind == "S" || kind == "N") {
				out[k] = s
			}
		}
	}
	return out
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		next, _ := m[p].(map[string]any)
		m = next
	}
	return m
}

// itemsOf lists the items a request writes and the keys it reads.
func itemsOf(r request) (writes, reads []seen) {
	update := func(how string, u map[string]any) seen {
		s := seen{how: how, attrs: attrValues(u["Key"])}
		if v := attrValues(u["ExpressionAttributeValues"])[":type"]; v != "" {
			s.attrs["type"] = v
		}
		return s
	}
	b := r.body
	switch r.op {
	case "PutItem":
		writes = append(writes, seen{"Put", attrValues(b["Item"])})
	case "UpdateItem", "DeleteItem":
		writes = append(writes, update(r.op, b))
	case "TransactWriteItems":
		items, _ := b["TransactItems"].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			for how, v := range m {
				op, _ := v.(map[string]any)
				if how == "Put" {
					writes = append(writes, seen{"Put", attrValues(op["Item"])})
				} else {
					writes = append(writes, update(how, op))
				}
			}
		}
	case "BatchWriteItem":
		for _, reqs := range obj(b, "RequestItems") {
			list, _ := reqs.([]any)
			for _, rq := range list {
				m, _ := rq.(map[string]any)
				if p := obj(m, "PutRequest"); p != nil {
					writes = append(writes, seen{"Put", attrValues(p["Item"])})
				}
				if d := obj(m, "DeleteRequest"); d != nil {
					writes = append(writes, seen{"Delete", attrValues(d["Key"])})
				}
			}
		}
	case "GetItem":
		reads = append(reads, seen{"GetItem", attrValues(b["Key"])})
	case "BatchGetItem":
		for _, ka := range obj(b, "RequestItems") {
			m, _ := ka.(map[string]any)
			keys, _ := m["Keys"].([]any)
			for _, k := range keys {
				reads = append(reads, seen{"BatchGetItem", attrValues(k)})
			}
		}
	}
	return writes, reads
}

var partitionCondition = regexp.MustCompile(`^\s*(\w+)\s*=\s*(:\w+)`)

// describe names an item for a failure message.
func describe(s seen) string {
	keys := make([]string, 0, len(s.attrs))
	for k := range s.attrs {
		if k == "pk" || k == "sk" || k == "type" || k == "ttl" || k == "schema" || strings.HasPrefix(k, "gsi") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(s.how)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, s.attrs[k])
	}
	return b.String()
}

// fits says whether an item written agrees with a row: its type and keys
// match, and the index keys, ttl and schema it has are the row's.
func fits(r row, s seen) bool {
	a := s.attrs
	if !matches(r.rePK, a["pk"]) || !matches(r.reSK, a["sk"]) {
		return false
	}
	if t, ok := a["type"]; ok && t != r.typ {
		return false
	}
	if s.how != "Put" {
		return true
	}
	if _, ok := a["type"]; !ok {
		return false // every item has a type
	}
	for name, re := range map[string]*regexp.Regexp{"gsi1pk": r.reGSI1PK, "gsi1sk": r.reGSI1SK,
		"gsi2pk": r.reGSI2PK, "gsi2sk": r.reGSI2SK} {
		if v, ok := a[name]; ok && !matches(re, v) {
			return false
		}
	}
	if _, ok := a["ttl"]; ok && r.ttl == "" {
		return false
	}
	if v := a["schema"]; v != r.schema {
		return false
	}
	return true
}

// The document lists every kind of item the store writes, with its keys,
// index keys, ttl and schema, and every partition it reads; and it lists
// nothing the store does not write.
func TestAccessPatternsDocumentIsTrue(t *testing.T) {
	b, err := os.ReadFile(accessDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	rows := itemsTable(t, doc)

	rec := &recorder{}
	s := New(dynamodb.New(dynamodb.Options{Region: "eu-west-1", BaseEndpoint: aws.String("http://recorder.invalid"),
		HTTPClient: rec, Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1}), "table")
	calls := storeCalls(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	st := reflect.TypeFor[*Store]()
	for i := range st.NumMethod() {
		if _, ok := calls[st.Method(i).Name]; !ok {
			t.Errorf("Store.%s is not exercised: add it to storeCalls, so that what it writes is checked against %s",
				st.Method(i).Name, accessDoc)
		}
	}
	for name, call := range calls {
		if _, ok := st.MethodByName(name); !ok {
			t.Errorf("storeCalls has %s, which Store no longer has", name)
			continue
		}
		call(t.Context(), s)
	}

	used := make([]bool, len(rows))
	var writes, reads []seen
	for _, r := range rec.requests {
		w, rd := itemsOf(r)
		writes, reads = append(writes, w...), append(reads, rd...)
	}
	reported := map[string]bool{}
	for _, w := range writes {
		found := false
		for i, r := range rows {
			if fits(r, w) {
				found, used[i] = true, true
			}
		}
		if d := describe(w); !found && !reported[d] {
			reported[d] = true
			t.Errorf("the store writes %s: no row of the items table in %s says so "+
				"(a new record type may want a sample in everyRecord)", d, accessDoc)
		}
	}
	for _, rd := range reads {
		if !slices.ContainsFunc(rows, func(r row) bool { return fits(r, rd) }) {
			t.Errorf("the store reads %s: no row of the items table in %s has that key", describe(rd), accessDoc)
		}
	}
	for i, r := range rows {
		if !used[i] {
			t.Errorf("%s:%d: %q is not written by the store (any more)", accessDoc, r.line, r.item)
		}
	}

	t.Logf("%d requests: %d items written, %d keys read", len(rec.requests), len(writes), len(reads))

	// Every partition queried is a documented partition of its index.
	for _, r := range rec.requests {
		if r.op == "Scan" {
			t.Errorf("the store scans the table; %s says nothing does", accessDoc)
		}
		if r.op != "Query" {
			continue
		}
		cond, _ := r.body["KeyConditionExpression"].(string)
		m := partitionCondition.FindStringSubmatch(cond)
		if m == nil {
			t.Errorf("a query with key condition %q names no partition", cond)
			continue
		}
		v := attrValues(r.body["ExpressionAttributeValues"])[m[2]]
		if !slices.ContainsFunc(rows, func(rw row) bool {
			return map[string]bool{"pk": matches(rw.rePK, v), "gsi1pk": matches(rw.reGSI1PK, v),
				"gsi2pk": matches(rw.reGSI2PK, v)}[m[1]]
		}) {
			t.Errorf("the store queries %s = %q: no row of the items table in %s has that %s", m[1], v, accessDoc, m[1])
		}
	}

	// Every record type the store can write is in the change's table.
	for _, ty := range registeredTypes() {
		if !strings.Contains(doc, "`"+ty.String()+"`") {
			t.Errorf("%s does not name the record type `%s` the store writes", accessDoc, ty)
		}
	}

	// Every key word of the store's code (CITY#, PROFILE, OUTBOX, …) is in
	// the document.
	var spans strings.Builder
	for _, m := range codeSpan.FindAllStringSubmatch(doc, -1) {
		spans.WriteString(m[1] + "\n")
	}
	for _, w := range keyWords(t) {
		if !strings.Contains(spans.String(), w) {
			t.Errorf("the store's code uses the key %q, which %s never shows", w, accessDoc)
		}
	}
}

var keyWord = regexp.MustCompile(`^[A-Z][A-Z_]+(#[A-Z_]*)*$`)

// keyWords are the string literals of the store's code that look like key
// parts, and the outbox's partition.
func keyWords(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	words := []string{outbox.PendingPartition}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil && keyWord.MatchString(v) && !slices.Contains(words, v) {
					words = append(words, v)
				}
			}
			return true
		})
	}
	return words
}
