// Package template reads template.yaml, the one definition of the deployed
// system, so that the local stack and the tests use exactly what AWS gets:
// the table's keys and indexes, each function's routes, stream triggers,
// schedules, environment and policies.
package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is the part of template.yaml the project relies on.
type Template struct {
	Dir       string // the folder holding template.yaml
	Table     Table
	Functions map[string]Function // by logical id
	Resources map[string]Resource
	// Globals is the raw Globals section by kind ("Function", "Api"...):
	// the properties every resource of that kind inherits unless it sets its own.
	Globals map[string]map[string]any
	// Parameters are the template's parameters, by name.
	Parameters map[string]Parameter
	// Conditions are the template's conditions, raw, by name.
	Conditions map[string]any
	// Outputs are the template's outputs, raw, by name.
	Outputs map[string]any
}

// Parameter is a template parameter.
type Parameter struct {
	Type           string `json:"Type"`
	Default        any    `json:"Default"`
	AllowedValues  []any  `json:"AllowedValues"`
	AllowedPattern string `json:"AllowedPattern"`
	Description    string `json:"Description"`
}

// Resource is any resource, raw.
type Resource struct {
	Type                string         `json:"Type"`
	Condition           string         `json:"Condition"` // the condition the resource exists under, if any
	DependsOn           any            `json:"DependsOn"`
	DeletionPolicy      string         `json:"DeletionPolicy"`
	UpdateReplacePolicy string         `json:"UpdateReplacePolicy"`
	Metadata            map[string]any `json:"Metadata"`
	Properties          map[string]any `json:"Properties"`
}

// Table is the DynamoDB table's definition.
type Table struct {
	LogicalID              string
	AttributeDefinitions   []struct{ AttributeName, AttributeType string }
	KeySchema              []KeyElement
	GlobalSecondaryIndexes []struct {
		IndexName  string
		KeySchema  []KeyElement
		Projection struct{ ProjectionType string }
	}
	StreamSpecification     struct{ StreamViewType string }
	TimeToLiveSpecification struct {
		AttributeName string
		Enabled       bool
	}
	PointInTimeRecoverySpecification struct{ PointInTimeRecoveryEnabled bool }
}

// KeyElement is one key attribute.
type KeyElement struct{ AttributeName, KeyType string }

// Function is a serverless function with its triggers.
type Function struct {
	LogicalID string
	CodeURI   string
	Name      string            // the last element of CodeUri: functions/<Name>
	Env       map[string]string // literal values; references appear as "!Ref X"
	Routes    []Route
	Streams   []Stream
	Schedules []Schedule
	Policies  []Policy // the execution role's policies, as written
	Raw       Resource
}

// Route is an HTTP API route.
type Route struct{ Method, Path string }

// Stream is a DynamoDB stream event source mapping.
type Stream struct {
	BatchSize               int
	MaximumRetryAttempts    int
	ReportBatchItemFailures bool
	FilterPatterns          []string
	OnFailure               string
}

// Schedule is an EventBridge Scheduler schedule.
type Schedule struct {
	EventName  string
	Expression string
	Timezone   string
	Input      string
	Retries    int
	DeadLetter string // DeadLetterConfig.Arn as written: where deliveries that failed every retry go
}

// LoadProject finds the project's template.yaml (see Find) and loads it.
func LoadProject() (*Template, error) {
	path, err := Find()
	if err != nil {
		return nil, err
	}
	return Load(path)
}

// Find returns the path of template.yaml, looking up from the working
// directory to the module root.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "template.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("template.yaml not found in any parent folder")
		}
		dir = parent
	}
}

// Load reads and interprets the template at path.
func Load(path string) (*Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	tree, err := plain(&doc)
	if err != nil {
		return nil, err
	}
	var top struct {
		Globals    map[string]map[string]any
		Resources  map[string]Resource
		Parameters map[string]Parameter
		Conditions map[string]any
		Outputs    map[string]any
	}
	if err := remarshal(tree, &top); err != nil {
		return nil, err
	}
	t := &Template{Dir: filepath.Dir(path), Functions: map[string]Function{}, Resources: top.Resources, Globals: top.Globals,
		Parameters: top.Parameters, Conditions: top.Conditions, Outputs: top.Outputs}
	for id, r := range top.Resources {
		switch r.Type {
		case "AWS::DynamoDB::Table":
			if t.Table.LogicalID != "" {
				return nil, errors.New("more than one table: the design is single-table")
			}
			if err := remarshal(r.Properties, &t.Table); err != nil {
				return nil, fmt.Errorf("table %s: %w", id, err)
			}
			t.Table.LogicalID = id
		case "AWS::Serverless::Function":
			f, err := function(id, r)
			if err != nil {
				return nil, err
			}
			t.Functions[id] = f
		}
	}
	if t.Table.LogicalID == "" {
		return nil, errors.New("no AWS::DynamoDB::Table resource")
	}
	return t, nil
}

