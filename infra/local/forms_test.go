package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// chromium finds the browser, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "no Chromium at /usr/bin/chromium nor on PATH: the browser test of the web forms needs it " +
		"(apt-get install chromium; .ci/run installs it)"
	if ci, err := strconv.ParseBool(os.Getenv("CI")); err == nil && ci {
		t.Fatal(msg) // CI installs it: a skip there would hide the browser tests
	}
	t.Skip(msg)
	return ""
}

// browser starts a headless Chromium for the test and collects the
// page's uncaught JavaScript exceptions.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	bin := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium %s: %v", bin, err)
	}
	var mu sync.Mutex
	var errs []string
	err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok && e.ExceptionDetails != nil {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			mu.Lock()
			errs = append(errs, msg)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return bctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// steps returns a test's two ways to drive the page: fail stops the test
// with the page and its JavaScript errors; do runs steps, failing on error.
func steps(t *testing.T, ctx context.Context, jsErrors func() []string) (func(string, error), func(string, ...chromedp.Action[chromedp.Void])) {
	fail := func(what string, err error) {
		t.Helper()
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: %v\nJavaScript errors: %v\npage: %.3000s", what, err, jsErrors(), html)
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			fail(what, err)
		}
	}
	return fail, do
}

// value runs an action that reads something from the page.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T], fail func(string, error)) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		fail(what, err)
	}
	return v
}

