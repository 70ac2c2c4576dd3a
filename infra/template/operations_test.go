package template

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// What an on-call engineer expects of the deployed stack: every function,
// failure queue, stream mapping and the API watched by an alarm that reaches
// someone, and every log kept for a set time. The tests go over the
// template's resources, so a function or a queue added later fails here
// until it is watched too.

func ref(id string) map[string]any { return map[string]any{"Ref": id} }

func getAtt(id, attr string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }

// notEmpty is the condition "parameter is not empty", as the template writes it.
func notEmpty(param string) any {
	return map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{ref(param), ""}}}}
}

func loadAlarms(t *testing.T, tpl *Template) []Alarm {
	t.Helper()
	alarms, err := tpl.Alarms()
	if err != nil {
		t.Fatal(err)
	}
	return alarms
}

// watching returns the alarms that read metric name of namespace with
// exactly dims.
func watching(alarms []Alarm, namespace, name string, dims map[string]any) []Alarm {
	var out []Alarm
	for _, a := range alarms {
		if a.Reads(namespace, name, dims) {
			out = append(out, a)
		}
	}
	return out
}

// httpAPI returns the template's one HTTP API.
func httpAPI(t *testing.T, tpl *Template) (string, Resource) {
	t.Helper()
	ids := tpl.IDs("AWS::Serverless::HttpApi")
	if len(ids) != 1 {
		t.Fatalf("the template has %d AWS::Serverless::HttpApi, want 1", len(ids))
	}
	return ids[0], tpl.Resources[ids[0]]
}

// queueOf returns the logical id of the queue an ARN as written names
// (!GetAtt Queue.Arn), or "".
func queueOf(tpl *Template, arn string) string {
	id, ok := strings.CutPrefix(arn, "!GetAtt ")
	if !ok {
		return ""
	}
	id, ok = strings.CutSuffix(id, ".Arn")
	if !ok || tpl.Resources[id].Type != "AWS::SQS::Queue" {
		return ""
	}
	return id
}

func firstString(l []any) (string, bool) {
	if len(l) == 0 {
		return "", false
	}
	s, ok := l[0].(string)
	return s, ok
}

// The retention periods CloudWatch Logs accepts.
var logRetentions = []float64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
	2557, 2922, 3288, 3653}

func TestLogsAreKeptForLogRetentionDays(t *testing.T) {
	tpl := load(t)
	p, ok := tpl.Parameters["LogRetentionDays"]
	if !ok {
		t.Fatal("no LogRetentionDays parameter")
	}
	if p.Type != "Number" || p.Default != 90.0 {
		t.Errorf("LogRetentionDays is a %s defaulting to %v, want a Number defaulting to 90", p.Type, p.Default)
	}
	if len(p.AllowedValues) == 0 || !slices.Contains(p.AllowedValues, p.Default) {
		t.Errorf("LogRetentionDays allows %v: want CloudWatch's retention periods, its default among them", p.AllowedValues)
	}
	for _, v := range p.AllowedValues {
		if n, ok := v.(float64); !ok || !slices.Contains(logRetentions, n) {
			t.Errorf("LogRetentionDays allows %v, which CloudWatch Logs refuses as RetentionInDays", v)
		}
	}
	groups := tpl.IDs("AWS::Logs::LogGroup")
	if len(groups) == 0 {
		t.Fatal("no AWS::Logs::LogGroup")
	}
	names := map[string]string{}
	for _, id := range groups {
		props := tpl.Resources[id].Properties
		if got := props["RetentionInDays"]; !reflect.DeepEqual(got, ref("LogRetentionDays")) {
			t.Errorf("%s: RetentionInDays is %s, want !Ref LogRetentionDays", id, Written(got))
		}
		name := Written(props["LogGroupName"])
		if !strings.Contains(name, "${Stage}") {
			t.Errorf("%s: LogGroupName %q does not name the stage; two stages in one account would collide", id, name)
		}
		if other, dup := names[name]; dup {
			t.Errorf("%s and %s are both named %q", other, id, name)
		}
		names[name] = id
	}
}

