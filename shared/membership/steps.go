package membership

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// Person is an expert or a Council of Europe representative.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Visit is the expert visit: experts and a representative of the Council of
// Europe meet the city's officials and stakeholders.
type Visit struct {
	ID             string
	ScheduledFor   string // YYYY-MM-DD
	Experts        []Person
	Representative Person
	HeldOn         string
	Diagnosis      string
}

// Profile is the intercultural profile the visit results in.
type Profile struct {
	Title    string
	IssuedOn string
	Link     string
	Summary  string
}

// Money is an amount in cents of a currency: the fees' own type.
type Money = fees.Money

// Agreement is the signed agreement. It enters into force on the later
// signature (§6) and ends on the date it states, or on another date agreed
// in writing by both parties (an amendment).
type Agreement struct {
	CitySignedOn string
	CoESignedOn  string
	InForceFrom  string
	EndsOn       string
	FeePerYear   Money
	Amendments   []Amendment
}

// Amendment moves the agreement's end date by an agreement in writing.
type Amendment struct {
	AgreedOn       string // date of the written agreement
	Reference      string // its reference (letter, decision number)
	EndsOn         string // the new end date
	PreviousEndsOn string
	RecordedAt     time.Time
}

// Termination is the written notice one party served (§5).
type Termination struct {
	By          string // "city" or "coe"
	NoticeOn    string
	EffectiveOn string // one calendar month later
	Reason      string
}

// Rules are the workflow's configuration: what a function does not need is
// left zero, and the function's settings say which it reads.
type Rules struct {
	Eligibility      eligibility.Rules
	SecretariatEmail string
	// Where emailed access links point, and how long a link works.
	FormsBaseURL string
	CityTokenTTL time.Duration
	// LinkKey is the key the links' secrets are derived from (auth.IssueLink):
	// no secret of a link is ever stored.
	LinkKey    auth.Key
	FeePerYear Money // default yearly fee of a new agreement
	// The expert visit's team: the programme sends two experts and a
	// Council of Europe representative; at least one expert is required.
	MinExperts, MaxExperts int
	// How far back a termination notice may be dated when it is recorded.
	NoticeGrace time.Duration
	// How often members report on their progress, in months (12: yearly).
	ProgressEveryMonths int
	// The fee's invoicing: the seller, the time to pay and VAT; how a year
	// the agreement covers only in part is charged; when reminders go.
	Fees      fees.Settings
	FirstYear fees.Proration
	Reminders fees.ReminderRules
}

const dateLayout = "2006-01-02"

