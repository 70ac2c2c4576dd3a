package template

import (
	"fmt"
	"sort"
	"strings"
)

// IDs lists the logical ids of the resources of type typ, sorted.
func (t *Template) IDs(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Alarm is an AWS::CloudWatch::Alarm as the template writes it.
type Alarm struct {
	LogicalID string
	Name      any // AlarmName, a literal or an intrinsic function
	// Metrics are the metrics the alarm reads: its one metric, or each
	// metric its metric math reads.
	Metrics []Metric
	// Expression is the metric math whose result the alarm compares (the
	// query with ReturnData), or "" for an alarm on one metric.
	Expression string
	Period     int // of the one metric; of each query for metric math
	// EvaluationPeriods and DatapointsToAlarm: the alarm fires when
	// DatapointsToAlarm of the last EvaluationPeriods periods breach.
	EvaluationPeriods, DatapointsToAlarm int
	Threshold                            float64
	ComparisonOperator, TreatMissingData string
	AlarmActions, OKActions              []any
}

// Metric is a CloudWatch metric an alarm reads.
type Metric struct {
	ID         string // its id in the alarm's metric math; "" for an alarm on one metric
	Namespace  string
	Name       string
	Dimensions map[string]any // values as written: literals or intrinsic functions
	Stat       string
	Period     int
}

// Alarms reads every AWS::CloudWatch::Alarm of the template, by logical id.
func (t *Template) Alarms() ([]Alarm, error) {
	var out []Alarm
	for _, id := range t.IDs("AWS::CloudWatch::Alarm") {
		a, err := alarm(id, t.Resources[id].Properties)
		if err != nil {
			return nil, fmt.Errorf("alarm %s: %w", id, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func alarm(id string, props map[string]any) (Alarm, error) {
	var p struct {
		AlarmName                            any
		Namespace, MetricName, Statistic     string
		Dimensions                           []dimension
		Period, EvaluationPeriods            int
		DatapointsToAlarm                    int
		Threshold                            float64
		ComparisonOperator, TreatMissingData string
		AlarmActions, OKActions              []any
		Metrics                              []struct {
			ID         string `json:"Id"`
			Expression string
			ReturnData *bool
			MetricStat *struct {
				Metric struct {
					Namespace, MetricName string
					Dimensions            []dimension
				}
				Period int
				Stat   string
			}
		}
	}
	if err := remarshal(props, &p); err != nil {
		return Alarm{}, err
	}
	a := Alarm{LogicalID: id, Name: p.AlarmName, Period: p.Period, EvaluationPeriods: p.EvaluationPeriods,
		DatapointsToAlarm: p.DatapointsToAlarm, Threshold: p.Threshold, ComparisonOperator: p.ComparisonOperator,
		TreatMissingData: p.TreatMissingData, AlarmActions: p.AlarmActions, OKActions: p.OKActions}
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	if len(p.Metrics) == 0 {
		if p.MetricName == "" || p.Namespace == "" {
			return Alarm{}, fmt.Errorf("neither MetricName and Namespace nor Metrics")
		}
		a.Metrics = []Metric{{Namespace: p.Namespace, Name: p.MetricName, Dimensions: dimensions(p.Dimensions),
			Stat: p.Statistic, Period: p.Period}}
		return a, nil
	}
	if p.MetricName != "" || p.Namespace != "" || p.Statistic != "" || p.Period != 0 {
		return Alarm{}, fmt.Errorf("metric math (Metrics) and a metric of its own (MetricName, Namespace, Statistic, Period)")
	}
	returned := 0
	for _, q := range p.Metrics {
		switch {
		case q.MetricStat != nil && q.Expression != "":
			return Alarm{}, fmt.Errorf("query %s has both MetricStat and Expression", q.ID)
		case q.MetricStat != nil:
			m := q.MetricStat.Metric
			a.Metrics = append(a.Metrics, Metric{ID: q.ID, Namespace: m.Namespace, Name: m.MetricName,
				Dimensions: dimensions(m.Dimensions), Stat: q.MetricStat.Stat, Period: q.MetricStat.Period})
			if a.Period == 0 {
				a.Period = q.MetricStat.Period
			}
		case q.Expression == "":
			return Alarm{}, fmt.Errorf("query %s has neither MetricStat nor Expression", q.ID)
		}
		// ReturnData defaults to true: exactly one query may leave it so.
		if q.ReturnData == nil || *q.ReturnData {
			returned++
			if q.MetricStat == nil {
				a.Expression = q.Expression
			}
		}
	}
	if returned != 1 {
		return Alarm{}, fmt.Errorf("%d queries return data, want exactly 1", returned)
	}
	return a, nil
}

type dimension struct {
	Name  string
	Value any
}

func dimensions(ds []dimension) map[string]any {
	m := make(map[string]any, len(ds))
	for _, d := range ds {
		m[d.Name] = d.Value
	}
	return m
}

// Reads reports whether the alarm reads metric name of namespace with
// exactly the dimensions dims (values as written, e.g. {"Ref": "Fn"}).
func (a Alarm) Reads(namespace, name string, dims map[string]any) bool {
	_, ok := a.Metric(namespace, name, dims)
	return ok
}

// Metric returns the metric of the alarm that is name of namespace with
// exactly the dimensions dims.
func (a Alarm) Metric(namespace, name string, dims map[string]any) (Metric, bool) {
	for _, m := range a.Metrics {
		if m.Namespace == namespace && m.Name == name && sameDimensions(m.Dimensions, dims) {
			return m, true
		}
	}
	return Metric{}, false
}

func sameDimensions(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || Written(v) != Written(w) {
			return false
		}
	}
	return true
}

// Unresolved lists the references of the template that name nothing: a
// !Ref, !GetAtt or ${...} in !Sub to no parameter, resource or pseudo
// parameter; a condition (a resource's Condition, !If, Condition) that is not
// declared; a DependsOn to no resource. CloudFormation refuses such a
// template as a whole.
func (t *Template) Unresolved() []string {
	var bad []string
	check := func(where string, v any) {
		walk(v, func(kind, name string) {
			if !t.declared(kind, name) {
				bad = append(bad, fmt.Sprintf("%s: %s %s", where, kind, name))
			}
		})
	}
	for _, id := range sortedIDs(t.Resources) {
		r := t.Resources[id]
		check(id, r.Properties)
		if r.Condition != "" && !t.declared("Condition", r.Condition) {
			bad = append(bad, fmt.Sprintf("%s: Condition %s", id, r.Condition))
		}
		for _, d := range list(r.DependsOn) {
			if s, _ := d.(string); t.Resources[s].Type == "" {
				bad = append(bad, fmt.Sprintf("%s: DependsOn %v", id, d))
			}
		}
	}
	for _, name := range sortedIDs(t.Conditions) {
		check("Conditions."+name, t.Conditions[name])
	}
	for _, name := range sortedIDs(t.Outputs) {
		check("Outputs."+name, t.Outputs[name])
	}
	for _, name := range sortedIDs(t.Globals) {
		check("Globals."+name, t.Globals[name])
	}
	return bad
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var pseudoParameters = map[string]bool{"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true,
	"AWS::Partition": true, "AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true}

func (t *Template) declared(kind, name string) bool {
	switch kind {
	case "Condition":
		_, ok := t.Conditions[name]
		return ok
	case "GetAtt":
		id, _, _ := strings.Cut(name, ".")
		_, ok := t.Resources[id]
		return ok
	}
	if pseudoParameters[name] {
		return true
	}
	if _, ok := t.Parameters[name]; ok {
		return true
	}
	_, ok := t.Resources[name]
	return ok
}

// walk calls found for every reference in v: ("Ref", name),
// ("GetAtt", "Resource.Attribute"), ("Condition", name).
func walk(v any, found func(kind, name string)) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walk(e, found)
		}
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					if s, ok := arg.(string); ok {
						found("Ref", s)
						return
					}
				case "Condition":
					if s, ok := arg.(string); ok {
						found("Condition", s)
						return
					}
				case "Fn::GetAtt":
					parts := list(arg)
					if s, ok := arg.(string); ok {
						found("GetAtt", s)
						return
					}
					if len(parts) == 2 {
						id, _ := parts[0].(string)
						attr, _ := parts[1].(string)
						found("GetAtt", id+"."+attr)
						return
					}
				case "Fn::If":
					if parts := list(arg); len(parts) == 3 {
						if s, ok := parts[0].(string); ok {
							found("Condition", s)
						}
						walk(parts[1:], found)
						return
					}
				case "Fn::Sub":
					text, vars := "", map[string]any{}
					switch a := arg.(type) {
					case string:
						text = a
					case []any:
						if len(a) == 2 {
							text, _ = a[0].(string)
							vars, _ = a[1].(map[string]any)
							walk(a[1], found)
						}
					}
					for _, name := range subVariables(text) {
						if _, local := vars[name]; local {
							continue
						}
						if strings.Contains(name, ".") {
							found("GetAtt", name)
						} else {
							found("Ref", name)
						}
					}
					return
				}
			}
		}
		for _, k := range sortedIDs(x) {
			walk(x[k], found)
		}
	}
}

// subVariables lists the ${Name} and ${Resource.Attribute} of a !Sub text,
// leaving out the literal ${!Text}.
func subVariables(text string) []string {
	var names []string
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return names
		}
		j := strings.Index(text[i:], "}")
		if j < 0 {
			return names
		}
		if name := text[i+2 : i+j]; !strings.HasPrefix(name, "!") {
			names = append(names, strings.TrimSpace(name))
		}
		text = text[i+j+1:]
	}
}
