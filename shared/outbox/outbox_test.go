package outbox

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func rec(seq, pk, typ, status, name string) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{
		SequenceNumber: seq,
		NewImage: map[string]events.DynamoDBAttributeValue{
			"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute("S"), "type": events.NewStringAttribute(typ),
			"status": events.NewStringAttribute(status),
		},
	}}
}

func TestStreamHandlerConsumesPendingItemsOfItsTypeAndReportsTheFirstFailure(t *testing.T) {
	var seen []string
	h := StreamHandler(TypeNotification, func(_ context.Context, k Key) error {
		seen = append(seen, k.PK)
		if k.PK == "N#bad" {
			return errors.New("boom")
		}
		return nil
	})
	resp, err := h(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		rec("1", "N#a", TypeNotification, StatusPending, "INSERT"),
		rec("2", "C#x", "city", StatusPending, "INSERT"),
		rec("3", "N#sent", TypeNotification, "sent", "MODIFY"),
		rec("4", "N#gone", TypeNotification, StatusPending, "REMOVE"),
		rec("5", "N#bad", TypeNotification, StatusPending, "INSERT"),
		rec("6", "N#later", TypeNotification, StatusPending, "INSERT"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "N#a" || seen[1] != "N#bad" {
		t.Fatalf("consumed %v, want the two pending notifications up to the failure", seen)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "5" {
		t.Fatalf("failures %+v, want sequence 5 (the mapping resumes there)", resp.BatchItemFailures)
	}
}

func TestIDFromKey(t *testing.T) {
	if id, err := IDFromKey("NOTIFICATION#abc", "NOTIFICATION#"); err != nil || id != "abc" {
		t.Fatalf("%q %v", id, err)
	}
	for _, bad := range []string{"NOTIFICATION#", "CITY#abc", ""} {
		if _, err := IDFromKey(bad, "NOTIFICATION#"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
