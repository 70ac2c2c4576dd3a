package membership

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// Store is what the workflow needs from storage.
type Store interface {
	CitiesInStatus(ctx context.Context, status Status) ([]City, error)
	UpdateCity(ctx context.Context, id string, idem *idempotency.Record, step func(City) (Change, error)) (Change, error)
	QueueOnce(ctx context.Context, n notify.Notification, tok *auth.Token) (bool, error)
}

// Schedule runs the daily duties: terminations and expiries taking effect,
// expiry warnings 90 and 30 days ahead, and yearly progress-report reminders.
type Schedule struct {
	Store Store
	Rules Rules
	Now   func() time.Time
	// Invoicing sends the fee reminders due today; nil sends none.
	Invoicing *Invoicing
}

// DailyResult counts what a run did.
type DailyResult struct {
	Date       string `json:"date"`
	Terminated int    `json:"terminated"`
	Expired    int    `json:"expired"`
	Reminded   int    `json:"reminded"`
	Skipped    int    `json:"alreadyReminded"`
	// Fees are the fee reminders: courtesy notices, reminders, final
	// notices, invoices flagged for the secretariat.
	Fees ReminderResult `json:"fees"`
}

// RunDaily does today's duties. Running it again the same day does nothing
// more: reminders have ids derived from their occasion, and a step already
// taken is no longer possible.
func (s *Schedule) RunDaily(ctx context.Context) (DailyResult, error) {
	rules := s.Rules
	now := s.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	res := DailyResult{Date: today.Format(dateLayout)}
	var errs []error
	for _, status := range []Status{StatusMember, StatusTerminationNotified} {
		cities, err := s.Store.CitiesInStatus(ctx, status)
		if err != nil {
			return res, err
		}
		for _, c := range cities {
			d, err := c.DailyDuties(today, now, rules, "schedule:daily")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if d.Change != nil {
				ch, err := s.Store.UpdateCity(ctx, c.ID, nil, func(fresh City) (Change, error) {
					d, err := fresh.DailyDuties(today, now, rules, "schedule:daily")
					if err != nil || d.Change == nil {
						return Change{}, errors.Join(err, errNothingToDo)
					}
					return *d.Change, nil
				})
				switch {
				case errors.Is(err, errNothingToDo):
				case err != nil:
					errs = append(errs, err)
				case ch.City.Status == StatusTerminated:
					res.Terminated++
				case ch.City.Status == StatusExpired:
					res.Expired++
				}
			}
			for _, n := range d.Reminders {
				queued, err := s.Store.QueueOnce(ctx, n.Notification, n.Token)
				switch {
				case err != nil:
					errs = append(errs, err)
				case queued:
					res.Reminded++
				default:
					res.Skipped++
				}
			}
		}
	}
	if s.Invoicing != nil {
		inv := *s.Invoicing
		inv.Now = s.Now
		fr, err := inv.RunReminders(ctx)
		res.Fees = fr
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		slog.ErrorContext(ctx, "daily duties failed for some cities", "errors", len(errs))
	}
	return res, errors.Join(errs...)
}

var errNothingToDo = errors.New("nothing to do any more")
