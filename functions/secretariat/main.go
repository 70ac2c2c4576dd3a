// Command secretariat serves the secretariat's /admin routes: the pipeline,
// the admission and agreement steps, the audit trail, city tokens, and
// running a schedule now.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/intercultural-cities/backoffice/shared/boot"
	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

func main() {
	vars := append(append(boot.MembershipVars, boot.RulesVars...), config.TableName, config.SweepAfter)
	env, err := boot.Env(vars...)
	if err != nil {
		boot.Exit(err)
	}
	settings, err := boot.MembershipSettings(env)
	if err != nil {
		boot.Exit(err)
	}
	rules, err := boot.WorkflowRules(env)
	if err != nil {
		boot.Exit(err)
	}
	cfg, err := boot.AWS(context.Background())
	if err != nil {
		boot.Exit(err)
	}
	s := boot.Store(env, cfg)
	sweeper, err := boot.Sweeper(env, s)
	if err != nil {
		boot.Exit(err)
	}
	api := httpapi.New(s, settings, boot.Jobs(sweeper, boot.Schedule(rules, s)))
	api.Rules = rules
	lambda.Start(httpapi.LambdaHandler(api.Handler("secretariat")))
}
