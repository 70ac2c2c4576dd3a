// Command questionnaire serves the INDEX questionnaire: GET /questionnaire,
// GET /questionnaire/{version} and the JSON Schema of a submission.
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
	lambda.Start(httpapi.LambdaHandler(api.Handler("questionnaire")))
}
