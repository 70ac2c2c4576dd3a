package membership

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// Person is an expert or a Council of Europe representative.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Visit is the expert visit: at least one expert and one representative of
// the Council of Europe (two experts is the usual case).
type Visit struct {
	ID             string   `json:"visitId"`
	ScheduledFor   string   `json:"scheduledFor"` // YYYY-MM-DD
	Experts        []Person `json:"experts"`
	Representative Person   `json:"representative"`
	HeldOn         string   `json:"heldOn,omitempty"`
	Diagnosis      string   `json:"diagnosis,omitempty"`
}

// Profile is the intercultural profile the visit results in.
type Profile struct {
	Title    string `json:"title"`
	IssuedOn string `json:"issuedOn"`
	Link     string `json:"link,omitempty"`
	Summary  string `json:"summary,omitempty"`
}

// Money is an amount in cents of a currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func (m Money) String() string {
	return fmt.Sprintf("%s.%02d %s", thousands(m.Amount/100), m.Amount%100, m.Currency)
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}

// Agreement is the signed agreement. It enters into force on the later
// signature (§6) and ends on a fixed date, or one agreed in writing.
type Agreement struct {
	CitySignedOn       string `json:"citySignedOn"`
	CoESignedOn        string `json:"coeSignedOn"`
	InForceFrom        string `json:"inForceFrom"`
	EndsOn             string `json:"endsOn"`
	EndAgreedInWriting bool   `json:"endAgreedInWriting"`
	FeePerYear         Money  `json:"feePerYear"`
}

// Termination is the written notice one party served (§5).
type Termination struct {
	By          string `json:"by"` // "city" or "coe"
	NoticeOn    string `json:"noticeOn"`
	EffectiveOn string `json:"effectiveOn"` // one calendar month later
	Reason      string `json:"reason"`
}

// Rules are the workflow's configuration.
type Rules struct {
	AgreementYears   int   // default length of an agreement
	FeePerYear       Money // default yearly fee
	SecretariatEmail string
	// Where the yearly progress-report reminder's fresh access link points
	// (empty: the reminder carries no link), and how long that link works.
	FormsBaseURL string
	CityTokenTTL time.Duration
}

// Change is what one step does to a city: its new state, the audit entry
// and the emails, written together.
type Change struct {
	City          City
	Event         Event
	Notifications []notify.Notification
	Token         *auth.Token // a new city token, when the step issues one
	RevokeToken   string      // the hash of a token to revoke
}

const dateLayout = "2006-01-02"

func date(c *failure.Collector, ptr, v string, required bool) (time.Time, bool) {
	if v == "" {
		if required {
			c.Add(ptr, "is required (YYYY-MM-DD)")
		}
		return time.Time{}, false
	}
	d, err := time.Parse(dateLayout, v)
	if err != nil {
		c.Add(ptr, "must be a date YYYY-MM-DD")
		return time.Time{}, false
	}
	if d.Year() < 2000 || d.Year() > 2200 {
		c.Add(ptr, "must be a plausible date")
		return time.Time{}, false
	}
	return d, true
}

func text(c *failure.Collector, ptr, v string, required bool, maxLen int) {
	switch {
	case v == "" && required:
		c.Add(ptr, "is required")
	case v != "" && strings.TrimSpace(v) == "":
		c.Add(ptr, "must not be blank")
	case utf8.RuneCountInString(v) > maxLen:
		c.Add(ptr, "must be at most %d characters", maxLen)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		c.Add(ptr, "must not contain control characters")
	}
}

func person(c *failure.Collector, ptr string, p Person) {
	text(c, ptr+"/name", p.Name, true, 120)
	if strings.ContainsAny(p.Name, "\r\n") {
		c.Add(ptr+"/name", "must be one line")
	}
	if notify.ValidAddress(p.Email) != nil {
		c.Add(ptr+"/email", "must be a plain email address")
	}
}

func (c City) step(step Step, now time.Time, actor string, payload any, detail string) (City, Event, error) {
	to, err := Transition(c.Status, step)
	if err != nil {
		return City{}, Event{}, err
	}
	p, _ := json.Marshal(payload)
	ev := Event{At: now.UTC(), Type: string(step), From: c.Status, To: to, Actor: actor, Detail: detail, Payload: string(p)}
	c.Status = to
	c.UpdatedAt = now.UTC()
	return c, ev, nil
}

