// Package eligibility holds the programme's admission thresholds: a city of at
// least 30 000 inhabitants with at least 5 % foreign residents, foreign-born
// people or national minorities. The thresholds are configuration, and an
// ineligible city is flagged for the secretariat, never turned away.
package eligibility

import "fmt"

// Rules are the thresholds an application is checked against.
type Rules struct {
	MinPopulation     int64   // inhabitants
	MinDiversityShare float64 // percent; one of the three shares must reach it
}

// Default returns the thresholds from the programme brochure.
func Default() Rules {
	return Rules{MinPopulation: 30000, MinDiversityShare: 5}
}

// Facts are the figures a city declares when it applies.
type Facts struct {
	Population            int64
	ForeignBornShare      float64
	ForeignResidentShare  float64
	NationalMinorityShare float64
}

// Rule names a failed rule in a verdict.
type Rule string

// The rules a city can fail.
const (
	RulePopulation Rule = "population"
	RuleDiversity  Rule = "diversity"
)

// Reason explains one failed rule.
type Reason struct {
	Rule    Rule   `json:"rule" dynamodbav:"rule"`
	Message string `json:"message" dynamodbav:"message"`
}

// Verdict says whether the facts meet the rules and, if not, why.
type Verdict struct {
	Eligible bool     `json:"eligible" dynamodbav:"eligible"`
	Reasons  []Reason `json:"reasons" dynamodbav:"reasons"`
}

// Check applies the rules to the facts.
func (r Rules) Check(f Facts) Verdict {
	v := Verdict{Eligible: true, Reasons: []Reason{}}
	if f.Population < r.MinPopulation {
		v.Eligible = false
		v.Reasons = append(v.Reasons, Reason{
			Rule:    RulePopulation,
			Message: fmt.Sprintf("population %d is below %d inhabitants", f.Population, r.MinPopulation),
		})
	}
	top := max(f.ForeignBornShare, f.ForeignResidentShare, f.NationalMinorityShare)
	if top < r.MinDiversityShare {
		v.Eligible = false
		v.Reasons = append(v.Reasons, Reason{
			Rule: RuleDiversity,
			Message: fmt.Sprintf("no diversity share reaches %g %% (highest: %g %%)",
				r.MinDiversityShare, top),
		})
	}
	return v
}
