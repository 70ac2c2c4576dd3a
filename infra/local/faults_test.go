package local_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/infra/localtest"
)

// sesOutage fails SES SendEmail calls while failures remain.
type sesOutage struct {
	failures atomic.Int64
	refused  atomic.Int64
}

func (o *sesOutage) option(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("SESOutage",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
				middleware.InitializeOutput, middleware.Metadata, error,
			) {
				if middleware.GetOperationName(ctx) == "SendEmail" && o.failures.Add(-1) >= 0 {
					o.refused.Add(1)
					return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("injected: SES is unavailable")
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
}

func apply(t *testing.T, s *localtest.Stack, email string) {
	t.Helper()
	body := `{"cityName":"Nordhavn","country":"NO","population":61000,"foreignBornShare":18,"foreignResidentShare":11.5,
		"nationalMinorityShare":2,"contact":{"name":"Ingrid","email":"` + email + `"},"language":"en"}`
	if status, _, resp := s.Do(http.MethodPost, "/applications", "", body); status != http.StatusCreated {
		t.Fatalf("apply: %d %s", status, resp)
	}
}

func mailsTo(t *testing.T, s *localtest.Stack, addr string) int {
	t.Helper()
	m, err := s.MailTo(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func TestSESOutageIsRetriedByTheStreamAndSendsOnce(t *testing.T) {
	outage := &sesOutage{}
	outage.failures.Store(2)
	s := localtest.New(t, local.Options{APIOptions: []func(*aws.Config){outage.option}})
	for _, p := range s.Pollers {
		p.Backoff = time.Millisecond
	}
	apply(t, s, "retry@nordhavn.example")
	s.Drain()
	if outage.refused.Load() != 2 {
		t.Fatalf("SES refused %d sends, want 2", outage.refused.Load())
	}
	if n := mailsTo(t, s, "retry@nordhavn.example"); n != 1 {
		t.Fatalf("%d emails after recovery, want 1", n)
	}
}

func TestSESOutageLongerThanTheRetriesIsSweptAfterRecovery(t *testing.T) {
	outage := &sesOutage{}
	outage.failures.Store(1000)
	s := localtest.New(t, local.Options{APIOptions: []func(*aws.Config){outage.option}, SweepAfter: time.Nanosecond})
	for _, p := range s.Pollers {
		p.Backoff = time.Millisecond
	}
	apply(t, s, "sweep@nordhavn.example")
	s.Drain()
	if n := mailsTo(t, s, "sweep@nordhavn.example"); n != 0 {
		t.Fatalf("%d emails during the outage", n)
	}
	abandoned := 0
	for _, p := range s.Pollers {
		abandoned += p.Abandoned
	}
	if abandoned == 0 {
		t.Fatal("the poller never gave up, so the sweeper is not what is being tested")
	}

	outage.failures.Store(0) // SES is back
	res, err := s.Sweeper.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Redriven != 2 { // the city's email and the secretariat's
		t.Fatalf("sweep %+v, want 2 re-driven", res)
	}
	s.Drain()
	if n := mailsTo(t, s, "sweep@nordhavn.example"); n != 1 {
		t.Fatalf("%d emails after the sweep, want 1", n)
	}
	// Sweeping and draining again finds nothing left to do.
	res, err = s.Sweeper.Sweep(context.Background())
	if err != nil || res.Found != 0 {
		t.Fatalf("second sweep %+v %v, want nothing pending", res, err)
	}
	s.Drain()
	if n := mailsTo(t, s, "sweep@nordhavn.example"); n != 1 {
		t.Fatalf("%d emails after a second sweep, want 1", n)
	}
}

func TestAStreamRecordDeliveredTwiceSendsOneEmail(t *testing.T) {
	s := localtest.New(t, local.Options{})
	var batch []events.DynamoDBEventRecord
	// Capture the real batch the mapping would deliver, then replay it by hand.
	for _, p := range s.Pollers {
		real := p.Handler
		p.Handler = func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			batch = append(batch, ev.Records...)
			return real(ctx, ev)
		}
	}
	apply(t, s, "twice@nordhavn.example")
	s.Drain()
	if len(batch) != 2 {
		t.Fatalf("captured %d records, want 2 notifications", len(batch))
	}
	for _, p := range s.Pollers {
		for range 2 {
			resp, err := p.Handler(context.Background(), events.DynamoDBEvent{Records: batch})
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("redelivery: %+v %v", resp, err)
			}
		}
	}
	if n := mailsTo(t, s, "twice@nordhavn.example"); n != 1 {
		t.Fatalf("%d emails after three deliveries, want 1", n)
	}
}
