// Package boot is what every function with AWS work does on a cold start:
// read its settings, set up JSON logging, build the AWS clients once, and
// assemble the services from them. The local stack assembles the functions
// with the same helpers, from each function's settings as the template
// gives them.
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
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/runs"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// Exit logs a start-up failure and stops the process; Lambda reports it as
// an init error.
func Exit(err error) {
	slog.Error("start-up failed", "error", err)
	os.Exit(1)
}

// Load fills a function's settings from its environment and installs the
// JSON logger at the settings' level. A bad or missing value stops the boot.
func Load(settings interface{ LogLevel() string }) {
	if err := config.Load(settings); err != nil {
		Exit(err)
	}
	config.InstallLogger(settings.LogLevel())
}

// AWS loads the SDK configuration.
func AWS(ctx context.Context, apiOptions ...func(*middleware.Stack) error) (aws.Config, error) {
	return clients.AWS(ctx, apiOptions...)
}

// Store builds the table adapter.
func Store(t config.Table, cfg aws.Config) *store.Store {
	return store.New(clients.DynamoDB(cfg), t.TableName)
}

func links(n config.Notices, l config.Links) membership.Rules {
	return membership.Rules{SecretariatEmail: n.SecretariatEmail, FormsBaseURL: l.FormsBaseURL, CityTokenTTL: l.CityTokenTTL}
}

func workflow(r membership.Rules, w config.Workflow) membership.Rules {
	r.FeePerYear = membership.Money{Amount: w.FeePerYearCents, Currency: "EUR"}
	r.MinExperts, r.MaxExperts = w.VisitMinExperts, w.VisitMaxExperts
	r.NoticeGrace = w.NoticeGrace
	r.ProgressEveryMonths = w.ProgressEveryMonths
	return r
}

// sellerRules adds the fee's invoicing to r.
func sellerRules(r membership.Rules, s config.Seller) membership.Rules {
	r.Fees = fees.Settings{
		Seller: fees.Seller{Name: s.SellerName, Unit: s.SellerUnit, IBAN: fees.CompactIBAN(s.SellerIBAN), BIC: s.SellerBIC,
			VATID: s.SellerVATID, TaxRegistrationID: s.SellerTaxID, Email: s.SellerEmail,
			Address: fees.Address{Street: s.SellerStreet, PostalCode: s.SellerPostalCode, City: s.SellerCity, Country: s.SellerCountry}},
		PaymentTermDays: s.PaymentTermDays,
		VAT: fees.VATRule{Category: s.VATCategory, RateBasisPoints: s.VATRateBP, ReasonCode: s.VATReasonCode,
			Reasons: map[i18n.Lang]string{i18n.English: s.VATReasonEnglish, i18n.French: s.VATReasonFrench}},
	}
	if s.VATCategory == fees.VATStandard {
		r.Fees.VAT.Reasons, r.Fees.VAT.ReasonCode = nil, ""
	}
	r.FirstYear = fees.Proration(s.FirstYearProrated)
	return r
}

func reminderRules(r membership.Rules, rem config.Reminders) membership.Rules {
	r.Reminders = fees.ReminderRules{CourtesyBefore: rem.CourtesyBefore, ReminderAfter: rem.ReminderAfter,
		FinalAfter: rem.FinalAfter, FlagAfter: rem.FlagAfter}
	return r
}

// CheckInvoicing validates the invoicing settings at cold start: a bad
// seller (an IBAN mistyped, a VAT category without its identifiers) stops
// the boot, not the first invoice.
func CheckInvoicing(r membership.Rules) error {
	if err := r.Fees.Validate(); err != nil {
		return fmt.Errorf("SELLER_* and VAT_* settings: %s", failure.Describe(err))
	}
	return nil
}

// ApplicationRules are the rules of the application step.
func ApplicationRules(s config.ApplicationsSettings) membership.Rules {
	r := links(s.Notices, s.Links)
	r.Eligibility = eligibility.Rules{MinPopulation: s.MinPopulation, MinDiversityShare: s.MinDiversityShare}
	return r
}

// SecretariatRules are the rules of the secretariat's steps.
func SecretariatRules(s config.SecretariatSettings) membership.Rules {
	return sellerRules(workflow(links(s.Notices, s.Links), s.Workflow), s.Seller)
}

// BillingRules are the rules of issuing invoices.
func BillingRules(s config.BillingSettings) membership.Rules {
	return sellerRules(membership.Rules{}, s.Seller)
}