// Today is the latest calendar date anywhere on earth (UTC+14) at now: a
// date after it is in the future for every city.
func Today(now time.Time) time.Time {
	t := now.UTC().Add(14 * time.Hour)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

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

// notFuture refuses a date after today.
func notFuture(c *failure.Collector, ptr string, d time.Time, now time.Time) {
	if d.After(Today(now)) {
		c.Add(ptr, "cannot be in the future")
	}
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

func line(c *failure.Collector, ptr, v string, required bool, maxLen int) {
	text(c, ptr, v, required, maxLen)
	if strings.ContainsAny(v, "\r\n") {
		c.Add(ptr, "must be one line")
	}
}

func person(c *failure.Collector, ptr string, p Person) {
	line(c, ptr+"/name", p.Name, true, 120)
	if notify.ValidAddress(p.Email) != nil {
		c.Add(ptr+"/email", "must be a plain email address")
	}
}

// step moves the city by one step of the transition table: the city as it
// stands after it and the audit entry, stating truthfully the status before
// and after.
func (c City) step(step Step, now time.Time, actor string, payload any, detail string) (City, Event, error) {
	to, err := Transition(c.Status, step)
	if err != nil {
		return City{}, Event{}, err
	}
	ev := Event{At: now.UTC(), Type: string(step), From: c.Status, To: to, Actor: actor, Detail: detail}
	if payload != nil {
		p, _ := json.Marshal(payload)
		ev.Payload = string(p)
	}
	c.Status = to
	c.UpdatedAt = now.UTC()
	return c, ev, nil
}

// mail is an email about the city to its contact, in the city's language.
func (c City) mail(template, id string, data map[string]string, now time.Time) notify.Notification {
	d := map[string]string{"CityName": c.Name, "CityID": c.ID}
	for k, v := range data {
		d[k] = v
	}
	return notify.Notification{ID: id, Template: template, Lang: c.Language, CityID: c.ID,
		ToName: c.Contact.Name, ToEmail: c.Contact.Email, Data: d, Status: notify.StatusPending, CreatedAt: now.UTC()}
}

// to readdresses an email about the city to someone else, in a language.
func to(n notify.Notification, id, name, email, lang string) notify.Notification {
	n.ID, n.ToName, n.ToEmail, n.Lang = id, name, email, lang
	return n
}

// secretariatCopy is the secretariat's copy of an email, in English.
func secretariatCopy(n notify.Notification, id string, r Rules) notify.Notification {
	return to(n, id, "Intercultural Cities secretariat", r.SecretariatEmail, "en")
}

// VisitInput schedules an expert visit.
type VisitInput struct {
	ScheduledFor   string   `json:"scheduledFor"`
	Experts        []Person `json:"experts"`
	Representative *Person  `json:"representative"`
}

// ScheduleVisit records the expert visit's date and team (also to
// reschedule one not yet held). The city and every member of the team are
// told.
func (c City) ScheduleVisit(in VisitInput, r Rules, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	date(&col, "/scheduledFor", in.ScheduledFor, true)
	minExperts, maxExperts := max(r.MinExperts, 1), max(r.MaxExperts, r.MinExperts, 1)
	switch {
	case len(in.Experts) < minExperts:
		col.Add("/experts", "at least %d experts are required", minExperts)
	case len(in.Experts) > maxExperts:
		col.Add("/experts", "at most %d experts", maxExperts)
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
	data := map[string]string{
		"VisitDate": in.ScheduledFor, "Experts": strings.Join(names, ", "), "Representative": in.Representative.Name,
		"ContactName": c.Contact.Name, "ContactEmail": c.Contact.Email,
	}
	city := next.mail("visit-scheduled", newID(), data, now)
	mails := []notify.Notification{city}
	// The team reads the programme's working language: English.
	team := append(append([]Person{}, in.Experts...), *in.Representative)
	for _, p := range team {
		n := to(city, newID(), p.Name, p.Email, "en")
		n.Template = "visit-scheduled-team"
		mails = append(mails, n)
	}
	return Change{City: next, Event: ev, Notifications: mails}, nil
}

func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// VisitHeldInput records that the visit took place.
type VisitHeldInput struct {
	HeldOn    string `json:"heldOn"`
	Diagnosis string `json:"diagnosis"`
}

// HoldVisit records the visit as held, with the experts' short diagnosis.
func (c City) HoldVisit(visitID string, in VisitHeldInput, now time.Time, actor string, newID func() string) (Change, error) {
	if c.Visit == nil || c.Visit.ID != visitID {
		return Change{}, failure.New(failure.NotFound, "city %s has no scheduled visit %s", c.ID, visitID)
	}
	var col failure.Collector
	if held, ok := date(&col, "/heldOn", in.HeldOn, true); ok {
		notFuture(&col, "/heldOn", held, now)
		if in.HeldOn < c.Visit.ScheduledFor {
			col.Add("/heldOn", "cannot be before the visit was scheduled for (%s)", c.Visit.ScheduledFor)
		}
	}
	text(&col, "/diagnosis", in.Diagnosis, true, 4000)
	if err := col.Err("the visit report has invalid fields"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepHoldVisit, now, actor, in, "expert visit held on "+in.HeldOn)
	if err != nil {
		return Change{}, err
	}
	v := *c.Visit
	v.HeldOn, v.Diagnosis = in.HeldOn, in.Diagnosis
	next.Visit = &v
	n := next.mail("visit-held", newID(), map[string]string{"HeldOn": in.HeldOn}, now)
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}}, nil
}

// ProfileInput records the intercultural profile.
type ProfileInput struct {
	Title    string `json:"title"`
	IssuedOn string `json:"issuedOn"`
	Link     string `json:"link,omitempty"`
	Summary  string `json:"summary,omitempty"`
}

// IssueProfile records the intercultural profile the held visit resulted in.
func (c City) IssueProfile(in ProfileInput, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	line(&col, "/title", in.Title, true, 200)
	if issued, ok := date(&col, "/issuedOn", in.IssuedOn, true); ok {
		notFuture(&col, "/issuedOn", issued, now)
		if c.Visit != nil && c.Visit.HeldOn != "" && in.IssuedOn < c.Visit.HeldOn {
			col.Add("/issuedOn", "cannot be before the visit was held (%s)", c.Visit.HeldOn)
		}
	}
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
	next.Profile = &Profile{Title: in.Title, IssuedOn: in.IssuedOn, Link: in.Link, Summary: in.Summary}
	n := next.mail("profile-issued", newID(), map[string]string{
		"ProfileTitle": in.Title, "IssuedOn": in.IssuedOn, "ProfileLink": in.Link,
	}, now)
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}}, nil
}

