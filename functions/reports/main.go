// Command reports serves the analytical reports: a city's published
// reports (JSON, HTML, PDF), the secretariat's drafts, their commentary and
// publication, and the good-practice catalogue.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/reporting"
)

func main() {
	var s config.ReportsSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	st := boot.Store(s.Table, cfg)
	api := httpapi.New(st, membership.Rules{})
	api.Documents = archive.New(cfg, s.DocumentsBucket)
	api.Reporting = &reporting.Service{Store: st, Bands: boot.Bands(s.Bands), Now: time.Now}
	lambda.Start(httpapi.LambdaHandler(api.Serve(httpapi.ReportsRoutes)))
}
