package main

import (
	"math"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// unitPrices prices every unit at 1 USD, so a line's cost is its quantity.
var unitPrices = Prices{LambdaGBSecond: 1, LambdaPerMillion: 1, HTTPAPIPerMillion: 1, DynamoWRUPerMillion: 1,
	DynamoRRUPerMillion: 1, DynamoGBMonth: 1, PITRGBMonth: 1, SESPerThousand: 1, SESAttachmentGB: 1, S3PutPerThousand: 1,
	S3GetPerThousand: 1, S3GBMonth: 1, SecretMonth: 1, SecretPer10k: 1, SchedulerPerMillion: 1, LogsIngestGB: 1,
	LogsStoreGBMonth: 1, AlarmMetricMonth: 1, CustomMetricMonth: 1, XRayTracesPerMillion: 1}

const gib = 1 << 30

func line(t *testing.T, b Bill, name string) Line {
	t.Helper()
	for _, l := range b.Lines {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no line %q", name)
	return Line{}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestCostMultipliesActivityUnitsAndPrices(t *testing.T) {
	type want struct {
		line            string
		fixed, variable float64 // USD a year
	}
	cases := []struct {
		name  string
		year  Year
		units map[string]Usage
		pf    Platform
		a     Assumptions
		p     Prices
		want  []want
		total float64
	}{{
		name: "per-city operations scale with the cities, at their price",
		year: Year{Cities: 100, PerCity: map[string]float64{"op": 2}},
		units: map[string]Usage{"op": {Requests: 5, Invocations: 1, RRU: 3, WRU: 4,
			S3Puts: 10, S3Gets: 20, Emails: 1}},
		p: listPrices,
		want: []want{
			{"API Gateway HTTP API", 0, 100 * 2 * 5 / 1e6 * listPrices.HTTPAPIPerMillion},
			{"Lambda requests", 0, 200 / 1e6 * listPrices.LambdaPerMillion},
			{"DynamoDB reads (on-demand)", 0, 600 / 1e6 * listPrices.DynamoRRUPerMillion},
			{"DynamoDB writes (on-demand)", 0, 800 / 1e6 * listPrices.DynamoWRUPerMillion},
			{"S3 PUT requests", 0, 2000 / 1000.0 * listPrices.S3PutPerThousand},
			{"S3 GET requests", 0, 4000 / 1000.0 * listPrices.S3GetPerThousand},
			{"SES emails", 0, 200 / 1000.0 * listPrices.SESPerThousand},
		},
	}, {
		name:  "schedule runs are fixed, whatever the number of cities",
		year:  Year{Cities: 10_000, Fixed: map[string]float64{"run": 365}},
		units: map[string]Usage{"run": {Invocations: 1, ScheduleRuns: 1, RRU: 0.5}},
		p:     unitPrices,
		want: []want{
			{"EventBridge Scheduler", 365 / 1e6, 0},
			{"DynamoDB reads (on-demand)", 182.5 / 1e6, 0},
			{"Lambda requests", 365 / 1e6, 0},
		},
		total: (365 + 365 + 182.5) / 1e6,
	}, {
		name: "the platform: alarms by metric and the secret, every month",
		year: Year{Cities: 1},
		pf:   Platform{AlarmMetrics: 47, Secrets: 1, CustomMetrics: 2},
		p:    listPrices,
		want: []want{
			{"CloudWatch alarms", 47 * 12 * 0.10, 0},
			{"Secrets Manager secret", 12 * 0.40, 0},
			{"CloudWatch custom metrics", 2 * 12 * 0.30, 0},
		},
		total: 47*12*0.10 + 12*0.40 + 2*12*0.30,
	}, {
		name: "Lambda compute: handler and AWS waits, plus init and rounding per invocation",
		year: Year{Cities: 1, PerCity: map[string]float64{"op": 1000}},
		// 1 invocation at 1024 MB: 900 ms in process, 100 ms waiting.
		units: map[string]Usage{"op": {Invocations: 1, InvocationMB: 1024, HandlerMBms: 1024 * 900, WaitMBms: 1024 * 100}},
		a:     Assumptions{ColdStartShare: 0.5, InitMs: 200, RoundingMs: 0.5},
		p:     unitPrices,
		// 1000 × (1 s + 0.5 × 0.2 s + 0.0005 s) × 1 GB
		want: []want{{"Lambda compute (arm64)", 0, 1000 * 1.1005}},
	}, {
		name: "storage accumulates over the history, PITR on the table's part only",
		year: Year{Cities: 2, PerCity: map[string]float64{"op": 1}},
		units: map[string]Usage{"op": {StoredBytes: 3 * gib, GSIStoredBytes: 1 * gib, S3Bytes: gib,
			LogBytes: gib}},
		a: Assumptions{HistoryYears: 10, DocumentYears: 5, LogDays: 73},
		p: unitPrices,
		want: []want{
			{"DynamoDB storage", 0, 2 * 3 * 10 * 12},
			{"DynamoDB point-in-time recovery", 0, 2 * 2 * 10 * 12},
			{"S3 storage (Object Lock)", 0, 2 * 5 * 12},
			{"CloudWatch Logs ingestion", 0, 2},
			{"CloudWatch Logs storage", 0, 2 * 12 * 73.0 / 365},
		},
	}, {
		name: "Secrets Manager: calls made, plus a read per cold start of a key holder; X-Ray per traced invocation",
		year: Year{Cities: 1, PerCity: map[string]float64{"op": 10_000}},
		units: map[string]Usage{"op": {Invocations: 3, KeyInvocations: 2, SecretCalls: 1,
			AttachmentBytes: gib / 10_000.0}},
		a: Assumptions{ColdStartShare: 0.5, TracedShare: 1},
		p: unitPrices,
		want: []want{
			{"Secrets Manager API calls", 0, 2},
			{"X-Ray traces", 0, 0.03},
			{"SES attachments", 0, 1},
		},
	}, {
		name:  "a difference measured a hair below zero costs nothing",
		year:  Year{Cities: 1, PerCity: map[string]float64{"op": 1}},
		units: map[string]Usage{"op": {StoredBytes: -10, WRU: 1e6}},
		a:     Assumptions{HistoryYears: 10},
		p:     unitPrices,
		want:  []want{{"DynamoDB storage", 0, 0}, {"DynamoDB writes (on-demand)", 0, 1}},
		total: 1,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Cost(c.year, c.units, c.pf, c.a, c.p)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				l := line(t, b, w.line)
				if !near(l.FixedUSD(), w.fixed) || !near(l.VariableUSD(), w.variable) {
					t.Errorf("%s: fixed %g, variable %g; want %g, %g", w.line, l.FixedUSD(), l.VariableUSD(), w.fixed, w.variable)
				}
			}
			if c.total != 0 && !near(b.Total(), c.total) {
				t.Errorf("total %g, want %g", b.Total(), c.total)
			}
			if !near(b.Total(), b.FixedUSD()+b.VariableUSD()) || !near(b.PerCity(), b.Total()/float64(c.year.Cities)) {
				t.Errorf("total %g ≠ fixed %g + variable %g, or per city %g", b.Total(), b.FixedUSD(), b.VariableUSD(), b.PerCity())
			}
		})
	}
}

func TestCostSumsOperationsAndFindsTheDominantLine(t *testing.T) {
	year := Year{Cities: 160, PerCity: map[string]float64{"invoice": 1, "save": 4.8}, Fixed: map[string]float64{"sweep": 105_120}}
	units := map[string]Usage{"invoice": {Emails: 1, WRU: 50}, "save": {WRU: 12, Requests: 1}, "sweep": {RRU: 0.5}}
	b, err := Cost(year, units, Platform{AlarmMetrics: 47, Secrets: 1}, Assumptions{}, listPrices)
	if err != nil {
		t.Fatal(err)
	}
	wantWRU := 160 * (50 + 4.8*12) / 1e6
	if l := line(t, b, "DynamoDB writes (on-demand)"); !near(l.Variable, wantWRU) || l.Fixed != 0 {
		t.Errorf("writes: %g million fixed, %g variable; want 0, %g", l.Fixed, l.Variable, wantWRU)
	}
	if l := line(t, b, "DynamoDB reads (on-demand)"); !near(l.Fixed, 105_120*0.5/1e6) || l.Variable != 0 {
		t.Errorf("reads: %g million fixed, %g variable", l.Fixed, l.Variable)
	}
	if d := b.Dominant(); d.Name != "CloudWatch alarms" {
		t.Errorf("dominant line %s (%g), want the alarms", d.Name, d.USD())
	}
	if b.Variable.Emails != 160 || b.Fixed.RRU != 105_120*0.5 {
		t.Errorf("usage totals: %+v / %+v", b.Variable, b.Fixed)
	}
	// The always-free allowance takes 10 alarm metrics off.
	if got, want := b.Total()-b.FreeTierUSD(), 10*12*0.10; got < want-1e-9 {
		t.Errorf("free tier saves %g, want at least %g", got, want)
	}
}

func TestCostRefusesWhatItCannotPrice(t *testing.T) {
	if _, err := Cost(Year{Cities: 10, PerCity: map[string]float64{"unmeasured": 1}}, map[string]Usage{}, Platform{},
		Assumptions{}, listPrices); err == nil || !strings.Contains(err.Error(), "unmeasured") {
		t.Errorf("an operation without a measure: %v", err)
	}
	if _, err := Cost(Year{}, nil, Platform{}, Assumptions{}, listPrices); err == nil {
		t.Error("a year without cities was priced")
	}
}

func TestRemindersFollowTheStagesAndThePayers(t *testing.T) {
	stages := ReminderStages{CourtesyBefore: 7, ReminderAfter: 14, FinalAfter: 45, FlagAfter: 60}
	cases := []struct {
		name                                 string
		payers                               []Payer
		courtesy, reminder, final, flag, win float64
	}{
		{"everyone early", []Payer{{1, -10}}, 0, 0, 0, 0, 0},
		{"on the due date", []Payer{{1, 0}}, 1, 0, 0, 0, 7},
		{"the day of a stage is paid in time", []Payer{{1, 14}}, 1, 0, 0, 0, 21},
		{"very late", []Payer{{1, 90}}, 1, 1, 1, 1, 97},
		{"the bench's payers", payers, 0.7, 0.35, 0.15, 0.15, 0.35*14 + 0.20*37 + 0.15*82},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			co, re, fi, fl, win := Reminders(stages, c.payers)
			if !near(co, c.courtesy) || !near(re, c.reminder) || !near(fi, c.final) || !near(fl, c.flag) || !near(win, c.win) {
				t.Errorf("got %g %g %g %g, %g days; want %g %g %g %g, %g", co, re, fi, fl, win,
					c.courtesy, c.reminder, c.final, c.flag, c.win)
			}
		})
	}
}