// AgreementInput records the signatures and the end date the agreement
// states.
type AgreementInput struct {
	CitySignedOn string `json:"citySignedOn"`
	CoESignedOn  string `json:"coeSignedOn"`
	EndsOn       string `json:"endsOn"`
	FeePerYear   *Money `json:"feePerYear,omitempty"`
	// Billing is the city as it is invoiced, for the first year's invoice
	// issued with the agreement; without it (and none recorded before), the
	// invoice is issued once the details are recorded (PUT
	// /cities/{cityId}/billing).
	Billing *fees.Buyer `json:"billing,omitempty"`
}

func fee(col *failure.Collector, ptr string, m Money) {
	if m.Amount < 0 || m.Amount > 100_000_000 {
		col.Add(ptr+"/amount", "must be from 0 to 100000000 cents")
	}
	if m.Currency != "EUR" {
		col.Add(ptr+"/currency", "must be EUR")
	}
}

// SignAgreement makes the city a member from the later signature until the
// end date the agreement states, and issues the invoice of its first year,
// numbered seq in the series of today's year, in the same transaction.
func (c City) SignAgreement(in AgreementInput, r Rules, seq int, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	city, okCity := date(&col, "/citySignedOn", in.CitySignedOn, true)
	coe, okCoE := date(&col, "/coeSignedOn", in.CoESignedOn, true)
	end, okEnd := date(&col, "/endsOn", in.EndsOn, true)
	price := r.FeePerYear
	if in.FeePerYear != nil {
		price = *in.FeePerYear
		fee(&col, "/feePerYear", price)
	}
	if okCity {
		notFuture(&col, "/citySignedOn", city, now)
	}
	if okCoE {
		notFuture(&col, "/coeSignedOn", coe, now)
	}
	inForce := coe
	if city.After(coe) {
		inForce = city
	}
	if okCity && okCoE && okEnd && !end.After(inForce) {
		col.Add("/endsOn", "must be after the entry into force (%s)", inForce.Format(dateLayout))
	}
	billing := c.Billing
	if in.Billing != nil {
		if err := in.Billing.Validate(); err != nil {
			for _, f := range failure.As(err).Fields {
				col.Errs = append(col.Errs, f.Under("/billing"))
			}
		}
		billing = in.Billing
	}
	if err := col.Err("the agreement has invalid fields"); err != nil {
		return Change{}, err
	}
	a := Agreement{CitySignedOn: in.CitySignedOn, CoESignedOn: in.CoESignedOn, InForceFrom: inForce.Format(dateLayout),
		FeePerYear: price, EndsOn: in.EndsOn}
	next, ev, err := c.step(StepSignAgreement, now, actor, in, "agreement in force from "+a.InForceFrom+" until "+a.EndsOn)
	if err != nil {
		return Change{}, err
	}
	next.Agreement = &a
	next.Billing = billing
	n := next.mail("welcome", newID(), map[string]string{
		"InForceFrom": a.InForceFrom, "EndsOn": a.EndsOn, "FeePerYear": price.Raw(),
	}, now)
	ch := Change{City: next, Event: ev, Notifications: []notify.Notification{n}}
	if year := inForce.Year(); next.Owes(year) && next.Billing == nil {
		// Invoiced as soon as the billing details are recorded.
		ch.Event.Detail += fmt.Sprintf("; the invoice of %d waits for the city's billing details", year)
	} else if next.Owes(year) {
		inv, err := next.invoice(year, seq, r, now, newID)
		if err != nil {
			return Change{}, err
		}
		ch.City.InvoicedYears = append(slices.Clone(next.InvoicedYears), year)
		ch.Event.Detail += "; " + invoiceDetail(inv)
		ch.Records = append(ch.Records, InvoiceIssued{Invoice: inv})
	}
	return ch, nil
}

// AmendmentInput is an agreement in writing that moves the end date.
type AmendmentInput struct {
	EndsOn    string `json:"endsOn"`
	AgreedOn  string `json:"agreedOn"`
	Reference string `json:"reference"`
}

