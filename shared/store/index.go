package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

// SubmissionPrefix starts the sort key of every submission.
const SubmissionPrefix = "SUBMISSION#"

const (
	draftSK     = "DRAFT"
	samplePK    = "SAMPLE"
	groupPrefix = "GROUP#"
)

func jsonAttr(v any) (types.AttributeValue, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return str(string(b)), nil
}

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
	if err := attrJSON(out.Item, "answers", &d.Answers); err != nil {
		return index.Draft{}, fmt.Errorf("decode draft: %w", err)
	}
	return d, nil
}

// SaveDraft writes d as revision expected+1. expected 0 creates the draft;
// a draft changed since expected is refused, never overwritten.
func (s *Store) SaveDraft(ctx context.Context, d index.Draft, expected int64) (index.Draft, error) {
	answers, err := jsonAttr(d.Answers)
	if err != nil {
		return index.Draft{}, err
	}
	d.Revision = expected + 1
	item := map[string]types.AttributeValue{
		"pk": str(cityKey(d.CityID)), "sk": str(draftSK), "type": str("draft"), "cityId": str(d.CityID),
		"version": str(d.Version), "answers": answers, "revision": num(d.Revision),
		"updatedAt": timeAttr(d.UpdatedAt), "updatedBy": str(d.UpdatedBy),
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if expected == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		in.ConditionExpression = aws.String("revision = :expected")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":expected": num(expected)}
	}
	_, err = s.db.PutItem(ctx, in)
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

// CreateSubmission writes the submission (which is also its scoring work
// item), moves the city to index_submitted, appends the timeline event and
// stores the idempotency record, in one transaction. A city past the INDEX
// step (a member re-assessing) keeps its status.
func (s *Store) CreateSubmission(ctx context.Context, sub index.Submission, ev membership.Event, idem *idempotency.Record) error {
	items, err := s.submissionTransaction(sub, ev, idem, true)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if failed, _ := canceledAt(err); slices.Contains(failed, 1) {
		// The city is past the INDEX step or does not exist: try again
		// without the status change, which still requires the city.
		items, err = s.submissionTransaction(sub, ev, idem, false)
		if err != nil {
			return err
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if failed, _ := canceledAt(err); slices.Contains(failed, 1) {
			c, err := s.CityForUpdate(ctx, sub.CityID)
			if err != nil {
				return err
			}
			return failure.New(failure.Conflict, "city %s is %s: it can no longer submit the INDEX", c.ID, c.Status)
		}
	}
	if lostRace(err, items, idem) {
		return idempotency.ErrRace
	}
	if err != nil {
		return fmt.Errorf("create submission: %w", err)
	}
	return nil
}

// SubmissionTransaction returns the items CreateSubmission writes when the
// city changes status.
func (s *Store) SubmissionTransaction(sub index.Submission, ev membership.Event, idem *idempotency.Record) ([]types.TransactWriteItem, error) {
	return s.submissionTransaction(sub, ev, idem, true)
}

func (s *Store) submissionTransaction(sub index.Submission, ev membership.Event, idem *idempotency.Record, moveStatus bool) ([]types.TransactWriteItem, error) {
	answers, err := jsonAttr(sub.Answers)
	if err != nil {
		return nil, err
	}
	item := map[string]types.AttributeValue{
		"pk": str(cityKey(sub.CityID)), "sk": str(SubmissionPrefix + sub.ID), "type": str(outbox.TypeSubmission),
		"id": str(sub.ID), "cityId": str(sub.CityID), "version": str(sub.Version), "answers": answers,
		"submittedAt": timeAttr(sub.SubmittedAt), "submittedBy": str(sub.SubmittedBy),
		"status": str(outbox.StatusPending),
		"gsi1pk": str(outbox.PendingPartition), "gsi1sk": str(timeKey(sub.SubmittedAt) + "#" + sub.ID),
	}
	city := &types.Update{
		TableName: aws.String(s.table), Key: key(cityKey(sub.CityID), profileSK),
		UpdateExpression: aws.String("SET updatedAt = :now, version = version + :one"),
		// A city out of the programme (withdrawn, declined, terminated,
		// expired) submits no more.
		ConditionExpression:      aws.String("attribute_exists(pk) AND NOT (#status IN (:withdrawn, :declined, :terminated, :expired))"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": timeAttr(sub.SubmittedAt), ":one": num(1),
			":withdrawn": str(string(membership.StatusWithdrawn)), ":declined": str(string(membership.StatusDeclined)),
			":terminated": str(string(membership.StatusTerminated)), ":expired": str(string(membership.StatusExpired))},
	}
	if moveStatus {
		city.UpdateExpression = aws.String("SET updatedAt = :now, version = version + :one, #status = :submitted, gsi1pk = :gsi")
		city.ConditionExpression = aws.String("attribute_exists(pk) AND #status = :applied")
		city.ExpressionAttributeNames = map[string]string{"#status": "status"}
		city.ExpressionAttributeValues[":submitted"] = str(string(membership.StatusIndexSubmitted))
		city.ExpressionAttributeValues[":applied"] = str(string(membership.StatusApplied))
		city.ExpressionAttributeValues[":gsi"] = str("CITIES#" + string(membership.StatusIndexSubmitted))
	}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: city},
	}
	if moveStatus {
		items = append(items, countsUpdate(s.table, membership.StatusApplied, membership.StatusIndexSubmitted))
	}
	evPut, err := eventPut(s.table, sub.CityID, 0, ev)
	if err != nil {
		return nil, err
	}
	// Two submissions in the same nanosecond would share an event key: the
	// submission id keeps them apart.
	evPut.Put.Item["sk"] = str(fmt.Sprintf("%s%s#%s", eventSK, timeKey(ev.At), sub.ID))
	items = append(items, evPut)
	return withRecord(s.table, items, idem)
}