func TestUsageArithmetic(t *testing.T) {
	a := Usage{RRU: 1, WRU: 2, Emails: 3, HandlerMs: 4}
	b := Usage{RRU: 0.5, WRU: 5, Emails: 1, HandlerMs: 1}
	if got := a.Add(b).Sub(b); got != a {
		t.Errorf("a + b - b = %+v", got)
	}
	if got := a.Scale(2); got != a.Add(a) {
		t.Errorf("2a = %+v", got)
	}
	if got := nonNegative(b.Sub(a)); got.RRU != 0 || got.WRU != 3 || got.Emails != 0 || got.HandlerMs != 0 {
		t.Errorf("non-negative part of b - a: %+v", got)
	}
}

// Where DynamoDB reports the capacity a call consumed, the meter takes it.
func TestReportedCapacity(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name             string
		result           any
		read, write, gsi float64
		reported         bool
	}{
		{"a read reporting only its total", &dynamodb.GetItemOutput{ConsumedCapacity: &types.ConsumedCapacity{CapacityUnits: f(0.5)}},
			0.5, 0, 0, true},
		{"a transaction with its indexes", &dynamodb.TransactWriteItemsOutput{ConsumedCapacity: []types.ConsumedCapacity{{
			CapacityUnits: f(14), WriteCapacityUnits: f(14),
			GlobalSecondaryIndexes: map[string]types.Capacity{"gsi1": {WriteCapacityUnits: f(3)}, "gsi2": {CapacityUnits: f(1)}}}}},
			0, 14, 4, true},
		{"a write reporting only its total", &dynamodb.PutItemOutput{ConsumedCapacity: &types.ConsumedCapacity{CapacityUnits: f(2),
			GlobalSecondaryIndexes: map[string]types.Capacity{"gsi1": {CapacityUnits: f(1)}}}}, 0, 2, 1, true},
		{"nothing reported (the emulator)", &dynamodb.QueryOutput{}, 0, 0, 0, false},
	}
	for _, c := range cases {
		r, w, g, ok := consumed(c.result)
		if r != c.read || w != c.write || g != c.gsi || ok != c.reported {
			t.Errorf("%s: %g read, %g write (%g in indexes), reported %v", c.name, r, w, g, ok)
		}
	}
}