func TestEveryFunctionLogsToItsOwnLogGroup(t *testing.T) {
	tpl := load(t)
	owner := map[string]string{}
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		v, _ := tpl.FunctionProperty(f, "LoggingConfig")
		lc, _ := v.(map[string]any)
		if lc["LogFormat"] != "JSON" {
			t.Errorf("%s: LoggingConfig.LogFormat is %v, want JSON", id, lc["LogFormat"])
		}
		group, isRef := lc["LogGroup"].(map[string]any)
		lg, _ := group["Ref"].(string)
		if !isRef || tpl.Resources[lg].Type != "AWS::Logs::LogGroup" {
			t.Errorf("%s: LoggingConfig.LogGroup is %s, want !Ref to an AWS::Logs::LogGroup of the template "+
				"(Lambda's own /aws/lambda group keeps logs forever)", id, Written(lc["LogGroup"]))
			continue
		}
		if other, dup := owner[lg]; dup {
			t.Errorf("%s and %s share the log group %s", other, id, lg)
		}
		owner[lg] = id
		want := "!Sub /aws/lambda/intercultural-cities-${Stage}-" + f.Name
		if got := Written(tpl.Resources[lg].Properties["LogGroupName"]); got != want {
			t.Errorf("%s: its log group %s is named %q, want %q", id, lg, got, want)
		}
	}
}

func TestAPIAccessLogsAreJSON(t *testing.T) {
	tpl := load(t)
	id, api := httpAPI(t, tpl)
	var als struct {
		DestinationArn any
		Format         string
	}
	if err := remarshal(api.Properties["AccessLogSettings"], &als); err != nil || als.Format == "" {
		t.Fatalf("%s has no AccessLogSettings with a Format (%v)", id, err)
	}
	dest, _ := als.DestinationArn.(map[string]any)
	att, _ := dest["Fn::GetAtt"].([]any)
	if group, _ := firstString(att); len(att) != 2 || att[1] != "Arn" || tpl.Resources[group].Type != "AWS::Logs::LogGroup" {
		t.Errorf("%s: AccessLogSettings.DestinationArn is %s, want !GetAtt <a log group of the template>.Arn", id, Written(als.DestinationArn))
	}
	var line map[string]string
	if err := json.Unmarshal([]byte(als.Format), &line); err != nil {
		t.Fatalf("%s: the access log format is not a JSON object of strings: %v\n%s", id, err, als.Format)
	}
	for _, k := range []string{"requestId", "ip", "routeKey", "status", "responseLength", "integrationError", "latency"} {
		if _, ok := line[k]; !ok {
			t.Errorf("%s: the access log has no %q", id, k)
		}
	}
	for k, v := range line {
		if !regexp.MustCompile(`^\$context\.[A-Za-z.]+$`).MatchString(v) {
			t.Errorf("%s: access log field %q is %q, want one $context variable", id, k, v)
		}
	}
}

func TestApplyingIsThrottledOnItsOwnRoute(t *testing.T) {
	tpl := load(t)
	id, api := httpAPI(t, tpl)
	type limits struct{ ThrottlingBurstLimit, ThrottlingRateLimit float64 }
	var def limits
	var routes map[string]limits
	if err := remarshal(api.Properties["DefaultRouteSettings"], &def); err != nil || def.ThrottlingRateLimit <= 0 || def.ThrottlingBurstLimit <= 0 {
		t.Errorf("%s: DefaultRouteSettings sets no throttling (%v)", id, err)
	}
	if err := remarshal(api.Properties["RouteSettings"], &routes); err != nil {
		t.Fatalf("%s: RouteSettings: %v", id, err)
	}
	// Applying as JSON, and with the form sent without JavaScript.
	for _, route := range []string{"POST /applications", "POST /apply"} {
		apply, ok := routes[route]
		switch {
		case !ok:
			t.Errorf("%s: no RouteSettings for %q, which anyone may call and which sends emails", id, route)
		case apply.ThrottlingRateLimit <= 0 || apply.ThrottlingBurstLimit <= 0:
			t.Errorf("%s: %s has no rate or burst limit: %+v", id, route, apply)
		case apply.ThrottlingRateLimit >= def.ThrottlingRateLimit || apply.ThrottlingBurstLimit >= def.ThrottlingBurstLimit:
			t.Errorf("%s: %s allows %+v, no lower than the default %+v", id, route, apply, def)
		}
	}
	// API Gateway refuses a stage whose route settings name a route the API lacks.
	declared := map[string]bool{}
	for _, f := range tpl.Functions {
		for _, r := range f.Routes {
			declared[r.Method+" "+r.Path] = true
		}
	}
	for key := range routes {
		if !declared[key] {
			t.Errorf("%s: RouteSettings names %q, which no function's HttpApi event declares", id, key)
		}
	}
}

