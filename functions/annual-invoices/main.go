// Command annual-invoices runs every January: it asks for one invoice per
// member whose agreement covers the year (the billing function issues
// them). Running it twice, or concurrently, still gives one invoice per
// member and year. It also runs the annual invoicing the secretariat asks
// for (POST /admin/runs/annual-invoices): the run records the table's
// stream brings it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/runs"
)

func main() {
	var s config.AnnualInvoicesSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	st := boot.Store(s.Table, cfg)
	job := boot.AnnualJob(boot.Invoicing(membership.Rules{}, st))
	lambda.Start(runs.Handler(job, boot.ConsumeRun(boot.Runner("annual-invoices", job, st))))
}
