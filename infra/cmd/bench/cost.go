package main

// The cost model: what a year of the programme costs on AWS. Each
// operation of a city's year is measured on the local stack (costmeter.go
// and costdynamodb.go count what AWS would bill for, costyear.go drives the
// operations, costreport.go holds the assumed activity and prints); this
// file turns those unit measures, a year's activity and the list prices
// below into a bill. It is pure arithmetic, tested in cost_test.go.

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Prices are on-demand list prices of one region, in US dollars, each for
// the unit its name says.
type Prices struct {
	Region, AsOf string

	LambdaGBSecond    float64 // arm64 compute
	LambdaPerMillion  float64 // requests
	HTTPAPIPerMillion float64 // API Gateway HTTP API, first 300 million a month

	DynamoWRUPerMillion float64 // on-demand write request units (after the November 2024 cut of 50 %)
	DynamoRRUPerMillion float64 // on-demand read request units
	DynamoGBMonth       float64 // Standard table class storage, table and indexes
	PITRGBMonth         float64 // point-in-time recovery, on the table's size
	StreamReadsPer100k  float64 // DynamoDB Streams GetRecords by anything but a Lambda trigger

	SESPerThousand  float64 // outbound emails (each recipient counts)
	SESAttachmentGB float64 // attachments sent

	S3PutPerThousand float64 // PUT, COPY, POST, LIST
	S3GetPerThousand float64 // GET, HEAD and the rest
	S3GBMonth        float64 // Standard storage, first 50 TB

	SecretMonth  float64 // Secrets Manager, per secret
	SecretPer10k float64 // Secrets Manager API calls

	SchedulerPerMillion float64 // EventBridge Scheduler invocations
	SQSPerMillion       float64 // standard queue requests

	LogsIngestGB      float64 // CloudWatch Logs ingestion (Lambda's vended-log first tier is the same price)
	LogsStoreGBMonth  float64 // CloudWatch Logs storage
	AlarmMetricMonth  float64 // standard-resolution alarm, per metric it reads (metric math: each metric)
	CustomMetricMonth float64 // CloudWatch custom metric, first 10 000

	XRayTracesPerMillion float64 // X-Ray traces recorded
}

// listPrices are the prices of the region the model assumes: Frankfurt,
// the AWS region nearest Strasbourg, with every service used here. Paris
// (eu-west-3) lists slightly different prices for DynamoDB, S3, CloudWatch
// and API Gateway; Lambda, SES, Secrets Manager, Scheduler, SQS and X-Ray
// cost the same in both.
// List prices as AWS published them when written (the date below), without
// discounts, taxes or free tiers: check them before relying on the result.
var listPrices = Prices{
	Region: "eu-central-1 (Frankfurt)", AsOf: "2025-06",

	LambdaGBSecond: 0.0000133334, LambdaPerMillion: 0.20,
	HTTPAPIPerMillion: 1.20,

	DynamoWRUPerMillion: 0.7625, DynamoRRUPerMillion: 0.1525,
	DynamoGBMonth: 0.306, PITRGBMonth: 0.2448, StreamReadsPer100k: 0.0228,

	SESPerThousand: 0.10, SESAttachmentGB: 0.12,

	S3PutPerThousand: 0.0054, S3GetPerThousand: 0.00043, S3GBMonth: 0.0245,

	SecretMonth: 0.40, SecretPer10k: 0.05,

	SchedulerPerMillion: 1.00, SQSPerMillion: 0.40,

	LogsIngestGB: 0.63, LogsStoreGBMonth: 0.0324,
	AlarmMetricMonth: 0.10, CustomMetricMonth: 0.30,

	XRayTracesPerMillion: 5.00,
}

// usdPerEUR converts the 5 000 € fee for comparison (approximately the
// ECB reference rate of mid-2025; check it too).
const usdPerEUR = 1.15

