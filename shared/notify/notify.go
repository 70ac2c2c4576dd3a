// Package notify turns notification work items into emails and delivers each
// one exactly once: a delivery claims the item with a lease, sends, then
// marks it sent, so duplicate stream records and retries send nothing twice.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/intercultural-cities/backoffice/shared/auth"
)

// Status is where a notification is in its delivery.
type Status string

// Delivery states. Pending and Retrying items are waiting; Sending is held
// by one delivery until its lease ends; Sent is final.
const (
	StatusPending  Status = "pending"
	StatusSending  Status = "sending"
	StatusRetrying Status = "retrying"
	StatusSent     Status = "sent"
	// StatusFailed is final too: the notification can never be rendered
	// (a template or data error); it is logged for a person to look at.
	StatusFailed Status = "failed"
)

// Notification is one email to send, written in the same transaction as the
// change that causes it.
type Notification struct {
	ID       string
	Template string // a template name, e.g. "application-received"
	Lang     string // "en" or "fr"
	CityID   string
	ToName   string
	ToEmail  string
	Data     map[string]string
	// Link is the email's personal access link, whose secret nothing
	// stores: it is derived from the link key when the email is sent.
	Link *Link
	// Attachments are archived documents sent with the email (an invoice's
	// PDF and XML), read from the archive when it is sent.
	Attachments []Attachment
	Status      Status
	Attempts    int
	CreatedAt   time.Time
}

// Link is an access link without its secret: the template field it fills,
// the URL up to the secret (…#token=) and what derives the secret.
type Link struct {
	Field string
	URL   string
	Ref   auth.LinkRef
}

// LinkKeys gives the version of the link key an email's link was issued
// under (package linkkeys reads them from Secrets Manager).
type LinkKeys interface {
	LinkKey(ctx context.Context, id string) (auth.Key, error)
}

// ErrNoSuchKey is a link key version that no longer exists: the email can
// never be sent with its link; the secretariat issues a new one.
var ErrNoSuchKey = errors.New("no such link key version")

// Attachment names an archived document to attach.
type Attachment struct {
	Name string // the file name the reader sees, e.g. ICC-2027-0042.pdf
	Key  string // the document's key in the archive
}

// File is an attachment's content.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Message is a rendered email.
type Message struct {
	ToName      string
	ToEmail     string
	Subject     string
	HTML        string
	Text        string
	Attachments []File
}

// Documents reads archived documents (package archive).
type Documents interface {
	Document(ctx context.Context, key string) (body []byte, contentType string, err error)
}

// Sender sends a rendered message and returns the provider's message id.
type Sender interface {
	Send(ctx context.Context, m Message) (string, error)
}

// Store is what delivery needs from storage.
type Store interface {
	// ClaimNotification moves a waiting (or lease-expired) notification to
	// Sending until leaseUntil and returns it; ok is false when another
	// delivery holds it or it was already sent.
	ClaimNotification(ctx context.Context, id string, now, leaseUntil time.Time) (n Notification, ok bool, err error)
	// MarkNotificationSent records the send, for good in a sent record
	// without personal data; the notification itself is forgotten at
	// forgetAt.
	MarkNotificationSent(ctx context.Context, n Notification, messageID string, now, forgetAt time.Time) error
	// ReleaseNotification gives a failed claim back as Retrying.
	ReleaseNotification(ctx context.Context, id, reason string, now time.Time) error
	// FailNotification gives up on a notification for good; it is
	// forgotten at forgetAt.
	FailNotification(ctx context.Context, id, reason string, now, forgetAt time.Time) error
}

// Service delivers notifications.
type Service struct {
	Store     Store
	Sender    Sender
	Documents Documents // for attachments; nil where no email has any
	Keys      LinkKeys  // for access links; nil where no email has any
	Now       func() time.Time
	Lease     time.Duration // how long one send may hold the item
	// Retention is how long an email's recipient, data and text are kept
	// after it is sent (or given up on); what an audit needs stays.
	Retention time.Duration
}

