// Package local runs the whole system in one process on an embedded AWS
// emulator (kumo): the table created from template.yaml, the HTTP API with
// the template's routes on the real handlers, stream pollers feeding the real
// stream handlers, the schedules, and a mail viewer. Tests and benchmarks use
// the same stack. Function binaries never import this package.
package local

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/sivchari/kumo"

	"github.com/intercultural-cities/backoffice/infra/template"
	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/billing"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/clients"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/linkkeys"
	"github.com/intercultural-cities/backoffice/shared/mail"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/reporting"
	"github.com/intercultural-cities/backoffice/shared/runs"
	"github.com/intercultural-cities/backoffice/shared/store"
)

var (
	emulatorOnce sync.Once
	emulatorURL  string
)

// Emulator starts the in-process AWS emulator once per process and points
// the SDK's standard endpoint settings at it. Its storage is process-global,
// so every stack uses a table of its own. With KUMO_DATA_DIR, its data is
// written to disk as persist.go describes.
func Emulator() string {
	emulatorOnce.Do(func() {
		if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" && os.Getenv("LOCAL_USE_ENDPOINT") == "1" {
			emulatorURL = u
			return
		}
		disk.keep()
		srv := kumo.NewServer()
		emulatorURL = srv.URL
		setDefault("AWS_ENDPOINT_URL", srv.URL, true)
		setDefault("AWS_REGION", "eu-west-3", false)
		setDefault("AWS_ACCESS_KEY_ID", "local", false)
		setDefault("AWS_SECRET_ACCESS_KEY", "local", false)
		setDefault("AWS_EC2_METADATA_DISABLED", "true", false)
	})
	return emulatorURL
}

func setDefault(k, v string, force bool) {
	if force || os.Getenv(k) == "" {
		_ = os.Setenv(k, v)
	}
}

// Options configure a stack.
type Options struct {
	Table            string // table name; unique per test
	FormsBaseURL     string
	SenderEmail      string
	SecretariatEmail string
	SweepAfter       time.Duration
	// Sender replaces SES for fault injection; nil uses SES on the emulator.
	Sender notify.Sender
	// APIOptions are extra SDK middlewares, such as a round-trip counter.
	APIOptions []func(*aws.Config)
}

// Stack is a running local system.
type Stack struct {
	Template *template.Template
	Table    string
	// Refs is what each parameter and resource of the template stands for
	// here (its !Ref), for running a function's binary against the stack.
	Refs  map[string]string
	Store *store.Store
	DB    *dynamodb.Client
	SES   *ses.Client
	// APIs are the HTTP functions, each assembled from its own settings.
	APIs       map[string]*httpapi.API
	Notifier   *notify.Service
	Sweeper    *outbox.Sweeper
	Scorer     *membership.Scorer
	Schedule   *membership.Schedule
	Pollers    []*Poller
	Jobs       map[string]runs.Job     // the schedules, by the name of the function they trigger
	Runners    map[string]*runs.Runner // in each scheduled function, the runs the secretariat asks for
	Annual     *membership.Invoicing   // the annual-invoices function
	Billing    *billing.Service        // the billing function
	Publisher  *reporting.Service      // the publisher function
	Archive    *archive.S3             // the bucket of issued documents
	Sender     string                  // the From header SES stores mail under
	Clock      *Clock                  // every function's time
	Scheduler  *Scheduler              // the template's schedules on Clock
	RoundTrips atomic.Int64
	// Scheduled are the scheduled functions' Lambda handlers, which the
	// scheduler invokes with a schedule's input and the stream pollers
	// with run records.
	Scheduled map[string]func(context.Context, json.RawMessage) (any, error)
	// Calls records every AWS call each function makes, for the check
	// of its grants in the template (see Audit).
	Calls *CallLog
	cfg   aws.Config
	plain *dynamodb.Client // without the stack's middlewares, for rebuilding the table
}

// API returns the HTTP function name as assembled.
func (s *Stack) API(name string) *httpapi.API { return s.APIs[name] }

