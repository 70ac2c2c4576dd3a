package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The storage shape of a city's file. These types are the store's own: the
// domain's and the API's types may be renamed or reshaped freely, and items
// written long ago still read back the same (shared/store/testdata holds
// items captured from earlier code, and a test reads them).
//
// citySchema is written on every city item. Schema 0 (no attribute) and 1
// share this layout: the admission record's parts as JSON text with the
// field names below, which must never change; a new layout gets a new
// number and a branch in city().
const citySchema = 1

type cityItem struct {
	PK                    string        `dynamodbav:"pk"`
	SK                    string        `dynamodbav:"sk"`
	Type                  string        `dynamodbav:"type"`
	Schema                int           `dynamodbav:"schema"`
	GSI1PK                string        `dynamodbav:"gsi1pk"`
	GSI1SK                string        `dynamodbav:"gsi1sk"`
	ID                    string        `dynamodbav:"cityId"`
	Name                  string        `dynamodbav:"name"`
	Country               string        `dynamodbav:"country"`
	Population            int64         `dynamodbav:"population"`
	ForeignBornShare      float64       `dynamodbav:"foreignBornShare"`
	ForeignResidentShare  float64       `dynamodbav:"foreignResidentShare"`
	NationalMinorityShare float64       `dynamodbav:"nationalMinorityShare"`
	ContactName           string        `dynamodbav:"contactName"`
	ContactEmail          string        `dynamodbav:"contactEmail"`
	Language              string        `dynamodbav:"language"`
	Status                string        `dynamodbav:"status"`
	Eligibility           verdictRecord `dynamodbav:"eligibility"`
	AppliedAt             time.Time     `dynamodbav:"appliedAt"`
	UpdatedAt             time.Time     `dynamodbav:"updatedAt"`
	Version               int64         `dynamodbav:"version"`
	NameLower             string        `dynamodbav:"nameLower"`
	TokenHash             string        `dynamodbav:"tokenHash,omitempty"`
	IntentSignedOn        string        `dynamodbav:"intentSignedOn,omitempty"`
	Visit                 string        `dynamodbav:"visit,omitempty"` // JSON of visitRecord
	Profile               string        `dynamodbav:"profile,omitempty"`
	Agreement             string        `dynamodbav:"agreement,omitempty"`
	Termination           string        `dynamodbav:"termination,omitempty"`
	LatestSubmission      string        `dynamodbav:"latestSubmission,omitempty"`
	LatestSubmittedAt     string        `dynamodbav:"latestSubmittedAt,omitempty"`
	LatestResult          string        `dynamodbav:"latestResult,omitempty"` // JSON of resultRecord
	ReportedPeriods       []string      `dynamodbav:"reportedPeriods,omitempty"`
	Billing               string        `dynamodbav:"billing,omitempty"` // JSON of buyerRecord
	InvoicedYears         []int         `dynamodbav:"invoicedYears,omitempty,numberset"`
	PreviousCityID        string        `dynamodbav:"previousCityId,omitempty"`
}

type verdictRecord struct {
	Eligible bool           `dynamodbav:"eligible"`
	Reasons  []reasonRecord `dynamodbav:"reasons"`
}

type reasonRecord struct {
	Rule    string `dynamodbav:"rule"`
	Message string `dynamodbav:"message"` // in English
	// The figures the reason is worded from in each language; absent on
	// reasons recorded before they were kept.
	Value     float64 `dynamodbav:"value,omitempty"`
	Threshold float64 `dynamodbav:"threshold,omitempty"`
}

type personRecord struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type visitRecord struct {
	ID             string         `json:"visitId"`
	ScheduledFor   string         `json:"scheduledFor"`
	Experts        []personRecord `json:"experts"`
	Representative personRecord   `json:"representative"`
	HeldOn         string         `json:"heldOn,omitempty"`
	Diagnosis      string         `json:"diagnosis,omitempty"`
}

type profileRecord struct {
	Title    string `json:"title"`
	IssuedOn string `json:"issuedOn"`
	Link     string `json:"link,omitempty"`
	Summary  string `json:"summary,omitempty"`
}

