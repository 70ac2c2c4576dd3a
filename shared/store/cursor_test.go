package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// TestForgedCursorsAreRefused checks that a pipeline cursor is read as
// what it is, the client's input: one that names a listing's filters but
// resumes after a key that is not a city of its status is invalid input at
// query/cursor, never a query DynamoDB refuses (an internal error).
func TestForgedCursorsAreRefused(t *testing.T) {
	s := localtest.New(t, local.Options{})
	ctx := context.Background()
	for _, name := range []string{"Arezzo", "Bari", "Cuneo"} {
		country, lang, pop, share := "IT", "en", int64(96000), 9.3
		a, err := membership.Apply(membership.Application{
			CityName: &name, Country: &country, Population: &pop, ForeignBornShare: &share, ForeignResidentShare: &share,
			NationalMinorityShare: &share, Contact: &membership.Contact{Name: "Luca", Email: "luca@city.example"}, Language: &lang,
		}, rules(), time.Now(), ids.New)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Store.Apply(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.Store.Pipeline(ctx, membership.StatusApplied, "", "", "", 1)
	if err != nil || first.Next == "" || len(first.Cities) != 1 {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	if next, err := s.Store.Pipeline(ctx, membership.StatusApplied, "", "", first.Next, 1); err != nil || len(next.Cities) != 1 ||
		next.Cities[0].ID == first.Cities[0].ID {
		t.Fatalf("the genuine cursor: %+v, %v", next, err)
	}
	var genuine struct {
		S int               `json:"s"`
		K map[string]string `json:"k"`
		Q string            `json:"q"`
	}
	b, _ := base64.RawURLEncoding.DecodeString(first.Next)
	if err := json.Unmarshal(b, &genuine); err != nil || len(genuine.K) == 0 {
		t.Fatalf("the cursor %s is not the expected shape: %v", b, err)
	}
	// The filters' key is no secret: anyone can compute it.
	sum := sha256.Sum256([]byte(string(membership.StatusApplied) + "\x00\x00"))
	if q := base64.RawURLEncoding.EncodeToString(sum[:6]); q != genuine.Q {
		t.Fatalf("the filters key is %s, computed %s", genuine.Q, q)
	}
	forge := func(change func(k map[string]string)) string {
		k := map[string]string{}
		for n, v := range genuine.K {
			k[n] = v
		}
		change(k)
		b, _ := json.Marshal(map[string]any{"s": genuine.S, "k": k, "q": genuine.Q})
		return base64.RawURLEncoding.EncodeToString(b)
	}
	// DynamoDB resumes a query of the index after the table's and the
	// index's keys of the last item evaluated (the emulator gives the
	// table's alone): both shapes are cursors.
	withIndex := forge(func(k map[string]string) {
		k["gsi1pk"], k["gsi1sk"] = "CITIES#applied", "2026-11-02T10:00:00.000000000Z#x"
	})
	if _, err := s.Store.Pipeline(ctx, membership.StatusApplied, "", "", withIndex, 1); err != nil {
		t.Errorf("a cursor with the index's keys: %v", err)
	}
	for name, cur := range map[string]string{
		"an attribute too many":      forge(func(k map[string]string) { k["name"] = "x" }),
		"the sort key missing":       forge(func(k map[string]string) { delete(k, "sk") }),
		"another key attribute":      forge(func(k map[string]string) { delete(k, "sk"); k["ttl"] = "1" }),
		"another status's partition": forge(func(k map[string]string) { k["gsi1pk"], k["gsi1sk"] = "CITIES#member", "x" }),
		"another partition":          forge(func(k map[string]string) { k["gsi1pk"], k["gsi1sk"] = "OUTBOX", "x" }),
		"one of the index's keys":    forge(func(k map[string]string) { k["gsi1pk"] = "CITIES#applied" }),
		"an empty index sort key":    forge(func(k map[string]string) { k["gsi1pk"], k["gsi1sk"] = "CITIES#applied", "" }),
		"no key at all":              forge(func(k map[string]string) { clear(k) }),
		"another item's sort key":    forge(func(k map[string]string) { k["sk"] = "DRAFT" }),
		"another item's partition":   forge(func(k map[string]string) { k["pk"] = "NOTIFICATION#x" }),
		"a partition of no city id":  forge(func(k map[string]string) { k["pk"] = "CITY#../x" }),
	} {
		_, err := s.Store.Pipeline(ctx, membership.StatusApplied, "", "", cur, 1)
		if fe := failure.As(err); fe == nil || fe.Kind != failure.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "query/cursor" {
			t.Errorf("%s: %v, want invalid input at query/cursor", name, err)
		}
	}
}
