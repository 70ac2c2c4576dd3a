// Package clients builds the AWS SDK configuration and the DynamoDB client
// from the environment, the way Lambda provides it. Every client honours the
// SDK's standard AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> settings.
// (The SES client is the mail package's, so that only notify links SES.)
package clients

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// AWS builds the SDK configuration from the environment, which is where
// Lambda puts a function's region and role credentials: AWS_REGION (or
// AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, and the standard AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE> overrides (with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS).
// It reads no shared profile and does not link the SDK's config package:
// that keeps the SSO, STS and sign-in clients out of every binary (size and
// cold-start time); to run against real AWS from a workstation, export
// credentials into the environment.
func AWS(_ context.Context, apiOptions ...func(*middleware.Stack) error) (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION is not set")
	}
	creds := aws.Credentials{
		AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: os.Getenv("AWS_SESSION_TOKEN"), Source: "environment",
	}
	if !creds.HasKeys() {
		return aws.Config{}, fmt.Errorf("no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
	}
	src, err := readEndpoints()
	if err != nil {
		return aws.Config{}, err
	}
	cfg := aws.Config{
		Region:        region,
		Credentials:   aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: creds}),
		ConfigSources: []any{src},
		APIOptions:    apiOptions,
	}
	if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" && !src.ignore {
		cfg.BaseEndpoint = aws.String(u)
	}
	return cfg, nil
}

// endpoints is a configuration source the SDK's clients consult for their
// service's endpoint (the methods are the SDK's configured-endpoints
// interface), as the SDK's own environment source does.
type endpoints struct{ ignore bool }

func readEndpoints() (endpoints, error) {
	v := os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
	if v == "" {
		return endpoints{}, nil
	}
	ignore, err := strconv.ParseBool(v)
	if err != nil {
		return endpoints{}, fmt.Errorf("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: %w", err)
	}
	return endpoints{ignore: ignore}, nil
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (e endpoints) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return e.ignore, e.ignore, nil
}

// GetServiceBaseEndpoint returns AWS_ENDPOINT_URL_<SERVICE> for a service
// ("DynamoDB" reads AWS_ENDPOINT_URL_DYNAMODB).
func (e endpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	u := os.Getenv("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return u, u != "", nil
}

// Emulated reports whether a service's endpoint is overridden, as it is for
// a local emulator; some emulators send no CRC32 checksum header.
func Emulated(service string) bool {
	return os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_"+service) != ""
}

// DynamoDB builds the DynamoDB client.
func DynamoDB(cfg aws.Config) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if Emulated("DYNAMODB") {
			o.DisableValidateResponseChecksum = true
		}
	})
}
