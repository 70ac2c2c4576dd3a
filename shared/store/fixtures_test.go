package store_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// fromWire decodes an item in DynamoDB's JSON wire format.
func fromWire(t *testing.T, raw map[string]json.RawMessage) map[string]types.AttributeValue {
	t.Helper()
	out := make(map[string]types.AttributeValue, len(raw))
	for k, v := range raw {
		out[k] = wireValue(t, v)
	}
	return out
}

func wireValue(t *testing.T, raw json.RawMessage) types.AttributeValue {
	t.Helper()
	var v map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil || len(v) != 1 {
		t.Fatalf("not an attribute value: %s", raw)
	}
	for kind, val := range v {
		switch kind {
		case "S":
			var s string
			_ = json.Unmarshal(val, &s)
			return &types.AttributeValueMemberS{Value: s}
		case "N":
			var s string
			_ = json.Unmarshal(val, &s)
			return &types.AttributeValueMemberN{Value: s}
		case "BOOL":
			var b bool
			_ = json.Unmarshal(val, &b)
			return &types.AttributeValueMemberBOOL{Value: b}
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: true}
		case "B":
			var b []byte
			_ = json.Unmarshal(val, &b)
			return &types.AttributeValueMemberB{Value: b}
		case "M":
			var m map[string]json.RawMessage
			_ = json.Unmarshal(val, &m)
			return &types.AttributeValueMemberM{Value: fromWire(t, m)}
		case "L":
			var l []json.RawMessage
			_ = json.Unmarshal(val, &l)
			out := make([]types.AttributeValue, len(l))
			for i, e := range l {
				out[i] = wireValue(t, e)
			}
			return &types.AttributeValueMemberL{Value: out}
		}
		t.Fatalf("unknown attribute kind %s", kind)
	}
	return nil
}

// loadFixture writes every item of a captured file into the stack's table.
func loadFixture(t *testing.T, s *localtest.Stack, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		CityID string                       `json:"cityId"`
		Items  []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, it := range f.Items {
		if _, err := s.DB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(s.Table),
			Item: fromWire(t, it)}); err != nil {
			t.Fatal(err)
		}
	}
	return f.CityID
}