// TestWebFormsInABrowser applies through /apply, then opens the INDEX form
// with the emailed token, answers a question and saves the draft, as a
// person would in Chromium, against the local stack.
func TestWebFormsInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	// Apply.
	const email = "amelie@browserville.example"
	apply := func(lang, city, email string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(s.URL + "/apply?lang=" + lang),
			chromedp.WaitVisible(css("#apply-form")),
			chromedp.SendKeys(css("#cityName"), city),
			chromedp.SendKeys(css("#country"), "FR"),
			chromedp.SendKeys(css("#population"), "152000"),
			chromedp.SendKeys(css("#foreignBornShare"), "12.5"),
			chromedp.SendKeys(css("#foreignResidentShare"), "8"),
			chromedp.SendKeys(css("#nationalMinorityShare"), "0"),
			chromedp.SendKeys(css("#contactName"), "Amélie Durand"),
			chromedp.SendKeys(css("#contactEmail"), email),
			chromedp.Click(css(`input[name=language][value=fr]`)),
			chromedp.Click(css(`#apply-form button[type=submit]`)),
		}
	}
	do("fill and send /apply", append(apply("en", "Browserville", email), chromedp.WaitVisible(css("#verdict")))...)
	verdict := value(t, ctx, "read the verdict", chromedp.Text(css("#verdict")), fail)
	eligible := value(t, ctx, "read the verdict", chromedp.AttributeValue(css("#verdict"), "data-eligible"), fail).Value
	cityID := value(t, ctx, "read the city", chromedp.AttributeValue(css("#verdict"), "data-city-id"), fail).Value
	if eligible != "true" || !strings.Contains(verdict, "eligible") || cityID == "" {
		t.Fatalf("verdict %q (eligible %q, city %q)", verdict, eligible, cityID)
	}

	// A colleague applies for the same city: the page says it is in progress.
	do("apply again for the same city", append(apply("fr", "BROWSERVILLE", "colleague@browserville.example"),
		chromedp.WaitVisible(css("#cityName[aria-invalid=true]")))...)
	if msg := value(t, ctx, "read the refusal", chromedp.Text(css("#form-status")), fail); !strings.Contains(msg, "déjà une candidature en cours") {
		t.Errorf("second application for the city: %q", msg)
	}

	// Open the emailed link: the token stays in the fragment.
	s.Drain()
	token := s.TokenFromMail(email)
	do("open /index-form",
		chromedp.Navigate(s.URL+"/index-form?city="+cityID+"&lang=fr#token="+token),
		chromedp.WaitVisible(css("#index-form")),
		chromedp.WaitVisible(css(`#q-commitment_statement input[value="yes"]`)),
	)
	if status := value(t, ctx, "read the status", chromedp.Text(css("#form-status")), fail); !strings.Contains(status, "Aucun brouillon") {
		t.Errorf("status %q, want the French 'no draft yet'", status)
	}
	optional := value(t, ctx, "count optional areas",
		chromedp.Evaluate[int](`document.querySelectorAll("fieldset[data-optional] legend .opt").length`), fail)
	if want := optionalAreas(); optional != want || want == 0 {
		t.Errorf("%d areas marked optional, the questionnaire has %d", optional, want)
	}

	// Answer one question and save the draft.
	do("answer and save",
		chromedp.Click(css(`#q-commitment_statement input[value="yes"]`)),
		chromedp.Click(css("#save-draft")),
		chromedp.WaitVisible(css("#draft-saved")),
	)
	code, hdr, body := s.Do(http.MethodGet, "/cities/"+cityID+"/index/draft", token, "")
	var draft index.Draft
	if err := json.Unmarshal(body, &draft); code != http.StatusOK || err != nil {
		t.Fatalf("GET the draft: %d %v %s", code, err, body)
	}
	if len(draft.Answers) != 1 || draft.Answers[0].Question != "commitment.statement" ||
		draft.Answers[0].Option == nil || *draft.Answers[0].Option != "yes" {
		t.Fatalf("draft answers %s, want commitment.statement = yes", body)
	}

	// Saved elsewhere meanwhile: the page says so and reloads the draft.
	other := `{"version":"` + draft.Version + `","answers":[{"question":"commitment.statement","option":"no"}]}`
	code, hdr, body = s.Do(http.MethodPut, "/cities/"+cityID+"/index/draft", token, other, "If-Match", hdr.Get("ETag"))
	if code != http.StatusOK {
		t.Fatalf("save elsewhere: %d %s", code, body)
	}
	do("conflict, then reload",
		chromedp.Click(css("#save-draft")),
		chromedp.WaitVisible(css("#reload-draft")),
		chromedp.Click(css("#reload-draft")),
		chromedp.WaitNotPresent(css("#reload-draft")),
	)
	if !value(t, ctx, "read the reloaded answer",
		chromedp.Evaluate[bool](`document.querySelector('#q-commitment_statement input[value="no"]').checked`), fail) {
		t.Error("the reloaded draft's answer is not shown")
	}

	// An incomplete submission: the errors are shown next to the questions.
	do("submit incomplete",
		chromedp.Click(css("#submit-index")),
		chromedp.WaitVisible(css(".q .field-error")),
	)
	if n := value(t, ctx, "count errors", chromedp.Evaluate[int](`document.querySelectorAll(".q .field-error").length`), fail); n < 2 {
		t.Errorf("%d questions show an error after an incomplete submission", n)
	}
	// In the page's language.
	if msg := value(t, ctx, "read an error", chromedp.Text(css(".q .field-error")), fail); !strings.Contains(msg, "obligatoire") {
		t.Errorf("field error %q on the French page", msg)
	}
	// The token went to the API in headers only, never in a URL.
	urls := value(t, ctx, "list requests",
		chromedp.Evaluate[string](`performance.getEntriesByType("resource").map(e => e.name).join(" ")`), fail)
	if !strings.Contains(urls, "/index/draft") || strings.Contains(urls, token) {
		t.Errorf("the page's requests %s: want the draft's, none with the token", urls)
	}

	// A complete draft, saved from another device, submitted from the page:
	// the page waits for the score and shows it beside the groups' averages.
	q := index.Current()
	answers := demo.Answers(q, demo.City{Population: 152000, ForeignBorn: 12.5}, 0.6, 7, false)
	if code, _, b := s.Do(http.MethodPut, "/cities/"+cityID+"/index/draft", token, submissionBody(t, answers), "If-Match", hdr.Get("ETag")); code != http.StatusOK {
		t.Fatalf("save the complete draft: %d %s", code, b)
	}
	do("submit the complete draft",
		chromedp.Reload(),
		chromedp.WaitVisible(css(`#q-commitment_statement input[value="yes"]`)),
		chromedp.Click(css("#submit-index")),
		chromedp.WaitVisible(css("#submitted")),
	)
	s.Drain() // scoring, as the table's stream would run it
	do("wait for the score", chromedp.WaitVisible(css("#result #area-scores")))
	want := q.Score(answers)
	// Written in French by the browser as the server writes it: 68,8 %.
	wantAggregate := i18n.French.Percent(want.Aggregate)
	if got := value(t, ctx, "read the aggregate", chromedp.Text(css("#result #score-aggregate")), fail); got != wantAggregate {
		t.Errorf("aggregate shown %q, want %q", got, wantAggregate)
	}
	rows := value(t, ctx, "count area rows", chromedp.Evaluate[int](`document.querySelectorAll("#result #area-scores tbody tr").length`), fail)
	groups := value(t, ctx, "count standings", chromedp.Evaluate[int](`document.querySelectorAll("#result #standings li").length`), fail)
	if rows != len(want.Areas) || groups != 3 {
		t.Errorf("%d area rows and %d standings shown, want %d and 3", rows, groups, len(want.Areas))
	}
	band := value(t, ctx, "read the population band", chromedp.Text(css(`#result #standings li[data-group^="population:"]`)), fail)
	if !strings.Contains(band, "Villes de taille semblable (de 100") || !strings.Contains(band, "200") ||
		!strings.Contains(band, " habitants) : rang ") {
		t.Errorf("population standing %q, want its band worded in French", band)
	}
	title := value(t, ctx, "read an area title",
		chromedp.Text(css(`#result tr[data-area="`+want.Areas[0].Area+`"] th`)), fail)
	if title != areaTitle(q, want.Areas[0].Area, "fr") {
		t.Errorf("area title %q, want the French title", title)
	}

	// Opening the link again shows the city's latest result.
	do("reopen the link", chromedp.Reload(), chromedp.WaitVisible(css("#latest #area-scores")))
	if got := value(t, ctx, "read the latest aggregate", chromedp.Text(css("#latest #score-aggregate")), fail); got != wantAggregate {
		t.Errorf("latest aggregate shown %q, want %q", got, wantAggregate)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}