func (c City) mail(template, id string, data map[string]string, now time.Time) notify.Notification {
	d := map[string]string{"CityName": c.Name, "CityID": c.ID}
	for k, v := range data {
		d[k] = v
	}
	return notify.Notification{ID: id, Template: template, Lang: c.Language, CityID: c.ID,
		ToName: c.Contact.Name, ToEmail: c.Contact.Email, Data: d, Status: notify.StatusPending, CreatedAt: now.UTC()}
}

// VisitInput schedules an expert visit.
type VisitInput struct {
	ScheduledFor   string   `json:"scheduledFor"`
	Experts        []Person `json:"experts"`
	Representative *Person  `json:"representative"`
}

// ScheduleVisit records the expert visit's date and members (also to
// reschedule one not yet held).
func (c City) ScheduleVisit(in VisitInput, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	date(&col, "/scheduledFor", in.ScheduledFor, true)
	switch {
	case len(in.Experts) == 0:
		col.Add("/experts", "at least one expert is required")
	case len(in.Experts) > 4:
		col.Add("/experts", "at most 4 experts")
	}
	for i, e := range in.Experts {
		person(&col, fmt.Sprintf("/experts/%d", i), e)
	}
	if in.Representative == nil {
		col.Add("/representative", "a Council of Europe representative is required")
	} else {
		person(&col, "/representative", *in.Representative)
	}
	if err := col.Err("the visit has invalid fields"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepScheduleVisit, now, actor, in, "expert visit on "+in.ScheduledFor)
	if err != nil {
		return Change{}, err
	}
	next.Visit = &Visit{ID: newID(), ScheduledFor: in.ScheduledFor, Experts: in.Experts, Representative: *in.Representative}
	names := make([]string, len(in.Experts))
	for i, e := range in.Experts {
		names[i] = e.Name
	}
	n := next.mail("visit-scheduled", newID(), map[string]string{
		"VisitDate": in.ScheduledFor, "Experts": strings.Join(names, ", "), "Representative": in.Representative.Name,
	}, now)
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}}, nil
}

// VisitHeldInput records that the visit took place.
type VisitHeldInput struct {
	HeldOn    string `json:"heldOn"`
	Diagnosis string `json:"diagnosis"`
}

// HoldVisit records the visit as held, with the experts' short diagnosis.
func (c City) HoldVisit(visitID string, in VisitHeldInput, now time.Time, actor string) (Change, error) {
	var col failure.Collector
	date(&col, "/heldOn", in.HeldOn, true)
	text(&col, "/diagnosis", in.Diagnosis, true, 4000)
	if err := col.Err("the visit report has invalid fields"); err != nil {
		return Change{}, err
	}
	if c.Visit == nil || c.Visit.ID != visitID {
		return Change{}, failure.New(failure.NotFound, "city %s has no scheduled visit %s", c.ID, visitID)
	}
	next, ev, err := c.step(StepHoldVisit, now, actor, in, "expert visit held on "+in.HeldOn)
	if err != nil {
		return Change{}, err
	}
	v := *c.Visit
	v.HeldOn, v.Diagnosis = in.HeldOn, in.Diagnosis
	next.Visit = &v
	return Change{City: next, Event: ev}, nil
}

// IssueProfile records the intercultural profile.
func (c City) IssueProfile(in Profile, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	text(&col, "/title", in.Title, true, 200)
	date(&col, "/issuedOn", in.IssuedOn, true)
	text(&col, "/summary", in.Summary, false, 8000)
	if in.Link != "" && !(strings.HasPrefix(in.Link, "https://") || strings.HasPrefix(in.Link, "http://")) || len(in.Link) > 2000 ||
		strings.ContainsAny(in.Link, " \r\n\"<>") {
		col.Add("/link", "must be an http(s) URL")
	}
	if err := col.Err("the profile has invalid fields"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepIssueProfile, now, actor, in, "intercultural profile issued: "+in.Title)
	if err != nil {
		return Change{}, err
	}
	next.Profile = &in
	n := next.mail("profile-issued", newID(), map[string]string{
		"ProfileTitle": in.Title, "IssuedOn": in.IssuedOn, "ProfileLink": in.Link,
	}, now)
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}}, nil
}