func TestFormsOriginIsNeverAWildcard(t *testing.T) {
	tpl := load(t)
	p, ok := tpl.Parameters["FormsOrigin"]
	if !ok {
		t.Fatal("no FormsOrigin parameter")
	}
	if def, _ := p.Default.(string); strings.Contains(def, "*") {
		t.Errorf("FormsOrigin defaults to %q: any site could call the API from its visitors' browsers", def)
	}
	pattern, err := regexp.Compile(p.AllowedPattern)
	if p.AllowedPattern == "" || err != nil {
		t.Fatalf("FormsOrigin has no AllowedPattern that refuses a wildcard (%q: %v)", p.AllowedPattern, err)
	}
	for _, v := range []string{"*", "https://*.example.org", "http://forms.example.org", "https://forms.example.org/apply", "null"} {
		if pattern.MatchString(v) {
			t.Errorf("FormsOrigin's AllowedPattern accepts %q", v)
		}
	}
	for _, v := range []string{"", "https://forms.example.org", "https://forms.example.org:8443"} {
		if !pattern.MatchString(v) {
			t.Errorf("FormsOrigin's AllowedPattern refuses %q", v)
		}
	}
	if def, _ := p.Default.(string); !pattern.MatchString(def) {
		t.Errorf("FormsOrigin's default %q fails its own AllowedPattern", def)
	}

	// The forms the web function serves call the API from its own origin:
	// CORS only when FormsOrigin names another one, and then only it.
	id, api := httpAPI(t, tpl)
	cors, ok := api.Properties["CorsConfiguration"]
	if !ok {
		return
	}
	m, _ := cors.(map[string]any)
	branches, _ := m["Fn::If"].([]any)
	if len(branches) != 3 {
		t.Fatalf("%s: CorsConfiguration is %s, want !If [<FormsOrigin is not empty>, <configuration>, !Ref AWS::NoValue]", id, Written(cors))
	}
	cond, _ := branches[0].(string)
	if !reflect.DeepEqual(tpl.Conditions[cond], notEmpty("FormsOrigin")) {
		t.Errorf("%s: CORS is conditional on %s, want a condition that FormsOrigin is not empty", id, cond)
	}
	if !reflect.DeepEqual(branches[2], ref("AWS::NoValue")) {
		t.Errorf("%s: without FormsOrigin CorsConfiguration is %s, want !Ref AWS::NoValue", id, Written(branches[2]))
	}
	cfg, _ := branches[1].(map[string]any)
	if got := cfg["AllowOrigins"]; !reflect.DeepEqual(got, []any{ref("FormsOrigin")}) {
		t.Errorf("%s: CORS allows the origins %s, want exactly [!Ref FormsOrigin]", id, Written(got))
	}
	if cfg["AllowCredentials"] == true {
		t.Errorf("%s: CORS allows credentials; the API takes bearer tokens, not cookies", id)
	}
}

