package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/intercultural-cities/backoffice/shared/fees"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
)

// Clock is the local stack's time: the real time moved by an offset, which
// tests (and POST /_local/clock) set or advance to watch a year of
// schedules go by. Every function of the stack reads it; deployed functions
// read the real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the stack's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the clock so that it reads t now (and runs on from there),
// either way, and runs no schedule: tests that fire the runs themselves
// use it. Scheduler.MoveTo moves it forward running what falls due.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Forward moves the clock to t unless it reads t or later already: a
// scheduled run takes the time of its occurrence without ever taking the
// clock back.
func (c *Clock) Forward(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := time.Until(t); d > c.offset {
		c.offset = d
	}
}

// Offset is how far the clock is ahead of real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// The clock's item in the table, kept for a stack whose data outlives the
// process: data stamped a year ahead needs the clock a year ahead.
const (
	clockPK = "LOCAL#clock"
	clockSK = "v1"
)

// saveClock keeps the clock's offset in the table.
func (s *Stack) saveClock(ctx context.Context, offset time.Duration) error {
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: clockPK}, "sk": &ddbtypes.AttributeValueMemberS{Value: clockSK},
			"type":   &ddbtypes.AttributeValueMemberS{Value: "local-clock"},
			"offset": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(int64(offset), 10)},
			"read":   &ddbtypes.AttributeValueMemberS{Value: time.Now().Add(offset).Format(time.RFC3339)},
		},
	})
	return err
}

// ResumeClock sets the clock as far ahead of real time as it was when the
// stack last stopped, if its table was kept: a restart never takes the
// clock back (see ErrBackwards).
func (s *Stack) ResumeClock(ctx context.Context) (time.Duration, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: clockPK}, "sk": &ddbtypes.AttributeValueMemberS{Value: clockSK},
		},
	})
	if err != nil {
		return 0, err
	}
	n, ok := out.Item["offset"].(*ddbtypes.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	offset, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the saved clock offset %q: %w", n.Value, err)
	}
	s.Scheduler.Resume(time.Duration(offset))
	return time.Duration(offset), nil
}

// clockView is what GET /_local/clock answers, and a move adds to.
type clockView struct {
	Now  time.Time    `json:"now"`
	Next []Occurrence `json:"next"`
	*Move
}

// clockGet answers the clock's time and each schedule's next run.
func (s *Stack) clockGet(w http.ResponseWriter, _ *http.Request) {
	writeLocalJSON(w, http.StatusOK, clockView{Now: s.Clock.Now().In(fees.Paris), Next: s.Scheduler.Next()})
}

// clockPost moves the clock forward, {"set": RFC 3339 time} or
// {"advance": "720h" | "30d" | "2w" | "1mo" | "1y"}, running what falls
// due, and answers the new time with the runs. The mail viewer's buttons
// send the same as a form, and the browser is sent back to the page.
func (s *Stack) clockPost(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Set     string `json:"set"`
		Advance string `json:"advance"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		localProblem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	// JSON whatever its Content-Type (curl -d sends a form's), else a form.
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			localProblem(w, r, http.StatusBadRequest, `the body is {"set": "2027-01-02T07:00:00+01:00"} or {"advance": "30d"}: `+err.Error())
			return
		}
	} else if q, err := url.ParseQuery(string(body)); err == nil {
		in.Set, in.Advance = q.Get("set"), q.Get("advance")
	}
	to, err := moveTarget(in.Set, in.Advance, s.Clock.Now())
	if err != nil {
		localProblem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	// The move goes to its end even if the caller gives up waiting.
	mv, err := s.Scheduler.MoveTo(context.WithoutCancel(r.Context()), to)
	switch {
	case errors.Is(err, ErrBackwards):
		localProblem(w, r, http.StatusConflict, err.Error())
		return
	case err != nil:
		localProblem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	// A browser's form goes back to the page it came from.
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		http.Redirect(w, r, "/_local/mail", http.StatusSeeOther)
		return
	}
	writeLocalJSON(w, http.StatusOK, clockView{Now: s.Clock.Now().In(fees.Paris), Next: s.Scheduler.Next(), Move: &mv})
}

// moveTarget reads where a move goes: an RFC 3339 time, or now advanced by
// a Go duration ("720h", "90m") or by calendar days, weeks, months or years
// in Paris ("30d", "2w", "1mo", "1y": a day across a clock change is the
// same time the next day, 23 or 25 hours on).
func moveTarget(set, advance string, now time.Time) (time.Time, error) {
	switch {
	case (set == "") == (advance == ""):
		return time.Time{}, errors.New(`give either "set" (an RFC 3339 time, e.g. 2027-01-02T07:00:00+01:00) or "advance" (e.g. "720h", "30d", "2w", "1mo", "1y")`)
	case set != "":
		t, err := time.Parse(time.RFC3339, set)
		if err != nil {
			return time.Time{}, fmt.Errorf(`"set" is an RFC 3339 time with its offset, e.g. 2027-01-02T07:00:00+01:00: %w`, err)
		}
		return t, nil
	}
	p := now.In(fees.Paris)
	for _, u := range []struct {
		suffix              string
		years, months, days int
	}{{"mo", 0, 1, 0}, {"y", 1, 0, 0}, {"w", 0, 0, 7}, {"d", 0, 0, 1}} {
		digits, ok := strings.CutSuffix(advance, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(digits)
		if err != nil || n < 1 || digits != strconv.Itoa(n) {
			break // not a calendar unit: perhaps a duration ("1d" is one; "90s" is not)
		}
		return p.AddDate(n*u.years, n*u.months, n*u.days), nil
	}
	d, err := time.ParseDuration(advance)
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf(`"advance" is a positive Go duration ("720h") or a number of days, weeks, months or years ("30d", "2w", "1mo", "1y"), not %q`, advance)
	}
	return now.Add(d), nil
}

// localProblem answers an RFC 9457 problem from a local-only endpoint, in
// English: these endpoints are tools of the developer, not of the contract.
func localProblem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	slug := map[int]string{http.StatusBadRequest: "invalid-input", http.StatusConflict: "conflict"}[status]
	writeLocalJSON(w, status, httpapi.Problem{Type: httpapi.ProblemTypeBase + slug, Title: http.StatusText(status),
		Status: status, Detail: detail, Instance: r.URL.Path})
}

func writeLocalJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if p, ok := v.(httpapi.Problem); ok && p.Status != 0 {
		w.Header().Set("Content-Type", "application/problem+json")
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
