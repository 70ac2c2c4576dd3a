package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
)

func TestProblemLanguageFollowsAcceptLanguage(t *testing.T) {
	for header, want := range map[string]i18n.Lang{
		"":                        i18n.English,
		"fr-BE":                   i18n.French,
		"en-GB,en;q=0.9,fr;q=0.8": i18n.English,
		"de-DE,de;q=0.9,fr;q=0.7": i18n.French,
		"fr;q=0":                  i18n.English,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			r.Header.Set("Accept-Language", header)
		}
		if got := requestLanguage(r); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
}

// problem writes err as a problem for a request in lang.
func problem(t *testing.T, err error, lang string) (int, Problem) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/applications", nil)
	r.Header.Set("Accept-Language", lang)
	w := httptest.NewRecorder()
	writeProblem(w, r, err)
	var p Problem
	if e := json.Unmarshal(w.Body.Bytes(), &p); e != nil {
		t.Fatalf("%s: %d %s", lang, w.Code, w.Body)
	}
	return w.Code, p
}

func TestProblemsAreWordedInTheCallersLanguage(t *testing.T) {
	var c failure.Collector
	c.Add("/population", "must be a number of inhabitants from 1 to %d", 50000000)
	c.Add("/answers", "%s: is required", "commitment.statement")
	c.Add("/answers/3/value", "%s: must be from %g to %g", "demographics.foreignBorn", 0.0, 12.5)
	c.Add("/endsOn", "must be after the entry into force (%s)", "2027-01-15")
	c.Add("/x", "a message the catalogue lacks")
	err := c.Err("the application has invalid fields")
	tests := []struct {
		lang, title, detail string
		errors              []string
	}{
		{"en", "Invalid input", "the application has invalid fields", []string{
			"must be a number of inhabitants from 1 to 50,000,000",
			"commitment.statement: is required",
			"demographics.foreignBorn: must be from 0 to 12.5",
			"must be after the entry into force (15 January 2027)",
			"a message the catalogue lacks",
		}},
		{"fr-FR,fr;q=0.9", "Données invalides", "la candidature comporte des champs invalides", []string{
			"doit être un nombre d'habitants de 1 à 50\u202f000\u202f000",
			"commitment.statement: une réponse est obligatoire",
			"demographics.foreignBorn: doit être compris entre 0 et 12,5",
			"doit être postérieure à l'entrée en vigueur (15 janvier 2027)",
			"a message the catalogue lacks",
		}},
	}
	for _, tt := range tests {
		code, p := problem(t, err, tt.lang)
		if code != http.StatusBadRequest || p.Title != tt.title || p.Detail != tt.detail || len(p.Errors) != len(tt.errors) {
			t.Fatalf("%s: %d %+v", tt.lang, code, p)
		}
		for i, want := range tt.errors {
			if p.Errors[i].Detail != want || p.Errors[i].Pointer != c.Errs[i].Pointer {
				t.Errorf("%s error %d: %+v, want %q", tt.lang, i, p.Errors[i], want)
			}
		}
	}
	// The error itself is untouched: another caller still reads it as it was.
	if failure.As(err).Fields[0].Detail != "must be a number of inhabitants from 1 to 50000000" {
		t.Error("wording a problem changed the error")
	}
}

func TestEveryKindOfProblemHasItsFrenchTitle(t *testing.T) {
	for kind, pk := range kinds {
		if !i18n.French.Has(pk.title) {
			t.Errorf("kind %d: title %q has no French", kind, pk.title)
		}
	}
	// An internal error says, in French, only that it happened.
	code, p := problem(t, errors.New("table missing: arn:aws:dynamodb:..."), "fr")
	if code != http.StatusInternalServerError || p.Title != "Erreur interne" ||
		p.Detail != "une erreur s'est produite de notre côté ; elle est consignée" {
		t.Errorf("internal error in French: %d %+v", code, p)
	}
	// A literal detail with a percent sign stays as it is.
	_, p = problem(t, failure.Fields("100% wrong", failure.FieldError{Pointer: "/x", Detail: "50% off"}), "fr")
	if p.Detail != "100% wrong" || p.Errors[0].Detail != "50% off" {
		t.Errorf("literal details: %+v", p)
	}
}
