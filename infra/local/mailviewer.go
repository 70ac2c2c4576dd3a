package local

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/fees"
)

var mailPage = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local mail</title>
<meta http-equiv="refresh" content="10">
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
article{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:1em}
h2{font-size:1.1em;margin:0 0 .3em}
.meta{color:#555;font-size:.9em}
iframe{width:100%;height:22em;border:1px solid #eee}
details{margin-top:.5em}
#clock{background:#f4f6fa;border-radius:6px;padding:.6em 1em}
#clock button{margin:.2em .3em .2em 0}
</style></head><body>
<h1>Mail sent by the local stack</h1>
<section id="clock" aria-labelledby="clock-now">
<h2 id="clock-now">Local clock: <time datetime="{{.Now.Format "2006-01-02T15:04:05Z07:00"}}">{{.Now.Format "Mon 2 Jan 2006 15:04 MST"}}</time></h2>
<form method="post" action="/_local/clock">
Advance, running what falls due on the way:
<button name="advance" value="1d">1 day</button><button name="advance" value="1w">1 week</button><button name="advance" value="1mo">1 month</button>
{{range .Targets}}<button name="set" value="{{.Value}}">{{.Label}}</button>{{end}}
</form>
<p class="meta">Next: {{range $i, $o := .Next}}{{if $i}} · {{end}}{{$o.Schedule}} {{$o.At.Format "Mon 2 Jan 2006 15:04"}}{{end}}.
The clock runs on with real time and never goes back. JSON: <a href="/_local/clock">/_local/clock</a>.</p>
{{with .Last}}<p class="meta">Last move: {{.From.Format "2 Jan 2006 15:04"}} → {{.To.Format "2 Jan 2006 15:04"}}, ran
{{range $name, $n := .Ran}}{{$name}} ×{{$n}} {{else}}nothing{{end}}</p>{{end}}
</section>
<p class="meta">{{len .Mails}} message(s), newest first. JSON: <a href="/_local/mail.json">/_local/mail.json</a>. This page refreshes every 10 seconds.</p>
{{range .Mails}}<article>
<h2>{{.Subject}}</h2>
<div class="meta">To {{range .Destination}}{{.}} {{end}}· from {{.Source}} · sent {{.SentAt.Format "2006-01-02 15:04:05 MST"}} (real time)</div>
<iframe sandbox srcdoc="{{.HTMLBody}}" title="HTML part"></iframe>
<details><summary>Plain-text part</summary><pre>{{.Body}}</pre></details>
</article>{{else}}<p>No mail yet.</p>{{end}}
</body></html>`))

// mailView is the mail viewer page: the mail, and the clock with what it
// can be moved to.
type mailView struct {
	Mails   []Mail
	Now     time.Time
	Next    []Occurrence
	Last    *Move
	Targets []clockTarget
}

// clockTarget is a button that moves the clock to a schedule's next run.
type clockTarget struct{ Label, Value string }

func (s *Stack) mailJSON(w http.ResponseWriter, r *http.Request) {
	mails, err := s.Mailbox(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if mails == nil {
		mails = []Mail{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(mails)
}

func (s *Stack) mailHTML(w http.ResponseWriter, r *http.Request) {
	mails, err := s.Mailbox(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	v := mailView{Mails: mails, Now: s.Clock.Now().In(fees.Paris), Next: s.Scheduler.Next(), Last: s.Scheduler.Last()}
	// The calendar schedules' next runs (the annual run on 2 January, the
	// next daily run) are worth a button; a rate schedule's are not.
	for _, o := range v.Next {
		if !strings.HasPrefix(o.Expression, "rate(") {
			v.Targets = append(v.Targets, clockTarget{Label: "To the " + o.Schedule + " run of " + o.At.Format("2 Jan 2006 15:04"),
				Value: o.At.Format(time.RFC3339)})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = mailPage.Execute(w, v)
}
