package template

import (
	"fmt"
	"path"
	"strings"
)

// Policy is one entry of a function's Policies: a policy document spelt out
// in statements, or a policy the template only names (an AWS managed policy,
// or a SAM policy template such as DynamoDBCrudPolicy), whose grants cannot be
// read from the template.
type Policy struct {
	Named      string // the managed policy or policy template, when the entry only names one
	Statements []Statement
}

// Statement is one statement of a policy document, as the template writes it.
type Statement struct {
	Effect    string   // Allow or Deny
	Actions   []string // as written, wildcards included
	Resources []any    // literal ARNs, or intrinsic functions in their long form ({"Fn::GetAtt": [...]})
	// Unchecked names the elements present that change what the statement
	// grants but that nothing here evaluates (NotAction, NotResource,
	// Condition, Principal).
	Unchecked []string
}

// policies reads a function's Policies property: a list of entries, or one
// entry on its own.
func policies(raw any) ([]Policy, error) {
	var entries []any
	switch v := raw.(type) {
	case nil:
		return nil, nil
	case []any:
		entries = v
	default:
		entries = []any{v}
	}
	out := make([]Policy, 0, len(entries))
	for i, e := range entries {
		switch e := e.(type) {
		case string:
			out = append(out, Policy{Named: e})
		case map[string]any:
			doc, isDoc := e["Statement"]
			if !isDoc {
				// A SAM policy template: one key, its name.
				for name := range e {
					out = append(out, Policy{Named: name})
				}
				continue
			}
			var stmts []Statement
			for j, s := range list(doc) {
				st, err := statement(s)
				if err != nil {
					return nil, fmt.Errorf("statement %d of Policies[%d]: %w", j, i, err)
				}
				stmts = append(stmts, st)
			}
			out = append(out, Policy{Statements: stmts})
		default:
			return nil, fmt.Errorf("entry %d of Policies is %T, want a name or a policy document", i, e)
		}
	}
	return out, nil
}

func statement(raw any) (Statement, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("a statement is %T, want a mapping", raw)
	}
	st := Statement{Resources: list(m["Resource"])}
	st.Effect, _ = m["Effect"].(string)
	if st.Effect != "Allow" && st.Effect != "Deny" {
		return Statement{}, fmt.Errorf("the Effect is %v, want Allow or Deny", m["Effect"])
	}
	for _, a := range list(m["Action"]) {
		s, ok := a.(string)
		if !ok {
			return Statement{}, fmt.Errorf("an Action is %T, want text", a)
		}
		st.Actions = append(st.Actions, s)
	}
	for _, k := range []string{"NotAction", "NotResource", "Condition", "Principal", "NotPrincipal"} {
		if _, ok := m[k]; ok {
			st.Unchecked = append(st.Unchecked, k)
		}
	}
	return st, nil
}

func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

// Written renders a value of the template the way the template writes it:
// a literal as itself, an intrinsic function in its short form
// (!GetAtt Table.Arn, !Sub ${Table.Arn}/index/gsi1).
func Written(v any) string { return scalar(v) }

// Deployment holds what a template's intrinsic functions resolve to in one
// deployment. The local stack fills it with a fixed partition, region and
// account and its own physical names, and builds the ARNs of the calls it
// records with the same methods, so that a recorded resource and a granted
// one compare as text.
type Deployment struct {
	Partition, Region, AccountID string
	// Refs is what !Ref gives, by logical id: a parameter's value, a table's
	// or a bucket's name, a queue's name.
	Refs map[string]string
}

func (d Deployment) arn(service, region, account, resource string) string {
	return "arn:" + d.Partition + ":" + service + ":" + region + ":" + account + ":" + resource
}

// TableARN is a DynamoDB table's ARN.
func (d Deployment) TableARN(table string) string {
	return d.arn("dynamodb", d.Region, d.AccountID, "table/"+table)
}

