// Command score consumes new INDEX submissions from the table's stream: it
// scores each one once, places the city in the network's comparison groups
// and queues the results email.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

func main() {
	var s config.ScoreSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	scorer := boot.Scorer(s, boot.Store(s.Table, cfg))
	lambda.Start(outbox.StreamHandler(outbox.TypeSubmission, boot.ScoreSubmission(scorer)))
}
