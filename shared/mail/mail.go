// Package mail sends rendered notifications through Amazon SES.
package mail

import (
	"context"
	"fmt"
	"net/mail"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// SES sends email from one verified sender address. It holds the concrete
// client: one stored in an interface keeps every SES operation in the binary.
type SES struct {
	Client   *ses.Client
	From     string // the verified sender address
	FromName string
	// ConfigurationSet, when set, names the SES configuration set every
	// email is sent with: its bounce and complaint events feed the alarms.
	ConfigurationSet string
}

var _ notify.Sender = (*SES)(nil)

// Client builds the SES client from the SDK configuration (see package
// clients), honouring AWS_ENDPOINT_URL_SES.
func Client(cfg aws.Config) *ses.Client { return ses.NewFromConfig(cfg) }

// New sends from the verified address from, as "Intercultural Cities".
func New(cfg aws.Config, s config.Sender) *SES {
	return &SES{Client: Client(cfg), From: s.SenderEmail, FromName: "Intercultural Cities", ConfigurationSet: s.ConfigurationSet}
}

func (s *SES) configurationSet() *string {
	if s.ConfigurationSet == "" {
		return nil
	}
	return aws.String(s.ConfigurationSet)
}

// Send implements notify.Sender. Names are RFC 2047 encoded by net/mail, and
// line breaks in any header value are refused.
func (s *SES) Send(ctx context.Context, m notify.Message) (string, error) {
	for _, v := range []string{m.ToName, m.ToEmail, m.Subject, s.From, s.FromName} {
		if err := notify.SafeHeader(v); err != nil {
			return "", fmt.Errorf("unsafe header value: %w", err)
		}
	}
	if err := notify.ValidAddress(m.ToEmail); err != nil {
		return "", fmt.Errorf("recipient: %w", err)
	}
	to := (&mail.Address{Name: m.ToName, Address: m.ToEmail}).String()
	from := (&mail.Address{Name: s.FromName, Address: s.From}).String()
	if len(m.Attachments) > 0 {
		raw, err := MIME(from, to, m)
		if err != nil {
			return "", err
		}
		out, err := s.Client.SendRawEmail(ctx, &ses.SendRawEmailInput{
			Source: aws.String(from), Destinations: []string{to}, RawMessage: &types.RawMessage{Data: raw},
			ConfigurationSetName: s.configurationSet(),
		})
		if err != nil {
			return "", fmt.Errorf("ses send raw: %w", err)
		}
		return aws.ToString(out.MessageId), nil
	}
	out, err := s.Client.SendEmail(ctx, &ses.SendEmailInput{
		Source:               aws.String(from),
		Destination:          &types.Destination{ToAddresses: []string{to}},
		ConfigurationSetName: s.configurationSet(),
		Message: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(m.HTML), Charset: aws.String("UTF-8")},
				Text: &types.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")},
			},
		},
	})
	if err != nil {
		return "", fmt.Errorf("ses send: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}
