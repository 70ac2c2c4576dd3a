package i18ntest

import (
	"strings"
	"testing"
)

func TestNotFrenchFindsEnglishAndOnlyIt(t *testing.T) {
	tests := []struct {
		text string
		want []string // what the findings name, in order; none for French
	}{
		// French passes, with its numbers, its codes and what is not prose.
		{"L'accord court jusqu'au 30 novembre 2026 ; contribution de 5\u202f000,00\u00a0€, indice 68,8\u00a0%.", nil},
		{"Ville : Lyon (FR), population 152\u202f000, Éligible : oui. Questionnaire INDEX 2019, rang 3 sur 41.", nil},
		{"Ouvrez https://forms.example/index-form?city=c1&lang=fr#token=abc ou écrivez à zoe@city.example.", nil},
		{"Le lien se termine par #token=… ; rang {rank} sur {of}, {min} {unit} ou plus.", nil},
		{"Les membres rendent compte (accord, article 2.2 ; §2.5) ; p. ex. « Turquie 4 %, Pologne 1,5 % ».", nil},
		{"Un report de date, une file d'attente, la somme due, on verra ; or, un an après.", nil},
		{"NO, US, EUR, FR : des codes.", nil},
		{"Une facture électronique (EN 16931, UBL), un relevé ISO 20022 ; votre application bancaire.", nil},
		// English words.
		{"Cités interculturelles : the agreement ends", []string{"the", "agreement", "ends"}},
		{"Éligible : no", []string{"no"}},
		{"Le secrétariat des Intercultural Cities", []string{"Intercultural", "Cities"}},
		{"prend fin le 30 November 2026", []string{"November"}},
		// English numbers.
		{"population 150,000", []string{"comma groups thousands"}},
		{"indice 68.8 %", []string{"decimal point"}},
		{"contribution de 5 000.00 EUR", []string{"decimal point", "cents and a code"}},
		{"valable jusqu'au 2027-05-25", []string{"date in figures"}},
		{"indice 50,0%", []string{"percent sign without a space"}},
		{"contribution de €5\u202f000,00", []string{"euro sign first"}},
		{"contribution de 500000 EUR", []string{"cents and a code", "not grouped"}},
		{"population 150000 habitants", []string{"not grouped"}},
		{"EN 16931 : 150000 habitants", []string{"not grouped"}},
		{"l'année 2026, 12\u202f000 habitants, 1\u202f234\u202f567 €", nil},
	}
	for _, tt := range tests {
		got := NotFrench(tt.text)
		if len(got) != len(tt.want) {
			t.Errorf("%q: found %q, want %d findings %v", tt.text, got, len(tt.want), tt.want)
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%q: finding %d %q, want it to name %q", tt.text, i, got[i], w)
			}
		}
	}
}

func TestHTMLTextIsWhatAReaderReads(t *testing.T) {
	doc := `<!DOCTYPE html><html lang="fr"><head><title>Candidature</title><style>body{color:red}</style></head>
<body><nav aria-label="Langue"><a href="?lang=en" hreflang="en" lang="en">English</a></nav>
<section lang="en"><h2>The forms</h2><section><p>nested</p></section><p>still English</p></section>
<p>Villes &amp; réseau <strong>ici</strong></p><input placeholder="Nom de la ville">
<script>var the = "English code";</script><script type="application/json">{"k":"the"}</script></body></html>`
	got := strings.Join(strings.Fields(HTMLText(doc)), " ")
	want := "Candidature Villes & réseau ici Langue Nom de la ville"
	if got != want {
		t.Errorf("HTMLText:\n got %q\nwant %q", got, want)
	}
}
