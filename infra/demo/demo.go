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

	"github.com/intercultural-cities/backoffice/shared/index"
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

// Cities are the demo applicants: varied sizes and diversity across Europe and
// beyond, one too small and one not diverse enough so the secretariat's flags show.
var Cities = []City{
	{"Lisboa Norte (demo)", "PT", 545000, 14.2, 9.8, 0.5, "en"},
	{"Rheinstadt (demo)", "DE", 312000, 21.5, 16.1, 1.2, "en"},
	{"Villeneuve-sur-Loire (demo)", "FR", 148000, 12.1, 7.4, 0, "fr"},
	{"Porto Azzurro (demo)", "IT", 96000, 9.3, 8.7, 0.8, "en"},
	{"Nordhavn (demo)", "NO", 61000, 18.0, 11.5, 2.0, "en"},
	{"Ballarat East (demo)", "AU", 113000, 19.7, 6.2, 1.1, "en"},
	{"Saint-Aubin-les-Champs (demo)", "FR", 12000, 7.0, 4.0, 0, "fr"},
	{"Kamienna Góra (demo)", "PL", 84000, 1.4, 0.9, 2.1, "en"},
	{"Valmonte (demo)", "ES", 238000, 16.4, 12.0, 0.3, "en"},
	{"Lagos do Sul (demo)", "PT", 71000, 11.2, 8.1, 0, "en"},
	{"Bergheim an der Ruhr (demo)", "DE", 167000, 24.8, 15.3, 0.6, "en"},
	{"Montclair-sur-Mer (demo)", "FR", 89000, 13.5, 7.7, 0.2, "fr"},
	{"Sankt Florian (demo)", "AT", 203000, 22.1, 18.4, 1.5, "en"},
	{"Aarhusvig (demo)", "DK", 58000, 10.4, 7.9, 0.1, "en"},
	{"Tamperelä (demo)", "FI", 124000, 8.6, 6.3, 5.4, "en"},
	{"Göteholm (demo)", "SE", 276000, 27.3, 14.2, 2.3, "en"},
	{"Drammensby (demo)", "NO", 102000, 25.1, 17.8, 0.4, "en"},
	{"Kildare Bay (demo)", "IE", 64000, 17.9, 12.6, 0.9, "en"},
	{"Leedsmoor (demo)", "GB", 489000, 12.8, 8.4, 0.7, "en"},
	{"Ostravice (demo)", "CZ", 142000, 5.9, 3.8, 6.2, "en"},
	{"Lublinek (demo)", "PL", 183000, 3.1, 1.7, 5.8, "en"},
	{"Novi Grad (demo)", "RS", 96000, 4.4, 2.9, 14.6, "en"},
	{"Patraïda (demo)", "GR", 213000, 9.7, 8.8, 1.9, "en"},
	{"Kyrenia Nova (demo)", "CY", 47000, 21.0, 19.3, 3.2, "en"},
	{"Odesivka (demo)", "UA", 612000, 6.8, 2.1, 18.5, "en"},
	{"Melitovka (demo)", "UA", 150000, 5.3, 1.6, 21.3, "en"},
	{"Tangerine Bay (demo)", "MA", 318000, 5.5, 3.4, 0, "fr"},
	{"Haifa Heights (demo)", "IL", 285000, 33.4, 8.2, 20.1, "en"},
	{"Montréal-Est (demo)", "CA", 387000, 29.8, 12.4, 1.1, "fr"},
	{"Hamamatsu Kita (demo)", "JP", 795000, 3.2, 3.0, 0.5, "en"},
	{"Ansan-dong (demo)", "KR", 652000, 11.8, 11.2, 0, "en"},
	{"Geelong West (demo)", "AU", 258000, 23.4, 10.3, 1.4, "en"},
	{"Wellingtonia (demo)", "NZ", 212000, 31.6, 9.1, 14.7, "en"},
	{"Ciudad Juárez Norte (demo)", "MX", 1510000, 5.1, 2.2, 1.3, "en"},
	{"Dayton Park (demo)", "US", 137000, 7.9, 4.5, 0, "en"},
	{"Reggio Terme (demo)", "IT", 171000, 12.9, 12.1, 0.2, "en"},
	{"Limassol Bay (demo)", "CY", 102000, 24.7, 21.5, 2.9, "en"},
	{"Sabadell Alt (demo)", "ES", 216000, 15.8, 11.3, 0, "en"},
	{"Neuchâtel-Lac (demo)", "CH", 45000, 26.5, 24.8, 0.8, "fr"},
	{"Luxembourg-Gare (demo)", "LU", 128000, 47.1, 46.3, 0, "fr"},
	{"Rotterdam-Zuid (demo)", "NL", 206000, 38.2, 12.5, 0, "en"},
	{"Genk-Centrum (demo)", "BE", 66000, 31.4, 19.7, 0, "fr"},
	{"Tartu Uus (demo)", "EE", 97000, 10.8, 8.2, 13.4, "en"},
	{"Rīga Krasts (demo)", "LV", 144000, 6.5, 5.1, 24.3, "en"},
}

// Strength is how far along demo city i is, spread so that aggregates run
// from about 35 % to 90 %.
func Strength(i int) float64 {
	return 0.40 + 0.48*float64((i*37)%len(Cities))/float64(len(Cities)-1)
}

// Seed posts every demo application to the API at base, then each city's
// INDEX answers (as the secretariat, with adminToken), so the comparisons
// have a network to compare with. Every request has an Idempotency-Key, so
// seeding twice within a day creates nothing new.
func Seed(ctx context.Context, client *http.Client, base, adminToken string) (int, error) {
	q := index.Current()
	n := 0
	ids := make([]string, len(Cities))
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
		var created struct{ CityID string }
		replayed, err := post(ctx, client, base+"/applications", "", fmt.Sprintf("demo-seed-%d", i+1), body, &created)
		if err != nil {
			return n, fmt.Errorf("demo city %s: %w", c.Name, err)
		}
		if !replayed {
			n++
		}
		ids[i] = created.CityID
		sub, err := json.Marshal(map[string]any{
			"version": q.Version, "answers": Answers(q, c, Strength(i), uint64(i+1), i%3 == 0),
		})
		if err != nil {
			return n, err
		}
		if _, err := post(ctx, client, base+"/cities/"+created.CityID+"/index/submissions", adminToken,
			fmt.Sprintf("demo-index-%d", i+1), sub, nil); err != nil {
			return n, fmt.Errorf("demo INDEX of %s: %w", c.Name, err)
		}
	}
	return n, advance(ctx, client, base, adminToken, ids)
}

func post(ctx context.Context, client *http.Client, url, token, key string, body []byte, out any) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return false, fmt.Errorf("%s: %d %s", url, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return false, err
		}
	}
	return resp.Header.Get("Idempotent-Replayed") != "", nil
}
