// Command openapi serves GET /openapi.json: the published HTTP contract.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

func main() {
	if _, err := boot.Env(); err != nil {
		boot.Exit(err)
	}
	api := boot.API(nil, membership.Settings{}, nil)
	lambda.Start(httpapi.LambdaHandler(api.Handler("openapi")))
}
