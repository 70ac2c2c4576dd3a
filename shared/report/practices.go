package report

import (
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/practice"
)

// The good-practice catalogue's types, which reports quote (package
// practice holds them and their rules).
type (
	// Practice is an entry of the catalogue.
	Practice = practice.Practice
	// Candidate is a practice offered for selection with its city's scores.
	Candidate = practice.Candidate
	// Selection says whose report the practices are chosen for.
	Selection = practice.Selection
)

// SelectPractices chooses the practices a report quotes in an area.
func SelectPractices(area string, sel Selection, candidates []Candidate) []Practice {
	return practice.SelectPractices(area, sel, candidates)
}

// DefaultPractices is how many practices a report quotes per area.
const DefaultPractices = practice.DefaultPractices

func text(c *failure.Collector, ptr, s string, minLen, maxLen int) {
	practice.CheckText(c, ptr, s, minLen, maxLen)
}

func checkLink(c *failure.Collector, ptr, s string) { practice.CheckLink(c, ptr, s) }
