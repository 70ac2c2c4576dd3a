package index

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestScoresMatchTheGoldenFiles scores fixed answer sets (testdata/*.answers.json)
// and compares the results with testdata/*.golden.json: a change in the
// scoring or the definitions that moves any number shows up here. Run with
// -update to accept a deliberate change.
func TestScoresMatchTheGoldenFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/*.answers.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no answer sets: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var in Input
			if err := json.Unmarshal(raw, &in); err != nil {
				t.Fatal(err)
			}
			// Older versions are scored for the submissions made on them,
			// though no new one is accepted: check against the version itself.
			q, ok := Lookup(*in.Version)
			if !ok {
				t.Fatalf("no version %s", *in.Version)
			}
			if err := q.Check(in.Answers, true); err != nil {
				t.Fatalf("the answer set is not a valid submission: %v", err)
			}
			got, err := json.MarshalIndent(q.Score(in.Answers), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := f[:len(f)-len(".answers.json")] + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(append(got, '\n')) != string(want) {
				t.Fatalf("the score of %s changed:\n%s\nwant:\n%s", f, got, want)
			}
			// Scoring twice gives the same numbers.
			again, _ := json.MarshalIndent(q.Score(in.Answers), "", "  ")
			if string(again) != string(got) {
				t.Fatal("scoring the same answers twice differs")
			}
		})
	}
}
