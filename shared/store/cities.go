package store

import (
	"context"
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

	"github.com/intercultural-cities/backoffice/shared/eligibility"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/idempotency"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// CityPrefix starts every key of a city's partition.
const CityPrefix = "CITY#"

const (
	profileSK = "PROFILE"
	eventSK   = "EVENT#"
)

type cityItem struct {
	PK                    string              `dynamodbav:"pk"`
	SK                    string              `dynamodbav:"sk"`
	Type                  string              `dynamodbav:"type"`
	GSI1PK                string              `dynamodbav:"gsi1pk"`
	GSI1SK                string              `dynamodbav:"gsi1sk"`
	ID                    string              `dynamodbav:"cityId"`
	Name                  string              `dynamodbav:"name"`
	Country               string              `dynamodbav:"country"`
	Population            int64               `dynamodbav:"population"`
	ForeignBornShare      float64             `dynamodbav:"foreignBornShare"`
	ForeignResidentShare  float64             `dynamodbav:"foreignResidentShare"`
	NationalMinorityShare float64             `dynamodbav:"nationalMinorityShare"`
	ContactName           string              `dynamodbav:"contactName"`
	ContactEmail          string              `dynamodbav:"contactEmail"`
	Language              string              `dynamodbav:"language"`
	Status                string              `dynamodbav:"status"`
	Eligibility           eligibility.Verdict `dynamodbav:"eligibility"`
	AppliedAt             time.Time           `dynamodbav:"appliedAt"`
	UpdatedAt             time.Time           `dynamodbav:"updatedAt"`
	Version               int64               `dynamodbav:"version"`
	NameLower             string              `dynamodbav:"nameLower"`
	TokenHash             string              `dynamodbav:"tokenHash,omitempty"`
	IntentSignedOn        string              `dynamodbav:"intentSignedOn,omitempty"`
	Visit                 string              `dynamodbav:"visit,omitempty"` // JSON
	Profile               string              `dynamodbav:"profile,omitempty"`
	Agreement             string              `dynamodbav:"agreement,omitempty"`
	Termination           string              `dynamodbav:"termination,omitempty"`
	// Written by the scorer (CommitScore), read with the city's file.
	LatestSubmission  string `dynamodbav:"latestSubmission,omitempty"`
	LatestSubmittedAt string `dynamodbav:"latestSubmittedAt,omitempty"`
	LatestResult      string `dynamodbav:"latestResult,omitempty"` // JSON of index.Result
	PreviousCityID    string `dynamodbav:"previousCityId,omitempty"`
}

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

func toCityItem(c membership.City) cityItem {
	return cityItem{
		NameLower: membership.Fold(c.Name), TokenHash: c.TokenHash, IntentSignedOn: c.IntentSignedOn,
		Visit: jsonString(c.Visit), Profile: jsonString(c.Profile), Agreement: jsonString(c.Agreement),
		Termination: jsonString(c.Termination),
		PK:          cityKey(c.ID), SK: profileSK, Type: "city",
		GSI1PK: "CITIES#" + string(c.Status), GSI1SK: timeKey(c.AppliedAt) + "#" + c.ID,
		ID: c.ID, Name: c.Name, Country: c.Country, Population: c.Population,
		ForeignBornShare: c.ForeignBornShare, ForeignResidentShare: c.ForeignResidentShare,
		NationalMinorityShare: c.NationalMinorityShare,
		ContactName:           c.Contact.Name, ContactEmail: c.Contact.Email, Language: c.Language,
		Status: string(c.Status), Eligibility: c.Eligibility,
		AppliedAt: c.AppliedAt, UpdatedAt: c.UpdatedAt, Version: c.Version, PreviousCityID: c.PreviousCityID,
	}
}

func jsonString[T any](v *T) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func fromJSON[T any](s string) *T {
	if s == "" {
		return nil
	}
	var v T
	if json.Unmarshal([]byte(s), &v) != nil {
		return nil
	}
	return &v
}

func (it cityItem) city() membership.City {
	return membership.City{
		TokenHash: it.TokenHash, IntentSignedOn: it.IntentSignedOn, Visit: fromJSON[membership.Visit](it.Visit),
		Profile: fromJSON[membership.Profile](it.Profile), Agreement: fromJSON[membership.Agreement](it.Agreement),
		Termination: fromJSON[membership.Termination](it.Termination),
		ID:          it.ID, Name: it.Name, Country: it.Country, Population: it.Population,
		ForeignBornShare: it.ForeignBornShare, ForeignResidentShare: it.ForeignResidentShare,
		NationalMinorityShare: it.NationalMinorityShare,
		Contact:               membership.Contact{Name: it.ContactName, Email: it.ContactEmail},
		Language:              it.Language, Status: membership.Status(it.Status), Eligibility: it.Eligibility,
		AppliedAt: it.AppliedAt, UpdatedAt: it.UpdatedAt, Version: it.Version, LatestIndex: it.latestIndex(),
		PreviousCityID: it.PreviousCityID,
	}
}

// latestIndex summarises the latest scored submission, if any.
func (it cityItem) latestIndex() *membership.IndexSummary {
	res := fromJSON[index.Result](it.LatestResult)
	if it.LatestSubmission == "" || res == nil {
		return nil
	}
	at, _ := time.Parse(time.RFC3339Nano, it.LatestSubmittedAt)
	return &membership.IndexSummary{SubmissionID: it.LatestSubmission, Version: res.Version, SubmittedAt: at,
		Aggregate: res.Aggregate}
}

func eventPut(table, cityID string, seq int, e membership.Event) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(eventItem{
		PK: cityKey(cityID), SK: fmt.Sprintf("%s%s#%03d", eventSK, timeKey(e.At), seq), Type: "event",
		At: e.At, Event: e.Type, From: string(e.From), To: string(e.To), Actor: e.Actor, Detail: e.Detail,
		Payload: e.Payload,
	})
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}, nil
}