// Submission implements index.ScoreStore.
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
	it := out.Item
	sub := index.Submission{ID: id, CityID: cityID, Version: attrString(it, "version"),
		SubmittedAt: attrTime(it, "submittedAt"), SubmittedBy: attrString(it, "submittedBy"), Status: index.StatusReceived}
	if attrString(it, "status") == string(index.StatusScored) {
		sub.Status = index.StatusScored
		t := attrTime(it, "scoredAt")
		sub.ScoredAt = &t
	}
	if err := attrJSON(it, "answers", &sub.Answers); err != nil {
		return index.Submission{}, err
	}
	if err := attrJSON(it, "result", &sub.Result); err != nil {
		return index.Submission{}, err
	}
	if err := attrJSON(it, "standings", &sub.Standings); err != nil {
		return index.Submission{}, err
	}
	return sub, nil
}

// ScoringCity implements index.ScoreStore.
func (s *Store) ScoringCity(ctx context.Context, cityID string) (index.City, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(cityKey(cityID), profileSK), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return index.City{}, fmt.Errorf("get city: %w", err)
	}
	if len(out.Item) == 0 {
		return index.City{}, failure.New(failure.NotFound, "no city %s", cityID)
	}
	it := out.Item
	c := index.City{ID: cityID, Name: attrString(it, "name"), Language: attrString(it, "language"),
		Status: membership.Status(attrString(it, "status")), Version: int64(attrNumber(it, "version")),
		ContactName: attrString(it, "contactName"), ContactEmail: attrString(it, "contactEmail"),
		LatestSubmission: attrString(it, "latestSubmission"), LatestSubmittedAt: attrTime(it, "latestSubmittedAt")}
	if err := attrJSON(it, "latestResult", &c.Latest); err != nil {
		return index.City{}, err
	}
	return c, nil
}

// Sample implements index.ScoreStore: every comparison group's maintained
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

// CommitScore implements index.ScoreStore: the result, the city's latest
// result, the comparison groups and the email, in one transaction that
// fails with index.ErrAlreadyScored if the submission was scored meanwhile.
func (s *Store) CommitScore(ctx context.Context, sc index.Scored) error {
	items, err := s.ScoreTransaction(sc)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if failed, ok := canceledAt(err); ok {
		if slices.Contains(failed, 0) {
			return index.ErrAlreadyScored
		}
		return fmt.Errorf("the city's latest result changed while scoring; retry: %w", err)
	}
	if err != nil {
		return fmt.Errorf("commit score: %w", err)
	}
	return nil
}

