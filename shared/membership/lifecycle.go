package membership

import (
	"slices"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// The whole lifecycle, from application to the end of membership.
const (
	StatusIndexReported       Status = "index_reported"
	StatusVisitScheduled      Status = "visit_scheduled"
	StatusVisitHeld           Status = "visit_held"
	StatusProfileIssued       Status = "profile_issued"
	StatusMember              Status = "member"
	StatusTerminationNotified Status = "termination_notified"
	StatusTerminated          Status = "terminated"
	StatusExpired             Status = "expired"
	StatusWithdrawn           Status = "withdrawn"
	StatusDeclined            Status = "declined"
)

// Statuses lists every status in pipeline order.
var Statuses = []Status{
	StatusApplied, StatusIndexSubmitted, StatusIndexReported, StatusVisitScheduled, StatusVisitHeld,
	StatusProfileIssued, StatusMember, StatusTerminationNotified, StatusTerminated, StatusExpired,
	StatusWithdrawn, StatusDeclined,
}

// Step is an admission or membership step the secretariat (or a schedule)
// records.
type Step string

// The steps.
const (
	StepSubmitIndex       Step = "index_submitted"
	StepReportIndex       Step = "index_reported"
	StepScheduleVisit     Step = "visit_scheduled"
	StepHoldVisit         Step = "visit_held"
	StepIssueProfile      Step = "profile_issued"
	StepSignAgreement     Step = "agreement_signed"
	StepNotifyTermination Step = "termination_notified"
	StepTerminate         Step = "terminated"
	StepExpire            Step = "expired"
	StepWithdraw          Step = "withdrawn"
	StepDecline           Step = "declined"
	StepSignIntent        Step = "intent_signed"
)

// candidate statuses: a city not yet a member, and not out of the process.
var candidate = []Status{StatusApplied, StatusIndexSubmitted, StatusIndexReported, StatusVisitScheduled,
	StatusVisitHeld, StatusProfileIssued}

// transitions says, for each step, the statuses it may start from and the
// status it leads to (empty: the status does not change).
var transitions = map[Step]struct {
	from []Status
	to   Status
}{
	StepSubmitIndex:   {[]Status{StatusApplied, StatusIndexSubmitted}, StatusIndexSubmitted},
	StepReportIndex:   {[]Status{StatusIndexSubmitted}, StatusIndexReported},
	StepScheduleVisit: {[]Status{StatusIndexReported, StatusVisitScheduled}, StatusVisitScheduled},
	StepHoldVisit:     {[]Status{StatusVisitScheduled}, StatusVisitHeld},
	StepIssueProfile:  {[]Status{StatusVisitHeld}, StatusProfileIssued},
	StepSignAgreement: {[]Status{StatusProfileIssued}, StatusMember},
	// Either party may give one month's written notice (agreement §5).
	StepNotifyTermination: {[]Status{StatusMember}, StatusTerminationNotified},
	StepTerminate:         {[]Status{StatusTerminationNotified}, StatusTerminated},
	StepExpire:            {[]Status{StatusMember}, StatusExpired},
	StepWithdraw:          {candidate, StatusWithdrawn},
	StepDecline:           {candidate, StatusDeclined},
	// A statement of intent may be signed at any point before membership,
	// even before the INDEX analysis: it records priority, not a status.
	StepSignIntent: {candidate, ""},
}

// Next lists the steps possible from a status.
func Next(s Status) []Step {
	var out []Step
	for step, t := range transitions {
		if slices.Contains(t.from, s) {
			out = append(out, step)
		}
	}
	slices.Sort(out)
	return out
}

// Transition checks that step may happen in status from and returns the new
// status. A refused step is a Conflict naming the steps that are possible.
func Transition(from Status, step Step) (Status, error) {
	t, ok := transitions[step]
	if !ok {
		return "", failure.New(failure.Invalid, "unknown step %q", step)
	}
	if !slices.Contains(t.from, from) {
		next := Next(from)
		return "", failure.New(failure.Conflict, "a city whose status is %s cannot take the step %s; possible steps: %v", from, step, next)
	}
	if t.to == "" {
		return from, nil
	}
	return t.to, nil
}

// AddMonth returns the date one calendar month after d, clamped to the end
// of the month: 31 January gives 28 (or 29) February, 30 April gives 30 May.
func AddMonth(d time.Time) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+1, 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), d.Location())
}
