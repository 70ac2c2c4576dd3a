// Package boot is what every function does on a cold start: read its
// settings, set up JSON logging, build the AWS clients once, and assemble the
// services from them. The local stack boots the same way.
package boot

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"

	"github.com/intercultural-cities/backoffice/shared/clients"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// Exit logs a start-up failure and stops the process; Lambda reports it as
// an init error.
func Exit(err error) {
	slog.Error("start-up failed", "error", err)
	os.Exit(1)
}

// Env loads the variables and installs the JSON logger (with the Lambda
// request id on every record).
func Env(vars ...config.Var) (config.Env, error) {
	env, err := config.Load(append(vars, config.LogLevel)...)
	if err != nil {
		return config.Env{}, err
	}
	config.InstallLogger(env)
	return env, nil
}

// AWS loads the SDK configuration.
func AWS(ctx context.Context, apiOptions ...func(*middleware.Stack) error) (aws.Config, error) {
	return clients.AWS(ctx, apiOptions...)
}

// Store builds the table adapter.
func Store(env config.Env, cfg aws.Config) *store.Store {
	return store.New(clients.DynamoDB(cfg), env.String(config.TableName))
}

// MembershipVars are the variables MembershipSettings reads.
var MembershipVars = []config.Var{
	config.SecretariatEmail, config.FormsBaseURL, config.MinPopulation, config.MinDiversityShare, config.CityTokenTTL,
}

// MembershipSettings reads the application step's settings.
func MembershipSettings(env config.Env) (membership.Settings, error) {
	minPop, err := env.Int(config.MinPopulation)
	if err != nil {
		return membership.Settings{}, err
	}
	minShare, err := env.Float(config.MinDiversityShare)
	if err != nil {
		return membership.Settings{}, err
	}
	ttl, err := env.Duration(config.CityTokenTTL)
	if err != nil {
		return membership.Settings{}, err
	}
	if err := notify.ValidAddress(env.String(config.SecretariatEmail)); err != nil {
		return membership.Settings{}, fmt.Errorf("%s: %w", config.SecretariatEmail.Name, err)
	}
	return membership.Settings{
		Rules:            eligibility.Rules{MinPopulation: minPop, MinDiversityShare: minShare},
		SecretariatEmail: env.String(config.SecretariatEmail),
		FormsBaseURL:     env.String(config.FormsBaseURL),
		CityTokenTTL:     ttl,
	}, nil
}

// RulesVars are the variables WorkflowRules reads.
var RulesVars = []config.Var{config.AgreementYears, config.FeePerYearCents, config.SecretariatEmail,
	config.FormsBaseURL, config.CityTokenTTL}

// DailyVars are the variables DailyRules reads: RulesVars and API_URL.
var DailyVars = []config.Var{config.AgreementYears, config.FeePerYearCents, config.SecretariatEmail,
	config.FormsBaseURL, config.CityTokenTTL, config.APIURL}

// DailyRules reads the rules of the daily schedule, which API Gateway never
// calls: without FORMS_BASE_URL, its links point to API_URL, where the web
// function serves the forms.
func DailyRules(env config.Env) (membership.Rules, error) {
	r, err := WorkflowRules(env)
	if r.FormsBaseURL == "" && err == nil {
		r.FormsBaseURL = env.String(config.APIURL)
	}
	return r, err
}

// WorkflowRules reads the admission workflow's configuration.
func WorkflowRules(env config.Env) (membership.Rules, error) {
	years, err := env.Int(config.AgreementYears)
	if err != nil {
		return membership.Rules{}, err
	}
	fee, err := env.Int(config.FeePerYearCents)
	if err != nil {
		return membership.Rules{}, err
	}
	if years < 1 || years > 20 || fee < 0 {
		return membership.Rules{}, fmt.Errorf("%s and %s must be positive", config.AgreementYears.Name, config.FeePerYearCents.Name)
	}
	ttl, err := env.Duration(config.CityTokenTTL)
	if err != nil {
		return membership.Rules{}, err
	}
	return membership.Rules{AgreementYears: int(years), FeePerYear: membership.Money{Amount: fee, Currency: "EUR"},
		SecretariatEmail: env.String(config.SecretariatEmail), FormsBaseURL: env.String(config.FormsBaseURL),
		CityTokenTTL: ttl}, nil
}

// Schedule assembles the daily duties.
func Schedule(rules membership.Rules, s *store.Store) *membership.Schedule {
	return &membership.Schedule{Store: s, Rules: rules, Now: time.Now}
}

// Notifier assembles email delivery through sender (mail.New for SES; boot
// does not build it, so that only the notify function links SES).
func Notifier(s *store.Store, sender notify.Sender) *notify.Service {
	return &notify.Service{Store: s, Sender: sender, Now: time.Now, Lease: 2 * time.Minute}
}

// Sweeper assembles the outbox sweeper.
func Sweeper(env config.Env, s *store.Store) (*outbox.Sweeper, error) {
	after, err := env.Duration(config.SweepAfter)
	if err != nil {
		return nil, err
	}
	return &outbox.Sweeper{Store: s, Now: time.Now, After: after}, nil
}

// Jobs lists the schedules that can be fired on demand, by schedule name
// (the name of the function the schedule triggers), for httpapi.API.Jobs.
func Jobs(sw *outbox.Sweeper, daily *membership.Schedule) map[string]func(context.Context) (any, error) {
	return map[string]func(context.Context) (any, error){
		"sweeper": func(ctx context.Context) (any, error) { return sw.Sweep(ctx) },
		"daily":   func(ctx context.Context) (any, error) { return daily.RunDaily(ctx) },
	}
}

// ScoringVars are the variables Scorer reads.
var ScoringVars = []config.Var{config.PopulationBands, config.ForeignBornBands}

// Scorer assembles INDEX scoring.
func Scorer(env config.Env, s *store.Store) (*index.Scorer, error) {
	pop, err := env.Floats(config.PopulationBands)
	if err != nil {
		return nil, err
	}
	fb, err := env.Floats(config.ForeignBornBands)
	if err != nil {
		return nil, err
	}
	return &index.Scorer{Store: s, Bands: index.Bands{Population: pop, ForeignBorn: fb}, Now: time.Now}, nil
}

// ScoreSubmission consumes a submission work item by its key.
func ScoreSubmission(sc *index.Scorer) func(context.Context, outbox.Key) error {
	return func(ctx context.Context, k outbox.Key) error {
		cityID, err := outbox.IDFromKey(k.PK, store.CityPrefix)
		if err != nil {
			return err
		}
		id, err := outbox.IDFromKey(k.SK, store.SubmissionPrefix)
		if err != nil {
			return err
		}
		return sc.Score(ctx, cityID, id)
	}
}

// DeliverNotification consumes a notification work item by its key.
func DeliverNotification(n *notify.Service) func(context.Context, outbox.Key) error {
	return func(ctx context.Context, k outbox.Key) error {
		id, err := outbox.IDFromKey(k.PK, store.NotificationPrefix)
		if err != nil {
			return err
		}
		return n.Deliver(ctx, id)
	}
}
