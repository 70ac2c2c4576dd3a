package membership

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// The analytical report: the first thing the programme gives a city after
// its INDEX (brochure, step 1). Scoring a city's newest submission drafts
// one; the secretariat reviews it, may add its commentary, and publishes
// it. Publishing a city's first report is the index_reported step. A
// published report never changes: it is archived as rendered.

// Report states.
const (
	ReportDraft     = "draft"
	ReportPublished = "published"
)

// Report is an analytical report on one scored submission.
type Report struct {
	ID           string
	CityID       string
	CityName     string // as it was when the report was drafted
	SubmissionID string
	Status       string
	Commentary   Commentary
	CreatedAt    time.Time
	PublishedAt  time.Time
	// Model is the report as published (the report package's JSON), frozen
	// when it is published; a draft's is built on demand.
	Model []byte
	// Documents says whether the published report is archived (JSON, HTML
	// and PDF).
	Documents bool
	Version   int64
}

// Commentary is the secretariat's own words in a report: an introduction
// and a comment per area, each in English, French or both.
type Commentary struct {
	Introduction index.Text
	Areas        map[string]index.Text
}

// ReportDrafted is a new draft report.
type ReportDrafted struct{ Report Report }

// ReportCommented is a draft's new commentary, written if the draft is
// still as read (Report.Version).
type ReportCommented struct{ Report Report }

// ReportIssued is a report published: its frozen model, and the work item
// that archives and emails it.
type ReportIssued struct{ Report Report }

// ErrPublished is what storing a publication reports when the report was
// published meanwhile: publishing twice publishes once.
var ErrPublished = errors.New("the report is published already")

// draftReport is the draft report a newly scored newest submission gets.
func draftReport(c City, sub index.Submission, now time.Time, newID func() string) Report {
	return Report{ID: newID(), CityID: c.ID, CityName: c.Name, SubmissionID: sub.ID, Status: ReportDraft, CreatedAt: now.UTC(),
		Commentary: Commentary{Areas: map[string]index.Text{}}}
}

// CommentaryInput is the secretariat's commentary as it sends it.
type CommentaryInput struct {
	Introduction *index.Text           `json:"introduction,omitempty"`
	Areas        map[string]index.Text `json:"areas,omitempty"`
}

// CommentReport sets a draft report's commentary: the introduction and the
// comments per area of the submission's questionnaire, each at most 4 000
// characters.
func (c City) CommentReport(r Report, in CommentaryInput, version string, now time.Time, actor string) (Change, error) {
	if r.Status != ReportDraft {
		return Change{}, failure.New(failure.Conflict, "report %s is published: it never changes", r.ID)
	}
	var col failure.Collector
	comment := func(ptr string, t index.Text) {
		if t.EN == "" && t.FR == "" {
			col.Add(ptr, "needs an English or a French text")
		}
		// English, then French: the same commentary is refused in the same
		// words, in the same order, every time.
		for _, l := range []struct{ lang, s string }{{"en", t.EN}, {"fr", t.FR}} {
			if l.s != "" {
				text(&col, ptr+"/"+l.lang, l.s, true, 4000)
			}
		}
	}
	out := Commentary{Areas: map[string]index.Text{}}
	if in.Introduction != nil {
		comment("/introduction", *in.Introduction)
		out.Introduction = *in.Introduction
	}
	q, ok := index.Lookup(version)
	if !ok {
		return Change{}, fmt.Errorf("report %s: unknown questionnaire version %s", r.ID, version)
	}
	for _, area := range slices.Sorted(maps.Keys(in.Areas)) {
		ptr := "/areas/" + pointerToken(area)
		if _, ok := q.Area(area); !ok {
			col.Add(ptr, "is not an area of INDEX %s", version)
			continue
		}
		comment(ptr, in.Areas[area])
		out.Areas[area] = in.Areas[area]
	}
	if err := col.Err("the commentary has invalid fields"); err != nil {
		return Change{}, err
	}
	next, ev, err := c.step(StepCommentReport, now, actor, in, "commentary of report "+r.ID)
	if err != nil {
		return Change{}, err
	}
	r.Commentary = out
	return Change{City: next, Event: ev, Records: []any{ReportCommented{Report: r}}}, nil
}

// PublishReport publishes a draft report with its model as built now. A
// city's first report is the index_reported step; a later one (a member
// re-assessing) changes no status. The report is archived, then emailed
// to the city with its PDF attached.
func (c City) PublishReport(r Report, model []byte, now time.Time, actor string) (Change, error) {
	if r.Status != ReportDraft {
		return Change{}, ErrPublished
	}
	if len(model) == 0 {
		return Change{}, fmt.Errorf("report %s: no model to publish", r.ID)
	}
	step := StepPublishReport
	if _, err := Transition(c.Status, StepReportIndex); err == nil {
		step = StepReportIndex
	}
	next, ev, err := c.step(step, now, actor, nil, "analytical report "+r.ID+" published (submission "+r.SubmissionID+")")
	if err != nil {
		return Change{}, err
	}
	r.Status, r.PublishedAt, r.Model = ReportPublished, now.UTC(), model
	return Change{City: next, Event: ev, Records: []any{ReportIssued{Report: r}}}, nil
}

// ReportPublishedMail is the email that sends a published, archived report
// to the city: the PDF attached, a link to read it online.
func ReportPublishedMail(c City, r Report, pdfKey, link string, now time.Time) notify.Notification {
	n := c.mail("report-published", "report-"+r.ID, map[string]string{"ReportLink": link,
		"PublishedOn": r.PublishedAt.Format(dateLayout)}, now)
	n.Attachments = []notify.Attachment{{Name: "ICC-INDEX-" + c.ID + "-" + r.ID + ".pdf", Key: pdfKey}}
	return n
}
