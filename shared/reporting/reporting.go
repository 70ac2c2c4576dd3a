// Package reporting builds, renders and archives the analytical reports: it
// gathers what a report is built from (the scored submission, the city's
// previous one, the comparison groups, the good practices and their cities'
// scores) and hands it to package report, which words and renders it. The
// reports function uses it to show drafts and publish them; the publisher
// function to archive published reports and email them. The other functions
// never link the report's PDF library.
package reporting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/archive"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/practice"
	"github.com/intercultural-cities/backoffice/shared/report"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// Store is what reports are built from.
type Store interface {
	CityForUpdate(ctx context.Context, id string) (membership.City, error)
	Submission(ctx context.Context, cityID, id string) (index.Submission, error)
	Submissions(ctx context.Context, cityID string) ([]index.Submission, error)
	Sample(ctx context.Context) (map[string]index.GroupStats, error)
	Practices(ctx context.Context, area string) ([]practice.Practice, error)
	LatestResults(ctx context.Context, cityIDs []string) (map[string]index.Result, error)
	Report(ctx context.Context, cityID, id string) (membership.Report, error)
	ReportArchived(ctx context.Context, k outbox.Key, cityID, reportID string, mail []notify.Notification) error
}

// Archive keeps published reports.
type Archive interface {
	Put(ctx context.Context, key string, d archive.Document) error
}

// Service builds and renders reports.
type Service struct {
	Store   Store
	Archive Archive // the publisher's; nil in the reports function
	Bands   index.Bands
	// FormsBaseURL is where the city reads its reports online (the
	// publication email links there).
	FormsBaseURL string
	Now          func() time.Time
}

// Keys names a published report's archived files.
func Keys(cityID, reportID string) (json, html, pdf string) {
	base := "reports/" + cityID + "/" + reportID
	return base + ".json", base + ".html", base + ".pdf"
}

// Demo says whether a city is the local stack's demonstration data (its
// contact's address is under .invalid, which RFC 2606 reserves: no real
// city has one). Only a demonstration report may quote demo practices.
func Demo(c membership.City) bool { return strings.HasSuffix(c.Contact.Email, ".invalid") }

// Model builds a report's model as it stands today, as the report
// package's JSON: a draft is shown this way, and published so.
func (s *Service) Model(ctx context.Context, c membership.City, r membership.Report) ([]byte, error) {
	sub, err := s.Store.Submission(ctx, c.ID, r.SubmissionID)
	if err != nil {
		return nil, err
	}
	subs, err := s.Store.Submissions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var previous *index.Submission
	for _, o := range subs {
		if o.ID != sub.ID && o.Status == index.StatusScored && o.SubmittedAt.Before(sub.SubmittedAt) {
			prev := o
			previous = &prev
		}
	}
	groups, err := s.Store.Sample(ctx)
	if err != nil {
		return nil, err
	}
	practices, err := s.Store.Practices(ctx, "")
	if err != nil {
		return nil, err
	}
	var cityIDs []string
	for _, p := range practices {
		cityIDs = append(cityIDs, p.CityID)
	}
	results, err := s.Store.LatestResults(ctx, cityIDs)
	if err != nil {
		return nil, err
	}
	var candidates []report.Candidate
	for _, p := range practices {
		res := results[p.CityID]
		scores := map[string]float64{}
		for _, a := range res.Areas {
			scores[a.Area] = a.Score
		}
		candidates = append(candidates, report.Candidate{Practice: p, Scores: scores, Facts: res.Facts})
	}
	m, err := report.Build(report.Input{
		City: report.City{ID: c.ID, Name: c.Name, Country: c.Country, Population: c.Population,
			ForeignBornShare: c.ForeignBornShare, ForeignResidentShare: c.ForeignResidentShare,
			NationalMinorityShare: c.NationalMinorityShare, Language: c.Language},
		Submission: sub, Groups: groups, Bands: s.Bands, Previous: previous, Practices: candidates,
		Commentary:  report.Commentary{Introduction: r.Commentary.Introduction, Areas: r.Commentary.Areas},
		GeneratedAt: s.Now().UTC(), Demo: Demo(c),
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// Render renders a model (its JSON) as "html" or "pdf". The same model
// gives the same bytes.
func Render(model []byte, format string) ([]byte, string, error) {
	var m report.Model
	if err := json.Unmarshal(model, &m); err != nil {
		return nil, "", fmt.Errorf("read the report's model: %w", err)
	}
	var buf bytes.Buffer
	switch format {
	case "html":
		if err := report.RenderHTML(&buf, m); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), "text/html; charset=utf-8", nil
	case "pdf":
		if err := report.RenderPDF(&buf, m); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), "application/pdf", nil
	}
	return nil, "", fmt.Errorf("no rendering %q", format)
}

// Render implements the reports function's renderer.
func (s *Service) Render(model []byte, format string) ([]byte, string, error) {
	return Render(model, format)
}

// ArchiveReport consumes a report-documents work item (CITY#<id> /
// DOCUMENTS#REPORT#<reportId>): it renders the published report from its
// frozen model, archives the model, the HTML and the PDF once, then queues
// the email that sends the PDF, marking the item done in the same
// transaction.
func (s *Service) ArchiveReport(ctx context.Context, k outbox.Key) error {
	cityID, err := outbox.IDFromKey(k.PK, store.CityPrefix)
	if err != nil {
		return err
	}
	reportID, err := outbox.IDFromKey(k.SK, store.ReportDocumentsPrefix)
	if err != nil {
		return err
	}
	r, err := s.Store.Report(ctx, cityID, reportID)
	if err != nil {
		return err
	}
	if r.Status != membership.ReportPublished || len(r.Model) == 0 {
		return fmt.Errorf("report %s is not published", reportID)
	}
	c, err := s.Store.CityForUpdate(ctx, cityID)
	if err != nil {
		return err
	}
	jsonKey, htmlKey, pdfKey := Keys(cityID, reportID)
	if err := s.Archive.Put(ctx, jsonKey, archive.Document{Body: r.Model, ContentType: "application/json"}); err != nil {
		return err
	}
	for _, f := range []struct{ key, format string }{{htmlKey, "html"}, {pdfKey, "pdf"}} {
		body, ct, err := Render(r.Model, f.format)
		if err != nil {
			return err
		}
		if err := s.Archive.Put(ctx, f.key, archive.Document{Body: body, ContentType: ct}); err != nil {
			return err
		}
	}
	link := ""
	if s.FormsBaseURL != "" {
		link = strings.TrimRight(s.FormsBaseURL, "/") + "/index-form?city=" + url.QueryEscape(cityID) + "&lang=" + c.Language + "#reports"
	}
	mail := membership.ReportPublishedMail(c, r, pdfKey, link, s.Now())
	return s.Store.ReportArchived(ctx, k, cityID, reportID, []notify.Notification{mail})
}
