package fees

import "fmt"

// Stage is a step of the reminder sequence of an unpaid invoice.
type Stage string

// The stages, in order.
const (
	StageNone Stage = ""
	// StageCourtesy: a friendly notice before the due date.
	StageCourtesy Stage = "courtesy"
	// StageReminder: the invoice is overdue.
	StageReminder Stage = "reminder"
	// StageFinal: the final notice, copied to the secretariat.
	StageFinal Stage = "final"
	// StageFlagged: the secretariat is asked to follow up; terminating the
	// agreement (§5) stays a human decision, so nothing goes to the city.
	StageFlagged Stage = "flagged"
)

// Stages lists the stages in the order they come.
var Stages = []Stage{StageCourtesy, StageReminder, StageFinal, StageFlagged}

// NotifiesCity reports whether the stage sends the city an email.
func (s Stage) NotifiesCity() bool {
	return s == StageCourtesy || s == StageReminder || s == StageFinal
}

// CopiesSecretariat reports whether the secretariat hears of the stage.
func (s Stage) CopiesSecretariat() bool { return s == StageFinal || s == StageFlagged }

// ReminderRules place the stages relative to the due date, in days.
type ReminderRules struct {
	CourtesyBefore int `json:"courtesyBefore"` // days before the due date
	ReminderAfter  int `json:"reminderAfter"`  // days after the due date
	FinalAfter     int `json:"finalAfter"`
	FlagAfter      int `json:"flagAfter"`
}

// DefaultReminderRules: a courtesy notice 7 days before the due date, a
// reminder 14 days after it, the final notice 45 days after it, and the
// secretariat flagged 60 days after it.
var DefaultReminderRules = ReminderRules{CourtesyBefore: 7, ReminderAfter: 14, FinalAfter: 45, FlagAfter: 60}

// Validate checks that the stages come in order.
func (r ReminderRules) Validate() error {
	switch {
	case r.CourtesyBefore < 0 || r.ReminderAfter < 1:
		return fmt.Errorf("the courtesy notice must come on or before the due date and the reminder after it")
	case r.FinalAfter <= r.ReminderAfter || r.FlagAfter <= r.FinalAfter:
		return fmt.Errorf("the stages must come in order: reminder (%d) < final (%d) < flagged (%d) days after the due date",
			r.ReminderAfter, r.FinalAfter, r.FlagAfter)
	}
	return nil
}

// DateOf returns the day stage s of inv falls on.
func (r ReminderRules) DateOf(inv Invoice, s Stage) Date {
	switch s {
	case StageCourtesy:
		return inv.DueDate.AddDays(-r.CourtesyBefore)
	case StageReminder:
		return inv.DueDate.AddDays(r.ReminderAfter)
	case StageFinal:
		return inv.DueDate.AddDays(r.FinalAfter)
	case StageFlagged:
		return inv.DueDate.AddDays(r.FlagAfter)
	}
	return Date{}
}

// StageDue returns the stage due on date today for inv with balance b: the
// latest stage whose day has come, StageNone if none has or if nothing is
// left to pay (paid, credited). A partly paid invoice goes on through the
// stages for what is left. A run that missed days sends only the latest
// stage, never a courtesy notice after a reminder. The caller sends each
// (invoice, stage) once, keyed by ReminderID.
func (r ReminderRules) StageDue(inv Invoice, b Balance, today Date) Stage {
	if b.Settled() || b.Outstanding.Amount <= 0 {
		return StageNone
	}
	due := StageNone
	for _, s := range Stages {
		if !today.Before(r.DateOf(inv, s)) {
			due = s
		}
	}
	return due
}

// ReminderID is the deterministic id of stage s of invoice invoiceID: the
// outbox item's key, so that a retried or repeated run sends nothing twice.
func ReminderID(invoiceID string, s Stage) string {
	return "fee-reminder#" + invoiceID + "#" + string(s)
}
