package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/i18n/i18ntest"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

var keyOf = regexp.MustCompile(`<input type="hidden" name="idempotencyKey" value="([^"]+)">`)

// TestApplicationFormIsPostedWithAKeyOfItsOwn: without JavaScript the
// browser sends the form by POST to this page's path, never as a query
// string; each page carries a fresh Idempotency-Key.
func TestApplicationFormIsPostedWithAKeyOfItsOwn(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		body := get(t, "/apply", "/apply?lang="+lang).Body.String()
		if !strings.Contains(body, `<form id="apply-form" method="post" action="?lang=`+lang+`" novalidate>`) {
			t.Errorf("/apply?lang=%s: the form is not posted to ?lang=%s", lang, lang)
		}
		first, second := keyOf.FindStringSubmatch(body), keyOf.FindStringSubmatch(get(t, "/apply", "/apply?lang="+lang).Body.String())
		if first == nil || second == nil || first[1] == second[1] || len(first[1]) < 26 {
			t.Errorf("/apply?lang=%s: keys %v and %v, want two fresh ones", lang, first, second)
		}
		if strings.Contains(body, "<noscript>") {
			t.Errorf("/apply?lang=%s says it needs JavaScript", lang)
		}
	}
}

func formValues(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

// filled is a complete form, its fields overridden by pairs.
func filled(pairs ...string) url.Values {
	v := formValues("idempotencyKey", "K1", "cityName", " Lyon ", "country", "fr", "population", "522 000",
		"foreignBornShare", "12,5", "foreignResidentShare", "9", "nationalMinorityShare", "0",
		"contactName", "Amélie Durand", "contactEmail", "amelie@lyon.example", "language", "fr")
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

func TestApplicationFormReadsAsTheAPIsApplication(t *testing.T) {
	f, err := ReadApplicationForm(filled())
	if err != nil || f.Key != "K1" {
		t.Fatalf("read: %v, key %q", err, f.Key)
	}
	app, err := f.Application()
	if err != nil {
		t.Fatal(err)
	}
	if *app.CityName != "Lyon" || *app.Country != "FR" || *app.Population != 522000 || *app.ForeignBornShare != 12.5 ||
		*app.ForeignResidentShare != 9 || *app.NationalMinorityShare != 0 || app.Contact.Name != "Amélie Durand" ||
		app.Contact.Email != "amelie@lyon.example" || *app.Language != "fr" {
		t.Errorf("application %+v", app)
	}
	if err := app.Validate(); err != nil {
		t.Errorf("the application the form states is invalid: %v", err)
	}
	// The same form in another order is the same request; the key is not
	// part of it.
	g, _ := ReadApplicationForm(filled("idempotencyKey", "K2"))
	if f.Encode() != g.Encode() || strings.Contains(f.Encode(), "K1") {
		t.Errorf("encodings %q and %q", f.Encode(), g.Encode())
	}
	h, _ := ReadApplicationForm(filled("cityName", "Lyon 2"))
	if f.Encode() == h.Encode() {
		t.Error("two applications encode alike")
	}
}

func TestApplicationFormRefusesWhatItDoesNotHave(t *testing.T) {
	v := filled("score", "99")
	v.Add("cityName", "Paris")
	f, err := ReadApplicationForm(v)
	e := failure.As(err)
	if e == nil || e.Kind != failure.Invalid || len(e.Fields) != 2 || e.Fields[0].Pointer != "/cityName" || e.Fields[1].Pointer != "/score" {
		t.Fatalf("a field twice and an unknown one: %v %+v", err, e)
	}
	if f.Value("contactName") != "Amélie Durand" {
		t.Error("the values read are not kept to show the form again")
	}
}

// TestApplicationFormReportsEveryFieldAtOnce: numbers that cannot be read
// are reported with what the application's validation finds, in the
// form's order.
func TestApplicationFormReportsEveryFieldAtOnce(t *testing.T) {
	f, _ := ReadApplicationForm(filled("population", "many", "foreignResidentShare", "9 %", "contactEmail", "", "cityName", ""))
	_, err := f.Application()
	e := failure.As(err)
	if e == nil {
		t.Fatal("no error")
	}
	var got []string
	for _, fe := range e.Fields {
		got = append(got, fe.Pointer+" "+fe.Detail)
	}
	want := []string{"/cityName must not be blank", "/population must be a number of inhabitants from 1 to 50000000",
		"/foreignResidentShare must be a percentage from 0 to 100", "/contact/email is required"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// What the API's validation says of the same application.
	f, _ = ReadApplicationForm(filled("population", "", "language", "de"))
	_, err = f.Application()
	if err != nil {
		t.Fatalf("the form's own reading refuses what validation should: %v", err)
	}
}

func sentBack(t *testing.T, lang string, status int, f ApplicationForm, detail string, errs []FormError) (int, http.Header, string) {
	t.Helper()
	w := httptest.NewRecorder()
	ApplyAgain(w, httptest.NewRequest(http.MethodPost, "/apply?lang="+lang, nil), status, f, detail, errs)
	return w.Code, w.Header(), w.Body.String()
}

// TestApplicationFormSentBackShowsEachErrorByItsField: the values as sent,
// escaped; each error next to its field and linked from a summary that
// takes the focus (WCAG 3.3.1); the page in the form's language.
func TestApplicationFormSentBackShowsEachErrorByItsField(t *testing.T) {
	f, _ := ReadApplicationForm(filled("cityName", `<script>alert(1)</script>`, "contactEmail", "not-an-email", "population", "many"))
	fr := i18n.French
	status, hdr, body := sentBack(t, "fr", http.StatusBadRequest, f, "", []FormError{
		{"/population", fr.Sprintf("must be a number of inhabitants from 1 to %d", int64(membership.MaxPopulation))},
		{"/contact/email", fr.Text("must be a plain email address such as name@city.example")},
		{"/language", fr.Text("must be en or fr")},
		{"/score", fr.Text("is not a known field")},
	})
	if status != http.StatusBadRequest || hdr.Get("Cache-Control") != "no-store" || hdr.Get("Content-Security-Policy") == "" {
		t.Fatalf("status %d, headers %v", status, hdr)
	}
	for _, want := range []string{
		`<html lang="fr">`,
		`<title>Erreur : Candidature au programme`,
		`<div id="error-summary" class="error-summary" tabindex="-1" autofocus>`,
		`<a href="#population">Population (habitants) : doit être un nombre d&#39;habitants de 1 à 50`,
		`<a href="#contactEmail">Courriel : doit être une adresse électronique simple`,
		`<a href="#language-en">Langue de nos courriels : doit être en ou fr</a>`,
		`<li>/score : n&#39;est pas un champ connu</li>`,
		`value="&lt;script&gt;alert(1)&lt;/script&gt;"`,
		`value="not-an-email" aria-invalid="true" aria-describedby="contactEmail-error">`,
		`<p class="error field-error" id="contactEmail-error">doit être une adresse électronique simple`,
		`<input id="language-fr" type="radio" name="language" value="fr" checked aria-invalid="true">`,
		`<input type="hidden" name="idempotencyKey" value="K1">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script>alert") {
		t.Error("a value is echoed unescaped")
	}
	if strings.Contains(body, `id="cityName-error"`) {
		t.Error("a field without an error is marked")
	}
	if found := i18ntest.NotFrench(i18ntest.HTMLText(body)); len(found) > 0 {
		t.Errorf("the French form sent back is not French:\n%s", strings.Join(found, "\n"))
	}
	// A failure of the whole form says so, above an empty form.
	_, _, body = sentBack(t, "en", http.StatusForbidden, NewApplicationForm(), "sent from elsewhere", nil)
	if !strings.Contains(body, "<p>sent from elsewhere</p>") || !strings.Contains(body, `id="cityName" name="cityName" data-pointer="/cityName" required maxlength="120" autocomplete="address-level2" value="">`) {
		t.Errorf("the refused form: %.2000s", body)
	}
}

func TestApplicationConfirmedInTheFormsLanguage(t *testing.T) {
	w := httptest.NewRecorder()
	ShowApplied(w, httptest.NewRequest(http.MethodPost, "/apply?lang=fr", nil), http.StatusCreated,
		Applied{CityID: "k5vq3ztm2xw7cjr4hbn6dpaafe", Eligible: false, Reasons: []string{"population de 12 000 habitants"}})
	body := w.Body.String()
	if w.Code != http.StatusCreated || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}
	for _, want := range []string{`<title>Candidature enregistrée`, `<p id="verdict" data-eligible="false" data-city-id="k5vq3ztm2xw7cjr4hbn6dpaafe">` +
		i18n.French.Sprintf("jsIneligible"), `<li>population de 12 000 habitants</li>`, `Référence du dossier de votre ville : <span translate="no">k5vq3ztm2xw7cjr4hbn6dpaafe</span>`} {
		if !strings.Contains(body, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("the confirmation lacks %s", want)
		}
	}
	if strings.Contains(body, `id="apply-form"`) {
		t.Error("the confirmation shows the form")
	}
	if found := i18ntest.NotFrench(i18ntest.HTMLText(body)); len(found) > 0 {
		t.Errorf("the French confirmation is not French:\n%s", strings.Join(found, "\n"))
	}
}

func TestNumbersAreReadWithTheirGroupingSpaces(t *testing.T) {
	for in, want := range map[string]string{"150 000": "150000", "150\u00a0000": "150000", "150\u202f000": "150000", " 12,5 ": "12,5"} {
		if got := number(in); got != want {
			t.Errorf("number(%q) = %q, want %q", in, got, want)
		}
	}
}
