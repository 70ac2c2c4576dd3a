package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Stage is how far along the admission path a demo city is taken, so that
// the pipeline shows every step and the daily duties have work.
type Stage int

// The stages, in the order of the path.
const (
	Reported            Stage = iota // the INDEX scored: the analysis is the next step
	VisitScheduled                   // an expert visit next month
	VisitHeld                        // the visit held, the profile next
	ProfileIssued                    // the agreement next
	Member                           // in force for a year: its first progress report is due
	TerminationNotified              // a member that gave notice last week
	Withdrawn                        // a candidate that withdrew
	Declined                         // ineligible, declined by the secretariat
)

// StageOf spreads the demo cities over the path: the ineligible ones are
// declined, the others cycle through the stages.
func StageOf(i int) Stage {
	c := Cities[i]
	if c.Population < 30000 || max(c.ForeignBorn, c.ForeignResidents, c.Minorities) < 5 {
		return Declined
	}
	return []Stage{Reported, VisitScheduled, Member, VisitHeld, ProfileIssued, Member, Reported, Member,
		TerminationNotified, Withdrawn, Member}[i%11]
}

// advance takes each demo city to its stage through the secretariat's API,
// once its INDEX is scored (the stream does that in the background).
func advance(ctx context.Context, client *http.Client, base, adminToken string, ids []string) error {
	today := time.Now().UTC()
	day := func(months, days int) string { return today.AddDate(0, months, days).Format("2006-01-02") }
	for i, id := range ids {
		if StageOf(i) == Reported {
			continue
		}
		if err := waitReported(ctx, client, base, adminToken, id); err != nil {
			return fmt.Errorf("demo city %s: %w", Cities[i].Name, err)
		}
		if err := advanceOne(ctx, client, base, adminToken, i, id, day); err != nil {
			return err
		}
	}
	return invoices(ctx, client, base, adminToken, ids, today.Year())
}

// advanceOne takes demo city i, whose INDEX is reported, to its stage.
func advanceOne(ctx context.Context, client *http.Client, base, adminToken string, i int, id string, day func(months, days int) string) error {
	stage := StageOf(i)
	step := func(name, path string, body any, out any) error {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		_, err = post(ctx, client, base+"/admin/cities/"+id+path, adminToken, fmt.Sprintf("demo-%s-%d", name, i+1), b, out)
		if err != nil {
			return fmt.Errorf("demo city %s, %s: %w", Cities[i].Name, name, err)
		}
		return nil
	}
	switch stage {
	case Declined:
		return step("decline", "/decline", map[string]string{"reason": "Demo: below the eligibility thresholds."}, nil)
	case Withdrawn:
		return step("withdrawal", "/withdrawal", map[string]string{"reason": "Demo: the new council will decide after the elections."}, nil)
	}
	// A member's path lies a year back; a candidate's is recent.
	back := 0
	if stage >= Member {
		back = -14
	}
	visit := map[string]any{"scheduledFor": day(back-1, 0), "representative": map[string]string{"name": "Demo Representative", "email": "representative@coe.invalid"},
		"experts": []map[string]string{{"name": "Demo Expert", "email": "expert@demo-city.invalid"}}}
	if stage == VisitScheduled {
		visit["scheduledFor"] = day(1, 0)
	}
	var file struct{ ExpertVisit struct{ VisitID string } }
	if err := step("visit", "/expert-visits", visit, &file); err != nil || stage == VisitScheduled {
		return err
	}
	held := map[string]string{"heldOn": day(back-1, 0), "diagnosis": "Demo: strong commitment; public space and media lag behind."}
	if err := step("held", "/expert-visits/"+file.ExpertVisit.VisitID+"/held", held, nil); err != nil || stage == VisitHeld {
		return err
	}
	profile := map[string]string{"title": "Intercultural profile of " + Cities[i].Name, "issuedOn": day(back, -15)}
	if err := step("profile", "/profile", profile, nil); err != nil || stage == ProfileIssued {
		return err
	}
	// The programme's agreements run for about four years; the billing
	// details come with the agreement (but for one city, whose invoices
	// wait for them).
	signed, ends := day(back+1, 0), day(back+1+48, -1)
	agreement := map[string]any{"citySignedOn": signed, "coeSignedOn": signed, "endsOn": ends}
	if Billed(i) {
		agreement["billing"] = billing(Cities[i], i)
	}
	if err := step("agreement", "/agreement", agreement, nil); err != nil || stage == Member {
		return err
	}
	notice := map[string]string{"by": "city", "noticeOn": day(0, -7), "reason": "Demo: budget cuts."}
	return step("termination", "/termination", notice, nil)
}

