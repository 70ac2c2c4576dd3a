package membership

import (
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
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
		for _, tr := range rules {
			step := tr.step
			_, err := Transition(from, step)
			_, allowed := ruleFor(from, step)
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

func TestDailyDuties(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	member := City{ID: "c", Name: "C", Status: StatusMember, Language: "fr", Contact: Contact{Name: "N", Email: "n@c.example"},
		Agreement: &Agreement{InForceFrom: "2024-03-15", EndsOn: "2027-03-14"}}
	notified := City{ID: "c", Status: StatusTerminationNotified, Termination: &Termination{EffectiveOn: "2026-02-28"}}
	reported := member
	reported.ReportedPeriods = []string{"2026"}
	halfYearly := member
	halfYearly.ReportedPeriods = []string{"2026-H1"}
	rules := Rules{SecretariatEmail: "sec@coe.example", FormsBaseURL: "https://forms.example/dev/", CityTokenTTL: 90 * 24 * time.Hour,
		LinkKey: linkKey}
	tests := []struct {
		name      string
		city      City
		every     int // months between progress reports; 0 for the default (12)
		today     string
		status    Status // "" for no change
		mails     []string
		reminders []string
	}{
		{"nothing due", member, 0, "2026-02-01", "", nil, nil},
		{"progress report due on the anniversary", member, 0, "2026-03-15", "", nil, []string{"progress-c-2026"}},
		{"a period already reported is not asked for", reported, 0, "2026-03-15", "", nil, nil},
		{"90 days before the end", member, 0, "2026-12-14", "", nil, []string{"expiry90-c-2027-03-14", "expiry90-c-2027-03-14-secretariat", "progress-c-2026"}},
		{"30 days before the end", member, 0, "2027-02-12", "", nil, []string{"expiry30-c-2027-03-14", "expiry30-c-2027-03-14-secretariat"}},
		{"the last day", member, 0, "2027-03-14", "", nil, []string{"expiry30-c-2027-03-14", "expiry30-c-2027-03-14-secretariat"}},
		{"half-yearly reports fall due every six months", member, 6, "2025-09-20", "", nil, []string{"progress-c-2025-H2"}},
		{"a half year reported", halfYearly, 6, "2026-03-16", "", nil, nil},
		{"the day after the end", member, 0, "2027-03-15", StatusExpired, []string{"expired-c", "expired-c-secretariat"}, nil},
		{"notice not yet effective", notified, 0, "2026-02-27", "", nil, nil},
		{"notice effective", notified, 0, "2026-02-28", StatusTerminated, []string{"terminated-c", "terminated-c-secretariat"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rules
			r.ProgressEveryMonths = tt.every
			d, err := tt.city.DailyDuties(day(tt.today), day(tt.today), r, "schedule")
			if err != nil {
				t.Fatal(err)
			}
			if (d.Change == nil) != (tt.status == "") || (d.Change != nil && d.Change.City.Status != tt.status) {
				t.Fatalf("change %+v, want status %q", d.Change, tt.status)
			}
			if d.Change != nil {
				var got []string
				for _, n := range d.Change.Notifications {
					got = append(got, n.ID)
					if n.ID != tt.mails[0] && n.ToEmail != "sec@coe.example" {
						t.Errorf("%s goes to %s, not the secretariat", n.ID, n.ToEmail)
					}
				}
				if strings.Join(got, " ") != strings.Join(tt.mails, " ") {
					t.Errorf("emails %v, want %v (the city and the secretariat)", got, tt.mails)
				}
			}
			var ids []string
			for _, n := range d.Reminders {
				ids = append(ids, n.Notification.ID)
				progress := strings.HasPrefix(n.Notification.ID, "progress-")
				if !progress {
					if n.Token != nil || n.Notification.Link != nil {
						t.Errorf("%s carries a link", n.Notification.ID)
					}
					continue
				}
				// A fresh link to the progress report form, whose token is
				// the one stored with the email.
				l := n.Notification.Link
				if l == nil || l.Field != "AccessLink" || l.Ref.KeyID != linkKey.ID {
					t.Fatalf("%s: link %+v, want one under key %s", n.Notification.ID, l, linkKey.ID)
				}
				link := l.URL + linkKey.Derive(l.Ref.TokenID)
				if n.Token == nil || !strings.HasPrefix(link, "https://forms.example/dev/progress-report?city=c&lang=") ||
					n.Token.Hash != auth.Hash(linkKey.Derive(l.Ref.TokenID)) || n.Token.CityID != "c" || n.Token.Role != auth.RoleCity ||
					!n.Token.ExpiresAt.Equal(day(tt.today).Add(rules.CityTokenTTL)) {
					t.Errorf("progress reminder link %q, token %+v", link, n.Token)
				}
			}
			if len(ids) != len(tt.reminders) {
				t.Fatalf("reminders %v, want %v", ids, tt.reminders)
			}
			for i := range ids {
				if ids[i] != tt.reminders[i] {
					t.Fatalf("reminders %v, want %v", ids, tt.reminders)
				}
			}
		})
	}
}

// TestAnEndedFileSavesNoDraft checks that INDEX answers in progress are
// saved exactly while a submission would be taken: an ended file (withdrawn,
// declined, terminated, expired) can do neither, and says so as a conflict.
func TestAnEndedFileSavesNoDraft(t *testing.T) {
	version := index.Current().Version
	in := index.Input{Version: &version, Answers: []index.Answer{}}
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, s := range Statuses {
		c := City{ID: "k5vq3ztm2xw7cjr4hbn6dpaafe", Status: s}
		d, err := c.SaveDraft(in, now, "city:"+c.ID)
		_, submits := ruleFor(s, StepSubmitIndex)
		switch {
		case submits && err != nil:
			t.Errorf("%s: draft refused: %v", s, err)
		case submits && (d.CityID != c.ID || d.Version != version || !d.UpdatedAt.Equal(now) || d.UpdatedBy != "city:"+c.ID):
			t.Errorf("%s: draft %+v", s, d)
		case !submits && (failure.KindOf(err) != failure.Conflict || !strings.Contains(err.Error(), "can no longer answer the INDEX")):
			t.Errorf("%s: %v, want a conflict", s, err)
		}
	}
	for _, s := range []Status{StatusWithdrawn, StatusDeclined, StatusTerminated, StatusExpired} {
		if _, err := (City{Status: s}).SaveDraft(in, now, "x"); err == nil {
			t.Errorf("%s saved a draft", s)
		}
	}
	// The answers are checked first, as a submission's are.
	if _, err := (City{Status: StatusWithdrawn}).SaveDraft(index.Input{}, now, "x"); failure.KindOf(err) != failure.Invalid {
		t.Errorf("a draft without a version: %v", err)
	}
}
