package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/notify"
	"github.com/intercultural-cities/backoffice/shared/outbox"
)

// NotificationPrefix starts every notification item's partition key.
const NotificationPrefix = "NOTIFICATION#"

type notificationItem struct {
	PK          string             `dynamodbav:"pk"`
	SK          string             `dynamodbav:"sk"`
	Type        string             `dynamodbav:"type"`
	GSI1PK      string             `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK      string             `dynamodbav:"gsi1sk,omitempty"`
	ID          string             `dynamodbav:"id"`
	Status      string             `dynamodbav:"status"`
	Template    string             `dynamodbav:"template"`
	Lang        string             `dynamodbav:"lang"`
	CityID      string             `dynamodbav:"cityId,omitempty"`
	ToName      string             `dynamodbav:"toName"`
	ToEmail     string             `dynamodbav:"toEmail"`
	Data        map[string]string  `dynamodbav:"data"`
	Link        *linkRecord        `dynamodbav:"link,omitempty"`
	Attachments []attachmentRecord `dynamodbav:"attachments,omitempty"`
	Attempts    int                `dynamodbav:"attempts"`
	CreatedAt   time.Time          `dynamodbav:"createdAt"`
	LeaseUntil  int64              `dynamodbav:"leaseUntil,omitempty"`
	LastError   string             `dynamodbav:"lastError,omitempty"`
	SentAt      *time.Time         `dynamodbav:"sentAt,omitempty"`
	MessageID   string             `dynamodbav:"messageId,omitempty"`
	// TTL deletes the item, names, addresses and data with it, once the
	// retention after sending has passed; its sent record stays.
	TTL int64 `dynamodbav:"ttl,omitempty"`
}

// linkRecord is an access link without its secret: nothing here lets a
// reader derive it without the link key.
type linkRecord struct {
	Field   string `dynamodbav:"field"`
	URL     string `dynamodbav:"url"`
	KeyID   string `dynamodbav:"keyId"`
	TokenID string `dynamodbav:"tokenId"`
}

// sentRecord is what an audit keeps of a sent email for good: which
// template, to whom (the address's SHA-256, never the address), when, and
// the provider's message id.
type sentRecord struct {
	PK            string    `dynamodbav:"pk"`
	SK            string    `dynamodbav:"sk"`
	Type          string    `dynamodbav:"type"`
	Template      string    `dynamodbav:"template"`
	Lang          string    `dynamodbav:"lang"`
	CityID        string    `dynamodbav:"cityId,omitempty"`
	RecipientHash string    `dynamodbav:"recipientHash"`
	CreatedAt     time.Time `dynamodbav:"createdAt"`
	SentAt        time.Time `dynamodbav:"sentAt"`
	MessageID     string    `dynamodbav:"messageId"`
	Attempts      int       `dynamodbav:"attempts"`
}

// RecipientHash identifies an address without holding it: the hex SHA-256
// of the address in lower case.
func RecipientHash(addr string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(addr))))
	return hex.EncodeToString(sum[:])
}

func notificationKey(id string) map[string]types.AttributeValue {
	return key(NotificationPrefix+id, "NOTIFICATION")
}

func notificationWrite(table string, n notify.Notification) (write, error) {
	return put(table, notificationItem{
		PK: NotificationPrefix + n.ID, SK: "NOTIFICATION", Type: outbox.TypeNotification,
		GSI1PK: outbox.PendingPartition, GSI1SK: timeKey(n.CreatedAt) + "#" + n.ID,
		ID: n.ID, Status: string(notify.StatusPending), Template: n.Template, Lang: n.Lang, CityID: n.CityID,
		ToName: n.ToName, ToEmail: n.ToEmail, Data: n.Data, Link: linkRecordOf(n.Link), CreatedAt: n.CreatedAt,
		Attachments: attachmentRecords(n.Attachments),
	})
}

func linkRecordOf(l *notify.Link) *linkRecord {
	if l == nil {
		return nil
	}
	return &linkRecord{Field: l.Field, URL: l.URL, KeyID: l.Ref.KeyID, TokenID: l.Ref.TokenID}
}

func (r *linkRecord) link() *notify.Link {
	if r == nil {
		return nil
	}
	return &notify.Link{Field: r.Field, URL: r.URL, Ref: auth.LinkRef{KeyID: r.KeyID, TokenID: r.TokenID}}
}

type attachmentRecord struct {
	Name string `dynamodbav:"name"`
	Key  string `dynamodbav:"key"`
}

func attachmentRecords(as []notify.Attachment) []attachmentRecord {
	var out []attachmentRecord
	for _, a := range as {
		out = append(out, attachmentRecord(a))
	}
	return out
}

func (it notificationItem) notification() notify.Notification {
	return notify.Notification{
		ID: it.ID, Template: it.Template, Lang: it.Lang, CityID: it.CityID, ToName: it.ToName, ToEmail: it.ToEmail,
		Data: it.Data, Link: it.Link.link(), Status: notify.Status(it.Status), Attempts: it.Attempts,
		CreatedAt: it.CreatedAt, Attachments: attachments(it.Attachments),
	}
}

func attachments(rs []attachmentRecord) []notify.Attachment {
	var out []notify.Attachment
	for _, r := range rs {
		out = append(out, notify.Attachment(r))
	}
	return out
}

// ClaimNotification implements notify.Store.
func (s *Store) ClaimNotification(ctx context.Context, id string, now, leaseUntil time.Time) (notify.Notification, bool, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              notificationKey(id),
		UpdateExpression: aws.String("SET #status = :sending, leaseUntil = :lease, attempts = attempts + :one"),
		ConditionExpression: aws.String("#status = :pending OR #status = :retrying OR " +
			"(#status = :sending AND leaseUntil < :now)"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending":  str(string(notify.StatusSending)),
			":pending":  str(string(notify.StatusPending)),
			":retrying": str(string(notify.StatusRetrying)),
			":lease":    num(leaseUntil.Unix()),
			":now":      num(now.Unix()),
			":one":      num(1),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return notify.Notification{}, false, nil
	}
	if err != nil {
		return notify.Notification{}, false, fmt.Errorf("claim notification: %w", err)
	}
	var it notificationItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return notify.Notification{}, false, fmt.Errorf("unmarshal notification: %w", err)
	}
	return it.notification(), true, nil
}

// MarkNotificationSent implements notify.Store: in one transaction, the
// item leaves the pending index and will be deleted at forgetAt, and the
// sent record an audit needs is written, to stay.
func (s *Store) MarkNotificationSent(ctx context.Context, n notify.Notification, messageID string, now, forgetAt time.Time) error {
	sent, err := attributevalue.MarshalMap(sentRecord{
		PK: NotificationPrefix + n.ID, SK: "SENT", Type: "notification-sent", Template: n.Template, Lang: n.Lang,
		CityID: n.CityID, RecipientHash: RecipientHash(n.ToEmail), CreatedAt: n.CreatedAt, SentAt: now.UTC(),
		MessageID: messageID, Attempts: n.Attempts,
	})
	if err != nil {
		return fmt.Errorf("marshal sent record: %w", err)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: aws.String(s.table),
			Key:       notificationKey(n.ID),
			UpdateExpression: aws.String("SET #status = :sent, sentAt = :now, messageId = :mid, #ttl = :ttl " +
				"REMOVE gsi1pk, gsi1sk, leaseUntil, lastError"),
			ConditionExpression:      aws.String("#status = :sending"),
			ExpressionAttributeNames: map[string]string{"#status": "status", "#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":sent":    str(string(notify.StatusSent)),
				":sending": str(string(notify.StatusSending)),
				":now":     timeAttr(now),
				":mid":     str(messageID),
				":ttl":     num(forgetAt.Unix()),
			},
		}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: sent}},
	}})
	if err != nil {
		return fmt.Errorf("mark notification sent: %w", err)
	}
	return nil
}

// NotificationSent returns what stays of a sent email: its sent record.
func (s *Store) NotificationSent(ctx context.Context, id string) (notify.Sent, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(NotificationPrefix+id, "SENT"), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return notify.Sent{}, false, fmt.Errorf("get sent record: %w", err)
	}
	if len(out.Item) == 0 {
		return notify.Sent{}, false, nil
	}
	var it sentRecord
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return notify.Sent{}, false, fmt.Errorf("unmarshal sent record: %w", err)
	}
	return notify.Sent{ID: id, Template: it.Template, Lang: it.Lang, CityID: it.CityID, RecipientHash: it.RecipientHash,
		CreatedAt: it.CreatedAt, SentAt: it.SentAt, MessageID: it.MessageID, Attempts: it.Attempts}, true, nil
}

// ReleaseNotification implements notify.Store.
func (s *Store) ReleaseNotification(ctx context.Context, id, reason string, now time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      notificationKey(id),
		UpdateExpression:         aws.String("SET #status = :retrying, lastError = :reason REMOVE leaseUntil"),
		ConditionExpression:      aws.String("#status = :sending"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":retrying": str(string(notify.StatusRetrying)),
			":sending":  str(string(notify.StatusSending)),
			":reason":   str(reason),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release notification: %w", err)
	}
	return nil
}

// Notification returns one notification, for tests and operators.
func (s *Store) Notification(ctx context.Context, id string) (notify.Notification, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: notificationKey(id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return notify.Notification{}, fmt.Errorf("get notification: %w", err)
	}
	var it notificationItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return notify.Notification{}, fmt.Errorf("unmarshal notification: %w", err)
	}
	return it.notification(), nil
}

// FailNotification implements notify.Store: the item leaves the pending
// index for good, with the reason.
func (s *Store) FailNotification(ctx context.Context, id, reason string, now, forgetAt time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      notificationKey(id),
		UpdateExpression:         aws.String("SET #status = :failed, lastError = :reason, failedAt = :now, #ttl = :ttl REMOVE leaseUntil, gsi1pk, gsi1sk"),
		ConditionExpression:      aws.String("#status = :sending"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":failed": str(string(notify.StatusFailed)), ":sending": str(string(notify.StatusSending)),
			":reason": str(reason), ":now": str(now.UTC().Format(time.RFC3339Nano)), ":ttl": num(forgetAt.Unix()),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("fail notification: %w", err)
	}
	return nil
}