func TestFailureQueuesAreKeptEncryptedAndWatched(t *testing.T) {
	tpl := load(t)
	alarms := loadAlarms(t, tpl)
	queues := tpl.IDs("AWS::SQS::Queue")
	if len(queues) == 0 {
		t.Fatal("no AWS::SQS::Queue")
	}
	for _, q := range queues {
		r := tpl.Resources[q]
		if r.DeletionPolicy != "Retain" || r.UpdateReplacePolicy != "Retain" {
			t.Errorf("%s: DeletionPolicy %q, UpdateReplacePolicy %q; want Retain for both: it holds the work that failed",
				q, r.DeletionPolicy, r.UpdateReplacePolicy)
		}
		if r.Properties["SqsManagedSseEnabled"] != true && r.Properties["KmsMasterKeyId"] == nil {
			t.Errorf("%s: neither SqsManagedSseEnabled nor KmsMasterKeyId; its messages would be stored unencrypted", q)
		}
		found := watching(alarms, "AWS/SQS", "ApproximateNumberOfMessagesVisible", map[string]any{"QueueName": getAtt(q, "QueueName")})
		if len(found) == 0 {
			t.Errorf("%s: no alarm on AWS/SQS ApproximateNumberOfMessagesVisible with QueueName !GetAtt %s.QueueName", q, q)
		}
		for _, a := range found {
			notEmptyAlarm := (a.ComparisonOperator == "GreaterThanThreshold" && a.Threshold == 0) ||
				(a.ComparisonOperator == "GreaterThanOrEqualToThreshold" && a.Threshold == 1)
			if !notEmptyAlarm || a.DatapointsToAlarm != 1 {
				t.Errorf("%s: %s fires on %s %v over %d datapoints, want as soon as one message waits", q, a.LogicalID,
					a.ComparisonOperator, a.Threshold, a.DatapointsToAlarm)
			}
			// SQS stops publishing the metrics of a queue left untouched
			// for six hours, messages or not: the missing data must not
			// bring the alarm back to OK while a message still waits.
			if a.TreatMissingData != "ignore" {
				t.Errorf("%s: %s has TreatMissingData %q, want ignore", q, a.LogicalID, a.TreatMissingData)
			}
		}
	}
	// Every failure destination is one of those queues.
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		for i, s := range f.Streams {
			if queueOf(tpl, s.OnFailure) == "" {
				t.Errorf("%s: stream event %d sends failures to %q, not !GetAtt <a queue of the template>.Arn", id, i, s.OnFailure)
			}
		}
		for _, s := range f.Schedules {
			if queueOf(tpl, s.DeadLetter) == "" {
				t.Errorf("%s: schedule %s has DeadLetterConfig.Arn %q, not !GetAtt <a queue of the template>.Arn", id, s.EventName, s.DeadLetter)
			}
		}
	}
}

func TestEveryFunctionHasErrorAndThrottleAlarms(t *testing.T) {
	tpl := load(t)
	alarms := loadAlarms(t, tpl)
	for _, id := range sortedKeys(tpl.Functions) {
		dims := map[string]any{"FunctionName": ref(id)}
		for _, metric := range []string{"Errors", "Throttles"} {
			found := watching(alarms, "AWS/Lambda", metric, dims)
			if len(found) == 0 {
				t.Errorf("%s: no alarm on AWS/Lambda %s with FunctionName !Ref %s", id, metric, id)
			}
			for _, a := range found {
				if m, _ := a.Metric("AWS/Lambda", metric, dims); m.Stat != "Sum" || !firesAbove(a) {
					t.Errorf("%s: %s reads %s %s and fires on %s %v, want the Sum above a positive threshold", id, a.LogicalID,
						m.Stat, metric, a.ComparisonOperator, a.Threshold)
				}
			}
		}
	}
}

// firesAbove reports whether the alarm fires when its value rises to a
// positive threshold.
func firesAbove(a Alarm) bool {
	return (a.ComparisonOperator == "GreaterThanOrEqualToThreshold" || a.ComparisonOperator == "GreaterThanThreshold") && a.Threshold > 0
}

func TestEveryStreamMappingHasAnIteratorAgeAlarm(t *testing.T) {
	tpl := load(t)
	alarms := loadAlarms(t, tpl)
	consumers := 0
	for _, id := range sortedKeys(tpl.Functions) {
		if len(tpl.Functions[id].Streams) == 0 {
			continue
		}
		consumers++
		dims := map[string]any{"FunctionName": ref(id)}
		found := watching(alarms, "AWS/Lambda", "IteratorAge", dims)
		if len(found) == 0 {
			t.Errorf("%s consumes the table's stream and has no alarm on AWS/Lambda IteratorAge with FunctionName !Ref %s", id, id)
		}
		for _, a := range found {
			m, _ := a.Metric("AWS/Lambda", "IteratorAge", dims)
			// Stream records expire after 24 hours: the alarm must fire
			// well before (the threshold is in milliseconds).
			if m.Stat != "Maximum" || !firesAbove(a) || a.Threshold > 6*3600*1000 {
				t.Errorf("%s: %s fires on the %s IteratorAge %s %v ms, want the Maximum above a threshold of at most 6 hours",
					id, a.LogicalID, m.Stat, a.ComparisonOperator, a.Threshold)
			}
		}
	}
	if consumers == 0 {
		t.Fatal("no function consumes the table's stream")
	}
}