type moneyRecord struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type agreementRecord struct {
	CitySignedOn string `json:"citySignedOn"`
	CoESignedOn  string `json:"coeSignedOn"`
	InForceFrom  string `json:"inForceFrom"`
	EndsOn       string `json:"endsOn"`
	// Schema 0 knew only whether the end date was agreed in writing; it is
	// now always stated, and read but no longer written.
	EndAgreedInWriting bool              `json:"endAgreedInWriting,omitempty"`
	FeePerYear         moneyRecord       `json:"feePerYear"`
	Amendments         []amendmentRecord `json:"amendments,omitempty"`
}

type amendmentRecord struct {
	AgreedOn       string    `json:"agreedOn"`
	Reference      string    `json:"reference"`
	EndsOn         string    `json:"endsOn"`
	PreviousEndsOn string    `json:"previousEndsOn"`
	RecordedAt     time.Time `json:"recordedAt"`
}

type terminationRecord struct {
	By          string `json:"by"`
	NoticeOn    string `json:"noticeOn"`
	EffectiveOn string `json:"effectiveOn"`
	Reason      string `json:"reason"`
}

func jsonText[T any](v *T) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func fromJSONText[T any](s string) (*T, error) {
	if s == "" {
		return nil, nil
	}
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func toCityItem(c membership.City) cityItem {
	it := cityItem{
		PK: cityKey(c.ID), SK: profileSK, Type: "city", Schema: citySchema,
		GSI1PK: cityStatusPartition(c.Status), GSI1SK: timeKey(c.AppliedAt) + "#" + c.ID,
		ID: c.ID, Name: c.Name, Country: c.Country, Population: c.Population,
		ForeignBornShare: c.ForeignBornShare, ForeignResidentShare: c.ForeignResidentShare,
		NationalMinorityShare: c.NationalMinorityShare,
		ContactName:           c.Contact.Name, ContactEmail: c.Contact.Email, Language: c.Language,
		Status: string(c.Status), Eligibility: verdictRecord{Eligible: c.Eligibility.Eligible, Reasons: []reasonRecord{}},
		AppliedAt: c.AppliedAt, UpdatedAt: c.UpdatedAt, Version: c.Version, NameLower: membership.Fold(c.Name),
		TokenHash: c.TokenHash, IntentSignedOn: c.IntentSignedOn, ReportedPeriods: c.ReportedPeriods,
		PreviousCityID: c.PreviousCityID,
	}
	for _, r := range c.Eligibility.Reasons {
		it.Eligibility.Reasons = append(it.Eligibility.Reasons, reasonRecord{Rule: string(r.Rule), Message: r.Message,
			Value: r.Value, Threshold: r.Threshold})
	}
	if v := c.Visit; v != nil {
		rec := visitRecord{ID: v.ID, ScheduledFor: v.ScheduledFor, Representative: personRecord(v.Representative),
			HeldOn: v.HeldOn, Diagnosis: v.Diagnosis, Experts: make([]personRecord, len(v.Experts))}
		for i, e := range v.Experts {
			rec.Experts[i] = personRecord(e)
		}
		it.Visit = jsonText(&rec)
	}
	if p := c.Profile; p != nil {
		it.Profile = jsonText(&profileRecord{Title: p.Title, IssuedOn: p.IssuedOn, Link: p.Link, Summary: p.Summary})
	}
	if a := c.Agreement; a != nil {
		rec := agreementRecord{CitySignedOn: a.CitySignedOn, CoESignedOn: a.CoESignedOn, InForceFrom: a.InForceFrom,
			EndsOn: a.EndsOn, FeePerYear: moneyRecord(a.FeePerYear)}
		for _, am := range a.Amendments {
			rec.Amendments = append(rec.Amendments, amendmentRecord(am))
		}
		it.Agreement = jsonText(&rec)
	}
	if t := c.Termination; t != nil {
		it.Termination = jsonText(&terminationRecord{By: t.By, NoticeOn: t.NoticeOn, EffectiveOn: t.EffectiveOn, Reason: t.Reason})
	}
	if b := c.Billing; b != nil {
		rec := buyerOf(*b)
		it.Billing = jsonText(&rec)
	}
	it.InvoicedYears = c.InvoicedYears
	if l := c.LatestIndex; l != nil && l.Result != nil {
		it.LatestSubmission = l.SubmissionID
		it.LatestSubmittedAt = l.SubmittedAt.UTC().Format(time.RFC3339Nano)
		res := toResultRecord(*l.Result)
		it.LatestResult = jsonText(&res)
	}
	return it
}

// city maps a stored item to the domain's city. An item it cannot read is
// an error, never a city with parts silently missing.
func (it cityItem) city() (membership.City, error) {
	if it.Schema > citySchema {
		return membership.City{}, fmt.Errorf("city %s: schema %d is newer than this code (%d)", it.ID, it.Schema, citySchema)
	}
	c := membership.City{
		ID: it.ID, Name: it.Name, Country: it.Country, Population: it.Population,
		ForeignBornShare: it.ForeignBornShare, ForeignResidentShare: it.ForeignResidentShare,
		NationalMinorityShare: it.NationalMinorityShare,
		Contact:               membership.Contact{Name: it.ContactName, Email: it.ContactEmail},
		Language:              it.Language, Status: membership.Status(it.Status),
		Eligibility: eligibility.Verdict{Eligible: it.Eligibility.Eligible, Reasons: []eligibility.Reason{}},
		AppliedAt:   it.AppliedAt, UpdatedAt: it.UpdatedAt, Version: it.Version, TokenHash: it.TokenHash,
		IntentSignedOn: it.IntentSignedOn, ReportedPeriods: it.ReportedPeriods, PreviousCityID: it.PreviousCityID,
	}
	for _, r := range it.Eligibility.Reasons {
		c.Eligibility.Reasons = append(c.Eligibility.Reasons, eligibility.Reason{Rule: eligibility.Rule(r.Rule),
			Message: r.Message, Value: r.Value, Threshold: r.Threshold})
	}
	visit, err := fromJSONText[visitRecord](it.Visit)
	if err != nil {
		return membership.City{}, fmt.Errorf("city %s: visit: %w", it.ID, err)
	}
	if visit != nil {
		v := membership.Visit{ID: visit.ID, ScheduledFor: visit.ScheduledFor, Representative: membership.Person(visit.Representative),
			HeldOn: visit.HeldOn, Diagnosis: visit.Diagnosis, Experts: make([]membership.Person, len(visit.Experts))}
		for i, e := range visit.Experts {
			v.Experts[i] = membership.Person(e)
		}
		c.Visit = &v
	}
	profile, err := fromJSONText[profileRecord](it.Profile)
	if err != nil {
		return membership.City{}, fmt.Errorf("city %s: profile: %w", it.ID, err)
	}
	if profile != nil {
		c.Profile = &membership.Profile{Title: profile.Title, IssuedOn: profile.IssuedOn, Link: profile.Link, Summary: profile.Summary}
	}
	agreement, err := fromJSONText[agreementRecord](it.Agreement)
	if err != nil {
		return membership.City{}, fmt.Errorf("city %s: agreement: %w", it.ID, err)
	}
	if a := agreement; a != nil {
		ag := membership.Agreement{CitySignedOn: a.CitySignedOn, CoESignedOn: a.CoESignedOn, InForceFrom: a.InForceFrom,
			EndsOn: a.EndsOn, FeePerYear: membership.Money(a.FeePerYear)}
		for _, am := range a.Amendments {
			ag.Amendments = append(ag.Amendments, membership.Amendment(am))
		}
		c.Agreement = &ag
	}
	termination, err := fromJSONText[terminationRecord](it.Termination)
	if err != nil {
		return membership.City{}, fmt.Errorf("city %s: termination: %w", it.ID, err)
	}
	if t := termination; t != nil {
		c.Termination = &membership.Termination{By: t.By, NoticeOn: t.NoticeOn, EffectiveOn: t.EffectiveOn, Reason: t.Reason}
	}
	billing, err := fromJSONText[buyerRecord](it.Billing)
	if err != nil {
		return membership.City{}, fmt.Errorf("city %s: billing: %w", it.ID, err)
	}
	if billing != nil {
		b := billing.buyer()
		c.Billing = &b
	}
	c.InvoicedYears = it.InvoicedYears
	result, err := fromJSONText[resultRecord](it.LatestResult)
	if err != nil {
		return membership.City{}, fmt.Errorf("city %s: latest result: %w", it.ID, err)
	}
	if it.LatestSubmission != "" && result != nil {
		at, _ := time.Parse(time.RFC3339Nano, it.LatestSubmittedAt)
		res := result.result()
		c.LatestIndex = &membership.IndexSummary{SubmissionID: it.LatestSubmission, Version: res.Version,
			SubmittedAt: at, Aggregate: res.Aggregate, Result: &res}
	}
	return c, nil
}
