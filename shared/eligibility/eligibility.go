// Package eligibility holds the programme's admission thresholds: a city of at
// least 30 000 inhabitants with at least 5 % foreign residents, foreign-born
// people or national minorities. The thresholds are configuration, and an
// ineligible city is flagged for the secretariat, never turned away.
package eligibility

import (
	"strconv"
	"strings"

	"github.com/intercultural-cities/backoffice/shared/i18n"
)

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

// Reason explains one failed rule. It carries the figures the explanation
// is made of, so that each reader gets it in their language (Text, In).
type Reason struct {
	Rule Rule `json:"rule" dynamodbav:"rule"`
	// Message is the reason in English; Verdict.In words it in another
	// language.
	Message string `json:"message" dynamodbav:"message"`
	// Value is the city's figure the rule looked at: its population, or
	// its highest diversity share in percent.
	Value float64 `json:"-"`
	// Threshold is the rule's minimum. It is zero in a reason recorded
	// before reasons carried their figures (no rule's minimum is zero: no
	// figure is below it), which then keeps its English message.
	Threshold float64 `json:"-"`
}

// messages are the reasons' texts, by rule; messages_fr.go in package i18n
// has their French.
var messages = map[Rule]string{
	RulePopulation: "population %d is below %d inhabitants",
	RuleDiversity:  "no diversity share reaches %v (highest: %v)",
}

// Text returns the reason in l: "population 12,000 is below 30,000
// inhabitants", "population de 12 000 habitants, sous le seuil de 30 000
// habitants".
func (r Reason) Text(l i18n.Lang) string {
	if r.Threshold == 0 {
		return r.Message
	}
	switch r.Rule {
	case RulePopulation:
		return l.Sprintf(messages[r.Rule], int64(r.Value), int64(r.Threshold))
	case RuleDiversity:
		return l.Sprintf(messages[r.Rule], i18n.Percentage(r.Threshold), i18n.Percentage(r.Value))
	}
	return r.Message
}

// Verdict says whether the facts meet the rules and, if not, why.
type Verdict struct {
	Eligible bool     `json:"eligible" dynamodbav:"eligible"`
	Reasons  []Reason `json:"reasons" dynamodbav:"reasons"`
}

// In returns the verdict with its reasons' messages in l.
func (v Verdict) In(l i18n.Lang) Verdict {
	out := Verdict{Eligible: v.Eligible, Reasons: make([]Reason, len(v.Reasons))}
	for i, r := range v.Reasons {
		r.Message = r.Text(l)
		out.Reasons[i] = r
	}
	return out
}

// Check applies the rules to the facts.
func (r Rules) Check(f Facts) Verdict {
	v := Verdict{Eligible: true, Reasons: []Reason{}}
	fail := func(rule Rule, value, threshold float64) {
		reason := Reason{Rule: rule, Value: value, Threshold: threshold}
		reason.Message = reason.Text(i18n.English)
		v.Eligible = false
		v.Reasons = append(v.Reasons, reason)
	}
	if f.Population < r.MinPopulation {
		fail(RulePopulation, float64(f.Population), float64(r.MinPopulation))
	}
	if top := max(f.ForeignBornShare, f.ForeignResidentShare, f.NationalMinorityShare); top < r.MinDiversityShare {
		fail(RuleDiversity, top, r.MinDiversityShare)
	}
	return v
}

// RawReasons writes reasons in the data convention of the emails (see
// package i18n): one reason a line, its rule, figure and threshold, the
// numbers with a dot ("population 29000 30000", "diversity 4.9 5"). An
// email's template words them in its language with ParseReasons.
func RawReasons(reasons []Reason) string {
	lines := make([]string, len(reasons))
	for i, r := range reasons {
		lines[i] = string(r.Rule) + " " + strconv.FormatFloat(r.Value, 'f', -1, 64) + " " +
			strconv.FormatFloat(r.Threshold, 'f', -1, 64)
	}
	return strings.Join(lines, "\n")
}

// ParseReasons reads what RawReasons writes. A line that is not a raw reason
// (an English sentence written before reasons were raw, "- population …")
// is kept as the message of a reason without figures, so it is still shown.
func ParseReasons(s string) []Reason {
	var out []Reason
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if r, ok := parseReason(line); ok {
			out = append(out, r)
			continue
		}
		out = append(out, Reason{Message: strings.TrimPrefix(line, "- ")})
	}
	return out
}

func parseReason(line string) (Reason, bool) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return Reason{}, false
	}
	if _, known := messages[Rule(f[0])]; !known {
		return Reason{}, false
	}
	value, err1 := strconv.ParseFloat(f[1], 64)
	threshold, err2 := strconv.ParseFloat(f[2], 64)
	if err1 != nil || err2 != nil || !(threshold > 0) {
		return Reason{}, false
	}
	r := Reason{Rule: Rule(f[0]), Value: value, Threshold: threshold}
	r.Message = r.Text(i18n.English)
	return r, true
}