// areaTitle is an area's title in a language, as the API serves it.
func areaTitle(q *index.Questionnaire, area, lang string) string {
	for _, a := range q.Areas {
		if a.ID == area {
			return a.Title.In(lang)
		}
	}
	return ""
}

func optionalAreas() int {
	n := 0
	for _, a := range index.Current().Areas {
		if a.Optional {
			n++
		}
	}
	return n
}

// member takes a new city to membership, its agreement in force since a year
// ago.
func member(t *testing.T, s *localtest.Stack, adm, name string) (string, string) {
	t.Helper()
	id, tok := reported(t, s, name)
	base := "/admin/cities/" + id
	day := func(months, days int) string { return time.Now().UTC().AddDate(0, months, days).Format("2006-01-02") }
	c := admin(t, s, adm, base+"/expert-visits", fmt.Sprintf(`{"scheduledFor":%q,"experts":[{"name":"A","email":"a@x.example"}],"representative":{"name":"R","email":"r@x.example"}}`, day(-14, 0)), 200)
	admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held", fmt.Sprintf(`{"heldOn":%q,"diagnosis":"ok"}`, day(-14, 0)), 200)
	admin(t, s, adm, base+"/profile", fmt.Sprintf(`{"title":"P","issuedOn":%q}`, day(-13, 0)), 200)
	signed := day(-12, -1)
	admin(t, s, adm, base+"/agreement", fmt.Sprintf(`{"citySignedOn":%q,"coeSignedOn":%q,"endsOn":%q}`, signed, signed, day(36, -2)), 200)
	return id, tok
}

