package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/runs"
	"github.com/intercultural-cities/backoffice/shared/store"
)

// What holds for every route: the document and the forms are served as
// documented, the security requirements are the handlers', another method
// is 405, and the secretariat's runs are the schedules.

func TestContractServesItsDocumentAndPages(t *testing.T) {
	c := newContract(t)
	a := c.expect(http.StatusOK, http.MethodGet, "/openapi.json", "/openapi.json", "", "")
	if !bytes.Equal(a.body, httpapi.OpenAPI()) {
		t.Errorf("GET /openapi.json: %d bytes, want the %d embedded bytes", len(a.body), len(httpapi.OpenAPI()))
	}
	for _, path := range []string{"/", "/apply", "/index-form", "/progress-report", "/invoices", "/secretariat"} {
		for _, q := range []string{"", "?lang=fr"} {
			c.expect(http.StatusOK, http.MethodGet, path, path+q, "", "")
		}
	}
}

// TestContractSecurityIsTheHandlers checks that a bearer route refuses an
// anonymous caller with 401 and that a public route does not.
func TestContractSecurityIsTheHandlers(t *testing.T) {
	c := newContract(t)
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			public := op.Security != nil && len(*op.Security) == 0
			url := path
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value.In == "path" {
					url = strings.ReplaceAll(url, "{"+p.Value.Name+"}", fmt.Sprint(p.Value.Example))
				}
			}
			status, _, body := c.s.Do(method, url, "", "")
			if (status == http.StatusUnauthorized) == public {
				t.Errorf("%s %s without a token: %d %s; documented public: %v", method, url, status, body, public)
			}
		}
	}
}

// TestContractAdminRoutesRefuseCityTokens sends a city's token to every
// /admin route, about that very city.
func TestContractAdminRoutesRefuseCityTokens(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Admin")
	ct.visit, ct.invoice, ct.report, ct.practice = missing, missing, missing, missing
	routes := 0
	for path, item := range c.doc.Paths.Map() {
		if !strings.HasPrefix(path, "/admin/") {
			continue
		}
		for method := range item.Operations() {
			c.run(method, path, ct, []exchange{{name: "a city token", as: theCity, body: "{}", status: http.StatusForbidden}})
			routes++
		}
	}
	if routes < 12 {
		t.Errorf("only %d /admin routes: the walk is broken", routes)
	}
}

// TestContractOtherMethodsAre405 checks the documented 405 on paths the
// API serves with other methods.
func TestContractOtherMethodsAre405(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Methods")
	for _, tt := range []struct {
		method, url string
		as          caller
	}{
		{http.MethodGet, "/applications", anonymous},
		{http.MethodDelete, ct.url(draftPath), theCity},
		{http.MethodPut, ct.url(cityPath), secretariat},
	} {
		status, hdr, body := c.s.Do(tt.method, tt.url, c.tokenOf(tt.as, ct), "")
		if status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d %s", tt.method, tt.url, status, body)
			continue
		}
		c.response(tt.method+" "+tt.url+" -> 405", c.doc.Components.Responses["MethodNotAllowed"].Value, hdr, body)
	}
}

