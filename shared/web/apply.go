package web

import (
	"crypto/rand"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The application form works with JavaScript and without it. With it, the
// page's script sends the application as JSON to POST /applications. Without
// it, the browser sends the form itself, method POST and form-encoded, to
// POST /apply on the same origin (never as a GET: the application's personal
// data stays out of every URL); the applications function records it by the
// same path as POST /applications and answers an HTML page: the
// confirmation, or the form again with the values as sent and each error
// next to its field. Each page carries, in a hidden field, an
// Idempotency-Key drawn when it is served: a form sent twice records one
// application.

// keyField is the hidden field holding the page's Idempotency-Key.
const keyField = "idempotencyKey"

// formField is a field of the form: its name (also its control's id), the
// application's field it fills (a JSON Pointer) and the name of its label
// in the catalogue.
type formField struct{ name, pointer, label string }

// formFields are the form's fields, in the page's order.
var formFields = []formField{
	{"cityName", "/cityName", "cityName"},
	{"country", "/country", "country"},
	{"population", "/population", "population"},
	{"foreignBornShare", "/foreignBornShare", "foreignBornShare"},
	{"foreignResidentShare", "/foreignResidentShare", "foreignResident"},
	{"nationalMinorityShare", "/nationalMinorityShare", "nationalMinority"},
	{"contactName", "/contact/name", "contactName"},
	{"contactEmail", "/contact/email", "contactEmail"},
	{"language", "/language", "language"},
}

// control is the id of the control an error of field name links to: the
// first radio button for the language.
func control(name string) string {
	if name == "language" {
		return "language-en"
	}
	return name
}

// fieldOf is the form field an error at pointer is about, or "" for one
// about the form as a whole.
func fieldOf(pointer string) string {
	if pointer == "/contact" {
		return "contactName"
	}
	if i := slices.IndexFunc(formFields, func(f formField) bool { return f.pointer == pointer }); i >= 0 {
		return formFields[i].name
	}
	return ""
}

// position is the place of the field name in the form; -1 for none.
func position(name string) int {
	return slices.IndexFunc(formFields, func(f formField) bool { return f.name == name })
}

// ApplicationForm is the application form as a browser sends it: its
// fields as typed, kept to show the form again, and the Idempotency-Key the
// page was served with.
type ApplicationForm struct {
	values map[string]string
	Key    string
}

// NewApplicationForm is an empty form with a fresh Idempotency-Key.
func NewApplicationForm() ApplicationForm {
	return ApplicationForm{Key: rand.Text()}
}

// Value is what the field name holds.
func (f ApplicationForm) Value(name string) string { return f.values[name] }

// WithNewKey is the form with a fresh Idempotency-Key, to be sent as a new
// request.
func (f ApplicationForm) WithNewKey() ApplicationForm {
	f.Key = rand.Text()
	return f
}

// ReadApplicationForm reads a sent form. It keeps what it can read of a
// form it refuses (a field it does not know, or sent twice), to show it
// again.
func ReadApplicationForm(v url.Values) (ApplicationForm, error) {
	f := ApplicationForm{values: map[string]string{}}
	var c failure.Collector
	for _, name := range slices.Sorted(maps.Keys(v)) {
		switch {
		case name != keyField && position(name) < 0:
			c.Add("/"+name, "is not a known field")
		case len(v[name]) > 1:
			c.Add("/"+name, "must be sent once")
		case name == keyField:
			f.Key = v[name][0]
		default:
			f.values[name] = v[name][0]
		}
	}
	return f, c.Err("the form has fields it should not have")
}

// Encode is the form's application, written the same way whatever the
// order of its fields: what a repeated request is compared by.
func (f ApplicationForm) Encode() string {
	v := url.Values{}
	for name, s := range f.values {
		v.Set(name, s)
	}
	return v.Encode()
}

// Application is the application the form states, as POST /applications
// takes it: the texts trimmed, the country in capitals, the numbers read
// (a decimal comma too). A number that cannot be read is reported with the
// errors the application's own validation finds, every offending field at
// once.
func (f ApplicationForm) Application() (membership.Application, error) {
	text := func(name string) *string {
		s := strings.TrimSpace(f.values[name])
		return &s
	}
	var app membership.Application
	var c failure.Collector
	app.CityName = text("cityName")
	country := strings.ToUpper(*text("country"))
	app.Country = &country
	if s := number(f.values["population"]); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			app.Population = &n
		} else {
			c.Add("/population", "must be a number of inhabitants from 1 to %d", membership.MaxPopulation)
		}
	}
	for _, share := range []struct {
		name string
		to   **float64
	}{
		{"foreignBornShare", &app.ForeignBornShare},
		{"foreignResidentShare", &app.ForeignResidentShare},
		{"nationalMinorityShare", &app.NationalMinorityShare},
	} {
		if s := number(f.values[share.name]); s != "" {
			if x, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64); err == nil {
				*share.to = &x
			} else {
				c.Add("/"+share.name, "must be a percentage from 0 to 100")
			}
		}
	}
	app.Contact = &membership.Contact{Name: *text("contactName"), Email: *text("contactEmail")}
	if lang, ok := f.values["language"]; ok {
		app.Language = &lang
	}
	if len(c.Errs) == 0 {
		return app, nil
	}
	// The unreadable numbers, and what else is wrong.
	errs := c.Errs
	if v := failure.As(app.Validate()); v != nil {
		for _, fe := range v.Fields {
			if !slices.ContainsFunc(errs, func(e failure.FieldError) bool { return e.Pointer == fe.Pointer }) {
				errs = append(errs, fe)
			}
		}
	}
	slices.SortStableFunc(errs, func(a, b failure.FieldError) int { return position(fieldOf(a.Pointer)) - position(fieldOf(b.Pointer)) })
	return app, failure.Fields("the application has invalid fields", errs...)
}

