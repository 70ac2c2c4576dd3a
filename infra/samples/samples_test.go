package samples

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/infra/template"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/runs"
	"github.com/intercultural-cities/backoffice/shared/store"
)

func loadTemplate(t *testing.T) *template.Template {
	t.Helper()
	tpl, err := template.LoadProject()
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// decodeStrict decodes exactly one JSON value into v, refusing fields v
// does not have (where v's type does its own decoding, that part is lenient).
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

func read(t *testing.T, function string) []byte {
	t.Helper()
	b, err := Read(function)
	if err != nil {
		t.Fatalf("sample event for %s: %v", function, err)
	}
	return b
}

// TestOneSamplePerFunction: events/ holds exactly <function>.json for every
// function of the template, and nothing else.
func TestOneSamplePerFunction(t *testing.T) {
	tpl := loadTemplate(t)
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || filepath.Ext(name) != ".json" {
			t.Errorf("events/%s: events/ holds only <function>.json files", name)
			continue
		}
		have = append(have, strings.TrimSuffix(name, ".json"))
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Errorf("events/%s is not valid JSON", name)
		}
	}
	for _, name := range tpl.Names() {
		if !slices.Contains(have, name) {
			t.Errorf("function %s has no sample event events/%s.json", name, name)
		}
	}
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		both := len(f.Schedules) > 0 && len(f.Streams) > 0
		if has := slices.Contains(have, name+StreamSuffix); has != both {
			t.Errorf("function %s: events/%s%s.json exists: %v; a function triggered both on a schedule and by the stream "+
				"has one, and no other function", name, name, StreamSuffix, has)
		}
	}
	for _, name := range have {
		if _, ok := tpl.FunctionByName(strings.TrimSuffix(name, StreamSuffix)); !ok {
			t.Errorf("events/%s.json matches no function of template.yaml", name)
		}
	}
}

// httpExpect is what each HTTP sample must get from its own function.
var httpExpect = map[string]struct {
	statuses []int
	why      string
}{
	"applications":  {[]int{http.StatusCreated}, "a valid application is created"},
	"openapi":       {[]int{http.StatusOK}, "the contract is public"},
	"cities":        {[]int{http.StatusUnauthorized, http.StatusNotFound}, "the sample's token is fake"},
	"secretariat":   {[]int{http.StatusUnauthorized}, "the sample's token is fake"},
	"questionnaire": {[]int{http.StatusOK}, "the questionnaire is public"},
	"index":         {[]int{http.StatusUnauthorized, http.StatusNotFound}, "the sample's token is fake"},
	"web":           {[]int{http.StatusOK}, "the forms are public"},
	"invoices":      {[]int{http.StatusUnauthorized}, "the sample's token is fake"},
	"finance":       {[]int{http.StatusUnauthorized}, "the sample's token is fake"},
	"reports":       {[]int{http.StatusUnauthorized}, "the sample's token is fake"},
}

var wildcard = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// TestHTTPSamples decodes each HTTP API sample strictly, checks it is the
// request API Gateway sends for one of the function's template routes, and
// serves it with the function's handler on a local stack.
func TestHTTPSamples(t *testing.T) {
	tpl := loadTemplate(t)
	st := localtest.New(t, local.Options{})
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		if len(f.Routes) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var ev events.APIGatewayV2HTTPRequest
			if err := decodeStrict(read(t, name), &ev); err != nil {
				t.Fatalf("events/%s.json is not an API Gateway HTTP API request: %v", name, err)
			}
			checkRequestShape(t, name, f, ev)

			want, ok := httpExpect[name]
			if !ok {
				t.Fatalf("no expected status for the %s sample; add it to httpExpect", name)
			}
			h := httpapi.LambdaHandler(st.API(name).Handler(name))
			resp, err := h(context.Background(), ev)
			if err != nil {
				t.Fatalf("handler error: %v", err)
			}
			if !slices.Contains(want.statuses, resp.StatusCode) {
				t.Fatalf("events/%s.json got status %d, want one of %v (%s); body: %s",
					name, resp.StatusCode, want.statuses, want.why, resp.Body)
			}
			if name == "applications" {
				loc := resp.Headers["Location"]
				id, found := strings.CutPrefix(loc, stagePrefix(ev)+"/cities/")
				if !found || !ids.Valid(id) {
					t.Errorf("Location %q, want %s/cities/<id>", loc, stagePrefix(ev))
				}
				if n := st.Items("CITY#" + id); n == 0 {
					t.Errorf("no item of city %s in the table after a 201", id)
				}
			}
		})
	}
}