// Usage is what one operation (or a year of them) makes AWS bill: the
// local stack's calls counted and sized by costmeter.go.
type Usage struct {
	Requests       float64 // API Gateway requests
	Invocations    float64 // Lambda invocations
	InvocationMB   float64 // the invocations' memory sizes, summed (for the cold start's init and rounding)
	KeyInvocations float64 // invocations of functions that read the link key at cold start
	HandlerMBms    float64 // memory × handler time in process
	WaitMBms       float64 // memory × (AWS's assumed latency − the emulator's time), over the handler's AWS calls
	HandlerMs      float64 // the handler time alone, for the report
	WaitMs         float64 // the latency correction alone, for the report

	RRU, WRU       float64 // DynamoDB request units, indexes included
	GSIWRU         float64 // the part of WRU spent on global secondary indexes
	StoredBytes    float64 // DynamoDB bytes left stored for good, table and indexes, with the 100-byte item overhead
	GSIStoredBytes float64 // the part of StoredBytes in indexes
	StreamReads    float64 // DynamoDB Streams GetRecords of the local pollers (free for Lambda triggers)

	S3Puts, S3Gets float64
	S3Bytes        float64 // bytes stored

	Emails          float64 // SES recipients
	AttachmentBytes float64 // raw size of emails sent with attachments

	SecretCalls  float64 // Secrets Manager calls made in process
	LogBytes     float64 // CloudWatch Logs: function logs and API access logs
	ScheduleRuns float64 // EventBridge Scheduler invocations
}

// Add returns u + v.
func (u Usage) Add(v Usage) Usage { return u.combine(v, 1) }

// Sub returns u - v.
func (u Usage) Sub(v Usage) Usage { return u.combine(v, -1) }

// Scale returns k·u.
func (u Usage) Scale(k float64) Usage { return Usage{}.combine(u, k) }

func (u Usage) combine(v Usage, k float64) Usage {
	return Usage{
		Requests: u.Requests + k*v.Requests, Invocations: u.Invocations + k*v.Invocations,
		InvocationMB: u.InvocationMB + k*v.InvocationMB, KeyInvocations: u.KeyInvocations + k*v.KeyInvocations,
		HandlerMBms: u.HandlerMBms + k*v.HandlerMBms, WaitMBms: u.WaitMBms + k*v.WaitMBms,
		HandlerMs: u.HandlerMs + k*v.HandlerMs, WaitMs: u.WaitMs + k*v.WaitMs,
		RRU: u.RRU + k*v.RRU, WRU: u.WRU + k*v.WRU, GSIWRU: u.GSIWRU + k*v.GSIWRU,
		StoredBytes: u.StoredBytes + k*v.StoredBytes, GSIStoredBytes: u.GSIStoredBytes + k*v.GSIStoredBytes,
		StreamReads: u.StreamReads + k*v.StreamReads,
		S3Puts:      u.S3Puts + k*v.S3Puts, S3Gets: u.S3Gets + k*v.S3Gets, S3Bytes: u.S3Bytes + k*v.S3Bytes,
		Emails: u.Emails + k*v.Emails, AttachmentBytes: u.AttachmentBytes + k*v.AttachmentBytes,
		SecretCalls: u.SecretCalls + k*v.SecretCalls, LogBytes: u.LogBytes + k*v.LogBytes,
		ScheduleRuns: u.ScheduleRuns + k*v.ScheduleRuns,
	}
}

// Year is a year of the programme: how often each measured operation
// happens.
type Year struct {
	Cities int
	// PerCity counts each operation per city and year.
	PerCity map[string]float64
	// Fixed counts the operations that happen whatever the network's size:
	// the schedules' runs.
	Fixed map[string]float64
}

// Platform is what the template fixes, whatever the activity.
type Platform struct {
	AlarmMetrics  int // metrics the alarms read, summed over the alarms
	Secrets       int
	CustomMetrics int // CloudWatch custom metrics published all year
}

// Assumptions are what the model needs and the bench cannot measure.
type Assumptions struct {
	ColdStartShare float64 // invocations that start an execution environment
	InitMs         float64 // billed init of a cold start (provided.al2023 bills it)
	RoundingMs     float64 // Lambda bills each invocation up to the next millisecond: half of one on average
	HistoryYears   float64 // years of DynamoDB data a city accumulates (steady state)
	DocumentYears  float64 // years S3 keeps each document (the template's Object Lock retention)
	LogDays        float64 // days CloudWatch keeps the logs (the template's LogRetentionDays)
	TracedShare    float64 // invocations X-Ray records a trace of
}

// Line is one line of the bill: a quantity a year times a unit price. The
// quantity comes in two parts: what the platform and the schedules cost
// whatever the number of cities (fixed), and what the cities' activity costs.
type Line struct {
	Name, Unit      string
	Price           float64 // USD per unit
	Fixed, Variable float64 // units a year
	FreePerYear     float64 // the always-free allowance, in units a year
}

