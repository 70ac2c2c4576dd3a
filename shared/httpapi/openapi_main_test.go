package httpapi_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestMain runs the tests, then, when all of them ran and passed, fails
// unless they provoked every response the document lists for an operation:
// a documented response no test provokes is a promise nobody checks. Two
// are out of reach of the local stack: API Gateway's 429 and the 500 of an
// unexpected failure.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code != 0 || flag.Lookup("test.run").Value.String() != "" || flag.Lookup("test.skip").Value.String() != "" {
		os.Exit(code)
	}
	if missed := provoked.missing(); len(missed) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: no test provokes these documented responses:\n\t%s\n", strings.Join(missed, "\n\t"))
		code = 1
	}
	os.Exit(code)
}

// unreachable are the statuses the local stack cannot be made to answer.
var unreachable = []string{"429", "500"}

// provoked records the responses the tests checked against the document,
// as "METHOD /route status".
var provoked = responses{seen: map[string]bool{}}

type responses struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (r *responses) add(method, route string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[fmt.Sprintf("%s %s %d", method, route, status)] = true
}

// missing lists the documented responses not provoked.
func (r *responses) missing() []string {
	doc, err := contract31()
	if err != nil {
		return []string{err.Error()}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				if k := method + " " + path + " " + status; !r.seen[k] && !slices.Contains(unreachable, status) {
					out = append(out, k)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
