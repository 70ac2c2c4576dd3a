package membership

import (
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

func TestTheWholeHappyPath(t *testing.T) {
	s := StatusApplied
	for _, step := range []Step{StepSignIntent, StepSubmitIndex, StepReportIndex, StepScheduleVisit, StepScheduleVisit,
		StepHoldVisit, StepIssueProfile, StepSignAgreement, StepNotifyTermination, StepTerminate} {
		next, err := Transition(s, step)
		if err != nil {
			t.Fatalf("%s from %s: %v", step, s, err)
		}
		s = next
	}
	if s != StatusTerminated {
		t.Fatalf("ended %s", s)
	}
}

func TestEveryInvalidTransitionIsAConflictNamingTheNextSteps(t *testing.T) {
	valid := 0
	for _, from := range Statuses {
		for step, tr := range transitions {
			_, err := Transition(from, step)
			allowed := false
			for _, f := range tr.from {
				allowed = allowed || f == from
			}
			switch {
			case allowed && err != nil:
				t.Errorf("%s from %s refused: %v", step, from, err)
			case allowed:
				valid++
			case failure.KindOf(err) != failure.Conflict:
				t.Errorf("%s from %s: %v, want a conflict", step, from, err)
			}
		}
	}
	if valid < 20 {
		t.Fatalf("only %d valid transitions", valid)
	}
	// Steps cannot be skipped.
	for _, tt := range []struct {
		from Status
		step Step
	}{
		{StatusApplied, StepScheduleVisit}, {StatusIndexSubmitted, StepIssueProfile},
		{StatusVisitScheduled, StepSignAgreement}, {StatusApplied, StepSignAgreement},
		{StatusMember, StepTerminate}, {StatusTerminated, StepSignAgreement}, {StatusWithdrawn, StepSubmitIndex},
	} {
		if _, err := Transition(tt.from, tt.step); failure.KindOf(err) != failure.Conflict {
			t.Errorf("%s from %s allowed", tt.step, tt.from)
		}
	}
	if _, err := Transition(StatusMember, "fly"); failure.KindOf(err) != failure.Invalid {
		t.Errorf("unknown step: %v", err)
	}
}

func TestAddMonthIsEndOfMonthSafe(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for from, want := range map[string]string{
		"2026-01-15": "2026-02-15",
		"2026-01-31": "2026-02-28",
		"2028-01-31": "2028-02-29", // leap year
		"2100-01-31": "2100-02-28", // not a leap year
		"2000-01-30": "2000-02-29", // leap year (divisible by 400)
		"2026-03-31": "2026-04-30",
		"2026-04-30": "2026-05-30",
		"2026-12-31": "2027-01-31",
		"2026-12-15": "2027-01-15",
		"2026-08-31": "2026-09-30",
	} {
		if got := AddMonth(day(from)).Format("2006-01-02"); got != want {
			t.Errorf("AddMonth(%s) = %s, want %s", from, got, want)
		}
	}
}