// Start creates the table from the template and assembles every function
// the way its main package does, from the settings the template gives it:
// a function whose template environment lacks a setting it needs fails
// here, as it would on its first cold start.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	Emulator()
	tpl, err := template.LoadProject()
	if err != nil {
		return nil, err
	}
	if opts.Table == "" {
		opts.Table = "intercultural-cities-local"
	}
	if opts.SenderEmail == "" {
		opts.SenderEmail = "no-reply@intercultural-cities.local"
	}
	if opts.SecretariatEmail == "" {
		opts.SecretariatEmail = "secretariat@intercultural-cities.local"
	}
	if opts.FormsBaseURL == "" {
		opts.FormsBaseURL = "http://127.0.0.1:3000"
	}
	params := map[string]string{
		"!Ref Table": opts.Table, "!Ref SenderEmail": opts.SenderEmail,
		"!Ref SecretariatEmail": opts.SecretariatEmail, "!Ref FormsBaseUrl": opts.FormsBaseURL,
		"!Ref LogLevel": envOr("LOG_LEVEL", "INFO"),
		// Illustrative bank details, not the Council of Europe's.
		"!Ref SellerIban": "FR7630006000011234567890189", "!Ref SellerBic": "TESTFRPPXXX",
		"!Ref SellerEmail":     "finance@intercultural-cities.local",
		"!Ref DocumentsBucket": opts.Table + "-documents",
		// The emulator's SES v1 has no configuration sets: the name is
		// sent with every email, and checked against the grants.
		"!Ref EmailConfigurationSet": "intercultural-cities-local",
	}
	// Other parameters take their defaults, as a deployment that keeps them.
	for name, p := range tpl.Parameters {
		if _, set := params["!Ref "+name]; !set && p.Default != nil {
			params["!Ref "+name] = fmt.Sprint(p.Default)
		}
	}
	overrides := map[string]string{}
	if opts.SweepAfter != 0 {
		overrides[config.SweepVariable] = opts.SweepAfter.String()
	}
	// settings fills a function's settings from its environment in the
	// template, with the parameters a deployment would give.
	settings := func(name string, dst any) error {
		f, ok := tpl.FunctionByName(name)
		if !ok {
			return fmt.Errorf("the template has no %s function", name)
		}
		err := config.LoadFrom(dst, func(k string) (string, bool) {
			if v, ok := overrides[k]; ok {
				if _, declared := f.Env[k]; declared {
					return v, true
				}
			}
			v, ok := f.Env[k]
			if p, isParam := params[v]; isParam {
				v = p
			}
			if strings.HasPrefix(v, "!Sub https://${HttpApi}.") {
				v = opts.FormsBaseURL // the API's own URL: here, the local server
			}
			return v, ok
		})
		if err != nil {
			return fmt.Errorf("function %s: %w", name, err)
		}
		return nil
	}

	s := &Stack{Template: tpl, Table: opts.Table, APIs: map[string]*httpapi.API{}, Clock: &Clock{}}
	cfg, err := boot.AWS(ctx)
	if err != nil {
		return nil, err
	}
	// The stream shim reads with a client of its own, so its reads are
	// not counted as the functions' round trips.
	s.plain = clients.DynamoDB(cfg.Copy())
	tx := &txStream{reader: s.plain}
	cfg.APIOptions = append(cfg.APIOptions, store.CountRoundTrips(&s.RoundTrips))
	cfg.APIOptions = append(cfg.APIOptions, tx.middleware)
	for _, o := range opts.APIOptions {
		o(&cfg)
	}
	s.DB = clients.DynamoDB(cfg)
	s.cfg = cfg
	linkKey, err := s.linkKey(ctx, opts.Table+"-link-key")
	if err != nil {
		return nil, err
	}
	params["!Ref LinkKey"] = linkKey
	s.Calls = NewCallLog(localDeployment(cfg.Region, params, opts.SenderEmail))
	s.Refs = map[string]string{}
	for k, v := range params {
		if name, ok := strings.CutPrefix(k, "!Ref "); ok {
			s.Refs[name] = v
		}
	}
	// fn is a function's own SDK configuration: the stack's, with its calls
	// recorded under its name. The stack's own clients (s.DB, s.Store, the
	// stream pollers) stand for tests and for Lambda, and are not recorded.
	fn := func(name string) aws.Config {
		c := cfg.Copy()
		c.APIOptions = append(slices.Clone(cfg.APIOptions), s.Calls.Record(name))
		return c
	}
	s.SES = mail.Client(cfg)
	s.Store = store.New(s.DB, opts.Table)
	if err := s.createTable(ctx); err != nil {
		return nil, err
	}
	if _, err := s.SES.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String(opts.SenderEmail)}); err != nil {
		return nil, fmt.Errorf("verify sender: %w", err)
	}

	// Each function as its main package assembles it.
	var (
		apps     config.ApplicationsSettings
		cities   config.CitiesSettings
		idx      config.IndexSettings
		sec      config.SecretariatSettings
		daily    config.DailySettings
		score    config.ScoreSettings
		notif    config.NotifySettings
		sweep    config.SweeperSettings
		alone    config.StandaloneSettings
		invoices config.InvoicesSettings
		finance  config.FinanceSettings
		bill     config.BillingSettings
		annual   config.AnnualInvoicesSettings
		reps     config.ReportsSettings
		pub      config.PublisherSettings
	)
	for name, dst := range map[string]any{"applications": &apps, "cities": &cities, "index": &idx, "secretariat": &sec,
		"daily": &daily, "score": &score, "notify": &notif, "sweeper": &sweep, "questionnaire": &alone,
		"openapi": &alone, "web": &alone, "invoices": &invoices, "finance": &finance, "billing": &bill,
		"annual-invoices": &annual, "reports": &reps, "publisher": &pub} {
		if err := settings(name, dst); err != nil {
			return nil, err
		}
	}
	if err := s.createBucket(ctx, bill.DocumentsBucket); err != nil {
		return nil, err
	}
	s.Archive = archive.New(cfg, bill.DocumentsBucket)
	appsCfg, appRules := fn("applications"), boot.ApplicationRules(apps)
	if appRules.LinkKey, err = linkkeys.New(appsCfg, apps.LinkKeySecret).Current(ctx); err != nil {
		return nil, err
	}
	s.APIs["applications"] = httpapi.New(boot.Store(apps.Table, appsCfg), appRules)
	s.APIs["cities"] = httpapi.New(boot.Store(cities.Table, fn("cities")), membership.Rules{})
	s.APIs["index"] = httpapi.New(boot.Store(idx.Table, fn("index")), membership.Rules{})
	secCfg := fn("secretariat")
	secRules, secStore := boot.SecretariatRules(sec), boot.Store(sec.Table, secCfg)
	if secRules.LinkKey, err = linkkeys.New(secCfg, sec.LinkKeySecret).Current(ctx); err != nil {
		return nil, err
	}
	if err := boot.CheckInvoicing(secRules); err != nil {
		return nil, err
	}
	s.APIs["secretariat"] = httpapi.New(secStore, secRules)
	invoicesCfg := fn("invoices")
	s.APIs["invoices"] = httpapi.New(boot.Store(invoices.Table, invoicesCfg), membership.Rules{})
	s.APIs["invoices"].Documents = archive.New(invoicesCfg, invoices.DocumentsBucket)
	s.APIs["finance"] = httpapi.New(boot.Store(finance.Table, fn("finance")), membership.Rules{})
	reportsCfg := fn("reports")
	reportsStore := boot.Store(reps.Table, reportsCfg)
	s.APIs["reports"] = httpapi.New(reportsStore, membership.Rules{})
	s.APIs["reports"].Documents = archive.New(reportsCfg, reps.DocumentsBucket)
	reportsSvc := &reporting.Service{Store: reportsStore, Bands: boot.Bands(reps.Bands), Now: s.Clock.Now}
	s.APIs["reports"].Reporting = reportsSvc
	pubCfg := fn("publisher")
	forms := pub.FormsBaseURL
	if forms == "" {
		forms = pub.APIURL
	}
	s.Publisher = &reporting.Service{Store: boot.Store(pub.Table, pubCfg), Archive: archive.New(pubCfg, pub.DocumentsBucket),
		FormsBaseURL: forms, Now: s.Clock.Now}
	for _, name := range []string{"questionnaire", "openapi", "web"} {
		s.APIs[name] = &httpapi.API{Now: time.Now}
	}
	dailyCfg, dailyRules := fn("daily"), boot.DailyRules(daily)
	if dailyRules.LinkKey, err = linkkeys.New(dailyCfg, daily.LinkKeySecret).Current(ctx); err != nil {
		return nil, err
	}
	// The scheduled functions: each one's job, and its runner of the runs
	// the secretariat asks for, behind the Lambda handler that tells a
	// schedule's input from the stream's records, as their mains assemble them.
	scheduledStores := map[string]*store.Store{"daily": boot.Store(daily.Table, dailyCfg),
		"sweeper": boot.Store(sweep.Table, fn("sweeper")), "annual-invoices": boot.Store(annual.Table, fn("annual-invoices"))}
	s.Schedule = boot.Schedule(dailyRules, scheduledStores["daily"])
	s.Sweeper = boot.Sweeper(sweep.Sweep, scheduledStores["sweeper"])
	s.Annual = boot.Invoicing(membership.Rules{}, scheduledStores["annual-invoices"])
	s.Jobs = boot.Jobs(s.Sweeper, s.Schedule, s.Annual)
	s.Runners = map[string]*runs.Runner{}
	s.Scheduled = map[string]func(context.Context, json.RawMessage) (any, error){}
	for name, job := range s.Jobs {
		r := boot.Runner(name, job, scheduledStores[name])
		r.Now = s.Clock.Now
		s.Runners[name] = r
		s.Scheduled[name] = runs.Handler(job, boot.ConsumeRun(r))
	}
	s.Scorer = boot.Scorer(score, boot.Store(score.Table, fn("score")))
	notifyCfg := fn("notify")
	s.Notifier = boot.Notifier(boot.Store(notif.Table, notifyCfg), mail.New(notifyCfg, notif.Sender),
		linkkeys.New(notifyCfg, notif.LinkKeySecret), notif.Retention)
	s.Notifier.Documents = archive.New(notifyCfg, notif.DocumentsBucket)
	billCfg := fn("billing")
	billStore, billRules := boot.Store(bill.Table, billCfg), boot.BillingRules(bill)
	s.Billing = &billing.Service{Store: billStore, Archive: archive.New(billCfg, bill.DocumentsBucket),
		Invoicing: boot.Invoicing(billRules, billStore), Now: s.Clock.Now}
	// One clock for every function, which tests and the local API move.
	for _, api := range s.APIs {
		api.Now = s.Clock.Now
	}
	s.Sweeper.Now, s.Schedule.Now, s.Scorer.Now, s.Notifier.Now = s.Clock.Now, s.Clock.Now, s.Clock.Now, s.Clock.Now
	reportsSvc.Now = s.Clock.Now
	s.Schedule.Invoicing.Now, s.Annual.Now, s.Billing.Invoicing.Now = s.Clock.Now, s.Clock.Now, s.Clock.Now
	if ms, ok := s.Notifier.Sender.(*mail.SES); ok {
		s.Sender = fmt.Sprintf("%q <%s>", ms.FromName, ms.From)
	}
	if opts.Sender != nil {
		s.Notifier.Sender = opts.Sender
	}
	if err := s.schedule(); err != nil {
		return nil, err
	}

	streams := dynamodbstreams.NewFromConfig(cfg)
	desc, err := s.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(opts.Table)})
	if err != nil {
		return nil, err
	}
	handlers := map[string]StreamHandler{
		"notify":    outbox.StreamHandler(outbox.TypeNotification, boot.DeliverNotification(s.Notifier)),
		"score":     outbox.StreamHandler(outbox.TypeSubmission, boot.ScoreSubmission(s.Scorer)),
		"billing":   outbox.StreamHandlers(s.Billing.Consumers()),
		"publisher": outbox.StreamHandler(outbox.TypeReport, s.Publisher.ArchiveReport),
	}
	for name, h := range s.Scheduled {
		handlers[name] = invokeStream(h)
	}
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		for _, m := range f.Streams {
			h, ok := handlers[name]
			if !ok {
				return nil, fmt.Errorf("the template triggers %s from the stream, but the local stack has no handler for it", name)
			}
			s.Pollers = append(s.Pollers, &Poller{
				Streams: streams, StreamARN: aws.ToString(desc.Table.LatestStreamArn), Function: name,
				Mapping: m, Handler: h, tx: tx,
			})
		}
	}
	return s, nil
}