// AmendAgreement moves a member's agreement to the end date both parties
// agreed in writing.
func (c City) AmendAgreement(in AmendmentInput, r Rules, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	end, okEnd := date(&col, "/endsOn", in.EndsOn, true)
	agreed, okAgreed := date(&col, "/agreedOn", in.AgreedOn, true)
	line(&col, "/reference", in.Reference, true, 200)
	if okAgreed {
		notFuture(&col, "/agreedOn", agreed, now)
	}
	a := c.Agreement
	if a != nil {
		if okAgreed && in.AgreedOn < a.InForceFrom {
			col.Add("/agreedOn", "cannot be before the agreement entered into force (%s)", a.InForceFrom)
		}
		if okEnd && in.EndsOn <= a.InForceFrom {
			col.Add("/endsOn", "must be after the entry into force (%s)", a.InForceFrom)
		}
		if okEnd && in.EndsOn == a.EndsOn {
			col.Add("/endsOn", "is already the agreement's end date")
		}
		if okEnd && end.Before(Today(now).AddDate(0, 0, -1)) {
			col.Add("/endsOn", "cannot be in the past: to end a membership now, serve a termination notice")
		}
	}
	if err := col.Err("the amendment has invalid fields"); err != nil {
		return Change{}, err
	}
	if a == nil {
		return Change{}, failure.New(failure.Conflict, "city %s has no agreement to amend", c.ID)
	}
	next, ev, err := c.step(StepAmendAgreement, now, actor, in,
		"end of the agreement moved from "+a.EndsOn+" to "+in.EndsOn+" (agreed in writing on "+in.AgreedOn+", "+in.Reference+")")
	if err != nil {
		return Change{}, err
	}
	amended := *a
	amended.Amendments = append(append([]Amendment{}, a.Amendments...), Amendment{AgreedOn: in.AgreedOn,
		Reference: in.Reference, EndsOn: in.EndsOn, PreviousEndsOn: a.EndsOn, RecordedAt: now.UTC()})
	amended.EndsOn = in.EndsOn
	next.Agreement = &amended
	data := map[string]string{"EndsOn": in.EndsOn, "PreviousEndsOn": a.EndsOn, "AgreedOn": in.AgreedOn,
		"Reference": in.Reference}
	n := next.mail("agreement-amended", newID(), data, now)
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n, secretariatCopy(n, newID(), r)}}, nil
}

// TerminationInput is the written notice.
type TerminationInput struct {
	By       string `json:"by"`
	NoticeOn string `json:"noticeOn"`
	Reason   string `json:"reason"`
}

