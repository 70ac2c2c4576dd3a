package report

import "fmt"

// entry is a chapter of the table of contents, with its sub-chapters: the
// HTML links to ID, the PDF prints the page it starts on.
type entry struct {
	ID       string
	Title    string
	Children []entry
}

// contents lists the report's chapters in order. Both renderings follow it,
// so their contents cannot differ.
func contents(m *Model) []entry {
	w := words(m.Lang)
	var out []entry
	if m.Introduction != nil {
		out = append(out, entry{ID: "introduction", Title: w.Introduction})
	}
	out = append(out,
		entry{ID: "method", Title: w.Method},
		entry{ID: "city", Title: w.CityHeading},
		entry{ID: "overall", Title: w.Overall},
	)
	results := entry{ID: "results", Title: w.Results}
	for _, a := range m.Areas {
		results.Children = append(results.Children, entry{ID: areaAnchor(a.ID), Title: a.Title})
	}
	out = append(out, results)
	if m.Progress != nil {
		out = append(out, entry{ID: "progress", Title: w.Progress})
	}
	return out
}

func areaAnchor(id string) string { return "area-" + id }

// checkSchema refuses a model the renderers do not know how to read, such
// as a stored model of a later schema.
func checkSchema(m *Model) error {
	if m.Schema != SchemaVersion {
		return fmt.Errorf("report: model schema %d, this code renders schema %d", m.Schema, SchemaVersion)
	}
	return nil
}