// IndexARN is the ARN of a table's secondary index, which Query and Scan
// with IndexName are authorized on.
func (d Deployment) IndexARN(table, index string) string {
	return d.TableARN(table) + "/index/" + index
}

// StreamARN is the ARN of a table's stream with the given label ("*" for
// any, as a template's !GetAtt Table.StreamArn cannot know the label before
// deployment).
func (d Deployment) StreamARN(table, label string) string {
	return d.TableARN(table) + "/stream/" + label
}

// IdentityARN is an SES identity's ARN (an address or a domain).
func (d Deployment) IdentityARN(identity string) string {
	return d.arn("ses", d.Region, d.AccountID, "identity/"+identity)
}

// ConfigurationSetARN is an SES configuration set's ARN.
func (d Deployment) ConfigurationSetARN(set string) string {
	return d.arn("ses", d.Region, d.AccountID, "configuration-set/"+set)
}

// BucketARN is an S3 bucket's ARN.
func (d Deployment) BucketARN(bucket string) string { return d.arn("s3", "", "", bucket) }

// ObjectARN is the ARN of an object, or of objects when key has wildcards.
func (d Deployment) ObjectARN(bucket, key string) string { return d.BucketARN(bucket) + "/" + key }

// QueueARN is an SQS queue's ARN.
func (d Deployment) QueueARN(queue string) string { return d.arn("sqs", d.Region, d.AccountID, queue) }

// pseudo resolves the pseudo parameters.
func (d Deployment) pseudo(name string) (string, bool) {
	switch name {
	case "AWS::Partition":
		return d.Partition, true
	case "AWS::Region":
		return d.Region, true
	case "AWS::AccountId":
		return d.AccountID, true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	}
	return "", false
}

// Resolve renders a value of the template as it is in deployment d: a
// literal, !Ref, !GetAtt (the attributes of the resources the functions'
// policies name), !Sub and !Join. Anything else is an error that says what
// to teach it.
func (t *Template) Resolve(v any, d Deployment) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case map[string]any:
		if len(x) != 1 {
			return "", fmt.Errorf("%v is not one intrinsic function", x)
		}
		for fn, arg := range x {
			switch fn {
			case "Ref":
				name, _ := arg.(string)
				return t.ref(name, d)
			case "Fn::GetAtt":
				parts := list(arg)
				if len(parts) != 2 {
					return "", fmt.Errorf("!GetAtt %v: want Resource.Attribute", arg)
				}
				id, _ := parts[0].(string)
				attr, _ := parts[1].(string)
				return t.getAtt(id, attr, d)
			case "Fn::Sub":
				return t.sub(arg, d)
			case "Fn::Join":
				parts := list(arg)
				if len(parts) != 2 {
					return "", fmt.Errorf("!Join %v: want [delimiter, [values]]", arg)
				}
				sep, _ := parts[0].(string)
				var vals []string
				for _, p := range list(parts[1]) {
					s, err := t.Resolve(p, d)
					if err != nil {
						return "", err
					}
					vals = append(vals, s)
				}
				return strings.Join(vals, sep), nil
			}
			return "", fmt.Errorf("%s: not resolved locally", Written(x))
		}
	}
	return "", fmt.Errorf("%v (%T) is not a value a policy can hold", v, v)
}

