package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// The contract of the secretariat's work: the admission and membership
// steps, progress reports, the audit trail, access links and the pipeline
// (openapi/admission.yaml, departures.yaml, progress-reports.yaml,
// secretariat.yaml).

// common are the refusals every step shares: authentication, the city id,
// the body.
func common(example string) []exchange {
	unknown := `{"comment":"x"}`
	if example != "{}" {
		unknown = strings.Replace(example, "{", `{"comment":"x",`, 1)
	}
	return []exchange{
		{name: "anonymous", body: example, status: 401},
		{name: "an unknown token", as: unknownToken, body: example, status: 401},
		{name: "the city's own token", as: theCity, body: example, status: 403},
		{name: "no such city", as: secretariat, url: "/admin/cities/" + missing + "/{step}", body: example, status: 404},
		{name: "a malformed city id", as: secretariat, url: "/admin/cities/" + malformed + "/{step}", body: example, status: 400, pointer: "path/cityId"},
		{name: "an empty body", as: secretariat, status: 400, pointer: "/"},
		{name: "malformed JSON", as: secretariat, body: `{"reason":`, status: 400, pointer: "/"},
		{name: "not JSON", as: secretariat, body: "reason=x", headers: []string{"Content-Type", "text/plain"}, status: 400, pointer: "header/Content-Type"},
		{name: "an unknown field", as: secretariat, body: unknown, status: 400, pointer: "/comment"},
		{name: "a bad key", as: secretariat, body: example, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, pointer: "header/Idempotency-Key"},
		{name: "too large", as: secretariat, body: `{"reason":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
	}
}

// refuseStep sends the refusals every step shares and the step's own.
func (c contract) refuseStep(route string, ct city, example string, own ...exchange) {
	c.t.Helper()
	step := strings.TrimPrefix(route, "/admin/cities/{cityId}/")
	rows := slices.Concat(common(example), own)
	for i := range rows {
		rows[i].url = strings.ReplaceAll(rows[i].url, "{step}", step)
	}
	c.run(http.MethodPost, route, ct, rows)
}

// recordStep records a step with an Idempotency-Key, as advance does, then
// replays it, and sends the key again with another body: 422.
func (c contract) recordStep(route string, ct *city, body string, to membership.Status) cityFile {
	c.t.Helper()
	key := "contract-" + strings.TrimPrefix(route, "/admin/cities/{cityId}/")
	f, first := c.advance(route, ct, body, to, "Idempotency-Key", key)
	c.replay(first, http.MethodPost, route, ct.url(route), c.admin, body, key)
	c.run(http.MethodPost, route, *ct, []exchange{
		{name: "its key with another body", as: secretariat, body: " " + body, headers: []string{"Idempotency-Key", key}, status: 422},
	})
	return f
}

// notPossible checks the 409 of a step the city's status does not allow:
// its detail lists the possible steps.
func (c contract) notPossible(route string, ct city, body string, from membership.Status) {
	c.t.Helper()
	a := c.expect(http.StatusConflict, http.MethodPost, route, ct.url(route), c.admin, body)
	p := decodeProblem(c.t, a.hdr, a.body)
	if !strings.Contains(p.Detail, "possible steps") {
		c.t.Errorf("POST %s from %s: the 409 does not list the possible steps: %s", route, from, a.body)
	}
	for _, step := range membership.Next(from) {
		if !strings.Contains(p.Detail, string(step)) {
			c.t.Errorf("POST %s from %s: the 409 does not name the possible step %s: %s", route, from, step, a.body)
		}
	}
}

// TestContractAdmissionSteps takes a city from its reported INDEX to
// membership: at each step, the step recorded and replayed, then what it
// refuses.
func TestContractAdmissionSteps(t *testing.T) {
	c := newContract(t)
	ct := c.cityAt("Contract Alpha", membership.StatusIndexReported)
	if f := c.getCity(ct, theCity, membership.StatusIndexReported); f.ExpertVisit != nil || f.Agreement != nil {
		t.Errorf("a reported city has an admission record: %+v", f)
	}
	future := c.daysAfter(3)
	for _, tt := range []struct {
		route string
		own   []exchange // the step's own refusals
	}{
		{intentPath, []exchange{
			{name: "a key reused", as: secretariat, body: `{"signedOn":"2026-04-11"}`, headers: []string{"Idempotency-Key", "contract-intent"}, status: 422},
			{name: "a date in another format", as: secretariat, body: `{"signedOn":"10/04/2026"}`, status: 400, pointer: "/signedOn"},
			{name: "a date as a number", as: secretariat, body: `{"signedOn":20260410}`, status: 400, pointer: "/signedOn"},
			{name: "a date in the future", as: secretariat, body: `{"signedOn":"` + future + `"}`, status: 400, pointer: "/signedOn"},
		}},
		{visitPath, []exchange{
			{name: "nothing", as: secretariat, body: `{}`, status: 400, pointer: "/scheduledFor"},
			{name: "five experts", as: secretariat, status: 400, pointer: "/experts",
				body: `{"scheduledFor":"2026-05-12","experts":[{"name":"A","email":"a@x.example"},{"name":"B","email":"b@x.example"},{"name":"C","email":"c@x.example"},{"name":"D","email":"d@x.example"},{"name":"E","email":"e@x.example"}],"representative":{"name":"R","email":"r@coe.example"}}`},
			{name: "three experts, one more than the default limit", as: secretariat, status: 400, pointer: "/experts",
				body: `{"scheduledFor":"2026-05-12","experts":[{"name":"A","email":"a@x.example"},{"name":"B","email":"b@x.example"},{"name":"C","email":"c@x.example"}],"representative":{"name":"R","email":"r@coe.example"}}`},
			{name: "a bad email", as: secretariat, status: 400, pointer: "/experts/0/email",
				body: `{"scheduledFor":"2026-05-12","experts":[{"name":"A","email":"A <a@x.example>"}],"representative":{"name":"R","email":"r@coe.example"}}`},
		}},
		{heldPath, []exchange{
			{name: "another visit", as: secretariat, url: "/admin/cities/{cityId}/expert-visits/" + missing + "/held", body: c.example(heldPath, ""), status: 404},
			{name: "not a visit id", as: secretariat, url: "/admin/cities/{cityId}/expert-visits/" + malformed + "/held", body: c.example(heldPath, ""), status: 400, pointer: "path/visitId"},
			{name: "nothing", as: secretariat, body: `{}`, status: 400, pointer: "/heldOn"},
			{name: "held the day before it was scheduled for", as: secretariat, body: `{"heldOn":"2026-05-11","diagnosis":"d"}`, status: 400, pointer: "/heldOn"},
			{name: "held in the future", as: secretariat, body: `{"heldOn":"` + future + `","diagnosis":"d"}`, status: 400, pointer: "/heldOn"},
		}},
		{profilePath, []exchange{
			{name: "an ftp link", as: secretariat, body: `{"title":"T","issuedOn":"2026-06-30","link":"ftp://coe.example/p.pdf"}`, status: 400, pointer: "/link"},
			{name: "issued the day before the visit was held", as: secretariat, body: `{"title":"T","issuedOn":"2026-05-11"}`, status: 400, pointer: "/issuedOn"},
			{name: "issued in the future", as: secretariat, body: `{"title":"T","issuedOn":"` + future + `"}`, status: 400, pointer: "/issuedOn"},
		}},
		{agreementPath, []exchange{
			{name: "no end date", as: secretariat, body: `{"citySignedOn":"2026-09-15","coeSignedOn":"2026-09-22"}`, status: 400, pointer: "/endsOn", errors: 1},
			{name: "a fee in dollars", as: secretariat, body: `{"citySignedOn":"2026-09-15","coeSignedOn":"2026-09-22","endsOn":"2030-09-21","feePerYear":{"amount":100,"currency":"USD"}}`, status: 400, pointer: "/feePerYear/currency"},
			{name: "an end before the entry into force", as: secretariat, body: `{"citySignedOn":"2026-09-15","coeSignedOn":"2026-09-22","endsOn":"2026-09-22"}`, status: 400, pointer: "/endsOn"},
			{name: "a signature in the future", as: secretariat, body: `{"citySignedOn":"2026-09-15","coeSignedOn":"` + future + `","endsOn":"2030-09-21"}`, status: 400, pointer: "/coeSignedOn"},
			{name: "the city's signature in the future", as: secretariat, body: `{"citySignedOn":"` + future + `","coeSignedOn":"2026-09-22","endsOn":"2030-09-21"}`, status: 400, pointer: "/citySignedOn"},
			{name: "billing details without postal code nor email", as: secretariat, status: 400, pointer: "/billing/address/postalCode", errors: 2,
				body: `{"citySignedOn":"2026-09-15","coeSignedOn":"2026-09-22","endsOn":"2030-09-21","billing":{"legalName":"Stadt Rheinstadt","address":{"street":"Rathausplatz 1","city":"Rheinstadt","country":"DE"},"email":""}}`},
			{name: "billing details with an unknown field", as: secretariat, status: 400, pointer: "/billing/vatId",
				body: `{"citySignedOn":"2026-09-15","coeSignedOn":"2026-09-22","endsOn":"2030-09-21","billing":{"vatId":"DE1"}}`},
		}},
	} {
		st := admission[slices.IndexFunc(admission, func(s stage) bool { return s.route == tt.route })]
		body := c.example(tt.route, st.example)
		if tt.route == visitPath {
			// Too early for a profile: the 409 lists what is possible.
			c.notPossible(profilePath, ct, c.example(profilePath, ""), membership.StatusIndexReported)
		}
		c.recordStep(tt.route, &ct, body, st.to)
		c.refuseStep(tt.route, ct, body, tt.own...)
	}
	f := c.getCity(ct, theCity, membership.StatusMember)
	if f.Agreement == nil || f.Agreement.InForceFrom == "" || f.Agreement.EndsOn <= f.Agreement.InForceFrom {
		t.Errorf("the agreement: %+v", f.Agreement)
	}
}

// TestContractAgreementAmendments moves a member's end date by agreements in
// writing, each recorded once and told to the city and the secretariat,
// then sends what the step refuses, and the step to a city that gave notice.
func TestContractAgreementAmendments(t *testing.T) {
	c := newContract(t)
	const name = "Contract Amended"
	ct := c.cityAt(name, membership.StatusMember)
	candidate := c.apply("Contract Amendment Candidate")
	signed := c.getCity(ct, secretariat, membership.StatusMember).Agreement
	if signed == nil || len(signed.Amendments) != 0 {
		t.Fatalf("a new agreement should have no amendments: %+v", signed)
	}
	body := c.example(amendmentsPath, "")
	var in membership.AmendmentInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	f := c.recordStep(amendmentsPath, &ct, body, membership.StatusMember)
	first := amendment{AgreedOn: in.AgreedOn, Reference: in.Reference, EndsOn: in.EndsOn, PreviousEndsOn: signed.EndsOn}
	if a := f.Agreement; a == nil || a.EndsOn != in.EndsOn || a.InForceFrom != signed.InForceFrom || len(a.Amendments) != 1 ||
		a.Amendments[0].RecordedAt.IsZero() || !sameAmendment(a.Amendments[0], first) {
		t.Errorf("the agreement after the amendment: %+v, want it to end on %s after %+v", f.Agreement, in.EndsOn, first)
	}
	// Another end, earlier, agreed later.
	second := amendment{AgreedOn: "2026-11-02", Reference: "Letter of 2 November 2026", EndsOn: "2029-06-30", PreviousEndsOn: in.EndsOn}
	f, _ = c.advance(amendmentsPath, &ct, fmt.Sprintf(`{"endsOn":%q,"agreedOn":%q,"reference":%q}`, second.EndsOn, second.AgreedOn, second.Reference), membership.StatusMember)
	if a := f.Agreement; a == nil || a.EndsOn != second.EndsOn || len(a.Amendments) != 2 ||
		!sameAmendment(a.Amendments[0], first) || !sameAmendment(a.Amendments[1], second) {
		t.Errorf("the agreement after two amendments: %+v, want %+v then %+v", f.Agreement, first, second)
	}

	// The timeline and the audit trail record each, the city a member throughout.
	type entry struct {
		Type     string
		From, To membership.Status
	}
	var amended []entry
	for _, raw := range c.getCity(ct, theCity, membership.StatusMember).Timeline {
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type == string(membership.StepAmendAgreement) {
			amended = append(amended, e)
		}
	}
	if want := (entry{string(membership.StepAmendAgreement), membership.StatusMember, membership.StatusMember}); !slices.Equal(amended, []entry{want, want}) {
		t.Errorf("the timeline's amendments: %+v, want two from member to member", amended)
	}
	a := c.expect(http.StatusOK, http.MethodGet, auditPath, ct.url(auditPath), c.admin, "")
	if !strings.Contains(string(a.body), `"type":"agreement_amended"`) || !strings.Contains(string(a.body), `"reference":"`+in.Reference+`"`) {
		t.Errorf("the audit trail does not carry the amendment's input: %s", a.body)
	}

	// Each amendment emailed the city and the secretariat once; the replay
	// emailed nothing.
	c.s.Drain()
	mails, err := c.s.Mailbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]int{}
	for _, m := range mails {
		if strings.Contains(m.Subject, "the agreement with "+name+" now ends on") {
			for _, d := range m.Destination {
				sent[d]++
			}
		}
	}
	toCity, toSecretariat := 0, 0
	for d, n := range sent {
		switch {
		case strings.Contains(d, "contractamended@contract.example"):
			toCity += n
		case strings.Contains(d, c.s.API("secretariat").Rules.SecretariatEmail):
			toSecretariat += n
		default:
			t.Errorf("%d amendment emails to %s", n, d)
		}
	}
	if toCity != 2 || toSecretariat != 2 {
		t.Errorf("amendment emails: %d to the city and %d to the secretariat, want 2 and 2", toCity, toSecretariat)
	}

	future := c.daysAfter(3)
	with := func(kv ...string) string {
		m := map[string]string{"endsOn": "2032-06-30", "agreedOn": "2026-10-28", "reference": "Letter of 28 October 2026"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return string(roundTripBytes(t, m))
	}
	c.refuseStep(amendmentsPath, ct, body,
		exchange{name: "nothing", as: secretariat, body: `{}`, status: 400, pointer: "/endsOn", errors: 3},
		exchange{name: "an end already past", as: secretariat, body: with("endsOn", "2026-10-15"), status: 400, pointer: "/endsOn", errors: 1},
		exchange{name: "the present end", as: secretariat, body: with("endsOn", second.EndsOn), status: 400, pointer: "/endsOn", errors: 1},
		exchange{name: "an end on the entry into force", as: secretariat, body: with("endsOn", signed.InForceFrom), status: 400, pointer: "/endsOn"},
		exchange{name: "agreed in the future", as: secretariat, body: with("agreedOn", future), status: 400, pointer: "/agreedOn", errors: 1},
		exchange{name: "agreed before the entry into force", as: secretariat, body: with("agreedOn", "2026-09-21"), status: 400, pointer: "/agreedOn", errors: 1},
		exchange{name: "a reference on two lines", as: secretariat, body: with("reference", "Letter\nof October"), status: 400, pointer: "/reference", errors: 1},
		exchange{name: "a candidate, which has no agreement", as: secretariat, url: candidate.url(amendmentsPath), body: body, status: 409},
	)

	// Once notice is served, the end date no longer moves.
	c.advance(terminationPath, &ct, c.example(terminationPath, ""), membership.StatusTerminationNotified)
	c.notPossible(amendmentsPath, ct, body, membership.StatusTerminationNotified)
}

// sameAmendment compares an amendment of a file with the one recorded,
// whose time it does not know.
func sameAmendment(got, want amendment) bool {
	got.RecordedAt = time.Time{}
	return got == want
}

// TestContractDepartures records how each kind of city leaves the
// programme, then what such a city can no longer do.
func TestContractDepartures(t *testing.T) {
	c := newContract(t)
	future := c.daysAfter(3)
	for _, tt := range []struct {
		name  string
		from  membership.Status
		route string
		own   []exchange // the step's own refusals
		to    membership.Status
	}{
		{"a member gives notice", membership.StatusMember, terminationPath, []exchange{
			{name: "notice by the mayor", as: secretariat, body: `{"by":"mayor","noticeOn":"2026-10-30","reason":"r"}`, status: 400, pointer: "/by"},
			{name: "notice in the future", as: secretariat, body: `{"by":"coe","noticeOn":"` + future + `","reason":"r"}`, status: 400, pointer: "/noticeOn"},
			{name: "notice served a month ago", as: secretariat, body: `{"by":"coe","noticeOn":"` + c.daysAfter(-31) + `","reason":"r"}`, status: 400, pointer: "/noticeOn"},
		}, membership.StatusTerminationNotified},
		{"a candidate withdraws after its visit was scheduled", membership.StatusVisitScheduled, withdrawalPath, []exchange{
			{name: "no reason", as: secretariat, body: `{"reason":""}`, status: 400, pointer: "/reason"},
		}, membership.StatusWithdrawn},
		{"a city that only applied is declined", membership.StatusApplied, declinePath, []exchange{
			{name: "a blank reason", as: secretariat, body: `{"reason":"  "}`, status: 400, pointer: "/reason"},
		}, membership.StatusDeclined},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			ct := c.cityAt("Contract "+string(tt.to), tt.from)
			body := c.example(tt.route, "")
			c.refuseStep(tt.route, ct, body, tt.own...)
			f := c.recordStep(tt.route, &ct, body, tt.to)
			if tt.to == membership.StatusTerminationNotified && (f.Termination == nil || f.Termination.EffectiveOn == "") {
				t.Errorf("the termination: %+v", f.Termination)
			}
			c.getCity(ct, secretariat, tt.to)
			c.notPossible(tt.route, ct, body, tt.to)
			switch tt.to {
			case membership.StatusTerminationNotified:
				c.notPossible(intentPath, ct, c.example(intentPath, ""), tt.to)
			case membership.StatusDeclined:
				// Its links ended with its file; the secretariat may give
				// it a new one.
				c.expect(http.StatusUnauthorized, http.MethodGet, cityPath, ct.url(cityPath), ct.token, "")
				c.run(http.MethodPost, tokensPath, ct, []exchange{{name: "a declined city", as: secretariat, body: `{}`, status: 200}})
				c.s.Drain()
				ct.token = c.s.TokenFromMail("contractdeclined@contract.example")
				c.getCity(ct, theCity, tt.to)
			case membership.StatusWithdrawn:
				// Every documented step example is valid input, refused
				// for the city's status only.
				for _, path := range stepPaths {
					for name, ex := range c.requestExamples(http.MethodPost, path) {
						if path == tokensPath {
							continue // an ended file may get a new link
						}
						if a := c.send(http.MethodPost, path, ct.url(path), c.admin, ex); a.status != http.StatusConflict {
							t.Errorf("POST %s example %s to a withdrawn city: %d, want 409: %s", path, name, a.status, a.body)
						}
					}
				}
				// It keeps its file, and submits the INDEX no more: its
				// links ended with the file, and a new one reads it.
				c.expect(http.StatusUnauthorized, http.MethodGet, cityPath, ct.url(cityPath), ct.token, "")
				c.recordStep(tokensPath, &ct, `{}`, tt.to)
				c.s.Drain()
				ct.token = c.s.TokenFromMail("contractwithdrawn@contract.example")
				c.getCity(ct, theCity, tt.to)
				q := index.Current()
				c.expect(http.StatusConflict, http.MethodPost, submissionsPath, ct.url(submissionsPath), ct.token,
					answersBody(t, q.Version, demo.Answers(q, demo.City{Population: 312000, ForeignBorn: 21.5}, 0.6, 2, false)))
			}
		})
	}
}

// TestContractProgressReports has a member report its progress, replays the
// report, reads the reports, and sends what the routes refuse.
func TestContractProgressReports(t *testing.T) {
	c := newContract(t)
	member := c.cityAt("Contract Member", membership.StatusMember)
	candidate := c.apply("Contract Candidate")
	report := c.example(progressPath, "")
	first := c.expect(http.StatusCreated, http.MethodPost, progressPath, member.url(progressPath), member.token, report, "Idempotency-Key", "contract-report")
	c.replay(first, http.MethodPost, progressPath, member.url(progressPath), member.token, report, "contract-report")
	otherCity := "/cities/" + missing + "/progress-reports"
	c.run(http.MethodPost, progressPath, member, []exchange{
		{name: "nothing", as: theCity, body: `{}`, status: 400, pointer: "/period"},
		{name: "a half year", as: theCity, body: strings.Replace(report, `"2026"`, `"2026-H2"`, 1), status: 201},
		{name: "a quarter", as: theCity, body: strings.Replace(report, `"2026"`, `"2027-Q1"`, 1), status: 201},
		{name: "a third half", as: theCity, body: strings.Replace(report, `"2026"`, `"2026-H3"`, 1), status: 400, pointer: "/period", errors: 1},
		{name: "a month", as: theCity, body: strings.Replace(report, `"2026"`, `"2026-03"`, 1), status: 400, pointer: "/period", errors: 1},
		{name: "an indicator without value", as: theCity, body: `{"period":"2026","actions":["a"],"indicators":[{"name":"n"}],"text":"t"}`, status: 400, pointer: "/indicators/0/value"},
		{name: "an unknown field", as: theCity, body: strings.Replace(report, "{", `{"score":1,`, 1), status: 400, pointer: "/score"},
		{name: "a key reused", as: theCity, body: strings.Replace(report, `"2026"`, `"2027"`, 1), headers: []string{"Idempotency-Key", "contract-report"}, status: 422},
		{name: "a bad key", as: theCity, body: report, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, pointer: "header/Idempotency-Key"},
		{name: "too large", as: theCity, body: `{"text":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
		{name: "anonymous", body: report, status: 401},
		{name: "another city", token: candidate.token, body: report, status: 403},
		{name: "no such city", as: secretariat, url: otherCity, body: report, status: 404},
		{name: "a malformed id", as: secretariat, url: "/cities/" + malformed + "/progress-reports", body: report, status: 400, pointer: "path/cityId"},
		{name: "a candidate", token: candidate.token, url: candidate.url(progressPath), body: report, status: 409},
	})
	a := c.expect(http.StatusOK, http.MethodGet, progressPath, member.url(progressPath), member.token, "")
	var reports struct {
		Reports []struct{ SubmittedBy string }
	}
	if err := json.Unmarshal(a.body, &reports); err != nil || len(reports.Reports) != 3 || reports.Reports[0].SubmittedBy != "city:"+member.id {
		t.Errorf("GET the progress reports: %s", a.body)
	}
	c.run(http.MethodGet, progressPath, member, []exchange{
		{name: "anonymous", status: 401},
		{name: "another city", token: candidate.token, status: 403},
		{name: "a malformed id", as: secretariat, url: "/cities/" + malformed + "/progress-reports", status: 400, pointer: "path/cityId"},
	})
	if a := c.send(http.MethodGet, progressPath, otherCity, c.admin, ""); a.status != http.StatusNotFound {
		t.Logf("known disagreement: GET the progress reports of no city answers %d, the document says 404: %s", a.status, a.body)
	}

	// Once the city gave notice, the secretariat reports for it.
	c.advance(terminationPath, &member, c.example(terminationPath, ""), membership.StatusTerminationNotified)
	a = c.expect(http.StatusCreated, http.MethodPost, progressPath, member.url(progressPath), c.admin, report)
	if !strings.Contains(string(a.body), `"submittedBy":"secretariat:test"`) {
		t.Errorf("the secretariat's progress report for a city that gave notice: %s", a.body)
	}
}

// TestContractAuditTrailAndAccessLinks reads the audit trail of a city that
// went the whole way, then gives it a new access link, which revokes the
// old one.
func TestContractAuditTrailAndAccessLinks(t *testing.T) {
	c := newContract(t)
	ct := c.cityAt("Contract Trail", membership.StatusTerminationNotified)
	a := c.expect(http.StatusOK, http.MethodGet, auditPath, ct.url(auditPath), c.admin, "")
	var audit struct {
		CityID  string
		Entries []struct {
			Type    string
			Payload json.RawMessage
		}
	}
	if err := json.Unmarshal(a.body, &audit); err != nil || audit.CityID != ct.id {
		t.Fatalf("GET the audit trail: %s", a.body)
	}
	var types []string
	payloads := 0
	for _, e := range audit.Entries {
		types = append(types, e.Type)
		if len(e.Payload) > 0 {
			payloads++
		}
	}
	for _, want := range []string{"applied", "index_submitted", "index_reported", "intent_signed", "visit_scheduled", "visit_held", "profile_issued", "agreement_signed", "termination_notified"} {
		if !slices.Contains(types, want) {
			t.Errorf("the audit trail has no %s: %v", want, types)
		}
	}
	if payloads < 6 {
		t.Errorf("only %d audit entries carry the step's input: %s", payloads, a.body)
	}
	c.run(http.MethodGet, auditPath, ct, []exchange{
		{name: "anonymous", status: 401},
		{name: "the city's own token", as: theCity, status: 403},
		{name: "no such city", as: secretariat, url: "/admin/cities/" + missing + "/audit", status: 404},
		{name: "a malformed id", as: secretariat, url: "/admin/cities/" + malformed + "/audit", status: 400, pointer: "path/cityId"},
	})

	c.refuseStep(tokensPath, ct, `{}`)
	c.recordStep(tokensPath, &ct, c.example(tokensPath, ""), membership.StatusTerminationNotified)
	c.run(http.MethodGet, cityPath, ct, []exchange{{name: "the revoked token", as: theCity, status: 401}})
}

// TestContractConcurrentSteps has secretariat users record a city's
// statement of intent at once: the one whose change lands first wins, the
// others get 409.
func TestContractConcurrentSteps(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Race")
	answers := make([]answer, 6)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			a := &answers[i]
			a.status, a.hdr, a.body = c.s.Do(http.MethodPost, ct.url(intentPath), c.admin, fmt.Sprintf(`{"signedOn":"2026-04-%02d"}`, i+1))
		})
	}
	wg.Wait()
	statuses := map[int]int{}
	for _, a := range answers {
		statuses[a.status]++
		c.check(http.MethodPost, intentPath, a.status, a.hdr, a.body)
		if a.status == http.StatusConflict && !strings.Contains(string(a.body), "changed while this step was being recorded") {
			t.Errorf("concurrent intent: a 409 for another reason: %s", a.body)
		}
	}
	if statuses[http.StatusOK] < 1 || statuses[http.StatusOK]+statuses[http.StatusConflict] != len(answers) {
		t.Errorf("concurrent intents: %v, want successes and conflicts only, one success at least", statuses)
	}
	if statuses[http.StatusConflict] == 0 {
		t.Log("the concurrent intents did not collide this time; the 409 of a lost race was not observed")
	}
}

