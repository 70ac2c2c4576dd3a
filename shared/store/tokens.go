package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

const tokenPrefix = "TOKEN#"

// cityTokensPrefix starts the index partition of a city's live tokens: a
// revoked token leaves it.
const cityTokensPrefix = "TOKENS#"

type tokenItem struct {
	PK        string     `dynamodbav:"pk"`
	SK        string     `dynamodbav:"sk"`
	Type      string     `dynamodbav:"type"`
	Role      string     `dynamodbav:"role"`
	CityID    string     `dynamodbav:"cityId,omitempty"`
	Name      string     `dynamodbav:"name"`
	IssuedAt  time.Time  `dynamodbav:"issuedAt"`
	ExpiresAt time.Time  `dynamodbav:"expiresAt"`
	RevokedAt *time.Time `dynamodbav:"revokedAt,omitempty"`
	GSI1PK    string     `dynamodbav:"gsi1pk,omitempty"` // TOKENS#<cityId> while a city token is live
	GSI1SK    string     `dynamodbav:"gsi1sk,omitempty"` // its expiry, then its hash
	// TTL lets DynamoDB delete the record a month after it expired; the
	// expiry itself is enforced in code, since TTL deletion is lazy.
	TTL int64 `dynamodbav:"ttl"`
}

func tokenItemOf(t auth.Token) tokenItem {
	it := tokenItem{
		PK: tokenPrefix + t.Hash, SK: "TOKEN", Type: "token", Role: string(t.Role), CityID: t.CityID,
		Name: t.Name, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt,
		TTL: t.ExpiresAt.Add(30 * 24 * time.Hour).Unix(),
	}
	if t.CityID != "" && t.RevokedAt == nil {
		it.GSI1PK, it.GSI1SK = cityTokensPrefix+t.CityID, timeKey(t.ExpiresAt)+"#"+t.Hash
	}
	return it
}

func init() {
	register(tokenWrites)
	register(revocationWrites)
	registerResolver(cityRevocation)
}

// cityRevocation resolves the end of a city's links into the revocation of
// each token of the city still live at that time.
func cityRevocation(ctx context.Context, s *Store, r auth.CityLinksRevocation) ([]any, error) {
	hashes, err := s.LiveCityTokens(ctx, r.CityID, r.At)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(hashes))
	for _, h := range hashes {
		out = append(out, auth.Revocation{Hash: h, At: r.At})
	}
	return out, nil
}

// LiveCityTokens returns the hashes of a city's tokens neither revoked nor
// expired at now (the index is eventually consistent: a token written in
// the last instant may be missing).
func (s *Store) LiveCityTokens(ctx context.Context, cityID string, now time.Time) ([]string, error) {
	var hashes []string
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: aws.String(s.table), IndexName: aws.String(Table.Index),
		KeyConditionExpression: aws.String("gsi1pk = :p AND gsi1sk > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": str(cityTokensPrefix + cityID), ":now": str(timeKey(now)),
		},
		ProjectionExpression: aws.String("pk"),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query the tokens of city %s: %w", cityID, err)
		}
		for _, it := range out.Items {
			var k struct {
				PK string `dynamodbav:"pk"`
			}
			if err := attributevalue.UnmarshalMap(it, &k); err != nil {
				return nil, fmt.Errorf("unmarshal token key: %w", err)
			}
			hashes = append(hashes, strings.TrimPrefix(k.PK, tokenPrefix))
		}
	}
	return hashes, nil
}

// tokenWrites stores a new token: its hash, never its secret.
func tokenWrites(table string, t auth.Token) ([]write, error) {
	w, err := put(table, tokenItemOf(t))
	return []write{w}, err
}

// revocationWrites ends a token; one that no longer exists (its TTL ran
// out) needs no revoking.
func revocationWrites(table string, r auth.Revocation) ([]write, error) {
	return []write{{item: types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(table), Key: key(tokenPrefix+r.Hash, "TOKEN"),
		UpdateExpression:          aws.String("SET revokedAt = if_not_exists(revokedAt, :now) REMOVE gsi1pk, gsi1sk"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": timeAttr(r.At)},
	}}}}, nil
}

// PutToken stores a token (never its secret); an existing hash is kept.
func (s *Store) PutToken(ctx context.Context, t auth.Token) error {
	item, err := attributevalue.MarshalMap(tokenItemOf(t))
	if err != nil {
		return fmt.Errorf("marshal token: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("put token: %w", err)
	}
	return nil
}

// Token returns the token with the given hash.
func (s *Store) Token(ctx context.Context, hash string) (auth.Token, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(tokenPrefix+hash, "TOKEN"),
	})
	if err != nil {
		return auth.Token{}, fmt.Errorf("get token: %w", err)
	}
	return tokenFrom(hash, out.Item)
}

// tokenFrom reads a token's item: none is an unknown token.
func tokenFrom(hash string, item map[string]types.AttributeValue) (auth.Token, error) {
	if len(item) == 0 {
		return auth.Token{}, failure.New(failure.Unauthenticated, "unknown token")
	}
	var it tokenItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return auth.Token{}, fmt.Errorf("unmarshal token: %w", err)
	}
	return auth.Token{
		Hash: hash, Role: auth.Role(it.Role), CityID: it.CityID, Name: it.Name,
		IssuedAt: it.IssuedAt, ExpiresAt: it.ExpiresAt, RevokedAt: it.RevokedAt,
	}, nil
}

// TokenAndCity reads a token and a city at once, in one round trip, for a
// request that changes the city: the token as Token does, the city as
// CityForUpdate does (strongly consistent), or found false when there is
// none. The caller authenticates the token before it uses the city.
func (s *Store) TokenAndCity(ctx context.Context, hash, cityID string) (auth.Token, membership.City, bool, error) {
	var tokenItem, city map[string]types.AttributeValue
	keys := []map[string]types.AttributeValue{key(tokenPrefix+hash, "TOKEN"), key(cityKey(cityID), profileSK)}
	if err := s.batchGet(ctx, keys, "", true, func(it map[string]types.AttributeValue) error {
		if attrString(it, "pk") == tokenPrefix+hash {
			tokenItem = it
		} else {
			city = it
		}
		return nil
	}); err != nil {
		return auth.Token{}, membership.City{}, false, fmt.Errorf("get token and city: %w", err)
	}
	tok, err := tokenFrom(hash, tokenItem)
	if err != nil || city == nil {
		return tok, membership.City{}, false, err
	}
	var it cityItem
	if err := attributevalue.UnmarshalMap(city, &it); err != nil {
		return tok, membership.City{}, false, fmt.Errorf("unmarshal city: %w", err)
	}
	c, err := it.city()
	return tok, c, err == nil, err
}

// RevokeToken marks a token revoked from now on.
func (s *Store) RevokeToken(ctx context.Context, hash string, now time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key(tokenPrefix+hash, "TOKEN"),
		UpdateExpression:    aws.String("SET revokedAt = if_not_exists(revokedAt, :now) REMOVE gsi1pk, gsi1sk"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": str(now.UTC().Format(time.RFC3339Nano)),
		},
	})
	if isConditionFailed(err) {
		return failure.New(failure.NotFound, "no such token")
	}
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}
