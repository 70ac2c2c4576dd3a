// Command applications serves POST /applications: a city applies.
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
	var s config.ApplicationsSettings
	boot.Load(&s)
	ctx := context.Background()
	cfg, err := boot.AWS(ctx)
	if err != nil {
		boot.Exit(err)
	}
	rules := boot.ApplicationRules(s)
	if rules.LinkKey, err = linkkeys.New(cfg, s.LinkKeySecret).Current(ctx); err != nil {
		boot.Exit(err)
	}
	api := httpapi.New(boot.Store(s.Table, cfg), rules)
	lambda.Start(httpapi.LambdaHandler(api.Serve(httpapi.ApplicationsRoutes)))
}
