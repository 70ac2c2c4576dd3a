package membership

import (
	"slices"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// TestCommentaryErrorsComeInOneOrder sends a commentary wrong in many
// places, many times: the problem lists its errors in the same order each
// time (English before French, areas by id), and an unknown area's key is
// escaped in its pointer.
func TestCommentaryErrorsComeInOneOrder(t *testing.T) {
	c := City{ID: "k5vq3ztm2xw7cjr4hbn6dpaafe", Status: StatusIndexSubmitted}
	r := Report{ID: "r4kx7qm2vzw5tjn3bhc6dpaafu", Status: ReportDraft}
	blank := index.Text{EN: " ", FR: "\u00a0"}
	in := CommentaryInput{Introduction: &blank, Areas: map[string]index.Text{
		"welcoming": blank, "education": {}, "a/b~c": {EN: "x"}, "commitment": {FR: "bell\a"}, "media": blank,
	}}
	want := []string{"/introduction/en", "/introduction/fr", "/areas/a~1b~0c", "/areas/commitment/fr", "/areas/education",
		"/areas/media/en", "/areas/media/fr", "/areas/welcoming/en", "/areas/welcoming/fr"}
	for range 20 {
		_, err := c.CommentReport(r, in, "2019", time.Date(2026, 3, 24, 15, 40, 0, 0, time.UTC), "secretariat:test")
		f := failure.As(err)
		if f == nil || failure.KindOf(err) != failure.Invalid {
			t.Fatalf("CommentReport: %v, want invalid fields", err)
		}
		var got []string
		for _, e := range f.Fields {
			got = append(got, e.Pointer)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("errors at %v, want %v", got, want)
		}
	}
}
