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
	var s config.ApplicationsSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	api := httpapi.New(boot.Store(s.Table, cfg), boot.ApplicationRules(s), nil)
	lambda.Start(httpapi.LambdaHandler(api.Handler("applications")))
}
