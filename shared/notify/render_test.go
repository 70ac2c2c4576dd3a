package notify

import (
	"strings"
	"testing"
)

func sample(template, lang string) Notification {
	return Notification{
		ID: "n1", Template: template, Lang: lang, ToName: "Zoë <Admin>", ToEmail: "zoe@city.example",
		Data: map[string]string{
			"CityID": "c1", "CityName": `<script>alert("x")</script> & Co`, "Country": "FR", "Population": "31000",
			"ForeignBornShare": "4", "ForeignResidentShare": "5.5", "NationalMinorityShare": "0",
			"ContactName": "Zoë", "ContactEmail": "zoe@city.example", "Eligible": "no",
			"Reasons": "population 29000 30000", "LinkExpires": "2027-05-25",
			"SubmissionID": "s1", "Version": "2019", "Aggregate": "71.5", "Rank": "3", "Of": "41",
			"VisitDate": "2026-10-05", "Experts": "Ana <Expert>, Björn & Co", "Representative": `Irena "CoE" Novak`,
			"ProfileTitle": `<b>Open</b> & "plural" city`, "IssuedOn": "2026-12-01",
			"ProfileLink": "https://rm.coe.int/profile?city=c1&lang=en",
			"InForceFrom": "2027-01-15", "EndsOn": "2030-01-14", "FeePerYear": "500000 EUR",
			"TerminatedByCity": "yes", "NoticeOn": "2028-03-10", "EffectiveOn": "2028-04-10",
			"Reason": "Budget <cuts>\nsecond line", "DaysLeft": "30", "Year": "2028",
			"HeldOn": "2026-10-05", "SignedOn": "2026-09-01", "AgreedOn": "2029-11-02", "Reference": "Letter <DG-II/2029/17>",
			"InvoiceNumber": "ICC-2027-0042", "FeeYear": "2027", "IssueDate": "2027-01-04", "DueDate": "2027-02-03", "Total": "500000 EUR",
			"PaymentReference": "RF18ICC20270042", "IBAN": "FR76 3000 6000 0112 3456 7890 189", "BIC": "TESTFRPPXXX",
			"Beneficiary": "Council of Europe", "Amount": "250000 EUR", "ReceivedOn": "2027-01-20", "Outstanding": "250000 EUR",
			"Overpaid": "0 EUR", "Settled": "no", "CreditNoteNumber": "ICC-CN-2027-0003", "Credited": "100000 EUR",
			"Paid": "0 EUR", "DaysOverdue": "14", "InvoiceID": "i1", "ReportID": "r1", "ReportLink": "https://forms.example/index-form?city=c1#reports", "PublishedOn": "2027-02-01",
			"PreviousEndsOn": "2029-12-31",
			"AccessLink":     "https://forms.example/index-form?city=c1#token=abc",
		},
	}
}

func TestEveryTemplateRendersInBothLanguagesWithEscaping(t *testing.T) {
	names := Templates()
	if len(names) < 2 {
		t.Fatalf("templates %v", names)
	}
	for _, name := range names {
		for _, lang := range Languages {
			t.Run(name+"/"+lang, func(t *testing.T) {
				m, err := Render(sample(name, lang))
				if err != nil {
					t.Fatal(err)
				}
				if m.Subject == "" || m.Text == "" || m.HTML == "" {
					t.Fatalf("empty part: %+v", m)
				}
				if strings.Contains(m.HTML, "<script>") {
					t.Error("the HTML part does not escape the city name")
				}
				if !strings.Contains(m.HTML, "&lt;script&gt;") {
					t.Error("the HTML part lost the city name")
				}
				if strings.ContainsAny(m.Subject, "\r\n") {
					t.Error("subject has a line break")
				}
				if !strings.Contains(m.HTML, `lang="`+lang+`"`) {
					t.Errorf("HTML part is not marked %s", lang)
				}
			})
		}
	}
}

func TestFrenchAndEnglishDiffer(t *testing.T) {
	en, _ := Render(sample("application-received", "en"))
	fr, _ := Render(sample("application-received", "fr"))
	if en.Subject == fr.Subject || !strings.Contains(fr.Subject, "Cités interculturelles") {
		t.Fatalf("subjects en %q fr %q", en.Subject, fr.Subject)
	}
	if !strings.Contains(en.Text, "#token=abc") || !strings.Contains(fr.Text, "#token=abc") {
		t.Fatal("the access link is missing")
	}
}

