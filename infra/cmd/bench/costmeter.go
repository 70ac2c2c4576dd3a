package main

// The meter counts, while the local stack runs, what AWS would bill for:
// an SDK middleware on every client of the stack's functions asks DynamoDB
// for its consumed capacity and sizes what the emulator cannot tell; a
// wrapper around each function's handler times its invocations.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/smithy-go/middleware"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/template"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

// awsLatency is how long AWS takes to answer one call from a Lambda
// function in the same region, typically: the handler waits for it, and
// the wait is billed. In process the emulator answers in a fraction of a
// millisecond, so the meter replaces its time with these (assumptions).
var awsLatency = map[string]time.Duration{
	"DynamoDB": 6 * time.Millisecond, "S3": 25 * time.Millisecond,
	"SES": 60 * time.Millisecond, "Secrets Manager": 15 * time.Millisecond,
}

// requestIDBytes is what Lambda's log handler adds to each line
// (,"requestId":"<uuid>"), which the in-process logger does not write.
const requestIDBytes = 52

// platformLogBytes are Lambda's own START and REPORT lines per invocation
// in JSON format, written only when the system log level lets them through.
const platformLogBytes = 700

type functionKey struct{}

// meter accumulates a Usage; snapshots taken around an operation give
// the operation's share.
type meter struct {
	mu sync.Mutex
	u  Usage

	reader    *dynamodb.Client // reads items before and after writes, unmetered
	table     string
	tableKeys []string   // the table's key attributes
	indexes   [][]string // each global secondary index's key attributes
	memory    map[string]float64
	linkKey   map[string]bool
	accessLog float64 // bytes of one API access log line
	platform  float64 // Lambda platform log bytes per invocation

	reported, computed int // DynamoDB calls whose units DynamoDB reported, or the meter computed

	// now and horizon weigh items that expire (TTL): an item kept for
	// good counts in full; one that expires counts for the share of the
	// horizon it lives, so that the model's history of years holds it
	// only as long as it lasts.
	now     func() time.Time
	horizon time.Duration
	ttl     string // the table's TTL attribute
}

// install adds the meter's middleware to an SDK configuration: every
// client built from it (DynamoDB, S3, SES, Secrets Manager, Streams) is
// metered.
func (m *meter) install(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CostMeter", m.handle), middleware.After)
	})
}

// configure reads what the meter needs from the template.
func (m *meter) configure(tpl *template.Template, table string, reader *dynamodb.Client, now func() time.Time, horizon time.Duration) {
	m.reader, m.table, m.now, m.horizon = reader, table, now, horizon
	if tpl.Table.TimeToLiveSpecification.Enabled {
		m.ttl = tpl.Table.TimeToLiveSpecification.AttributeName
	}
	m.tableKeys = keyNames(tpl.Table.KeySchema)
	for _, g := range tpl.Table.GlobalSecondaryIndexes {
		m.indexes = append(m.indexes, keyNames(g.KeySchema))
	}
	m.memory, m.linkKey = map[string]float64{}, map[string]bool{}
	globals := tpl.Globals["Function"]
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		mb, ok := number(f.Raw.Properties["MemorySize"])
		if !ok {
			mb, _ = number(globals["MemorySize"])
		}
		m.memory[name] = mb
		for _, v := range f.Env {
			if v == "!Ref LinkKey" {
				m.linkKey[name] = true
			}
		}
	}
	m.accessLog = accessLogLine(tpl)
	if lc, ok := globals["LoggingConfig"].(map[string]any); ok {
		switch lc["SystemLogLevel"] {
		case "WARN", "ERROR", "FATAL":
		default:
			m.platform = platformLogBytes
		}
	}
}

func keyNames(ks []template.KeyElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.AttributeName)
	}
	return out
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// accessLogLine estimates the bytes of one line of the API's access log:
// the template's format with each $context variable replaced by a value of
// a typical length.
func accessLogLine(tpl *template.Template) float64 {
	api, ok := tpl.Resources["HttpApi"]
	if !ok {
		return 0
	}
	settings, _ := api.Properties["AccessLogSettings"].(map[string]any)
	format, _ := settings["Format"].(string)
	typical := map[string]int{"requestId": 16, "requestTime": 26, "identity.sourceIp": 14, "identity.userAgent": 110,
		"httpMethod": 4, "routeKey": 36, "path": 48, "status": 3, "protocol": 8, "responseLength": 4,
		"responseLatency": 3, "integrationLatency": 3, "integrationStatus": 3}
	vars := regexp.MustCompile(`\$context\.[A-Za-z.]+`)
	n := len(vars.ReplaceAllStringFunc(format, func(v string) string {
		return strings.Repeat("x", typical[strings.TrimPrefix(v, "$context.")])
	}))
	return float64(n + 1) // and its newline
}

