package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/intercultural-cities/backoffice/shared/index"
)

// Advice is what the report says about one question: the topic it lists
// under "in place" or "missing", and the recommendation it gives when the
// answer fell short of full points.
type Advice struct {
	Topic  index.Text `yaml:"topic" json:"topic"`
	Advice index.Text `yaml:"advice" json:"advice"`
}

// The catalogue lives beside the report rather than in the questionnaire
// definitions: the definitions are published, versioned documents, whereas
// the advice is the secretariat's editorial text, reworded without a new
// INDEX version, and one entry serves every version asking the question.
//
//go:embed advice.yaml
var adviceYAML []byte

// adviceCatalogue parses the embedded catalogue once. A broken catalogue is a
// programming error that TestAdviceCoversEveryQuestion catches first.
var adviceCatalogue = sync.OnceValue(func() map[string]Advice {
	m, err := parseAdvice(adviceYAML)
	if err != nil {
		panic(fmt.Sprintf("report: invalid advice catalogue: %v", err))
	}
	return m
})

// parseAdvice decodes a catalogue strictly: an unknown field or a text
// missing in either language is an error.
func parseAdvice(data []byte) (map[string]Advice, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m map[string]Advice
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(m)) {
		a := m[id]
		for field, t := range map[string]index.Text{"topic": a.Topic, "advice": a.Advice} {
			if strings.TrimSpace(t.EN) == "" || strings.TrimSpace(t.FR) == "" {
				problems = append(problems, fmt.Sprintf("%s: %s needs both English and French", id, field))
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return m, nil
}

// AdviceFor returns the catalogue's entry for a question id.
func AdviceFor(questionID string) (Advice, bool) {
	a, ok := adviceCatalogue()[questionID]
	return a, ok
}
