// Package archive keeps the documents that must never change once issued
// (invoices, credit notes, published reports) in an S3 bucket with
// versioning and Object Lock in compliance mode: written once, served byte
// for byte. Documents are rendered deterministically, so writing one again
// (a retried render) finds the same bytes and changes nothing.
package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/intercultural-cities/backoffice/shared/clients"
	"github.com/intercultural-cities/backoffice/shared/failure"
)

// Document is a stored document's bytes and media type.
type Document struct {
	Body        []byte
	ContentType string
}

// S3 stores documents in one bucket. It holds the concrete client: one kept
// in an interface links every S3 operation into the binary.
type S3 struct {
	Client *s3.Client
	Bucket string
}

// New builds the archive over bucket, honouring AWS_ENDPOINT_URL_S3.
func New(cfg aws.Config, bucket string) *S3 {
	return &S3{Bucket: bucket, Client: s3.NewFromConfig(cfg, func(o *s3.Options) {
		if clients.Emulated("S3") {
			// Emulators serve buckets on their own host, by path.
			o.UsePathStyle = true
		}
	})}
}

// Put stores a document under key once. The write is conditional on no
// object being there (If-None-Match: *): a second writer of the same key
// reads what is stored, and succeeds only if it is the same document.
func (a *S3) Put(ctx context.Context, key string, d Document) error {
	sum := sha256.Sum256(d.Body)
	_, err := a.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(a.Bucket), Key: aws.String(key), Body: bytes.NewReader(d.Body),
		ContentType: aws.String(d.ContentType), IfNoneMatch: aws.String("*"),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	})
	if !isPreconditionFailed(err) {
		if err != nil {
			return fmt.Errorf("archive %s: %w", key, err)
		}
		return nil
	}
	stored, err := a.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("archive %s: stored already, and reading it failed: %w", key, err)
	}
	if !bytes.Equal(stored.Body, d.Body) {
		return fmt.Errorf("archive %s: another document is stored under this key; issued documents never change", key)
	}
	return nil
}

// Get returns the document stored under key.
func (a *S3) Get(ctx context.Context, key string) (Document, error) {
	out, err := a.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.Bucket), Key: aws.String(key)})
	if isNotFound(err) {
		return Document{}, failure.New(failure.NotFound, "no document %s", key)
	}
	if err != nil {
		return Document{}, fmt.Errorf("read %s: %w", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		return Document{}, fmt.Errorf("read %s: %w", key, err)
	}
	return Document{Body: body, ContentType: aws.ToString(out.ContentType)}, nil
}

func statusOf(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func isPreconditionFailed(err error) bool {
	var ae smithy.APIError
	return statusOf(err) == http.StatusPreconditionFailed ||
		(errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict"))
}

func isNotFound(err error) bool {
	var ae smithy.APIError
	return statusOf(err) == http.StatusNotFound || (errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey")
}

// Document implements notify.Documents: the attachments of an email are
// read from the archive as they were issued.
func (a *S3) Document(ctx context.Context, key string) ([]byte, string, error) {
	d, err := a.Get(ctx, key)
	return d.Body, d.ContentType, err
}