// DailyRules are the rules of the daily schedule, which API Gateway never
// calls: without FORMS_BASE_URL, its links point to API_URL, where the web
// function serves the forms.
func DailyRules(s config.DailySettings) membership.Rules {
	r := reminderRules(workflow(links(s.Notices, s.Links), s.Workflow), s.Reminders)
	if r.FormsBaseURL == "" {
		r.FormsBaseURL = s.APIURL
	}
	return r
}

// Schedule assembles the daily duties, the fee reminders among them.
func Schedule(rules membership.Rules, s *store.Store) *membership.Schedule {
	return &membership.Schedule{Store: s, Rules: rules, Now: time.Now, Invoicing: Invoicing(rules, s)}
}

// Invoicing assembles the fee's invoicing.
func Invoicing(rules membership.Rules, s *store.Store) *membership.Invoicing {
	return &membership.Invoicing{Store: s, Rules: rules, Now: time.Now, NewID: ids.New}
}

// Notifier assembles email delivery through sender (mail.New for SES; boot
// does not build it, so that only the notify function links SES), with the
// link keys (linkkeys.New, likewise) and the retention of personal data.
func Notifier(s *store.Store, sender notify.Sender, keys notify.LinkKeys, r config.Retention) *notify.Service {
	return &notify.Service{Store: s, Sender: sender, Keys: keys, Now: time.Now, Lease: 2 * time.Minute,
		Retention: r.NotificationRetention}
}

// Sweeper assembles the outbox sweeper.
func Sweeper(sw config.Sweep, s *store.Store) *outbox.Sweeper {
	return &outbox.Sweeper{Store: s, Now: time.Now, After: sw.SweepAfter}
}

// SweepJob is the sweeper's duty.
func SweepJob(sw *outbox.Sweeper) runs.Job {
	return func(ctx context.Context, _ []byte) (any, error) { return sw.Sweep(ctx) }
}

// DailyJob is the daily duties.
func DailyJob(daily *membership.Schedule) runs.Job {
	return func(ctx context.Context, _ []byte) (any, error) { return daily.RunDaily(ctx) }
}

// AnnualJob is the annual invoicing of the year its input names (the
// current fee year when it names none).
func AnnualJob(invoicing *membership.Invoicing) runs.Job {
	return func(ctx context.Context, input []byte) (any, error) {
		year, err := membership.RunYear(input)
		if err != nil {
			return nil, err
		}
		return invoicing.RunAnnual(ctx, year)
	}
}

// Jobs are the schedules' duties by schedule name (the name of the function
// the schedule triggers), as the local stack assembles them.
func Jobs(sw *outbox.Sweeper, daily *membership.Schedule, invoicing *membership.Invoicing) map[string]runs.Job {
	return map[string]runs.Job{"sweeper": SweepJob(sw), "daily": DailyJob(daily), "annual-invoices": AnnualJob(invoicing)}
}

// runLease is how long a run holds its claim where the context has no
// deadline (in Lambda it has one, and the lease follows it): Lambda's
// longest timeout.
const runLease = 15 * time.Minute

// Runner assembles the running, in a schedule's function, of the runs the
// secretariat asks for.
func Runner(schedule string, job runs.Job, s *store.Store) *runs.Runner {
	return &runs.Runner{Schedule: schedule, Job: job, Store: s, Now: time.Now, Lease: runLease}
}

// ConsumeRun consumes a run record by its key.
func ConsumeRun(r *runs.Runner) func(context.Context, outbox.Key) error {
	return func(ctx context.Context, k outbox.Key) error {
		schedule, err := outbox.IDFromKey(k.PK, store.SchedulePrefix)
		if err != nil {
			return err
		}
		id, err := outbox.IDFromKey(k.SK, store.RunPrefix)
		if err != nil {
			return err
		}
		return r.Run(ctx, schedule, id)
	}
}

// Bands are the comparison groups' cut-offs.
func Bands(b config.Bands) index.Bands {
	return index.Bands{Population: b.PopulationBands, ForeignBorn: b.ForeignBornBands}
}

// Scorer assembles INDEX scoring.
func Scorer(s config.ScoreSettings, st *store.Store) *membership.Scorer {
	return &membership.Scorer{Store: st, Bands: Bands(s.Bands), Now: time.Now, NewID: ids.New,
		Rules: membership.Rules{SecretariatEmail: s.SecretariatEmail}}
}

// ScoreSubmission consumes a submission work item by its key.
func ScoreSubmission(sc *membership.Scorer) func(context.Context, outbox.Key) error {
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
