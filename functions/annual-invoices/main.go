// Command annual-invoices runs every January: it asks for one invoice per
// member whose agreement covers the year (the billing function issues
// them). Running it twice, or concurrently, still gives one invoice per
// member and year.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

func main() {
	var s config.AnnualInvoicesSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	invoicing := boot.Invoicing(membership.Rules{}, boot.Store(s.Table, cfg))
	lambda.Start(func(ctx context.Context, input json.RawMessage) (membership.AnnualResult, error) {
		year, err := membership.RunYear(input)
		if err != nil {
			return membership.AnnualResult{}, err
		}
		return invoicing.RunAnnual(ctx, year)
	})
}