// schedule gives each of the template's schedules to the scheduler, with
// its job and its input.
func (s *Stack) schedule() error {
	s.Scheduler = NewScheduler(s.Clock, s.Drain)
	s.Scheduler.Save = s.saveClock
	for _, name := range s.Template.Names() {
		f, _ := s.Template.FunctionByName(name)
		for _, sc := range f.Schedules {
			h, ok := s.Scheduled[name]
			if !ok {
				return fmt.Errorf("the template schedules %s, but the local stack has no job for it", name)
			}
			job := func(ctx context.Context, input []byte) (any, error) { return h(ctx, input) }
			if err := s.Scheduler.Add(name, sc.Expression, sc.Timezone, []byte(sc.Input), job); err != nil {
				return fmt.Errorf("function %s, schedule %s: %w", name, sc.EventName, err)
			}
		}
	}
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// createTable creates the table from the template's definition (and its
// TTL), unless it exists already. Point-in-time recovery is left to AWS.
func (s *Stack) createTable(ctx context.Context) error {
	t := s.Template.Table
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(s.Table),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		StreamSpecification: &ddbtypes.StreamSpecification{
			StreamEnabled:  aws.Bool(t.StreamSpecification.StreamViewType != ""),
			StreamViewType: ddbtypes.StreamViewType(t.StreamSpecification.StreamViewType),
		},
	}
	for _, a := range t.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: ddbtypes.ScalarAttributeType(a.AttributeType),
		})
	}
	in.KeySchema = keySchema(t.KeySchema)
	for _, g := range t.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: keySchema(g.KeySchema),
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionType(g.Projection.ProjectionType)},
		})
	}
	_, err := s.DB.CreateTable(ctx, in)
	var inUse *ddbtypes.ResourceInUseException
	if asErr(err, &inUse) {
		err = s.keepStream(ctx, in)
	}
	if err != nil {
		return fmt.Errorf("create table %s: %w", s.Table, err)
	}
	if t.TimeToLiveSpecification.Enabled {
		_, err := s.DB.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(s.Table),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{
				AttributeName: aws.String(t.TimeToLiveSpecification.AttributeName), Enabled: aws.Bool(true),
			},
		})
		if err != nil {
			return fmt.Errorf("enable TTL: %w", err)
		}
	}
	return nil
}

