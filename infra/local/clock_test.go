package local_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/fees"
)

// clockAnswer is what /_local/clock answers.
type clockAnswer struct {
	Now  time.Time
	Next []local.Occurrence
	From time.Time
	To   time.Time
	Ran  map[string]int
	Runs []struct {
		Schedule    string
		At          time.Time
		Occurrences int
		Result      json.RawMessage
		Error       string
	}
}

func moveClock(t *testing.T, s *localtest.Stack, body string) clockAnswer {
	t.Helper()
	status, _, resp := s.Do(http.MethodPost, "/_local/clock", "", body)
	if status != http.StatusOK {
		t.Fatalf("POST /_local/clock %s: %d %s", body, status, resp)
	}
	var a clockAnswer
	if err := json.Unmarshal(resp, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// The clock's endpoint: it tells the time and the next runs, moves forward
// running what falls due, refuses to go back and says why, refuses what it
// cannot read, and takes the mail viewer's buttons.
func TestLocalClockEndpoint(t *testing.T) {
	s := localtest.New(t, local.Options{})
	status, _, resp := s.Do(http.MethodGet, "/_local/clock", "", "")
	var a clockAnswer
	if err := json.Unmarshal(resp, &a); status != 200 || err != nil || time.Since(a.Now).Abs() > time.Minute || len(a.Next) != 3 {
		t.Fatalf("GET: %d %s", status, resp)
	}
	before := s.Clock.Now()
	a = moveClock(t, s, `{"advance":"1d"}`)
	if a.Ran["daily"] != 1 || a.Ran["sweeper"] < 1 || a.Now.Sub(before) < 23*time.Hour || a.Now.Sub(before) > 26*time.Hour {
		t.Fatalf("a day on: ran %v, now %v (from %v)", a.Ran, a.Now, before)
	}
	for _, r := range a.Runs {
		if r.Schedule == "daily" && (r.At.Hour() != 6 || !strings.Contains(string(r.Result), `"date"`) || r.Error != "") {
			t.Errorf("the daily run: %+v %s", r, r.Result)
		}
	}

	now := s.Clock.Now()
	status, hdr, resp := s.Do(http.MethodPost, "/_local/clock", "", fmt.Sprintf(`{"set":%q}`, now.Add(-time.Hour).Format(time.RFC3339)))
	if status != http.StatusConflict || hdr.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(string(resp), "only moves forward") || !strings.Contains(string(resp), "idempotency") ||
		s.Clock.Now().Before(now) {
		t.Fatalf("back an hour: %d %s %s", status, hdr.Get("Content-Type"), resp)
	}
	for _, body := range []string{`{"set":"tomorrow"}`, `{"advance":"-5h"}`, `{"advance":"0s"}`, `{"advance":"3 days"}`, `{"advance":"1.5d"}`,
		`{"advance":"1d","set":"2030-01-01T00:00:00Z"}`, `{}`, `{"forward":"1d"}`, `{"advance":"100y"}`} {
		if status, _, resp := s.Do(http.MethodPost, "/_local/clock", "", body); status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", body, status, resp)
		}
	}

	// The mail viewer shows the clock and moves it with its buttons.
	_, _, page := s.Do(http.MethodGet, "/_local/mail", "", "")
	annual := time.Date(fees.FeeYear(s.Clock.Now())+1, 1, 2, 7, 0, 0, 0, fees.Paris)
	for _, want := range []string{"Local clock:", `value="1w"`, `value="1mo"`,
		`value="` + annual.Format(time.RFC3339) + `">To the annual-invoices run of ` + annual.Format("2 Jan 2006 15:04")} {
		if !strings.Contains(html.UnescapeString(string(page)), want) {
			t.Errorf("the mail viewer lacks %s", want)
		}
	}
	before = s.Clock.Now()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/_local/clock", strings.NewReader("advance=1w"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/_local/mail" || s.Clock.Now().Sub(before) < 7*24*time.Hour-time.Hour {
		t.Fatalf("the form's week: %d %s, clock %v from %v", res.StatusCode, res.Header.Get("Location"), s.Clock.Now(), before)
	}
	if _, _, page := s.Do(http.MethodGet, "/_local/mail", "", ""); !strings.Contains(string(page), "Last move:") ||
		!strings.Contains(string(page), "daily ×7") {
		t.Error("the mail viewer does not show the last move")
	}
}

// A year goes by for a member who pays nothing of the next year's fee: the
// annual run on 2 January issues its invoice, then the daily runs send the
// courtesy notice a week before the due date, the reminder two weeks after
// it and the final notice 45 days after it, each on its day, in that order.
func TestAYearGoesByOnTheLocalClock(t *testing.T) {
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := payingMember(t, s, adm, "Yearton", "finances@yearton.example")
	// This year's invoices are paid: the year to come is the one followed.
	for _, inv := range cityInvoices(t, s, id, tok).Invoices {
		if status, _, resp := s.Do(http.MethodPost, "/admin/invoices/"+inv.InvoiceID+"/payments", adm,
			fmt.Sprintf(`{"amount":%d,"receivedOn":%q}`, inv.Total.Amount, day(0))); status != http.StatusCreated {
			t.Fatalf("payment: %d %s", status, resp)
		}
	}
	s.Drain()

	// A year on, or to the end of April after the next annual run if that
	// is later, so that the final notice falls inside.
	from := s.Clock.Now()
	next := fees.FeeYear(from) + 1
	to := from.In(fees.Paris).AddDate(1, 0, 0)
	if end := time.Date(next, 4, 30, 12, 0, 0, 0, fees.Paris); end.After(to) {
		to = end
	}
	started := time.Now()
	a := moveClock(t, s, fmt.Sprintf(`{"set":%q}`, to.Format(time.RFC3339)))
	t.Logf("%s of local time in %s", to.Sub(from).Round(time.Hour), time.Since(started).Round(time.Millisecond))

	// One daily run for each 06:00 in Paris passed, one annual run.
	days := 0
	for d := from.In(fees.Paris); !d.After(to); d = d.AddDate(0, 0, 1) {
		if six := time.Date(d.Year(), d.Month(), d.Day(), 6, 0, 0, 0, fees.Paris); six.After(from) && !six.After(to) {
			days++
		}
	}
	if a.Ran["daily"] != days || a.Ran["annual-invoices"] != 1 {
		t.Fatalf("ran %v, want %d daily runs and 1 annual run", a.Ran, days)
	}
	for _, r := range a.Runs {
		if r.Error != "" {
			t.Errorf("%s at %s: %s", r.Schedule, r.At, r.Error)
		}
	}

	// The invoice, due 30 days after 2 January.
	number := fmt.Sprintf("ICC-%d-0001", next)
	var due fees.Date
	_, _, resp := s.Do(http.MethodGet, "/cities/"+id+"/invoices", adm, "")
	var l struct {
		Invoices []struct {
			Number  string
			FeeYear int
			DueDate fees.Date
		}
	}
	_ = json.Unmarshal(resp, &l)
	for _, inv := range l.Invoices {
		if inv.FeeYear == next && inv.Number == number {
			due = inv.DueDate
		}
	}
	if due.IsZero() {
		t.Fatalf("no invoice %s for %d: %s", number, next, resp)
	}

	// The daily runs that sent a fee reminder, by their day in Paris.
	var sentOn []string
	for _, r := range a.Runs {
		var res struct{ Fees struct{ Sent int } }
		if r.Schedule == "daily" && json.Unmarshal(r.Result, &res) == nil && res.Fees.Sent > 0 {
			sentOn = append(sentOn, r.At.In(fees.Paris).Format(fees.DateLayout))
		}
	}
	want := []string{due.AddDays(-7).String(), due.AddDays(14).String(), due.AddDays(45).String()}
	if !slices.Equal(sentOn, want) {
		t.Errorf("fee reminders sent on %v, want %v (due %s)", sentOn, want, due)
	}

	// The emails to the finance office, oldest first.
	mails, err := s.MailTo(t.Context(), "finances@yearton.example")
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(mails)
	var got []string
	for _, m := range mails {
		if !strings.Contains(m.Subject, number) {
			continue
		}
		for _, kind := range []string{"administrative fee", "falls due", "reminder", "final notice"} {
			if strings.Contains(m.Subject, kind) {
				got = append(got, kind)
			}
		}
	}
	if strings.Join(got, ", ") != "administrative fee, falls due, reminder, final notice" {
		t.Errorf("emails about %s, oldest first: %v", number, got)
	}
}

// A stack restarted on kept data resumes the clock as far ahead as it was:
// data stamped a month ahead is not met by a clock a month behind. What
// fell due while it was stopped does not run.
func TestLocalClockResumesOnKeptData(t *testing.T) {
	s := localtest.New(t, local.Options{})
	moveClock(t, s, `{"advance":"30d"}`)
	ahead := s.Clock.Offset()
	restarted, err := local.Start(t.Context(), local.Options{Table: s.Table})
	if err != nil {
		t.Fatal(err)
	}
	if got := restarted.Clock.Offset(); got != 0 {
		t.Fatalf("a new stack starts ahead by %v", got)
	}
	offset, err := restarted.ResumeClock(t.Context())
	if err != nil || offset != ahead || (restarted.Clock.Now().Sub(s.Clock.Now())).Abs() > time.Second {
		t.Fatalf("resumed by %v (%v), want %v: %v against %v", offset, err, ahead, restarted.Clock.Now(), s.Clock.Now())
	}
	for _, o := range restarted.Scheduler.Next() {
		if o.At.Before(restarted.Clock.Now().Add(-time.Second)) {
			t.Errorf("%s is due at %v, before the resumed clock", o.Schedule, o.At)
		}
	}
}
