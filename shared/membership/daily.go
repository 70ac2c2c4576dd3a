package membership

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
			ch, err := c.Terminate(today, now, actor)
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
			ch, err := c.Expire(today, now, actor)
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
			sec := c.mail("expiry-warning", key+"-secretariat", data, now)
			sec.Lang, sec.ToName, sec.ToEmail = "en", "Intercultural Cities secretariat", r.SecretariatEmail
			d.Reminders = append(d.Reminders, Reminder{Notification: city}, Reminder{Notification: sec})
		}
		// A progress report is due every year on the agreement's anniversary.
		start, err := time.Parse(dateLayout, c.Agreement.InForceFrom)
		if err == nil && today.Year() > start.Year() {
			anniversary := start.AddDate(today.Year()-start.Year(), 0, 0)
			if !today.Before(anniversary) {
				year := strconv.Itoa(today.Year())
				d.Reminders = append(d.Reminders, c.progressReminder(year, now, r))
			}
		}
	}
	return d, nil
}

// progressReminder asks for the year's progress report, with a fresh
// personal link to the progress report form: the city's first access link
// may have expired long ago. Earlier links keep working until they expire.
func (c City) progressReminder(year string, now time.Time, r Rules) Reminder {
	// AccessLink is empty without a link (a secret otherwise, erased once sent).
	n := c.mail("progress-due", "progress-"+c.ID+"-"+year, map[string]string{"Year": year, "AccessLink": ""}, now)
	if r.FormsBaseURL == "" || r.CityTokenTTL <= 0 {
		return Reminder{Notification: n}
	}
	secret, tok := auth.Issue(auth.RoleCity, c.ID, c.Contact.Email, now, r.CityTokenTTL)
	n.Data["LinkExpires"] = tok.ExpiresAt.Format(dateLayout)
	n.Secrets = map[string]string{"AccessLink": fmt.Sprintf("%s/progress-report?city=%s&lang=%s#token=%s",
		strings.TrimRight(r.FormsBaseURL, "/"), c.ID, c.Language, secret)}
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

// NewProgressReport validates a report; members and cities whose
// membership is ending may report.
func (c City) NewProgressReport(in ProgressInput, now time.Time, actor string, newID func() string) (ProgressReport, error) {
	var col failure.Collector
	if len(in.Period) < 4 || len(in.Period) > 7 || !strings.HasPrefix(in.Period, "20") {
		col.Add("/period", "must be a year such as 2026, or 2026-H1")
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
	if utf8.RuneCountInString(in.Text) > 20000 {
		col.Add("/text", "must be at most 20000 characters")
	}
	if err := col.Err("the progress report has invalid fields"); err != nil {
		return ProgressReport{}, err
	}
	if c.Status != StatusMember && c.Status != StatusTerminationNotified {
		return ProgressReport{}, failure.New(failure.Conflict, "only members report progress; city %s is %s", c.ID, c.Status)
	}
	if in.Indicators == nil {
		in.Indicators = []Indicator{}
	}
	return ProgressReport{ID: newID(), CityID: c.ID, Period: in.Period, Actions: in.Actions, Indicators: in.Indicators,
		Text: in.Text, SubmittedAt: now.UTC(), SubmittedBy: actor}, nil
}

// Page is one page of the pipeline.
type Page struct {
	Cities []City
	Next   string // the cursor of the next page; empty on the last
}
