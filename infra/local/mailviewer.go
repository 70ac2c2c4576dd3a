package local

import (
	"encoding/json"
	"html/template"
	"net/http"
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
</style></head><body>
<h1>Mail sent by the local stack</h1>
<p class="meta">{{len .}} message(s), newest first. JSON: <a href="/_local/mail.json">/_local/mail.json</a>. This page refreshes every 10 seconds.</p>
{{range .}}<article>
<h2>{{.Subject}}</h2>
<div class="meta">To {{range .Destination}}{{.}} {{end}}· from {{.Source}} · {{.SentAt.Format "2006-01-02 15:04:05 MST"}}</div>
<iframe sandbox srcdoc="{{.HTMLBody}}" title="HTML part"></iframe>
<details><summary>Plain-text part</summary><pre>{{.Body}}</pre></details>
</article>{{else}}<p>No mail yet.</p>{{end}}
</body></html>`))

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
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = mailPage.Execute(w, mails)
}