// CreateAdmission writes a new city, its first event, its token, its emails
// and (when the request carried a key) the idempotency record in one
// transaction. A lost race on the key returns idempotency.ErrRace.
func (s *Store) CreateAdmission(ctx context.Context, a membership.Admission, idem *idempotency.Record) error {
	items, err := s.AdmissionTransaction(a, idem)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if lostRace(err, items, idem) {
		return idempotency.ErrRace
	}
	if failed, _ := canceledAt(err); slices.Contains(failed, claimItem) {
		h, herr := s.nameHolder(ctx, a.City)
		if herr != nil {
			return fmt.Errorf("create admission: the city's name is held: %w", herr)
		}
		return &membership.NameTaken{Holder: h}
	}
	if err != nil {
		return fmt.Errorf("create admission: %w", err)
	}
	return nil
}

// claimItem is the position of the name claim in an admission transaction.
const claimItem = 1

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

func claimPK(c membership.City) string { return "NAME#" + membership.NameKey(c.Country, c.Name) }

// claimPut takes the name key for c: free, or held by the file c follows.
func claimPut(table string, c membership.City) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(nameClaim{PK: claimPK(c), SK: claimSK,
		Type: "name-claim", CityID: c.ID, Name: c.Name, AppliedAt: c.AppliedAt})
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("marshal name claim: %w", err)
	}
	put := &types.Put{TableName: aws.String(table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if c.PreviousCityID != "" {
		put.ConditionExpression = aws.String("cityId = :previous")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":previous": str(c.PreviousCityID)}
	}
	return types.TransactWriteItem{Put: put}, nil
}

// nameHolder reads which file holds c's name key, and its status.
func (s *Store) nameHolder(ctx context.Context, c membership.City) (membership.Holder, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(claimPK(c), claimSK),
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

// AdmissionTransaction returns the items CreateAdmission writes, the
// idempotency record last.
func (s *Store) AdmissionTransaction(a membership.Admission, idem *idempotency.Record) ([]types.TransactWriteItem, error) {
	city, err := attributevalue.MarshalMap(toCityItem(a.City))
	if err != nil {
		return nil, fmt.Errorf("marshal city: %w", err)
	}
	claim, err := claimPut(s.table, a.City)
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName: aws.String(s.table), Item: city,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}, claim}
	ev, err := eventPut(s.table, a.City.ID, 0, a.Event)
	if err != nil {
		return nil, fmt.Errorf("marshal event: %w", err)
	}
	items = append(items, ev)
	tok, err := tokenPut(s.table, a.Token)
	if err != nil {
		return nil, err
	}
	items = append(items, tok, countsUpdate(s.table, "", a.City.Status))
	for _, n := range a.Notifications {
		put, err := notificationPut(s.table, n)
		if err != nil {
			return nil, err
		}
		items = append(items, put)
	}
	return withRecord(s.table, items, idem)
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
			// The profile and the events sort together, apart from drafts,
			// submissions and reports: read only them.
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
				c := it.city()
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
