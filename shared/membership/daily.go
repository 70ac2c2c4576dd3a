package membership

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// Daily is what the daily schedule does for one city today: a status
// change (a termination or expiry taking effect) and reminders. Reminder
// ids are derived from the city and the occasion, so a second run the same
// day (or any later day) queues nothing twice.
type Daily struct {
	Change    *Change
	Reminders []Reminder
}

// Reminder is an email the daily schedule sends once. Token, when set, is
// the fresh access token its link carries: it is stored with the email, or
// not at all.
type Reminder struct {
	Notification notify.Notification
	Token        *auth.Token
}

// DailyDuties works out a city's duties for today (a date, UTC midnight);
// now stamps what is recorded.
func (c City) DailyDuties(today, now time.Time, r Rules, actor string) (Daily, error) {
	var d Daily
	switch c.Status {
	case StatusTerminationNotified:
		if c.Termination != nil && c.Termination.EffectiveOn <= today.Format(dateLayout) {
			ch, err := c.Terminate(today, now, r, actor)
			if err != nil {
				return Daily{}, err
			}
			d.Change = &ch
		}
	case StatusMember:
		if c.Agreement == nil {
			return d, nil
		}
		end, err := time.Parse(dateLayout, c.Agreement.EndsOn)
		if err != nil {
			return Daily{}, fmt.Errorf("city %s: agreement end %q: %w", c.ID, c.Agreement.EndsOn, err)
		}
		if today.After(end) {
			ch, err := c.Expire(today, now, r, actor)
			if err != nil {
				return Daily{}, err
			}
			d.Change = &ch
			return d, nil
		}
		days := int(end.Sub(today).Hours() / 24)
		window := ""
		switch {
		case days <= 30:
			window = "30"
		case days <= 90:
			window = "90"
		}
		if window != "" {
			data := map[string]string{"EndsOn": c.Agreement.EndsOn, "DaysLeft": strconv.Itoa(days)}
			key := "expiry" + window + "-" + c.ID + "-" + c.Agreement.EndsOn
			city := c.mail("expiry-warning", key, data, now)
			d.Reminders = append(d.Reminders, Reminder{Notification: city},
				Reminder{Notification: secretariatCopy(city, key+"-secretariat", r)})
		}
		if period, due := c.progressDue(today, r); due {
			d.Reminders = append(d.Reminders, c.progressReminder(period, now, r))
		}
	}
	return d, nil
}

// progressDue says which progress report period falls due by today and
// whether the city still owes it. Reports fall due every
// r.ProgressEveryMonths months from the agreement's entry into force; the
// period is named by the calendar year, half or quarter in which it falls
// due ("2027", "2027-H1", "2027-Q3"), and asked for until that period ends.
func (c City) progressDue(today time.Time, r Rules) (string, bool) {
	start, err := time.Parse(dateLayout, c.Agreement.InForceFrom)
	every := r.ProgressEveryMonths
	if every <= 0 {
		every = 12
	}
	if err != nil || today.Before(AddMonths(start, every)) {
		return "", false
	}
	due := AddMonths(start, every)
	for k := 2; ; k++ {
		next := AddMonths(start, k*every)
		if next.After(today) {
			break
		}
		due = next
	}
	// Asked for until the calendar period it fell due in ends: a run
	// missed on the due date still sends it, and no reminder repeats
	// all year.
	period := PeriodOf(due, every)
	if PeriodOf(today, every) != period {
		return "", false
	}
	return period, !c.Reported(period)
}

// PeriodOf names the reporting period a date falls in, for a cadence in
// months: the year for yearly reports, else its half or quarter.
func PeriodOf(d time.Time, everyMonths int) string {
	y := strconv.Itoa(d.Year())
	switch {
	case everyMonths >= 12:
		return y
	case everyMonths >= 6:
		return y + "-H" + strconv.Itoa((int(d.Month())-1)/6+1)
	}
	return y + "-Q" + strconv.Itoa((int(d.Month())-1)/3+1)
}

// Reported says whether the city has reported on a period: a report on the
// whole year covers its halves and quarters.
func (c City) Reported(period string) bool {
	year, _, _ := strings.Cut(period, "-")
	for _, p := range c.ReportedPeriods {
		if p == period || p == year {
			return true
		}
	}
	return false
}

