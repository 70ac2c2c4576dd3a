package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/idempotency"
)

const idemPrefix = "IDEMPOTENCY#"

type idemItem struct {
	PK          string    `dynamodbav:"pk"`
	SK          string    `dynamodbav:"sk"`
	Type        string    `dynamodbav:"type"`
	RequestHash string    `dynamodbav:"requestHash"`
	Status      int       `dynamodbav:"status"`
	Location    string    `dynamodbav:"location,omitempty"`
	ContentType string    `dynamodbav:"contentType"`
	Body        []byte    `dynamodbav:"body"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
	TTL         int64     `dynamodbav:"ttl"`
}

func idemKey(scope, k string) string { return idemPrefix + scope + "#" + k }

func idempotencyPut(table string, r idempotency.Record) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(idemItem{
		PK: idemKey(r.Scope, r.Key), SK: "IDEMPOTENCY", Type: "idempotency", RequestHash: r.RequestHash,
		Status: r.Status, Location: r.Location, ContentType: r.ContentType, Body: r.Body, CreatedAt: r.CreatedAt,
		TTL: r.ExpiresAt.Unix(),
	})
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("marshal idempotency record: %w", err)
	}
	// A record past its TTL that DynamoDB has not deleted yet may be replaced.
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR #ttl < :now"),
		ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(r.CreatedAt.Unix())},
	}}, nil
}

// IdempotencyRecord returns the live record for a key, if any.
func (s *Store) IdempotencyRecord(ctx context.Context, scope, k string, now time.Time) (idempotency.Record, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(idemKey(scope, k), "IDEMPOTENCY"), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return idempotency.Record{}, false, fmt.Errorf("get idempotency record: %w", err)
	}
	if len(out.Item) == 0 {
		return idempotency.Record{}, false, nil
	}
	var it idemItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return idempotency.Record{}, false, fmt.Errorf("unmarshal idempotency record: %w", err)
	}
	if it.TTL < now.Unix() {
		return idempotency.Record{}, false, nil
	}
	return idempotency.Record{
		Scope: scope, Key: k, RequestHash: it.RequestHash, Status: it.Status, Location: it.Location, ContentType: it.ContentType,
		Body: it.Body, CreatedAt: it.CreatedAt, ExpiresAt: time.Unix(it.TTL, 0).UTC(),
	}, true, nil
}
