// Command invoices serves a city's invoices: the list with each invoice's
// account, one invoice as JSON, or its archived PDF or e-invoice, and the
// city's billing details.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

func main() {
	var s config.InvoicesSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	api := httpapi.New(boot.Store(s.Table, cfg), membership.Rules{})
	api.Documents = archive.New(cfg, s.DocumentsBucket)
	lambda.Start(httpapi.LambdaHandler(api.Serve(httpapi.InvoicesRoutes)))
}