// progressReminder asks for a period's progress report, with a fresh
// personal link to the progress report form: the city's first access link
// may have expired long ago.
func (c City) progressReminder(period string, now time.Time, r Rules) Reminder {
	// AccessLink is empty without a link (derived when the email is sent otherwise).
	n := c.mail("progress-due", "progress-"+c.ID+"-"+period, map[string]string{"Year": period, "AccessLink": ""}, now)
	if r.FormsBaseURL == "" || r.CityTokenTTL <= 0 || r.LinkKey.Validate() != nil {
		return Reminder{Notification: n}
	}
	tok, ref := auth.IssueLink(r.LinkKey, auth.RoleCity, c.ID, c.Contact.Email, now, r.CityTokenTTL)
	n.Data["LinkExpires"] = tok.ExpiresAt.Format(dateLayout)
	n.Link = &notify.Link{Field: "AccessLink", Ref: ref, URL: fmt.Sprintf("%s/progress-report?city=%s&lang=%s#token=",
		strings.TrimRight(r.FormsBaseURL, "/"), c.ID, c.Language)}
	return Reminder{Notification: n, Token: &tok}
}

// Indicator is one measure a progress report tracks.
type Indicator struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Target string `json:"target,omitempty"`
}

// ProgressReport is a member's report on its intercultural strategy (§2.2).
type ProgressReport struct {
	ID          string      `json:"reportId"`
	CityID      string      `json:"cityId"`
	Period      string      `json:"period"` // e.g. "2026" or "2026-H1"
	Actions     []string    `json:"actions"`
	Indicators  []Indicator `json:"indicators"`
	Text        string      `json:"text"`
	SubmittedAt time.Time   `json:"submittedAt"`
	SubmittedBy string      `json:"submittedBy"`
}

// ProgressInput is a progress report as a city sends it.
type ProgressInput struct {
	Period     string      `json:"period"`
	Actions    []string    `json:"actions"`
	Indicators []Indicator `json:"indicators"`
	Text       string      `json:"text"`
}

var periodPattern = regexp.MustCompile(`^20\d\d(-H[12]|-Q[1-4])?$`)

// ReportProgress files a member's progress report: the report, and the
// period it covers on the city's file, so that no reminder asks for it again.
func (c City) ReportProgress(in ProgressInput, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	if !periodPattern.MatchString(in.Period) {
		col.Add("/period", "must be a year such as 2026, a half year such as 2026-H1 or a quarter such as 2026-Q3")
	}
	if len(in.Actions) == 0 {
		col.Add("/actions", "at least one action is required")
	}
	if len(in.Actions) > 100 {
		col.Add("/actions", "at most 100 actions")
	}
	for i, a := range in.Actions {
		text(&col, fmt.Sprintf("/actions/%d", i), a, true, 1000)
	}
	if len(in.Indicators) > 100 {
		col.Add("/indicators", "at most 100 indicators")
	}
	for i, ind := range in.Indicators {
		text(&col, fmt.Sprintf("/indicators/%d/name", i), ind.Name, true, 200)
		text(&col, fmt.Sprintf("/indicators/%d/value", i), ind.Value, true, 200)
		text(&col, fmt.Sprintf("/indicators/%d/target", i), ind.Target, false, 200)
	}
	text(&col, "/text", in.Text, true, 20000)
	if err := col.Err("the progress report has invalid fields"); err != nil {
		return Change{}, err
	}
	if in.Indicators == nil {
		in.Indicators = []Indicator{}
	}
	report := ProgressReport{ID: newID(), CityID: c.ID, Period: in.Period, Actions: in.Actions, Indicators: in.Indicators,
		Text: in.Text, SubmittedAt: now.UTC(), SubmittedBy: actor}
	next, ev, err := c.step(StepReportProgress, now, actor, nil, "progress report for "+in.Period+" ("+report.ID+")")
	if err != nil {
		if failure.KindOf(err) == failure.Conflict {
			return Change{}, failure.New(failure.Conflict, "only members report progress; city %s is %s", c.ID, c.Status)
		}
		return Change{}, err
	}
	if !c.Reported(in.Period) {
		periods := append(append([]string{}, c.ReportedPeriods...), in.Period)
		// The newest dozen periods are enough to tell what is owed.
		next.ReportedPeriods = periods[max(0, len(periods)-12):]
	}
	return Change{City: next, Event: ev, Records: []any{report}}, nil
}

// Page is one page of the pipeline.
type Page struct {
	Cities []City
	Next   string // the cursor of the next page; empty on the last
}
