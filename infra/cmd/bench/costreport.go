package main

// The cost model's inputs that are not measured (the activity of a city's
// year, the template's fixed items, the assumptions) and the printed report.

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/template"
)

// The volumes priced: the programme today (about 160 member cities) and a
// network sixty times larger.
var costScenarios = []int{160, 10_000}

// The activity of a city's year that the bench cannot measure: how often
// each operation happens (assumptions, printed with the figures).
const (
	newCityShare   = 0.06 // cities joining a year, as a share of the network: about 10 of 160
	indexEvery     = 2.5  // years between two INDEX questionnaires of a city
	indexSessions  = 6    // times the form is opened to fill in one INDEX
	indexSaves     = 12   // draft saves per INDEX
	reportReads    = 2    // reads of a published report (HTML and PDF)
	invoiceViews   = 2    // visits to the invoices page a year
	cityFileViews  = 6    // a city's own visits to its file a year
	secretariatUse = 4    // times a year the secretariat works a city's file (pipeline, file, invoices, audit)
)

// payers is when cities pay their invoice, in days after it falls due (an
// assumption; public bodies often pay late): 30 % before the courtesy
// notice, 35 % within the week after the due date, 20 % a month late (after
// the reminder), 15 % two and a half months late (after the final notice
// and the flag).
var payers = []Payer{{0.30, -10}, {0.35, 7}, {0.20, 30}, {0.15, 75}}

// The model's assumptions on Lambda and storage.
const (
	historyYears   = 10  // years of a city's records DynamoDB holds at steady state
	coldStartShare = 1.0 // at these volumes an execution environment rarely serves two requests
	initMs         = 120 // a Go bootstrap's init, clients and the link key read (see the cold start figures)
)

// costReport is printed after the figures' table.
var costReport strings.Builder

// runsPerYear counts a schedule's runs in a year.
func runsPerYear(sc template.Schedule) (float64, error) {
	start := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	rec, err := local.ParseSchedule(sc.Expression, sc.Timezone, start)
	if err != nil {
		return 0, err
	}
	n := 0
	for t, ok := rec.Next(start.Add(-time.Nanosecond)); ok && t.Before(start.AddDate(1, 0, 0)); t, ok = rec.Next(t) {
		n++
	}
	return float64(n), nil
}

// activity is one line of a city's year: an operation and how often.
type activity struct {
	op      string
	perYear float64
	why     string
}

// cityYear is a city's year at steady state, from the constants above and
// the reminder stages as configured.
func cityYear(stages ReminderStages) []activity {
	courtesy, reminder, final, flagged, window := Reminders(stages, payers)
	perIndex := 1 / indexEvery
	return []activity{
		{"apply", newCityShare, "new cities a year, as a share of the network"},
		{"admission steps (intent to agreement)", newCityShare, "once per new city"},
		{"billing details and first invoice", newCityShare, "once per new city"},
		{"INDEX form opened", indexSessions * perIndex, fmt.Sprintf("%d sessions per INDEX, one INDEX every %.1f years", indexSessions, indexEvery)},
		{"INDEX draft saved", indexSaves * perIndex, fmt.Sprintf("%d saves per INDEX", indexSaves)},
		{"INDEX submitted, scored, report drafted", perIndex, fmt.Sprintf("one INDEX every %.1f years", indexEvery)},
		{"report reviewed and published", perIndex, "one report per INDEX"},
		{"report read (list, HTML, PDF)", reportReads * perIndex, fmt.Sprintf("%d reads per report", reportReads)},
		{"annual invoice (run, issue, archive, email)", 1, "one invoice a year"},
		{"invoices viewed (page, list, PDF)", invoiceViews, "visits to the invoices page"},
		{"courtesy notice", courtesy, fmt.Sprintf("invoices not paid %d days before the due date (payers as assumed)", stages.CourtesyBefore)},
		{"reminder", reminder, fmt.Sprintf("not paid %d days after it", stages.ReminderAfter)},
		{"final notice (and the secretariat's copy)", final, fmt.Sprintf("not paid %d days after it", stages.FinalAfter)},
		{"invoice flagged", flagged, fmt.Sprintf("not paid %d days after it", stages.FlagAfter)},
		{"payment recorded", 1, "one payment per invoice"},
		{"progress report reminder", 1, "yearly, on the agreement's anniversary"},
		{"progress report sent", 1, "yearly"},
		{"city file viewed", cityFileViews, "the city's visits to its file"},
		{"secretariat works the file", secretariatUse, "pipeline, file, invoices, progress, audit"},
		{"daily run, per member", 365, "the daily run reads every member every day"},
		{"daily run, per open invoice in the reminder window", window, "days an invoice is open from its courtesy notice on"},
	}
}

