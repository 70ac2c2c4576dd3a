// Package store is the single-table DynamoDB adapter. Every record lives in
// one table keyed by pk/sk with an overloaded index gsi1 (gsi1pk/gsi1sk) and
// the fee years' index gsi2 (gsi2pk/gsi2sk); infra/ACCESS-PATTERNS.md lists
// each item and access pattern, and accessdoc_test.go checks it.
package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/intercultural-cities/backoffice/shared/idempotency"
)

// Store reads and writes the programme's records. It holds the concrete
// client: a client stored in an interface keeps every SDK operation in the
// binary (the templates' reflection defeats dead-code elimination).
type Store struct {
	db    *dynamodb.Client
	table string
}

// New returns a store over table.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table}
}

// Table is the table's key design; the template must declare the same.
var Table = struct {
	PartitionKey, SortKey, TTLAttribute       string
	Index, IndexPartitionKey, IndexSortKey    string
	Index2, Index2PartitionKey, Index2SortKey string
}{"pk", "sk", "ttl", "gsi1", "gsi1pk", "gsi1sk", "gsi2", "gsi2pk", "gsi2sk"}

// timeKey formats t so that keys sort in time order.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(n)}
}

// isConditionFailed reports a failed condition on a single-item write.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// canceledAt returns which transaction items failed their condition.
func canceledAt(err error) (failed []int, ok bool) {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil, false
	}
	for i, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			failed = append(failed, i)
		}
	}
	return failed, true
}

// withRecord appends the request's idempotency record, if it has one, as the
// transaction's last item: the write and the record of its answer commit
// together, and a concurrent duplicate loses on the record (see lostRace).
func withRecord(table string, items []types.TransactWriteItem, idem *idempotency.Record) ([]types.TransactWriteItem, error) {
	if idem == nil {
		return items, nil
	}
	put, err := idempotencyPut(table, *idem)
	if err != nil {
		return nil, err
	}
	return append(items, put), nil
}

// lostRace reports whether a transaction built by withRecord failed on its
// idempotency record: a concurrent request with the same key committed.
func lostRace(err error, items []types.TransactWriteItem, idem *idempotency.Record) bool {
	failed, _ := canceledAt(err)
	return idem != nil && slices.Contains(failed, len(items)-1)
}

// CountRoundTrips returns an SDK option that counts every HTTP request sent
// to DynamoDB (each retry included) in n; other services are not counted.
func CountRoundTrips(n *atomic.Int64) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("CountRoundTrips",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
				middleware.DeserializeOutput, middleware.Metadata, error,
			) {
				if awsmiddleware.GetServiceID(ctx) == dynamodb.ServiceID {
					n.Add(1)
				}
				return next.HandleDeserialize(ctx, in)
			}), middleware.After)
	}
}

// batchGet reads keys by BatchGetItem, 100 a request (DynamoDB's limit),
// asking again for the keys DynamoDB leaves unprocessed, and hands each
// item found to each, in no particular order. projection may be empty.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue, projection string, consistent bool,
	each func(map[string]types.AttributeValue) error,
) error {
	for i := 0; i < len(keys); i += 100 {
		ka := types.KeysAndAttributes{Keys: keys[i:min(i+100, len(keys))], ConsistentRead: aws.Bool(consistent)}
		if projection != "" {
			ka.ProjectionExpression = aws.String(projection)
		}
		req := map[string]types.KeysAndAttributes{s.table: ka}
		for len(req) > 0 {
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return err
			}
			for _, it := range out.Responses[s.table] {
				if err := each(it); err != nil {
					return err
				}
			}
			req = out.UnprocessedKeys
		}
	}
	return nil
}
