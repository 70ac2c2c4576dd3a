package runs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/intercultural-cities/backoffice/shared/outbox"
)

// Handler is a scheduled function's Lambda handler, for its two triggers:
// EventBridge Scheduler invokes it with the schedule's input (a JSON object
// such as {"schedule": "daily"}), on which it runs the job and returns its
// report; the table's stream invokes it with the run records of its
// schedule, which it hands to consume (see Runner.Run) and answers with the
// records that failed (ReportBatchItemFailures).
func Handler(job Job, consume func(context.Context, outbox.Key) error) func(context.Context, json.RawMessage) (any, error) {
	stream := outbox.StreamHandler(outbox.TypeRun, consume)
	return func(ctx context.Context, payload json.RawMessage) (any, error) {
		ev, isStream, err := streamEvent(payload)
		switch {
		case err != nil:
			return nil, err
		case isStream:
			return stream(ctx, ev)
		}
		return job(ctx, payload)
	}
}

// streamEvent reads a DynamoDB stream event: a "Records" list whose first
// record comes from aws:dynamodb. A schedule's input is never one; a stream
// event that does not decode is an error, never a schedule's input.
func streamEvent(payload json.RawMessage) (events.DynamoDBEvent, bool, error) {
	var probe struct {
		Records []struct {
			EventSource string `json:"eventSource"`
		}
	}
	if json.Unmarshal(payload, &probe) != nil || len(probe.Records) == 0 || probe.Records[0].EventSource != "aws:dynamodb" {
		return events.DynamoDBEvent{}, false, nil
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return events.DynamoDBEvent{}, true, fmt.Errorf("a DynamoDB stream event that does not decode: %w", err)
	}
	return ev, true, nil
}