func TestAPIServerErrorRateAlarm(t *testing.T) {
	tpl := load(t)
	id, api := httpAPI(t, tpl)
	dims := map[string]any{"ApiId": ref(id), "Stage": api.Properties["StageName"]}
	var found bool
	for _, a := range loadAlarms(t, tpl) {
		errs, ok := a.Metric("AWS/ApiGateway", "5xx", dims)
		if !ok {
			continue
		}
		found = true
		count, ok := a.Metric("AWS/ApiGateway", "Count", dims)
		if !ok || a.Expression == "" {
			t.Errorf("%s: reads 5xx alone; want metric math on 5xx and Count (a rate), with a minimum count", a.LogicalID)
			continue
		}
		if errs.Stat != "Sum" || count.Stat != "Sum" {
			t.Errorf("%s: reads the %s of 5xx and the %s of Count, want their Sums", a.LogicalID, errs.Stat, count.Stat)
		}
		if !regexp.MustCompile(`\b` + errs.ID + `\b`).MatchString(a.Expression) {
			t.Errorf("%s: the expression %q does not use 5xx (%s)", a.LogicalID, a.Expression, errs.ID)
		}
		// One failed request on a quiet night must not page: under a
		// minimum number of requests the rate counts as 0.
		minimum := regexp.MustCompile(`IF\(\s*` + count.ID + `\s*(>=?)\s*([0-9]+)`).FindStringSubmatch(a.Expression)
		if minimum == nil {
			t.Errorf("%s: the expression %q has no IF(%s >= <minimum>, ...)", a.LogicalID, a.Expression, count.ID)
		} else if n, _ := strconv.Atoi(minimum[2]); n < 2 {
			t.Errorf("%s: a minimum of %s requests lets a single error fire the alarm", a.LogicalID, minimum[2])
		}
		if !firesAbove(a) || a.Threshold >= 100 {
			t.Errorf("%s: fires on %s %v, want a percentage between 0 and 100", a.LogicalID, a.ComparisonOperator, a.Threshold)
		}
		if a.TreatMissingData != "notBreaching" {
			t.Errorf("%s: TreatMissingData %q; with no request there is no error, want notBreaching", a.LogicalID, a.TreatMissingData)
		}
	}
	if !found {
		t.Errorf("no alarm on AWS/ApiGateway 5xx with ApiId !Ref %s and Stage %s", id, Written(dims["Stage"]))
	}
}

func TestEmailReputationIsWatched(t *testing.T) {
	tpl := load(t)
	sets := tpl.IDs("AWS::SES::ConfigurationSet")
	if len(sets) != 1 {
		t.Fatalf("%d AWS::SES::ConfigurationSet, want 1", len(sets))
	}
	set := sets[0]
	var cs struct {
		ReputationOptions struct{ ReputationMetricsEnabled bool }
	}
	if err := remarshal(tpl.Resources[set].Properties, &cs); err != nil || !cs.ReputationOptions.ReputationMetricsEnabled {
		t.Errorf("%s: ReputationOptions.ReputationMetricsEnabled is not true (%v)", set, err)
	}
	var events []string
	for _, id := range tpl.IDs("AWS::SES::ConfigurationSetEventDestination") {
		var d struct {
			ConfigurationSetName any
			EventDestination     struct {
				Enabled               bool
				MatchingEventTypes    []string
				CloudWatchDestination *struct{ DimensionConfigurations []any }
			}
		}
		if err := remarshal(tpl.Resources[id].Properties, &d); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if reflect.DeepEqual(d.ConfigurationSetName, ref(set)) && d.EventDestination.Enabled && d.EventDestination.CloudWatchDestination != nil {
			events = append(events, d.EventDestination.MatchingEventTypes...)
		}
	}
	for _, e := range []string{"bounce", "complaint", "reject", "renderingFailure"} {
		if !slices.Contains(events, e) {
			t.Errorf("%s: no enabled CloudWatch event destination publishes %s events", set, e)
		}
	}
	// The account's reputation (what SES reviews), or the set's own:
	// either is a watch on the emails this stack sends.
	alarms := loadAlarms(t, tpl)
	for _, r := range []struct {
		metric string
		review float64 // the rate from which SES reviews the account
	}{{"Reputation.BounceRate", 0.05}, {"Reputation.ComplaintRate", 0.001}} {
		found := append(watching(alarms, "AWS/SES", r.metric, map[string]any{}),
			watching(alarms, "AWS/SES", r.metric, map[string]any{"ses:configuration-set": ref(set)})...)
		if len(found) == 0 {
			t.Errorf("no alarm on AWS/SES %s", r.metric)
		}
		for _, a := range found {
			if !firesAbove(a) || a.Threshold >= r.review {
				t.Errorf("%s fires on %s %v; want it before SES reviews the account, at %v", a.LogicalID, a.ComparisonOperator, a.Threshold, r.review)
			}
		}
	}
}

