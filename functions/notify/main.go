// Command notify consumes notification items from the table's stream and
// sends each email once through SES, reporting failed records so that only
// they are retried.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/linkkeys"
	"github.com/intercultural-cities/backoffice/shared/mail"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

func main() {
	var s config.NotifySettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	notifier := boot.Notifier(boot.Store(s.Table, cfg), mail.New(cfg, s.Sender),
		linkkeys.New(cfg, s.LinkKeySecret), s.Retention)
	notifier.Documents = archive.New(cfg, s.DocumentsBucket)
	lambda.Start(outbox.StreamHandler(outbox.TypeNotification, boot.DeliverNotification(notifier)))
}
