package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

const (
	pipelinePK = "PIPELINE"
	countsSK   = "COUNTS"
	progressSK = "PROGRESS#"
	// countsType is the counters item's type; like every item, it has one.
	countsType = "pipeline-counts"
)

// countsUpdate moves one city between the pipeline's per-status counters.
func countsUpdate(table string, from, to membership.Status) types.TransactWriteItem {
	names := map[string]string{"#to": string(to), "#type": "type"}
	values := map[string]types.AttributeValue{":one": num(1), ":type": str(countsType)}
	expr := "ADD #to :one"
	if from != "" && from != to {
		names["#from"] = string(from)
		values[":minus"] = num(-1)
		expr += ", #from :minus"
	}
	expr += " SET #type = :type"
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(table), Key: key(pipelinePK, countsSK), UpdateExpression: aws.String(expr),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	}}
}

// Counts returns how many cities are in each status.
func (s *Store) Counts(ctx context.Context) (map[membership.Status]int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(pipelinePK, countsSK)})
	if err != nil {
		return nil, fmt.Errorf("get pipeline counts: %w", err)
	}
	counts := make(map[membership.Status]int, len(membership.Statuses))
	for _, st := range membership.Statuses {
		counts[st] = int(attrNumber(out.Item, string(st)))
	}
	return counts, nil
}

// CityForUpdate reads a city for a workflow step.
func (s *Store) CityForUpdate(ctx context.Context, id string) (membership.City, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(cityKey(id), profileSK), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return membership.City{}, fmt.Errorf("get city: %w", err)
	}
	if len(out.Item) == 0 {
		return membership.City{}, failure.New(failure.NotFound, "no city %s", id)
	}
	var it cityItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return membership.City{}, fmt.Errorf("unmarshal city: %w", err)
	}
	return it.city()
}

// Audit returns a city's append-only audit trail, oldest first.
func (s *Store) Audit(ctx context.Context, id string) ([]membership.Event, error) {
	_, events, err := s.City(ctx, id)
	return events, err
}

type cursor struct {
	Status int               `json:"s"`
	Key    map[string]string `json:"k,omitempty"`
	Query  string            `json:"q"` // the listing it continues: filtersKey
}

