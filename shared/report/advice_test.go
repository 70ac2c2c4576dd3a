package report

import (
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/index"
)

// TestAdviceCoversEveryQuestion: every scored question of every embedded
// INDEX version has a topic and a recommendation in both languages, and the
// catalogue holds nothing for questions no version asks.
func TestAdviceCoversEveryQuestion(t *testing.T) {
	asked := map[string]bool{}
	for _, q := range index.Versions() {
		for _, a := range q.Areas {
			for _, qu := range a.Questions {
				if !qu.Scored() {
					continue
				}
				asked[qu.ID] = true
				adv, ok := AdviceFor(qu.ID)
				if !ok {
					t.Errorf("INDEX %s: no advice for %s", q.Version, qu.ID)
					continue
				}
				for name, s := range map[string]string{"topic/en": adv.Topic.EN, "topic/fr": adv.Topic.FR,
					"advice/en": adv.Advice.EN, "advice/fr": adv.Advice.FR} {
					if strings.TrimSpace(s) == "" {
						t.Errorf("%s: %s is empty", qu.ID, name)
					}
				}
			}
		}
	}
	for id := range adviceCatalogue() {
		if !asked[id] {
			t.Errorf("advice for %s, which no questionnaire version asks", id)
		}
	}
}

func TestParseAdviceRejectsIncompleteEntries(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"missing French": {`q.a: {topic: {en: "T", fr: "T"}, advice: {en: "Do it"}}`, "q.a: advice needs both"},
		"unknown field":  {`q.a: {topic: {en: "T", fr: "T"}, advice: {en: "A", fr: "A"}, extra: 1}`, "extra"},
		"blank topic":    {`q.a: {topic: {en: " ", fr: "T"}, advice: {en: "A", fr: "A"}}`, "q.a: topic needs both"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseAdvice([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if m, err := parseAdvice([]byte(`q.a: {topic: {en: "T", fr: "T"}, advice: {en: "A", fr: "B"}}`)); err != nil || m["q.a"].Advice.FR != "B" {
		t.Fatalf("a complete entry: %v %v", m, err)
	}
}
