package camt

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds Parse mutations of the sample statements: it must never
// panic, and whatever it accepts must give well-formed credits.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*.xml", "testdata/malformed/*.xml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		keys := map[string]bool{}
		for _, c := range doc.Credits() {
			if c.Key == "" || c.Amount.Amount <= 0 || c.Amount.Currency == "" {
				t.Fatalf("ill-formed credit %+v", c)
			}
			if keys[c.Key] {
				t.Fatalf("two credits share the key %s", c.Key)
			}
			keys[c.Key] = true
		}
		again, err := Parse(bytes.NewReader(data))
		if err != nil || len(again.Credits()) != len(doc.Credits()) {
			t.Fatal("parsing the same bytes twice differs")
		}
	})
}
