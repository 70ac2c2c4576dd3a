package eligibility

import (
	"slices"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/i18n"
)

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

func TestReasonsInTheReadersLanguage(t *testing.T) {
	v := Default().Check(Facts{Population: 12000, ForeignBornShare: 4.9, ForeignResidentShare: 3})
	if len(v.Reasons) != 2 {
		t.Fatalf("reasons %+v", v.Reasons)
	}
	tests := []struct {
		lang i18n.Lang
		want []string
	}{
		{i18n.English, []string{"population 12,000 is below 30,000 inhabitants", "no diversity share reaches 5.0% (highest: 4.9%)"}},
		{i18n.French, []string{"population de 12\u202f000 habitants, sous le seuil de 30\u202f000 habitants",
			"aucune part (nés à l'étranger, résidents étrangers, minorités nationales) n'atteint 5,0\u00a0% (la plus élevée : 4,9\u00a0%)"}},
	}
	for _, tt := range tests {
		in := v.In(tt.lang)
		for i, r := range in.Reasons {
			if r.Message != tt.want[i] || r.Text(tt.lang) != tt.want[i] || r.Rule != v.Reasons[i].Rule {
				t.Errorf("%s reason %d: %+v, want %q", tt.lang, i, r, tt.want[i])
			}
		}
	}
	// The verdict checked keeps its English; In makes a copy.
	if v.Reasons[0].Message != tests[0].want[0] || v.In(i18n.French).Reasons[0].Message == v.Reasons[0].Message {
		t.Errorf("In changed the verdict, or did not word it: %+v", v)
	}
	// Every rule's message has its French in the catalogue.
	for rule, msg := range messages {
		if !i18n.French.Has(msg) {
			t.Errorf("rule %s: %q has no French", rule, msg)
		}
	}
}

func TestAReasonWithoutFiguresKeepsItsMessage(t *testing.T) {
	old := Reason{Rule: RulePopulation, Message: "population 29000 is below 30000 inhabitants"}
	if got := old.Text(i18n.French); got != old.Message {
		t.Errorf("a reason recorded before reasons carried figures: %q", got)
	}
}

func TestRawReasonsRoundTrip(t *testing.T) {
	v := Default().Check(Facts{Population: 29000, ForeignBornShare: 4.9})
	raw := RawReasons(v.Reasons)
	if raw != "population 29000 30000\ndiversity 4.9 5" {
		t.Fatalf("raw reasons %q", raw)
	}
	back := ParseReasons(raw)
	if len(back) != 2 || back[0] != v.Reasons[0] || back[1] != v.Reasons[1] {
		t.Errorf("parsed %+v, want %+v", back, v.Reasons)
	}
	for raw, want := range map[string][]string{
		"": nil,
		"- population 29000 is below 30000 inhabitants": {"population 29000 is below 30000 inhabitants"},
		"population 29000 0":                            {"population 29000 0"},
		"size 1 2":                                      {"size 1 2"},
		"diversity 4.9 5\n\n":                           {"aucune part (nés à l'étranger, résidents étrangers, minorités nationales) n'atteint 5,0\u00a0% (la plus élevée : 4,9\u00a0%)"},
		"population x 30000":                            {"population x 30000"},
		"population 29000 30000 extra":                  {"population 29000 30000 extra"},
	} {
		var got []string
		for _, r := range ParseReasons(raw) {
			got = append(got, r.Text(i18n.French))
		}
		if !slices.Equal(got, want) {
			t.Errorf("ParseReasons(%q) in French: %q, want %q", raw, got, want)
		}
	}
}
