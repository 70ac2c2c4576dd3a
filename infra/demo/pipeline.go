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
	Reported            Stage = iota // the INDEX scored and its report published: the visit is the next step
	ReportDrafted                    // the INDEX scored, its draft report awaiting the secretariat's review
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
	return []Stage{Reported, VisitScheduled, Member, VisitHeld, ProfileIssued, Member, ReportDrafted, Member,
		TerminationNotified, Withdrawn, Member}[i%11]
}

// advance takes each demo city to its stage through the secretariat's API,
// once its INDEX is scored (the stream does that in the background).
func advance(ctx context.Context, client *http.Client, base, adminToken string, ids []string) error {
	today := time.Now().UTC()
	day := func(months, days int) string { return today.AddDate(0, months, days).Format("2006-01-02") }
	if err := practices(ctx, client, base, adminToken, ids); err != nil {
		return err
	}
	for i, id := range ids {
		if StageOf(i) == ReportDrafted {
			continue
		}
		if err := publishReport(ctx, client, base, adminToken, id); err != nil {
			return fmt.Errorf("demo city %s: %w", Cities[i].Name, err)
		}
		if StageOf(i) == Reported {
			continue
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
	var run struct{ RunID string }
	if _, err := post(ctx, client, base+"/admin/runs/annual-invoices", adminToken, fmt.Sprintf("demo-annual-%d", year),
		[]byte(fmt.Sprintf(`{"year":%d}`, year)), &run); err != nil {
		return fmt.Errorf("demo annual invoices: %w", err)
	}
	if err := waitRun(ctx, client, base+"/admin/runs/annual-invoices/"+run.RunID, adminToken); err != nil {
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

// waitRun polls a run the secretariat asked for until it is finished, as
// the console does: the schedule's function runs it from the table's
// stream.
func waitRun(ctx context.Context, client *http.Client, url, adminToken string) error {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var run struct{ Status, Error string }
		if err := get(ctx, client, url, adminToken, &run); err != nil {
			return err
		}
		switch {
		case run.Status == "succeeded":
			return nil
		case run.Status == "failed":
			return fmt.Errorf("run %s failed: %s", url, run.Error)
		case time.Now().After(deadline):
			return fmt.Errorf("run %s is still %s after 3 minutes", url, run.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// publishReport waits until the city's INDEX is scored and its report
// drafted, then publishes the report, as the secretariat would after its
// review.
func publishReport(ctx context.Context, client *http.Client, base, adminToken, id string) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var list struct {
			Reports []struct{ ReportID, Status string }
		}
		if err := get(ctx, client, base+"/cities/"+id+"/reports", adminToken, &list); err != nil {
			return err
		}
		for _, r := range list.Reports {
			if r.Status == "published" {
				return nil
			}
		}
		if len(list.Reports) > 0 {
			_, err := post(ctx, client, base+"/admin/cities/"+id+"/reports/"+list.Reports[0].ReportID+"/publish", adminToken,
				"demo-publish-"+list.Reports[0].ReportID, nil, nil)
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("its INDEX was not scored within a minute")
}

// demoPractices are the demo catalogue: examples in several areas, each
// tied to a demo city, marked demo so that only demonstration reports may
// quote them.
var demoPractices = []struct {
	city                 int
	area                 string
	titleEN, titleFR     string
	summaryEN, summaryFR string
	year                 int
}{
	{1, "education", "Mother-tongue tutoring in every school", "Tutorat en langue maternelle dans chaque école",
		"Volunteers from the communities tutor pupils in their first language, which improves their results in the school's language too.",
		"Des bénévoles des communautés accompagnent les élèves dans leur première langue, ce qui améliore aussi leurs résultats dans la langue de l'école.", 2019},
	{10, "neighbourhoods", "Mixed housing in the new districts", "Logement mixte dans les nouveaux quartiers",
		"Every new district mixes social, student and family housing, with shared gardens and a neighbourhood house.",
		"Chaque nouveau quartier mêle logements sociaux, étudiants et familiaux, avec des jardins partagés et une maison de quartier.", 2018},
	{12, "public-services", "Intercultural training for front-desk staff", "Formation interculturelle des agents d'accueil",
		"All staff who meet the public follow a two-day course, and interpreters can be reached by video in 40 languages.",
		"Tous les agents au contact du public suivent une formation de deux jours, et des interprètes sont joignables en visio dans 40 langues.", 2021},
	{15, "business-labour", "Diverse suppliers in public procurement", "Fournisseurs divers dans les marchés publics",
		"Tenders score diversity in the supplier's workforce, and a desk helps small firms founded by migrants to bid.",
		"Les appels d'offres notent la diversité des équipes du fournisseur, et un guichet aide les petites entreprises fondées par des migrants à répondre.", 2020},
	{16, "mediation", "Neighbourhood mediators", "Médiateurs de quartier",
		"Trained residents of every background mediate everyday conflicts before they escalate; the police refer cases to them.",
		"Des habitants formés, de toutes origines, règlent les conflits du quotidien avant qu'ils ne s'enveniment ; la police leur adresse des cas.", 2017},
	{19, "welcoming", "A welcome pack and a buddy for newcomers", "Un kit d'accueil et un parrain pour les nouveaux arrivants",
		"Newcomers receive a welcome pack in their language and are paired with a resident who has lived in the city for years.",
		"Les nouveaux arrivants reçoivent un kit d'accueil dans leur langue et un parrain qui vit dans la ville depuis des années.", 2022},
	{4, "media", "A newsroom training scheme for young journalists", "Un programme de formation pour jeunes journalistes",
		"The city funds traineeships in local media for young people from minority backgrounds.",
		"La ville finance des stages dans les médias locaux pour des jeunes issus des minorités.", 2016},
	{13, "anti-discrimination", "A discrimination reporting point", "Un point de signalement des discriminations",
		"Residents can report discrimination online or in person; every case is answered within ten days.",
		"Les habitants peuvent signaler une discrimination en ligne ou sur place ; chaque cas reçoit une réponse sous dix jours.", 2020},
}

// practices seeds the demo catalogue through the secretariat's API.
func practices(ctx context.Context, client *http.Client, base, adminToken string, ids []string) error {
	for k, p := range demoPractices {
		c := Cities[p.city]
		body, err := json.Marshal(map[string]any{"cityId": ids[p.city], "cityName": c.Name, "country": c.Country, "area": p.area,
			"title": map[string]string{"en": p.titleEN, "fr": p.titleFR}, "summary": map[string]string{"en": p.summaryEN, "fr": p.summaryFR},
			"year": p.year, "published": true, "demo": true})
		if err != nil {
			return err
		}
		if _, err := post(ctx, client, base+"/admin/good-practices", adminToken, fmt.Sprintf("demo-practice-%d", k+1), body, nil); err != nil {
			return fmt.Errorf("demo practice %d: %w", k+1, err)
		}
	}
	return nil
}
