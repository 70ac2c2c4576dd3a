// Command publisher consumes the table's stream: it archives each
// published analytical report (its model, HTML and PDF, under S3 Object
// Lock) and emails it to the city with the PDF attached.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/reporting"
)

func main() {
	var s config.PublisherSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	forms := s.FormsBaseURL
	if forms == "" {
		forms = s.APIURL
	}
	svc := &reporting.Service{Store: boot.Store(s.Table, cfg), Archive: archive.New(cfg, s.DocumentsBucket),
		FormsBaseURL: forms, Now: time.Now}
	lambda.Start(outbox.StreamHandler(outbox.TypeReport, svc.ArchiveReport))
}
