// Command daily runs every morning: it applies terminations and expiries
// that take effect, warns of agreements ending in 90 and 30 days, and
// reminds members of their yearly progress report. Running it twice the same
// day sends nothing twice. It also runs the daily duties the secretariat
// asks for (POST /admin/runs/daily): the run records the table's stream
// brings it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/linkkeys"
	"github.com/intercultural-cities/backoffice/shared/runs"
)

func main() {
	var s config.DailySettings
	boot.Load(&s)
	ctx := context.Background()
	cfg, err := boot.AWS(ctx)
	if err != nil {
		boot.Exit(err)
	}
	rules := boot.DailyRules(s)
	if rules.LinkKey, err = linkkeys.New(cfg, s.LinkKeySecret).Current(ctx); err != nil {
		boot.Exit(err)
	}
	st := boot.Store(s.Table, cfg)
	job := boot.DailyJob(boot.Schedule(rules, st))
	lambda.Start(runs.Handler(job, boot.ConsumeRun(boot.Runner("daily", job, st))))
}
