// Command questionnaire serves the INDEX questionnaire: GET /questionnaire,
// GET /questionnaire/{version} and the JSON Schema of a submission. It needs
// no AWS client, so it links none.
package main

import (
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

func main() {
	env, err := config.Load(config.LogLevel)
	if err != nil {
		slog.Error("start-up failed", "error", err)
		os.Exit(1)
	}
	config.InstallLogger(env)
	api := &httpapi.API{Now: time.Now}
	lambda.Start(httpapi.LambdaHandler(api.Handler("questionnaire")))
}