// fixedRuns are the schedules' runs a year, with the measured operation
// each stands for.
func fixedRuns(tpl *template.Template) (map[string]float64, error) {
	ops := map[string]string{"daily": "daily run (fixed part)", "sweeper": "sweeper run", "annual-invoices": "annual run (fixed part)"}
	out := map[string]float64{}
	for fn, op := range ops {
		f, ok := tpl.FunctionByName(fn)
		if !ok || len(f.Schedules) == 0 {
			return nil, fmt.Errorf("the template has no schedule for %s", fn)
		}
		n, err := runsPerYear(f.Schedules[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn, err)
		}
		out[op] = n
	}
	return out, nil
}

// platform reads the template's fixed items: the alarms' metrics, the
// secrets, and the SES event metrics if the functions send with the
// configuration set that publishes them.
func platform(tpl *template.Template) (Platform, int, error) {
	alarms, err := tpl.Alarms()
	if err != nil {
		return Platform{}, 0, err
	}
	var pf Platform
	for _, a := range alarms {
		pf.AlarmMetrics += len(a.Metrics)
	}
	pf.Secrets = len(tpl.IDs("AWS::SecretsManager::Secret"))
	sendsWithSet := false
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		for k := range f.Env {
			sendsWithSet = sendsWithSet || strings.Contains(k, "CONFIGURATION_SET")
		}
	}
	if sendsWithSet {
		for _, id := range tpl.IDs("AWS::SES::ConfigurationSetEventDestination") {
			dest, _ := tpl.Resources[id].Properties["EventDestination"].(map[string]any)
			if kinds, ok := dest["MatchingEventTypes"].([]any); ok && dest["CloudWatchDestination"] != nil {
				pf.CustomMetrics += len(kinds)
			}
		}
	}
	return pf, len(alarms), nil
}

// assumptions are the model's assumptions, with what the template says
// of retention and tracing.
func assumptions(tpl *template.Template) Assumptions {
	a := Assumptions{ColdStartShare: coldStartShare, InitMs: initMs, RoundingMs: 0.5, HistoryYears: historyYears}
	if p, ok := tpl.Parameters["DocumentRetentionYears"]; ok {
		a.DocumentYears, _ = number(p.Default)
	}
	if p, ok := tpl.Parameters["LogRetentionDays"]; ok {
		a.LogDays, _ = number(p.Default)
	}
	if tpl.Globals["Function"]["Tracing"] == "Active" {
		a.TracedShare = 1 // every invocation at this volume: X-Ray samples the first request each second
	}
	return a
}