// stagePrefix is the path prefix of the request's stage: "" for $default.
func stagePrefix(ev events.APIGatewayV2HTTPRequest) string {
	if s := ev.RequestContext.Stage; s != "" && s != "$default" {
		return "/" + s
	}
	return ""
}

func checkRequestShape(t *testing.T, name string, f template.Function, ev events.APIGatewayV2HTTPRequest) {
	t.Helper()
	if ev.Version != "2.0" {
		t.Errorf("version %q, want 2.0 (HttpApi events default to payload format 2.0)", ev.Version)
	}
	var route *template.Route
	for i, r := range f.Routes {
		if r.Method+" "+r.Path == ev.RouteKey {
			route = &f.Routes[i]
		}
	}
	if route == nil {
		t.Fatalf("routeKey %q is none of %s's template routes %v", ev.RouteKey, name, f.Routes)
	}
	rc := ev.RequestContext
	if rc.RouteKey != ev.RouteKey {
		t.Errorf("requestContext.routeKey %q differs from routeKey %q", rc.RouteKey, ev.RouteKey)
	}
	if rc.HTTP.Method != route.Method {
		t.Errorf("requestContext.http.method %q, the route's method is %s", rc.HTTP.Method, route.Method)
	}
	if rc.HTTP.Path != ev.RawPath {
		t.Errorf("requestContext.http.path %q differs from rawPath %q", rc.HTTP.Path, ev.RawPath)
	}
	// A named stage (the template's StageName) prefixes the path.
	path := ev.RawPath
	if base := stagePrefix(ev); base != "" {
		rest, ok := strings.CutPrefix(path, base+"/")
		if !ok {
			t.Fatalf("stage %q is named, so API Gateway prefixes rawPath with %s; rawPath is %q", rc.Stage, base, path)
		}
		path = "/" + rest
	}
	if rc.TimeEpoch == 0 || rc.RequestID == "" || rc.HTTP.SourceIP == "" {
		t.Errorf("requestContext lacks timeEpoch, requestId or http.sourceIp: %+v", rc)
	}
	q, err := url.ParseQuery(ev.RawQueryString)
	if err != nil {
		t.Errorf("rawQueryString %q: %v", ev.RawQueryString, err)
	}
	qp := map[string]string{}
	for k, vs := range q {
		qp[k] = strings.Join(vs, ",") // API Gateway joins repeated parameters with commas
	}
	if len(qp) > 0 || len(ev.QueryStringParameters) > 0 {
		if !reflect.DeepEqual(qp, ev.QueryStringParameters) {
			t.Errorf("queryStringParameters %v, rawQueryString %q says %v", ev.QueryStringParameters, ev.RawQueryString, qp)
		}
	}
	for k := range ev.Headers {
		if k != strings.ToLower(k) {
			t.Errorf("header %q: HTTP APIs send header names in lower case", k)
		}
	}
	// The path must match the route, with the same path parameters.
	got := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc(route.Method+" "+route.Path, func(_ http.ResponseWriter, r *http.Request) {
		for _, m := range wildcard.FindAllStringSubmatch(route.Path, -1) {
			got[m[1]] = r.PathValue(m[1])
		}
	})
	req := httptest.NewRequest(rc.HTTP.Method, path, nil)
	if _, pattern := mux.Handler(req); pattern == "" {
		t.Fatalf("rawPath %q does not match the route %s %s", ev.RawPath, route.Method, route.Path)
	}
	mux.ServeHTTP(httptest.NewRecorder(), req)
	params := ev.PathParameters
	if params == nil {
		params = map[string]string{}
	}
	if !reflect.DeepEqual(got, params) {
		t.Errorf("pathParameters %v, the route %s extracts %v from rawPath", params, route.Path, got)
	}
	for k, v := range params {
		if strings.HasSuffix(k, "Id") && !ids.Valid(v) {
			t.Errorf("path parameter %s=%q is not a 26-character identifier", k, v)
		}
	}
}

