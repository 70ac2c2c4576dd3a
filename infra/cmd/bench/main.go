// Command bench measures what the issues ask for and prints each figure
// beside its baseline or target, all taken in the same run on this machine:
// DynamoDB round trips per operation, function binary sizes, cold starts under
// the Lambda Runtime Interface Emulator, request latency against a bare
// DynamoDB transaction of the same items, and what a year costs on AWS
// (cost.go), printed after the figures.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/intercultural-cities/backoffice/infra/local"
	"github.com/intercultural-cities/backoffice/shared/ids"
	"github.com/intercultural-cities/backoffice/shared/membership"
)

// row is one printed figure.
type row struct {
	what, measured, baseline, target, verdict string
}

var rows []row

func add(what, measured, baseline, target string, ok bool) {
	v := "ok"
	if !ok {
		v = "MISSED"
	}
	rows = append(rows, row{what, measured, baseline, target, v})
}

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx := context.Background()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "FIGURE\tMEASURED\tBASELINE (same run)\tTARGET\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.what, r.measured, r.baseline, r.target, r.verdict)
	}
	_ = w.Flush()
	fmt.Print(costReport.String())
}

// sections are the bench's parts, in the order they run; -only picks some.
var sections = []string{"roundtrips", "latency", "index", "workflow", "fees", "report", "cost", "coldstarts", "binaries"}

func run(ctx context.Context) error {
	only := flag.String("only", "", "comma-separated sections to run, of "+strings.Join(sections, ","))
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	want := func(name string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), name) }
	s, err := local.Start(ctx, local.Options{Table: fmt.Sprintf("bench-%d", time.Now().UnixNano())})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	steps := map[string]func() error{
		"roundtrips": func() error { return roundTrips(ctx, s, srv.URL) },
		"latency":    func() error { return latency(ctx, s, srv.URL) },
		"index":      func() error { return indexFigures(ctx, s, srv.URL) },
		"workflow":   func() error { return workflowFigures(ctx, s, srv.URL) },
		"fees":       func() error { return feeFigures(ctx, s) },
		"report":     reportFigures,
		"cost":       func() error { return costFigures(ctx) },
		"coldstarts": func() error { return coldStarts(ctx, s) },
		"binaries":   func() error { return binaries(ctx) },
	}
	for _, name := range sections {
		if want(name) {
			if err := steps[name](); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

var seq int

func applicationBody() string {
	seq++
	return fmt.Sprintf(`{"cityName":"Bench City %d","country":"FR","population":%d,"foreignBornShare":12.5,
		"foreignResidentShare":9,"nationalMinorityShare":0,"contact":{"name":"Bench","email":"bench%d@city.example"},"language":"en"}`,
		seq, 50000+seq, seq)
}

func post(url, body string, headers ...string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// roundTrips counts the DynamoDB requests each operation sends.
func roundTrips(ctx context.Context, s *local.Stack, base string) error {
	measure := func(f func() error) (int64, error) {
		before := s.RoundTrips.Load()
		err := f()
		return s.RoundTrips.Load() - before, err
	}
	var cityID string
	n, err := measure(func() error {
		status, body, err := post(base+"/applications", applicationBody())
		if err != nil || status != 201 {
			return fmt.Errorf("apply: %d %s %v", status, body, err)
		}
		var r struct{ CityID string }
		cityID = r.CityID
		return json.Unmarshal(body, &r)
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: POST /applications", fmt.Sprint(n), "-", "<= 2", n <= 2)

	n, err = measure(func() error {
		status, body, err := post(base+"/applications", applicationBody(), "Idempotency-Key", "bench-rt-1")
		if err != nil || status != 201 {
			return fmt.Errorf("apply with key: %d %s %v", status, body, err)
		}
		var r struct{ CityID string }
		err = json.Unmarshal(body, &r)
		cityID = r.CityID
		return err
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: POST /applications with Idempotency-Key", fmt.Sprint(n), "-", "<= 2", n <= 2)

	if err := s.Drain(ctx); err != nil {
		return err
	}
	token, err := tokenFor(ctx, s, "bench2@city.example")
	if err != nil {
		return err
	}
	n, err = measure(func() error {
		req, _ := http.NewRequest(http.MethodGet, base+"/cities/"+cityID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("get city: %d %s", resp.StatusCode, b)
		}
		return nil
	})
	if err != nil {
		return err
	}
	add("DynamoDB round trips: GET /cities/{id} incl. token check", fmt.Sprint(n), "-", "<= 2", n <= 2)

	// Delivering one email: claim, send (SES), mark sent.
	status, body, err := post(base+"/applications", applicationBody())
	if err != nil || status != 201 {
		return fmt.Errorf("apply: %d %s %v", status, body, err)
	}
	n, err = measure(func() error { return s.Drain(ctx) })
	if err != nil {
		return err
	}
	add("DynamoDB round trips: notify, per email", fmt.Sprintf("%.1f", float64(n)/2), "-", "2 (claim, mark sent)", n <= 4)
	return nil
}

func tokenFor(ctx context.Context, s *local.Stack, addr string) (string, error) {
	mails, err := s.MailTo(ctx, addr)
	if err != nil {
		return "", err
	}
	for _, m := range mails {
		if i := strings.Index(m.Body, "#token="); i >= 0 {
			tok := m.Body[i+len("#token="):]
			if j := strings.IndexAny(tok, " \n\r"); j >= 0 {
				tok = tok[:j]
			}
			return tok, nil
		}
	}
	return "", fmt.Errorf("no access link mailed to %s", addr)
}

// latency compares POST /applications end to end through the local HTTP
// server with a bare TransactWriteItems of the same items on the same
// emulator. The two alternate, so both see the same table size and machine
// load; medians and 95th percentiles are reported.
func latency(ctx context.Context, s *local.Stack, base string) error {
	const n = 400
	api := make([]time.Duration, 0, n)
	bare := make([]time.Duration, 0, n)
	for range n {
		body := applicationBody()
		start := time.Now()
		status, resp, err := post(base+"/applications", body)
		if err != nil || status != 201 {
			return fmt.Errorf("apply: %d %s %v", status, resp, err)
		}
		api = append(api, time.Since(start))

		var app membership.Application
		if err := json.Unmarshal([]byte(applicationBody()), &app); err != nil {
			return err
		}
		adm, err := membership.Apply(app, s.API("applications").Rules, time.Now(), ids.New)
		if err != nil {
			return err
		}
		items, err := s.Store.Transaction(ctx, adm, nil)
		if err != nil {
			return err
		}
		start = time.Now()
		if _, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
			return err
		}
		bare = append(bare, time.Since(start))
	}
	am, ap := quantiles(api)
	bm, bp := quantiles(bare)
	ratio := float64(am) / float64(bm)
	add(fmt.Sprintf("POST /applications via local HTTP, median (n=%d)", n), am.Round(time.Microsecond).String(),
		"bare TransactWriteItems: "+bm.Round(time.Microsecond).String(), "-", true)
	add("  95th percentile", ap.Round(time.Microsecond).String(), "bare: "+bp.Round(time.Microsecond).String(), "-", true)
	add("  ratio of medians", fmt.Sprintf("%.2f", ratio), "1.00", "<= 2", ratio <= 2)
	return nil
}

func quantiles(d []time.Duration) (median, p95 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*95/100]
}