// Sent is what stays of a sent email: no name, no address, no data.
type Sent struct {
	ID            string
	Template      string
	Lang          string
	CityID        string
	RecipientHash string // SHA-256 of the address in lower case
	CreatedAt     time.Time
	SentAt        time.Time
	MessageID     string
	Attempts      int
}

// ErrRendering marks a notification that can never be rendered; retrying
// will not help.
var ErrRendering = errors.New("notification cannot be rendered")

// Deliver sends notification id unless it was sent or is being sent.
func (s *Service) Deliver(ctx context.Context, id string) error {
	now := s.Now()
	n, ok, err := s.Store.ClaimNotification(ctx, id, now, now.Add(s.Lease))
	if err != nil {
		return fmt.Errorf("claim notification %s: %w", id, err)
	}
	if !ok {
		slog.InfoContext(ctx, "notification already delivered or in flight", "notification", id)
		return nil
	}
	n, err = s.withLink(ctx, n)
	if err != nil {
		if !errors.Is(err, ErrNoSuchKey) {
			if rerr := s.Store.ReleaseNotification(ctx, id, err.Error(), s.Now()); rerr != nil {
				slog.ErrorContext(ctx, "release notification", "notification", id, "error", rerr)
			}
			return fmt.Errorf("link of notification %s: %w", id, err)
		}
	}
	var msg Message
	if err == nil {
		msg, err = Render(n)
	}
	if err != nil {
		// Retrying cannot fix it, and a failed record would hold up the
		// stream's shard: record the failure and move on.
		slog.ErrorContext(ctx, "notification cannot be rendered; given up", "notification", id,
			"template", n.Template, "error", err)
		now := s.Now()
		if ferr := s.Store.FailNotification(ctx, id, err.Error(), now, now.Add(s.Retention)); ferr != nil {
			return fmt.Errorf("%w: %s: %v (and recording it failed: %v)", ErrRendering, id, err, ferr)
		}
		return nil
	}
	for _, a := range n.Attachments {
		if s.Documents == nil {
			return fmt.Errorf("notification %s has attachments and no archive is configured", id)
		}
		body, ct, err := s.Documents.Document(ctx, a.Key)
		if err != nil {
			if rerr := s.Store.ReleaseNotification(ctx, id, err.Error(), s.Now()); rerr != nil {
				slog.ErrorContext(ctx, "release notification", "notification", id, "error", rerr)
			}
			return fmt.Errorf("attachment %s of notification %s: %w", a.Key, id, err)
		}
		msg.Attachments = append(msg.Attachments, File{Name: a.Name, ContentType: ct, Data: body})
	}
	messageID, err := s.Sender.Send(ctx, msg)
	if err != nil {
		if rerr := s.Store.ReleaseNotification(ctx, id, err.Error(), s.Now()); rerr != nil {
			slog.ErrorContext(ctx, "release notification", "notification", id, "error", rerr)
		}
		return fmt.Errorf("send notification %s: %w", id, err)
	}
	now = s.Now()
	if err := s.Store.MarkNotificationSent(ctx, n, messageID, now, now.Add(s.Retention)); err != nil {
		// The email is out; the lease keeps others off until it ends, and
		// the error makes the trigger retry the mark.
		return fmt.Errorf("mark notification %s sent: %w", id, err)
	}
	slog.InfoContext(ctx, "notification sent", "notification", id, "template", n.Template, "messageId", messageID)
	return nil
}

// withLink puts the email's access link, secret included, in its data.
func (s *Service) withLink(ctx context.Context, n Notification) (Notification, error) {
	if n.Link == nil {
		return n, nil
	}
	if s.Keys == nil {
		return n, errors.New("the email has an access link and no link key is configured")
	}
	k, err := s.Keys.LinkKey(ctx, n.Link.Ref.KeyID)
	if err != nil {
		return n, err
	}
	data := make(map[string]string, len(n.Data)+1)
	for key, v := range n.Data {
		data[key] = v
	}
	data[n.Link.Field] = n.Link.URL + k.Derive(n.Link.Ref.TokenID)
	n.Data = data
	return n, nil
}
