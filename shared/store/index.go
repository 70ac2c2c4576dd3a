package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

// SubmissionPrefix starts the sort key of every submission.
const SubmissionPrefix = "SUBMISSION#"

const (
	draftSK     = "DRAFT"
	samplePK    = "SAMPLE"
	groupPrefix = "GROUP#"
	groupType   = "sample-group"
)

func attrString(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func attrNumber(item map[string]types.AttributeValue, name string) float64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		f, _ := strconv.ParseFloat(v.Value, 64)
		return f
	}
	return 0
}

func attrJSON(item map[string]types.AttributeValue, name string, v any) error {
	s := attrString(item, name)
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

func attrTime(item map[string]types.AttributeValue, name string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, attrString(item, name))
	return t
}

func timeAttr(t time.Time) types.AttributeValue { return str(t.UTC().Format(time.RFC3339Nano)) }

// Draft returns a city's draft.
func (s *Store) Draft(ctx context.Context, cityID string) (index.Draft, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(cityKey(cityID), draftSK), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return index.Draft{}, fmt.Errorf("get draft: %w", err)
	}
	if len(out.Item) == 0 {
		return index.Draft{}, failure.New(failure.NotFound, "city %s has no draft", cityID)
	}
	d := index.Draft{CityID: cityID, Version: attrString(out.Item, "version"), Revision: int64(attrNumber(out.Item, "revision")),
		UpdatedAt: attrTime(out.Item, "updatedAt"), UpdatedBy: attrString(out.Item, "updatedBy")}
	var recs []answerRecord
	if err := attrJSON(out.Item, "answers", &recs); err != nil {
		return index.Draft{}, fmt.Errorf("decode draft: %w", err)
	}
	d.Answers = answers(recs)
	return d, nil
}

// SaveDraft writes d as revision expected+1. expected 0 creates the draft;
// a draft changed since expected is refused, never overwritten.
func (s *Store) SaveDraft(ctx context.Context, d index.Draft, expected int64) (index.Draft, error) {
	recs := toAnswerRecords(d.Answers)
	d.Revision = expected + 1
	item := map[string]types.AttributeValue{
		"pk": str(cityKey(d.CityID)), "sk": str(draftSK), "type": str("draft"), "cityId": str(d.CityID),
		"version": str(d.Version), "answers": str(jsonText(&recs)), "revision": num(d.Revision),
		"updatedAt": timeAttr(d.UpdatedAt), "updatedBy": str(d.UpdatedBy),
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if expected == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		in.ConditionExpression = aws.String("revision = :expected")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":expected": num(expected)}
	}
	_, err := s.db.PutItem(ctx, in)
	if isConditionFailed(err) {
		if expected == 0 {
			return index.Draft{}, failure.New(failure.PreconditionFailed,
				"a draft exists already: send If-Match with its ETag to replace it")
		}
		return index.Draft{}, failure.New(failure.PreconditionFailed,
			"the draft changed since revision %d: fetch it again, merge, and resend", expected)
	}
	if err != nil {
		return index.Draft{}, fmt.Errorf("save draft: %w", err)
	}
	return d, nil
}

func submissionKey(cityID, id string) map[string]types.AttributeValue {
	return key(cityKey(cityID), SubmissionPrefix+id)
}

func init() {
	register(submissionWrites)
	register(scoredWrites)
	register(groupWrites)
}

// submissionWrites stores a submission, which is also its scoring work item:
// pending in the outbox index until scored.
func submissionWrites(table string, sub index.Submission) ([]write, error) {
	recs := toAnswerRecords(sub.Answers)
	item := map[string]types.AttributeValue{
		"pk": str(cityKey(sub.CityID)), "sk": str(SubmissionPrefix + sub.ID), "type": str(outbox.TypeSubmission),
		"id": str(sub.ID), "cityId": str(sub.CityID), "version": str(sub.Version), "answers": str(jsonText(&recs)),
		"submittedAt": timeAttr(sub.SubmittedAt), "submittedBy": str(sub.SubmittedBy),
		"status": str(outbox.StatusPending),
		"gsi1pk": str(outbox.PendingPartition), "gsi1sk": str(timeKey(sub.SubmittedAt) + "#" + sub.ID),
	}
	return []write{{item: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")}}}}, nil
}

// scoredWrites records the result on a submission still waiting to be
// scored, and takes it out of the outbox; a submission scored meanwhile
// makes the whole step index.ErrAlreadyScored.
func scoredWrites(table string, sc index.ScoredSubmission) ([]write, error) {
	res := toResultRecord(sc.Result)
	st := toStandingRecords(sc.Standings)
	return []write{{item: types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(table), Key: submissionKey(sc.CityID, sc.SubmissionID),
		UpdateExpression:         aws.String("SET #status = :scored, #result = :result, standings = :standings, scoredAt = :now REMOVE gsi1pk, gsi1sk"),
		ConditionExpression:      aws.String("#status = :pending OR #status = :retrying"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#result": "result"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":scored": str(string(index.StatusScored)), ":result": str(jsonText(&res)), ":standings": str(jsonText(&st)),
			":now": timeAttr(sc.ScoredAt), ":pending": str(outbox.StatusPending), ":retrying": str(outbox.StatusRetrying),
		},
	}}, conflict: func(context.Context, *Store) error { return index.ErrAlreadyScored }}}, nil
}

