// Package linkkeys reads the key emailed access links are derived from
// (see auth.IssueLink), held in Secrets Manager: its current version to
// issue links, and any version by its id to send the emails issued under
// it. A rotated key leaves issued links working (only their hashes are
// stored); an email still waiting is sent with the version it was issued
// under, which Secrets Manager keeps by id.
package linkkeys

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/notify"
)

// Keys reads the key's versions, each once per process.
type Keys struct {
	client   *secretsmanager.Client
	secretID string

	mu   sync.Mutex
	byID map[string]auth.Key
}

// New reads the secret secretID (its ARN or name).
func New(cfg aws.Config, secretID string) *Keys {
	return &Keys{client: secretsmanager.NewFromConfig(cfg), secretID: secretID, byID: map[string]auth.Key{}}
}

// Current returns the key's current version, to issue links with: a
// function that issues them reads it at cold start.
func (k *Keys) Current(ctx context.Context) (auth.Key, error) {
	return k.get(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(k.secretID)})
}

// LinkKey returns version id, for notify: read once, then from memory. A
// version that no longer exists is notify.ErrNoSuchKey.
func (k *Keys) LinkKey(ctx context.Context, id string) (auth.Key, error) {
	k.mu.Lock()
	key, ok := k.byID[id]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	return k.get(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(k.secretID), VersionId: aws.String(id)})
}

func (k *Keys) get(ctx context.Context, in *secretsmanager.GetSecretValueInput) (auth.Key, error) {
	out, err := k.client.GetSecretValue(ctx, in)
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) && in.VersionId != nil {
		return auth.Key{}, fmt.Errorf("link key version %s: %w", *in.VersionId, notify.ErrNoSuchKey)
	}
	if err != nil {
		return auth.Key{}, fmt.Errorf("read the link key: %w", err)
	}
	key := auth.Key{ID: aws.ToString(out.VersionId), Secret: out.SecretBinary}
	if out.SecretString != nil {
		key.Secret = []byte(*out.SecretString)
	}
	if err := key.Validate(); err != nil {
		return auth.Key{}, err
	}
	k.mu.Lock()
	k.byID[key.ID] = key
	k.mu.Unlock()
	return key, nil
}
