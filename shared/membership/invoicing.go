package membership

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// InvoicingStore is what invoicing needs from storage.
type InvoicingStore interface {
	// MembersToInvoice lists the cities in a status with what invoicing
	// reads of them: agreement, billing details, invoiced years.
	MembersToInvoice(ctx context.Context, status Status) ([]City, error)
	UpdateCity(ctx context.Context, id string, idem *idempotency.Record, step func(City) (Change, error)) (Change, error)
	// QueueInvoicing writes one work item per city: invoice it for year.
	// The items' keys derive from the city and the year, so writing them
	// again changes nothing that matters.
	QueueInvoicing(ctx context.Context, year int, cityIDs []string, now time.Time) error
	// NextNumber is the next number of a document series ("ICC-2027").
	NextNumber(ctx context.Context, series string) (int, error)
	// OpenInvoices lists the invoices not yet paid or credited whose due
	// date is on or before dueBy.
	OpenInvoices(ctx context.Context, dueBy fees.Date) ([]InvoiceAccount, error)
	QueueOnce(ctx context.Context, n notify.Notification, tok *auth.Token) (bool, error)
	// Queued reports which notifications, by id, were queued before: a
	// read, where QueueOnce would fail a write (QueueOnce still decides).
	Queued(ctx context.Context, ids []string) (map[string]bool, error)
	// FlagInvoice marks an invoice for the secretariat's follow-up once.
	FlagInvoice(ctx context.Context, invoiceID string, now time.Time) (bool, error)
}

// Invoicing issues the yearly fee's invoices and sends its reminders.
type Invoicing struct {
	Store InvoicingStore
	Rules Rules
	Now   func() time.Time
	NewID func() string
}

// AnnualResult counts what an annual run did.
type AnnualResult struct {
	Year    int `json:"year"`
	Members int `json:"members"` // members and cities under notice, with the year in their agreement
	Queued  int `json:"queued"`  // work items written: invoices to issue
	// Invoiced counts those that already have the year's invoice.
	Invoiced int `json:"alreadyInvoiced"`
	// MissingBilling are the cities that cannot be invoiced before their
	// billing details are recorded (run again once they are).
	MissingBilling []string `json:"missingBilling"`
}

// RunAnnual invoices every member whose agreement covers year (the
// current fee year when zero). It only writes work items, one per city:
// each invoice is then issued on its own (Issue), so the run stays short at
// any number of members, and a run that crashes, runs twice or runs
// concurrently with itself leaves exactly one invoice per member and year
// (a city's file records the years it was invoiced for, in the invoice's
// own transaction).
func (v *Invoicing) RunAnnual(ctx context.Context, year int) (AnnualResult, error) {
	if year == 0 {
		year = fees.FeeYear(v.Now())
	}
	res := AnnualResult{Year: year, MissingBilling: []string{}}
	var due []string
	for _, st := range []Status{StatusMember, StatusTerminationNotified} {
		cities, err := v.Store.MembersToInvoice(ctx, st)
		if err != nil {
			return res, err
		}
		for _, c := range cities {
			t, err := c.term()
			if err != nil || !t.Covers(year) || c.Agreement.FeePerYear.Amount == 0 {
				continue
			}
			res.Members++
			if c.Invoiced(year) {
				res.Invoiced++
				continue
			}
			if c.Billing == nil {
				res.MissingBilling = append(res.MissingBilling, c.ID)
				continue
			}
			due = append(due, c.ID)
		}
	}
	if err := v.Store.QueueInvoicing(ctx, year, due, v.Now()); err != nil {
		return res, err
	}
	res.Queued = len(due)
	slog.InfoContext(ctx, "annual invoicing queued", "year", year, "members", res.Members, "queued", res.Queued)
	return res, nil
}

// ErrNotOwed says a city owes no invoice for the year any more (invoiced
// meanwhile, or its agreement no longer covers the year): the work item is
// done.
var ErrNotOwed = errors.New("no invoice owed")