// decodeCursor reads the cursor of a listing of statuses (its filters'
// key): "" starts at the first. A cursor is the client's to send back, so
// nothing in it is trusted: the key it resumes after must be the key of a
// city's file in the status it names, as DynamoDB gives it (the table's
// keys, and the index's too from DynamoDB itself; the emulator gives the
// table's alone).
func decodeCursor(after string, statuses []membership.Status, query string) (cursor, error) {
	var cur cursor
	if after == "" {
		return cur, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil || json.Unmarshal(b, &cur) != nil || cur.Status < 0 || cur.Status >= len(statuses) || cur.Query != query {
		return cursor{}, errInvalidCursor()
	}
	if cur.Key == nil {
		return cur, nil
	}
	k := cur.Key
	id, _ := strings.CutPrefix(k[Table.PartitionKey], CityPrefix)
	_, hasPK := k[Table.IndexPartitionKey]
	_, hasSK := k[Table.IndexSortKey]
	attributes := 2
	if hasPK {
		attributes = 4
	}
	if !ids.Valid(id) || k[Table.SortKey] != profileSK || hasPK != hasSK || len(k) != attributes ||
		hasPK && (k[Table.IndexPartitionKey] != cityStatusPartition(statuses[cur.Status]) || k[Table.IndexSortKey] == "") {
		return cursor{}, errInvalidCursor()
	}
	return cur, nil
}

func errInvalidCursor() error {
	return failure.Fields("invalid cursor", failure.FieldError{Pointer: "query/cursor", Detail: "is not a cursor from this listing"})
}

// cityStatusPartition is the index partition of the cities in a status.
func cityStatusPartition(s membership.Status) string { return "CITIES#" + string(s) }

// filtersKey identifies a listing, so that a cursor continues only its own.
func filtersKey(status membership.Status, country, q string) string {
	sum := sha256.Sum256([]byte(string(status) + "\x00" + country + "\x00" + membership.Fold(q)))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

// Pipeline lists cities by status (all statuses in pipeline order when
// status is empty), oldest application first, filtered by country and by a
// part of the name.
func (s *Store) Pipeline(ctx context.Context, status membership.Status, country, q, after string, limit int32) (membership.Page, error) {
	statuses := membership.Statuses
	if status != "" {
		statuses = []membership.Status{status}
	}
	cur, err := decodeCursor(after, statuses, filtersKey(status, country, q))
	if err != nil {
		return membership.Page{}, err
	}
	var page membership.Page
	for i := cur.Status; i < len(statuses); i++ {
		in := &dynamodb.QueryInput{
			TableName: aws.String(s.table), IndexName: aws.String(Table.Index),
			KeyConditionExpression:    aws.String("gsi1pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(cityStatusPartition(statuses[i]))},
			Limit:                     aws.Int32(limit - int32(len(page.Cities))),
		}
		var filters []string
		if country != "" {
			filters = append(filters, "country = :c")
			in.ExpressionAttributeValues[":c"] = str(country)
		}
		if fq := membership.Fold(q); fq != "" {
			// Both folded: "etienne" finds Saint-Étienne.
			filters = append(filters, "contains(nameLower, :q)")
			in.ExpressionAttributeValues[":q"] = str(fq)
		}
		if len(filters) > 0 {
			in.FilterExpression = aws.String(strings.Join(filters, " AND "))
		}
		if i == cur.Status && cur.Key != nil {
			in.ExclusiveStartKey = map[string]types.AttributeValue{}
			for k, v := range cur.Key {
				in.ExclusiveStartKey[k] = str(v)
			}
		}
		out, err := s.db.Query(ctx, in)
		var api smithy.APIError
		if in.ExclusiveStartKey != nil && errors.As(err, &api) && api.ErrorCode() == "ValidationException" {
			// The query is the code's but for the key to resume after.
			return membership.Page{}, errInvalidCursor()
		}
		if err != nil {
			return membership.Page{}, fmt.Errorf("query pipeline: %w", err)
		}
		for _, item := range out.Items {
			var it cityItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return membership.Page{}, err
			}
			c, err := it.city()
			if err != nil {
				return membership.Page{}, err
			}
			page.Cities = append(page.Cities, c)
		}
		if len(out.LastEvaluatedKey) > 0 {
			next := cursor{Status: i, Key: map[string]string{}, Query: filtersKey(status, country, q)}
			for k, v := range out.LastEvaluatedKey {
				if sv, ok := v.(*types.AttributeValueMemberS); ok {
					next.Key[k] = sv.Value
				}
			}
			b, _ := json.Marshal(next)
			page.Next = base64.RawURLEncoding.EncodeToString(b)
			return page, nil
		}
		if int32(len(page.Cities)) >= limit {
			if i+1 < len(statuses) {
				b, _ := json.Marshal(cursor{Status: i + 1, Query: filtersKey(status, country, q)})
				page.Next = base64.RawURLEncoding.EncodeToString(b)
			}
			return page, nil
		}
	}
	return page, nil
}

// CitiesInStatus returns every city in a status (for the daily schedule).
func (s *Store) CitiesInStatus(ctx context.Context, status membership.Status) ([]membership.City, error) {
	var all []membership.City
	after := ""
	for {
		page, err := s.Pipeline(ctx, status, "", "", after, 100)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Cities...)
		if page.Next == "" {
			return all, nil
		}
		after = page.Next
	}
}

// QueueOnce queues a notification unless one with its id was ever queued:
// reminders have ids derived from their occasion, so re-running a schedule
// sends nothing twice. A sent email's item is deleted after its retention,
// but its sent record stays, and is checked too. It reports whether the
// notification was queued.
func (s *Store) QueueOnce(ctx context.Context, n notify.Notification, tok *auth.Token) (bool, error) {
	w, err := notificationWrite(s.table, n)
	if err != nil {
		return false, err
	}
	items := []types.TransactWriteItem{w.item, {ConditionCheck: &types.ConditionCheck{
		TableName: aws.String(s.table), Key: key(NotificationPrefix+n.ID, "SENT"),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}}
	if tok != nil {
		// The link's token exists only if its email does.
		tw, err := tokenWrites(s.table, *tok)
		if err != nil {
			return false, err
		}
		items = append(items, tw[0].item)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if failed, _ := canceledAt(err); slices.Contains(failed, 0) || slices.Contains(failed, 1) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("queue notification: %w", err)
	}
	return true, nil
}

// Queued reports which notifications, by id, were queued before (their
// email waits or was sent), reading two keys of each, 50 ids a
// BatchGetItem, eventually consistent. A run that queues many emails once
// a day (the fee reminders) reads these first, so that an email an earlier
// run queued costs a read, not a transaction that fails; QueueOnce still
// makes each email once, whatever a read missed.
func (s *Store) Queued(ctx context.Context, ids []string) (map[string]bool, error) {
	queued := map[string]bool{}
	var keys []map[string]types.AttributeValue
	for _, id := range ids {
		keys = append(keys, key(NotificationPrefix+id, "NOTIFICATION"), key(NotificationPrefix+id, "SENT"))
	}
	if err := s.batchGet(ctx, keys, "pk", false, func(it map[string]types.AttributeValue) error {
		queued[strings.TrimPrefix(attrString(it, "pk"), NotificationPrefix)] = true
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read queued notifications: %w", err)
	}
	return queued, nil
}

type progressItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	Type   string `dynamodbav:"type"`
	Report string `dynamodbav:"report"` // JSON of progressRecord
}

// progressRecord is the storage shape of a progress report; its field
// names must never change (see cityrecord.go).
type progressRecord struct {
	ID          string            `json:"reportId"`
	CityID      string            `json:"cityId"`
	Period      string            `json:"period"`
	Actions     []string          `json:"actions"`
	Indicators  []indicatorRecord `json:"indicators"`
	Text        string            `json:"text"`
	SubmittedAt time.Time         `json:"submittedAt"`
	SubmittedBy string            `json:"submittedBy"`
}

type indicatorRecord struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Target string `json:"target,omitempty"`
}

func init() { register(progressWrites) }

func progressWrites(table string, r membership.ProgressReport) ([]write, error) {
	rec := progressRecord{ID: r.ID, CityID: r.CityID, Period: r.Period, Actions: r.Actions, Text: r.Text,
		SubmittedAt: r.SubmittedAt, SubmittedBy: r.SubmittedBy, Indicators: make([]indicatorRecord, len(r.Indicators))}
	for i, ind := range r.Indicators {
		rec.Indicators[i] = indicatorRecord(ind)
	}
	w, err := put(table, progressItem{PK: cityKey(r.CityID), SK: progressSK + timeKey(r.SubmittedAt) + "#" + r.ID,
		Type: "progress-report", Report: jsonText(&rec)})
	return []write{w}, err
}

// ProgressReports lists a city's progress reports, oldest first.
func (s *Store) ProgressReports(ctx context.Context, cityID string) ([]membership.ProgressReport, error) {
	// PROFILE sorts just before PROGRESS#: one query tells whether the
	// city exists and returns its reports.
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: aws.String(s.table), KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(cityKey(cityID)),
			":from": str(profileSK), ":to": str(progressSK + "~")},
	})
	var items []map[string]types.AttributeValue
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query progress reports: %w", err)
		}
		items = append(items, out.Items...)
	}
	if len(items) == 0 || attrString(items[0], "sk") != profileSK {
		return nil, failure.New(failure.NotFound, "no city %s", cityID)
	}
	reports := make([]membership.ProgressReport, 0, len(items))
	for _, it := range items[1:] {
		rec, err := fromJSONText[progressRecord](attrString(it, "report"))
		if err != nil || rec == nil {
			return nil, fmt.Errorf("progress report %s: %w", attrString(it, "sk"), err)
		}
		r := membership.ProgressReport{ID: rec.ID, CityID: rec.CityID, Period: rec.Period, Actions: rec.Actions,
			Text: rec.Text, SubmittedAt: rec.SubmittedAt, SubmittedBy: rec.SubmittedBy,
			Indicators: make([]membership.Indicator, len(rec.Indicators))}
		for i, ind := range rec.Indicators {
			r.Indicators[i] = membership.Indicator(ind)
		}
		reports = append(reports, r)
	}
	return reports, nil
}
