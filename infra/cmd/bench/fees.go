package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/invoicedoc"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/report"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// members is the size of the network the fee figures are measured at.
const members = 10_000

// benchMember is a member whose agreement covers the bench's years.
func benchMember(i int, invoiced []int) membership.City {
	now := time.Now().UTC()
	b := invoicedoc.SampleBuyer()
	return membership.City{ID: ids.New(), Name: fmt.Sprintf("Bench Member %d", i), Country: "FR", Population: 100000 + int64(i),
		ForeignBornShare: 12, Contact: membership.Contact{Name: "Bench", Email: fmt.Sprintf("member%d@bench.example", i)},
		Language: "fr", Status: membership.StatusMember, Eligibility: eligibility.Verdict{Eligible: true},
		AppliedAt: now, UpdatedAt: now, Billing: &b, InvoicedYears: invoiced,
		Agreement: &membership.Agreement{CitySignedOn: "2025-03-01", CoESignedOn: "2025-03-01", InForceFrom: "2025-03-01",
			EndsOn: "2035-02-28", FeePerYear: fees.Euros(500000)}}
}

// feeFigures measures the yearly fee at 10 000 members: the annual run
// beside a bare BatchWriteItem of the same work items, a repeated run with
// nothing to do, the DynamoDB calls per invoice, a reminder run over 10 000
// open invoices, and the documents.
func feeFigures(ctx context.Context, s *local.Stack) error {
	measure := func(f func() error) (time.Duration, int64, error) {
		before := s.RoundTrips.Load()
		start := time.Now()
		err := f()
		return time.Since(start), s.RoundTrips.Load() - before, err
	}
	// A network of members, none invoiced for the year yet.
	year := fees.FeeYear(time.Now()) + 1
	var cities []membership.City
	for i := range members {
		cities = append(cities, benchMember(i, nil))
	}
	if err := s.Store.SeedCities(ctx, cities); err != nil {
		return err
	}
	inv := &membership.Invoicing{Store: s.Store, Now: time.Now, NewID: ids.New}
	var res membership.AnnualResult
	// The baseline: the same work items, written by bare batches.
	var reqs []types.WriteRequest
	now := time.Now()
	for _, c := range cities {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: store.FeeDueItem(c.ID, year+1, now)}})
	}
	baseline := func() (time.Duration, error) {
		start := time.Now()
		for i := 0; i < len(reqs); i += 25 {
			if _, err := s.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{s.Table: reqs[i:min(i+25, len(reqs))]}}); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	// The run and the baseline alternate, three times each, and the medians
	// are compared: one run on its own swings with the collector and the
	// emulator's state. A run before any member is invoiced queues every
	// member's work item again (the same keys): the same work each time.
	var runs, bares []time.Duration
	var runTrips int64
	for range 3 {
		runTime, trips, err := measure(func() error {
			var err error
			res, err = inv.RunAnnual(ctx, year)
			return err
		})
		if err != nil {
			return err
		}
		if res.Queued != members {
			return fmt.Errorf("the annual run queued %d of %d members", res.Queued, members)
		}
		bare, err := baseline()
		if err != nil {
			return err
		}
		runs, bares, runTrips = append(runs, runTime), append(bares, bare), trips
	}
	slices.Sort(runs)
	slices.Sort(bares)
	runTime, bare := runs[1], bares[1]
	ratio := float64(runTime) / float64(bare)
	add(fmt.Sprintf("annual-invoices run, %d members (read members, queue work), median of 3", members), runTime.Round(time.Millisecond).String(),
		"bare BatchWriteItem of the same items: "+bare.Round(time.Millisecond).String(), "ratio <= 3", ratio <= 3)
	add("  ratio", fmt.Sprintf("%.2f", ratio), "1.00", "<= 3", ratio <= 3)
	add("  DynamoDB round trips", fmt.Sprint(runTrips), fmt.Sprintf("%d batches of 25", (members+24)/25),
		"queries of members + batches", runTrips <= int64(members/25+members/100+10))

	// The same run once every member has its invoice: reads, writes nothing.
	for i := range cities {
		cities[i].InvoicedYears = []int{year}
		cities[i].Version++ // as issuing it left the file
	}
	if err := s.Store.SeedCities(ctx, cities); err != nil {
		return err
	}
	again, againTrips, err := measure(func() error {
		var err error
		res, err = inv.RunAnnual(ctx, year)
		return err
	})
	if err != nil {
		return err
	}
	add(fmt.Sprintf("  the run repeated, all %d members invoiced", members), again.Round(time.Millisecond).String(),
		fmt.Sprintf("%d queued, %d already invoiced", res.Queued, res.Invoiced), "0 new invoices", res.Queued == 0 && res.Invoiced == members)
	add("    its DynamoDB round trips (reads only)", fmt.Sprint(againTrips), "-", "no write", true)

	// One invoice issued by billing from its work item, then archived.
	one := benchMember(0, nil)
	if err := s.Store.SeedCities(ctx, []membership.City{one}); err != nil {
		return err
	}
	if err := s.Store.QueueInvoicing(ctx, year, []string{one.ID}, now); err != nil {
		return err
	}
	_, issueTrips, err := measure(func() error {
		return s.Billing.IssueDue(ctx, outbox.Key{PK: store.CityPrefix + one.ID, SK: fmt.Sprintf("%s%d", store.FeeDuePrefix, year)})
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: issue one invoice (next number, city, transaction, work done)", fmt.Sprint(issueTrips), "-", "<= 4", issueTrips <= 4)
	l, err := s.Store.CityInvoices(ctx, one.ID)
	if err != nil || len(l) != 1 {
		return fmt.Errorf("the bench invoice: %v %d", err, len(l))
	}
	id := l[0].Invoice.ID
	archive, archiveTrips, err := measure(func() error {
		return s.Billing.ArchiveDocuments(ctx, outbox.Key{PK: store.InvoicePrefix + id, SK: store.DocumentsPrefix + id})
	})
	if err != nil {
		return err
	}
	add("  archive its documents (render PDF + XML, 2 S3 puts, email queued)", archive.Round(time.Millisecond).String(),
		fmt.Sprintf("%d DynamoDB round trips", archiveTrips), "<= 3 round trips", archiveTrips <= 3)

	// A reminder run over 10 000 open invoices all at the reminder stage.
	var issued []membership.InvoiceIssued
	settings := invoicedoc.SampleSettings()
	issueDate := fees.Today(time.Now()).AddDays(-50)
	for i := range members {
		inv, err := settings.IssueInvoice(fees.InvoiceRequest{ID: ids.New(), Seq: 100000 + i, CityID: cities[i].ID,
			Buyer: invoicedoc.SampleBuyer(), Language: i18n.French, IssueDate: issueDate,
			Charge: fees.Charge{Year: year, Amount: fees.Euros(500000), Yearly: fees.Euros(500000), Months: 12,
				From: fees.NewDate(year, 1, 1), To: fees.NewDate(year, 12, 31), Policy: "full"}})
		if err != nil {
			return err
		}
		issued = append(issued, membership.InvoiceIssued{Invoice: inv})
	}
	if err := s.Store.SeedInvoices(ctx, issued); err != nil {
		return err
	}
	rem := &membership.Invoicing{Store: s.Store, Now: time.Now, NewID: ids.New, Rules: membership.Rules{
		SecretariatEmail: "secretariat@bench.example", Reminders: fees.DefaultReminderRules}}
	var rr membership.ReminderResult
	remTime, remTrips, err := measure(func() error {
		var err error
		rr, err = rem.RunReminders(ctx)
		return err
	})
	if err != nil {
		return err
	}
	readTime, _, err := measure(func() error {
		_, err := s.Store.OpenInvoices(ctx, fees.Today(time.Now()).AddDays(7))
		return err
	})
	if err != nil {
		return err
	}
	add(fmt.Sprintf("reminder run, %d open invoices (%d reminders queued)", rr.Open, rr.Sent), remTime.Round(time.Millisecond).String(),
		"reading the open invoices alone: "+readTime.Round(time.Millisecond).String(), "-", rr.Sent >= members)
	add("  DynamoDB round trips", fmt.Sprint(remTrips), "-", "1 query per page + 1 read per 50 due + 1 write per reminder", true)
	again, againRem, err := measure(func() error {
		rr, err = rem.RunReminders(ctx)
		return err
	})
	if err != nil {
		return err
	}
	add("  the same reminder run again", again.Round(time.Millisecond).String(), fmt.Sprintf("%d sent", rr.Sent), "0 sent", rr.Sent == 0)
	add("    its DynamoDB round trips (reads only)", fmt.Sprint(againRem), "-", "no write", againRem <= int64(members/50+10))

	// The documents of one invoice.
	sample := invoicedoc.SampleInvoice()
	const renders = 20
	var pdf, xml []byte
	pdfTime, _, err := measure(func() error {
		for range renders {
			if pdf, err = invoicedoc.InvoicePDF(sample); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	xmlTime, _, err := measure(func() error {
		for range renders {
			if xml, err = invoicedoc.InvoiceUBL(sample); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	add("invoice PDF (EN/FR, QR code, embedded font): time, size", fmt.Sprintf("%v, %d KB", (pdfTime/renders).Round(time.Microsecond),
		len(pdf)/1024), "-", "<= 100 KB", len(pdf) <= 100<<10)
	add("invoice e-invoice (EN 16931 UBL 2.1): time, size", fmt.Sprintf("%v, %d KB", (xmlTime/renders).Round(time.Microsecond),
		len(xml)/1024), "-", "-", true)
	return nil
}

// reportFigures measures the analytical report for a full submission
// against 1 000 cities, beside a one-page PDF from the same library.
func reportFigures() error {
	in := report.SampleInput(1000)
	const runs = 5
	timeIt := func(f func() error) (time.Duration, error) {
		start := time.Now()
		for range runs {
			if err := f(); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / runs, nil
	}
	var m report.Model
	build, err := timeIt(func() error {
		var err error
		m, err = report.Build(in)
		return err
	})
	if err != nil {
		return err
	}
	var html, pdf, page bytes.Buffer
	htmlTime, err := timeIt(func() error { html.Reset(); return report.RenderHTML(&html, m) })
	if err != nil {
		return err
	}
	pdfTime, err := timeIt(func() error { pdf.Reset(); return report.RenderPDF(&pdf, m) })
	if err != nil {
		return err
	}
	pageTime, err := timeIt(func() error {
		page.Reset()
		return report.BaselinePDF(&page, "Intercultural Cities", "One page.", time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	})
	if err != nil {
		return err
	}
	add("analytical report, 1 000 cities: build the model", build.Round(time.Microsecond).String(), "-", "-", true)
	add("  render HTML: time, size", fmt.Sprintf("%v, %d KB", htmlTime.Round(time.Microsecond), html.Len()/1024), "-", "-", true)
	add("  render PDF: time, size", fmt.Sprintf("%v, %d KB", pdfTime.Round(time.Millisecond), pdf.Len()/1024),
		fmt.Sprintf("one-page PDF: %v, %d KB", pageTime.Round(time.Millisecond), page.Len()/1024), "<= 1 MB", pdf.Len() <= 1<<20)
	return nil
}