// Items written by the code before the storage records had their own types
// (testdata/items-v0.json: a city taken to a termination notice, its INDEX,
// draft, progress report, tokens and emails) read back with every value.
func TestItemsWrittenByEarlierCodeReadBackTheSame(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ctx := t.Context()
	id := loadFixture(t, s, "testdata/items-v0.json")

	c, events, err := s.Store.City(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := membership.City{
		ID: id, Name: "Fixture Town", Country: "DE", Population: 150000, ForeignBornShare: 12, ForeignResidentShare: 8,
		NationalMinorityShare: 1, Contact: membership.Contact{Name: "Contact", Email: "fixturetown@index.example"},
		Language: "en", Status: membership.StatusTerminationNotified, Version: 9, IntentSignedOn: "2026-10-01",
		TokenHash: "9e7ebaa467d036ef02530c7a27113d6bf5a216b62c700ca9afb9604b18880c5c",
		Visit: &membership.Visit{ID: "jg62oqzjtlk5i27c4uiy7lde5e", ScheduledFor: "2026-11-10", HeldOn: "2026-11-12",
			Diagnosis: "Strong commitment.", Representative: membership.Person{Name: "Chloé CoE", Email: "chloe@coe.example"},
			Experts: []membership.Person{{Name: "Ana Expert", Email: "ana@experts.example"}, {Name: "Ben Expert", Email: "ben@experts.example"}}},
		Profile: &membership.Profile{Title: "Intercultural profile of Fixture Town", IssuedOn: "2026-11-20",
			Link: "https://coe.example/p.pdf", Summary: "A summary."},
		Agreement: &membership.Agreement{CitySignedOn: "2026-11-25", CoESignedOn: "2026-11-24", InForceFrom: "2026-11-25",
			EndsOn: "2030-12-31", FeePerYear: membership.Money{Amount: 450000, Currency: "EUR"}},
		Termination: &membership.Termination{By: "coe", NoticeOn: "2026-11-28", EffectiveOn: "2026-12-28", Reason: "Unpaid fees"},
	}
	got := c
	got.Eligibility, got.AppliedAt, got.UpdatedAt, got.LatestIndex = want.Eligibility, want.AppliedAt, want.UpdatedAt, nil
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Fatalf("city read back\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	if !c.Eligibility.Eligible || len(c.Eligibility.Reasons) != 0 ||
		!c.AppliedAt.Equal(time.Date(2026, 11, 30, 3, 51, 10, 655426346, time.UTC)) ||
		!c.UpdatedAt.Equal(time.Date(2026, 11, 30, 3, 51, 10, 715426222, time.UTC)) {
		t.Errorf("eligibility %+v, applied %v, updated %v", c.Eligibility, c.AppliedAt, c.UpdatedAt)
	}
	li := c.LatestIndex
	if li == nil || li.SubmissionID != "v7wgyjlf4p4rgm5zv7lm3yjrbq" || li.Version != "2019" || li.Aggregate != 67.9 ||
		li.Result == nil || len(li.Result.Areas) != 15 || li.Result.Facts.Population != 150000 ||
		!li.SubmittedAt.Equal(time.Date(2026, 11, 30, 3, 51, 10, 680734237, time.UTC)) {
		t.Errorf("latest INDEX %+v", li)
	}
	var steps []string
	for _, e := range events {
		steps = append(steps, e.Type)
	}
	wantTypes := []string{"applied", "index_submitted", "index_reported", "intent_signed", "visit_scheduled", "visit_held",
		"profile_issued", "agreement_signed", "termination_notified"}
	if !slices.Equal(steps, wantTypes) || events[7].From != membership.StatusProfileIssued || events[7].To != membership.StatusMember ||
		events[7].Actor != "secretariat:test" || events[7].Payload == "" {
		t.Errorf("timeline %v, want %v; %+v", steps, wantTypes, events[7])
	}

	small, _, err := s.Store.City(ctx, "wlxq6shxhqhhjztffn4zc3mziu")
	if err != nil || small.Eligibility.Eligible || len(small.Eligibility.Reasons) != 1 ||
		small.Eligibility.Reasons[0].Rule != "population" || small.Eligibility.Reasons[0].Message != "population 12000 is below 30000 inhabitants" {
		t.Errorf("the ineligible city: %+v %v", small.Eligibility, err)
	}

	sub, err := s.Store.Submission(ctx, id, li.SubmissionID)
	if err != nil || sub.Status != index.StatusScored || sub.Result == nil || sub.Result.Aggregate != 67.9 ||
		len(sub.Answers) != 77 || len(sub.Standings) != 3 || sub.Standings[0].Rank != 1 || sub.Standings[0].Of != 1 ||
		sub.Standings[0].Areas["international"] != 100 || sub.ScoredAt == nil || sub.SubmittedBy != "city:"+id {
		t.Errorf("submission %+v %v", sub, err)
	}
	d, err := s.Store.Draft(ctx, id)
	if err != nil || d.Version != "2019" || d.Revision != 1 || len(d.Answers) != 0 || d.UpdatedBy != "city:"+id {
		t.Errorf("draft %+v %v", d, err)
	}
	reports, err := s.Store.ProgressReports(ctx, id)
	if err != nil || len(reports) != 1 || reports[0].Period != "2026" || reports[0].Text != "First year." ||
		len(reports[0].Indicators) != 1 || reports[0].Indicators[0] != (membership.Indicator{Name: "Staff trained", Value: "40", Target: "100"}) {
		t.Errorf("progress reports %+v %v", reports, err)
	}
	tok, err := s.Store.Token(ctx, c.TokenHash)
	if err != nil || tok.Role != auth.RoleCity || tok.CityID != id {
		t.Errorf("token %+v %v", tok, err)
	}
	counts, err := s.Store.Counts(ctx)
	if err != nil || counts[membership.StatusTerminationNotified] != 1 || counts[membership.StatusApplied] != 1 {
		t.Errorf("counts %v %v", counts, err)
	}
	sample, err := s.Store.Sample(ctx)
	if err != nil || sample["all"].Count != 1 || sample["all"].AggSum != 67.9 {
		t.Errorf("sample %+v %v", sample["all"], err)
	}

	// A step on the old item writes the current schema, and the file
	// reads back the same, plus the step.
	today := time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC)
	if _, err := s.Store.UpdateCity(ctx, id, nil, func(c membership.City) (membership.Change, error) {
		return c.Terminate(today, today, membership.Rules{SecretariatEmail: "sec@coe.example"}, "schedule:daily")
	}); err != nil {
		t.Fatal(err)
	}
	after, events, err := s.Store.City(ctx, id)
	if err != nil || after.Status != membership.StatusTerminated || after.Version != 10 || len(events) != 10 ||
		after.Agreement.FeePerYear.Amount != 450000 || after.Visit.Experts[1].Name != "Ben Expert" ||
		after.LatestIndex.Result.Aggregate != 67.9 {
		t.Fatalf("after a step: %+v, %d events, %v", after, len(events), err)
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "CITY#" + id},
			"sk": &types.AttributeValueMemberS{Value: "PROFILE"}}})
	if err != nil || out.Item["schema"] == nil {
		t.Fatalf("the rewritten item has no schema: %v %v", out.Item["schema"], err)
	}
}
