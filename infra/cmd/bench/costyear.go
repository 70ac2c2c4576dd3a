package main

// A city's year on a metered local stack of its own: each operation
// measured once or a few times, then priced by the model (cost.go) for the
// programme's real volume and for 10 000 cities.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/clients"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/invoicedoc"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// seededMembers are the members (and open invoices) added to measure
// what each adds to the daily run.
const seededMembers = 200

// costRun drives a metered stack through a city's year.
type costRun struct {
	ctx   context.Context
	s     *local.Stack
	m     *meter
	base  string
	admin string
	// units sums each operation's samples; samples counts them.
	units   map[string]Usage
	samples map[string]int
}

// costFigures measures the operations of a city's year on a stack of its
// own and prices a year at the programme's volume and at 10 000 cities.
func costFigures(ctx context.Context) error {
	m := &meter{}
	s, err := local.Start(ctx, local.Options{Table: fmt.Sprintf("bench-cost-%d", time.Now().UnixNano()),
		APIOptions: []func(*aws.Config){m.install}})
	if err != nil {
		return err
	}
	cfg, err := boot.AWS(ctx)
	if err != nil {
		return err
	}
	m.configure(s.Template, s.Table, clients.DynamoDB(cfg), s.Clock.Now, historyYears*365*24*time.Hour)
	m.wrapPollers(s)
	srv := httptest.NewServer(m.handler(s))
	defer srv.Close()
	restore := m.captureLogs(logLevelOf(s.Template))
	defer restore()

	r := &costRun{ctx: ctx, s: s, m: m, base: srv.URL, units: map[string]Usage{}, samples: map[string]int{}}
	if err := r.year(); err != nil {
		return err
	}
	return r.report()
}

// measure runs f as one sample of operation op, with the stream work it
// causes, and returns what it used.
func (r *costRun) measure(op string, f func() error) (Usage, error) {
	if err := r.s.Drain(r.ctx); err != nil {
		return Usage{}, err
	}
	before, err := r.m.snapshot(r.ctx)
	if err != nil {
		return Usage{}, err
	}
	if err := f(); err != nil {
		return Usage{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := r.s.Drain(r.ctx); err != nil {
		return Usage{}, fmt.Errorf("%s: %w", op, err)
	}
	after, err := r.m.snapshot(r.ctx)
	if err != nil {
		return Usage{}, err
	}
	u := after.Sub(before)
	if op != "" {
		r.units[op] = r.units[op].Add(u)
		r.samples[op]++
	}
	return u, nil
}

// record adds u as a sample of op.
func (r *costRun) record(op string, u Usage) {
	r.units[op] = r.units[op].Add(nonNegative(u))
	r.samples[op]++
}

// unit is an operation's mean usage over its samples.
func (r *costRun) unit(op string) Usage {
	if r.samples[op] == 0 {
		return Usage{}
	}
	return r.units[op].Scale(1 / float64(r.samples[op]))
}

// nonNegative clears what timing noise made negative in a difference.
func nonNegative(u Usage) Usage {
	v := reflect.ValueOf(&u).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Float() < 0 {
			f.SetFloat(0)
		}
	}
	return u
}

// call sends a request to the metered API and checks its status.
func (r *costRun) call(method, path, token, body string, want int, headers ...string) ([]byte, http.Header, error) {
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if want != 0 && resp.StatusCode != want {
		return nil, nil, fmt.Errorf("%s %s: %d, want %d: %.500s", method, path, resp.StatusCode, want, b)
	}
	return b, resp.Header, nil
}

// gets sends GET requests that must succeed.
func (r *costRun) gets(token string, paths ...string) error {
	for _, p := range paths {
		accept := ""
		if i := strings.Index(p, " accept="); i >= 0 {
			p, accept = p[:i], p[i+len(" accept="):]
		}
		if _, _, err := r.call(http.MethodGet, p, token, "", http.StatusOK, "Accept", accept); err != nil {
			return err
		}
	}
	return nil
}

// day is a date days from the stack's today, as the API takes it.
func (r *costRun) day(days int) string {
	return r.s.Clock.Now().UTC().AddDate(0, 0, days).Format("2006-01-02")
}

// at moves the stack's clock to hour o'clock, Paris time, on date d.
func (r *costRun) at(d time.Time, hour int) {
	r.s.Clock.Set(time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, fees.Paris))
}

