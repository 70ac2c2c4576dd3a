package local

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestFilterMatchesLikeTheEventSourceMapping(t *testing.T) {
	f, err := parseFilter(`{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"type":{"S":["notification"]},"status":{"S":["pending"]}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	rec := func(name, typ, status string) events.DynamoDBEventRecord {
		img := map[string]events.DynamoDBAttributeValue{"type": events.NewStringAttribute(typ)}
		if status != "" {
			img["status"] = events.NewStringAttribute(status)
		}
		return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{NewImage: img}}
	}
	tests := []struct {
		name string
		rec  events.DynamoDBEventRecord
		want bool
	}{
		{"new pending notification", rec("INSERT", "notification", "pending"), true},
		{"re-driven notification", rec("MODIFY", "notification", "pending"), true},
		{"sent notification", rec("MODIFY", "notification", "sent"), false},
		{"another item type", rec("INSERT", "city", "pending"), false},
		{"no status", rec("INSERT", "notification", ""), false},
		{"removal", rec("REMOVE", "notification", "pending"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchAny([]filter{f}, tt.rec); got != tt.want {
				t.Fatalf("match = %v, want %v", got, tt.want)
			}
		})
	}
}
