package config

import (
	"strings"
	"testing"
	"time"
)

func lookup(env map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestLoadFillsDefaultsAndReportsEveryBadVariable(t *testing.T) {
	var s SecretariatSettings
	err := LoadFrom(&s, lookup(map[string]string{"SECRETARIAT_EMAIL": "Sec <sec@coe.example>",
		"CITY_TOKEN_TTL": "-1h", "FORMS_BASE_URL": "ftp://x", "VISIT_MIN_EXPERTS": "two"}))
	for _, name := range []string{"TABLE_NAME", "SECRETARIAT_EMAIL", "CITY_TOKEN_TTL", "FORMS_BASE_URL", "VISIT_MIN_EXPERTS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}
	err = LoadFrom(&s, lookup(map[string]string{"TABLE_NAME": "t", "SECRETARIAT_EMAIL": "sec@coe.example",
		"SELLER_IBAN": "FR7630006000011234567890189", "SELLER_BIC": "TESTFRPPXXX", "SELLER_EMAIL": "finance@coe.example",
		"LINK_KEY_SECRET": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:icc-link-key-AbCdEf"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.CityTokenTTL != 4320*time.Hour || s.FeePerYearCents != 500000 ||
		s.ProgressEveryMonths != 12 || s.FormsBaseURL != "" || s.Level != "info" || s.PaymentTermDays != 30 ||
		s.FirstYearProrated != "full" {
		t.Fatalf("defaults: %+v", s)
	}
	var d DailySettings
	if err := LoadFrom(&d, lookup(map[string]string{"TABLE_NAME": "t", "SECRETARIAT_EMAIL": "sec@coe.example",
		"LINK_KEY_SECRET": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:icc-link-key-AbCdEf"})); err != nil {
		t.Fatal(err)
	}
	if d.CourtesyBefore != 7 || d.FinalAfter != 45 {
		t.Fatalf("defaults: %+v", d)
	}
}

func TestGroupsCheckTheirValuesTogether(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"VISIT_MIN_EXPERTS": "3", "VISIT_MAX_EXPERTS": "2"}, "VISIT_MAX_EXPERTS"},
		{map[string]string{"PROGRESS_REPORT_EVERY_MONTHS": "5"}, "PROGRESS_REPORT_EVERY_MONTHS"},
		{map[string]string{"COMPARISON_POPULATION_BANDS": "3,2"}, "COMPARISON_POPULATION_BANDS"},
	} {
		env := map[string]string{"TABLE_NAME": "t", "SECRETARIAT_EMAIL": "s@coe.example"}
		for k, v := range tc.env {
			env[k] = v
		}
		var d DailySettings
		var sc ScoreSettings
		err := LoadFrom(&d, lookup(env))
		if tc.want == "COMPARISON_POPULATION_BANDS" {
			err = LoadFrom(&sc, lookup(env))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}

func TestEveryVariableIsDeclaredOnce(t *testing.T) {
	docs := map[string]Var{}
	for name, s := range Functions {
		for _, v := range Variables(s) {
			if v.Doc == "" {
				t.Errorf("%s: %s has no doc", name, v.Name)
			}
			if prev, ok := docs[v.Name]; ok && prev != v {
				t.Errorf("%s is declared twice, differently: %+v and %+v", v.Name, prev, v)
			}
			docs[v.Name] = v
		}
	}
	if len(docs) < 15 {
		t.Fatalf("only %d variables", len(docs))
	}
}
