package clients

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ses"
)

// endpoint records the requests an emulated service receives.
func endpoint(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestClientsHonourTheStandardEndpointSettings(t *testing.T) {
	ddb, ddbHits := endpoint(t)
	sesSrv, sesHits := endpoint(t)
	global, globalHits := endpoint(t)
	t.Setenv("AWS_REGION", "eu-west-3")
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	t.Setenv("AWS_ENDPOINT_URL", global.URL)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", ddb.URL)
	t.Setenv("AWS_ENDPOINT_URL_SES", sesSrv.URL)
	cfg, err := AWS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg.RetryMaxAttempts = 1
	_, _ = DynamoDB(cfg).ListTables(context.Background(), &dynamodb.ListTablesInput{})
	_, _ = ses.NewFromConfig(cfg).ListIdentities(context.Background(), &ses.ListIdentitiesInput{})
	if ddbHits.Load() == 0 || sesHits.Load() == 0 || globalHits.Load() != 0 {
		t.Fatalf("requests: dynamodb %d, ses %d, global %d; want the service-specific endpoints used",
			ddbHits.Load(), sesHits.Load(), globalHits.Load())
	}
	t.Setenv("AWS_ENDPOINT_URL_SES", "")
	cfg, _ = AWS(context.Background())
	cfg.RetryMaxAttempts = 1
	_, _ = ses.NewFromConfig(cfg).ListIdentities(context.Background(), &ses.ListIdentitiesInput{})
	if globalHits.Load() == 0 {
		t.Fatal("AWS_ENDPOINT_URL was not used when no service-specific endpoint is set")
	}
}

func TestAWSNeedsRegionAndCredentials(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	if _, err := AWS(context.Background()); err == nil {
		t.Fatal("no region accepted")
	}
	t.Setenv("AWS_REGION", "eu-west-3")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	if _, err := AWS(context.Background()); err == nil {
		t.Fatal("no credentials accepted")
	}
}
