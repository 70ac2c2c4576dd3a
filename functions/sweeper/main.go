// Command sweeper runs on a schedule and re-drives work items that stayed
// pending longer than SWEEP_AFTER, so a lost or failed trigger loses nothing.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

func main() {
	var s config.SweeperSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	sweeper := boot.Sweeper(s.Sweep, boot.Store(s.Table, cfg))
	lambda.Start(func(ctx context.Context, _ map[string]any) (outbox.SweepResult, error) {
		return sweeper.Sweep(ctx)
	})
}