// runJob is one scheduled run of function fn with its schedule's input.
func (r *costRun) runJob(fn string) error {
	f, _ := r.s.Template.FunctionByName(fn)
	var input []byte
	if len(f.Schedules) > 0 {
		input = []byte(f.Schedules[0].Input)
	}
	return r.m.runJob(r.ctx, r.s, fn, input)
}

// daily measures the daily run twice the same day: the first run's extra
// over the second is operation op; the second is a sample of base, if
// named.
func (r *costRun) daily(op, base string) error {
	first, err := r.measure("", func() error { return r.runJob("daily") })
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	second, err := r.measure(base, func() error { return r.runJob("daily") })
	if err != nil {
		return err
	}
	if op != "" {
		r.record(op, first.Sub(second))
	}
	return nil
}

type invoiceRef struct {
	InvoiceID string
	FeeYear   int
	DueDate   string
	Total     fees.Money
}

func (r *costRun) invoices(cityID, token string) ([]invoiceRef, error) {
	b, _, err := r.call(http.MethodGet, "/cities/"+cityID+"/invoices", token, "", http.StatusOK)
	if err != nil {
		return nil, err
	}
	var l struct{ Invoices []invoiceRef }
	return l.Invoices, json.Unmarshal(b, &l)
}

// year takes one city from its application through a year of membership,
// then measures the schedules' runs and what each member and open invoice
// adds to the daily run.
func (r *costRun) year() error {
	t0 := time.Date(2027, 3, 2, 0, 0, 0, 0, fees.Paris)
	r.at(t0, 10)
	secret, tok := auth.Issue(auth.RoleSecretariat, "", "bench-cost", r.s.Clock.Now(), 5*366*24*time.Hour)
	if err := r.s.Store.PutToken(r.ctx, tok); err != nil {
		return err
	}
	r.admin = secret
	c := &costCity{email: "contact@costville.example"}
	for _, phase := range []func(*costCity) error{r.apply, r.index, r.admission, r.firstInvoice, r.reminders, r.annualInvoice, r.progress} {
		if err := phase(c); err != nil {
			return err
		}
	}
	for range 3 {
		if _, err := r.measure("sweeper run", func() error { return r.runJob("sweeper") }); err != nil {
			return err
		}
	}
	return r.dailyPerMember()
}

// costCity is the city the year follows.
type costCity struct {
	id, email, token string
	inForce          time.Time  // the agreement's start
	invoice          invoiceRef // the open invoice
}

// apply: the form, the application, the access link and the secretariat's
// notice.
func (r *costRun) apply(c *costCity) error {
	if _, err := r.measure("apply", func() error {
		if err := r.gets("", "/apply?lang=en"); err != nil {
			return err
		}
		b, _, err := r.call(http.MethodPost, "/applications", "", fmt.Sprintf(`{"cityName":"Costville","country":"FR",
			"population":180000,"foreignBornShare":13,"foreignResidentShare":9,"nationalMinorityShare":0,
			"contact":{"name":"Contact","email":%q},"language":"en"}`, c.email), http.StatusCreated)
		if err != nil {
			return err
		}
		var resp struct{ CityID string }
		err = json.Unmarshal(b, &resp)
		c.id = resp.CityID
		return err
	}); err != nil {
		return err
	}
	var err error
	c.token, err = tokenFor(r.ctx, r.s, c.email)
	return err
}