// AgreementInput records the signatures.
type AgreementInput struct {
	CitySignedOn string `json:"citySignedOn"`
	CoESignedOn  string `json:"coeSignedOn"`
	EndsOn       string `json:"endsOn,omitempty"` // an alternative date agreed in writing
	FeePerYear   *Money `json:"feePerYear,omitempty"`
}

// SignAgreement makes the city a member from the later signature.
func (c City) SignAgreement(in AgreementInput, r Rules, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	city, okCity := date(&col, "/citySignedOn", in.CitySignedOn, true)
	coe, okCoE := date(&col, "/coeSignedOn", in.CoESignedOn, true)
	end, okEnd := date(&col, "/endsOn", in.EndsOn, false)
	fee := r.FeePerYear
	if in.FeePerYear != nil {
		fee = *in.FeePerYear
		if fee.Amount < 0 || fee.Amount > 100_000_000 {
			col.Add("/feePerYear/amount", "must be from 0 to 100000000 cents")
		}
		if fee.Currency != "EUR" {
			col.Add("/feePerYear/currency", "must be EUR")
		}
	}
	inForce := coe
	if city.After(coe) {
		inForce = city
	}
	if okCity && okCoE && okEnd && !end.After(inForce) {
		col.Add("/endsOn", "must be after the entry into force (%s)", inForce.Format(dateLayout))
	}
	if okCity && okCoE && inForce.After(now.AddDate(0, 0, 1)) {
		col.Add("/coeSignedOn", "a signature cannot be in the future")
	}
	if err := col.Err("the agreement has invalid fields"); err != nil {
		return Change{}, err
	}
	a := Agreement{CitySignedOn: in.CitySignedOn, CoESignedOn: in.CoESignedOn, InForceFrom: inForce.Format(dateLayout),
		FeePerYear: fee, EndsOn: in.EndsOn, EndAgreedInWriting: in.EndsOn != ""}
	if a.EndsOn == "" {
		a.EndsOn = inForce.AddDate(r.AgreementYears, 0, -1).Format(dateLayout)
	}
	next, ev, err := c.step(StepSignAgreement, now, actor, in, "agreement in force from "+a.InForceFrom+" until "+a.EndsOn)
	if err != nil {
		return Change{}, err
	}
	next.Agreement = &a
	n := next.mail("welcome", newID(), map[string]string{
		"InForceFrom": a.InForceFrom, "EndsOn": a.EndsOn, "FeePerYear": fee.String(),
	}, now)
	// The fees capability will add the first invoice here, in the same
	// transaction as the agreement.
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}}, nil
}

// TerminationInput is the written notice.
type TerminationInput struct {
	By       string `json:"by"`
	NoticeOn string `json:"noticeOn"`
	Reason   string `json:"reason"`
}

// NotifyTermination records the notice; the membership ends one calendar
// month later, applied by the daily schedule.
func (c City) NotifyTermination(in TerminationInput, r Rules, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	if in.By != "city" && in.By != "coe" {
		col.Add("/by", "must be city or coe")
	}
	notice, ok := date(&col, "/noticeOn", in.NoticeOn, true)
	if ok && notice.After(now.AddDate(0, 0, 1)) {
		col.Add("/noticeOn", "cannot be in the future")
	}
	if ok && c.Agreement != nil && in.NoticeOn < c.Agreement.InForceFrom {
		col.Add("/noticeOn", "cannot be before the agreement entered into force (%s)", c.Agreement.InForceFrom)
	}
	text(&col, "/reason", in.Reason, true, 4000)
	if err := col.Err("the termination has invalid fields"); err != nil {
		return Change{}, err
	}
	t := Termination{By: in.By, NoticeOn: in.NoticeOn, EffectiveOn: AddMonth(notice).Format(dateLayout), Reason: in.Reason}
	next, ev, err := c.step(StepNotifyTermination, now, actor, in, "notice served by "+in.By+", effective "+t.EffectiveOn)
	if err != nil {
		return Change{}, err
	}
	next.Termination = &t
	byCity := "no"
	if in.By == "city" {
		byCity = "yes"
	}
	data := map[string]string{"TerminatedByCity": byCity, "NoticeOn": t.NoticeOn, "EffectiveOn": t.EffectiveOn, "Reason": t.Reason}
	city := next.mail("termination-notice", newID(), data, now)
	sec := next.mail("termination-notice", newID(), data, now)
	sec.Lang, sec.ToName, sec.ToEmail = "en", "Intercultural Cities secretariat", r.SecretariatEmail
	return Change{City: next, Event: ev, Notifications: []notify.Notification{city, sec}}, nil
}

