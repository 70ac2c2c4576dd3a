package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

// TestCaptureStorageFixtures writes, with CAPTURE_FIXTURES=<file>, every item
// a city's whole path stores, as DynamoDB JSON: the store's tests read such
// files back to prove that items written by earlier code still read the same.
func TestCaptureStorageFixtures(t *testing.T) {
	out := os.Getenv("CAPTURE_FIXTURES")
	if out == "" {
		t.Skip("set CAPTURE_FIXTURES=<file> to capture")
	}
	s := localtest.New(t, local.Options{})
	adm := s.AdminToken()
	id, tok := reported(t, s, "Fixture Town")
	base := "/admin/cities/" + id
	admin(t, s, adm, base+"/intent", `{"signedOn":"2026-10-01"}`, 200)
	c := admin(t, s, adm, base+"/expert-visits", `{"scheduledFor":"2026-11-10","experts":[{"name":"Ana Expert","email":"ana@experts.example"},
		{"name":"Ben Expert","email":"ben@experts.example"}],"representative":{"name":"Chloé CoE","email":"chloe@coe.example"}}`, 200)
	admin(t, s, adm, base+"/expert-visits/"+c.ExpertVisit.VisitID+"/held", `{"heldOn":"2026-11-12","diagnosis":"Strong commitment."}`, 200)
	admin(t, s, adm, base+"/profile", `{"title":"Intercultural profile of Fixture Town","issuedOn":"2026-11-20","link":"https://coe.example/p.pdf","summary":"A summary."}`, 200)
	admin(t, s, adm, base+"/agreement", `{"citySignedOn":"2026-11-25","coeSignedOn":"2026-11-24","endsOn":"2030-12-31","feePerYear":{"amount":450000,"currency":"EUR"}}`, 200)
	if st, _, b := s.Do(http.MethodPost, "/cities/"+id+"/progress-reports", tok,
		`{"period":"2026","actions":["Intercultural strategy adopted"],"indicators":[{"name":"Staff trained","value":"40","target":"100"}],"text":"First year."}`); st != 201 {
		t.Fatalf("progress report: %d %s", st, b)
	}
	admin(t, s, adm, base+"/termination", `{"by":"coe","noticeOn":"2026-11-28","reason":"Unpaid fees"}`, 200)
	if st, _, b := s.Do(http.MethodPut, "/cities/"+id+"/index/draft", tok, `{"version":"2019","answers":[]}`); st != 201 {
		t.Fatalf("draft: %d %s", st, b)
	}
	applyCity(t, s, "Small Fixture", 12000, 2)
	s.Drain()

	var items []map[string]any
	var start map[string]types.AttributeValue
	for {
		page, err := s.DB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(s.Table),
			ExclusiveStartKey: start, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			items = append(items, wire(it))
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		start = page.LastEvaluatedKey
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i]["pk"].(map[string]any)["S"].(string), items[j]["pk"].(map[string]any)["S"].(string)
		if a != b {
			return a < b
		}
		return items[i]["sk"].(map[string]any)["S"].(string) < items[j]["sk"].(map[string]any)["S"].(string)
	})
	b, _ := json.MarshalIndent(map[string]any{"cityId": id, "items": items}, "", " ")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wire is an item in DynamoDB's JSON wire format.
func wire(item map[string]types.AttributeValue) map[string]any {
	out := map[string]any{}
	for k, v := range item {
		out[k] = wireValue(v)
	}
	return out
}

func wireValue(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": wire(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = wireValue(e)
		}
		return map[string]any{"L": l}
	}
	return nil
}
