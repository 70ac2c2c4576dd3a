package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// cspViolations collects what the browser says it refused under a page's
// Content-Security-Policy (a style or a script the policy does not admit).
func cspViolations(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var found []string
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy") {
				mu.Lock()
				found = append(found, m.Text)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), found...)
	}
}

// draftedCity applies as name and submits an INDEX, which is scored and
// its report drafted; it returns the city, its token and the draft.
func draftedCity(t *testing.T, s *localtest.Stack, name, email string) (string, string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"cityName": name, "country": "FR", "population": 150000, "foreignBornShare": 12,
		"foreignResidentShare": 8, "nationalMinorityShare": 1, "contact": map[string]string{"name": "Contact", "email": email},
		"language": "en"})
	status, _, resp := s.Do(http.MethodPost, "/applications", "", string(body))
	var app struct{ CityID string }
	if status != http.StatusCreated || json.Unmarshal(resp, &app) != nil {
		t.Fatalf("apply %s: %d %s", name, status, resp)
	}
	s.Drain()
	tok := s.TokenFromMail(email)
	answers := submissionBody(t, demo.Answers(index.Current(), demo.City{Population: 150000, ForeignBorn: 12}, 0.6, 3, false))
	if status, _, resp := s.Do(http.MethodPost, "/cities/"+app.CityID+"/index/submissions", tok, answers); status != http.StatusAccepted {
		t.Fatalf("submit: %d %s", status, resp)
	}
	s.Drain()
	l := listReports(t, s, app.CityID, s.AdminToken())
	if len(l.Reports) != 1 || l.Reports[0].Status != "draft" {
		t.Fatalf("the draft of %s: %+v", name, l)
	}
	return app.CityID, tok, l.Reports[0].ReportID
}

type reportCommentary struct {
	Reports []struct {
		ReportID, Status string
		Commentary       struct {
			Introduction index.Text
			Areas        map[string]index.Text
		}
	}
}