// Terminate ends the membership on the notice's effective date; today is
// the date, now the time the step is recorded.
func (c City) Terminate(today, now time.Time, actor string) (Change, error) {
	if c.Termination == nil {
		return Change{}, failure.New(failure.Conflict, "city %s has no termination notice", c.ID)
	}
	eff, _ := time.Parse(dateLayout, c.Termination.EffectiveOn)
	if today.Before(eff) {
		return Change{}, failure.New(failure.Conflict, "the termination takes effect on %s", c.Termination.EffectiveOn)
	}
	next, ev, err := c.step(StepTerminate, now, actor, c.Termination, "terminated on "+c.Termination.EffectiveOn)
	return Change{City: next, Event: ev}, err
}

// Expire ends a membership whose agreement's end date has passed.
func (c City) Expire(today, now time.Time, actor string) (Change, error) {
	if c.Agreement == nil {
		return Change{}, failure.New(failure.Conflict, "city %s has no agreement", c.ID)
	}
	end, _ := time.Parse(dateLayout, c.Agreement.EndsOn)
	if !today.After(end) {
		return Change{}, failure.New(failure.Conflict, "the agreement runs until %s", c.Agreement.EndsOn)
	}
	next, ev, err := c.step(StepExpire, now, actor, map[string]string{"endsOn": c.Agreement.EndsOn},
		"agreement ended on "+c.Agreement.EndsOn)
	return Change{City: next, Event: ev}, err
}

// ReasonInput carries a reason, for withdrawals and declines.
type ReasonInput struct {
	Reason string `json:"reason"`
}

// Withdraw records that a candidate city withdrew.
func (c City) Withdraw(in ReasonInput, now time.Time, actor string) (Change, error) {
	return c.closeCandidacy(StepWithdraw, in, now, actor)
}

// Decline records that the secretariat declined a candidate.
func (c City) Decline(in ReasonInput, now time.Time, actor string) (Change, error) {
	return c.closeCandidacy(StepDecline, in, now, actor)
}

func (c City) closeCandidacy(step Step, in ReasonInput, now time.Time, actor string) (Change, error) {
	var col failure.Collector
	text(&col, "/reason", in.Reason, true, 4000)
	if err := col.Err("invalid reason"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(step, now, actor, in, in.Reason)
	return Change{City: next, Event: ev}, err
}

// IntentInput records a signed statement of intent.
type IntentInput struct {
	SignedOn string `json:"signedOn"`
}

// SignIntent records a statement of intent; it may come before the INDEX
// analysis, and gives the city's questionnaire priority.
func (c City) SignIntent(in IntentInput, now time.Time, actor string) (Change, error) {
	var col failure.Collector
	date(&col, "/signedOn", in.SignedOn, true)
	if err := col.Err("invalid statement of intent"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepSignIntent, now, actor, in, "statement of intent signed on "+in.SignedOn)
	if err != nil {
		return Change{}, err
	}
	next.IntentSignedOn = in.SignedOn
	return Change{City: next, Event: ev}, nil
}

// ReissueToken gives the city a new access link and revokes the old one.
func (c City) ReissueToken(s Settings, now time.Time, actor string, newID func() string) (Change, error) {
	switch c.Status {
	case StatusWithdrawn, StatusDeclined, StatusTerminated, StatusExpired:
		return Change{}, failure.New(failure.Conflict, "city %s is %s: it needs no access link", c.ID, c.Status)
	}
	secret, tok := auth.Issue(auth.RoleCity, c.ID, c.Contact.Email, now, s.CityTokenTTL)
	next := c
	next.TokenHash = tok.Hash
	next.UpdatedAt = now.UTC()
	ev := Event{At: now.UTC(), Type: "token_reissued", From: c.Status, To: c.Status, Actor: actor,
		Detail: "a new access link was emailed; the previous one is revoked"}
	link := fmt.Sprintf("%s/index-form?city=%s&lang=%s#token=%s", strings.TrimRight(s.FormsBaseURL, "/"), c.ID, c.Language, secret)
	n := next.mail("access-link", newID(), map[string]string{"LinkExpires": tok.ExpiresAt.Format(dateLayout)}, now)
	n.Secrets = map[string]string{"AccessLink": link}
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}, Token: &tok, RevokeToken: c.TokenHash}, nil
}