func TestEveryAlarmNotifiesTheAlarmTopic(t *testing.T) {
	tpl := load(t)
	topics := tpl.IDs("AWS::SNS::Topic")
	if len(topics) != 1 {
		t.Fatalf("%d AWS::SNS::Topic, want 1 for the alarms", len(topics))
	}
	topic := ref(topics[0])
	alarms := loadAlarms(t, tpl)
	if len(alarms) == 0 {
		t.Fatal("no AWS::CloudWatch::Alarm")
	}
	names := map[string]string{}
	for _, a := range alarms {
		if !slices.ContainsFunc(a.AlarmActions, func(v any) bool { return reflect.DeepEqual(v, topic) }) {
			t.Errorf("%s: AlarmActions %s do not notify !Ref %s", a.LogicalID, Written(a.AlarmActions), topics[0])
		}
		if !slices.ContainsFunc(a.OKActions, func(v any) bool { return reflect.DeepEqual(v, topic) }) {
			t.Errorf("%s: OKActions %s do not notify !Ref %s: the on-call would not know it recovered", a.LogicalID, Written(a.OKActions), topics[0])
		}
		name := Written(a.Name)
		if !strings.HasPrefix(name, "!Sub ") || !strings.Contains(name, "${Stage}") {
			t.Errorf("%s: AlarmName %q does not name the stage; the notification would not say which deployment", a.LogicalID, name)
		}
		if other, dup := names[name]; dup {
			t.Errorf("%s and %s are both named %q", other, a.LogicalID, name)
		}
		names[name] = a.LogicalID
		if a.EvaluationPeriods < 1 || a.DatapointsToAlarm < 1 || a.DatapointsToAlarm > a.EvaluationPeriods || a.Period < 60 || a.Period%60 != 0 {
			t.Errorf("%s: %d of %d periods of %d s: want 1 <= DatapointsToAlarm <= EvaluationPeriods and a period of whole minutes",
				a.LogicalID, a.DatapointsToAlarm, a.EvaluationPeriods, a.Period)
		}
	}

	email, ok := tpl.Parameters["AlarmEmail"]
	if !ok || email.Default != "" {
		t.Fatalf("AlarmEmail: want a parameter defaulting to empty (declared: %v, default %v)", ok, email.Default)
	}
	var subscribed bool
	for _, id := range tpl.IDs("AWS::SNS::Subscription") {
		r := tpl.Resources[id]
		if !reflect.DeepEqual(r.Properties["Endpoint"], ref("AlarmEmail")) {
			continue
		}
		subscribed = true
		if !reflect.DeepEqual(r.Properties["TopicArn"], topic) || r.Properties["Protocol"] != "email" {
			t.Errorf("%s: subscribes %s by %v, want !Ref %s by email", id, Written(r.Properties["TopicArn"]), r.Properties["Protocol"], topics[0])
		}
		if r.Condition == "" || !reflect.DeepEqual(tpl.Conditions[r.Condition], notEmpty("AlarmEmail")) {
			t.Errorf("%s: Condition %q, want one that AlarmEmail is not empty (SNS refuses an empty endpoint)", id, r.Condition)
		}
	}
	if !subscribed {
		t.Error("no AWS::SNS::Subscription of AlarmEmail")
	}
}

// A reference to nothing fails the whole deployment; sam validate would say
// so, and so does this.
func TestReferencesResolve(t *testing.T) {
	tpl := load(t)
	for _, u := range tpl.Unresolved() {
		t.Errorf("unresolved reference: %s", u)
	}
}

