package local_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// access is who a route is for.
type access string

const (
	public      access = "public"      // anyone, with or without a token
	cityOrAdmin access = "city"        // the city in the path, and the secretariat
	secretariat access = "secretariat" // the secretariat only
)

// classify says who a route is for from its path; "" for a route no rule
// covers, which the test refuses: a new route must be classified here.
func classify(rt httpapi.Route) access {
	switch {
	case rt.Method == http.MethodPost && (rt.Path == "/applications" || rt.Path == "/apply"),
		rt.Method == http.MethodGet && rt.Path == "/openapi.json",
		rt.Method == http.MethodGet && (rt.Path == "/questionnaire" || strings.HasPrefix(rt.Path, "/questionnaire/")),
		rt.Function == "web" && rt.Method == http.MethodGet,
		rt.Method == http.MethodGet && rt.Path == "/good-practices":
		return public
	case rt.Path == "/cities/{cityId}" || strings.HasPrefix(rt.Path, "/cities/{cityId}/"):
		return cityOrAdmin
	case strings.HasPrefix(rt.Path, "/admin/"):
		return secretariat
	}
	return ""
}

// principal is a caller of the matrix.
type principal struct {
	name  string
	token string
}

// Expected outcomes: an exact status, or anything but 401 and 403.
const allowed = 0

// expect gives the status a principal gets on a route of a kind.
func expect(kind access, who string) int {
	switch {
	case kind == public:
		return allowed
	case who == "anonymous" || who == "expired" || who == "revoked":
		return http.StatusUnauthorized
	case who == "secretariat":
		return allowed
	case kind == cityOrAdmin && who == "city A":
		return allowed
	default: // city B on city A's resources; either city on /admin
		return http.StatusForbidden
	}
}

// TestAuthorizationMatrix sends a request to every route of httpapi.AllRoutes
// as each kind of caller and checks who gets through: public routes are
// open, a city's routes are for that city and the secretariat, /admin is
// for the secretariat; a missing, expired or revoked token is 401, a valid
// token that does not reach the route 403. A request that gets through may
// still be refused (a minimal body is sent), but never with 401 or 403.
func TestAuthorizationMatrix(t *testing.T) {
	s := localtest.New(t, local.Options{})
	idA, tokA := applyCity(t, s, "Matrix A", 90000, 9)
	_, tokB := applyCity(t, s, "Matrix B", 90000, 9)
	now := time.Now()
	expired, old := auth.Issue(auth.RoleCity, idA, "old", now.Add(-2*time.Hour), time.Hour)
	if err := s.Store.PutToken(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	revoked, gone := auth.Issue(auth.RoleCity, idA, "gone", now, time.Hour)
	if err := s.Store.PutToken(t.Context(), gone); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.RevokeToken(t.Context(), gone.Hash, now); err != nil {
		t.Fatal(err)
	}
	// The secretariat comes last: among its requests, POST
	// /admin/cities/{cityId}/tokens re-issues city A's access link, which
	// revokes city A's token.
	principals := []principal{
		{"anonymous", ""},
		{"city A", tokA},
		{"city B", tokB},
		{"expired", expired},
		{"revoked", revoked},
		{"secretariat", s.AdminToken()},
	}

	const wellFormedID = "abcdefghijklmnopqrstuvwxyz" // 26 lowercase base32 characters
	if len(wellFormedID) != 26 {
		t.Fatal("the id is not 26 characters")
	}
	url := strings.NewReplacer("{cityId}", idA, "{submissionId}", wellFormedID, "{visitId}", wellFormedID, "{invoiceId}", wellFormedID, "{reportId}", wellFormedID, "{practiceId}", wellFormedID, "{runId}", wellFormedID,
		"{version}", index.Current().Version, "{schedule}", "sweeper")

	kinds := map[access]int{}
	for _, rt := range httpapi.AllRoutes() {
		kind := classify(rt)
		if kind == "" {
			t.Errorf("%s %s is not classified: say in classify who may call it", rt.Method, rt.Path)
			continue
		}
		kinds[kind]++
		if strings.Contains(url.Replace(rt.Path), "{") {
			t.Errorf("%s %s has a path parameter the matrix does not fill", rt.Method, rt.Path)
		}
	}
	for _, kind := range []access{public, cityOrAdmin, secretariat} {
		if kinds[kind] == 0 {
			t.Errorf("no route is %s: the classification is broken", kind)
		}
	}

	for _, p := range principals {
		for _, rt := range httpapi.AllRoutes() {
			kind := classify(rt)
			if kind == "" {
				continue
			}
			want := expect(kind, p.name)
			t.Run(p.name+"/"+rt.Method+" "+rt.Path, func(t *testing.T) {
				body := ""
				if rt.Method == http.MethodPost || rt.Method == http.MethodPut {
					body = "{}"
				}
				status, hdr, resp := s.Do(rt.Method, url.Replace(rt.Path), p.token, body)
				switch {
				case want == allowed && (status == http.StatusUnauthorized || status == http.StatusForbidden):
					t.Errorf("%s route, %s: %d, want neither 401 nor 403: %.300s", kind, p.name, status, resp)
				case want != allowed && status != want:
					t.Errorf("%s route, %s: %d, want %d: %.300s", kind, p.name, status, want, resp)
				case status == http.StatusUnauthorized && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer "):
					t.Errorf("a 401 without WWW-Authenticate: Bearer: %q", hdr.Get("WWW-Authenticate"))
				case (status == http.StatusUnauthorized || status == http.StatusForbidden) && hdr.Get("Content-Type") != "application/problem+json":
					t.Errorf("a %d that is not a problem: %q %.300s", status, hdr.Get("Content-Type"), resp)
				}
			})
		}
	}
}
