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
	// Secrets are values (an access link) needed only until the email is
	// sent; the store erases them when it marks the item sent.
	Secrets map[string]string
	// Attachments are archived documents sent with the email (an invoice's
	// PDF and XML), read from the archive when it is sent.
	Attachments []Attachment
	Status      Status
	Attempts    int
	CreatedAt   time.Time
}

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
	// MarkNotificationSent records the send and erases the secrets.
	MarkNotificationSent(ctx context.Context, id, messageID string, now time.Time) error
	// ReleaseNotification gives a failed claim back as Retrying.
	ReleaseNotification(ctx context.Context, id, reason string, now time.Time) error
	// FailNotification gives up on a notification for good.
	FailNotification(ctx context.Context, id, reason string, now time.Time) error
}

// Service delivers notifications.
type Service struct {
	Store     Store
	Sender    Sender
	Documents Documents // for attachments; nil where no email has any
	Now       func() time.Time
	Lease     time.Duration // how long one send may hold the item
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
	msg, err := Render(n)
	if err != nil {
		// Retrying cannot fix it, and a failed record would hold up the
		// stream's shard: record the failure and move on.
		slog.ErrorContext(ctx, "notification cannot be rendered; given up", "notification", id,
			"template", n.Template, "error", err)
		if ferr := s.Store.FailNotification(ctx, id, err.Error(), s.Now()); ferr != nil {
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
	if err := s.Store.MarkNotificationSent(ctx, id, messageID, s.Now()); err != nil {
		// The email is out; the lease keeps others off until it ends, and
		// the error makes the trigger retry the mark.
		return fmt.Errorf("mark notification %s sent: %w", id, err)
	}
	slog.InfoContext(ctx, "notification sent", "notification", id, "template", n.Template, "messageId", messageID)
	return nil
}