// number is a number as typed, without the spaces that group its digits
// (no-break and narrow ones too: "150 000").
func number(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// FormError is an error of a sent form, worded in the page's language:
// about the application's field at Pointer, or about the form as a whole
// when Pointer names none of the form's fields.
type FormError struct {
	Pointer string
	Message string
}

// Applied is a recorded application as its confirmation shows it: the
// reasons of a verdict of ineligibility are worded in the page's language.
type Applied struct {
	CityID   string
	Eligible bool
	Reasons  []string
}

// applyView is what the application page shows besides the common view:
// the form, its errors, or the confirmation.
type applyView struct {
	Form ApplicationForm
	// Detail says what went wrong as a whole, when it says more than
	// the field errors.
	Detail string
	// Summary lists every error, in the form's order, each linked to
	// its control when it is about a field.
	Summary []summaryItem
	errors  map[string]string // by field name
	Done    *Applied
}

type summaryItem struct {
	Control string // the id of the control it is about, or ""
	Text    string
}

// Error is the error shown next to the field name, if any.
func (v *applyView) Error(name string) string { return v.errors[name] }

// Apply serves GET /apply: the application form, with an Idempotency-Key
// of its own, so the page is never stored by a cache.
func Apply(w http.ResponseWriter, r *http.Request) {
	serve(w, r, "apply", http.StatusOK, "no-store", &applyView{Form: NewApplicationForm()})
}

// ApplyAgain answers a sent form that recorded nothing: the form again,
// with status, the values as sent, each error next to its field, and all of
// them in a summary at the top, linked to their fields and focused when the
// page opens (WCAG 3.3.1, 3.3.3). detail, when given, says what went wrong
// as a whole.
func ApplyAgain(w http.ResponseWriter, r *http.Request, status int, f ApplicationForm, detail string, errs []FormError) {
	lang := Lang(r)
	v := &applyView{Form: f, Detail: detail, errors: map[string]string{}}
	var general []summaryItem
	for _, e := range errs {
		name := fieldOf(e.Pointer)
		if name == "" {
			// About no field of the form: named as the API names it.
			text := e.Message
			if e.Pointer != "" && e.Pointer != "/" {
				text = e.Pointer + lang.Sprintf("jsColon") + text
			}
			general = append(general, summaryItem{Text: text})
			continue
		}
		if v.errors[name] != "" {
			v.errors[name] += " "
		}
		v.errors[name] += e.Message
	}
	for _, ff := range formFields {
		if msg := v.errors[ff.name]; msg != "" {
			v.Summary = append(v.Summary, summaryItem{Control: control(ff.name), Text: lang.Sprintf(ff.label) + lang.Sprintf("jsColon") + msg})
		}
	}
	v.Summary = append(v.Summary, general...)
	if len(v.Summary) == 0 && detail == "" {
		v.Detail = lang.Sprintf("jsFixErrors")
	}
	serve(w, r, "apply", status, "no-store", v)
}

// ShowApplied answers a sent form whose application is recorded: the
// confirmation, with status.
func ShowApplied(w http.ResponseWriter, r *http.Request, status int, a Applied) {
	serve(w, r, "apply", status, "no-store", &applyView{Done: &a})
}
