package membership

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// A city has at most one open file: a second application for the same city
// (same country, same name up to case, accents, punctuation and spacing) is
// refused while the first is open, and accepted as a re-application, linked
// to the earlier file, once that file has ended.

// ended are the statuses a city's file ends in.
var ended = []Status{StatusTerminated, StatusExpired, StatusWithdrawn, StatusDeclined}

// Ended reports whether a file in status s is closed: the city may apply
// again.
func (s Status) Ended() bool { return slices.Contains(ended, s) }

// NameKey identifies a city for the one-open-file rule: its country and its
// name folded ("Saint-Étienne", "saint etienne" and "SAINT ETIENNE" give the
// same key).
func NameKey(country, name string) string {
	return strings.ToUpper(country) + "#" + Fold(name)
}

// Fold reduces a name to what a person means by it: lower case, no accents,
// every run of spaces and punctuation one space. Names are compared and
// searched folded.
func Fold(name string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r): // a combining accent
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// Holder is the city whose file holds a name key.
type Holder struct {
	CityID string
	Status Status
}

// NameClaim holds a city's name key for its open file: an application
// writes it, and it may take it only while no open file holds it.
type NameClaim struct {
	Key    string // NameKey(country, name)
	CityID string
	Name   string
	At     time.Time
	// Previous is the ended file that held the key, when the application
	// is a re-application; empty for a name never claimed.
	Previous string
}

// Reapply plans an application again once its name key turned out to be
// held: a re-application after an ended file, which it links to, or a
// Conflict while that file is open.
func (ch Change) Reapply(h Holder) (Change, error) {
	if !h.Status.Ended() {
		err := failure.New(failure.Conflict, "an application for %s (%s) is already in progress; "+
			"the contact person of that application, or the secretariat, can help", ch.City.Name, ch.City.Country)
		err.Fields = []failure.FieldError{failure.Field("/cityName", "this city already has an application in progress")}
		return ch, err
	}
	ch.City.PreviousCityID = h.CityID
	ch.Event.Detail += "; re-application after file " + h.CityID + " (" + string(h.Status) + ")"
	records := slices.Clone(ch.Records)
	for i, r := range records {
		if c, ok := r.(NameClaim); ok {
			c.Previous = h.CityID
			records[i] = c
		}
	}
	ch.Records = records
	return ch, nil
}

// NameTaken is what storing an application reports when its name key is
// held by another file: Change.Reapply says what to do next.
type NameTaken struct{ Holder Holder }

func (e *NameTaken) Error() string {
	return "the city's name is held by file " + e.Holder.CityID + " (" + string(e.Holder.Status) + ")"
}
