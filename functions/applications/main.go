// Command applications serves POST /applications: a city applies.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

func main() {
	env, err := boot.Env(append(boot.MembershipVars, config.TableName)...)
	if err != nil {
		boot.Exit(err)
	}
	settings, err := boot.MembershipSettings(env)
	if err != nil {
		boot.Exit(err)
	}
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	api := httpapi.New(boot.Store(env, cfg), settings, nil)
	lambda.Start(httpapi.LambdaHandler(api.Handler("applications")))
}
