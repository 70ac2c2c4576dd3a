// Package demo seeds the local stack with demo applications, sent through
// the real HTTP API so they take the same path a city's would. Every demo
// city's name ends in "(demo)" and its contact lives under .invalid.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// City is one demo application.
type City struct {
	Name             string
	Country          string
	Population       int64
	ForeignBorn      float64
	ForeignResidents float64
	Minorities       float64
	Language         string
}

// Cities are the demo applicants: varied sizes and diversity, one too
// small and one not diverse enough, so the secretariat's flags show.
var Cities = []City{
	{"Lisboa Norte (demo)", "PT", 545000, 14.2, 9.8, 0.5, "en"},
	{"Rheinstadt (demo)", "DE", 312000, 21.5, 16.1, 1.2, "en"},
	{"Villeneuve-sur-Loire (demo)", "FR", 148000, 12.1, 7.4, 0, "fr"},
	{"Porto Azzurro (demo)", "IT", 96000, 9.3, 8.7, 0.8, "en"},
	{"Nordhavn (demo)", "NO", 61000, 18.0, 11.5, 2.0, "en"},
	{"Ballarat East (demo)", "AU", 113000, 19.7, 6.2, 1.1, "en"},
	{"Saint-Aubin-les-Champs (demo)", "FR", 12000, 7.0, 4.0, 0, "fr"},
	{"Kamienna Góra (demo)", "PL", 84000, 1.4, 0.9, 2.1, "en"},
}

// Seed posts every demo application to the API at base. Each request has an
// Idempotency-Key, so seeding twice within a day creates nothing new.
func Seed(ctx context.Context, client *http.Client, base string) (int, error) {
	n := 0
	for i, c := range Cities {
		body, err := json.Marshal(map[string]any{
			"cityName": c.Name, "country": c.Country, "population": c.Population,
			"foreignBornShare": c.ForeignBorn, "foreignResidentShare": c.ForeignResidents,
			"nationalMinorityShare": c.Minorities, "language": c.Language,
			"contact": map[string]string{
				"name":  "Demo contact " + fmt.Sprint(i+1),
				"email": fmt.Sprintf("contact%d@demo-city.invalid", i+1),
			},
		})
		if err != nil {
			return n, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/applications", bytes.NewReader(body))
		if err != nil {
			return n, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("demo-seed-%d", i+1))
		resp, err := client.Do(req)
		if err != nil {
			return n, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return n, fmt.Errorf("demo city %s: %d %s", c.Name, resp.StatusCode, b)
		}
		if resp.Header.Get("Idempotent-Replayed") == "" {
			n++
		}
	}
	return n, nil
}
