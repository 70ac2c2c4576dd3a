// Command local runs the whole system on this machine in one process: the
// embedded AWS emulator, the table from template.yaml, the HTTP API on the
// real handlers, the stream pollers, the schedules, a mail viewer and demo
// data. Start it with `make run`.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
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

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	base := "http://127.0.0.1:" + port
	s, err := local.Start(ctx, local.Options{Table: "intercultural-cities-local", FormsBaseURL: base})
	if err != nil {
		return err
	}
	admin, err := adminToken(ctx, s)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("HTTP server", "error", err)
			stop()
		}
	}()
	go s.RunPollers(ctx, 250*time.Millisecond)
	for _, name := range s.Template.Names() {
		f, _ := s.Template.FunctionByName(name)
		for _, sc := range f.Schedules {
			go schedule(ctx, s, name, sc.Expression, sc.Timezone)
		}
	}

	if n, err := seedOnce(ctx, s, base, admin); err != nil {
		slog.Warn("demo data not seeded", "error", err)
	} else if n > 0 {
		slog.Info("demo data seeded", "applications", n)
	}

	fmt.Printf(`
Intercultural Cities back office - local stack
  API              %[1]s   (routes from template.yaml)
  Web forms        %[1]s/   (apply: %[1]s/apply; the INDEX form opens from the emailed link)
  OpenAPI          %[1]s/openapi.json
  Mail viewer      %[1]s/_local/mail   (JSON: /_local/mail.json)
  Console          %[1]s/secretariat   (sign in with the secretariat token)
  Secretariat      Authorization: Bearer %[2]s
  Fire a schedule  curl -X POST -H 'Authorization: Bearer %[2]s' %[1]s/admin/runs/sweeper   (or .../daily)
  Pipeline         curl -H 'Authorization: Bearer %[2]s' %[1]s/admin/cities
  Data             %[3]s
  AWS emulator     %[4]s   (DynamoDB and SES, in this process)
  More tokens      TABLE_NAME=%[5]s AWS_ENDPOINT_URL=%[4]s AWS_REGION=%[6]s \
                   AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local go run ./infra/cmd/tokens create --name "Jane Doe"
Ctrl-C stops.
`, base, admin, dataDir(), local.Emulator(), s.Table, os.Getenv("AWS_REGION"))

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func dataDir() string {
	if d := os.Getenv("KUMO_DATA_DIR"); d != "" {
		return d + " (kept across restarts)"
	}
	return "in memory (set KUMO_DATA_DIR to keep it)"
}

// adminToken stores the secretariat token from LOCAL_ADMIN_TOKEN, or a new
// one, and returns its secret.
func adminToken(ctx context.Context, s *local.Stack) (string, error) {
	secret := os.Getenv("LOCAL_ADMIN_TOKEN")
	now := time.Now()
	_, tok := auth.Issue(auth.RoleSecretariat, "", "local-admin", now, 365*24*time.Hour)
	if secret == "" {
		secret, tok = auth.Issue(auth.RoleSecretariat, "", "local-admin", now, 365*24*time.Hour)
	} else {
		if _, ok := auth.BearerSecret("Bearer " + secret); !ok {
			return "", errors.New("LOCAL_ADMIN_TOKEN must be 16 to 128 characters")
		}
		tok.Hash = auth.Hash(secret)
	}
	return secret, s.Store.PutToken(ctx, tok)
}

// seedOnce seeds the demo data the first time this table is used.
func seedOnce(ctx context.Context, s *local.Stack, base, admin string) (int, error) {
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
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return demo.Seed(ctx, http.DefaultClient, base, admin)
}

var (
	rate  = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	daily = regexp.MustCompile(`^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$`)
)

// schedule runs a function's schedule as EventBridge Scheduler would: rate
// expressions on a ticker, daily cron expressions at their time of day in the
// schedule's timezone; other expressions only on demand through
// POST /admin/runs/{name}.
func schedule(ctx context.Context, s *local.Stack, name, expr, timezone string) {
	job, ok := s.Jobs[name]
	if !ok {
		slog.Error("the template schedules a job the code does not have", "schedule", name)
		return
	}
	next := nextRun(expr, timezone)
	if next == nil {
		slog.Info("schedule runs on demand only locally", "schedule", name, "expression", expr)
		return
	}
	for {
		at := next(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(at)):
			res, err := job(ctx, nil)
			slog.Info("schedule ran", "schedule", name, "result", res, "error", err)
		}
	}
}

// nextRun returns when a schedule next fires after a given time, or nil for
// an expression this local runner does not understand.
func nextRun(expr, timezone string) func(time.Time) time.Time {
	if m := rate.FindStringSubmatch(expr); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
		return func(t time.Time) time.Time { return t.Add(time.Duration(n) * unit) }
	}
	if m := daily.FindStringSubmatch(expr); m != nil {
		minute, _ := strconv.Atoi(m[1])
		hour, _ := strconv.Atoi(m[2])
		loc, err := time.LoadLocation(timezone)
		if err != nil {
			loc = time.UTC
		}
		return func(t time.Time) time.Time {
			t = t.In(loc)
			at := time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, loc)
			if !at.After(t) {
				at = at.AddDate(0, 0, 1)
			}
			return at
		}
	}
	return nil
}
