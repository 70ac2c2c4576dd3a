package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// CityPrefix starts every key of a city's partition.
const CityPrefix = "CITY#"

const (
	profileSK = "PROFILE"
	eventSK   = "EVENT#"
)

type eventItem struct {
	PK      string    `dynamodbav:"pk"`
	SK      string    `dynamodbav:"sk"`
	Type    string    `dynamodbav:"type"`
	At      time.Time `dynamodbav:"at"`
	Event   string    `dynamodbav:"event"`
	From    string    `dynamodbav:"from,omitempty"`
	To      string    `dynamodbav:"to,omitempty"`
	Actor   string    `dynamodbav:"actor"`
	Detail  string    `dynamodbav:"detail,omitempty"`
	Payload string    `dynamodbav:"payload,omitempty"`
}

func cityKey(id string) string { return CityPrefix + id }

// cityWrite writes the city as the change leaves it: a new city must not
// exist; an existing one must still be at the version the step read.
func cityWrite(table string, c membership.City) (write, error) {
	read := c.Version
	c.Version++
	item, err := attributevalue.MarshalMap(toCityItem(c))
	if err != nil {
		return write{}, fmt.Errorf("marshal city: %w", err)
	}
	p := &types.Put{TableName: aws.String(table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if read > 0 {
		p.ConditionExpression = aws.String("version = :read")
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":read": num(read)}
	}
	return write{item: types.TransactWriteItem{Put: p}}, nil
}

// eventWrite appends the audit entry. Its key holds the version the change
// gives the city, unique per city, so two steps in one instant never share
// a key.
func eventWrite(table string, c membership.City, e membership.Event) (write, error) {
	return put(table, eventItem{
		PK: cityKey(c.ID), SK: fmt.Sprintf("%s%s#%06d", eventSK, timeKey(e.At), c.Version+1), Type: "event",
		At: e.At, Event: e.Type, From: string(e.From), To: string(e.To), Actor: e.Actor, Detail: e.Detail,
		Payload: e.Payload,
	})
}

// nameClaim is the item that holds a city's name key for its open file.
type nameClaim struct {
	PK        string    `dynamodbav:"pk"` // NAME#<country>#<folded name>
	SK        string    `dynamodbav:"sk"` // CLAIM
	Type      string    `dynamodbav:"type"`
	CityID    string    `dynamodbav:"cityId"`
	Name      string    `dynamodbav:"name"`
	AppliedAt time.Time `dynamodbav:"appliedAt"`
}

const claimSK = "CLAIM"

func init() { register(claimWrites) }

// claimWrites takes the name key for a new file: free, or held by the ended
// file the application follows. When it is held otherwise, the holder is
// read and reported as membership.NameTaken.
func claimWrites(table string, c membership.NameClaim) ([]write, error) {
	item, err := attributevalue.MarshalMap(nameClaim{PK: "NAME#" + c.Key, SK: claimSK,
		Type: "name-claim", CityID: c.CityID, Name: c.Name, AppliedAt: c.At})
	if err != nil {
		return nil, fmt.Errorf("marshal name claim: %w", err)
	}
	p := &types.Put{TableName: aws.String(table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if c.Previous != "" {
		p.ConditionExpression = aws.String("cityId = :previous")
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":previous": str(c.Previous)}
	}
	return []write{{item: types.TransactWriteItem{Put: p}, conflict: func(ctx context.Context, s *Store) error {
		h, err := s.nameHolder(ctx, c.Key)
		if err != nil {
			return fmt.Errorf("the city's name is held: %w", err)
		}
		return &membership.NameTaken{Holder: h}
	}}}, nil
}

// nameHolder reads which file holds a name key, and its status.
func (s *Store) nameHolder(ctx context.Context, nameKey string) (membership.Holder, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key("NAME#"+nameKey, claimSK),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return membership.Holder{}, err
	}
	id := attrString(out.Item, "cityId")
	if id == "" {
		return membership.Holder{}, errors.New("the name claim vanished; retry")
	}
	out, err = s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(cityKey(id), profileSK),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#s"),
		ExpressionAttributeNames: map[string]string{"#s": "status"}})
	if err != nil {
		return membership.Holder{}, err
	}
	return membership.Holder{CityID: id, Status: membership.Status(attrString(out.Item, "status"))}, nil
}

// City returns a city's file and its timeline, oldest step first, in one
// query over the city's partition.
func (s *Store) City(ctx context.Context, id string) (membership.City, []membership.Event, error) {
	var (
		city   *membership.City
		events []membership.Event
		start  map[string]types.AttributeValue
	)
	for {
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(s.table),
			// The events and the profile bound one range, apart from drafts,
			// submissions and reports; the fee-due work items (FEEDUE#) and
			// invoice references (INVOICE#) sort inside it, and are skipped.
			KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :first AND :last"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str(cityKey(id)), ":first": str(eventSK), ":last": str(profileSK),
			},
			ConsistentRead:    aws.Bool(true),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return membership.City{}, nil, fmt.Errorf("query city %s: %w", id, err)
		}
		for _, item := range out.Items {
			sk := item["sk"].(*types.AttributeValueMemberS).Value
			switch {
			case sk == profileSK:
				var it cityItem
				if err := attributevalue.UnmarshalMap(item, &it); err != nil {
					return membership.City{}, nil, fmt.Errorf("unmarshal city: %w", err)
				}
				c, err := it.city()
				if err != nil {
					return membership.City{}, nil, err
				}
				city = &c
			case strings.HasPrefix(sk, eventSK):
				var it eventItem
				if err := attributevalue.UnmarshalMap(item, &it); err != nil {
					return membership.City{}, nil, fmt.Errorf("unmarshal event: %w", err)
				}
				events = append(events, membership.Event{
					At: it.At, Type: it.Event, From: membership.Status(it.From), To: membership.Status(it.To),
					Actor: it.Actor, Detail: it.Detail, Payload: it.Payload,
				})
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	if city == nil {
		return membership.City{}, nil, failure.New(failure.NotFound, "no city %s", id)
	}
	return *city, events, nil
}
