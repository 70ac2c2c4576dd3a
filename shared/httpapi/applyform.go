package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/web"
)

// applyForm serves POST /apply: the application form as a browser sends it
// without JavaScript, form-encoded. The application takes the path of POST
// /applications (the same validation, idempotency, transaction and emails);
// the Idempotency-Key is the one the page was served with, in a hidden
// field. The answer is a page in the form's language (?lang=): the
// confirmation, or the form again with its values and every error.
func (a *API) applyForm(w http.ResponseWriter, r *http.Request) {
	if err := a.sameOrigin(r); err != nil {
		// Nothing sent from elsewhere is shown again.
		a.formFailed(w, r, web.NewApplicationForm(), err)
		return
	}
	values, err := readForm(r, a.maxBody())
	if err != nil {
		a.formFailed(w, r, web.NewApplicationForm(), err)
		return
	}
	f, err := web.ReadApplicationForm(values)
	if err != nil {
		a.formFailed(w, r, f, err)
		return
	}
	ap := applying{api: a, r: r, reasonsIn: web.Lang(r)}
	s, err := a.once(r, "applications", f.Key, []byte(f.Encode()),
		func() (created, error) {
			app, err := f.Application()
			if err != nil {
				return created{}, err
			}
			return ap.plan(app)
		},
		ap.commit,
	)
	if err != nil {
		a.formFailed(w, r, f, err)
		return
	}
	var res ApplicationResponse
	if err := json.Unmarshal(s.Body, &res); err != nil {
		a.formFailed(w, r, f, err)
		return
	}
	done := web.Applied{CityID: res.CityID, Eligible: res.Eligibility.Eligible}
	for _, reason := range res.Eligibility.Reasons {
		done.Reasons = append(done.Reasons, reason.Message)
	}
	web.ShowApplied(w, r, s.Status, done)
}

// formFailed answers a form that recorded nothing: the form again, with the
// status of the failure (the one mapping of package problem) and its words
// in the form's language. The page keeps its Idempotency-Key, which
// recorded nothing and guards the next try, unless the key itself is what
// went wrong.
func (a *API) formFailed(w http.ResponseWriter, r *http.Request, f web.ApplicationForm, err error) {
	lang := web.Lang(r)
	kind := failure.KindOf(err)
	if kind == failure.Unprocessable {
		// The key was used for another application: this page's values
		// are not recorded yet.
		err = failure.New(failure.Unprocessable, "this form was already sent with other values; nothing new was recorded: check the values and send the form again")
	}
	if kind == failure.Unprocessable || idempotency.ValidKey(f.Key) != nil {
		f = f.WithNewKey()
	}
	pk, ok := kinds[kind]
	if !ok {
		pk = kinds[failure.Internal]
	}
	var detail string
	var errs []web.FormError
	switch fe := failure.As(err); {
	case kind == failure.Internal || fe == nil:
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		detail = lang.Text(internalDetail)
	default:
		format, args := fe.Message()
		// "The application has invalid fields" says no more than the
		// fields' own errors.
		if kind != failure.Invalid || len(fe.Fields) == 0 {
			detail = say(lang, format, args)
		}
		for _, field := range fe.Fields {
			format, args := field.Message()
			errs = append(errs, web.FormError{Pointer: field.Pointer, Message: say(lang, format, args)})
		}
	}
	web.ApplyAgain(w, r, pk.status, f, detail, errs)
}

// sameOrigin refuses a form sent from another site (cross-site request
// forgery: a page elsewhere posting an application in its visitor's name).
// The JSON API needs no such check: a browser sends JSON to another origin
// only after a CORS preflight, which this API answers for FormsOrigin alone;
// a form, it sends anywhere. Browsers say where a request comes from:
// Sec-Fetch-Site, or else Origin, which must then be this API's own host;
// the forms' configured base URL (a custom domain or a CDN in front of the
// API) is trusted too. A request that says neither comes from no browser
// and is let through: it could as well call POST /applications. This is
// net/http's CrossOriginProtection.
func (a *API) sameOrigin(r *http.Request) error {
	p := http.NewCrossOriginProtection()
	if u, err := url.Parse(a.Rules.FormsBaseURL); err == nil && u.Scheme != "" && u.Host != "" {
		if err := p.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			slog.WarnContext(r.Context(), "FORMS_BASE_URL is not an origin to trust", "error", err)
		}
	}
	if err := p.Check(r); err != nil {
		return failure.New(failure.Forbidden, "the form was sent from another site; nothing was recorded: send it from this site's own page")
	}
	return nil
}

// readForm reads a form-encoded request body
// (application/x-www-form-urlencoded; another media type is 415), refusing
// bodies over max and invalid UTF-8.
func readForm(r *http.Request, max int64) (url.Values, error) {
	if err := requireMediaType(r.Header.Get("Content-Type"), formMedia); err != nil {
		return nil, err
	}
	body, err := readLimited(r, max)
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, failure.Fields("the body is not a valid form",
			failure.FieldError{Pointer: "/", Detail: "must be form-encoded (application/x-www-form-urlencoded)"})
	}
	for k, vs := range v {
		for _, s := range append([]string{k}, vs...) {
			if !utf8.ValidString(s) {
				return nil, failure.Fields("the body is not valid UTF-8",
					failure.FieldError{Pointer: "/", Detail: "must be valid UTF-8"})
			}
		}
	}
	return v, nil
}
