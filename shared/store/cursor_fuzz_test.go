package store

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// FuzzPipelineCursor fuzzes the pipeline's cursor (GET /admin/cities?cursor=)
// as the store decodes it, for the listing of every status and for one. The
// property: no panic; a cursor is refused as invalid input at query/cursor,
// or it names a status of the listing and resumes after a city's file of
// that status, which is what DynamoDB is then asked.
func FuzzPipelineCursor(f *testing.F) {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	all := filtersKey("", "", "")
	applied := filtersKey(membership.StatusApplied, "", "")
	id := "k5vq3ztm2xw7cjr4hbn6dpaafe"
	for _, s := range []string{
		"", "e30", "%%%", "x", enc(cursor{Status: 0, Query: all}), enc(cursor{Status: 1, Query: applied}),
		enc(cursor{Status: 3, Query: all, Key: map[string]string{"pk": "CITY#" + id, "sk": "PROFILE"}}),
		enc(cursor{Status: 0, Query: applied, Key: map[string]string{"pk": "CITY#" + id, "sk": "PROFILE", "gsi1pk": "CITIES#applied", "gsi1sk": "2026#" + id}}),
		enc(cursor{Status: 0, Query: applied, Key: map[string]string{"pk": "CITY#" + id, "sk": "PROFILE", "gsi1pk": "OUTBOX", "gsi1sk": "x"}}),
		enc(cursor{Status: -1, Query: all}), enc(cursor{Status: 1 << 40, Query: all}), enc(map[string]any{"s": "1", "q": all}),
		enc(map[string]any{"s": 0, "q": all, "k": map[string]any{"pk": 1}}), enc(map[string]any{"s": 0, "q": all, "k": []string{}}),
		base64.RawURLEncoding.EncodeToString([]byte(`{"s":0,"q":"` + all + `","s":1}`)),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, after string) {
		for _, listing := range []struct {
			statuses []membership.Status
			query    string
		}{{membership.Statuses, all}, {[]membership.Status{membership.StatusApplied}, applied}} {
			cur, err := decodeCursor(after, listing.statuses, listing.query)
			if err != nil {
				if fe := failure.As(err); fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "query/cursor" {
					t.Fatalf("%q: %v", after, err)
				}
				continue
			}
			if after == "" {
				continue
			}
			if cur.Status < 0 || cur.Status >= len(listing.statuses) || cur.Query != listing.query {
				t.Fatalf("%q: accepted %+v for %v", after, cur, listing.statuses)
			}
			if cur.Key == nil {
				continue
			}
			k := cur.Key
			if !strings.HasPrefix(k["pk"], CityPrefix) || k["sk"] != profileSK || (len(k) != 2 && len(k) != 4) ||
				len(k) == 4 && k["gsi1pk"] != cityStatusPartition(listing.statuses[cur.Status]) {
				t.Fatalf("%q: accepted the key %v for %s", after, k, listing.statuses[cur.Status])
			}
		}
	})
}
