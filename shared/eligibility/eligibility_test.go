package eligibility

import "testing"

func TestCheck(t *testing.T) {
	rules := Default()
	tests := []struct {
		name  string
		facts Facts
		want  []Rule
	}{
		{"large and diverse", Facts{Population: 250000, ForeignBornShare: 12}, nil},
		{"exactly at both thresholds", Facts{Population: 30000, NationalMinorityShare: 5}, nil},
		{"one share is enough", Facts{Population: 40000, ForeignResidentShare: 6, ForeignBornShare: 1}, nil},
		{"too small", Facts{Population: 29999, ForeignBornShare: 20}, []Rule{RulePopulation}},
		{"not diverse enough", Facts{Population: 100000, ForeignBornShare: 4.9, ForeignResidentShare: 3}, []Rule{RuleDiversity}},
		{"fails both", Facts{Population: 1000}, []Rule{RulePopulation, RuleDiversity}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := rules.Check(tt.facts)
			if v.Eligible != (len(tt.want) == 0) {
				t.Fatalf("eligible = %v, want %v", v.Eligible, len(tt.want) == 0)
			}
			if len(v.Reasons) != len(tt.want) {
				t.Fatalf("reasons = %+v, want rules %v", v.Reasons, tt.want)
			}
			for i, r := range v.Reasons {
				if r.Rule != tt.want[i] || r.Message == "" {
					t.Errorf("reason %d = %+v, want rule %s with a message", i, r, tt.want[i])
				}
			}
		})
	}
}

func TestThresholdsAreConfiguration(t *testing.T) {
	strict := Rules{MinPopulation: 100000, MinDiversityShare: 10}
	if v := strict.Check(Facts{Population: 50000, ForeignBornShare: 8}); v.Eligible || len(v.Reasons) != 2 {
		t.Fatalf("strict rules: got %+v, want two failed rules", v)
	}
}