// TestReportReviewAndPublicationInABrowser drives the analytical report
// from its draft to the city, in French on a phone's width: the city's
// INDEX page says its report is being prepared; the secretariat opens the
// draft from the reports to review (its preview styled, the city's name
// shown as text), finds that a colleague saved a commentary meanwhile,
// reads it, writes its French commentary beside it and publishes, which
// is confirmed first; the documents follow once archived; the city's file
// lists the report, and the city downloads it from its INDEX page, the
// token never in a URL.
func TestReportReviewAndPublicationInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	refused := cspViolations(t, ctx)
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	const name = "Villeneuve <i>ouverte</i>"
	id, tok, rid := draftedCity(t, s, name, "villeneuve@index.example")
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	text := func(sel string) string { t.Helper(); return value(t, ctx, "read "+sel, chromedp.Text(css(sel)), fail) }
	read := frenchReader(t, ctx, fail)
	next := downloads(t, ctx)
	q := index.Current()
	area := q.Areas[0].ID
	fr := i18n.French

	do("open the INDEX page before the report is published",
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(s.URL+"/index-form?city="+id+"&lang=fr#token="+tok),
		chromedp.WaitVisible(css("#index-form")),
		chromedp.WaitVisible(css("#report-pending")),
	)
	if n := value(t, ctx, "count the reports offered", chromedp.Evaluate[int](`document.querySelectorAll("#report-links li").length`), fail); n != 0 {
		t.Errorf("the city is offered %d reports before publication", n)
	}
	read("/index-form?lang=fr, the report being prepared", "Le secrétariat prépare le rapport analytique")

	do("open the reports to review",
		chromedp.Navigate(s.URL+"/secretariat?lang=fr#reports"),
		chromedp.WaitVisible(css("#signin")),
		chromedp.SendKeys(css("#token"), adm),
		chromedp.Click(css(`#signin button[type=submit]`)),
		chromedp.WaitVisible(css(`#drafts tr[data-report="`+rid+`"]`)),
	)
	_, _, body := s.Do(http.MethodGet, "/cities/"+id, adm, "")
	var c struct{ LatestIndex struct{ Aggregate float64 } }
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	row := `#drafts tr[data-report="` + rid + `"]`
	if got, want := text(row+` td:nth-child(4)`), fr.Sprintf("%v", i18n.Percentage(c.LatestIndex.Aggregate)); got != want {
		t.Errorf("the draft's INDEX score %q, want %q", got, want)
	}
	// The city's name is text, never markup.
	if got := value(t, ctx, "read the city's name", chromedp.Evaluate[string](
		`(a => a.textContent + (a.querySelector("i") ? " (markup)" : ""))(document.querySelector('`+row+` a'))`), fail); got != name {
		t.Errorf("the city's name shown as %q", got)
	}
	read("/secretariat?lang=fr, the reports to review", "Projets de rapport à relire", "Score INDEX")
	accessible(t, ctx, "the reports to review", fail)

	do("open the draft",
		chromedp.Click(css(row+" a")),
		chromedp.WaitVisible(css(`#report[data-loaded="`+rid+`"]`)),
		chromedp.WaitVisible(css("#commentary-form")),
		chromedp.WaitReady(css("#report-preview[data-shown]")),
	)
	// The preview is the report, in a frame of its own document where no
	// script runs, styled by the report's own style sheet.
	if got := value(t, ctx, "read the preview's sandbox", chromedp.Evaluate[string](
		`document.getElementById("report-preview").getAttribute("sandbox")`), fail); got != "" {
		t.Errorf("the preview's sandbox is %q, want every restriction", got)
	}
	if h1, color := previewTitle(t, ctx); !strings.Contains(h1, name) || color != "rgb(31, 59, 115)" {
		t.Errorf("the preview's title %q, in %s: want the city's name as text, styled by the report's style sheet", h1, color)
	}
	if got := text(`#report-facts [data-fact="status"]`); got != "projet, à relire" {
		t.Errorf("the draft's status %q", got)
	}

	// A colleague saves a commentary meanwhile: saving says so rather than
	// replacing it unseen.
	const theirs = "The council asked for this report."
	if status, _, resp := s.Do(http.MethodPut, "/admin/cities/"+id+"/reports/"+rid+"/commentary", adm,
		`{"introduction":{"en":"`+theirs+`"}}`); status != http.StatusOK {
		t.Fatalf("a colleague's commentary: %d %s", status, resp)
	}
	const intro, comment = "Le conseil municipal a demandé ce rapport.", "Les écoles ouvrent la voie."
	do("write the French introduction and save",
		chromedp.SendKeys(css("#cm-intro-fr"), intro),
		chromedp.Click(css("#commentary-save")),
		chromedp.WaitVisible(css("#commentary-reload")),
	)
	do("read the colleague's commentary, write again beside it",
		chromedp.Click(css("#commentary-reload")),
		chromedp.WaitVisible(css("#report-status")),
	)
	if got := value(t, ctx, "read the English introduction", chromedp.Value(css("#cm-intro-en")), fail); got != theirs {
		t.Errorf("after reading the colleague's commentary, the English introduction is %q", got)
	}
	// A text the API refuses (a control character, pasted) is marked at
	// its field, in an area folded until then, which takes the focus.
	other := q.Areas[2].ID
	value(t, ctx, "paste a control character", chromedp.Evaluate[bool](
		`(ta => { ta.value = "Une cloche \u0007"; return true; })(document.getElementById("cm-`+other+`-en"))`), fail)
	do("save it",
		chromedp.Click(css("#commentary-save")),
		chromedp.WaitVisible(css("#cm-"+other+"-en[aria-invalid=true]")),
	)
	if focused := value(t, ctx, "where the focus is", chromedp.Evaluate[string](`document.activeElement.id`), fail); focused != "cm-"+other+"-en" {
		t.Errorf("the focus is on %q, want the field in error", focused)
	}
	read("/secretariat?lang=fr, a commentary refused", "caractères de contrôle")
	value(t, ctx, "take it out", chromedp.Evaluate[bool](
		`(ta => { ta.value = ""; return true; })(document.getElementById("cm-`+other+`-en"))`), fail)
	do("write the French commentary and save",
		chromedp.SendKeys(css("#cm-intro-fr"), intro),
		chromedp.Click(css(`details[data-area="`+area+`"] summary`)),
		chromedp.SendKeys(css("#cm-"+area+"-fr"), comment),
		chromedp.Click(css("#commentary-save")),
		chromedp.WaitVisible(css("#commentary-saved")),
	)
	_, _, body = s.Do(http.MethodGet, "/cities/"+id+"/reports", adm, "")
	var l reportCommentary
	if err := json.Unmarshal(body, &l); err != nil || len(l.Reports) != 1 {
		t.Fatalf("reports: %v %s", err, body)
	}
	if cm := l.Reports[0].Commentary; cm.Introduction != (index.Text{EN: theirs, FR: intro}) || cm.Areas[area] != (index.Text{FR: comment}) || len(cm.Areas) != 1 {
		t.Errorf("the commentary as stored: %+v", cm)
	}
	// The report is in English, the city's language: the area's comment,
	// in French only, shows in French.
	value(t, ctx, "the preview shows the commentary", chromedp.Poll[bool](
		`document.getElementById("report-preview").srcdoc.includes(`+jsString(comment)+`)`), fail)
	read("/secretariat?lang=fr, a draft with its commentary", "Commentaire enregistré", "Commentaires par domaine", "commenté")
	accessible(t, ctx, "a draft under review", fail)

	do("publish, confirmed first",
		chromedp.Click(css("#publish")),
		chromedp.WaitVisible(css("#publish-go")),
	)
	if got := text("#publish-question"); !strings.Contains(got, name) || !strings.Contains(got, "ne change plus") {
		t.Errorf("the confirmation asks %q", got)
	}
	do("confirm",
		chromedp.Click(css("#publish-go")),
		chromedp.WaitVisible(css("#report-published")),
		chromedp.WaitNotVisible(css("#commentary-form")),
	)
	s.Drain() // the publisher archives the report and notify emails it
	do("the documents once archived", chromedp.WaitVisible(css("#report-docs [data-download=pdf]")))
	if got, want := text(`#report-facts [data-fact="status"]`), "publié le "; !strings.HasPrefix(got, want) {
		t.Errorf("the published report's status %q", got)
	}
	_, _, body = s.Do(http.MethodGet, "/admin/cities/"+id+"/audit", adm, "")
	if n := strings.Count(string(body), `"type":"index_reported"`); n != 1 {
		t.Errorf("%d index_reported entries: %s", n, body)
	}
	mails, _ := s.MailTo(t.Context(), "villeneuve@index.example")
	sent := 0
	for _, m := range mails {
		if strings.Contains(m.Subject, "analytical report") && strings.Contains(m.RawData, "filename=ICC-INDEX-"+id+"-"+rid+".pdf") {
			sent++
		}
	}
	if sent != 1 {
		t.Errorf("%d emails of the report with its PDF, want 1", sent)
	}
	do("download the HTML", chromedp.Click(css("#report-docs [data-download=html]")))
	if file, html := next("the report's HTML"); file != "ICC-INDEX-"+id+"-"+rid+".html" || !strings.Contains(string(html), comment) ||
		!strings.Contains(string(html), theirs) {
		t.Errorf("the report's HTML %s: %.300s", file, html)
	}
	read("/secretariat?lang=fr, a published report", "publié le", "Dossier de la ville")

	do("the city's file lists the report",
		chromedp.Navigate(s.URL+"/secretariat?lang=fr#city="+id),
		chromedp.WaitVisible(css(`#city-analytical li[data-report="`+rid+`"][data-status=published] [data-download=pdf]`)),
	)
	read("/secretariat?lang=fr, the city's file with its report", "Rapports analytiques", "publié le")

	// The latest results load above the reports: the button is clicked
	// once they are shown, where it stays.
	do("the city opens its INDEX page",
		chromedp.Navigate(s.URL+"/index-form?city="+id+"&lang=fr#token="+tok),
		chromedp.WaitVisible(css(`#report-links li[data-report="`+rid+`"] [data-download=pdf]`)),
		chromedp.WaitVisible(css("#latest #standings")),
	)
	if value(t, ctx, "is the report still being prepared", chromedp.Evaluate[bool](`!document.getElementById("report-pending").hidden`), fail) {
		t.Error("the INDEX page still says the report is being prepared")
	}
	do("download the PDF", chromedp.Click(css(`#report-links li[data-report="`+rid+`"] [data-download=pdf]`)))
	file, pdf := next("the report's PDF")
	stored, err := s.Archive.Get(t.Context(), "reports/"+id+"/"+rid+".pdf")
	if file != "ICC-INDEX-"+id+"-"+rid+".pdf" || err != nil || string(pdf) != string(stored.Body) {
		t.Errorf("the PDF downloaded %s (%d bytes) is not the one archived: %v", file, len(pdf), err)
	}
	do("download the HTML", chromedp.Click(css(`#report-links li[data-report="`+rid+`"] [data-download=html]`)))
	if file, html := next("the report's HTML"); !strings.HasSuffix(file, ".html") || !strings.Contains(string(html), "<html") {
		t.Errorf("the city's HTML %s: %.200s", file, html)
	}
	read("/index-form?lang=fr with its published report", "Vos rapports analytiques", "Rapport analytique publié le")
	// Headings in order, every control labelled; the reports' part no wider
	// than the window (the results table above it is another matter).
	if got := value(t, ctx, "read the headings", chromedp.Evaluate[string](skippedHeadingsJS), fail); got != "" {
		t.Errorf("/index-form: headings skip a level: %s", got)
	}
	if got := value(t, ctx, "read the labels", chromedp.Evaluate[string](unlabelledJS), fail); got != "" {
		t.Errorf("/index-form: controls without a label: %s", got)
	}
	if !value(t, ctx, "measure the reports", chromedp.Evaluate[bool](
		`Array.from(document.querySelectorAll("#city-reports, #city-reports *")).every(e => e.getBoundingClientRect().right <= window.innerWidth)`), fail) {
		t.Error("/index-form: the reports are wider than the window")
	}
	urls := value(t, ctx, "list requests",
		chromedp.Evaluate[string](`performance.getEntriesByType("resource").map(e => e.name).join(" ")`), fail)
	if !strings.Contains(urls, "/reports/"+rid) || strings.Contains(urls, tok) {
		t.Errorf("the page's requests %s: want the report's, none with the token", urls)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
	if v := refused(); len(v) > 0 {
		t.Errorf("the browser refused, under the pages' policies: %v", v)
	}
}

