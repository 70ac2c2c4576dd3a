package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
	"github.com/intercultural-cities/backoffice/shared/mail"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

func TestSendGoesThroughSESWithBothParts(t *testing.T) {
	s := localtest.New(t, local.Options{})
	sender := s.Notifier.Sender.(*mail.SES)
	id, err := sender.Send(context.Background(), notify.Message{
		ToName: "Zoë Müller", ToEmail: "zoe@bern.example", Subject: "Grüezi", HTML: "<p>Hallo</p>", Text: "Hallo",
	})
	if err != nil || id == "" {
		t.Fatalf("send: %q %v", id, err)
	}
	mails, err := s.MailTo(context.Background(), "zoe@bern.example")
	if err != nil || len(mails) != 1 {
		t.Fatalf("mailbox %+v %v", mails, err)
	}
	m := mails[0]
	if m.Subject != "Grüezi" || m.HTMLBody != "<p>Hallo</p>" || m.Body != "Hallo" || m.MessageID != id {
		t.Fatalf("stored %+v", m)
	}
	if !strings.Contains(m.Destination[0], "=?utf-8?") {
		t.Errorf("non-ASCII name not RFC 2047 encoded: %q", m.Destination[0])
	}
}

func TestSendRefusesHeaderInjection(t *testing.T) {
	s := localtest.New(t, local.Options{})
	sender := s.Notifier.Sender.(*mail.SES)
	for _, m := range []notify.Message{
		{ToName: "A\r\nBcc: x@y.example", ToEmail: "a@b.example", Subject: "s"},
		{ToName: "A", ToEmail: "a@b.example\nBcc: x@y.example", Subject: "s"},
		{ToName: "A", ToEmail: "a@b.example", Subject: "s\nBcc: x@y.example"},
	} {
		if _, err := sender.Send(context.Background(), m); err == nil {
			t.Errorf("sent %+v", m)
		}
	}
}
