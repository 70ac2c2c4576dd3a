package membership

import (
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

func TestNameKeyFoldsCaseAccentsAndPunctuation(t *testing.T) {
	same := [][2]string{
		{"Saint-Étienne", "saint etienne"},
		{"SAINT ÉTIENNE", "  Saint  Etienne "},
		{"Rīga", "Riga"},
		{"Zürich", "zurich"},
		{"L'Hospitalet de Llobregat", "l hospitalet de llobregat"},
		{"Reggio nell'Emilia", "Reggio Nell’Emilia"},
		{"Saint\u00a0Denis", "Saint Denis"},
	}
	for _, p := range same {
		if a, b := NameKey("FR", p[0]), NameKey("FR", p[1]); a != b {
			t.Errorf("%q → %q and %q → %q: want the same key", p[0], a, p[1], b)
		}
	}
	different := [][2]string{
		{"Lyon", "Lyons"},
		{"Saint-Denis", "Saint-Étienne"},
		{"Newport", "New Port1"},
	}
	for _, p := range different {
		if NameKey("FR", p[0]) == NameKey("FR", p[1]) {
			t.Errorf("%q and %q: want different keys", p[0], p[1])
		}
	}
	if NameKey("FR", "Valence") == NameKey("ES", "Valence") {
		t.Error("the same name in two countries gives one key")
	}
	if got := NameKey("fr", " Saint-Étienne! "); got != "FR#saint etienne" {
		t.Errorf("key %q", got)
	}
}

func TestOnlyAnEndedFileLetsTheCityApplyAgain(t *testing.T) {
	for _, s := range Statuses {
		adm := Change{City: City{ID: "new", Name: "Lyon", Country: "FR"}, Event: Event{Detail: "eligible"},
			Records: []any{NameClaim{Key: "FR#lyon", CityID: "new"}}}
		got, err := adm.Reapply(Holder{CityID: "old", Status: s})
		if s.Ended() {
			claim := got.Records[0].(NameClaim)
			if adm.Records[0].(NameClaim).Previous != "" {
				t.Fatal("Reapply changed the change it was given")
			}
			if err != nil || got.City.PreviousCityID != "old" || claim.Previous != "old" ||
				!strings.Contains(got.Event.Detail, "re-application after file old") {
				t.Errorf("after a file %s: %+v, %v; want a re-application linked to it", s, got.City, err)
			}
			continue
		}
		f := failure.As(err)
		if f == nil || f.Kind != failure.Conflict || len(f.Fields) != 1 || f.Fields[0].Pointer != "/cityName" {
			t.Errorf("while a file is %s: %v; want a Conflict naming /cityName", s, err)
		}
	}
	n := 0
	for _, s := range Statuses {
		if s.Ended() {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d ended statuses, want terminated, expired, withdrawn and declined", n)
	}
}