// index: the form opened, the draft saved, the submission scored and its
// report drafted, published by the secretariat, read by the city.
func (r *costRun) index(c *costCity) error {
	q := index.Current()
	answers := demo.Answers(q, demo.City{Population: 180000, ForeignBorn: 13}, 0.7, 7, true)
	body := func(a []index.Answer) string {
		b, _ := json.Marshal(map[string]any{"version": q.Version, "answers": a})
		return string(b)
	}
	draft := "/cities/" + c.id + "/index/draft"
	// The draft is one item per city, overwritten: it is created
	// unmeasured, then each measured save replaces it (an edited answer,
	// the same size), which costs requests but adds no storage.
	_, h, err := r.call(http.MethodPut, draft, c.token, body(answers), http.StatusCreated)
	if err != nil {
		return err
	}
	etag := h.Get("ETag")
	for i := range 3 {
		if _, err := r.measure("INDEX form opened", func() error {
			return r.gets(c.token, "/index-form?city="+c.id+"&lang=en", "/cities/"+c.id, "/questionnaire?lang=en", draft)
		}); err != nil {
			return err
		}
		if _, err := r.measure("INDEX draft saved", func() error {
			edited := slices.Clone(answers)
			edited[i].Evidence = fmt.Sprintf("Council decision %d of 2027", 100+i)
			_, h, err := r.call(http.MethodPut, draft, c.token, body(edited), http.StatusOK, "If-Match", etag)
			if err == nil {
				etag = h.Get("ETag")
			}
			return err
		}); err != nil {
			return err
		}
	}
	if _, err := r.measure("INDEX submitted, scored, report drafted", func() error {
		_, _, err := r.call(http.MethodPost, "/cities/"+c.id+"/index/submissions", c.token, body(answers), http.StatusAccepted,
			"Idempotency-Key", "cost-submit")
		return err
	}); err != nil {
		return err
	}
	reports := "/cities/" + c.id + "/reports"
	var reportID string
	if _, err := r.measure("report reviewed and published", func() error {
		b, _, err := r.call(http.MethodGet, reports, r.admin, "", http.StatusOK)
		if err != nil {
			return err
		}
		var l struct {
			Reports []struct{ ReportID, Status string }
		}
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		for _, rep := range l.Reports {
			if rep.Status == "draft" {
				reportID = rep.ReportID
			}
		}
		if reportID == "" {
			return fmt.Errorf("no draft report: %s", b)
		}
		_, _, err = r.call(http.MethodPost, "/admin/cities/"+c.id+"/reports/"+reportID+"/publish", r.admin, "", http.StatusOK)
		return err
	}); err != nil {
		return err
	}
	for range 2 {
		if _, err := r.measure("report read (list, HTML, PDF)", func() error {
			return r.gets(c.token, reports, reports+"/"+reportID+" accept=text/html", reports+"/"+reportID+" accept=application/pdf")
		}); err != nil {
			return err
		}
	}
	return nil
}

