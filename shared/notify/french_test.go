package notify

import (
	"maps"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/i18n/i18ntest"
)

// french is an email's data as the workflow writes it (raw values, the data
// convention of package i18n), about a French city.
func french(template string) Notification {
	return Notification{
		ID: "n1", Template: template, Lang: "fr", ToName: "Amélie Durand", ToEmail: "amelie@villeurbanne.example",
		Data: map[string]string{
			"CityID": "c1", "CityName": "Villeurbanne", "Country": "FR", "Population": "152000",
			"ForeignBornShare": "12.5", "ForeignResidentShare": "8", "NationalMinorityShare": "0",
			"ContactName": "Amélie Durand", "ContactEmail": "amelie@villeurbanne.example", "Eligible": "yes",
			"Reasons": "", "LinkExpires": "2027-05-25",
			"SubmissionID": "s1", "Version": "2019", "Aggregate": "68.8", "Rank": "3", "Of": "1250",
			"VisitDate": "2026-10-05", "Experts": "Ana Lopes, Björn Lind", "Representative": "Irena Novak",
			"ProfileTitle": "Villeurbanne, ville ouverte", "IssuedOn": "2026-12-01",
			"ProfileLink": "https://rm.coe.int/profile?city=c1&lang=fr",
			"InForceFrom": "2027-01-01", "EndsOn": "2030-11-30", "FeePerYear": "500000 EUR",
			"TerminatedByCity": "yes", "NoticeOn": "2028-03-10", "EffectiveOn": "2028-04-10",
			"Reason": "Restrictions budgétaires", "DaysLeft": "30", "Year": "2028",
			"HeldOn": "2026-10-07", "SignedOn": "2026-09-01", "AgreedOn": "2029-11-02", "Reference": "Lettre DG-II/2029/17",
			"InvoiceNumber": "ICC-2027-0042", "FeeYear": "2027", "IssueDate": "2027-01-04", "DueDate": "2027-02-03", "Total": "500000 EUR",
			"PaymentReference": "RF18ICC20270042", "IBAN": "FR76 3000 6000 0112 3456 7890 189", "BIC": "TESTFRPPXXX",
			"Beneficiary": "Conseil de l'Europe", "Amount": "250000 EUR", "ReceivedOn": "2027-01-20", "Outstanding": "250000 EUR",
			"Overpaid": "0 EUR", "Settled": "no", "CreditNoteNumber": "ICC-CN-2027-0003", "Credited": "100000 EUR",
			"Paid": "0 EUR", "DaysOverdue": "14", "InvoiceID": "i1", "ReportID": "r1", "ReportLink": "https://forms.example/index-form?city=c1#reports", "PublishedOn": "2027-02-01",
			"PreviousEndsOn": "2029-12-31",
			"AccessLink":     "https://forms.example/index-form?city=c1&lang=fr#token=abc",
		},
	}
}

// TestEveryEmailReadsAsFrench renders every template in French, in each of
// its variants, and finds no English word and no number, date, percentage
// or amount written the English way.
func TestEveryEmailReadsAsFrench(t *testing.T) {
	variants := map[string]map[string]string{
		"as sent":          {},
		"ineligible":       {"Eligible": "no", "Reasons": "population 29000 30000\ndiversity 4.9 5"},
		"by the Council":   {"TerminatedByCity": "no"},
		"tomorrow":         {"DaysLeft": "1"},
		"today":            {"DaysLeft": "0"},
		"without links":    {"AccessLink": "", "ProfileLink": ""},
		"a large network":  {"Rank": "1234", "Of": "10000", "Population": "2500000"},
		"the first of May": {"EndsOn": "2030-05-01", "VisitDate": "2027-05-01"},
	}
	for _, name := range Templates() {
		for variant, data := range variants {
			n := french(name)
			maps.Copy(n.Data, data)
			if data["AccessLink"] == "" && variant == "without links" {
				n.Data["AccessLink"] = ""
			}
			m, err := Render(n)
			if err != nil {
				t.Fatalf("%s (%s): %v", name, variant, err)
			}
			for part, text := range map[string]string{
				"subject": m.Subject, "text": m.Text, "html": i18ntest.HTMLText(m.HTML),
			} {
				if found := i18ntest.NotFrench(text); len(found) > 0 {
					t.Errorf("%s (%s), %s part, is not French:\n%s", name, variant, part, strings.Join(found, "\n"))
				}
			}
		}
	}
}

// TestValuesAreWordedInTheEmailsLanguage checks the words of raw values in
// both languages, where the French test above only finds English.
func TestValuesAreWordedInTheEmailsLanguage(t *testing.T) {
	tests := []struct {
		template, lang string
		data           map[string]string
		want           []string
	}{
		{"welcome", "fr", nil, []string{"du 1er janvier 2027 au 30 novembre 2030", "5\u202f000,00\u00a0€"}},
		{"welcome", "en", nil, []string{"from 1 January 2027 until 30 November 2030", "€5,000.00"}},
		{"index-scored", "fr", nil, []string{"68,8\u00a0%", "3 sur 1\u202f250 villes"}},
		{"index-scored", "en", nil, []string{"68.8%", "3 of 1,250 cities"}},
		{"application-secretariat", "fr", map[string]string{"Eligible": "no", "Reasons": "population 29000 30000"},
			[]string{"Population : 152\u202f000", "Nés à l'étranger : 12,5\u00a0%", "Éligible : non",
				"- population de 29\u202f000 habitants, sous le seuil de 30\u202f000 habitants"}},
		{"application-received", "en", map[string]string{"Eligible": "no", "Reasons": "population 29000 30000\ndiversity 4.9 5"},
			[]string{"- population 29,000 is below 30,000 inhabitants\n- no diversity share reaches 5.0% (highest: 4.9%)\n",
				"valid until 25 May 2027"}},
		{"application-received", "fr", map[string]string{"Eligible": "no", "Reasons": "diversity 4.9 5"},
			[]string{"n'atteint 5,0\u00a0% (la plus élevée : 4,9\u00a0%)", "valable jusqu'au 25 mai 2027"}},
		// Reasons written as English sentences, before they were raw, still show.
		{"application-received", "en", map[string]string{"Eligible": "no", "Reasons": "- population 29000 is below 30000 inhabitants"},
			[]string{"- population 29000 is below 30000 inhabitants\n"}},
	}
	for _, tc := range tests {
		n := french(tc.template)
		n.Lang = tc.lang
		maps.Copy(n.Data, tc.data)
		m, err := Render(n)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.template, tc.lang, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(m.Text, w) {
				t.Errorf("%s/%s: missing %q in\n%s", tc.template, tc.lang, w, m.Text)
			}
		}
	}
}
