package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/intercultural-cities/backoffice/infra/demo"
	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/auth"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/index"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// indexFigures measures the INDEX issue's figures.
func indexFigures(ctx context.Context, s *local.Stack, base string) error {
	q := index.Current()
	cityID, token, err := benchCity(ctx, s, base)
	if err != nil {
		return err
	}
	answers := demo.Answers(q, demo.City{Population: 180000, ForeignBorn: 13}, 0.7, 99, true)
	body, _ := json.Marshal(map[string]any{"version": q.Version, "answers": answers})

	measure := func(f func() error) (int64, error) {
		before := s.RoundTrips.Load()
		err := f()
		return s.RoundTrips.Load() - before, err
	}
	n, err := measure(func() error {
		return expect(http.MethodPut, base+"/cities/"+cityID+"/index/draft", token, string(body), http.StatusCreated)
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: PUT draft incl. token check", fmt.Sprint(n), "-", "<= 2", n <= 2)
	n, err = measure(func() error {
		return expect(http.MethodPost, base+"/cities/"+cityID+"/index/submissions", token, string(body), 202,
			"Idempotency-Key", "bench-submit-1")
	})
	if err != nil {
		return err
	}
	// The token and the city at once (the domain decides whether its
	// status takes a submission), the transaction, which writes the key's
	// record on the condition that there is none: the key is read only
	// when the request fails.
	add("DynamoDB round trips: POST submission incl. token, idempotency", fmt.Sprint(n), "-",
		"<= 3 (token and city, transaction)", n <= 3)
	// Scoring: the submission's stream record reaches the score function;
	// emails are sent afterwards and not counted here.
	var scoring int64
	for _, p := range s.Pollers {
		if p.Function != "score" {
			continue
		}
		scoring, err = measure(func() error { _, err := p.Poll(ctx); return err })
		if err != nil {
			return err
		}
	}
	add("DynamoDB round trips: scoring one submission", fmt.Sprint(scoring), "-",
		"<= 4 + sample (1 query)", scoring <= 5)
	if err := s.Drain(ctx); err != nil {
		return err
	}

	// Reading the sample costs one query whatever the network's size: add
	// 1 000 cities' results and read it again.
	small, err := measure(func() error { _, err := s.Store.Sample(ctx); return err })
	if err != nil {
		return err
	}
	big := syntheticSample(q, 1000)
	deltas := map[string]index.Delta{}
	for k, g := range big {
		deltas[k] = index.Delta{Count: g.Count, Histogram: g.Histogram, AggSum: g.AggSum, AreaSum: g.AreaSum, AreaCount: g.AreaCount}
	}
	if err := s.Store.AddToSample(ctx, deltas); err != nil {
		return err
	}
	var sample map[string]index.GroupStats
	large, err := measure(func() error { sample, err = s.Store.Sample(ctx); return err })
	if err != nil {
		return err
	}
	add("DynamoDB round trips: reading the comparison sample",
		fmt.Sprintf("%d at %d cities", large, sample["all"].Count), fmt.Sprintf("%d at 1 city", small),
		"constant in N", large == small)

	// Scoring and comparison against 1 000 cities, beside decoding the
	// same submission's JSON (the floor).
	var in index.Input
	score := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res := q.Score(answers)
			index.Place(index.DefaultBands(), nil, res, big)
		}
	})
	decode := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			in = index.Input{}
			if err := json.Unmarshal(body, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
	add("scoring + comparison, 1 000-city sample", fmt.Sprintf("%s/op, %d allocs", time.Duration(score.NsPerOp()), score.AllocsPerOp()),
		fmt.Sprintf("JSON decode of the submission: %s/op, %d allocs", time.Duration(decode.NsPerOp()), decode.AllocsPerOp()),
		"-", true)

	return submissionLatency(ctx, s, base, cityID, token, body)
}

func expect(method, url, token, body string, status int, headers ...string) error {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Reading the body to the end lets the client reuse the connection.
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != status {
		return fmt.Errorf("%s %s: %d, want %d: %.2000s", method, url, resp.StatusCode, status, b)
	}
	return nil
}