func TestUnresolved(t *testing.T) {
	tpl := loadYAML(t, resources+`
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Condition: Missing
    DependsOn: [Queue, Nowhere]
    Properties:
      AlarmName: !Sub "${AWS::StackName}-${Stage}-${Queue.QueueName}-${!Literal}"
      Dimensions: [{Name: QueueName, Value: !GetAtt Gone.QueueName}]
      AlarmActions: [!If [HasTopic, !Ref Topic, !Ref AWS::NoValue]]
      OKActions: [!Sub ["${Local}-${Away}", {Local: !Ref Table}]]
Conditions:
  HasTopic: !Not [!Equals [!Ref Topic, ""]]
Parameters:
  Topic: {Type: String}
`)
	want := []string{"Alarm: Ref Stage", "Alarm: GetAtt Gone.QueueName", "Alarm: Ref Away", "Alarm: Condition Missing", "Alarm: DependsOn Nowhere"}
	got := tpl.Unresolved()
	slices.Sort(got)
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Unresolved() = %q, want %q", got, want)
	}
}

func TestAlarmsAsWritten(t *testing.T) {
	tpl := loadYAML(t, resources+`
  Plain:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !GetAtt Queue.QueueName}]
      Statistic: Maximum
      Period: 300
      EvaluationPeriods: 3
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [!Ref Queue]
  Math:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Metrics:
        - Id: e
          MetricStat:
            Metric: {Namespace: AWS/ApiGateway, MetricName: 5xx, Dimensions: [{Name: ApiId, Value: !Ref Api}]}
            Period: 900
            Stat: Sum
          ReturnData: false
        - Id: r
          Expression: 100 * e
      EvaluationPeriods: 1
      DatapointsToAlarm: 1
      Threshold: 5
      ComparisonOperator: GreaterThanThreshold
`)
	alarms, err := tpl.Alarms()
	if err != nil || len(alarms) != 2 {
		t.Fatalf("Alarms() = %+v, %v", alarms, err)
	}
	m, p := alarms[0], alarms[1]
	if m.Expression != "100 * e" || m.Period != 900 || !m.Reads("AWS/ApiGateway", "5xx", map[string]any{"ApiId": ref("Api")}) ||
		m.Reads("AWS/ApiGateway", "5xx", map[string]any{}) {
		t.Errorf("metric math read as %+v", m)
	}
	if p.DatapointsToAlarm != 3 || p.Expression != "" ||
		!p.Reads("AWS/SQS", "ApproximateNumberOfMessagesVisible", map[string]any{"QueueName": getAtt("Queue", "QueueName")}) ||
		p.Reads("AWS/SQS", "ApproximateNumberOfMessagesVisible", map[string]any{"QueueName": getAtt("Queue", "Arn")}) {
		t.Errorf("plain alarm read as %+v", p)
	}
	for _, bad := range []string{`
      Metrics:
        - Id: a
          Expression: "1"
        - Id: b
          Expression: "2"`, `
      Namespace: AWS/Lambda
      Metrics:
        - Id: a
          Expression: "1"`, `
      Metrics:
        - Id: a`, `
      Threshold: 1`,
	} {
		tpl := loadYAML(t, resources+"\n  Bad:\n    Type: AWS::CloudWatch::Alarm\n    Properties:"+bad+"\n")
		if _, err := tpl.Alarms(); err == nil {
			t.Errorf("an alarm with%s\nwas read", bad)
		}
	}
}

func TestFunctionPropertyMergesGlobals(t *testing.T) {
	tpl := loadYAML(t, resources+`
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn
      Timeout: 30
      Layers: [b]
      LoggingConfig:
        LogGroup: !Ref Group
      Environment: !If [C, {Variables: {A: "1"}}, !Ref AWS::NoValue]
Globals:
  Function:
    Timeout: 10
    MemorySize: 128
    Layers: [a]
    LoggingConfig:
      LogFormat: JSON
      LogGroup: default
    Environment:
      Variables: {B: "2"}
`)
	f, _ := tpl.FunctionByName("fn")
	for _, tt := range []struct {
		property string
		want     any
	}{
		{"Timeout", 30.0},
		{"MemorySize", 128.0},
		{"Layers", []any{"a", "b"}},
		{"LoggingConfig", map[string]any{"LogFormat": "JSON", "LogGroup": ref("Group")}},
		{"Environment", map[string]any{"Fn::If": []any{"C", map[string]any{"Variables": map[string]any{"A": "1"}}, ref("AWS::NoValue")}}},
	} {
		if got, ok := tpl.FunctionProperty(f, tt.property); !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FunctionProperty(%s) = %v, %v; want %v", tt.property, got, ok, tt.want)
		}
	}
	if got, ok := tpl.FunctionProperty(f, "Tracing"); ok {
		t.Errorf("FunctionProperty(Tracing) = %v, set nowhere", got)
	}
}