// TestStreamSamples decodes each stream-triggered function's sample, checks
// it is a work item the function's template filter lets through, and feeds
// it to outbox.StreamHandler, which must hand the consumer the item's key.
func TestStreamSamples(t *testing.T) {
	tpl := loadTemplate(t)
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		if len(f.Streams) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			raw := read(t, name)
			if len(f.Schedules) > 0 {
				raw = read(t, name+StreamSuffix)
			}
			var ev events.DynamoDBEvent
			if err := decodeStrict(raw, &ev); err != nil {
				t.Fatalf("events/%s.json is not a DynamoDB stream event: %v", name, err)
			}
			if len(ev.Records) == 0 {
				t.Fatal("no records")
			}
			var doc struct{ Records []map[string]any }
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			var want []outbox.Key
			for i, rec := range ev.Records {
				want = append(want, checkRecord(t, tpl, f, rec, doc.Records[i]))
			}

			// The handler hands the consumer each item's key ...
			workType := attrString(ev.Records[0].Change.NewImage, "type")
			var asked []outbox.Key
			h := outbox.StreamHandler(workType, func(_ context.Context, k outbox.Key) error {
				asked = append(asked, k)
				return nil
			})
			resp, err := h(context.Background(), ev)
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("stream handler: %v, failures %v", err, resp.BatchItemFailures)
			}
			if !reflect.DeepEqual(asked, want) {
				t.Errorf("the consumer was asked for %v, want %v", asked, want)
			}
			// ... and reports the first failed record by sequence number.
			h = outbox.StreamHandler(workType, func(context.Context, outbox.Key) error { return errors.New("throttled") })
			resp, _ = h(context.Background(), ev)
			if seq := ev.Records[0].Change.SequenceNumber; len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != seq {
				t.Errorf("failed record reported as %v, want its SequenceNumber %s", resp.BatchItemFailures, seq)
			}
		})
	}
}

func attrString(m map[string]events.DynamoDBAttributeValue, k string) string {
	if v, ok := m[k]; ok && v.DataType() == events.DataTypeString {
		return v.String()
	}
	return ""
}

// checkRecord checks one stream record and returns its item's key.
func checkRecord(t *testing.T, tpl *template.Template, f template.Function, rec events.DynamoDBEventRecord, raw map[string]any) outbox.Key {
	t.Helper()
	ch := rec.Change
	if rec.EventName != string(events.DynamoDBOperationTypeInsert) || rec.EventSource != "aws:dynamodb" {
		t.Errorf("eventName %q eventSource %q, want INSERT from aws:dynamodb", rec.EventName, rec.EventSource)
	}
	if ch.StreamViewType != tpl.Table.StreamSpecification.StreamViewType {
		t.Errorf("StreamViewType %q, the table's stream is %q", ch.StreamViewType, tpl.Table.StreamSpecification.StreamViewType)
	}
	if ch.SequenceNumber == "" || ch.OldImage != nil {
		t.Errorf("an INSERT record has a SequenceNumber and no OldImage")
	}
	pk, sk := store.Table.PartitionKey, store.Table.SortKey
	key := outbox.Key{PK: attrString(ch.Keys, pk), SK: attrString(ch.Keys, sk)}
	if len(ch.Keys) != 2 || key.PK == "" || key.SK == "" {
		t.Errorf("Keys %v must hold exactly the string attributes %s and %s", ch.Keys, pk, sk)
	}
	if key.PK != attrString(ch.NewImage, pk) || key.SK != attrString(ch.NewImage, sk) {
		t.Errorf("Keys %v differ from the NewImage's %s and %s", ch.Keys, pk, sk)
	}
	if st := attrString(ch.NewImage, "status"); st != outbox.StatusPending {
		t.Errorf("NewImage status %q, a new work item is %q", st, outbox.StatusPending)
	}
	for _, s := range f.Streams {
		if len(s.FilterPatterns) == 0 {
			continue
		}
		var passed bool
		for _, p := range s.FilterPatterns {
			ok, err := matchFilter(p, raw)
			if err != nil {
				t.Fatal(err)
			}
			passed = passed || ok
		}
		if !passed {
			t.Errorf("the stream event's filters %v drop the sample record", s.FilterPatterns)
		}
	}
	return key
}

// TestNotifySample: the notify function's consumer claims the sample's
// notification by its id.
func TestNotifySample(t *testing.T) {
	var ev events.DynamoDBEvent
	if err := decodeStrict(read(t, "notify"), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Records) != 1 {
		t.Fatalf("%d records, want 1", len(ev.Records))
	}
	img := ev.Records[0].Change.NewImage
	id := attrString(img, "id")
	if !ids.Valid(id) {
		t.Fatalf("NewImage id %q is not an identifier", id)
	}
	for attr, want := range map[string]string{
		store.Table.PartitionKey: store.NotificationPrefix + id, store.Table.SortKey: "NOTIFICATION",
		"type": outbox.TypeNotification, "status": outbox.StatusPending,
	} {
		if got := attrString(img, attr); got != want {
			t.Errorf("NewImage %s = %q, want %q", attr, got, want)
		}
	}
	claims := &claimRecorder{}
	svc := &notify.Service{Store: claims, Now: time.Now, Lease: time.Minute}
	h := outbox.StreamHandler(outbox.TypeNotification, boot.DeliverNotification(svc))
	if resp, err := h(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("notify handler: %v, failures %v", err, resp.BatchItemFailures)
	}
	if want := []string{id}; !reflect.DeepEqual(claims.ids, want) {
		t.Errorf("notify claimed %v, want %v", claims.ids, want)
	}
}

