package fees

import (
	"testing"
)

func TestStageDue(t *testing.T) {
	r := DefaultReminderRules
	inv := issue(t, "inv-1", 1, "2027-01-04") // due 2027-02-03
	for s, want := range map[Stage]string{StageCourtesy: "2027-01-27", StageReminder: "2027-02-17", StageFinal: "2027-03-20", StageFlagged: "2027-04-04"} {
		if got := r.DateOf(inv, s).String(); got != want {
			t.Fatalf("DateOf(%s) = %s, want %s", s, got, want)
		}
	}
	unpaid := func(string) ([]Payment, []CreditNote) { return nil, nil }
	partly := func(string) ([]Payment, []CreditNote) {
		return []Payment{pay("p1", "inv-1", 100000, "2027-01-15")}, nil
	}
	paid := func(today string) ([]Payment, []CreditNote) {
		// paid in full the day before
		return []Payment{pay("p1", "inv-1", 500000, date(today).AddDays(-1).String())}, nil
	}
	credited := func(string) ([]Payment, []CreditNote) {
		return nil, []CreditNote{credit(t, inv, nil, 500000)}
	}
	partlyCredited := func(string) ([]Payment, []CreditNote) {
		return nil, []CreditNote{credit(t, inv, nil, 100000)}
	}
	type situation struct {
		name  string
		state func(today string) ([]Payment, []CreditNote)
		owes  bool
	}
	situations := []situation{
		{"unpaid", unpaid, true},
		{"partly paid", partly, true},
		{"partly credited", partlyCredited, true},
		{"paid before the stage", paid, false},
		{"credited", credited, false},
	}
	days := []struct {
		today string
		stage Stage
	}{
		{"2027-01-26", StageNone},
		{"2027-01-27", StageCourtesy},
		{"2027-02-03", StageCourtesy}, // due today
		{"2027-02-16", StageCourtesy},
		{"2027-02-17", StageReminder},
		{"2027-03-19", StageReminder},
		{"2027-03-20", StageFinal},
		{"2027-04-03", StageFinal},
		{"2027-04-04", StageFlagged},
		{"2028-01-01", StageFlagged}, // a run that missed days sends the latest stage only
	}
	for _, s := range situations {
		for _, d := range days {
			payments, credits := s.state(d.today)
			b := BalanceOf(inv, payments, credits, date(d.today))
			want := StageNone
			if s.owes {
				want = d.stage
			}
			if got := r.StageDue(inv, b, date(d.today)); got != want {
				t.Errorf("%s on %s: stage %q, want %q", s.name, d.today, got, want)
			}
		}
	}
}

func TestCustomReminderRules(t *testing.T) {
	r := ReminderRules{CourtesyBefore: 0, ReminderAfter: 1, FinalAfter: 2, FlagAfter: 3}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	inv := issue(t, "inv-1", 1, "2027-01-04") // due 2027-02-03
	b := BalanceOf(inv, nil, nil, date("2027-02-05"))
	if got := r.StageDue(inv, b, date("2027-02-05")); got != StageFinal {
		t.Errorf("stage = %q, want final", got)
	}
	for _, bad := range []ReminderRules{
		{CourtesyBefore: -1, ReminderAfter: 14, FinalAfter: 45, FlagAfter: 60},
		{CourtesyBefore: 7, ReminderAfter: 0, FinalAfter: 45, FlagAfter: 60},
		{CourtesyBefore: 7, ReminderAfter: 45, FinalAfter: 45, FlagAfter: 60},
		{CourtesyBefore: 7, ReminderAfter: 14, FinalAfter: 60, FlagAfter: 45},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestReminderIDAndStageDuties(t *testing.T) {
	ids := map[string]bool{}
	for _, inv := range []string{"inv-1", "inv-2"} {
		for _, s := range Stages {
			id := ReminderID(inv, s)
			if ids[id] {
				t.Errorf("ReminderID(%s, %s) = %s collides", inv, s, id)
			}
			ids[id] = true
			if ReminderID(inv, s) != id {
				t.Error("ReminderID is not deterministic")
			}
		}
	}
	if StageFlagged.NotifiesCity() || !StageFlagged.CopiesSecretariat() || !StageFinal.CopiesSecretariat() ||
		StageReminder.CopiesSecretariat() || !StageCourtesy.NotifiesCity() {
		t.Error("stage duties are wrong")
	}
}
