// Command web serves the web forms: GET / (a bilingual landing page),
// GET /apply (the application form) and GET /index-form (the INDEX form).
// The pages call the API from the browser; the function itself needs no AWS
// client, so it links none.
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
	lambda.Start(httpapi.LambdaHandler(api.Handler("web")))
}
