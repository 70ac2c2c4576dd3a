package local

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// txStream fills a gap of the emulator: kumo v0.33 applies TransactWriteItems
// and BatchWriteItem without writing stream records (single-item writes do
// get them). DynamoDB
// streams every item a transaction writes, and the outbox depends on it, so
// the local stack's DynamoDB client records each committed transaction's items
// here and the pollers deliver them like any other stream record.
type txStream struct {
	mu      sync.Mutex
	records []events.DynamoDBEventRecord
	reader  *dynamodb.Client // reads updated items back, without this middleware
}

// middleware captures the items of every successful TransactWriteItems.
func (x *txStream) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LocalTransactionStream",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			out, md, err := next.HandleInitialize(ctx, in)
			if tx, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok && err == nil {
				x.capture(ctx, tx)
			}
			if batch, ok := in.Parameters.(*dynamodb.BatchWriteItemInput); ok && err == nil {
				x.captureBatch(batch, out.Result.(*dynamodb.BatchWriteItemOutput))
			}
			return out, md, err
		}), middleware.After)
}

func (x *txStream) capture(ctx context.Context, tx *dynamodb.TransactWriteItemsInput) {
	now := time.Now()
	var recs []events.DynamoDBEventRecord
	for _, it := range tx.TransactItems {
		switch {
		case it.Put != nil:
			name := "MODIFY"
			if strings.Contains(aws.ToString(it.Put.ConditionExpression), "attribute_not_exists") {
				name = "INSERT"
			}
			recs = append(recs, record(name, keyOf(it.Put.Item), nil, it.Put.Item, now))
		case it.Update != nil:
			got, err := x.reader.GetItem(ctx, &dynamodb.GetItemInput{
				TableName: it.Update.TableName, Key: it.Update.Key, ConsistentRead: aws.Bool(true),
			})
			if err == nil {
				recs = append(recs, record("MODIFY", it.Update.Key, nil, got.Item, now))
			}
		case it.Delete != nil:
			recs = append(recs, record("REMOVE", it.Delete.Key, nil, nil, now))
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, r := range recs {
		r.Change.SequenceNumber = fmt.Sprintf("TX%020d", len(x.records)+1)
		x.records = append(x.records, r)
	}
}

// captureBatch records the items a BatchWriteItem wrote (kumo streams none
// of them either), leaving out those it returned unprocessed.
func (x *txStream) captureBatch(in *dynamodb.BatchWriteItemInput, out *dynamodb.BatchWriteItemOutput) {
	now := time.Now()
	var recs []events.DynamoDBEventRecord
	for table, reqs := range in.RequestItems {
		for _, r := range reqs {
			if slices.ContainsFunc(out.UnprocessedItems[table], func(u types.WriteRequest) bool { return sameRequest(u, r) }) {
				continue
			}
			switch {
			case r.PutRequest != nil:
				recs = append(recs, record("MODIFY", keyOf(r.PutRequest.Item), nil, r.PutRequest.Item, now))
			case r.DeleteRequest != nil:
				recs = append(recs, record("REMOVE", r.DeleteRequest.Key, nil, nil, now))
			}
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, r := range recs {
		r.Change.SequenceNumber = fmt.Sprintf("TX%020d", len(x.records)+1)
		x.records = append(x.records, r)
	}
}

func sameRequest(a, b types.WriteRequest) bool {
	key := func(r types.WriteRequest) map[string]types.AttributeValue {
		if r.PutRequest != nil {
			return keyOf(r.PutRequest.Item)
		}
		return r.DeleteRequest.Key
	}
	ka, kb := key(a), key(b)
	return fmt.Sprint(ka["pk"], ka["sk"]) == fmt.Sprint(kb["pk"], kb["sk"])
}

// since returns the records after cursor and the new cursor.
func (x *txStream) since(cursor int) ([]events.DynamoDBEventRecord, int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]events.DynamoDBEventRecord(nil), x.records[cursor:]...), len(x.records)
}

func keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]}
}

func record(name string, key, oldImg, newImg map[string]types.AttributeValue, at time.Time) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{
		EventName: name, EventSource: "aws:dynamodb", EventVersion: "1.1",
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: at},
			Keys:                        ddbImage(key), OldImage: ddbImage(oldImg), NewImage: ddbImage(newImg),
			StreamViewType: "NEW_AND_OLD_IMAGES",
		},
	}
}

func ddbImage(m map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = ddbAttr(v)
	}
	return out
}

func ddbAttr(v types.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(x.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(x.Value)
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(x.Value)
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(x.Value)
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(x.Value))
		for i, e := range x.Value {
			l[i] = ddbAttr(e)
		}
		return events.NewListAttribute(l)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(ddbImage(x.Value))
	}
	return events.NewNullAttribute()
}
