// Command billing consumes the table's stream: it issues each invoice the
// annual run asked for, and archives each issued invoice and credit note
// (PDF and e-invoice, under Object Lock) before emailing it.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/billing"
	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

func main() {
	var s config.BillingSettings
	boot.Load(&s)
	rules := boot.BillingRules(s)
	if err := boot.CheckInvoicing(rules); err != nil {
		boot.Exit(err)
	}
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	st := boot.Store(s.Table, cfg)
	svc := &billing.Service{Store: st, Archive: archive.New(cfg, s.DocumentsBucket), Invoicing: boot.Invoicing(rules, st),
		Now: time.Now}
	lambda.Start(outbox.StreamHandlers(svc.Consumers()))
}
