// Package outbox is how work gets done later: a work item (an email to send,
// a submission to score) is written in the same transaction as the change
// that causes it, the table's stream delivers it to its consumer, the consumer
// marks it done with a conditional write, and the sweeper re-drives whatever
// stayed pending, so no work is lost and none is done twice.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Work item types: the item's "type" attribute, which stream filters match.
const (
	TypeNotification = "notification"
	TypeSubmission   = "submission"       // an INDEX submission waiting to be scored
	TypeFeeDue       = "fee-due"          // a member's invoice of a year to issue
	TypeDocuments    = "documents"        // an issued document to archive and email
	TypeReport       = "report-documents" // a published report to archive and email
	TypeRun          = "run"              // a schedule's run the secretariat asked for (package runs)
)

// Key is a work item's table key.
type Key struct{ PK, SK string }

// Item states shared by every kind of work item.
const (
	StatusPending  = "pending"
	StatusInFlight = "sending"
	StatusRetrying = "retrying"
	StatusDone     = "done"
)

// PendingPartition is the gsi1 partition of work not yet done. Items leave
// it (the attribute is removed) when they are done, so the index stays small.
const PendingPartition = "OUTBOX"

// Item identifies a waiting work item.
type Item struct {
	PK, SK     string
	Type       string
	Status     string
	LeaseUntil time.Time
}

// Store is what the sweeper needs.
type Store interface {
	PendingWork(ctx context.Context, olderThan time.Time, limit int32) ([]Item, error)
	Redrive(ctx context.Context, item Item, now time.Time) (bool, error)
}

// Sweeper re-drives work left pending by a failed or lost trigger.
type Sweeper struct {
	Store Store
	Now   func() time.Time
	After time.Duration // how old pending work must be before it is re-driven
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Found     int  `json:"found"`
	Redriven  int  `json:"redriven"`
	InFlight  int  `json:"inFlight"`
	Remaining bool `json:"remaining"`
}

// Sweep re-drives up to 500 stale items.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	now := s.Now()
	const limit = 500
	items, err := s.Store.PendingWork(ctx, now.Add(-s.After), limit)
	if err != nil {
		return SweepResult{}, err
	}
	res := SweepResult{Found: len(items), Remaining: len(items) == limit}
	var errs []error
	for _, it := range items {
		ok, err := s.Store.Redrive(ctx, it, now)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok:
			res.Redriven++
			slog.WarnContext(ctx, "work item re-driven", "pk", it.PK, "type", it.Type, "status", it.Status)
		default:
			res.InFlight++
		}
	}
	return res, errors.Join(errs...)
}

// StreamHandler adapts a DynamoDB stream batch to a per-item consumer and
// reports the records that failed, so the event source mapping retries only
// those (ReportBatchItemFailures).
func StreamHandler(workType string, consume func(ctx context.Context, k Key) error) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return StreamHandlers(map[string]func(context.Context, Key) error{workType: consume})
}

// StreamHandlers is StreamHandler for a function that consumes several
// types of work item, each with its own consumer.
func StreamHandlers(consumers map[string]func(ctx context.Context, k Key) error) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, rec := range ev.Records {
			img := rec.Change.NewImage
			if rec.EventName == string(events.DynamoDBOperationTypeRemove) || img == nil {
				continue
			}
			t, ok := img["type"]
			if !ok || t.DataType() != events.DataTypeString {
				continue
			}
			consume, ok := consumers[t.String()]
			if !ok {
				continue
			}
			if st, ok := img["status"]; !ok || st.DataType() != events.DataTypeString || st.String() != StatusPending {
				continue
			}
			pk, okPK := img["pk"]
			sk, okSK := img["sk"]
			if !okPK || !okSK || pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString {
				slog.ErrorContext(ctx, "stream record without a key", "eventID", rec.EventID)
				continue
			}
			if err := consume(ctx, Key{PK: pk.String(), SK: sk.String()}); err != nil {
				slog.ErrorContext(ctx, "work item failed", "pk", pk.String(), "sk", sk.String(), "error", err)
				// A stream is ordered: the mapping resumes from the first
				// failure, so stop here and report it.
				resp.BatchItemFailures = append(resp.BatchItemFailures,
					events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
				return resp, nil
			}
		}
		return resp, nil
	}
}

// IDFromKey strips a key prefix such as "NOTIFICATION#".
func IDFromKey(pk, prefix string) (string, error) {
	if len(pk) <= len(prefix) || pk[:len(prefix)] != prefix {
		return "", fmt.Errorf("key %q does not start with %q", pk, prefix)
	}
	return pk[len(prefix):], nil
}