func (t *Template) ref(name string, d Deployment) (string, error) {
	if v, ok := d.pseudo(name); ok {
		return v, nil
	}
	if v, ok := d.Refs[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("!Ref %s has no value in this deployment", name)
}

func (t *Template) getAtt(id, attr string, d Deployment) (string, error) {
	r, ok := t.Resources[id]
	if !ok {
		return "", fmt.Errorf("!GetAtt %s.%s: no resource %s", id, attr, id)
	}
	name, err := t.ref(id, d)
	if err != nil {
		return "", fmt.Errorf("!GetAtt %s.%s: %w", id, attr, err)
	}
	switch r.Type + "." + attr {
	case "AWS::DynamoDB::Table.Arn":
		return d.TableARN(name), nil
	case "AWS::DynamoDB::Table.StreamArn":
		return d.StreamARN(name, "*"), nil
	case "AWS::S3::Bucket.Arn":
		return d.BucketARN(name), nil
	case "AWS::SQS::Queue.Arn":
		return d.QueueARN(path.Base(name)), nil // !Ref of a queue is its URL, ending with its name
	case "AWS::SQS::Queue.QueueName":
		return path.Base(name), nil
	}
	return "", fmt.Errorf("!GetAtt %s.%s: the %s attribute of a %s is not resolved locally", id, attr, attr, r.Type)
}

// sub resolves !Sub "text with ${Name}, ${Resource.Attribute}, ${!Literal}",
// or its list form with variables of its own.
func (t *Template) sub(arg any, d Deployment) (string, error) {
	text, vars := "", map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return "", fmt.Errorf("!Sub %v: want text or [text, variables]", arg)
		}
		text, _ = a[0].(string)
		vars, _ = a[1].(map[string]any)
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			b.WriteString(text)
			return b.String(), nil
		}
		j := strings.Index(text[i:], "}")
		if j < 0 {
			return "", fmt.Errorf("!Sub %q: unclosed ${", text)
		}
		b.WriteString(text[:i])
		name := text[i+2 : i+j]
		text = text[i+j+1:]
		var val string
		var err error
		switch id, attr, isAtt := strings.Cut(name, "."); {
		case strings.HasPrefix(name, "!"):
			val = "${" + name[1:] + "}"
		case vars[name] != nil:
			val, err = t.Resolve(vars[name], d)
		case isAtt:
			val, err = t.getAtt(id, attr, d)
		default:
			val, err = t.ref(name, d)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(val)
	}
}

// Grant is one statement of a function's policies with its resources as
// they are in one deployment.
type Grant struct {
	Where     string // "ApplicationsFunction Policies[0].Statement[1]"
	Statement Statement
	Resources []string // resolved, in the order of Statement.Resources
}

// Grants resolves the statements of a function's policies in deployment d.
// A policy the template only names is an error: nothing can tell what it
// grants.
func (t *Template) Grants(f Function, d Deployment) ([]Grant, error) {
	var out []Grant
	for i, p := range f.Policies {
		if p.Named != "" {
			return nil, fmt.Errorf("%s Policies[%d] names %s, whose grants the template does not show: write its statements",
				f.LogicalID, i, p.Named)
		}
		for j, st := range p.Statements {
			g := Grant{Where: fmt.Sprintf("%s Policies[%d].Statement[%d]", f.LogicalID, i, j), Statement: st}
			if len(st.Unchecked) > 0 {
				return nil, fmt.Errorf("%s uses %s, which nothing here evaluates", g.Where, strings.Join(st.Unchecked, ", "))
			}
			for _, r := range st.Resources {
				s, err := t.Resolve(r, d)
				if err != nil {
					return nil, fmt.Errorf("%s Resource %s: %w", g.Where, Written(r), err)
				}
				g.Resources = append(g.Resources, s)
			}
			out = append(out, g)
		}
	}
	return out, nil
}

// Matches reports whether the statement names action on resource, reading
// wildcards as IAM does: * any run of characters, ? any one; actions
// compared without regard to case, resources exactly.
func (g Grant) Matches(action, resource string) bool {
	return g.MatchesAction(action) && g.MatchesResource(resource)
}

// MatchesAction reports whether one of the statement's actions names action.
func (g Grant) MatchesAction(action string) bool {
	for _, a := range g.Statement.Actions {
		if Wildcard(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// MatchesResource reports whether one of the statement's resources names resource.
func (g Grant) MatchesResource(resource string) bool {
	for _, r := range g.Resources {
		if Wildcard(r, resource) {
			return true
		}
	}
	return false
}

// Wildcard matches s against an IAM pattern, where * stands for any run of
// characters (slashes and colons included) and ? for any one character.
func Wildcard(pattern, s string) bool {
	// Iterative matching with backtracking to the last star.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