// ScoreTransaction returns the items CommitScore writes.
func (s *Store) ScoreTransaction(sc index.Scored) ([]types.TransactWriteItem, error) {
	sub := sc.Submission
	result, err := jsonAttr(sub.Result)
	if err != nil {
		return nil, err
	}
	standings, err := jsonAttr(sub.Standings)
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{{Update: &types.Update{
		TableName: aws.String(s.table), Key: submissionKey(sub.CityID, sub.ID),
		UpdateExpression:         aws.String("SET #status = :scored, #result = :result, standings = :standings, scoredAt = :now REMOVE gsi1pk, gsi1sk"),
		ConditionExpression:      aws.String("#status = :pending OR #status = :retrying"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#result": "result"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":scored": str(string(index.StatusScored)), ":result": result, ":standings": standings,
			":now": timeAttr(*sub.ScoredAt), ":pending": str(outbox.StatusPending), ":retrying": str(outbox.StatusRetrying),
		},
	}}}
	if len(sc.Deltas) > 0 {
		city := &types.Update{
			TableName: aws.String(s.table), Key: key(cityKey(sub.CityID), profileSK),
			UpdateExpression: aws.String("SET latestSubmission = :sid, latestSubmittedAt = :at, latestResult = :result, " +
				"version = version + :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":sid": str(sub.ID), ":at": timeAttr(sub.SubmittedAt), ":result": result, ":one": num(1),
				":version": num(sc.City.Version),
			},
			// The version the scorer read: a concurrent step or scoring
			// makes this one retry with fresh data.
			ConditionExpression: aws.String("version = :version"),
		}
		if sc.City.Status == membership.StatusIndexSubmitted {
			// The results are the analytical report's basis: the INDEX
			// step is reported.
			city.UpdateExpression = aws.String(*city.UpdateExpression + ", #status = :reported, gsi1pk = :gsi")
			city.ExpressionAttributeNames = map[string]string{"#status": "status"}
			city.ExpressionAttributeValues[":reported"] = str(string(membership.StatusIndexReported))
			city.ExpressionAttributeValues[":gsi"] = str("CITIES#" + string(membership.StatusIndexReported))
			items = append(items, countsUpdate(s.table, membership.StatusIndexSubmitted, membership.StatusIndexReported))
			ev, err := eventPut(s.table, sub.CityID, 0, membership.Event{At: *sub.ScoredAt, Type: string(membership.StepReportIndex),
				From: membership.StatusIndexSubmitted, To: membership.StatusIndexReported, Actor: "score",
				Detail: fmt.Sprintf("INDEX %s scored: aggregate %.1f %%", sub.Version, sub.Result.Aggregate)})
			if err != nil {
				return nil, err
			}
			items = append(items, ev)
		}
		items = append(items, types.TransactWriteItem{Update: city})
		keys := make([]string, 0, len(sc.Deltas))
		for k := range sc.Deltas {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			items = append(items, types.TransactWriteItem{Update: groupUpdate(s.table, k, sc.Deltas[k])})
		}
	}
	if sc.Notify && sc.City.ContactEmail != "" {
		n := scoredNotification(sc)
		put, err := notificationPut(s.table, n)
		if err != nil {
			return nil, err
		}
		items = append(items, put)
	}
	return items, nil
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
	return &types.Update{
		TableName: aws.String(table), Key: key(samplePK, groupPrefix+group),
		UpdateExpression:          aws.String("ADD " + strings.Join(adds, ", ")),
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

func scoredNotification(sc index.Scored) notify.Notification {
	sub, c := sc.Submission, sc.City
	data := map[string]string{
		"CityID": c.ID, "CityName": c.Name, "SubmissionID": sub.ID, "Version": sub.Version,
		"Aggregate": strconv.FormatFloat(sub.Result.Aggregate, 'f', 1, 64),
	}
	for _, st := range sub.Standings {
		if st.Group.Kind == index.GroupAll {
			data["Rank"], data["Of"] = strconv.Itoa(st.Rank), strconv.Itoa(st.Of)
		}
	}
	return notify.Notification{
		// The id derives from the submission, so a second commit could
		// never queue a second email even if it got that far.
		ID: "scored-" + sub.ID, Template: "index-scored", Lang: c.Language, CityID: c.ID,
		ToName: c.ContactName, ToEmail: c.ContactEmail, Data: data, Status: notify.StatusPending, CreatedAt: *sub.ScoredAt,
	}
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
