// Command secretariat serves the secretariat's /admin routes: the pipeline,
// the admission and agreement steps, the audit trail, city tokens, and
// asking for a run of a schedule now (which the schedule's own function
// runs) and following it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/linkkeys"
)

func main() {
	var s config.SecretariatSettings
	boot.Load(&s)
	ctx := context.Background()
	cfg, err := boot.AWS(ctx)
	if err != nil {
		boot.Exit(err)
	}
	st := boot.Store(s.Table, cfg)
	rules := boot.SecretariatRules(s)
	if rules.LinkKey, err = linkkeys.New(cfg, s.LinkKeySecret).Current(ctx); err != nil {
		boot.Exit(err)
	}
	if err := boot.CheckInvoicing(rules); err != nil {
		boot.Exit(err)
	}
	api := httpapi.New(st, rules)
	lambda.Start(httpapi.LambdaHandler(api.Serve(httpapi.SecretariatRoutes)))
}