// TestContractPipeline lists the cities by status, country and name, page
// by page, and sends what the pipeline refuses.
func TestContractPipeline(t *testing.T) {
	c := newContract(t)
	alpha := c.cityAt("Contract Alpha", membership.StatusTerminationNotified)
	beta := c.cityAt("Contract Beta", membership.StatusVisitScheduled)
	c.advance(withdrawalPath, &beta, c.example(withdrawalPath, ""), membership.StatusWithdrawn)
	gamma := c.apply("Contract Gamma")
	c.advance(declinePath, &gamma, c.example(declinePath, ""), membership.StatusDeclined)

	list := func(query string) (ids []string, counts map[string]int, next string) {
		t.Helper()
		a := c.expect(http.StatusOK, http.MethodGet, pipelinePath, pipelinePath+query, c.admin, "")
		var page struct {
			Cities []struct{ CityID string }
			Counts map[string]int
			Next   string
		}
		if err := json.Unmarshal(a.body, &page); err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Cities {
			ids = append(ids, e.CityID)
		}
		return ids, page.Counts, page.Next
	}
	all, counts, _ := list("")
	wantCounts := map[string]int{}
	for _, st := range membership.Statuses {
		wantCounts[string(st)] = 0
	}
	wantCounts["termination_notified"], wantCounts["withdrawn"], wantCounts["declined"] = 1, 1, 1
	if !maps.Equal(counts, wantCounts) {
		t.Errorf("pipeline counts %v, want %v", counts, wantCounts)
	}
	if want := []string{alpha.id, beta.id, gamma.id}; !slices.Equal(all, want) {
		t.Errorf("the pipeline lists %v, want %v (pipeline order)", all, want)
	}
	if ids, _, next := list("?status=declined&country=DE&q=GAMMA"); !slices.Equal(ids, []string{gamma.id}) || next != "" {
		t.Errorf("the declined German Gammas: %v, next %q", ids, next)
	}
	var paged []string
	query := "?limit=1"
	for range 10 {
		ids, _, next := list(query)
		paged = append(paged, ids...)
		if next == "" {
			break
		}
		query = "?limit=1&cursor=" + next
	}
	if !slices.Equal(paged, all) {
		t.Errorf("one city a page: %v, want %v", paged, all)
	}
	c.run(http.MethodGet, pipelinePath, alpha, []exchange{
		{name: "an unknown status", as: secretariat, url: pipelinePath + "?status=candidate", status: 400, pointer: "query/status"},
		{name: "a country in lower case", as: secretariat, url: pipelinePath + "?country=de", status: 400, pointer: "query/country"},
		{name: "a long name", as: secretariat, url: pipelinePath + "?q=" + strings.Repeat("a", 101), status: 400, pointer: "query/q"},
		{name: "limit 0", as: secretariat, url: pipelinePath + "?limit=0", status: 400, pointer: "query/limit"},
		{name: "limit 201", as: secretariat, url: pipelinePath + "?limit=201", status: 400, pointer: "query/limit"},
		{name: "a word for a limit", as: secretariat, url: pipelinePath + "?limit=ten", status: 400, pointer: "query/limit"},
		{name: "a made-up cursor", as: secretariat, url: pipelinePath + "?cursor=zz", status: 400, pointer: "query/cursor"},
		{name: "anonymous", status: 401},
		{name: "a city token", as: theCity, status: 403},
	})
}

