// Command sweeper runs on a schedule and re-drives work items that stayed
// pending longer than SWEEP_AFTER, so a lost or failed trigger loses nothing.
// It also runs the sweeps the secretariat asks for (POST
// /admin/runs/sweeper): the run records the table's stream brings it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/runs"
)

func main() {
	var s config.SweeperSettings
	boot.Load(&s)
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	st := boot.Store(s.Table, cfg)
	job := boot.SweepJob(boot.Sweeper(s.Sweep, st))
	lambda.Start(runs.Handler(job, boot.ConsumeRun(boot.Runner("sweeper", job, st))))
}
