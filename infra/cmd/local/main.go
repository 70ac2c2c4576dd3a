// Command local runs the whole system on this machine in one process: the
// embedded AWS emulator, the table from template.yaml, the HTTP API on the
// real handlers, the stream pollers, the schedules on a clock that can be
// moved forward, a mail viewer and demo data. Start it with `make run`.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // schedules run in their template timezone on any machine

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/config"
)

func main() {
	slog.SetDefault(config.Logger(os.Getenv("LOG_LEVEL")))
	if err := run(); err != nil {
		slog.Error("local stack stopped", "error", err)
		os.Exit(1)
	}
}

// table is the local stack's table, kept across restarts with KUMO_DATA_DIR.
const table = "intercultural-cities-local"

// run starts the stack, serves it until SIGINT or SIGTERM, then stops it
// with everything written to disk.
//
// Start-up is ordered so that the port opens on a stack that is ready, with
// its data on disk: the table (rebuilt with a new stream when kept), the
// clock resumed, the work the last run left pending re-driven before the
// pollers and the scheduler start (see RedriveAtStart), the demo data seeded
// on first use, all written, then the API served.
func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	base := "http://127.0.0.1:" + port
	s, err := local.Start(ctx, local.Options{Table: table, FormsBaseURL: base})
	if err != nil {
		return err
	}
	// Kept data was stamped by the clock: it goes on from where it was.
	if offset, err := s.ResumeClock(ctx); err != nil {
		return err
	} else if offset > 0 {
		slog.Info("local clock resumed ahead of real time", "now", s.Clock.Now(), "ahead", offset.Round(time.Second).String())
	}
	admin, err := adminToken(ctx, s)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return err
	}
	if _, err := s.RedriveAtStart(ctx); err != nil {
		slog.Warn("pending work not all re-driven at start; the sweeper will", "error", err)
	}
	var workers sync.WaitGroup
	workers.Go(func() { s.RunPollers(ctx, 250*time.Millisecond) })
	workers.Go(func() { s.Scheduler.Run(ctx) })

	local.Persist() // the table and the token, before the seeding holds writes back
	n, err := seedOnce(ctx, s, admin)
	switch {
	case ctx.Err() != nil:
		slog.Info("stopped while seeding the demo data; the next start seeds it")
		return stopWorkers(&workers, nil)
	case err != nil:
		slog.Warn("demo data not seeded", "error", err)
	case n > 0:
		slog.Info("demo data seeded", "applications", n)
	}
	local.Persist()

	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("HTTP server", "error", err)
			stop()
		}
	}()

	fmt.Printf(`
Intercultural Cities back office - local stack
  API              %[1]s   (routes from template.yaml)
  Web forms        %[1]s/   (apply: %[1]s/apply; the INDEX form opens from the emailed link)
  OpenAPI          %[1]s/openapi.json
  Mail viewer      %[1]s/_local/mail   (JSON: /_local/mail.json)
  Console          %[1]s/secretariat   (sign in with the secretariat token)
  Secretariat      Authorization: Bearer %[2]s
  Run a schedule   curl -i -X POST -H 'Authorization: Bearer %[2]s' %[1]s/admin/runs/sweeper   (or .../daily):
                   202 and a Location; GET it (same header) until its status is succeeded or failed
  Move the clock   curl -X POST %[1]s/_local/clock -d '{"advance":"1mo"}'   (runs what falls due; buttons in the mail viewer)
  Pipeline         curl -H 'Authorization: Bearer %[2]s' %[1]s/admin/cities
  Data             %[3]s
  AWS emulator     %[4]s   (DynamoDB and SES, in this process)
  More tokens      TABLE_NAME=%[5]s AWS_ENDPOINT_URL=%[4]s AWS_REGION=%[6]s \
                   AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local go run ./infra/cmd/tokens create --name "Jane Doe"
Ctrl-C stops.
`, base, admin, dataDir(), local.Emulator(), s.Table, os.Getenv("AWS_REGION"))

	<-ctx.Done()
	return stopWorkers(&workers, srv)
}

// stopWorkers stops the stack once its context is done: requests in
// progress are answered (each once on disk), the pollers and the scheduler
// return, then what they wrote is written too.
func stopWorkers(workers *sync.WaitGroup, srv *http.Server) error {
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	if srv != nil {
		err = srv.Shutdown(shutdown)
	}
	stopped := make(chan struct{})
	go func() { workers.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-shutdown.Done():
	}
	local.Persist()
	if local.Persistent() {
		slog.Info("local stack stopped; its data is on disk", "dir", os.Getenv("KUMO_DATA_DIR"))
	}
	return err
}

func dataDir() string {
	if local.Persistent() {
		return os.Getenv("KUMO_DATA_DIR") + " (kept across restarts and crashes)"
	}
	return "in memory (set KUMO_DATA_DIR to keep it)"
}

// adminToken stores the secretariat token from LOCAL_ADMIN_TOKEN, or a new
// one, and returns its secret. It is valid as long as the clock can be
// moved in one go, so that it outlives a year watched go by.
func adminToken(ctx context.Context, s *local.Stack) (string, error) {
	secret := os.Getenv("LOCAL_ADMIN_TOKEN")
	now := s.Clock.Now()
	_, tok := auth.Issue(auth.RoleSecretariat, "", "local-admin", now, local.MaxMove)
	if secret == "" {
		secret, tok = auth.Issue(auth.RoleSecretariat, "", "local-admin", now, local.MaxMove)
	} else {
		if _, ok := auth.BearerSecret("Bearer " + secret); !ok {
			return "", errors.New("LOCAL_ADMIN_TOKEN must be 16 to 128 characters")
		}
		tok.Hash = auth.Hash(secret)
	}
	return secret, s.Store.PutToken(ctx, tok)
}

// seedOnce seeds the demo data the first time this table is used, through
// the API served on a port of its own while the real one is not yet open.
// Nothing of it is written to disk until it is done: a program stopped or
// killed while seeding seeds again at its next start.
func seedOnce(ctx context.Context, s *local.Stack, admin string) (int, error) {
	release := local.HoldPersistence()
	defer func() {
		// Stopping: what was seeded stays held back, and is never written.
		if ctx.Err() == nil {
			release()
		}
	}()
	if first, err := claimSeed(ctx, s); err != nil || !first {
		return 0, err
	}
	api := httptest.NewServer(s.Handler())
	defer api.Close()
	return demo.Seed(ctx, api.Client(), api.URL, admin)
}

// claimSeed marks the table as seeded with the demo data, and reports
// whether it was not marked yet.
func claimSeed(ctx context.Context, s *local.Stack) (bool, error) {
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "DEMO#seed"}, "sk": &types.AttributeValueMemberS{Value: "v1"},
			"type": &types.AttributeValueMemberS{Value: "demo-marker"},
		},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	return err == nil, err
}