// snapshot returns the usage so far, with the table's stored bytes as of
// now.
func (m *meter) snapshot(ctx context.Context) (Usage, error) {
	stored, gsi, err := m.storedBytes(ctx)
	if err != nil {
		return Usage{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.u
	u.StoredBytes, u.GSIStoredBytes = stored, gsi
	return u, nil
}

// storedBytes sizes the table as DynamoDB bills its storage: each item's
// size plus 100 bytes, and as much again in each index that holds it; an
// item that expires is weighed by the share of the horizon it lives.
func (m *meter) storedBytes(ctx context.Context) (total, gsi float64, err error) {
	p := dynamodb.NewScanPaginator(m.reader, &dynamodb.ScanInput{TableName: aws.String(m.table)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return 0, 0, fmt.Errorf("size the table: %w", err)
		}
		for _, it := range out.Items {
			size := float64(itemSize(it)+100) * m.lifeShare(it)
			total += size
			for _, keys := range m.indexes {
				if hasAll(it, keys) {
					total += size
					gsi += size
				}
			}
		}
	}
	return total, gsi, nil
}

// lifeShare is the share of the horizon an item lives: 1 without a TTL.
func (m *meter) lifeShare(item map[string]types.AttributeValue) float64 {
	n, ok := item[m.ttl].(*types.AttributeValueMemberN)
	if m.ttl == "" || !ok || m.horizon <= 0 {
		return 1
	}
	var epoch float64
	if _, err := fmt.Sscan(n.Value, &epoch); err != nil {
		return 1
	}
	left := time.Unix(int64(epoch), 0).Sub(m.now())
	return math.Min(1, math.Max(0, float64(left)/float64(m.horizon)))
}

// invoke runs one Lambda invocation of function fn and times it.
func (m *meter) invoke(ctx context.Context, fn string, f func(context.Context) error) error {
	ctx = context.WithValue(ctx, functionKey{}, fn)
	start := time.Now()
	err := f(ctx)
	ms := float64(time.Since(start)) / float64(time.Millisecond)
	mb := m.memory[fn]
	m.mu.Lock()
	defer m.mu.Unlock()
	m.u.Invocations++
	m.u.InvocationMB += mb
	m.u.HandlerMBms += mb * ms
	m.u.HandlerMs += ms
	m.u.LogBytes += m.platform
	if m.linkKey[fn] {
		m.u.KeyInvocations++
	}
	return err
}

// handler serves the template's routes as local.Stack.Handler does, each
// request an API Gateway request and an invocation of its function.
func (m *meter) handler(s *local.Stack) http.Handler {
	mux := http.NewServeMux()
	for _, name := range s.Template.Names() {
		f, _ := s.Template.FunctionByName(name)
		api, ok := s.APIs[name]
		if !ok {
			continue
		}
		h := api.Handler(name)
		timed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.mu.Lock()
			m.u.Requests++
			m.u.LogBytes += m.accessLog
			m.mu.Unlock()
			_ = m.invoke(r.Context(), name, func(ctx context.Context) error {
				h.ServeHTTP(w, r.WithContext(ctx))
				return nil
			})
		})
		for _, rt := range f.Routes {
			mux.Handle(httpapi.Pattern(rt.Method, rt.Path), timed)
		}
	}
	return mux
}

// wrapPollers times each stream-triggered invocation.
func (m *meter) wrapPollers(s *local.Stack) {
	for _, p := range s.Pollers {
		handle, fn := p.Handler, p.Function
		p.Handler = func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			var resp events.DynamoDBEventResponse
			err := m.invoke(ctx, fn, func(ctx context.Context) error {
				var err error
				resp, err = handle(ctx, ev)
				return err
			})
			return resp, err
		}
	}
}

