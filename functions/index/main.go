// Command index serves a city's INDEX work: saving and resuming a draft,
// submitting the questionnaire and reading a submission's results.
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
	var s config.IndexSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	api := httpapi.New(boot.Store(s.Table, cfg), membership.Rules{})
	lambda.Start(httpapi.LambdaHandler(api.Serve(httpapi.IndexRoutes)))
}