// FixedUSD, VariableUSD and USD are the line's cost a year.
func (l Line) FixedUSD() float64    { return l.Fixed * l.Price }
func (l Line) VariableUSD() float64 { return l.Variable * l.Price }
func (l Line) USD() float64         { return l.FixedUSD() + l.VariableUSD() }

// FreeTierUSD is the line's cost after the always-free allowance.
func (l Line) FreeTierUSD() float64 { return math.Max(0, l.Fixed+l.Variable-l.FreePerYear) * l.Price }

// Bill is a year's cost.
type Bill struct {
	Cities int
	Lines  []Line
	// Fixed and Variable are Usage totals a year, for the report.
	Fixed, Variable Usage
}

// Total, FixedUSD and VariableUSD sum the lines.
func (b Bill) Total() float64       { return b.sum(Line.USD) }
func (b Bill) FixedUSD() float64    { return b.sum(Line.FixedUSD) }
func (b Bill) VariableUSD() float64 { return b.sum(Line.VariableUSD) }
func (b Bill) FreeTierUSD() float64 { return b.sum(Line.FreeTierUSD) }

func (b Bill) sum(f func(Line) float64) float64 {
	t := 0.0
	for _, l := range b.Lines {
		t += f(l)
	}
	return t
}

// PerCity is the year's cost divided among the cities.
func (b Bill) PerCity() float64 { return b.Total() / float64(b.Cities) }

// Dominant is the costliest line.
func (b Bill) Dominant() Line {
	return slices.MaxFunc(b.Lines, func(x, y Line) int {
		switch {
		case x.USD() < y.USD():
			return -1
		case x.USD() > y.USD():
			return 1
		}
		return 0
	})
}

// Cost prices a year: each operation's measured usage times how often it
// happens, the platform's fixed items, the assumptions and the prices.
func Cost(y Year, units map[string]Usage, pf Platform, a Assumptions, p Prices) (Bill, error) {
	if y.Cities <= 0 {
		return Bill{}, fmt.Errorf("a year of %d cities", y.Cities)
	}
	b := Bill{Cities: y.Cities}
	for _, part := range []struct {
		counts map[string]float64
		scale  float64
		into   *Usage
	}{{y.PerCity, float64(y.Cities), &b.Variable}, {y.Fixed, 1, &b.Fixed}} {
		for _, op := range sortedKeys(part.counts) {
			u, ok := units[op]
			if !ok {
				return Bill{}, fmt.Errorf("no measure of the operation %q", op)
			}
			*part.into = part.into.Add(u.Scale(part.counts[op] * part.scale))
		}
	}
	fixed, variable := quantities(b.Fixed, a), quantities(b.Variable, a)
	b.Lines = []Line{
		{Name: "Lambda requests", Unit: "million", Price: p.LambdaPerMillion, FreePerYear: 12},
		{Name: "Lambda compute (arm64)", Unit: "GB-s", Price: p.LambdaGBSecond, FreePerYear: 12 * 400_000},
		{Name: "API Gateway HTTP API", Unit: "million requests", Price: p.HTTPAPIPerMillion},
		{Name: "DynamoDB writes (on-demand)", Unit: "million WRU", Price: p.DynamoWRUPerMillion},
		{Name: "DynamoDB reads (on-demand)", Unit: "million RRU", Price: p.DynamoRRUPerMillion},
		{Name: "DynamoDB storage", Unit: "GB-month", Price: p.DynamoGBMonth, FreePerYear: 12 * 25},
		{Name: "DynamoDB point-in-time recovery", Unit: "GB-month", Price: p.PITRGBMonth},
		{Name: "S3 PUT requests", Unit: "thousand", Price: p.S3PutPerThousand},
		{Name: "S3 GET requests", Unit: "thousand", Price: p.S3GetPerThousand},
		{Name: "S3 storage (Object Lock)", Unit: "GB-month", Price: p.S3GBMonth},
		{Name: "SES emails", Unit: "thousand", Price: p.SESPerThousand},
		{Name: "SES attachments", Unit: "GB", Price: p.SESAttachmentGB},
		{Name: "Secrets Manager secret", Unit: "secret-month", Price: p.SecretMonth, Fixed: 12 * float64(pf.Secrets)},
		{Name: "Secrets Manager API calls", Unit: "10 000 calls", Price: p.SecretPer10k},
		{Name: "EventBridge Scheduler", Unit: "million runs", Price: p.SchedulerPerMillion, FreePerYear: 12 * 14},
		{Name: "CloudWatch Logs ingestion", Unit: "GB", Price: p.LogsIngestGB, FreePerYear: 12 * 5},
		{Name: "CloudWatch Logs storage", Unit: "GB-month", Price: p.LogsStoreGBMonth},
		{Name: "CloudWatch alarms", Unit: "alarm metric-month", Price: p.AlarmMetricMonth, Fixed: 12 * float64(pf.AlarmMetrics),
			FreePerYear: 12 * 10},
		{Name: "CloudWatch custom metrics", Unit: "metric-month", Price: p.CustomMetricMonth, Fixed: 12 * float64(pf.CustomMetrics),
			FreePerYear: 12 * 10},
		{Name: "X-Ray traces", Unit: "million", Price: p.XRayTracesPerMillion, FreePerYear: 12 * 0.1},
	}
	for i := range b.Lines {
		// A difference of two measures can come out a hair below zero
		// (an expiring item's remaining life); no quantity is negative.
		l := &b.Lines[i]
		l.Fixed += math.Max(0, fixed[l.Name])
		l.Variable += math.Max(0, variable[l.Name])
	}
	return b, nil
}