// TestProgressReportFormInABrowser sends a member's yearly progress report
// through the form, in French, after a refused first try.
func TestProgressReportFormInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	id, tok := member(t, s, s.AdminToken(), "Rapporteville")
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	do("open the form and send it without a summary",
		chromedp.Navigate(s.URL+"/progress-report?city="+id+"&lang=fr#token="+tok),
		chromedp.WaitVisible(css("#progress-form")),
		chromedp.SendKeys(css("#actions"), "Formation interculturelle de 120 agents\nUn guichet d'accueil ouvert"),
		chromedp.SendKeys(css(`#indicator-rows tr:first-child .indicator-name`), "Écoles mixtes"),
		chromedp.SendKeys(css(`#indicator-rows tr:first-child .indicator-value`), "41 %"),
		chromedp.SendKeys(css(`#indicator-rows tr:first-child .indicator-target`), "50 %"),
		chromedp.Click(css("#submit-progress")),
		chromedp.WaitVisible(css("#text[aria-invalid=true]")),
	)
	if msg := value(t, ctx, "read the error", chromedp.Text(css(".field-error")), fail); !strings.Contains(msg, "obligatoire") {
		t.Errorf("the missing summary: %q", msg)
	}
	do("add the summary and send",
		chromedp.SendKeys(css("#text"), "Une année de mise en œuvre de la stratégie."),
		chromedp.Click(css("#submit-progress")),
		chromedp.WaitVisible(css("#progress-sent")),
		chromedp.WaitVisible(css("#report-list li")),
	)
	_, _, body := s.Do(http.MethodGet, "/cities/"+id+"/progress-reports", tok, "")
	var got struct {
		Reports []struct {
			Period     string
			Actions    []string
			Indicators []struct{ Name, Value, Target string }
			Text       string
		}
	}
	if err := json.Unmarshal(body, &got); err != nil || len(got.Reports) != 1 {
		t.Fatalf("reports: %v %s", err, body)
	}
	r := got.Reports[0]
	if r.Period != strconv.Itoa(time.Now().Year()) || len(r.Actions) != 2 || r.Actions[1] != "Un guichet d'accueil ouvert" ||
		len(r.Indicators) != 1 || r.Indicators[0].Target != "50 %" || !strings.HasPrefix(r.Text, "Une année") {
		t.Errorf("the report as stored: %+v", r)
	}
	// The page links to the city's other page with the same personal link.
	href := value(t, ctx, "read the navigation", chromedp.AttributeValue(css(`#city-nav a[href^="index-form"]`), "href"), fail)
	if href.Value != "index-form?city="+id+"&lang=fr#token="+tok {
		t.Errorf("link to the INDEX form: %+v", href)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}

