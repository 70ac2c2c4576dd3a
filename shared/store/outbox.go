package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/outbox"
)

// PendingWork implements outbox.Store: work items created before olderThan
// that are still in the sparse pending index.
func (s *Store) PendingWork(ctx context.Context, olderThan time.Time, limit int32) ([]outbox.Item, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		IndexName:              aws.String(Table.Index),
		KeyConditionExpression: aws.String("gsi1pk = :p AND gsi1sk < :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": str(outbox.PendingPartition),
			":t": str(timeKey(olderThan)),
		},
		Limit: aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("query pending work: %w", err)
	}
	items := make([]outbox.Item, 0, len(out.Items))
	for _, it := range out.Items {
		var item outbox.Item
		if v, ok := it["pk"].(*types.AttributeValueMemberS); ok {
			item.PK = v.Value
		}
		if v, ok := it["sk"].(*types.AttributeValueMemberS); ok {
			item.SK = v.Value
		}
		if v, ok := it["type"].(*types.AttributeValueMemberS); ok {
			item.Type = v.Value
		}
		if v, ok := it["status"].(*types.AttributeValueMemberS); ok {
			item.Status = v.Value
		}
		if v, ok := it["leaseUntil"].(*types.AttributeValueMemberN); ok {
			var n int64
			fmt.Sscan(v.Value, &n)
			item.LeaseUntil = time.Unix(n, 0)
		}
		items = append(items, item)
	}
	return items, nil
}

// Redrive implements outbox.Store: it puts a waiting item back to pending and
// bumps its redrive count, which changes the item so the stream delivers it
// again. An item held by a live lease or already done is left alone.
func (s *Store) Redrive(ctx context.Context, item outbox.Item, now time.Time) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              key(item.PK, item.SK),
		UpdateExpression: aws.String("SET #status = :pending, redrives = if_not_exists(redrives, :zero) + :one REMOVE leaseUntil"),
		ConditionExpression: aws.String("attribute_exists(gsi1pk) AND (#status = :pending OR #status = :retrying OR " +
			"(#status = :sending AND leaseUntil < :now))"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pending":  str(outbox.StatusPending),
			":retrying": str(outbox.StatusRetrying),
			":sending":  str(outbox.StatusInFlight),
			":now":      num(now.Unix()),
			":zero":     num(0),
			":one":      num(1),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redrive %s: %w", item.PK, err)
	}
	return true, nil
}
