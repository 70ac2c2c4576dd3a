package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/intercultural-cities/backoffice/infra/template"
)

// StreamHandler is a stream-triggered function's handler.
type StreamHandler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// Poller does what Lambda's event source mapping does for one function: it
// reads the table's stream, keeps the records its filters match, invokes the
// handler with batches, and retries from the first reported failure until
// the retry budget is spent (then the batch goes to the on-failure
// destination, here the log).
type Poller struct {
	Streams   *dynamodbstreams.Client
	StreamARN string
	Function  string
	Mapping   template.Stream
	Handler   StreamHandler
	Backoff   time.Duration // first retry delay; doubles each time
	// Read, when set, sees every record the poller reads, before its
	// filters: what the stream holds (for tests that inspect it).
	Read func(events.DynamoDBEventRecord)

	filters   []filter
	tx        *txStream
	txCursor  int
	mu        sync.Mutex
	iterators map[string]*string // by shard id
	lastSeq   map[string]string  // the last record read, by shard id
	Delivered int                // records handed to the handler successfully
	Abandoned int                // records sent to the on-failure destination
}

func (p *Poller) init() error {
	if p.iterators != nil {
		return nil
	}
	for _, pat := range p.Mapping.FilterPatterns {
		f, err := parseFilter(pat)
		if err != nil {
			return err
		}
		p.filters = append(p.filters, f)
	}
	p.iterators = map[string]*string{}
	p.lastSeq = map[string]string{}
	return nil
}

// Poll reads every shard once and processes what it found; it reports how
// many records reached the handler.
func (p *Poller) Poll(ctx context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.init(); err != nil {
		return 0, err
	}
	desc, err := p.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(p.StreamARN)})
	if err != nil {
		return 0, fmt.Errorf("describe stream: %w", err)
	}
	total := 0
	for _, sh := range desc.StreamDescription.Shards {
		id := aws.ToString(sh.ShardId)
		it, ok := p.iterators[id]
		if !ok {
			out, err := p.Streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
				StreamArn: aws.String(p.StreamARN), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
			})
			if err != nil {
				return total, fmt.Errorf("shard iterator: %w", err)
			}
			it = out.ShardIterator
		}
		for it != nil {
			out, err := p.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1000)})
			var expired *types.ExpiredIteratorException
			if errors.As(err, &expired) || (err != nil && strings.Contains(err.Error(), "shard iterator")) {
				// Iterators expire after a while, as in DynamoDB Streams:
				// start again from the trim horizon and skip what was read.
				delete(p.iterators, id)
				fresh, ierr := p.Streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
					StreamArn: aws.String(p.StreamARN), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
				})
				if ierr != nil {
					return total, fmt.Errorf("renew shard iterator: %w", ierr)
				}
				it = fresh.ShardIterator
				continue
			}
			if err != nil {
				return total, fmt.Errorf("get records: %w", err)
			}
			recs := out.Records[:0:0]
			for _, r := range out.Records {
				if seq := aws.ToString(r.Dynamodb.SequenceNumber); seqAfter(seq, p.lastSeq[id]) {
					recs = append(recs, r)
					p.lastSeq[id] = seq
				}
			}
			n, err := p.process(ctx, recs)
			total += n
			if err != nil {
				return total, err
			}
			it = out.NextShardIterator
			p.iterators[id] = it
			if len(out.Records) == 0 {
				break
			}
		}
	}
	if p.tx != nil {
		recs, next := p.tx.since(p.txCursor)
		p.txCursor = next
		n, err := p.processEvents(ctx, recs)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// seqAfter compares stream sequence numbers (decimal strings).
func seqAfter(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// process hands the matching records to the handler in batches.
func (p *Poller) process(ctx context.Context, recs []types.Record) (int, error) {
	evs := make([]events.DynamoDBEventRecord, len(recs))
	for i, r := range recs {
		evs[i] = toEvent(r)
	}
	return p.processEvents(ctx, evs)
}

func (p *Poller) processEvents(ctx context.Context, evs []events.DynamoDBEventRecord) (int, error) {
	var matched []events.DynamoDBEventRecord
	for _, ev := range evs {
		if p.Read != nil {
			p.Read(ev)
		}
		if matchAny(p.filters, ev) {
			matched = append(matched, ev)
		}
	}
	size := p.Mapping.BatchSize
	if size <= 0 {
		size = 100
	}
	for start := 0; start < len(matched); start += size {
		batch := matched[start:min(start+size, len(matched))]
		if err := p.invoke(ctx, batch); err != nil {
			return start, err
		}
	}
	return len(matched), nil
}

// invoke runs one batch with the mapping's retry semantics.
func (p *Poller) invoke(ctx context.Context, batch []events.DynamoDBEventRecord) error {
	delay := p.Backoff
	if delay <= 0 {
		delay = 500 * time.Millisecond
	}
	for attempt := 0; ; attempt++ {
		resp, err := p.Handler(ctx, events.DynamoDBEvent{Records: batch})
		failedAt := -1
		switch {
		case err != nil:
			failedAt = 0
		case len(resp.BatchItemFailures) > 0 && p.Mapping.ReportBatchItemFailures:
			failedAt = firstFailure(batch, resp.BatchItemFailures)
		}
		if failedAt < 0 {
			p.Delivered += len(batch)
			return nil
		}
		p.Delivered += failedAt
		batch = batch[failedAt:]
		if attempt >= p.Mapping.MaximumRetryAttempts {
			p.Abandoned += len(batch)
			slog.ErrorContext(ctx, "stream batch sent to the on-failure destination", "function", p.Function,
				"records", len(batch), "destination", p.Mapping.OnFailure, "error", err)
			return nil
		}
		slog.WarnContext(ctx, "stream batch failed; retrying", "function", p.Function, "attempt", attempt+1,
			"records", len(batch), "error", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func firstFailure(batch []events.DynamoDBEventRecord, failures []events.DynamoDBBatchItemFailure) int {
	first := len(batch)
	for _, f := range failures {
		for i, r := range batch {
			if r.Change.SequenceNumber == f.ItemIdentifier && i < first {
				first = i
			}
		}
	}
	if first == len(batch) {
		return 0 // an identifier we do not know: Lambda retries the whole batch
	}
	return first
}

func toEvent(r types.Record) events.DynamoDBEventRecord {
	ev := events.DynamoDBEventRecord{
		AWSRegion: aws.ToString(r.AwsRegion), EventID: aws.ToString(r.EventID), EventName: string(r.EventName),
		EventSource: "aws:dynamodb", EventVersion: aws.ToString(r.EventVersion),
	}
	if d := r.Dynamodb; d != nil {
		ev.Change = events.DynamoDBStreamRecord{
			Keys: image(d.Keys), NewImage: image(d.NewImage), OldImage: image(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber), SizeBytes: aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		}
		if d.ApproximateCreationDateTime != nil {
			ev.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
		}
	}
	return ev
}

// image converts a stream image to the Lambda event's form, by way of the
// DynamoDB types the transaction shim also starts from.
func image(m map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	ddb, err := attributevalue.FromDynamoDBStreamsMap(m)
	if err != nil {
		return nil
	}
	return ddbImage(ddb)
}