func groupWrites(table string, g index.GroupChange) ([]write, error) {
	return []write{{item: types.TransactWriteItem{Update: groupUpdate(table, g.Group, g.Delta)}}}, nil
}

// Submission returns one of a city's submissions.
func (s *Store) Submission(ctx context.Context, cityID, id string) (index.Submission, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: submissionKey(cityID, id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return index.Submission{}, fmt.Errorf("get submission: %w", err)
	}
	if len(out.Item) == 0 {
		return index.Submission{}, failure.New(failure.NotFound, "city %s has no submission %s", cityID, id)
	}
	return submissionOf(cityID, id, out.Item)
}

// submissionOf reads a submission item.
func submissionOf(cityID, id string, it map[string]types.AttributeValue) (index.Submission, error) {
	sub := index.Submission{ID: id, CityID: cityID, Version: attrString(it, "version"),
		SubmittedAt: attrTime(it, "submittedAt"), SubmittedBy: attrString(it, "submittedBy"), Status: index.StatusReceived}
	if attrString(it, "status") == string(index.StatusScored) {
		sub.Status = index.StatusScored
		t := attrTime(it, "scoredAt")
		sub.ScoredAt = &t
	}
	var (
		recs []answerRecord
		res  *resultRecord
		st   []standingRecord
	)
	if err := attrJSON(it, "answers", &recs); err != nil {
		return index.Submission{}, fmt.Errorf("submission %s: answers: %w", id, err)
	}
	if err := attrJSON(it, "result", &res); err != nil {
		return index.Submission{}, fmt.Errorf("submission %s: result: %w", id, err)
	}
	if err := attrJSON(it, "standings", &st); err != nil {
		return index.Submission{}, fmt.Errorf("submission %s: standings: %w", id, err)
	}
	sub.Answers = answers(recs)
	if res != nil {
		r := res.result()
		sub.Result = &r
	}
	if st != nil {
		sub.Standings = standings(st)
	}
	return sub, nil
}

// Sample returns every comparison group's maintained
// aggregate, in one query whatever the number of cities.
func (s *Store) Sample(ctx context.Context) (map[string]index.GroupStats, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(samplePK)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("query sample: %w", err)
	}
	stats := make(map[string]index.GroupStats, len(out.Items))
	for _, it := range out.Items {
		g := index.GroupStats{Key: strings.TrimPrefix(attrString(it, "sk"), groupPrefix),
			Histogram: map[int]int{}, AreaSum: map[string]float64{}, AreaCount: map[string]int{}}
		for name := range it {
			v := attrNumber(it, name)
			switch {
			case name == "count":
				g.Count = int(v)
			case name == "aggSum":
				g.AggSum = v
			case strings.HasPrefix(name, "h:"):
				b, _ := strconv.Atoi(name[2:])
				if v != 0 {
					g.Histogram[b] = int(v)
				}
			case strings.HasPrefix(name, "s:"):
				g.AreaSum[name[2:]] = v
			case strings.HasPrefix(name, "c:"):
				g.AreaCount[name[2:]] = int(v)
			}
		}
		stats[g.Key] = g
	}
	return stats, nil
}

// groupUpdate adds a delta to a group's aggregate with ADD, which DynamoDB
// applies atomically with exact decimal arithmetic.
func groupUpdate(table, group string, d index.Delta) *types.Update {
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var adds []string
	add := func(attr string, v float64) {
		// Fixed-width placeholders: none is a prefix of another, which
		// some emulators' substitution trips on.
		i := len(adds)
		names[fmt.Sprintf("#a%04d", i)] = attr
		values[fmt.Sprintf(":v%04d", i)] = &types.AttributeValueMemberN{Value: strconv.FormatFloat(v, 'f', -1, 64)}
		adds = append(adds, fmt.Sprintf("#a%04d :v%04d", i, i))
	}
	add("count", float64(d.Count))
	add("aggSum", d.AggSum)
	for _, b := range sortedKeys(d.Histogram) {
		add(fmt.Sprintf("h:%04d", b), float64(d.Histogram[b]))
	}
	for _, a := range sortedKeys(d.AreaSum) {
		add("s:"+a, d.AreaSum[a])
		add("c:"+a, float64(d.AreaCount[a]))
	}
	names["#type"] = "type"
	values[":type"] = str(groupType)
	return &types.Update{
		TableName: aws.String(table), Key: key(samplePK, groupPrefix+group),
		UpdateExpression:          aws.String("ADD " + strings.Join(adds, ", ") + " SET #type = :type"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// AddToSample applies deltas to the comparison groups in one transaction,
// for back-filling results scored elsewhere (and for measuring).
func (s *Store) AddToSample(ctx context.Context, deltas map[string]index.Delta) error {
	var items []types.TransactWriteItem
	for _, k := range sortedKeys(deltas) {
		items = append(items, types.TransactWriteItem{Update: groupUpdate(s.table, k, deltas[k])})
	}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
		return fmt.Errorf("add to sample: %w", err)
	}
	return nil
}
