package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzStreamRecords fuzzes what a stream function is handed: a DynamoDB
// stream batch as the Lambda runtime decodes it (encoding/json into
// events.DynamoDBEvent), given to StreamHandlers with a consumer for every
// type of work item, the one at index failAt failing. The property: no
// panic and no error; a consumer is called only for a record that is an
// insert or a modification leaving a pending work item of its type with
// string keys, in the records' order, with those keys (from which IDFromKey
// takes the id back); and when one fails, the batch reports its sequence
// number alone, and nothing after it is consumed, since the mapping
// retries from there. Seeds: the stream functions' sample events and
// hostile records.
func FuzzStreamRecords(f *testing.F) {
	for _, name := range []string{"notify", "score", "publisher", "billing"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "events", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(255))
		f.Add(b, uint8(0))
	}
	item := func(typ, status, pk, sk string) string {
		return `{"eventName":"INSERT","dynamodb":{"SequenceNumber":"` + pk + `","NewImage":{"type":` + typ + `,"status":` + status +
			`,"pk":` + pk + `,"sk":` + sk + `}}}`
	}
	for _, s := range []string{
		`{}`, `{"Records":null}`, `{"Records":[{}]}`, `{"Records":[{"dynamodb":{}}]}`,
		`{"Records":[` + item(`{"S":"notification"}`, `{"S":"pending"}`, `{"S":"NOTIFICATION#a"}`, `{"S":"NOTIFICATION"}`) + `]}`,
		`{"Records":[` + item(`{"S":"notification"}`, `{"S":"pending"}`, `{"N":"1"}`, `{"S":"x"}`) + `]}`,
		`{"Records":[` + item(`{"B":"bm90aWZpY2F0aW9u"}`, `{"S":"pending"}`, `{"S":"a"}`, `{"S":"b"}`) + `]}`,
		`{"Records":[` + item(`{"S":"submission"}`, `{"NULL":true}`, `{"S":"CITY#a"}`, `{"S":"SUBMISSION#b"}`) + `]}`,
		`{"Records":[` + item(`{"S":"fee-due","N":"1"}`, `{"S":"pending"}`, `{"S":""}`, `{"S":""}`) + `]}`,
		`{"Records":[` + item(`{"L":[{"S":"notification"}]}`, `{"M":{"S":{"S":"pending"}}}`, `{"SS":["a"]}`, `{"BOOL":true}`) + `]}`,
		`{"Records":[` + item(`{"X":1}`, `{"S":"pending"}`, `{"S":"a"}`, `{"S":"b"}`) + `,` +
			item(`{"S":"documents"}`, `{"S":"pending"}`, `{"S":"DOC#a"}`, `{"S":"DOC"}`) + `]}`,
		`{"Records":[{"eventName":"REMOVE","dynamodb":{"NewImage":{"type":{"S":"notification"},"status":{"S":"pending"},"pk":{"S":"a"},"sk":{"S":"b"}}}}]}`,
		`{"Records":[{"eventName":"MODIFY","dynamodb":{"NewImage":{"type":{"S":"report-documents"},"status":{"S":"done"},"pk":{"S":"a"},"sk":{"S":"b"}}}}]}`,
		`{"Records":[{"dynamodb":{"NewImage":{"type":{"S":"notification"},"status":{"S":"pending"},"pk":{"S":"a"},"sk":{"S":"b"},"n":{"N":"1e99999"}}}}]}`,
	} {
		f.Add([]byte(s), uint8(255))
		f.Add([]byte(s), uint8(0))
	}
	types := []string{TypeNotification, TypeSubmission, TypeFeeDue, TypeDocuments, TypeReport}
	f.Fuzz(func(t *testing.T, data []byte, failAt uint8) {
		var ev events.DynamoDBEvent
		if json.Unmarshal(data, &ev) != nil {
			return // the runtime refuses it before any handler runs
		}
		type call struct {
			typ string
			key Key
		}
		var calls []call
		consumers := map[string]func(context.Context, Key) error{}
		for _, typ := range types {
			consumers[typ] = func(_ context.Context, k Key) error {
				calls = append(calls, call{typ, k})
				if id, err := IDFromKey(k.PK, "NOTIFICATION#"); err == nil && "NOTIFICATION#"+id != k.PK {
					t.Fatalf("IDFromKey(%q) = %q", k.PK, id)
				}
				if len(calls)-1 == int(failAt) {
					return errors.New("consumer failed")
				}
				return nil
			}
		}
		resp, err := StreamHandlers(consumers)(context.Background(), ev)
		if err != nil {
			t.Fatalf("the batch failed as a whole: %v", err)
		}
		// Which record each call consumed, in order.
		next := 0
		for i, c := range calls {
			found := false
			for ; next < len(ev.Records) && !found; next++ {
				r := ev.Records[next]
				img := r.Change.NewImage
				found = r.EventName != "REMOVE" && isString(img["type"], c.typ) && isString(img["status"], StatusPending) &&
					isString(img["pk"], c.key.PK) && isString(img["sk"], c.key.SK)
			}
			if !found {
				t.Fatalf("call %d consumed %+v, which no pending work item of the batch holds, in order", i, c)
			}
			if i == int(failAt) {
				seq := ev.Records[next-1].Change.SequenceNumber
				if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != seq || i != len(calls)-1 {
					t.Fatalf("consumer %d failed on record %d (%q): reported %+v after %d calls", i, next-1, seq, resp.BatchItemFailures, len(calls))
				}
			}
		}
		if len(calls) <= int(failAt) && len(resp.BatchItemFailures) != 0 {
			t.Fatalf("no consumer failed, yet %+v is reported", resp.BatchItemFailures)
		}
	})
}

// isString reports whether v is the string s.
func isString(v events.DynamoDBAttributeValue, s string) bool {
	return v.DataType() == events.DataTypeString && v.String() == s
}