// benchCity applies for a new city (each its own: a city has one open file)
// and returns its id and access token.
func benchCity(ctx context.Context, s *local.Stack, base string) (string, string, error) {
	benchCities++
	email := fmt.Sprintf("bench-index-%d@city.example", benchCities)
	status, body, err := post(base+"/applications", fmt.Sprintf(`{"cityName":"Bench INDEX %d","country":"FR","population":180000,
		"foreignBornShare":13,"foreignResidentShare":9,"nationalMinorityShare":0,"contact":{"name":"Bench","email":%q},"language":"en"}`,
		benchCities, email))
	if err != nil || status != 201 {
		return "", "", fmt.Errorf("apply: %d %s %v", status, body, err)
	}
	var r struct{ CityID string }
	if err := json.Unmarshal(body, &r); err != nil {
		return "", "", err
	}
	if err := s.Drain(ctx); err != nil {
		return "", "", err
	}
	tok, err := tokenFor(ctx, s, email)
	return r.CityID, tok, err
}

var benchCities int

// syntheticSample is the maintained aggregate of n cities' results.
func syntheticSample(q *index.Questionnaire, n int) map[string]index.GroupStats {
	rng := rand.New(rand.NewPCG(7, 11))
	sample := map[string]index.GroupStats{}
	bands := index.DefaultBands()
	for i := range n {
		c := demo.City{Population: int64(30000 + rng.IntN(1_500_000)), ForeignBorn: 5 + rng.Float64()*35}
		res := q.Score(demo.Answers(q, c, 0.3+rng.Float64()*0.6, uint64(i), i%2 == 0))
		for _, g := range bands.Groups(res.Facts) {
			st := sample[g.Key]
			st.Key = g.Key
			st.Apply(index.DeltaOf(res, 1))
			sample[g.Key] = st
		}
	}
	return sample
}

// submissionLatency compares a city's first submission through the local
// HTTP server with a bare TransactWriteItems of the same items, alternating;
// each iteration uses fresh cities, made untimed.
func submissionLatency(ctx context.Context, s *local.Stack, base, _ string, _ string, body []byte) error {
	const n = 200
	secret, tok := auth.Issue(auth.RoleSecretariat, "", "bench", time.Now(), time.Hour)
	if err := s.Store.PutToken(ctx, tok); err != nil {
		return err
	}
	newCity := func() (string, error) {
		var app membership.Application
		if err := json.Unmarshal([]byte(applicationBody()), &app); err != nil {
			return "", err
		}
		adm, err := membership.Apply(app, s.API("applications").Rules, time.Now(), ids.New)
		if err != nil {
			return "", err
		}
		adm.Notifications = nil
		return adm.City.ID, s.Store.Apply(ctx, adm, nil)
	}
	api := make([]time.Duration, 0, n)
	bare := make([]time.Duration, 0, n)
	var in index.Input
	if err := json.Unmarshal(body, &in); err != nil {
		return err
	}
	for i := range n {
		cityID, err := newCity()
		if err != nil {
			return err
		}
		start := time.Now()
		if err := expect(http.MethodPost, base+"/cities/"+cityID+"/index/submissions", secret, string(body), 202); err != nil {
			return err
		}
		api = append(api, time.Since(start))

		if cityID, err = newCity(); err != nil {
			return err
		}
		now := time.Now().UTC()
		sub := index.Submission{ID: ids.New(), CityID: cityID, Version: *in.Version, Answers: in.Answers,
			SubmittedAt: now, SubmittedBy: "bench", Status: index.StatusReceived}
		city, err := s.Store.CityForUpdate(ctx, cityID)
		if err != nil {
			return err
		}
		ch, err := city.SubmitIndex(sub, now, "bench")
		if err != nil {
			return err
		}
		items, err := s.Store.Transaction(ctx, ch, nil)
		if err != nil {
			return err
		}
		start = time.Now()
		if _, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
			return fmt.Errorf("bare submission %d: %w", i, err)
		}
		bare = append(bare, time.Since(start))
	}
	am, ap := quantiles(api)
	bm, bp := quantiles(bare)
	ratio := float64(am) / float64(bm)
	add(fmt.Sprintf("POST submission via local HTTP, median (n=%d)", n), am.Round(time.Microsecond).String(),
		"bare TransactWriteItems: "+bm.Round(time.Microsecond).String(), "-", true)
	add("  95th percentile", ap.Round(time.Microsecond).String(), "bare: "+bp.Round(time.Microsecond).String(), "-", true)
	add("  ratio of medians", fmt.Sprintf("%.2f", ratio), "1.00", "<= 2", ratio <= 2)
	return nil
}