// TestContractRunsTheSchedules asks for runs of the schedules as the
// secretariat would, follows each to its end once the schedule's function
// ran it from the stream, and checks that the documented schedules are
// those that can run.
func TestContractRunsTheSchedules(t *testing.T) {
	c := newContract(t)
	annual := "/admin/runs/annual-invoices"
	c.runNow("/admin/runs/sweeper", "")
	if a := c.runNow("/admin/runs/daily", ""); !strings.Contains(string(a.body), `"schedule":"daily"`) ||
		!strings.Contains(string(a.body), `"fees":{`) {
		t.Errorf("the daily duties: %s", a.body)
	}
	c.runNow(annual, "")
	c.runNow(annual, c.example(runsPath, "schedule"))
	if a := c.runNow(annual, c.example(runsPath, "nextYear")); !strings.Contains(string(a.body), `"schedule":"annual-invoices"`) ||
		!strings.Contains(string(a.body), `"input":{"year":2027}`) || !strings.Contains(string(a.body), `"year":2027,`) {
		t.Errorf("the annual invoicing of 2027: %s", a.body)
	}
	c.run(http.MethodPost, runsPath, city{}, []exchange{
		{name: "a year out of range", as: secretariat, url: annual, body: `{"year":1999}`, status: 400, pointer: "/year", errors: 1},
		{name: "a year as a string", as: secretariat, url: annual, body: `{"year":"2027"}`, status: 400, pointer: "/year", errors: 1},
		{name: "data after the input", as: secretariat, url: annual, body: `{"year":2027} {}`, status: 400, pointer: "/"},
		{name: "an unknown field", as: secretariat, url: annual, body: `{"year":2027,"foo":1}`, status: 400, pointer: "/foo", errors: 1},
		{name: "an unknown field before the year", as: secretariat, url: annual, body: `{"foo":1,"year":2027}`, status: 400, pointer: "/foo", errors: 1},
		{name: "a schedule's name that is not a string", as: secretariat, url: annual, body: `{"schedule":1}`, status: 400, pointer: "/schedule", errors: 1},
		{name: "an array", as: secretariat, url: annual, body: `[2027]`, status: 400, pointer: "/", errors: 1},
		{name: "a body that is not JSON", as: secretariat, url: annual, body: "year=2027", headers: []string{"Content-Type", "text/plain"}, status: 415, pointer: "header/Content-Type"},
		{name: "the daily duties with a body that is not JSON", as: secretariat, url: "/admin/runs/daily", body: "now", headers: []string{"Content-Type", "text/plain"}, status: 415, pointer: "header/Content-Type"},
		{name: "an Idempotency-Key too long", as: secretariat, url: "/admin/runs/daily", headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, pointer: "header/Idempotency-Key"},
		{name: "a body too large", as: secretariat, url: annual, body: `{"year":2027,"note":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, status: 413, pointer: "/"},
		{name: "anonymous", url: "/admin/runs/sweeper", status: 401},
		{name: "a city", token: c.apply("Contract Runs").token, url: "/admin/runs/sweeper", status: 403},
		{name: "an unknown schedule", as: secretariat, url: "/admin/runs/nightly", status: 404},
	})
	if n := c.s.Items(store.SchedulePrefix); n != 5+3 { // five runs and three locks, nothing of a refused request
		t.Errorf("%d items under SCHEDULE#: the refused requests recorded something", n)
	}
	var documented []string
	for _, p := range c.doc.Paths.Value(runsPath).Parameters {
		for _, v := range p.Value.Schema.Value.Enum {
			documented = append(documented, v.(string))
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(documented)), slices.Sorted(slices.Values(runs.Schedules))) {
		t.Errorf("documented schedules %v, runnable schedules %v", documented, runs.Schedules)
	}
	if jobs := slices.Sorted(maps.Keys(c.s.Jobs)); !slices.Equal(jobs, slices.Sorted(slices.Values(runs.Schedules))) {
		t.Errorf("the functions run %v, runnable schedules %v", jobs, runs.Schedules)
	}
}

// TestContractBodiesAreReadAlikeOnEveryRoute sends every documented request
// body what the HTTP layer refuses for all routes alike, before any route
// reads or writes anything: a body that does not say it is of the route's
// documented media type (415), and, for JSON, a key named twice and a lone
// UTF-16 surrogate (400, naming the field).
func TestContractBodiesAreReadAlikeOnEveryRoute(t *testing.T) {
	c := newContract(t)
	ct := c.apply("Contract Bodies")
	ct.visit, ct.invoice = missing, missing
	before := c.s.Items("")
	routes := 0
	for _, path := range slices.Sorted(maps.Keys(c.doc.Paths.Map())) {
		item := c.doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			routes++
			url := path
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value.In == "path" && p.Value.Name != "cityId" && p.Value.Name != "visitId" && p.Value.Name != "invoiceId" {
					url = strings.ReplaceAll(url, "{"+p.Value.Name+"}", fmt.Sprint(p.Value.Example))
				}
			}
			rows := []exchange{
				{name: "plain text", url: url, as: secretariat, body: "a=1", headers: []string{"Content-Type", "text/plain"}, status: 415, pointer: "header/Content-Type", errors: 1},
				{name: "another type without a body", url: url, as: secretariat, headers: []string{"Content-Type", "text/plain"}, status: 415, pointer: "header/Content-Type"},
			}
			if op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded") != nil {
				// The application form answers with its page, not a problem.
				for _, r := range []struct{ name, body, contentType string }{
					{"plain text", "a=1", "text/plain"}, {"JSON", "{}", "application/json"}, {"no Content-Type", "cityName=x", ""}} {
					if a := c.send(method, path, url, "", r.body, "Content-Type", r.contentType); a.status != http.StatusUnsupportedMediaType {
						t.Errorf("%s %s, %s: %d, want 415", method, path, r.name, a.status)
					}
				}
				continue
			}
			if op.RequestBody.Value.Content.Get("application/json") == nil {
				// The bank statements: XML, whose body a JSON type is not.
				rows = append(rows,
					exchange{name: "JSON", url: url, as: secretariat, body: "{}", status: 415, pointer: "header/Content-Type"},
					exchange{name: "no Content-Type", url: url, as: secretariat, body: "<Document/>", headers: []string{"Content-Type", ""}, status: 415, pointer: "header/Content-Type"})
				c.run(method, path, ct, rows)
				continue
			}
			// A key of the route's own example, named twice.
			examples := c.requestExamples(method, path)
			ex := examples[slices.Sorted(maps.Keys(examples))[0]]
			var fields map[string]any
			if err := json.Unmarshal([]byte(ex), &fields); err != nil {
				t.Fatalf("%s %s: the example is not an object: %s", method, path, ex)
			}
			k, twice := "note", `{"note":1,"note":2}`
			if len(fields) > 0 {
				k = slices.Sorted(maps.Keys(fields))[0]
				twice = `{"` + k + `":null,` + ex[1:]
			}
			rows = append(rows,
				exchange{name: "JSON without Content-Type", url: url, as: secretariat, body: ex, headers: []string{"Content-Type", ""}, status: 415, pointer: "header/Content-Type"},
				exchange{name: "JSON in Latin-1", url: url, as: secretariat, body: ex, headers: []string{"Content-Type", "application/json; charset=iso-8859-1"}, status: 415, pointer: "header/Content-Type"},
				exchange{name: "a key named twice", url: url, as: secretariat, body: twice, status: 400, pointer: "/" + k, errors: 1},
				exchange{name: "a lone surrogate", url: url, as: secretariat, body: `{"` + k + `":"\ud800"}`, status: 400, pointer: "/" + k, errors: 1},
				exchange{name: "a lone surrogate, deeper", url: url, as: secretariat, body: `{"` + k + `":[{"a":"\udfffx"}]}`, status: 400, pointer: "/" + k + "/0/a", errors: 1},
			)
			c.run(method, path, ct, rows)
		}
	}
	if routes < 15 {
		t.Errorf("only %d routes take a body: the walk is broken", routes)
	}
	if after := c.s.Items(""); after != before {
		t.Errorf("refused bodies changed the table: %d items, %d before", after, before)
	}
}

// TestContractRunsOneAtATime follows a run while it is queued, refuses
// another of the same schedule meanwhile (pointing at the first), replays a
// retried request, and reads runs that do not exist.
func TestContractRunsOneAtATime(t *testing.T) {
	c := newContract(t)
	daily := "/admin/runs/daily"
	first := c.expect(http.StatusAccepted, http.MethodPost, runsPath, daily, c.admin, "", "Idempotency-Key", "contract-daily")
	loc := first.hdr.Get("Location")
	var queued struct{ RunID, Status string }
	if err := json.Unmarshal(first.body, &queued); err != nil || queued.Status != "queued" || loc != "/admin/runs/daily/"+queued.RunID {
		t.Fatalf("the queued run: %v %s, Location %q", err, first.body, loc)
	}
	// A retry replays the answer; the same key with a body is refused.
	c.replay(first, http.MethodPost, runsPath, daily, c.admin, "", "contract-daily")
	c.expect(http.StatusUnprocessableEntity, http.MethodPost, runsPath, daily, c.admin, `{"schedule":"daily"}`, "Idempotency-Key", "contract-daily")
	// Another request while it is queued: 409, and the run to follow.
	busy := c.expect(http.StatusConflict, http.MethodPost, runsPath, daily, c.admin, "")
	if busy.hdr.Get("Location") != loc || !strings.Contains(string(busy.body), queued.RunID) {
		t.Errorf("a second run while one is queued: Location %q, want %q: %s", busy.hdr.Get("Location"), loc, busy.body)
	}
	// Another schedule is not held up.
	other := c.expect(http.StatusAccepted, http.MethodPost, runsPath, "/admin/runs/sweeper", c.admin, "")
	poll := c.expect(http.StatusOK, http.MethodGet, runPath, loc, c.admin, "")
	if poll.hdr.Get("Retry-After") == "" || !strings.Contains(string(poll.body), `"status":"queued"`) {
		t.Errorf("GET a queued run: Retry-After %q: %s", poll.hdr.Get("Retry-After"), poll.body)
	}
	c.s.Drain()
	done := c.expect(http.StatusOK, http.MethodGet, runPath, loc, c.admin, "")
	if done.hdr.Get("Retry-After") != "" || !strings.Contains(string(done.body), `"status":"succeeded"`) ||
		!strings.Contains(string(done.body), `"attempts":1`) || !strings.Contains(string(done.body), `"finishedAt":`) {
		t.Errorf("GET a finished run: Retry-After %q: %s", done.hdr.Get("Retry-After"), done.body)
	}
	c.expect(http.StatusOK, http.MethodGet, runPath, other.hdr.Get("Location"), c.admin, "")
	// Finished, it no longer holds the schedule.
	c.runNow(daily, "")

	id := queued.RunID
	c.run(http.MethodGet, runPath, city{}, []exchange{
		{name: "a malformed run id", as: secretariat, url: "/admin/runs/daily/latest", status: 400, pointer: "path/runId"},
		{name: "anonymous", url: loc, status: 401},
		{name: "a city", token: c.apply("Contract Run Reader").token, url: loc, status: 403},
		{name: "an unknown schedule", as: secretariat, url: "/admin/runs/nightly/" + id, status: 404},
		{name: "another schedule's run", as: secretariat, url: "/admin/runs/sweeper/" + id, status: 404},
		{name: "no such run", as: secretariat, url: "/admin/runs/daily/" + missing, status: 404},
	})
}
