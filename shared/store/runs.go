package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/outbox"
	"github.com/intercultural-cities/backoffice/shared/runs"
)

// The runs' items (infra/ACCESS-PATTERNS.md):
//
//	SCHEDULE#<schedule> / RUN#<id>   a run the secretariat asked for: an outbox work item, in gsi1
//	                                 under OUTBOX until it succeeded or failed
//	SCHEDULE#<schedule> / ACTIVE     the schedule's lock: the run queued or running, if any
const (
	SchedulePrefix = "SCHEDULE#"
	RunPrefix      = "RUN#"
	activeSK       = "ACTIVE"
)

// A run's stored states: the outbox's (pending, sending: what the stream
// filter, the sweeper and the lease understand), then its outcome.
const (
	runSucceeded = "succeeded"
	runFailed    = "failed"
)

// runItem is a run as stored. Its input and result are JSON text, whatever
// the schedule.
type runItem struct {
	PK          string     `dynamodbav:"pk"`
	SK          string     `dynamodbav:"sk"`
	Type        string     `dynamodbav:"type"`
	Schema      int        `dynamodbav:"schema"`
	GSI1PK      string     `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK      string     `dynamodbav:"gsi1sk,omitempty"`
	ID          string     `dynamodbav:"runId"`
	Schedule    string     `dynamodbav:"schedule"`
	Status      string     `dynamodbav:"status"`
	Input       string     `dynamodbav:"input,omitempty"`
	RequestedBy string     `dynamodbav:"requestedBy"`
	RequestedAt time.Time  `dynamodbav:"requestedAt"`
	Attempts    int        `dynamodbav:"attempts"`
	LeaseUntil  int64      `dynamodbav:"leaseUntil,omitempty"`
	StartedAt   *time.Time `dynamodbav:"startedAt,omitempty"`
	FinishedAt  *time.Time `dynamodbav:"finishedAt,omitempty"`
	Result      string     `dynamodbav:"result,omitempty"`
	Error       string     `dynamodbav:"error,omitempty"`
	TTL         int64      `dynamodbav:"ttl,omitempty"`
}

const runSchema = 1

func runKey(schedule, id string) map[string]types.AttributeValue {
	return key(SchedulePrefix+schedule, RunPrefix+id)
}

func (it runItem) run() (runs.Run, error) {
	if it.Schema > runSchema {
		return runs.Run{}, fmt.Errorf("run %s has schema %d, newer than this code's %d", it.ID, it.Schema, runSchema)
	}
	r := runs.Run{ID: it.ID, Schedule: it.Schedule, RequestedBy: it.RequestedBy, RequestedAt: it.RequestedAt,
		Attempts: it.Attempts, Error: it.Error}
	switch it.Status {
	case outbox.StatusPending:
		r.Status = runs.Queued
	case outbox.StatusInFlight:
		r.Status = runs.Running
	case runSucceeded:
		r.Status = runs.Succeeded
	case runFailed:
		r.Status = runs.Failed
	default:
		return runs.Run{}, fmt.Errorf("run %s has status %q", it.ID, it.Status)
	}
	if it.Input != "" {
		r.Input = json.RawMessage(it.Input)
	}
	if it.Result != "" {
		r.Result = json.RawMessage(it.Result)
	}
	if it.StartedAt != nil {
		r.StartedAt = *it.StartedAt
	}
	if it.FinishedAt != nil {
		r.FinishedAt = *it.FinishedAt
	}
	return r, nil
}

// CreateRun implements runs.RequestStore: the queued run (a pending work
// item, which the stream hands to the schedule's function), the schedule's
// lock and the idempotency record, in one transaction.
func (s *Store) CreateRun(ctx context.Context, r runs.Run, holder string, idem *idempotency.Record) error {
	run, err := attributevalue.MarshalMap(runItem{
		PK: SchedulePrefix + r.Schedule, SK: RunPrefix + r.ID, Type: outbox.TypeRun, Schema: runSchema,
		GSI1PK: outbox.PendingPartition, GSI1SK: timeKey(r.RequestedAt) + "#" + r.ID,
		ID: r.ID, Schedule: r.Schedule, Status: outbox.StatusPending, Input: string(r.Input),
		RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt,
	})
	if err != nil {
		return fmt.Errorf("marshal run: %w", err)
	}
	lock := &types.Put{TableName: aws.String(s.table), Item: map[string]types.AttributeValue{
		"pk": str(SchedulePrefix + r.Schedule), "sk": str(activeSK), "type": str("run-lock"),
		"runId": str(r.ID), "since": timeAttr(r.RequestedAt),
	}}
	if holder == "" {
		lock.ConditionExpression = aws.String("attribute_not_exists(runId)")
	} else {
		lock.ConditionExpression = aws.String("runId = :holder")
		lock.ExpressionAttributeValues = map[string]types.AttributeValue{":holder": str(holder)}
	}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: run, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Put: lock},
	}
	if items, err = withRecord(s.table, items, idem); err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil
	}
	if lostRace(err, items, idem) {
		return idempotency.ErrRace
	}
	if failed, _ := canceledAt(err); slices.Contains(failed, 1) {
		return s.heldBy(ctx, r.Schedule)
	}
	return fmt.Errorf("create run: %w", err)
}

// heldBy reads which run holds a schedule's lock, as a *runs.Held.
func (s *Store) heldBy(ctx context.Context, schedule string) error {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(SchedulePrefix+schedule, activeSK), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("get the lock of %s: %w", schedule, err)
	}
	held := &runs.Held{}
	if v, ok := out.Item["runId"].(*types.AttributeValueMemberS); ok {
		held.RunID = v.Value
	}
	return held
}

// Run implements runs.RequestStore.
func (s *Store) Run(ctx context.Context, schedule, id string) (runs.Run, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: runKey(schedule, id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return runs.Run{}, fmt.Errorf("get run: %w", err)
	}
	if len(out.Item) == 0 {
		return runs.Run{}, failure.New(failure.NotFound, "no run %s of %s", id, schedule)
	}
	var it runItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return runs.Run{}, fmt.Errorf("unmarshal run: %w", err)
	}
	return it.run()
}

// ClaimRun implements runs.Store, as a notification is claimed: pending, or
// sending under a lease that has ended, becomes sending under a new lease.
func (s *Store) ClaimRun(ctx context.Context, schedule, id string, now, leaseUntil time.Time) (runs.Run, bool, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              runKey(schedule, id),
		UpdateExpression: aws.String("SET #status = :sending, leaseUntil = :lease, attempts = attempts + :one, startedAt = :now"),
		ConditionExpression: aws.String("#schedule = :schedule AND (#status = :pending OR " +
			"(#status = :sending AND leaseUntil < :nowUnix))"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#schedule": "schedule"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending":  str(outbox.StatusInFlight),
			":pending":  str(outbox.StatusPending),
			":schedule": str(schedule),
			":lease":    num(leaseUntil.Unix()),
			":nowUnix":  num(now.Unix()),
			":now":      timeAttr(now),
			":one":      num(1),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return runs.Run{}, false, nil
	}
	if err != nil {
		return runs.Run{}, false, fmt.Errorf("claim run: %w", err)
	}
	var it runItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return runs.Run{}, false, fmt.Errorf("unmarshal run: %w", err)
	}
	r, err := it.run()
	return r, err == nil, err
}

// FinishRun implements runs.Store: the outcome is recorded if the run is
// still the attempt claimed, and the run leaves the pending index.
func (s *Store) FinishRun(ctx context.Context, r runs.Run, forgetAt time.Time) (bool, error) {
	status := runFailed
	if r.Status == runs.Succeeded {
		status = runSucceeded
	}
	set := "SET #status = :status, finishedAt = :finished, #ttl = :ttl"
	values := map[string]types.AttributeValue{
		":status":   str(status),
		":finished": timeAttr(r.FinishedAt),
		":ttl":      num(forgetAt.Unix()),
		":sending":  str(outbox.StatusInFlight),
		":attempts": num(int64(r.Attempts)),
	}
	names := map[string]string{"#status": "status", "#ttl": "ttl"}
	if len(r.Result) > 0 {
		set += ", #result = :result"
		names["#result"], values[":result"] = "result", str(string(r.Result))
	}
	if r.Error != "" {
		set += ", #error = :error"
		names["#error"], values[":error"] = "error", str(r.Error)
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       runKey(r.Schedule, r.ID),
		UpdateExpression:          aws.String(set + " REMOVE gsi1pk, gsi1sk, leaseUntil"),
		ConditionExpression:       aws.String("#status = :sending AND attempts = :attempts"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("finish run: %w", err)
	}
	return true, nil
}

// ReleaseSchedule implements runs.Store.
func (s *Store) ReleaseSchedule(ctx context.Context, schedule, id string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(SchedulePrefix+schedule, activeSK),
		UpdateExpression:          aws.String("REMOVE runId, since"),
		ConditionExpression:       aws.String("runId = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(id)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release %s: %w", schedule, err)
	}
	return nil
}