// admission: intent, expert visit, its report, the profile and the
// agreement, each on its day and emailed.
func (r *costRun) admission(c *costCity) error {
	admin := "/admin/cities/" + c.id
	post := func(path, body string) ([]byte, error) {
		b, _, err := r.call(http.MethodPost, admin+path, r.admin, body, http.StatusOK)
		if err == nil {
			err = r.s.Drain(r.ctx) // each step's emails go out on their own
		}
		return b, err
	}
	_, err := r.measure("admission steps (intent to agreement)", func() error {
		if _, err := post("/intent", fmt.Sprintf(`{"signedOn":%q}`, r.day(-60))); err != nil {
			return err
		}
		b, err := post("/expert-visits", fmt.Sprintf(`{"scheduledFor":%q,
			"experts":[{"name":"Ana Expert","email":"ana@experts.example"},{"name":"Ben Expert","email":"ben@experts.example"}],
			"representative":{"name":"Chloé CoE","email":"chloe@coe.example"}}`, r.day(-40)))
		if err != nil {
			return err
		}
		var v struct{ ExpertVisit struct{ VisitID string } }
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		for _, step := range []struct{ path, body string }{
			{"/expert-visits/" + v.ExpertVisit.VisitID + "/held", fmt.Sprintf(`{"heldOn":%q,"diagnosis":"Strong commitment; weak data."}`, r.day(-38))},
			{"/profile", fmt.Sprintf(`{"title":"Intercultural profile of Costville","issuedOn":%q}`, r.day(-30))},
			{"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, r.day(-20), r.day(-25), r.day(4*365))},
		} {
			if _, err := post(step.path, step.body); err != nil {
				return err
			}
		}
		return nil
	})
	c.inForce = r.s.Clock.Now().AddDate(0, 0, -20)
	return err
}

// firstInvoice: the billing details issue the year's invoice, archive its
// PDF and e-invoice and email them; the city and the secretariat look.
func (r *costRun) firstInvoice(c *costCity) error {
	if _, err := r.measure("billing details and first invoice", func() error {
		_, _, err := r.call(http.MethodPut, "/cities/"+c.id+"/billing", c.token, `{"legalName":"Ville de Costville",
			"address":{"street":"1 place de l'Hôtel de Ville","city":"Costville","postalCode":"69001","country":"FR"},
			"reference":"SERV-INTERNATIONAL","email":"finances@costville.example"}`, http.StatusOK)
		return err
	}); err != nil {
		return err
	}
	invs, err := r.invoices(c.id, c.token)
	if err != nil || len(invs) != 1 {
		return fmt.Errorf("the first invoice: %v %+v", err, invs)
	}
	c.invoice = invs[0]
	for range 2 {
		if _, err := r.measure("invoices viewed (page, list, PDF)", func() error {
			return r.gets(c.token, "/invoices?city="+c.id+"&lang=en", "/cities/"+c.id, "/cities/"+c.id+"/invoices",
				"/cities/"+c.id+"/invoices/"+c.invoice.InvoiceID+"?format=pdf")
		}); err != nil {
			return err
		}
		if _, err := r.measure("city file viewed", func() error { return r.gets(c.token, "/cities/"+c.id) }); err != nil {
			return err
		}
		if _, err := r.measure("secretariat works the file", func() error {
			return r.gets(r.admin, "/secretariat", "/admin/cities?status=member&limit=50", "/cities/"+c.id,
				"/cities/"+c.id+"/invoices", "/cities/"+c.id+"/progress-reports", "/admin/cities/"+c.id+"/audit")
		}); err != nil {
			return err
		}
	}
	return nil
}

// reminders: the invoice left unpaid through every reminder stage, as
// configured, then paid.
func (r *costRun) reminders(c *costCity) error {
	due, err := time.ParseInLocation("2006-01-02", c.invoice.DueDate, fees.Paris)
	if err != nil {
		return fmt.Errorf("the invoice's due date %q: %w", c.invoice.DueDate, err)
	}
	st := r.s.Schedule.Invoicing.Rules.Reminders
	for _, stage := range []struct {
		op   string
		days int
	}{{"courtesy notice", -st.CourtesyBefore}, {"reminder", st.ReminderAfter},
		{"final notice (and the secretariat's copy)", st.FinalAfter}, {"invoice flagged", st.FlagAfter}} {
		r.at(due.AddDate(0, 0, stage.days), 6)
		if err := r.daily(stage.op, ""); err != nil {
			return err
		}
	}
	r.at(due.AddDate(0, 0, st.FlagAfter+1), 10)
	return r.pay(c.invoice)
}

// pay records the payment of an invoice in full.
func (r *costRun) pay(inv invoiceRef) error {
	_, err := r.measure("payment recorded", func() error {
		_, _, err := r.call(http.MethodPost, "/admin/invoices/"+inv.InvoiceID+"/payments", r.admin,
			fmt.Sprintf(`{"amount":%d,"receivedOn":%q,"reference":"VIR %s"}`, inv.Total.Amount, r.day(0), inv.InvoiceID),
			http.StatusCreated)
		return err
	})
	return err
}

// annualInvoice: in January the annual run invoices the member; run again,
// it finds nothing to do; the difference is one member's invoice. It is
// paid at once.
func (r *costRun) annualInvoice(c *costCity) error {
	year := fees.FeeYear(r.s.Clock.Now()) + 1
	r.at(time.Date(year, 1, 2, 0, 0, 0, 0, fees.Paris), 7)
	first, err := r.measure("", func() error { return r.runJob("annual-invoices") })
	if err != nil {
		return err
	}
	second, err := r.measure("annual run (fixed part)", func() error { return r.runJob("annual-invoices") })
	if err != nil {
		return err
	}
	r.record("annual invoice (run, issue, archive, email)", first.Sub(second))
	invs, err := r.invoices(c.id, r.admin)
	if err != nil {
		return err
	}
	r.at(r.s.Clock.Now(), 11)
	for _, inv := range invs {
		if inv.FeeYear == year {
			return r.pay(inv)
		}
	}
	return fmt.Errorf("no invoice for %d: %+v", year, invs)
}

// progress: a year after the agreement came into force the daily run asks
// for the progress report, with a fresh link; the city sends it.
func (r *costRun) progress(c *costCity) error {
	due := membership.AddMonths(c.inForce, 12)
	r.at(due.AddDate(0, 0, 1), 6)
	if err := r.daily("progress report reminder", ""); err != nil {
		return err
	}
	fresh, err := tokenFor(r.ctx, r.s, c.email)
	if err != nil {
		return err
	}
	_, err = r.measure("progress report sent", func() error {
		if err := r.gets(fresh, "/progress-report?city="+c.id+"&lang=en", "/cities/"+c.id+"/progress-reports"); err != nil {
			return err
		}
		_, _, err := r.call(http.MethodPost, "/cities/"+c.id+"/progress-reports", fresh, fmt.Sprintf(`{"period":%q,
			"actions":["Intercultural training for 120 civil servants"],"indicators":[{"name":"Mixed schools","value":"41 %%","target":"50 %%"}],
			"text":"A year of implementing the strategy."}`, membership.PeriodOf(due, 12)), http.StatusCreated)
		return err
	})
	return err
}

// dailyPerMember measures what the daily run costs per member and per
// open invoice in the reminder window, by adding seededMembers of each.
func (r *costRun) dailyPerMember() error {
	ctx, s := r.ctx, r.s
	if err := r.daily("", "daily run, one member"); err != nil {
		return err
	}
	base := r.unit("daily run, one member")
	now := s.Clock.Now().UTC()
	year := fees.FeeYear(now)
	var cities []membership.City
	for i := range seededMembers {
		c := benchMember(i, []int{year - 1, year})
		c.Agreement.InForceFrom = now.AddDate(0, -1, 0).Format("2006-01-02") // no progress report due yet
		cities = append(cities, c)
	}
	if err := s.Store.SeedCities(ctx, cities); err != nil {
		return err
	}
	if err := r.daily("", "daily run, with members"); err != nil {
		return err
	}
	withMembers := r.unit("daily run, with members")
	perMember := nonNegative(withMembers.Sub(base).Scale(1.0 / seededMembers))
	r.record("daily run, per member", perMember)
	r.record("daily run (fixed part)", base.Sub(perMember))

	// Open invoices in the reminder window: the first run sends their
	// notices; from the second on, each costs its daily check.
	settings := invoicedoc.SampleSettings()
	issued := fees.Today(now).AddDays(-30)
	var open []membership.InvoiceIssued
	for i, c := range cities {
		inv, err := settings.IssueInvoice(fees.InvoiceRequest{ID: ids.New(), Seq: 900000 + i, CityID: c.ID,
			Buyer: invoicedoc.SampleBuyer(), Language: i18n.French, IssueDate: issued,
			Charge: fees.Charge{Year: year, Amount: fees.Euros(500000), Yearly: fees.Euros(500000), Months: 12,
				From: fees.NewDate(year, 1, 1), To: fees.NewDate(year, 12, 31), Policy: "full"}})
		if err != nil {
			return err
		}
		open = append(open, membership.InvoiceIssued{Invoice: inv})
	}
	if err := s.Store.SeedInvoices(ctx, open); err != nil {
		return err
	}
	if err := r.daily("", "daily run, with open invoices"); err != nil {
		return err
	}
	perInvoice := nonNegative(r.unit("daily run, with open invoices").Sub(withMembers).Scale(1.0 / seededMembers))
	r.record("daily run, per open invoice in the reminder window", perInvoice)
	return nil
}