// keepStream deals with another emulator gap: with KUMO_DATA_DIR the table
// and its items survive a restart but its stream does not. A table whose
// stream is gone is rebuilt with its items, which gives it a new stream.
// The rebuild is written to disk only once complete, so a crash or an error
// during it leaves the table on disk as it was. The items are rewritten
// with a client that does not record them for the pollers: the new stream
// starts empty, and work left pending before the restart is re-driven by
// RedriveAtStart.
func (s *Stack) keepStream(ctx context.Context, create *dynamodb.CreateTableInput) error {
	desc, err := s.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: create.TableName})
	if err != nil {
		return err
	}
	streams := dynamodbstreams.NewFromConfig(s.cfg)
	_, err = streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: desc.Table.LatestStreamArn})
	var gone *streamtypes.ResourceNotFoundException
	if !asErr(err, &gone) {
		return err
	}
	// Not released on error: the program stops, and the disk keeps the table.
	release := HoldPersistence()
	var items []map[string]ddbtypes.AttributeValue
	var start map[string]ddbtypes.AttributeValue
	for {
		out, err := s.plain.Scan(ctx, &dynamodb.ScanInput{TableName: create.TableName, ExclusiveStartKey: start})
		if err != nil {
			return err
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	if _, err := s.plain.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: create.TableName}); err != nil {
		return err
	}
	if _, err := s.plain.CreateTable(ctx, create); err != nil {
		return err
	}
	for i := 0; i < len(items); i += 25 {
		var reqs []ddbtypes.WriteRequest
		for _, it := range items[i:min(i+25, len(items))] {
			reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: it}})
		}
		if _, err := s.plain.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]ddbtypes.WriteRequest{*create.TableName: reqs},
		}); err != nil {
			return err
		}
	}
	release()
	slog.InfoContext(ctx, "the emulator keeps no stream across restarts: table rebuilt with a new stream",
		"table", *create.TableName, "items", len(items))
	return nil
}