// TestRunSamples: a scheduled function's Lambda handler, given its
// schedule's sample, runs the schedule; given its stream sample, a run the
// secretariat asked for, whose record is the sample's, it runs that run to
// its end.
func TestRunSamples(t *testing.T) {
	s := localtest.New(t, local.Options{})
	for _, name := range runs.Schedules {
		t.Run(name, func(t *testing.T) {
			h := s.Scheduled[name]
			if _, err := h(t.Context(), read(t, name)); err != nil {
				t.Fatalf("the schedule's sample: %v", err)
			}
			raw := read(t, name+StreamSuffix)
			var ev events.DynamoDBEvent
			if err := decodeStrict(raw, &ev); err != nil {
				t.Fatal(err)
			}
			img := ev.Records[0].Change.NewImage
			item := map[string]types.AttributeValue{}
			for k, v := range img {
				switch v.DataType() {
				case events.DataTypeString:
					item[k] = &types.AttributeValueMemberS{Value: v.String()}
				case events.DataTypeNumber:
					item[k] = &types.AttributeValueMemberN{Value: v.Number()}
				default:
					t.Fatalf("NewImage %s: an attribute of type %v, which this test does not write", k, v.DataType())
				}
			}
			if _, err := s.DB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
				t.Fatal(err)
			}
			out, err := h(t.Context(), raw)
			if resp, ok := out.(events.DynamoDBEventResponse); err != nil || !ok || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("the stream sample: %v, answered %#v", err, out)
			}
			run, err := s.Store.Run(t.Context(), name, attrString(img, "runId"))
			if err != nil || run.Status != runs.Succeeded || run.Attempts != 1 || len(run.Result) == 0 {
				t.Fatalf("the sample's run after its delivery: %v %+v", err, run)
			}
		})
	}
}

// claimRecorder is a notify.Store that records claims and holds nothing.
type claimRecorder struct{ ids []string }

func (c *claimRecorder) ClaimNotification(_ context.Context, id string, _, _ time.Time) (notify.Notification, bool, error) {
	c.ids = append(c.ids, id)
	return notify.Notification{}, false, nil
}

func (c *claimRecorder) MarkNotificationSent(context.Context, notify.Notification, string, time.Time, time.Time) error {
	return errors.New("unexpected send")
}

func (c *claimRecorder) FailNotification(context.Context, string, string, time.Time, time.Time) error {
	return errors.New("not expected")
}

func (c *claimRecorder) ReleaseNotification(context.Context, string, string, time.Time) error {
	return errors.New("unexpected release")
}

// matchFilter evaluates an event filter pattern made of nested objects and
// lists of accepted values, the subset the template uses.
func matchFilter(pattern string, record map[string]any) (bool, error) {
	var p map[string]any
	if err := json.Unmarshal([]byte(pattern), &p); err != nil {
		return false, fmt.Errorf("filter pattern %s: %w", pattern, err)
	}
	return matchObject(p, record)
}

func matchObject(p, doc map[string]any) (bool, error) {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		got, present := doc[k]
		switch want := p[k].(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok {
				return false, nil
			}
			if ok, err := matchObject(want, sub); !ok || err != nil {
				return false, err
			}
		case []any:
			if !present {
				return false, nil
			}
			found := false
			for _, a := range want {
				if _, ok := a.(map[string]any); ok {
					return false, fmt.Errorf("filter rule %v is not supported by this test", a)
				}
				found = found || reflect.DeepEqual(a, got)
			}
			if !found {
				return false, nil
			}
		default:
			return false, fmt.Errorf("filter key %s: %v is neither an object nor a list", k, want)
		}
	}
	return true, nil
}

// TestScheduleSamples: EventBridge Scheduler delivers a schedule's Input as
// the event, which a scheduled function's handler takes as a map.
func TestScheduleSamples(t *testing.T) {
	tpl := loadTemplate(t)
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		if len(f.Schedules) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var ev map[string]any
			if err := decodeStrict(read(t, name), &ev); err != nil {
				t.Fatalf("events/%s.json: %v", name, err)
			}
			var inputs []string
			for _, s := range f.Schedules {
				var input map[string]any
				if err := json.Unmarshal([]byte(s.Input), &input); err != nil {
					t.Fatalf("schedule %s Input %q: %v", s.EventName, s.Input, err)
				}
				if reflect.DeepEqual(input, ev) {
					return
				}
				inputs = append(inputs, s.Input)
			}
			t.Errorf("events/%s.json %v is none of the schedules' Inputs %v", name, ev, inputs)
		})
	}
}