// Issue issues a city's invoice for a year, taking the next number of the
// series; a number taken meanwhile by another invoice makes it try the
// next one.
func (v *Invoicing) Issue(ctx context.Context, cityID string, year int) (fees.Invoice, error) {
	for range 20 {
		now := v.Now()
		seq, err := v.Store.NextNumber(ctx, fees.InvoiceSeries(fees.Today(now).Year()))
		if err != nil {
			return fees.Invoice{}, err
		}
		ch, err := v.Store.UpdateCity(ctx, cityID, nil, func(c City) (Change, error) {
			if !c.Owes(year) {
				return Change{}, ErrNotOwed
			}
			return c.IssueInvoice(year, seq, v.Rules, now, "schedule:annual-invoices", v.NewID)
		})
		switch {
		case errors.Is(err, ErrNumberTaken):
			continue // another invoice took the number: take the next
		case err != nil:
			return fees.Invoice{}, err
		}
		return ch.Records[0].(InvoiceIssued).Invoice, nil
	}
	return fees.Invoice{}, fmt.Errorf("city %s: could not take an invoice number after 20 tries", cityID)
}

// ReminderResult counts what a reminder run did.
type ReminderResult struct {
	Open    int `json:"open"`    // open invoices at or near their due date
	Sent    int `json:"sent"`    // reminders queued
	Skipped int `json:"already"` // reminders queued by an earlier run
	Flagged int `json:"flagged"` // invoices newly flagged for the secretariat
}

// RunReminders sends each open invoice the reminder stage due today, once.
func (v *Invoicing) RunReminders(ctx context.Context) (ReminderResult, error) {
	now := v.Now()
	today := fees.Today(now)
	r := v.Rules.Reminders
	// An invoice gets its first notice CourtesyBefore days before it is due.
	open, err := v.Store.OpenInvoices(ctx, today.AddDays(r.CourtesyBefore))
	if err != nil {
		return ReminderResult{}, err
	}
	res := ReminderResult{Open: len(open)}
	var errs []error
	var due [][]notify.Notification
	var ids []string
	for _, a := range open {
		stage, mails := FeeReminder(a, v.Rules, today, now)
		if stage == fees.StageFlagged {
			if a.Flagged.IsZero() {
				flagged, err := v.Store.FlagInvoice(ctx, a.Invoice.ID, now)
				if err != nil {
					errs = append(errs, err)
				} else if flagged {
					res.Flagged++
				}
			}
			continue
		}
		if len(mails) > 0 {
			due = append(due, mails)
			for _, n := range mails {
				ids = append(ids, n.ID)
			}
		}
	}
	// An invoice stays at a stage for days: the reminders earlier runs
	// queued are read at once rather than each written again in vain. A
	// failed read leaves QueueOnce to tell.
	before, err := v.Store.Queued(ctx, ids)
	if err != nil {
		errs = append(errs, err)
	}
	for _, mails := range due {
		for i, n := range mails {
			queued := false
			if !before[n.ID] {
				if queued, err = v.Store.QueueOnce(ctx, n, nil); err != nil {
					errs = append(errs, err)
					continue
				}
			}
			switch {
			case queued && i == 0:
				res.Sent++
			case !queued && i == 0:
				res.Skipped++
			}
		}
	}
	return res, errors.Join(errs...)
}

// RunYear reads the optional input of an annual run, {"year": 2027}: the
// year to invoice, zero for the current fee year. A schedule's own input
// ({"schedule": "annual-invoices"}) names no year.
func RunYear(input []byte) (int, error) {
	if len(bytes.TrimSpace(input)) == 0 {
		return 0, nil
	}
	var in struct {
		Year     *int   `json:"year"`
		Schedule string `json:"schedule"`
	}
	dec := json.NewDecoder(bytes.NewReader(input))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return 0, failure.Fields("invalid run input", runInputField(err))
	}
	if in.Year == nil {
		return 0, nil
	}
	if *in.Year < 2000 || *in.Year > 2200 {
		return 0, failure.Fields("invalid run input", failure.Field("/year", "must be a plausible year"))
	}
	return *in.Year, nil
}

// runInputField names what is wrong with a run input the decoder refused:
// the field it has no use for, the field of the wrong type, or the input
// as a whole.
func runInputField(err error) failure.FieldError {
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ) && typ.Field == "year":
		return failure.Field("/year", "must be a year, e.g. {\"year\": 2027}")
	case errors.As(err, &typ) && typ.Field == "schedule":
		return failure.Field("/schedule", "must be a string, the schedule's name")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		if n, err := strconv.Unquote(name); err == nil {
			name = n
		}
		return failure.Field("/"+pointerToken(name), "is not a known field")
	}
	return failure.Field("/", "must be a JSON object, e.g. {\"year\": 2027}")
}

// pointerToken escapes a member name for a JSON Pointer (RFC 6901).
func pointerToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
