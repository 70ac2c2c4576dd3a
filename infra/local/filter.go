package local

import (
	"encoding/json"
	"fmt"
	"strings"
)

// filter is an event source mapping filter pattern, as Lambda evaluates it
// on the JSON of a stream record: every key of the pattern must match, leaf
// arrays list the accepted values, and {"exists": bool} and {"prefix": s}
// are understood.
type filter map[string]any

func parseFilter(pattern string) (filter, error) {
	var f filter
	if err := json.Unmarshal([]byte(pattern), &f); err != nil {
		return nil, fmt.Errorf("filter pattern %q: %w", pattern, err)
	}
	return f, nil
}

// matchAny reports whether record matches one of the filters (or there are none).
func matchAny(filters []filter, record any) bool {
	if len(filters) == 0 {
		return true
	}
	b, err := json.Marshal(record)
	if err != nil {
		return false
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return false
	}
	for _, f := range filters {
		if matchObject(f, doc) {
			return true
		}
	}
	return false
}

func matchObject(pattern map[string]any, doc map[string]any) bool {
	for k, want := range pattern {
		got, present := doc[k]
		switch w := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !present || !ok || !matchObject(w, sub) {
				return false
			}
		case []any:
			if !matchValues(w, got, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func matchValues(accepted []any, got any, present bool) bool {
	for _, a := range accepted {
		switch rule := a.(type) {
		case map[string]any:
			if exists, ok := rule["exists"].(bool); ok && exists == present {
				return true
			}
			if p, ok := rule["prefix"].(string); ok && present {
				if s, ok := got.(string); ok && strings.HasPrefix(s, p) {
					return true
				}
			}
		default:
			if present && fmt.Sprint(a) == fmt.Sprint(got) {
				return true
			}
		}
	}
	return false
}