// quantities turns a year's usage into the bill's units, by line name.
func quantities(u Usage, a Assumptions) map[string]float64 {
	const gib = 1 << 30
	perInvocationMs := a.ColdStartShare*a.InitMs + a.RoundingMs
	gbs := (u.HandlerMBms + u.WaitMBms + u.InvocationMB*perInvocationMs) / 1024 / 1000
	tableBytes := u.StoredBytes - u.GSIStoredBytes
	logGB := u.LogBytes / gib
	return map[string]float64{
		"Lambda requests":                 u.Invocations / 1e6,
		"Lambda compute (arm64)":          gbs,
		"API Gateway HTTP API":            u.Requests / 1e6,
		"DynamoDB writes (on-demand)":     u.WRU / 1e6,
		"DynamoDB reads (on-demand)":      u.RRU / 1e6,
		"DynamoDB storage":                12 * u.StoredBytes * a.HistoryYears / gib,
		"DynamoDB point-in-time recovery": 12 * tableBytes * a.HistoryYears / gib,
		"S3 PUT requests":                 u.S3Puts / 1000,
		"S3 GET requests":                 u.S3Gets / 1000,
		"S3 storage (Object Lock)":        12 * u.S3Bytes * a.DocumentYears / gib,
		"SES emails":                      u.Emails / 1000,
		"SES attachments":                 u.AttachmentBytes / gib,
		"Secrets Manager API calls":       (u.SecretCalls + u.KeyInvocations*a.ColdStartShare) / 10_000,
		"EventBridge Scheduler":           u.ScheduleRuns / 1e6,
		"CloudWatch Logs ingestion":       logGB,
		"CloudWatch Logs storage":         12 * logGB * a.LogDays / 365,
		"X-Ray traces":                    u.Invocations * a.TracedShare / 1e6,
	}
}

// Payer is a share of the cities that pay their invoice a number of days
// after it falls due (negative: before).
type Payer struct {
	Share    float64
	PaidDays int
}

// ReminderStages are the fee reminder stages in days from the due date, as
// configured (FEE_*_DAYS_* in the template).
type ReminderStages struct{ CourtesyBefore, ReminderAfter, FinalAfter, FlagAfter int }

// Reminders works out, per invoice, how many of each reminder stage go out
// and how many days the invoice spends open in the daily run's reminder
// window (from the courtesy notice on), for cities paying as payers say.
func Reminders(r ReminderStages, payers []Payer) (courtesy, reminder, final, flagged, windowDays float64) {
	for _, p := range payers {
		if p.PaidDays > -r.CourtesyBefore {
			courtesy += p.Share
			windowDays += p.Share * float64(p.PaidDays+r.CourtesyBefore)
		}
		if p.PaidDays > r.ReminderAfter {
			reminder += p.Share
		}
		if p.PaidDays > r.FinalAfter {
			final += p.Share
		}
		if p.PaidDays > r.FlagAfter {
			flagged += p.Share
		}
	}
	return courtesy, reminder, final, flagged, windowDays
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