func keySchema(ks []template.KeyElement) []ddbtypes.KeySchemaElement {
	out := make([]ddbtypes.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, ddbtypes.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: ddbtypes.KeyType(k.KeyType)})
	}
	return out
}

// Handler serves the template's routes with each route's own function's
// handler, plus the local mail viewer and clock. When the data is kept, a
// request that may write is answered once its writes are on disk.
func (s *Stack) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, name := range s.Template.Names() {
		f, _ := s.Template.FunctionByName(name)
		api, ok := s.APIs[name]
		if !ok {
			continue
		}
		h := api.Handler(name)
		for _, r := range f.Routes {
			mux.Handle(httpapi.Pattern(r.Method, r.Path), h)
		}
	}
	mux.HandleFunc("GET /_local/mail.json", s.mailJSON)
	mux.HandleFunc("GET /_local/mail", s.mailHTML)
	mux.HandleFunc("GET /_local/clock", s.clockGet)
	mux.HandleFunc("POST /_local/clock", s.clockPost)
	all := (&httpapi.API{Now: time.Now}).Handler("") // problem responses for unknown routes
	mux.Handle("/", all)
	if Persistent() {
		return durable(mux)
	}
	return mux
}

// invokeStream hands a stream batch to a function's Lambda handler as Lambda
// does, in JSON, and reads its answer back as the batch's failures.
func invokeStream(h func(context.Context, json.RawMessage) (any, error)) StreamHandler {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		payload, err := json.Marshal(ev)
		if err != nil {
			return resp, err
		}
		out, err := h(ctx, payload)
		if err != nil {
			return resp, err
		}
		b, err := json.Marshal(out)
		if err == nil {
			err = json.Unmarshal(b, &resp)
		}
		return resp, err
	}
}