// report prices the measured year at each volume, prints it into
// costReport and adds its totals to the figures.
func (r *costRun) report() error {
	tpl := r.s.Template
	st := r.s.Schedule.Invoicing.Rules.Reminders
	acts := cityYear(ReminderStages{CourtesyBefore: st.CourtesyBefore, ReminderAfter: st.ReminderAfter,
		FinalAfter: st.FinalAfter, FlagAfter: st.FlagAfter})
	fixed, err := fixedRuns(tpl)
	if err != nil {
		return err
	}
	pf, alarms, err := platform(tpl)
	if err != nil {
		return err
	}
	a := assumptions(tpl)
	units := map[string]Usage{}
	for op := range r.samples {
		units[op] = r.unit(op)
	}
	perCity := map[string]float64{}
	for _, act := range acts {
		perCity[act.op] = act.perYear
	}
	bills := make([]Bill, len(costScenarios))
	for i, n := range costScenarios {
		if bills[i], err = Cost(Year{Cities: n, PerCity: perCity, Fixed: fixed}, units, pf, a, listPrices); err != nil {
			return err
		}
	}
	w := &costReport
	fmt.Fprintf(w, "\nCOST MODEL: AWS list prices in USD, %s, as of %s (check before relying); no free tier unless said\n",
		listPrices.Region, listPrices.AsOf)
	r.printOperations(w, acts, fixed, units, a)
	printYear(w, acts, fixed)
	printBills(w, bills, feeEUR(tpl))
	r.printAssumptions(w, alarms, pf, a)
	for i, b := range bills {
		n := costScenarios[i]
		d := b.Dominant()
		add(fmt.Sprintf("AWS cost a year, %d cities (list prices, %s)", n, listPrices.Region), usd(b.Total()),
			fmt.Sprintf("fixed %s (%s a month) + variable %s", usd(b.FixedUSD()), usd(b.FixedUSD()/12), usd(b.VariableUSD())), "-", true)
		add("  per city a year", usd(b.PerCity()), fmt.Sprintf("the fee: %.0f EUR (%.4f %% of it)", feeEUR(tpl),
			100*b.PerCity()/(feeEUR(tpl)*usdPerEUR)), "-", true)
		add("  costliest line", fmt.Sprintf("%s %s", d.Name, usd(d.USD())), fmt.Sprintf("%.0f %% of the total", 100*d.USD()/b.Total()), "-", true)
	}
	return nil
}

// printOperations prints what each operation was measured to use.
func (r *costRun) printOperations(w io.Writer, acts []activity, fixed map[string]float64, units map[string]Usage, a Assumptions) {
	// Every call asks for its consumed capacity; the emulator answers none.
	source := fmt.Sprintf("DynamoDB request units: computed from item sizes by DynamoDB's rules for all %d calls, "+
		"the emulator returning no ConsumedCapacity", r.m.computed)
	if r.m.reported > 0 {
		source = fmt.Sprintf("DynamoDB request units: as DynamoDB reported them for %d calls, computed from item sizes for %d",
			r.m.reported, r.m.computed)
	}
	fmt.Fprintf(w, "\nMeasured per operation on the local stack, with the stream work it causes. %s.\n", source)
	fmt.Fprintf(w, `- ms IN PROC: the functions' handlers timed in process on this machine, a proxy. ms ON AWS: the same with
  each AWS call taking AWS's typical latency (DynamoDB %v, S3 %v, SES %v, Secrets Manager %v) instead
  of the emulator's, before init and rounding. Memory sizes from template.yaml: %s.
- STORED KB: what the operation leaves in DynamoDB, indexes and the 100-byte item overhead included; an item that
  expires (TTL) counts for the share of %d years it lives. SECRETS: calls, one per cold start of a function that
  holds the link key. STREAM READS: the local pollers' GetRecords (free for Lambda triggers).
- The reminders, the progress report reminder, the annual invoice and the daily run per member or open invoice are
  differences of two runs of the schedule (with and without the work), so their in-process time is noisy.
`, awsLatency["DynamoDB"], awsLatency["S3"], awsLatency["SES"], awsLatency["Secrets Manager"], memorySizes(r.m), historyYears)
	t := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(t, "OPERATION\tSAMPLES\tAPI REQ\tINVOC\tms IN PROC\tms ON AWS\tRRU\tWRU (GSI)\tSTORED KB\tS3 PUT/GET\tS3 KB\tEMAILS\tATTACH KB\tSECRETS\tLOG KB\tSTREAM READS\t")
	ops := make([]string, 0, len(units))
	for _, act := range acts {
		ops = append(ops, act.op)
	}
	ops = append(ops, sortedKeys(fixed)...)
	for _, op := range ops {
		u := units[op]
		handler, billed := u.HandlerMs, u.HandlerMs+u.WaitMs
		fmt.Fprintf(t, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f (%.2f)\t%.2f\t%.1f/%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\t%.0f\t\n",
			op, r.samples[op], u.Requests, u.Invocations, handler, billed, u.RRU, u.WRU, u.GSIWRU, zero(u.StoredBytes/1024),
			u.S3Puts, u.S3Gets, u.S3Bytes/1024, u.Emails, u.AttachmentBytes/1024, u.SecretCalls+u.KeyInvocations*a.ColdStartShare,
			u.LogBytes/1024, u.StreamReads)
	}
	_ = t.Flush()
}

