package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// A write is one item of a step's transaction. When its condition fails,
// conflict (if set) says what that means: the error the step returns.
type write struct {
	item     types.TransactWriteItem
	conflict func(ctx context.Context, s *Store) error
}

// A codec turns one kind of record a step creates into the writes of the
// step's transaction. Each record kind registers its codec beside its
// storage type (see register): the transaction code below knows none of
// them, so a new kind of record is a new file, nothing else.
type codec func(table string, rec any) ([]write, error)

var codecs = map[reflect.Type]codec{}

// register declares how records of type T are written.
func register[T any](f func(table string, rec T) ([]write, error)) {
	codecs[reflect.TypeFor[T]()] = func(table string, rec any) ([]write, error) { return f(table, rec.(T)) }
}

// A resolver turns a record that stands for other items (every live token
// of a city) into the records it means, read before the transaction.
type resolver func(ctx context.Context, s *Store, rec any) ([]any, error)

var resolvers = map[reflect.Type]resolver{}

// registerResolver declares how records of type T are resolved.
func registerResolver[T any](f func(ctx context.Context, s *Store, rec T) ([]any, error)) {
	resolvers[reflect.TypeFor[T]()] = func(ctx context.Context, s *Store, rec any) ([]any, error) { return f(ctx, s, rec.(T)) }
}

// resolve replaces the records that stand for others by those others.
func (s *Store) resolve(ctx context.Context, records []any) ([]any, error) {
	out := make([]any, 0, len(records))
	for _, rec := range records {
		r, ok := resolvers[reflect.TypeOf(rec)]
		if !ok {
			out = append(out, rec)
			continue
		}
		more, err := r(ctx, s, rec)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

func recordWrites(table string, rec any) ([]write, error) {
	c, ok := codecs[reflect.TypeOf(rec)]
	if !ok {
		return nil, fmt.Errorf("store: no storage for records of type %T", rec)
	}
	return c(table, rec)
}

// put is a write that creates an item which must not exist yet.
func put(table string, item any) (write, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return write{}, fmt.Errorf("marshal %T: %w", item, err)
	}
	return write{item: types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(table), Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}}, nil
}

// changeWrites lays out a change as one transaction: the city (conditional
// on the version the step read, or new), the audit entry, the pipeline
// counters when the status moved, the records and the emails.
func (s *Store) changeWrites(ctx context.Context, ch membership.Change) ([]write, error) {
	records, err := s.resolve(ctx, ch.AllRecords())
	if err != nil {
		return nil, err
	}
	city, err := cityWrite(s.table, ch.City)
	if err != nil {
		return nil, err
	}
	ev, err := eventWrite(s.table, ch.City, ch.Event)
	if err != nil {
		return nil, err
	}
	writes := []write{city, ev}
	if ch.Event.From != ch.Event.To {
		writes = append(writes, write{item: countsUpdate(s.table, ch.Event.From, ch.Event.To)})
	}
	for _, rec := range records {
		w, err := recordWrites(s.table, rec)
		if err != nil {
			return nil, err
		}
		writes = append(writes, w...)
	}
	for _, n := range ch.Notifications {
		w, err := notificationWrite(s.table, n)
		if err != nil {
			return nil, err
		}
		writes = append(writes, w)
	}
	return writes, nil
}

// Transaction returns the items Apply writes for a change (for measuring a
// bare transaction of the same items).
func (s *Store) Transaction(ctx context.Context, ch membership.Change, idem *idempotency.Record) ([]types.TransactWriteItem, error) {
	writes, err := s.changeWrites(ctx, ch)
	if err != nil {
		return nil, err
	}
	items := make([]types.TransactWriteItem, len(writes))
	for i, w := range writes {
		items[i] = w.item
	}
	return withRecord(s.table, items, idem)
}

// Apply persists one step's change in one transaction, with the request's
// idempotency record last. It knows no step: the change says what to write.
// A city changed since the step read it is a Conflict; a record whose
// condition fails returns that record's own error; a lost race on the
// idempotency key returns idempotency.ErrRace.
func (s *Store) Apply(ctx context.Context, ch membership.Change, idem *idempotency.Record) error {
	writes, err := s.changeWrites(ctx, ch)
	if err != nil {
		return err
	}
	items := make([]types.TransactWriteItem, len(writes))
	for i, w := range writes {
		items[i] = w.item
	}
	if items, err = withRecord(s.table, items, idem); err != nil {
		return err
	}
	if len(items) > 100 {
		return fmt.Errorf("a change of %d items exceeds a transaction's 100", len(items))
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil
	}
	if lostRace(err, items, idem) {
		return idempotency.ErrRace
	}
	failed, ok := canceledAt(err)
	if !ok {
		return fmt.Errorf("record %s for city %s: %w", ch.Event.Type, ch.City.ID, err)
	}
	// A record's own conflict says more than the city's version.
	for _, i := range failed {
		if i > 0 && i < len(writes) && writes[i].conflict != nil {
			return writes[i].conflict(ctx, s)
		}
	}
	if slices.Contains(failed, 0) {
		if ch.City.Version == 0 {
			return failure.New(failure.Conflict, "city %s exists already", ch.City.ID)
		}
		return failure.New(failure.Conflict,
			"city %s changed while this step was being recorded; reload it and try again", ch.City.ID)
	}
	return fmt.Errorf("record %s for city %s: %w", ch.Event.Type, ch.City.ID, err)
}

// UpdateCity runs one step: it reads the city, lets step decide the change
// from it, and applies the change, conditional on the version it read, so
// of two people advancing the same city at once exactly one succeeds.
func (s *Store) UpdateCity(ctx context.Context, id string, idem *idempotency.Record, step func(membership.City) (membership.Change, error)) (membership.Change, error) {
	c, err := s.CityForUpdate(ctx, id)
	if err != nil {
		return membership.Change{}, err
	}
	ch, err := step(c)
	if err != nil {
		return membership.Change{}, err
	}
	if err := s.Apply(ctx, ch, idem); err != nil {
		return membership.Change{}, err
	}
	return ch, nil
}