// Drain polls every stream until nothing new arrives: after it returns, all
// work caused so far has been handed to the stream handlers.
func (s *Stack) Drain(ctx context.Context) error {
	for {
		n := 0
		for _, p := range s.Pollers {
			got, err := p.Poll(ctx)
			if err != nil {
				return err
			}
			n += got
		}
		if n == 0 {
			return nil
		}
	}
}

// RunPollers polls the streams every interval until ctx ends, each poller
// on its own, as Lambda runs each event source mapping: a function busy
// with a long batch (the annual invoicing, a batch of PDFs) holds up no
// other.
func (s *Stack) RunPollers(ctx context.Context, interval time.Duration) {
	var wg sync.WaitGroup
	for _, p := range s.Pollers {
		wg.Go(func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				if _, err := p.Poll(ctx); err != nil && ctx.Err() == nil {
					slogError(ctx, "stream poller "+p.Function, err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	wg.Wait()
}

// Mail is one email the emulator's SES accepted.
type Mail struct {
	MessageID   string    `json:"messageId"`
	Source      string    `json:"source"`
	Destination []string  `json:"destination"`
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	HTMLBody    string    `json:"htmlBody"`
	RawData     string    `json:"rawData,omitempty"` // the raw MIME of an email with attachments
	SentAt      time.Time `json:"sentAt"`
}

// Mailbox returns every email sent by this stack, newest first.
func (s *Stack) Mailbox(ctx context.Context) ([]Mail, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		Emulator()+"/_aws/ses?email="+url.QueryEscape(s.Sender), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var mails []Mail
	if err := json.NewDecoder(resp.Body).Decode(&mails); err != nil {
		return nil, fmt.Errorf("decode mailbox: %w", err)
	}
	sort.SliceStable(mails, func(i, j int) bool { return mails[i].SentAt.After(mails[j].SentAt) })
	for i, m := range mails {
		// An email sent raw (with attachments) keeps its subject MIME-encoded.
		if subject, err := new(mime.WordDecoder).DecodeHeader(m.Subject); err == nil {
			mails[i].Subject = subject
		}
	}
	return mails, nil
}

// MailTo returns the emails sent to addr, newest first.
func (s *Stack) MailTo(ctx context.Context, addr string) ([]Mail, error) {
	all, err := s.Mailbox(ctx)
	if err != nil {
		return nil, err
	}
	var out []Mail
	for _, m := range all {
		for _, d := range m.Destination {
			if strings.Contains(d, "<"+addr+">") || d == addr {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}

// createBucket creates the documents bucket as the template declares it:
// versioned, with Object Lock in compliance mode (the retention the
// template's default gives), unless it exists already.
// linkKey creates the secret access links are derived from, as the
// template's LinkKey, with a random value; a stack restarted on kept data
// keeps it. It returns the secret's ARN.
func (s *Stack) linkKey(ctx context.Context, name string) (string, error) {
	client := secretsmanager.NewFromConfig(s.cfg)
	if out, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)}); err == nil {
		return aws.ToString(out.ARN), nil
	}
	var b [48]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	out, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name),
		Description:  aws.String("The key emailed access links are derived from"),
		SecretString: aws.String(base64.RawURLEncoding.EncodeToString(b[:]))})
	if err != nil {
		return "", fmt.Errorf("create the link key: %w", err)
	}
	return aws.ToString(out.ARN), nil
}

func (s *Stack) createBucket(ctx context.Context, name string) error {
	client := s3.NewFromConfig(s.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(s.cfg.Region)}})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !asErr(err, &owned) && !asErr(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	if _, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		return fmt.Errorf("bucket %s versioning: %w", name, err)
	}
	years := int32(10)
	if p, ok := s.Template.Parameters["DocumentRetentionYears"]; ok {
		if y, ok := p.Default.(int); ok {
			years = int32(y)
		}
	}
	_, err = client.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(name),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{
				Mode: s3types.ObjectLockRetentionModeCompliance, Years: aws.Int32(years)}}}})
	if err != nil {
		return fmt.Errorf("bucket %s object lock: %w", name, err)
	}
	return nil
}
