package demo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

// TestSeedFillsEveryStepOfThePipeline seeds a stack through its HTTP API, as
// make run does, with the streams running in the background, and finds the
// demo cities spread over the pipeline as StageOf says; seeding again changes
// nothing.
func TestSeedFillsEveryStepOfThePipeline(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go s.RunPollers(ctx, 20*time.Millisecond)
	admin := s.AdminToken()
	for run := range 2 {
		n, err := demo.Seed(ctx, http.DefaultClient, s.URL, admin)
		if err != nil {
			t.Fatalf("seed %d: %v", run, err)
		}
		if want := []int{len(demo.Cities), 0}[run]; n != want {
			t.Fatalf("seed %d created %d applications, want %d", run, n, want)
		}
	}
	want := map[string]int{}
	status := map[demo.Stage]string{demo.Reported: "index_reported", demo.ReportDrafted: "index_submitted", demo.VisitScheduled: "visit_scheduled",
		demo.VisitHeld: "visit_held", demo.ProfileIssued: "profile_issued", demo.Member: "member",
		demo.TerminationNotified: "termination_notified", demo.Withdrawn: "withdrawn", demo.Declined: "declined"}
	for i := range demo.Cities {
		want[status[demo.StageOf(i)]]++
	}
	if len(want) != len(status) {
		t.Fatalf("the demo reaches only %v", want)
	}
	_, _, body := s.Do(http.MethodGet, "/admin/cities?limit=1", admin, "")
	var page struct{ Counts map[string]int }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	for st, n := range want {
		if page.Counts[st] != n {
			t.Errorf("%d cities %s, want %d (all counts %v)", page.Counts[st], st, n, page.Counts)
		}
	}
	// The members' first progress report is due: the daily run asks for it.
	body = s.RunSchedule(admin, "daily", "")
	var daily struct{ Result struct{ Reminded int } }
	if err := json.Unmarshal(body, &daily); err != nil || daily.Result.Reminded < want["member"] {
		t.Errorf("daily run: %s, want at least %d progress reminders", body, want["member"])
	}
}