// The DynamoDB rules the meter applies where the emulator reports no
// consumed capacity.
func TestDynamoDBUnitRules(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	item := func(size int, extra map[string]types.AttributeValue) map[string]types.AttributeValue {
		it := map[string]types.AttributeValue{"pk": s("CITY#1"), "sk": s("FILE"), "b": s(strings.Repeat("x", size-len("pkCITY#1skFILEb")))}
		for k, v := range extra {
			it[k] = v
		}
		return it
	}
	sizes := []struct {
		name string
		item map[string]types.AttributeValue
		want int
	}{
		{"strings: names and values", map[string]types.AttributeValue{"pk": s("ab"), "name": s("Ville")}, 2 + 2 + 4 + 5},
		{"a number: half its significant digits, plus one", map[string]types.AttributeValue{"n": n("-1234.500")}, 1 + 3 + 1},
		{"a list: 3 bytes, and 1 per element", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("ab"), s("c")}}},
			1 + 3 + (1 + 2) + (1 + 1)},
		{"a map: its names too", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": s("v")}}},
			1 + 3 + 1 + 1 + 1},
		{"booleans and nulls: one byte", map[string]types.AttributeValue{"t": &types.AttributeValueMemberBOOL{Value: true},
			"z": &types.AttributeValueMemberNULL{Value: true}}, 2 + 2},
	}
	for _, c := range sizes {
		if got := itemSize(c.item); got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.name, got, c.want)
		}
	}

	reads := []struct {
		size   int
		strong bool
		want   float64
	}{{0, true, 1}, {4096, true, 1}, {4097, true, 2}, {4097, false, 1}, {100, false, 0.5}}
	for _, c := range reads {
		if got := readUnits(c.size, c.strong); got != c.want {
			t.Errorf("read of %d bytes (strong %v): %g RRU, want %g", c.size, c.strong, got, c.want)
		}
	}

	gsi := [][]string{{"gsi1pk", "gsi1sk"}}
	in := map[string]types.AttributeValue{"gsi1pk": s("STATUS#member"), "gsi1sk": s("Costville")}
	moved := map[string]types.AttributeValue{"gsi1pk": s("STATUS#terminated"), "gsi1sk": s("Costville")}
	writes := []struct {
		name       string
		old, new   map[string]types.AttributeValue
		tx         bool
		table, idx float64
	}{
		{"a new 1 KB item, in no index", nil, item(1024, nil), false, 1, 0},
		{"a new item of 1 KB and a byte", nil, item(1025, nil), false, 2, 0},
		{"in a transaction: twice", nil, item(1025, nil), true, 4, 0},
		{"the larger of the old and new images", item(3000, nil), item(500, nil), false, 3, 0},
		{"entering an index: one index write", item(500, nil), item(500, in), false, 1, 1},
		{"changing within the index: one", item(500, in), item(600, in), false, 1, 1},
		{"moving in the index (its key changed): two", item(500, in), item(500, moved), false, 1, 2},
		{"deleted from the table and the index", item(2000, in), nil, false, 2, 2},
		{"a failed condition: the table's units, no index write", item(500, in), item(500, in), true, 2, 0},
	}
	for _, c := range writes {
		table, idx := writeCost(c.old, c.new, c.tx, gsi)
		if table != c.table || idx != c.idx {
			t.Errorf("%s: %g WRU and %g in indexes, want %g and %g", c.name, table, idx, c.table, c.idx)
		}
	}
}
