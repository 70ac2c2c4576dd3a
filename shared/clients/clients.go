// Package clients builds the AWS SDK clients from the environment, the way
// Lambda provides it. Every client honours the SDK's standard AWS_ENDPOINT_URL
// and AWS_ENDPOINT_URL_<SERVICE> settings.
package clients

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/smithy-go/middleware"
)

// AWS builds the SDK configuration from the environment, which is where
// Lambda puts a function's region and role credentials: AWS_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and the
// standard AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> overrides (the
// environment is passed to every client as a config source, so the SDK
// resolves service endpoints itself). Unlike LoadDefaultConfig it does not
// read shared profiles: that keeps the SSO and STS clients out of every
// binary (about 2 MB, and cold-start time); to run against real AWS from a
// workstation, export credentials into the environment.
func AWS(_ context.Context, apiOptions ...func(*middleware.Stack) error) (aws.Config, error) {
	env, err := awsconfig.NewEnvConfig()
	if err != nil {
		return aws.Config{}, fmt.Errorf("read AWS settings from the environment: %w", err)
	}
	region := env.Region
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION is not set")
	}
	if !env.Credentials.HasKeys() {
		return aws.Config{}, fmt.Errorf("no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
	}
	cfg := aws.Config{
		Region:        region,
		Credentials:   aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: env.Credentials}),
		ConfigSources: []any{env},
		APIOptions:    apiOptions,
	}
	if env.BaseEndpoint != "" {
		cfg.BaseEndpoint = aws.String(env.BaseEndpoint)
	}
	return cfg, nil
}

// emulated reports whether a service's endpoint is overridden, as it is for
// a local emulator; some emulators send no CRC32 checksum header.
func emulated(service string) bool {
	return os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_"+service) != ""
}

// DynamoDB builds the DynamoDB client.
func DynamoDB(cfg aws.Config) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if emulated("DYNAMODB") {
			o.DisableValidateResponseChecksum = true
		}
	})
}

// SES builds the SES client.
func SES(cfg aws.Config) *ses.Client {
	return ses.NewFromConfig(cfg)
}