func TestHeaderInjectionIsRefused(t *testing.T) {
	tests := map[string]func(*Notification){
		"CR in name":    func(n *Notification) { n.ToName = "A\rB" },
		"LF in name":    func(n *Notification) { n.ToName = "A\nBcc: x@y.example" },
		"LF in address": func(n *Notification) { n.ToEmail = "a@b.example\nBcc: x@y.example" },
		"display name":  func(n *Notification) { n.ToEmail = "A <a@b.example>" },
		"no domain dot": func(n *Notification) { n.ToEmail = "a@localhost" },
		"LF in subject": func(n *Notification) { n.Data["CityName"] = "Lyon\nBcc: x@y.example" },
		"missing value": func(n *Notification) { delete(n.Data, "CityName") },
		"unknown name":  func(n *Notification) { n.Template = "nope" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			n := sample("application-received", "en")
			mutate(&n)
			if _, err := Render(n); err == nil {
				t.Fatal("rendered anyway")
			}
		})
	}
}

func TestValidAddress(t *testing.T) {
	for addr, ok := range map[string]bool{
		"a@b.example": true, "first.last+tag@city.gov.example": true,
		"": false, "a": false, "@b.example": false, "a@b.": false, "a@@b.example": false,
		strings.Repeat("a", 250) + "@b.example": false,
	} {
		if got := ValidAddress(addr) == nil; got != ok {
			t.Errorf("ValidAddress(%q) = %v, want %v", addr, got, ok)
		}
	}
}

func TestConditionalParts(t *testing.T) {
	tests := []struct {
		template, lang string
		mutate         func(*Notification)
		want, notWant  []string
	}{
		{"profile-issued", "en", func(n *Notification) {}, []string{"https://rm.coe.int/profile?city=c1&amp;lang=en"}, nil},
		{"profile-issued", "en", func(n *Notification) { n.Data["ProfileLink"] = "" }, nil, []string{"href", "Read the intercultural profile"}},
		{"profile-issued", "fr", func(n *Notification) { n.Data["ProfileLink"] = "" }, nil, []string{"href", "Consulter le profil"}},
		{"termination-notice", "en", func(n *Notification) {}, []string{"gave the Council of Europe written notice", "10 April 2028"}, []string{"the Council of Europe gave"}},
		{"termination-notice", "en", func(n *Notification) { n.Data["TerminatedByCity"] = "no" }, []string{"the Council of Europe gave"}, []string{"gave the Council of Europe written notice"}},
		{"termination-notice", "fr", func(n *Notification) { n.Data["TerminatedByCity"] = "no" }, []string{"le Conseil de l'Europe a notifié"}, nil},
		{"expiry-warning", "en", func(n *Notification) {}, []string{"in 30 days"}, nil},
		{"expiry-warning", "en", func(n *Notification) { n.Data["DaysLeft"] = "1" }, []string{"(tomorrow)"}, []string{"1 days"}},
		{"expiry-warning", "fr", func(n *Notification) { n.Data["DaysLeft"] = "0" }, []string{"(aujourd'hui)"}, []string{"0 jours"}},
		{"access-link", "fr", func(n *Notification) {}, []string{"#token=abc", "L'ancien lien ne fonctionne plus"}, nil},
	}
	for _, tc := range tests {
		n := sample(tc.template, tc.lang)
		tc.mutate(&n)
		m, err := Render(n)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.template, tc.lang, err)
		}
		for _, part := range []string{m.Text, m.HTML} {
			for _, w := range tc.want {
				if strings.Contains(w, "&amp;") && part == m.Text {
					w = strings.ReplaceAll(w, "&amp;", "&")
				}
				if !strings.Contains(part, w) {
					t.Errorf("%s/%s: missing %q in\n%s", tc.template, tc.lang, w, part)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(part, w) {
					t.Errorf("%s/%s: unexpected %q in\n%s", tc.template, tc.lang, w, part)
				}
			}
		}
	}
}

func TestTheProgressReminderWithAndWithoutALink(t *testing.T) {
	for _, lang := range Languages {
		with := sample("progress-due", lang)
		with.Data["AccessLink"] = "https://forms.example/progress-report?city=c1&lang=" + lang + "#token=abc"
		m, err := Render(with)
		if err != nil || !strings.Contains(m.Text, with.Data["AccessLink"]) || !strings.Contains(m.HTML, "progress-report?city=c1&amp;lang="+lang+"#token=abc") {
			t.Errorf("%s, with a link: %v\n%s", lang, err, m.Text)
		}
		without := sample("progress-due", lang)
		without.Data["AccessLink"] = ""
		m, err = Render(without)
		if err != nil || strings.Contains(m.Text, "#token=") || strings.Contains(m.HTML, "<a href") {
			t.Errorf("%s, without a link: %v\n%s", lang, err, m.Text)
		}
	}
}