// Billed says whether demo city i gave its billing details with its
// agreement.
func Billed(i int) bool { return i%11 != 7 }

// billing is a demo city's billing details.
func billing(c City, i int) map[string]any {
	name := strings.TrimSuffix(c.Name, " (demo)")
	return map[string]any{
		"legalName": "City of " + name + " (demo)",
		"address":   map[string]string{"street": fmt.Sprintf("%d Town Hall Square", i+1), "city": name, "postalCode": fmt.Sprintf("%05d", 10000+i*37), "country": c.Country},
		"reference": fmt.Sprintf("DEMO-%03d", i+1),
		"email":     fmt.Sprintf("finance%d@demo-city.invalid", i+1),
	}
}

// invoices gives the demo's members this year's invoices too (the annual
// run, fired as the secretariat would), then pays some: one in full, one
// half, the others left open, so the finance view has every status.
func invoices(ctx context.Context, client *http.Client, base, adminToken string, ids []string, year int) error {
	if _, err := post(ctx, client, base+"/admin/runs/annual-invoices", adminToken, fmt.Sprintf("demo-annual-%d", year),
		[]byte(fmt.Sprintf(`{"year":%d}`, year)), nil); err != nil {
		return fmt.Errorf("demo annual invoices: %w", err)
	}
	for i, id := range ids {
		if StageOf(i) != Member || !Billed(i) || i%3 == 0 {
			continue
		}
		var list struct {
			Invoices []struct {
				InvoiceID string
				Total     struct{ Amount int64 }
			}
		}
		deadline := time.Now().Add(time.Minute)
		for len(list.Invoices) < 2 && time.Now().Before(deadline) {
			if err := get(ctx, client, base+"/cities/"+id+"/invoices", adminToken, &list); err != nil {
				return err
			}
			if len(list.Invoices) < 2 {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if len(list.Invoices) < 2 {
			return fmt.Errorf("demo city %s: its invoices were not issued within a minute", Cities[i].Name)
		}
		// Last year's is paid in full; this year's, by every other member, half.
		for k, inv := range list.Invoices {
			amount := inv.Total.Amount
			if k == 0 && i%2 == 0 {
				amount /= 2
			} else if k == 0 {
				continue
			}
			if amount == 0 {
				continue
			}
			body := fmt.Sprintf(`{"amount":%d,"receivedOn":%q,"reference":"DEMO-%03d"}`, amount, time.Now().UTC().Format("2006-01-02"), i+1)
			if _, err := post(ctx, client, base+"/admin/invoices/"+inv.InvoiceID+"/payments", adminToken,
				fmt.Sprintf("demo-pay-%s", inv.InvoiceID), []byte(body), nil); err != nil {
				return fmt.Errorf("demo payment of %s: %w", Cities[i].Name, err)
			}
		}
	}
	return nil
}

func get(ctx context.Context, client *http.Client, url, token string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// waitReported waits until the city's INDEX is scored and reported.
func waitReported(ctx context.Context, client *http.Client, base, adminToken, id string) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/cities/"+id, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		var file struct{ Status string }
		err = json.NewDecoder(resp.Body).Decode(&file)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		if file.Status != "applied" && file.Status != "index_submitted" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("its INDEX was not scored within a minute")
}
