// Command secretariat serves the secretariat's /admin routes, among them
// POST /admin/runs/{schedule}, which runs a schedule's code now.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

func main() {
	env, err := boot.Env(config.TableName, config.SweepAfter)
	if err != nil {
		boot.Exit(err)
	}
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	s := boot.Store(env, cfg)
	sweeper, err := boot.Sweeper(env, s)
	if err != nil {
		boot.Exit(err)
	}
	api := boot.API(s, membership.Settings{}, boot.Jobs(sweeper))
	lambda.Start(httpapi.LambdaHandler(api.Handler("secretariat")))
}