// previewTitle reads the title of the report the console previews, and its
// colour. The preview is sandboxed: Chromium runs it as a frame of its own
// (a target apart from the page's), which the test attaches to.
func previewTitle(t *testing.T, ctx context.Context) (string, string) {
	t.Helper()
	for range 50 {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range targets {
			if tg.Type != "iframe" {
				continue
			}
			fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(tg.TargetID), chromedp.WithDetachOnCancel())
			got, err := chromedp.Run(fctx, chromedp.Evaluate[[]string](
				`(h => h ? [h.textContent, getComputedStyle(h).color] : [])(document.querySelector("h1"))`))
			cancel()
			if err == nil && len(got) == 2 {
				return got[0], got[1]
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no preview frame found")
	return "", ""
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestGoodPracticesConsoleInABrowser keeps the catalogue from the console,
// in French on a phone's width: a demo practice is marked as such; a new
// practice refused for a summary too short, its error at the field, then
// recorded once though sent twice, and public in French; unpublished, it
// leaves the public catalogue.
func TestGoodPracticesConsoleInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, _ := reported(t, s, "Bonnepratique")
	area := index.Current().Areas[1]
	if status, _, resp := s.Do(http.MethodPost, "/admin/good-practices", adm, `{"cityId":"demo-city","cityName":"Démoville",
		"country":"IT","area":"`+area.ID+`","title":{"en":"Welcome desk","fr":"Guichet d'accueil"},
		"summary":{"en":"One desk for every newcomer's first steps.","fr":"Un guichet pour les premiers pas de chaque nouvel arrivant."},
		"year":2019,"published":true,"demo":true}`); status != http.StatusCreated {
		t.Fatalf("a demo practice: %d %s", status, resp)
	}
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	read := frenchReader(t, ctx, fail)

	do("open the catalogue",
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(s.URL+"/secretariat?lang=fr#practices"),
		chromedp.WaitVisible(css("#signin")),
		chromedp.SendKeys(css("#token"), adm),
		chromedp.Click(css(`#signin button[type=submit]`)),
		chromedp.WaitVisible(css(`#practices-table [data-demo]`)),
	)
	read("/secretariat?lang=fr, the catalogue", "Bonnes pratiques", "Guichet d'accueil", "démo")

	const title = "Tutorat en langue maternelle"
	do("a new practice, its summary too short",
		chromedp.Click(css("#practice-new")),
		chromedp.WaitReady(css("#gp-cityId option[value=\""+id+"\"]")),
	)
	value(t, ctx, "choose the city", chromedp.Evaluate[bool](`(s => { s.value = `+jsString(id)+`; return s.dispatchEvent(new Event("change")); })(document.getElementById("gp-cityId"))`), fail)
	do("fill in the practice",
		chromedp.SetValue(css("#gp-area"), area.ID),
		chromedp.SendKeys(css("#gp-titleEn"), "Mother-tongue tutoring"),
		chromedp.SendKeys(css("#gp-titleFr"), title),
		chromedp.SendKeys(css("#gp-summaryEn"), "Volunteers tutor pupils in their first language."),
		chromedp.SendKeys(css("#gp-summaryFr"), "Trop court."),
		chromedp.SendKeys(css("#gp-link"), "https://bonnepratique.example/tutorat"),
		chromedp.Click(css("#gp-published")),
		chromedp.Click(css(`#practice-form button[type=submit]`)),
		chromedp.WaitVisible(css("#gp-summaryFr[aria-invalid=true]")),
	)
	if got := value(t, ctx, "read the city's name filled in", chromedp.Value(css("#gp-cityName")), fail); got != "Bonnepratique" {
		t.Errorf("the city's name filled in from its file: %q", got)
	}
	if focused := value(t, ctx, "where the focus is", chromedp.Evaluate[string](`document.activeElement.id`), fail); focused != "gp-summaryFr" {
		t.Errorf("the focus is on %q, want the field in error", focused)
	}
	read("/secretariat?lang=fr, a practice refused", "doit compter de 20 à 1\u202f200 caractères")
	accessible(t, ctx, "the practice form", fail)

	// Sent twice at once: one practice.
	do("write a summary long enough",
		chromedp.SendKeys(css("#gp-summaryFr"), " Des bénévoles accompagnent les élèves dans leur première langue."))
	value(t, ctx, "send twice", chromedp.Evaluate[bool](
		`(f => { f.requestSubmit(); f.requestSubmit(); return true; })(document.getElementById("practice-form"))`), fail)
	do("recorded", chromedp.WaitVisible(css("#practice-saved")))
	_, _, body := s.Do(http.MethodGet, "/admin/good-practices", adm, "")
	var all struct {
		Practices []struct {
			ID, CityID, CityName, Country, Area, Link string
			Title                                     index.Text
			Year                                      int
			Published, Demo                           bool
		}
	}
	if err := json.Unmarshal(body, &all); err != nil {
		t.Fatal(err)
	}
	var pid string
	for _, p := range all.Practices {
		if p.Title.FR == title {
			if pid != "" {
				t.Errorf("the practice recorded twice: %s", body)
			}
			pid = p.ID
			if p.CityID != id || p.Country != "DE" || p.Area != area.ID || p.Year != time.Now().Year() ||
				!p.Published || p.Demo || p.Link != "https://bonnepratique.example/tutorat" {
				t.Errorf("the practice as recorded: %+v", p)
			}
		}
	}
	if pid == "" {
		t.Fatalf("the practice was not recorded: %s", body)
	}
	public := func() string {
		_, _, b := s.Do(http.MethodGet, "/good-practices?area="+area.ID+"&lang=fr", "", "")
		return string(b)
	}
	if got := public(); !strings.Contains(got, title) || !strings.Contains(got, "Des bénévoles") {
		t.Errorf("the public catalogue in French lacks the new practice: %s", got)
	}
	if focused := value(t, ctx, "where the focus is", chromedp.Evaluate[string](`document.activeElement.getAttribute("data-edit")`), fail); focused != pid {
		t.Errorf("after saving, the focus is on %q, want the practice's edit button", focused)
	}

	do("unpublish it",
		chromedp.Click(css(`[data-edit="`+pid+`"]`)),
		chromedp.WaitVisible(css("#gp-published")),
		chromedp.Click(css("#gp-published")),
		chromedp.Click(css(`#practice-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#practices-table tr[data-practice="`+pid+`"] [data-published=false]`)),
	)
	if got := public(); strings.Contains(got, title) {
		t.Errorf("the public catalogue still shows the unpublished practice: %s", got)
	}
	do("show the unpublished only",
		chromedp.SetValue(css("#practice-state"), "unpublished"),
		chromedp.Click(css(`#practice-filters button[type=submit]`)),
		chromedp.WaitNotPresent(css(`#practices-table [data-demo]`)),
	)
	if n := value(t, ctx, "count the rows", chromedp.Evaluate[int](`document.querySelectorAll("#practices-table tbody tr").length`), fail); n != 1 {
		t.Errorf("%d unpublished practices shown, want 1", n)
	}
	read("/secretariat?lang=fr, the unpublished practices", fmt.Sprintf("Bonnes pratiques (%d)", 1), "non")
	accessible(t, ctx, "the catalogue", fail)
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
