package local

import (
	"fmt"
	"slices"
	"strings"

	"github.com/intercultural-cities/backoffice/infra/template"
)

// Audit compares the calls each function made with what its policies in
// the template grant, as IAM would: a call is allowed when an Allow
// statement names its action and resource and no Deny statement does.
type Audit struct {
	// Missing: a call its function's policies do not allow. In AWS, it
	// fails with AccessDenied.
	Missing []string
	// Unused: an action on a resource that a statement grants and no
	// recorded call needed.
	Unused []string
	// Unchecked: what cannot be compared: a call whose resource the
	// recorder cannot tell, a policy the template only names, calls under
	// a name the template has no function for.
	Unchecked []string
}

// OK reports whether the calls and the grants agree both ways.
func (a Audit) OK() bool { return len(a.Missing)+len(a.Unused)+len(a.Unchecked) == 0 }

// CheckGrants audits calls against the policies of every function of tpl,
// resolved in deployment d (the one the calls' ARNs were built in). A
// function with no call must have no policy at all.
func CheckGrants(tpl *template.Template, d template.Deployment, calls []Call) Audit {
	var a Audit
	byFunction := map[string][]Call{}
	for _, c := range calls {
		byFunction[c.Function] = append(byFunction[c.Function], c)
	}
	for _, name := range sortedNames(byFunction) {
		if _, ok := tpl.FunctionByName(name); !ok {
			a.Unchecked = append(a.Unchecked, fmt.Sprintf("%s: %d calls recorded, but the template has no function functions/%s",
				name, len(byFunction[name]), name))
		}
	}
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		calls := byFunction[name]
		if len(calls) == 0 {
			if len(f.Policies) > 0 {
				a.Unused = append(a.Unused, fmt.Sprintf("%s made no AWS call, so %s needs no Policies; it has %d",
					name, f.LogicalID, len(f.Policies)))
			}
			continue
		}
		grants, err := tpl.Grants(f, d)
		if err != nil {
			a.Unchecked = append(a.Unchecked, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		for _, c := range calls {
			if c.Resource == "" {
				a.Unchecked = append(a.Unchecked, fmt.Sprintf("%s: %s: the recorder cannot tell which resource IAM checks "+
					"%s on; teach infra/local/awscalls.go", name, c, c.Action))
				continue
			}
			if deny, ok := denied(grants, c); ok {
				a.Missing = append(a.Missing, fmt.Sprintf("%s: %s, which %s denies", name, c, deny))
				continue
			}
			if !allowed(grants, c) {
				a.Missing = append(a.Missing, fmt.Sprintf("%s: %s, which no statement of %s's Policies allows: grant %s on %s",
					name, c, f.LogicalID, c.Action, writtenAs(grants, c.Resource)))
			}
		}
		for _, g := range grants {
			if g.Statement.Effect != "Allow" {
				continue
			}
			for _, action := range g.Statement.Actions {
				for i, res := range g.Resources {
					if !used(calls, action, res) {
						a.Unused = append(a.Unused, fmt.Sprintf("%s: %s grants %s on %s (%s), which no recorded call needs",
							name, g.Where, action, template.Written(g.Statement.Resources[i]), res))
					}
				}
			}
		}
	}
	return a
}

// writtenAs names a resource as the function's statements already write
// it (!GetAtt Table.Arn), else as its ARN.
func writtenAs(grants []template.Grant, resource string) string {
	for _, g := range grants {
		for i, r := range g.Resources {
			if r == resource {
				return template.Written(g.Statement.Resources[i])
			}
		}
	}
	return resource
}

func allowed(grants []template.Grant, c Call) bool {
	return slices.ContainsFunc(grants, func(g template.Grant) bool {
		return g.Statement.Effect == "Allow" && g.Matches(c.Action, c.Resource)
	})
}

func denied(grants []template.Grant, c Call) (string, bool) {
	for _, g := range grants {
		if g.Statement.Effect == "Deny" && g.Matches(c.Action, c.Resource) {
			return g.Where, true
		}
	}
	return "", false
}

// used reports whether a call needed action (a pattern) on res (a pattern).
func used(calls []Call, action, res string) bool {
	return slices.ContainsFunc(calls, func(c Call) bool {
		return template.Wildcard(strings.ToLower(action), strings.ToLower(c.Action)) && template.Wildcard(res, c.Resource)
	})
}

func sortedNames(m map[string][]Call) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Audit checks the calls the stack's functions have made so far against
// their grants in the template.
func (s *Stack) Audit() Audit {
	return CheckGrants(s.Template, s.Calls.Deployment, s.Calls.Calls())
}