// TestSecretariatConsoleInABrowser signs in, filters the pipeline, opens a
// city and schedules its expert visit, after a refused first try.
func TestSecretariatConsoleInABrowser(t *testing.T) {
	ctx, jsErrors := browser(t)
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	applyCity(t, s, "Still Applying", 90000, 9)
	id, _ := reported(t, s, "Ready For A Visit")
	fail, do := steps(t, ctx, jsErrors)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	do("a wrong token",
		chromedp.Navigate(s.URL+"/secretariat?lang=en"),
		chromedp.WaitVisible(css("#signin")),
		chromedp.SendKeys(css("#token"), "not-a-token"),
		chromedp.Click(css(`#signin button[type=submit]`)),
		chromedp.WaitVisible(css("#form-status .error")),
	)
	do("sign in and filter the pipeline",
		chromedp.SendKeys(css("#token"), adm),
		chromedp.Click(css(`#signin button[type=submit]`)),
		chromedp.WaitVisible(css(`#cities tbody tr`)),
		chromedp.Click(css(`#counts button[data-status="index_reported"]`)),
		chromedp.WaitVisible(css(`#counts button[data-status="index_reported"][aria-pressed=true]`)),
	)
	rows := value(t, ctx, "count rows", chromedp.Evaluate[int](`document.querySelectorAll("#cities tbody tr").length`), fail)
	if rows != 1 {
		t.Fatalf("%d rows for index_reported, want 1", rows)
	}
	do("open the city and try to schedule a visit without a representative",
		chromedp.Click(css(`#cities tbody tr[data-city="`+id+`"] a`)),
		chromedp.WaitVisible(css(`#steps details[data-step="visit_scheduled"]`)),
		chromedp.Click(css(`details[data-step="visit_scheduled"] summary`)),
		chromedp.SendKeys(css(`#s-visit_scheduled-scheduledFor`), time.Now().UTC().AddDate(0, 0, -7).Format("01/02/2006")),
		chromedp.SendKeys(css(`#s-visit_scheduled-expertName`), "Ana Expert"),
		chromedp.SendKeys(css(`#s-visit_scheduled-expertEmail`), "ana@experts.example"),
		chromedp.Click(css(`details[data-step="visit_scheduled"] button[type=submit]`)),
		chromedp.WaitVisible(css(`[data-field="representativeName"] .field-error`)),
	)
	do("add the representative and record",
		chromedp.SendKeys(css(`#s-visit_scheduled-representativeName`), "Irena Novak"),
		chromedp.SendKeys(css(`#s-visit_scheduled-representativeEmail`), "irena@coe.example"),
		chromedp.Click(css(`details[data-step="visit_scheduled"] button[type=submit]`)),
		chromedp.WaitVisible(css(`#steps details[data-step="visit_held"]`)),
	)
	_, _, body := s.Do(http.MethodGet, "/cities/"+id, adm, "")
	var file struct {
		Status      string
		ExpertVisit struct {
			ScheduledFor   string
			Experts        []struct{ Name string }
			Representative struct{ Email string }
		}
	}
	if err := json.Unmarshal(body, &file); err != nil || file.Status != "visit_scheduled" ||
		file.ExpertVisit.ScheduledFor != time.Now().UTC().AddDate(0, 0, -7).Format("2006-01-02") ||
		len(file.ExpertVisit.Experts) != 1 || file.ExpertVisit.Representative.Email != "irena@coe.example" {
		t.Fatalf("the city after the console's step: %v %s", err, body)
	}
	// The rest of the path, each step through its own form.
	date := func(d time.Time) string { return d.Format("01/02/2006") } // as typed in a date field
	today := time.Now().UTC()
	path := []struct {
		step   string
		fields map[string]string
		next   string // the step whose form appears next
	}{
		{"visit_held", map[string]string{"heldOn": date(today), "diagnosis": "Strong commitment."}, "profile_issued"},
		{"profile_issued", map[string]string{"title": "Intercultural profile", "issuedOn": date(today), "link": "https://rm.coe.int/profile"}, "agreement_signed"},
		{"agreement_signed", map[string]string{"citySignedOn": date(today.AddDate(0, 0, -2)), "coeSignedOn": date(today.AddDate(0, 0, -1)),
			"endsOn": date(today.AddDate(4, 0, -2))}, "agreement_amended"},
		{"agreement_amended", map[string]string{"endsOn": date(today.AddDate(5, 0, 0)), "agreedOn": date(today),
			"reference": "Letter DG-II/17"}, "termination_notified"},
		{"termination_notified", map[string]string{"noticeOn": date(today), "reason": "Budget cuts."}, "tokens"},
	}
	for _, st := range path {
		actions := []chromedp.Action[chromedp.Void]{chromedp.Click(css(`details[data-step="` + st.step + `"] summary`))}
		for f, v := range st.fields {
			actions = append(actions, chromedp.SendKeys(css("#s-"+st.step+"-"+f), v))
		}
		actions = append(actions, chromedp.Click(css(`details[data-step="`+st.step+`"] button[type=submit]`)))
		if st.step == "agreement_amended" {
			// A member may amend again: the form stays, empty once recorded.
			actions = append(actions, chromedp.WaitVisible(css(`#steps details[data-step="`+st.next+`"]`)))
			do(st.step, actions...)
			value(t, ctx, "the amendment recorded", chromedp.Poll[bool](
				`document.querySelector("#s-agreement_amended-reference") !== null && document.querySelector("#s-agreement_amended-reference").value === ""`), fail)
			// The file is shown again once all of it has loaded (its
			// invoices too): only then is the next form the one to fill.
			do(st.step+" reloaded", chromedp.WaitVisible(css(`#city[data-loaded="`+id+`"]`)))
			continue
		}
		actions = append(actions,
			chromedp.WaitNotPresent(css(`details[data-step="`+st.step+`"]`)),
			chromedp.WaitVisible(css(`#steps details[data-step="`+st.next+`"]`)),
			chromedp.WaitVisible(css(`#city[data-loaded="`+id+`"]`)))
		do(st.step, actions...)
	}
	_, _, body = s.Do(http.MethodGet, "/cities/"+id, adm, "")
	var member struct {
		Status      string
		Agreement   struct{ InForceFrom, EndsOn string }
		Termination struct{ By, EffectiveOn string }
	}
	if err := json.Unmarshal(body, &member); err != nil || member.Status != "termination_notified" ||
		member.Agreement.InForceFrom != today.AddDate(0, 0, -1).Format("2006-01-02") || member.Termination.By != "city" ||
		member.Agreement.EndsOn != today.AddDate(5, 0, 0).Format("2006-01-02") ||
		member.Termination.EffectiveOn != membership.AddMonth(today).Format("2006-01-02") {
		t.Fatalf("the city after the console's steps: %v %s", err, body)
	}
	do("back to the pipeline", chromedp.Click(css("#back")), chromedp.WaitVisible(css("#pipeline")))
	if c := value(t, ctx, "read a count", chromedp.Text(css(`#counts button[data-status="termination_notified"]`)), fail); !strings.HasSuffix(c, "(1)") {
		t.Errorf("notice given count %q, want (1)", c)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