// TestContractStepSchemasAgreeWithTheHandlers sends variants of each step's
// documented input to a city whose status refuses the step: one that left
// the programme after its visit was held, or, for the steps whose rules
// compare with the agreement (an amendment, a notice), one that gave notice;
// and variants of a progress report to a candidate. The handler validates
// the input before the city's status, so 409 means valid input and 400
// invalid. The documented request schema must accept exactly the valid
// ones, but for the checks JSON Schema cannot express: those that compare
// with today or with the city's file.
func TestContractStepSchemasAgreeWithTheHandlers(t *testing.T) {
	c := newContract(t)
	gone := c.cityAt("Schema Check", membership.StatusVisitHeld)
	c.advance(withdrawalPath, &gone, `{"reason":"schema check"}`, membership.StatusWithdrawn)
	noticed := c.cityAt("Schema Notice", membership.StatusTerminationNotified)
	candidate := c.apply("Schema Candidate")

	base := func(path string) map[string]any {
		return jsonValue(t, []byte(c.example(path, map[bool]string{true: "signed"}[path == agreementPath]))).(map[string]any)
	}
	with := func(path string, kv ...any) string {
		m := base(path)
		for i := 0; i+1 < len(kv); i += 2 {
			m = withField(m, kv[i].(string), kv[i+1])
		}
		return string(roundTripBytes(t, m))
	}
	person := func(name, email string) map[string]any { return map[string]any{"name": name, "email": email} }
	experts := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = person(fmt.Sprintf("Expert %d", i), fmt.Sprintf("e%d@experts.example", i))
		}
		return out
	}
	eur := func(amount any, currency string) map[string]any {
		return map[string]any{"amount": amount, "currency": currency}
	}
	future := c.daysAfter(5)
	// Today's date in UTC+14, the latest anywhere, is not in the future;
	// an amendment's end may be the day before it.
	inKiribati := c.s.Clock.Now().UTC().Add(14 * time.Hour)
	latestToday, dayBefore := inKiribati.Format("2006-01-02"), inKiribati.AddDate(0, 0, -1).Format("2006-01-02")
	const (
		unknownToday = "JSON Schema does not know today; the Date schema and the input's description say the date cannot be in the future"
		endPassed    = "JSON Schema does not know today; AmendmentInput's description says the new end cannot have passed"
		fileRule     = "JSON Schema cannot compare with the city's file; the input's description states the rule"
		teamSize     = "the team's size is configuration (VISIT_MIN_EXPERTS to VISIT_MAX_EXPERTS, 1 to 2 by default); the schema admits up to four, and VisitInput's description says the deployment's bounds are the server's"
	)
	reference := func(n int) string { return strings.Repeat("é", n) }
	billing := jsonValue(t, []byte(c.example(agreementPath, "billed"))).(map[string]any)["billing"].(map[string]any)
	actions := make([]any, 101)
	for i := range actions {
		actions[i] = fmt.Sprintf("action %d", i)
	}
	valid := map[string]int{}
	for _, tt := range []struct {
		path, name, body string
		known            string // why the schema and the handler knowingly disagree
	}{
		{intentPath, "the example", with(intentPath), ""},
		{intentPath, "1 January 2000", with(intentPath, "signedOn", "2000-01-01"), ""},
		{intentPath, "31 December 1999", with(intentPath, "signedOn", "1999-12-31"), ""},
		{intentPath, "31 December 2200", with(intentPath, "signedOn", "2200-12-31"), unknownToday},
		{intentPath, "in the future", with(intentPath, "signedOn", future), unknownToday},
		{intentPath, "today in UTC+14", with(intentPath, "signedOn", latestToday), ""},
		{intentPath, "1 January 2201", with(intentPath, "signedOn", "2201-01-01"), ""},
		{intentPath, "30 February", with(intentPath, "signedOn", "2026-02-30"), ""},
		{intentPath, "a date without leading zeros", with(intentPath, "signedOn", "2026-4-1"), ""},
		{intentPath, "a date-time", with(intentPath, "signedOn", "2026-04-10T00:00:00Z"), ""},
		{intentPath, "an empty date", with(intentPath, "signedOn", ""), ""},
		{intentPath, "no date", `{}`, ""},
		{intentPath, "null", `null`, ""},
		{visitPath, "the example", with(visitPath), ""},
		{visitPath, "one expert", with(visitPath, "experts", experts(1)), ""},
		{visitPath, "three experts", with(visitPath, "experts", experts(3)), teamSize},
		{visitPath, "four experts", with(visitPath, "experts", experts(4)), teamSize},
		{visitPath, "five experts", with(visitPath, "experts", experts(5)), ""},
		{visitPath, "no expert", with(visitPath, "experts", []any{}), ""},
		{visitPath, "experts null", with(visitPath, "experts", json.RawMessage("null")), ""},
		{visitPath, "no representative", with(visitPath, "representative", nil), ""},
		{visitPath, "a representative without email", with(visitPath, "representative", map[string]any{"name": "R"}), ""},
		{visitPath, "an expert with a display-name email", with(visitPath, "experts", []any{person("A", "A <a@x.example>")}), ""},
		{visitPath, "an expert on two lines", with(visitPath, "experts", []any{person("A\nB", "a@x.example")}), ""},
		{visitPath, "an expert with a tab", with(visitPath, "experts", []any{person("A\tB", "a@x.example")}), ""},
		{visitPath, "a blank expert", with(visitPath, "experts", []any{person(" \u00a0", "a@x.example")}), ""},
		{visitPath, "an expert of 120 letters", with(visitPath, "experts", []any{person(strings.Repeat("é", 120), "a@x.example")}), ""},
		{visitPath, "an expert of 121 letters", with(visitPath, "experts", []any{person(strings.Repeat("é", 121), "a@x.example")}), ""},
		{visitPath, "an expert with a phone", with(visitPath, "experts", []any{map[string]any{"name": "A", "email": "a@x.example", "phone": "1"}}), ""},
		{heldPath, "the example", with(heldPath), ""},
		{heldPath, "a diagnosis on two lines", with(heldPath, "diagnosis", "Strong.\nWeak data."), ""},
		{heldPath, "a diagnosis with a carriage return", with(heldPath, "diagnosis", "Strong.\r\nWeak data."), ""},
		{heldPath, "a blank diagnosis", with(heldPath, "diagnosis", "\n\t "), ""},
		{heldPath, "4000 letters of diagnosis", with(heldPath, "diagnosis", strings.Repeat("é", 4000)), ""},
		{heldPath, "4001 letters of diagnosis", with(heldPath, "diagnosis", strings.Repeat("é", 4001)), ""},
		{heldPath, "no date", with(heldPath, "heldOn", nil), ""},
		{heldPath, "held the day before it was scheduled for", with(heldPath, "heldOn", "2026-05-11"), fileRule},
		{heldPath, "held today in UTC+14", with(heldPath, "heldOn", latestToday), ""},
		{heldPath, "held in the future", with(heldPath, "heldOn", future), unknownToday},
		{profilePath, "the example", with(profilePath), ""},
		{profilePath, "no link nor summary", with(profilePath, "link", nil, "summary", nil), ""},
		{profilePath, "an http link", with(profilePath, "link", "http://coe.example/p.pdf"), ""},
		{profilePath, "an ftp link", with(profilePath, "link", "ftp://coe.example/p.pdf"), ""},
		{profilePath, "a link with a space", with(profilePath, "link", "https://coe.example/a b.pdf"), ""},
		{profilePath, "a link with a quote", with(profilePath, "link", `https://coe.example/a"b.pdf`), ""},
		{profilePath, "an empty link", with(profilePath, "link", ""), ""},
		{profilePath, "an empty summary", with(profilePath, "summary", ""), ""},
		{profilePath, "a blank summary", with(profilePath, "summary", "  "), ""},
		{profilePath, "200 letters of title", with(profilePath, "title", strings.Repeat("é", 200)), ""},
		{profilePath, "201 letters of title", with(profilePath, "title", strings.Repeat("é", 201)), ""},
		{profilePath, "no title", with(profilePath, "title", nil), ""},
		{profilePath, "a title on two lines", with(profilePath, "title", "Intercultural profile\nof Rheinstadt"), ""},
		{profilePath, "issued the day the visit was held", with(profilePath, "issuedOn", "2026-05-12"), ""},
		{profilePath, "issued the day before the visit was held", with(profilePath, "issuedOn", "2026-05-11"), fileRule},
		{profilePath, "issued in the future", with(profilePath, "issuedOn", future), unknownToday},
		{agreementPath, "the example", with(agreementPath), ""},
		{agreementPath, "another end and fee", c.example(agreementPath, "reducedFee"), ""},
		{agreementPath, "no end date", with(agreementPath, "endsOn", nil), ""},
		{agreementPath, "an empty end date", with(agreementPath, "endsOn", ""), ""},
		{agreementPath, "a fee of 0", with(agreementPath, "feePerYear", eur(0, "EUR")), ""},
		{agreementPath, "a fee of EUR 1 000 000", with(agreementPath, "feePerYear", eur(100000000, "EUR")), ""},
		{agreementPath, "a fee over EUR 1 000 000", with(agreementPath, "feePerYear", eur(100000001, "EUR")), ""},
		{agreementPath, "a negative fee", with(agreementPath, "feePerYear", eur(-1, "EUR")), ""},
		{agreementPath, "a fee with cents after the point", with(agreementPath, "feePerYear", eur(2500.5, "EUR")), ""},
		{agreementPath, "a fee in dollars", with(agreementPath, "feePerYear", eur(100, "USD")), ""},
		{agreementPath, "a fee without currency", with(agreementPath, "feePerYear", map[string]any{"amount": 100}), ""},
		{agreementPath, "a null fee", with(agreementPath, "feePerYear", json.RawMessage("null")), "encoding/json reads null as absent: the default fee"},
		{agreementPath, "with the billing details", c.example(agreementPath, "billed"), ""},
		{agreementPath, "billing details without email", with(agreementPath, "billing", withField(billing, "email", nil)), ""},
		{agreementPath, "billing details with a display-name email", with(agreementPath, "billing", withField(billing, "email", "Kasse <kasse@rheinstadt.example>")), ""},
		{agreementPath, "billing details without postal code in Ireland", with(agreementPath, "billing", withField(billing, "address",
			map[string]any{"street": "Civic Offices", "city": "Dublin", "country": "IE"})), ""},
		{agreementPath, "billing details with a Leitweg-ID whose check digits are wrong", with(agreementPath, "billing", withField(billing, "routing",
			map[string]any{"scheme": "0204", "id": "04011000-1234512345-07"})), "JSON Schema cannot compute check digits; Endpoint's description says the server checks them"},
		{agreementPath, "billing details as a string", with(agreementPath, "billing", "Stadt Rheinstadt"), ""},
		{agreementPath, "an end on the entry into force", with(agreementPath, "endsOn", "2026-09-22"),
			"JSON Schema cannot compare two dates; AgreementInput's description says the end must follow the entry into force"},
		{agreementPath, "a signature in the future", with(agreementPath, "coeSignedOn", future), unknownToday},
		{agreementPath, "the city's signature in the future", with(agreementPath, "citySignedOn", future), unknownToday},
		{agreementPath, "no CoE signature", with(agreementPath, "coeSignedOn", nil), ""},
		{terminationPath, "the example", with(terminationPath), ""},
		{terminationPath, "notice by the Council of Europe", with(terminationPath, "by", "coe"), ""},
		{terminationPath, "notice by the mayor", with(terminationPath, "by", "mayor"), ""},
		{terminationPath, "notice in the future", with(terminationPath, "noticeOn", future), unknownToday},
		{terminationPath, "notice today in UTC+14", with(terminationPath, "noticeOn", latestToday), ""},
		{terminationPath, "notice served 30 days ago", with(terminationPath, "noticeOn", c.daysAfter(-30)), ""},
		{terminationPath, "notice served 31 days ago", with(terminationPath, "noticeOn", c.daysAfter(-31)),
			"JSON Schema does not know today; TerminationInput's description says a notice is recorded within TERMINATION_NOTICE_GRACE"},
		{terminationPath, "a blank reason", with(terminationPath, "reason", "   "), ""},
		{terminationPath, "no reason", with(terminationPath, "reason", nil), ""},
		{amendmentsPath, "the example", with(amendmentsPath), ""},
		{amendmentsPath, "an earlier end", with(amendmentsPath, "endsOn", "2028-06-30"), ""},
		{amendmentsPath, "an end the day before today in UTC+14", with(amendmentsPath, "endsOn", dayBefore), ""},
		{amendmentsPath, "an end already past", with(amendmentsPath, "endsOn", "2026-10-15"), endPassed},
		{amendmentsPath, "the present end", with(amendmentsPath, "endsOn", "2030-09-21"), fileRule},
		{amendmentsPath, "an end on the entry into force", with(amendmentsPath, "endsOn", "2026-09-22"), fileRule},
		{amendmentsPath, "an end in 2201", with(amendmentsPath, "endsOn", "2201-01-01"), ""},
		{amendmentsPath, "no end", with(amendmentsPath, "endsOn", nil), ""},
		{amendmentsPath, "agreed on the entry into force", with(amendmentsPath, "agreedOn", "2026-09-22"), ""},
		{amendmentsPath, "agreed before the entry into force", with(amendmentsPath, "agreedOn", "2026-09-21"), fileRule},
		{amendmentsPath, "agreed today in UTC+14", with(amendmentsPath, "agreedOn", latestToday), ""},
		{amendmentsPath, "agreed in the future", with(amendmentsPath, "agreedOn", future), unknownToday},
		{amendmentsPath, "agreed in another format", with(amendmentsPath, "agreedOn", "20/10/2026"), ""},
		{amendmentsPath, "no agreement date", with(amendmentsPath, "agreedOn", nil), ""},
		{amendmentsPath, "no reference", with(amendmentsPath, "reference", nil), ""},
		{amendmentsPath, "an empty reference", with(amendmentsPath, "reference", ""), ""},
		{amendmentsPath, "a blank reference", with(amendmentsPath, "reference", " \u00a0"), ""},
		{amendmentsPath, "a reference on two lines", with(amendmentsPath, "reference", "Letter\nof October"), ""},
		{amendmentsPath, "a reference with a tab", with(amendmentsPath, "reference", "Letter\tDGII/ICC/2026/118"), ""},
		{amendmentsPath, "200 letters of reference", with(amendmentsPath, "reference", reference(200)), ""},
		{amendmentsPath, "201 letters of reference", with(amendmentsPath, "reference", reference(201)), ""},
		{amendmentsPath, "a reference as a number", with(amendmentsPath, "reference", 118), ""},
		{withdrawalPath, "the example", with(withdrawalPath), ""},
		{withdrawalPath, "an empty reason", with(withdrawalPath, "reason", ""), ""},
		{withdrawalPath, "a bell in the reason", with(withdrawalPath, "reason", "ding\a"), ""},
		{withdrawalPath, "4001 letters of reason", with(withdrawalPath, "reason", strings.Repeat("a", 4001)), ""},
		{declinePath, "the example", with(declinePath), ""},
		{declinePath, "a reason on two lines", with(declinePath, "reason", "Not eligible.\nSee the INDEX report."), ""},
		{tokensPath, "the empty object", `{}`, ""},
		{tokensPath, "a field", `{"email":"a@b.example"}`, ""},
		{tokensPath, "an array", `[]`, ""},
		{tokensPath, "null", `null`, "encoding/json reads null into a struct as nothing"},
		{progressPath, "the example", with(progressPath), ""},
		{progressPath, "half a year", with(progressPath, "period", "2026-H1"), ""},
		{progressPath, "the second half", with(progressPath, "period", "2026-H2"), ""},
		{progressPath, "a quarter", with(progressPath, "period", "2026-Q1"), ""},
		{progressPath, "the fourth quarter", with(progressPath, "period", "2026-Q4"), ""},
		{progressPath, "a third half", with(progressPath, "period", "2026-H3"), ""},
		{progressPath, "a fifth quarter", with(progressPath, "period", "2026-Q5"), ""},
		{progressPath, "a month", with(progressPath, "period", "2026-03"), ""},
		{progressPath, "a half in lower case", with(progressPath, "period", "2026-h1"), ""},
		{progressPath, "a year of the next century", with(progressPath, "period", "2100"), ""},
		{progressPath, "a period in the last century", with(progressPath, "period", "1999"), ""},
		{progressPath, "a period too short", with(progressPath, "period", "202"), ""},
		{progressPath, "a period too long", with(progressPath, "period", "2026-H12"), ""},
		{progressPath, "no indicators", with(progressPath, "indicators", nil), ""},
		{progressPath, "an indicator without target", with(progressPath, "indicators", []any{map[string]any{"name": "n", "value": "v"}}), ""},
		{progressPath, "an indicator without value", with(progressPath, "indicators", []any{map[string]any{"name": "n"}}), ""},
		{progressPath, "no action", with(progressPath, "actions", []any{}), ""},
		{progressPath, "101 actions", with(progressPath, "actions", actions), ""},
		{progressPath, "a blank action", with(progressPath, "actions", []any{" "}), ""},
		{progressPath, "20000 letters of text", with(progressPath, "text", strings.Repeat("a", 20000)), ""},
		{progressPath, "20001 letters of text", with(progressPath, "text", strings.Repeat("a", 20001)), ""},
		{progressPath, "no text", with(progressPath, "text", nil), ""},
	} {
		t.Run(tt.path+" "+tt.name, func(t *testing.T) {
			schemaErr := visit(c.requestSchema(http.MethodPost, tt.path), jsonValue(t, []byte(tt.body)), asRequest)
			url := gone.url(tt.path)
			switch tt.path {
			case progressPath:
				url = candidate.url(tt.path)
			case amendmentsPath, terminationPath:
				url = noticed.url(tt.path)
			}
			// Valid input is refused for the city's status (409), but for
			// a new link, which any file may get (200).
			accepted := http.StatusConflict
			if tt.path == tokensPath {
				accepted = http.StatusOK
			}
			status, _, resp := c.s.Do(http.MethodPost, url, c.admin, tt.body)
			if status != accepted && status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", status, resp)
			}
			if status == accepted {
				valid[tt.path]++
			}
			agreement{documented: schemaErr == nil, schemaErr: schemaErr, served: status == accepted, known: tt.known,
				answer: fmt.Sprintf("%d %s\nbody: %.300s", status, resp, tt.body)}.judge(t)
		})
	}
	for _, path := range append(slices.Clone(stepPaths), progressPath) {
		if valid[path] == 0 {
			t.Errorf("no variant of POST %s was valid input", path)
		}
	}
}

// TestContractReissueLosesARace re-issues a link while another step changes
// the city: the re-issue is refused (409), and nothing of it is written.
func TestContractReissueLosesARace(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Reissue Race")
	a := c.raceOn("secretariat", &racing{inUpdate: func() {
		if status := c.do(http.MethodPost, ct.url(intentPath), c.example(intentPath, "")); status != http.StatusOK {
			t.Errorf("the racing statement of intent: %d", status)
		}
	}}, http.StatusConflict, http.MethodPost, tokensPath, ct.url(tokensPath), `{}`)
	if !strings.Contains(string(a.body), "changed while this step was being recorded") {
		t.Errorf("the lost race: %s", a.body)
	}
	c.getCity(ct, theCity, membership.StatusApplied) // the first link still works
}