// NotifyTermination records the notice; the membership ends one calendar
// month later, applied by the daily schedule. A notice is recorded soon
// after it is served: it may be dated back by r.NoticeGrace at most.
func (c City) NotifyTermination(in TerminationInput, r Rules, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	if in.By != "city" && in.By != "coe" {
		col.Add("/by", "must be city or coe")
	}
	notice, ok := date(&col, "/noticeOn", in.NoticeOn, true)
	if ok {
		notFuture(&col, "/noticeOn", notice, now)
		if r.NoticeGrace > 0 && notice.Before(dayOf(now.Add(-r.NoticeGrace))) {
			col.Add("/noticeOn", "cannot be more than %d days before it is recorded", int(r.NoticeGrace.Hours()/24))
		}
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
	return Change{City: next, Event: ev, Notifications: []notify.Notification{city, secretariatCopy(city, newID(), r)}}, nil
}

// Terminate ends the membership on the notice's effective date; today is
// the date, now the time the step is recorded. The city and the secretariat
// are told. Emails have ids derived from the city and the step, so a
// schedule that runs twice tells them once.
func (c City) Terminate(today, now time.Time, r Rules, actor string) (Change, error) {
	if c.Termination == nil {
		return Change{}, failure.New(failure.Conflict, "city %s has no termination notice", c.ID)
	}
	eff, _ := time.Parse(dateLayout, c.Termination.EffectiveOn)
	if today.Before(eff) {
		return Change{}, failure.New(failure.Conflict, "the termination takes effect on %s", c.Termination.EffectiveOn)
	}
	next, ev, err := c.step(StepTerminate, now, actor, nil, "terminated on "+c.Termination.EffectiveOn)
	if err != nil {
		return Change{}, err
	}
	n := next.mail("terminated", "terminated-"+c.ID, map[string]string{"EffectiveOn": c.Termination.EffectiveOn}, now)
	return Change{City: next, Event: ev,
		Notifications: []notify.Notification{n, secretariatCopy(n, "terminated-"+c.ID+"-secretariat", r)}}, nil
}

// Expire ends a membership whose agreement's end date has passed, and tells
// the city and the secretariat.
func (c City) Expire(today, now time.Time, r Rules, actor string) (Change, error) {
	if c.Agreement == nil {
		return Change{}, failure.New(failure.Conflict, "city %s has no agreement", c.ID)
	}
	end, _ := time.Parse(dateLayout, c.Agreement.EndsOn)
	if !today.After(end) {
		return Change{}, failure.New(failure.Conflict, "the agreement runs until %s", c.Agreement.EndsOn)
	}
	next, ev, err := c.step(StepExpire, now, actor, map[string]string{"endsOn": c.Agreement.EndsOn},
		"agreement ended on "+c.Agreement.EndsOn)
	if err != nil {
		return Change{}, err
	}
	n := next.mail("expired", "expired-"+c.ID, map[string]string{"EndsOn": c.Agreement.EndsOn}, now)
	return Change{City: next, Event: ev,
		Notifications: []notify.Notification{n, secretariatCopy(n, "expired-"+c.ID+"-secretariat", r)}}, nil
}

// ReasonInput carries a reason, for withdrawals and declines.
type ReasonInput struct {
	Reason string `json:"reason"`
}

// Withdraw records that a candidate city withdrew.
func (c City) Withdraw(in ReasonInput, now time.Time, actor string, newID func() string) (Change, error) {
	return c.closeCandidacy(StepWithdraw, "withdrawn", in, now, actor, newID)
}

// Decline records that the secretariat declined a candidate.
func (c City) Decline(in ReasonInput, now time.Time, actor string, newID func() string) (Change, error) {
	return c.closeCandidacy(StepDecline, "declined", in, now, actor, newID)
}

func (c City) closeCandidacy(step Step, template string, in ReasonInput, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	text(&col, "/reason", in.Reason, true, 4000)
	if err := col.Err("invalid reason"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(step, now, actor, in, in.Reason)
	if err != nil {
		return Change{}, err
	}
	n := next.mail(template, newID(), map[string]string{"Reason": in.Reason}, now)
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}}, nil
}

// IntentInput records a signed statement of intent.
type IntentInput struct {
	SignedOn string `json:"signedOn"`
}

// SignIntent records a statement of intent; it may come before the INDEX
// analysis, and gives the city's questionnaire priority.
func (c City) SignIntent(in IntentInput, now time.Time, actor string, newID func() string) (Change, error) {
	var col failure.Collector
	if d, ok := date(&col, "/signedOn", in.SignedOn, true); ok {
		notFuture(&col, "/signedOn", d, now)
	}
	if err := col.Err("invalid statement of intent"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepSignIntent, now, actor, in, "statement of intent signed on "+in.SignedOn)
	if err != nil {
		return Change{}, err
	}
	next.IntentSignedOn = in.SignedOn
	n := next.mail("intent-signed", newID(), map[string]string{"SignedOn": in.SignedOn}, now)
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}}, nil
}

// ReissueToken gives the city a new access link and ends every earlier
// one, the reminders' links included. An ended file's city may get one
// too (to read its file and its reports): the file stays ended.
func (c City) ReissueToken(r Rules, now time.Time, actor string, newID func() string) (Change, error) {
	if err := r.LinkKey.Validate(); err != nil {
		return Change{}, fmt.Errorf("reissue a link: %w", err)
	}
	next, ev, err := c.step(StepReissueToken, now, actor, nil, "a new access link was emailed; every earlier one is revoked")
	if err != nil {
		return Change{}, err
	}
	tok, ref := auth.IssueLink(r.LinkKey, auth.RoleCity, c.ID, c.Contact.Email, now, r.CityTokenTTL)
	next.TokenHash = tok.Hash
	n := next.mail("access-link", newID(), map[string]string{"LinkExpires": tok.ExpiresAt.Format(dateLayout)}, now)
	n.Link = &notify.Link{Field: "AccessLink", Ref: ref, URL: fmt.Sprintf("%s/index-form?city=%s&lang=%s#token=",
		strings.TrimRight(r.FormsBaseURL, "/"), c.ID, c.Language)}
	// The revocation comes first: the store finds the city's live tokens
	// before the new one is written.
	records := []any{auth.CityLinksRevocation{CityID: c.ID, At: now.UTC()}, tok}
	return Change{City: next, Event: ev, Notifications: []notify.Notification{n}, Records: records}, nil
}