// runJob is one scheduled invocation of a job's function.
func (m *meter) runJob(ctx context.Context, s *local.Stack, fn string, input []byte) error {
	job, ok := s.Jobs[fn]
	if !ok {
		return fmt.Errorf("no job %s", fn)
	}
	m.mu.Lock()
	m.u.ScheduleRuns++
	m.mu.Unlock()
	return m.invoke(ctx, fn, func(ctx context.Context) error { _, err := job(ctx, input); return err })
}

// logCounter counts the bytes the functions log, as Lambda's log handler
// would write them.
type logCounter struct{ m *meter }

func (c logCounter) Write(p []byte) (int, error) {
	lines := float64(bytes.Count(p, []byte{'\n'}))
	c.m.mu.Lock()
	c.m.u.LogBytes += float64(len(p)) + lines*requestIDBytes
	c.m.mu.Unlock()
	return len(p), nil
}

// captureLogs makes the default logger write JSON at level to the meter
// until the returned function restores the previous one.
func (m *meter) captureLogs(level string) func() {
	prev := slog.Default()
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(logCounter{m}, &slog.HandlerOptions{Level: l})))
	return func() { slog.SetDefault(prev) }
}

// handle is the middleware: it runs the call and adds what it costs.
func (m *meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	service := awsmiddleware.GetServiceID(ctx)
	var before []map[string]types.AttributeValue
	if service == dynamodb.ServiceID && m.reader != nil {
		askCapacity(in.Parameters)
		before = m.images(ctx, in.Parameters)
	}
	putBytes := s3PutBytes(in.Parameters) // before the call reads the body
	start := time.Now()
	out, md, err := next.HandleInitialize(ctx, in)
	took := time.Since(start)

	var u Usage
	switch service {
	case dynamodb.ServiceID:
		if m.reader != nil {
			u = m.dynamoDB(ctx, in.Parameters, out.Result, err, before)
		}
	case "DynamoDB Streams":
		if awsmiddleware.GetOperationName(ctx) == "GetRecords" {
			u.StreamReads = 1
		}
	case "S3":
		u = s3Usage(in.Parameters, putBytes, err)
	case ses.ServiceID:
		u = sesUsage(in.Parameters, err)
	case "Secrets Manager":
		u.SecretCalls = 1
	}
	if fn, ok := ctx.Value(functionKey{}).(string); ok {
		if latency, known := awsLatency[service]; known {
			// The call's time in process is the emulator's; AWS takes longer.
			u.WaitMs = float64(latency-took) / float64(time.Millisecond)
			u.WaitMBms = m.memory[fn] * u.WaitMs
		}
	}
	m.mu.Lock()
	m.u = m.u.Add(u)
	m.mu.Unlock()
	return out, md, err
}

// s3PutBytes is the size of the body a PutObject sends.
func s3PutBytes(params any) float64 {
	p, ok := params.(*s3.PutObjectInput)
	if !ok {
		return 0
	}
	if l, ok := p.Body.(interface{ Len() int }); ok {
		return float64(l.Len())
	}
	return float64(aws.ToInt64(p.ContentLength))
}

// s3Usage counts S3 requests by price tier, and the bytes a PUT stored.
func s3Usage(params any, putBytes float64, err error) Usage {
	switch params.(type) {
	case *s3.PutObjectInput:
		u := Usage{S3Puts: 1}
		if err == nil {
			u.S3Bytes = putBytes
		}
		return u
	case *s3.CopyObjectInput, *s3.ListObjectsV2Input, *s3.ListObjectVersionsInput, *s3.CreateBucketInput:
		return Usage{S3Puts: 1}
	}
	return Usage{S3Gets: 1}
}

// sesUsage counts each recipient of an email SES accepted, and the raw
// size of an email sent with attachments (SES bills attachments by the GB;
// the raw size, headers and encoding included, is an upper bound).
func sesUsage(params any, err error) Usage {
	if err != nil {
		return Usage{}
	}
	switch p := params.(type) {
	case *ses.SendEmailInput:
		n := 1
		if d := p.Destination; d != nil {
			n = max(1, len(d.ToAddresses)+len(d.CcAddresses)+len(d.BccAddresses))
		}
		return Usage{Emails: float64(n)}
	case *ses.SendRawEmailInput:
		u := Usage{Emails: float64(max(1, len(p.Destinations)))}
		if p.RawMessage != nil {
			u.AttachmentBytes = float64(len(p.RawMessage.Data))
		}
		return u
	}
	return Usage{}
}