// FunctionByName returns the function whose CodeUri is functions/<name>.
func (t *Template) FunctionByName(name string) (Function, bool) {
	for _, f := range t.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// FunctionProperty returns a function's property as deployed: its own
// value merged with the one from Globals.Function as SAM merges them (maps
// key by key, the function's value winning; lists one after the other;
// anything else, intrinsic functions included, the function's value).
func (t *Template) FunctionProperty(f Function, name string) (any, bool) {
	local, isLocal := f.Raw.Properties[name]
	global, isGlobal := t.Globals["Function"][name]
	switch {
	case isLocal && isGlobal:
		return mergeGlobal(global, local), true
	case isLocal:
		return local, true
	}
	return global, isGlobal
}

func mergeGlobal(global, local any) any {
	switch g := global.(type) {
	case map[string]any:
		l, ok := local.(map[string]any)
		if !ok || intrinsic(g) || intrinsic(l) {
			return local
		}
		out := make(map[string]any, len(g)+len(l))
		for k, v := range g {
			out[k] = v
		}
		for k, v := range l {
			if gv, ok := g[k]; ok {
				v = mergeGlobal(gv, v)
			}
			out[k] = v
		}
		return out
	case []any:
		if l, ok := local.([]any); ok {
			return append(append([]any{}, g...), l...)
		}
	}
	return local
}

// intrinsic reports whether m is an intrinsic function ({"Ref": ...},
// {"Fn::Sub": ...}), which SAM merges as a plain value.
func intrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// Names lists the functions' names, sorted.
func (t *Template) Names() []string {
	var names []string
	for _, f := range t.Functions {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names
}

func function(id string, r Resource) (Function, error) {
	var p struct {
		CodeURI     string `json:"CodeUri"`
		Environment struct{ Variables map[string]any }
		Events      map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := remarshal(r.Properties, &p); err != nil {
		return Function{}, fmt.Errorf("function %s: %w", id, err)
	}
	f := Function{LogicalID: id, CodeURI: p.CodeURI, Name: filepath.Base(p.CodeURI), Env: map[string]string{}, Raw: r}
	pol, err := policies(r.Properties["Policies"])
	if err != nil {
		return Function{}, fmt.Errorf("function %s: %w", id, err)
	}
	f.Policies = pol
	for k, v := range p.Environment.Variables {
		f.Env[k] = scalar(v)
	}
	names := make([]string, 0, len(p.Events))
	for n := range p.Events {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		ev := p.Events[name]
		switch ev.Type {
		case "HttpApi":
			var e struct{ Method, Path string }
			if err := remarshal(ev.Properties, &e); err != nil {
				return Function{}, err
			}
			f.Routes = append(f.Routes, Route{Method: strings.ToUpper(e.Method), Path: e.Path})
		case "DynamoDB":
			var e struct {
				BatchSize             int
				MaximumRetryAttempts  int
				FunctionResponseTypes []string
				FilterCriteria        struct{ Filters []struct{ Pattern string } }
				DestinationConfig     struct{ OnFailure struct{ Destination any } }
			}
			if err := remarshal(ev.Properties, &e); err != nil {
				return Function{}, err
			}
			s := Stream{BatchSize: e.BatchSize, MaximumRetryAttempts: e.MaximumRetryAttempts,
				OnFailure: scalar(e.DestinationConfig.OnFailure.Destination)}
			for _, rt := range e.FunctionResponseTypes {
				s.ReportBatchItemFailures = s.ReportBatchItemFailures || rt == "ReportBatchItemFailures"
			}
			for _, fl := range e.FilterCriteria.Filters {
				s.FilterPatterns = append(s.FilterPatterns, fl.Pattern)
			}
			f.Streams = append(f.Streams, s)
		case "ScheduleV2":
			var e struct {
				ScheduleExpression         string
				ScheduleExpressionTimezone string
				Input                      string
				RetryPolicy                struct{ MaximumRetryAttempts int }
				DeadLetterConfig           struct{ Arn any }
			}
			if err := remarshal(ev.Properties, &e); err != nil {
				return Function{}, err
			}
			f.Schedules = append(f.Schedules, Schedule{EventName: name, Expression: e.ScheduleExpression,
				Timezone: e.ScheduleExpressionTimezone, Input: e.Input, Retries: e.RetryPolicy.MaximumRetryAttempts,
				DeadLetter: scalar(e.DeadLetterConfig.Arn)})
		default:
			return Function{}, fmt.Errorf("function %s: event %s has unsupported type %s", id, name, ev.Type)
		}
	}
	return f, nil
}

// scalar renders a literal or an intrinsic function as text.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		for k, val := range x {
			return "!" + strings.TrimPrefix(k, "Fn::") + " " + scalar(val)
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = scalar(e)
		}
		return strings.Join(parts, ".")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func remarshal(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// plain turns a YAML node into JSON-like values, with the short intrinsic
// tags (!Ref, !GetAtt, !Sub...) written as their long forms.
func plain(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return plain(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return wrapTag(n.Tag, m), nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := plain(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return wrapTag(n.Tag, s), nil
	case yaml.ScalarNode:
		var v any
		switch n.Tag {
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			v = f
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			v = b
		case "!!null":
			v = nil
		default:
			v = n.Value
		}
		if n.Tag == "!GetAtt" {
			return map[string]any{"Fn::GetAtt": strings.SplitN(n.Value, ".", 2)}, nil
		}
		return wrapTag(n.Tag, v), nil
	case yaml.AliasNode:
		return plain(n.Alias)
	}
	return nil, fmt.Errorf("unexpected YAML node kind %d", n.Kind)
}

func wrapTag(tag string, v any) any {
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return v
	}
	name := strings.TrimPrefix(tag, "!")
	if name == "Ref" || name == "Condition" {
		return map[string]any{name: v}
	}
	return map[string]any{"Fn::" + name: v}
}
