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

// Step is a step in a city's file, taken by the city, the secretariat, the
// scorer or a schedule. Its name is the type of the audit entry it writes.
type Step string

// The steps.
const (
	StepApply             Step = "applied"
	StepSubmitIndex       Step = "index_submitted"
	StepSaveDraft         Step = "index_draft_saved"
	StepScoreIndex        Step = "index_scored"
	StepReportIndex       Step = "index_reported"
	StepScheduleVisit     Step = "visit_scheduled"
	StepHoldVisit         Step = "visit_held"
	StepIssueProfile      Step = "profile_issued"
	StepSignAgreement     Step = "agreement_signed"
	StepAmendAgreement    Step = "agreement_amended"
	StepNotifyTermination Step = "termination_notified"
	StepTerminate         Step = "terminated"
	StepExpire            Step = "expired"
	StepWithdraw          Step = "withdrawn"
	StepDecline           Step = "declined"
	StepSignIntent        Step = "intent_signed"
	StepReportProgress    Step = "progress_reported"
	StepReissueToken      Step = "token_reissued"
	StepInvoiceFee        Step = "fee_invoiced"
	StepRecordPayment     Step = "payment_recorded"
	StepIssueCreditNote   Step = "credit_note_issued"
	StepUpdateBilling     Step = "billing_updated"
	StepCommentReport     Step = "report_commented"
	StepPublishReport     Step = "report_published"
)

// candidate statuses: a city not yet a member, and not out of the process.
var candidate = []Status{StatusApplied, StatusIndexSubmitted, StatusIndexReported, StatusVisitScheduled,
	StatusVisitHeld, StatusProfileIssued}

// open statuses: a file that has not ended.
var open = append(slices.Clone(candidate), StatusMember, StatusTerminationNotified)

// rule allows a step from some statuses and names the status it leads to
// (empty: the status does not change). A step may have several rules, each
// for other statuses.
type rule struct {
	step Step
	from []Status
	to   Status
	// internal steps are taken by the system as a consequence of another
	// (scoring, a link re-issued, a report filed): they are not offered as
	// next steps.
	internal bool
}

// rules is the workflow: every status change of a city is one of these.
var rules = []rule{
	{step: StepApply, from: nil, to: StatusApplied, internal: true},
	{step: StepSubmitIndex, from: []Status{StatusApplied}, to: StatusIndexSubmitted},
	// A city further on (a member re-assessing) submits again and keeps its
	// status; an ended file submits no more.
	{step: StepSubmitIndex, from: []Status{StatusIndexSubmitted}},
	{step: StepSubmitIndex, from: open[2:], internal: true},
	// Answers in progress are saved while the city may still submit them:
	// an ended file's draft stays as it was left.
	{step: StepSaveDraft, from: open, internal: true},
	// Scoring records a submission's result and drafts its analytical
	// report; publishing a city's first report is the INDEX reported.
	{step: StepScoreIndex, from: Statuses, internal: true},
	{step: StepReportIndex, from: []Status{StatusIndexSubmitted}, to: StatusIndexReported},
	{step: StepCommentReport, from: Statuses, internal: true},
	// A later report (a member re-assessing) is published without a status
	// change.
	{step: StepPublishReport, from: open, internal: true},
	{step: StepScheduleVisit, from: []Status{StatusIndexReported, StatusVisitScheduled}, to: StatusVisitScheduled},
	{step: StepHoldVisit, from: []Status{StatusVisitScheduled}, to: StatusVisitHeld},
	{step: StepIssueProfile, from: []Status{StatusVisitHeld}, to: StatusProfileIssued},
	{step: StepSignAgreement, from: []Status{StatusProfileIssued}, to: StatusMember},
	// The end date may move by an agreement in writing (the agreement's
	// duration clause).
	{step: StepAmendAgreement, from: []Status{StatusMember}},
	// Either party may give one month's written notice (agreement §5).
	{step: StepNotifyTermination, from: []Status{StatusMember}, to: StatusTerminationNotified},
	{step: StepTerminate, from: []Status{StatusTerminationNotified}, to: StatusTerminated},
	{step: StepExpire, from: []Status{StatusMember}, to: StatusExpired},
	{step: StepWithdraw, from: candidate, to: StatusWithdrawn},
	{step: StepDecline, from: candidate, to: StatusDeclined},
	// A statement of intent may be signed at any point before membership,
	// even before the INDEX analysis: it records priority, not a status.
	{step: StepSignIntent, from: candidate},
	{step: StepReportProgress, from: []Status{StatusMember, StatusTerminationNotified}, internal: true},
	// The secretariat may give an ended file's city a link again (to read
	// its file and reports, to settle a last invoice).
	{step: StepReissueToken, from: Statuses, internal: true},
	// The yearly fee: a member is invoiced for each year its agreement
	// covers; money is received and invoices corrected whatever the city's
	// status now (a city that left may still settle its last invoice).
	{step: StepInvoiceFee, from: []Status{StatusMember, StatusTerminationNotified}, internal: true},
	{step: StepRecordPayment, from: Statuses, internal: true},
	{step: StepIssueCreditNote, from: Statuses, internal: true},
	{step: StepUpdateBilling, from: open, internal: true},
}

// ruleFor returns the rule that allows step from status s.
func ruleFor(s Status, step Step) (rule, bool) {
	for _, r := range rules {
		if r.step == step && (slices.Contains(r.from, s) || (r.from == nil && s == "")) {
			return r, true
		}
	}
	return rule{}, false
}

// Next lists the steps the secretariat or the city may take from a status.
func Next(s Status) []Step {
	var out []Step
	for _, r := range rules {
		if !r.internal && slices.Contains(r.from, s) && !slices.Contains(out, r.step) {
			out = append(out, r.step)
		}
	}
	slices.Sort(out)
	return out
}

// Transition checks that step may happen in status from and returns the new
// status. A refused step is a Conflict naming the steps that are possible.
func Transition(from Status, step Step) (Status, error) {
	known := slices.ContainsFunc(rules, func(r rule) bool { return r.step == step })
	if !known {
		return "", failure.New(failure.Invalid, "unknown step %q", step)
	}
	r, ok := ruleFor(from, step)
	if !ok {
		return "", failure.New(failure.Conflict, "a city whose status is %s cannot take the step %s; possible steps: %v", from, step, Next(from))
	}
	if r.to == "" {
		return from, nil
	}
	return r.to, nil
}

// AddMonth returns the date one calendar month after d, clamped to the end
// of the month: 31 January gives 28 (or 29) February, 30 April gives 30 May.
func AddMonth(d time.Time) time.Time {
	return AddMonths(d, 1)
}

// AddMonths returns the date n calendar months after d, clamped to the end
// of the month.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), d.Location())
}