// printYear prints how often each operation happens.
func printYear(w io.Writer, acts []activity, fixed map[string]float64) {
	fmt.Fprintln(w, "\nA city's year (assumptions; the measured operations above, how often a year per city):")
	t := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, act := range acts {
		fmt.Fprintf(t, "  %s\t%.3g\t%s\n", act.op, act.perYear, act.why)
	}
	for _, op := range sortedKeys(fixed) {
		fmt.Fprintf(t, "  %s\t%.0f a year\tthe schedule in template.yaml, whatever the number of cities\n", op, fixed[op])
	}
	_ = t.Flush()
}

// printBills prints the bill of each volume side by side.
func printBills(w io.Writer, bills []Bill, fee float64) {
	fmt.Fprintln(w, "\nCost a year, USD (fixed: the platform and the schedules, whatever the number of cities; variable: the cities' activity)")
	t := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	header := "LINE\tUNIT\tPRICE\t"
	for _, n := range costScenarios {
		header += fmt.Sprintf("%d: QTY\tFIXED\tVARIABLE\tTOTAL\t", n)
	}
	fmt.Fprintln(t, header)
	for i, l := range bills[0].Lines {
		fmt.Fprintf(t, "%s\t%s\t%.6g\t", l.Name, l.Unit, l.Price)
		for _, b := range bills {
			bl := b.Lines[i]
			fmt.Fprintf(t, "%.4g\t%s\t%s\t%s\t", bl.Fixed+bl.Variable, usd(bl.FixedUSD()), usd(bl.VariableUSD()), usd(bl.USD()))
		}
		fmt.Fprintln(t)
	}
	row := func(label string, f func(Bill) string) {
		fmt.Fprintf(t, "%s\t\t\t", label)
		for _, b := range bills {
			fmt.Fprintf(t, "\t\t\t%s\t", f(b))
		}
		fmt.Fprintln(t)
	}
	row("TOTAL A YEAR", func(b Bill) string { return usd(b.Total()) })
	row("  fixed / variable", func(b Bill) string { return usd(b.FixedUSD()) + " / " + usd(b.VariableUSD()) })
	row("  a month", func(b Bill) string { return usd(b.Total() / 12) })
	row("PER CITY A YEAR", func(b Bill) string { return usd(b.PerCity()) })
	row("  variable only", func(b Bill) string { return usd(b.VariableUSD() / float64(b.Cities)) })
	row("  share of the fee", func(b Bill) string { return fmt.Sprintf("%.4f %%", 100*b.PerCity()/(fee*usdPerEUR)) })
	row("DOMINANT LINE", func(b Bill) string {
		d := b.Dominant()
		return fmt.Sprintf("%s (%.0f %%)", d.Name, 100*d.USD()/b.Total())
	})
	row("WITH ALWAYS-FREE TIERS", func(b Bill) string { return usd(b.FreeTierUSD()) })
	_ = t.Flush()
}

// printAssumptions prints what the model assumes and leaves out.
func (r *costRun) printAssumptions(w io.Writer, alarms int, pf Platform, a Assumptions) {
	fmt.Fprintf(w, `
Assumptions and what is left out:
- Prices: on-demand list prices of %s as of %s, USD, before tax; the fee compared at %.2f USD per EUR.
  DynamoDB on-demand after AWS's 50 %% cut of November 2024. "With always-free tiers": Lambda (1 M requests,
  400 000 GB-s a month), DynamoDB storage (25 GB), CloudWatch (10 alarm metrics, 10 metrics, 5 GB logs),
  X-Ray (100 000 traces), Scheduler (14 M runs) taken off, if this stack is the account's only workload.
- Fixed: %d alarms reading %d metrics (metric math alarms bill each metric), %d secret, %d custom metrics
  (SES events reach CloudWatch only when the functions send with the configuration set), the schedules' runs.
- Lambda: every invocation starts cold (%.0f %%), %g ms of billed init each (the cold start figures of this
  bench give the local proxy); half a millisecond of rounding each. Secrets Manager: one read of the link key
  per cold start of a function that holds it.
- Storage at steady state: %g years of DynamoDB data per city (the measured bytes an operation leaves, with the
  100-byte item overhead, in the table and both indexes; PITR on the table's part), S3 documents kept %g years
  (Object Lock), logs kept %g days (uncompressed: an upper bound). No minimum storage charge applies.
- Logs: the functions' JSON lines at the template's level (%s) with Lambda's request id, the API's access log
  line (%.0f bytes) per request; Lambda's own START/REPORT lines only if SystemLogLevel lets them through.
- X-Ray: one trace per invocation (Tracing: Active). DynamoDB Streams reads by Lambda triggers are free
  (%.4f USD per 100 000 otherwise); the SQS failure queues hold nothing in a normal year (%.2f USD per million
  requests). Data transfer out (API responses, PDFs) stays inside the 100 GB a month AWS does not bill.
- SES attachments: the raw size of each email with attachments (base64 and headers included: an upper bound).
- Not modelled: expiry warnings and agreement renewals (every few years), terminations, credit notes, bank
  statements, retries after failures, the secretariat's finance views; KMS requests of the AWS-managed keys.
`, listPrices.Region, listPrices.AsOf, usdPerEUR, alarms, pf.AlarmMetrics, pf.Secrets, pf.CustomMetrics,
		100*a.ColdStartShare, a.InitMs, a.HistoryYears, a.DocumentYears, a.LogDays, logLevelOf(r.s.Template), r.m.accessLog,
		listPrices.StreamReadsPer100k, listPrices.SQSPerMillion)
}

// feeEUR is the yearly fee the template configures.
func feeEUR(tpl *template.Template) float64 {
	if f, ok := tpl.FunctionByName("secretariat"); ok {
		var cents float64
		if _, err := fmt.Sscan(f.Env["FEE_PER_YEAR_CENTS"], &cents); err == nil && cents > 0 {
			return cents / 100
		}
	}
	return 5000
}

// logLevelOf is the functions' log level as the template deploys it.
func logLevelOf(tpl *template.Template) string {
	if p, ok := tpl.Parameters["LogLevel"]; ok && p.Default != nil {
		return fmt.Sprint(p.Default)
	}
	return "INFO"
}

// memorySizes counts the functions by memory size.
func memorySizes(m *meter) string {
	by := map[float64][]string{}
	for fn, mb := range m.memory {
		by[mb] = append(by[mb], fn)
	}
	var parts []string
	for _, mb := range slices.Sorted(maps.Keys(by)) {
		parts = append(parts, fmt.Sprintf("%.0f MB: %d functions", mb, len(by[mb])))
	}
	return strings.Join(parts, ", ")
}

// zero rounds what prints as -0.00 to 0.
func zero(x float64) float64 {
	if math.Abs(x) < 0.005 {
		return 0
	}
	return x
}

// usd prints an amount of dollars with the precision it deserves.
func usd(x float64) string {
	switch {
	case x == 0:
		return "$0"
	case x < 0.000005:
		return "<$0.00001"
	case x < 0.01:
		return fmt.Sprintf("$%.5f", x)
	case x < 10:
		return fmt.Sprintf("$%.3f", x)
	}
	return fmt.Sprintf("$%.2f", x)
}
