package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// lexicon is the report's wording in one language: the sentences Build
// writes and the labels the renderings print. Each language is written as a
// whole, rather than assembled from translated fragments, so that French reads
// as French (agreement, word order, typography).
type lexicon struct {
	lang i18n.Lang

	// Sentences Build fills in.
	title, subtitle string
	method          []string // fmt formats, see methodParagraphs
	// The first city of a sample has no other to be compared with: its
	// report says so instead of "a comparison between 1 cities".
	subtitleAlone, methodAlone, aggregateAlone  string
	optionalSentence                            string
	overview                                    string
	aggregate, extended, rankIntro, strengths   string
	rankPart                                    string
	areaScore, areaScoreAlone, areaUnanswered   string
	cmpAbove, cmpBelow, cmpLevel                string
	cmpFirst, cmpNext, cmpAllNext               string
	cmpAll                                      map[string]string // comparator → "above the averages of"
	chartTitle, chartDesc, areaChartTitle       string
	progressIntro, progressVersion, progressAgg string
	progressNoAgg, progressMoves, progressUp    string
	progressDown                                string
	exclOnlyIn, exclScoring, exclAreaMissing    string
	exclOptional, exclNone                      string
	and                                         string
	groupAll, groupPopulation, groupForeignBorn string
	shortAll, shortPopulation, shortForeignBorn string
	bandUnder, bandBetween, bandOver            string
	inhabitants, bornAbroad                     string
	factCountry, factPopulation, factBorn       string
	factResidents, factMinorities               string
	fallbackAdvice                              string

	// Labels the renderings print.
	Contents, Introduction, Method, CityHeading, Overall  string
	Position, ScoresByArea, Results, Progress             string
	InPlace, Missing, Recommendations, Practices          string
	Comments, NothingInPlace, NothingMissing              string
	NoPractices, Optional, LensArea                       string
	Group, Rank, Percentile, Average, Area, Score         string
	Before, After, Delta, Excluded, Question, Reason      string
	Figure, Page, PageOf, Gain, ReadMore, Since           string
	Aggregate, LensScore, ExtendedScore, Demo             string
	Council, Programme, Version, Date, Figures            string
	RankOf, NothingToRecommend, PartialNote, AllQuestions string
	Colon                                                 string // ": ", " : " in French
}

var english = lexicon{
	lang:           i18n.English,
	title:          "%s: results of the Intercultural Cities INDEX",
	subtitle:       "A comparison between %s cities",
	subtitleAlone:  "The first city of the comparison",
	methodAlone:    "The city is the first of the sample: no other city has results to compare with its own yet. Later reports compare it with all the cities of the sample, with cities of similar size (%[1]s) and with cities of similar diversity (%[2]s), as they submit theirs.",
	aggregateAlone: "The aggregate INDEX score of %[1]s is %[2]s and its intercultural lens score %[3]s. No other city of the sample has results to compare yet.",
	method: []string{
		"The Intercultural Cities INDEX is the benchmarking tool of the Council of Europe's Intercultural Cities programme. It looks at a city's policies, structures and outcomes through an intercultural lens: how far the city treats diversity as a resource, promotes equal opportunities and encourages interaction between people of different backgrounds. City officials answer %[1]s questions in %[2]s policy areas (INDEX %[3]s), giving examples and references as evidence. Demographic facts are recorded but not scored.",
		"Each answer earns points. An area's score is the points earned as a share of the most that can be earned, from 0 to 100%%. The aggregate index is the weighted mean of the %[1]s core areas.%[2]s The intercultural lens score combines the areas that look at the city's main services and spaces: %[3]s.",
		"The city is compared with all %[1]s cities of the sample, with cities of similar size (%[2]s) and with cities of similar diversity (%[3]s). Rank 1 is the highest aggregate index of a group; the percentile is the share of the other cities of the group whose aggregate index is lower. Averages include the city itself.",
		"Each area chapter lists what the city has in place and what is missing, then recommendations drawn from the gaps, those that would raise the score most first, and examples of good practice from other cities of the network.",
	},
	optionalSentence: " Optional areas (%s) are reported when answered but never change the aggregate index.",
	overview:         "%[1]s (%[2]s) has %[3]s inhabitants. %[4]s of residents were born abroad, %[5]s do not hold the country's nationality and %[6]s belong to national minorities.",
	aggregate:        "The aggregate INDEX score of %[1]s is %[2]s, against an average of %[3]s for the %[4]s cities of the sample. Its intercultural lens score is %[5]s (network average %[6]s).",
	extended:         " Counting the optional areas it answered, its score is %s.",
	rankIntro:        "It ranks %s.",
	rankPart:         "%[1]s of %[2]s among %[3]s",
	strengths:        "Its strongest areas are %[1]s; the areas with the most room for progress are %[2]s.",
	areaScore:        "%[1]s scores %[2]s in this area: %[3]s.",
	areaScoreAlone:   "%[1]s scores %[2]s in this area.",
	areaUnanswered:   "%s did not answer this optional area. The examples below show what other cities do.",
	cmpAbove:         "above",
	cmpBelow:         "below",
	cmpLevel:         "in line with",
	cmpFirst:         "%[1]s the average of %[2]s (%[3]s)",
	cmpNext:          "%[1]s that of %[2]s (%[3]s)",
	cmpAllNext:       "of %[1]s (%[2]s)",
	cmpAll:           map[string]string{"above": "above the averages of", "below": "below the averages of", "in line with": "in line with the averages of"},
	chartTitle:       "Scores by area: %s and the comparison groups",
	chartDesc:        "Horizontal bar chart of %[1]s areas, from 0 to 100%%. For each area, the bars show the score of %[2]s, then the averages of all cities, of cities of similar size and of cities of similar diversity. The highest score of %[2]s is in %[3]s (%[4]s), the lowest in %[5]s (%[6]s). The table that follows gives every figure.",
	areaChartTitle:   "%s: the city and the averages",
	progressIntro:    "The previous assessment of %[1]s was submitted on %[2]s (INDEX %[3]s).",
	progressVersion:  " The questionnaire has changed since then (INDEX %[1]s, now INDEX %[2]s): only questions asked and scored in the same way in both versions are compared, so the earlier figures below may differ from those published at the time. %[3]s questions and %[4]s areas were left out; they are listed after the table.",
	progressAgg:      "On comparable questions, the aggregate index moved from %[1]s to %[2]s (%[3]s points).",
	progressNoAgg:    "No core area can be compared, so no change of the aggregate index is given.",
	progressMoves:    "%s",
	progressUp:       "The largest improvements are in %s.",
	progressDown:     "The largest falls are in %s.",
	exclOnlyIn:       "asked only in INDEX %s",
	exclScoring:      "scored differently in INDEX %s and INDEX %s",
	exclAreaMissing:  "area not in INDEX %s",
	exclOptional:     "optional area answered in only one of the two assessments",
	exclNone:         "no question in common",
	and:              " and ",
	groupAll:         "all cities",
	groupPopulation:  "cities of similar size",
	groupForeignBorn: "cities of similar diversity",
	shortAll:         "All cities",
	shortPopulation:  "Similar size",
	shortForeignBorn: "Similar diversity",
	bandUnder:        "under %s",
	bandBetween:      "%s to %s",
	bandOver:         "%s or more",
	inhabitants:      " inhabitants",
	bornAbroad:       " born abroad",
	factCountry:      "Country",
	factPopulation:   "Population",
	factBorn:         "Born abroad",
	factResidents:    "Without the country's nationality",
	factMinorities:   "National minorities",
	fallbackAdvice:   "Review this point with the secretariat: %s",

	Contents: "Contents", Introduction: "Introduction", Method: "About the INDEX", CityHeading: "The city",
	Overall: "Overall results", Position: "Position in the network", ScoresByArea: "Scores by area",
	Results: "Results by area", Progress: "Progress since the previous assessment",
	InPlace: "In place, fully or partly", Missing: "Not yet in place", Recommendations: "Recommendations",
	Practices: "Good practice from other cities", Comments: "Comments of the secretariat",
	NothingInPlace: "None of the measures this area looks for is in place yet.",
	NothingMissing: "Every measure this area looks for is at least partly in place.",
	NoPractices:    "No example from another city is available for this area yet.",
	Optional:       "Optional area", LensArea: "Part of the intercultural lens",
	Group: "Group", Rank: "Rank", Percentile: "Percentile", Average: "Group average", Area: "Area", Score: "Score",
	Before: "Before", After: "After", Delta: "Change", Excluded: "Left out of the comparison", Question: "Question",
	Reason: "Reason", Figure: "Figure", Page: "Page", PageOf: "Page %d of %d", Gain: "up to +%s points",
	ReadMore: "More information", Since: "since %d",
	Aggregate: "Aggregate index", LensScore: "Intercultural lens", ExtendedScore: "With optional areas",
	Demo:    "Demonstration report: the figures and examples are invented.",
	Council: "Council of Europe", Programme: "Intercultural Cities programme", Version: "INDEX %s",
	Date: "Date", Figures: "Figures",
	RankOf:             "%s of %s",
	Colon:              ": ",
	NothingToRecommend: "Every answer in this area earned full points: the task is to keep these measures up and share them with the network.",
	PartialNote:        "* Some questions of this area were left out of the comparison; they are listed below.",
	AllQuestions:       "All questions",
}

var french = lexicon{
	lang:           i18n.French,
	title:          "%s\u00a0: résultats de l'INDEX des Cités interculturelles",
	subtitle:       "Une comparaison entre %s villes",
	subtitleAlone:  "La première ville de la comparaison",
	methodAlone:    "La ville est la première de l'échantillon\u00a0: aucune autre ville n'a encore de résultats à comparer aux siens. Les rapports suivants la comparent à l'ensemble des villes de l'échantillon, aux villes de taille comparable (%[1]s) et aux villes de diversité comparable (%[2]s), à mesure qu'elles soumettent les leurs.",
	aggregateAlone: "L'indice agrégé de %[1]s est de %[2]s et son score selon le prisme interculturel de %[3]s. Aucune autre ville de l'échantillon n'a encore de résultats à comparer.",
	method: []string{
		"L'INDEX des Cités interculturelles est l'outil d'évaluation comparative du programme des Cités interculturelles du Conseil de l'Europe. Il examine les politiques, les structures et les résultats d'une ville à travers un prisme interculturel\u00a0: dans quelle mesure la ville considère la diversité comme une ressource, favorise l'égalité des chances et encourage les échanges entre personnes d'origines différentes. Les responsables de la ville répondent à %[1]s questions dans %[2]s domaines d'action (INDEX %[3]s), en donnant des exemples et des références à l'appui. Les données démographiques sont recueillies mais ne sont pas notées.",
		"Chaque réponse rapporte des points. Le score d'un domaine est la part des points obtenus sur le maximum possible, de 0 à 100\u202f%%. L'indice agrégé est la moyenne pondérée des %[1]s domaines principaux.%[2]s Le score selon le prisme interculturel réunit les domaines qui portent sur les principaux services et espaces de la ville\u00a0: %[3]s.",
		"La ville est comparée à l'ensemble des %[1]s villes de l'échantillon, aux villes de taille comparable (%[2]s) et aux villes de diversité comparable (%[3]s). Le rang 1 est l'indice agrégé le plus élevé d'un groupe\u00a0; le percentile est la part des autres villes du groupe dont l'indice agrégé est inférieur. Les moyennes incluent la ville elle-même.",
		"Chaque chapitre consacré à un domaine présente ce que la ville a mis en place et ce qui manque, puis des recommandations tirées de ces lacunes, en commençant par celles qui amélioreraient le plus le score, et des exemples de bonnes pratiques d'autres villes du réseau.",
	},
	optionalSentence: " Les domaines facultatifs (%s) sont présentés lorsqu'ils ont été renseignés, mais ne modifient jamais l'indice agrégé.",
	overview:         "%[1]s (%[2]s) compte %[3]s habitants. %[4]s des habitants sont nés à l'étranger, %[5]s n'ont pas la nationalité du pays et %[6]s appartiennent à des minorités nationales.",
	aggregate:        "L'indice agrégé de %[1]s est de %[2]s, pour une moyenne de %[3]s parmi les %[4]s villes de l'échantillon. Son score selon le prisme interculturel est de %[5]s (moyenne du réseau\u00a0: %[6]s).",
	extended:         " En comptant les domaines facultatifs renseignés, son score est de %s.",
	rankIntro:        "La ville se classe %s.",
	rankPart:         "%[1]s sur %[2]s parmi les %[3]s",
	strengths:        "Ses points forts sont %[1]s\u00a0; les domaines où la marge de progression est la plus grande sont %[2]s.",
	areaScore:        "%[1]s obtient %[2]s dans ce domaine\u00a0: %[3]s.",
	areaScoreAlone:   "%[1]s obtient %[2]s dans ce domaine.",
	areaUnanswered:   "%s n'a pas renseigné ce domaine facultatif. Les exemples ci-dessous montrent ce que font d'autres villes.",
	cmpAbove:         "au-dessus de",
	cmpBelow:         "en dessous de",
	cmpLevel:         "au niveau de",
	cmpFirst:         "%[1]s la moyenne des %[2]s (%[3]s)",
	cmpNext:          "%[1]s celle des %[2]s (%[3]s)",
	cmpAllNext:       "des %[1]s (%[2]s)",
	cmpAll:           map[string]string{"au-dessus de": "au-dessus des moyennes des", "en dessous de": "en dessous des moyennes des", "au niveau de": "au niveau des moyennes des"},
	chartTitle:       "Scores par domaine\u00a0: %s et les groupes de comparaison",
	chartDesc:        "Graphique à barres horizontales de %[1]s domaines, de 0 à 100\u202f%%. Pour chaque domaine, les barres donnent le score de %[2]s, puis les moyennes de toutes les villes, des villes de taille comparable et des villes de diversité comparable. Le score le plus élevé de %[2]s est dans le domaine %[3]s (%[4]s), le plus faible dans le domaine %[5]s (%[6]s). Le tableau qui suit donne tous les chiffres.",
	areaChartTitle:   "%s\u00a0: la ville et les moyennes",
	progressIntro:    "La précédente évaluation de %[1]s a été soumise le %[2]s (INDEX %[3]s).",
	progressVersion:  " Le questionnaire a changé depuis (INDEX %[1]s, désormais INDEX %[2]s)\u00a0: seules les questions posées et notées de la même façon dans les deux versions sont comparées, de sorte que les chiffres antérieurs ci-dessous peuvent différer de ceux publiés à l'époque. %[3]s questions et %[4]s domaines ont été écartés\u00a0; ils sont indiqués après le tableau.",
	progressAgg:      "Sur les questions comparables, l'indice agrégé est passé de %[1]s à %[2]s (%[3]s points).",
	progressNoAgg:    "Aucun domaine principal n'est comparable\u00a0: l'évolution de l'indice agrégé n'est donc pas donnée.",
	progressMoves:    "%s",
	progressUp:       "Les plus fortes progressions concernent %s.",
	progressDown:     "Les plus fortes baisses concernent %s.",
	exclOnlyIn:       "posée uniquement dans l'INDEX %s",
	exclScoring:      "notée différemment dans l'INDEX %s et l'INDEX %s",
	exclAreaMissing:  "domaine absent de l'INDEX %s",
	exclOptional:     "domaine facultatif renseigné lors d'une seule des deux évaluations",
	exclNone:         "aucune question commune",
	and:              " et ",
	groupAll:         "villes de l'échantillon",
	groupPopulation:  "villes de taille comparable",
	groupForeignBorn: "villes de diversité comparable",
	shortAll:         "Toutes les villes",
	shortPopulation:  "Taille comparable",
	shortForeignBorn: "Diversité comparable",
	bandUnder:        "moins de %s",
	bandBetween:      "de %s à %s",
	bandOver:         "%s ou plus",
	inhabitants:      " habitants",
	bornAbroad:       " de personnes nées à l'étranger",
	factCountry:      "Pays",
	factPopulation:   "Population",
	factBorn:         "Nés à l'étranger",
	factResidents:    "Sans la nationalité du pays",
	factMinorities:   "Minorités nationales",
	fallbackAdvice:   "Examiner ce point avec le secrétariat\u00a0: %s",

	Contents: "Sommaire", Introduction: "Introduction", Method: "À propos de l'INDEX", CityHeading: "La ville",
	Overall: "Résultats d'ensemble", Position: "Position dans le réseau", ScoresByArea: "Scores par domaine",
	Results: "Résultats par domaine", Progress: "Évolution depuis l'évaluation précédente",
	InPlace: "En place, totalement ou en partie", Missing: "Pas encore en place", Recommendations: "Recommandations",
	Practices: "Bonnes pratiques d'autres villes", Comments: "Commentaires du secrétariat",
	NothingInPlace: "Aucune des mesures examinées dans ce domaine n'est encore en place.",
	NothingMissing: "Toutes les mesures examinées dans ce domaine sont au moins en partie en place.",
	NoPractices:    "Aucun exemple d'une autre ville n'est encore disponible pour ce domaine.",
	Optional:       "Domaine facultatif", LensArea: "Fait partie du prisme interculturel",
	Group: "Groupe", Rank: "Rang", Percentile: "Percentile", Average: "Moyenne du groupe", Area: "Domaine",
	Score: "Score", Before: "Avant", After: "Après", Delta: "Évolution", Excluded: "Écartés de la comparaison",
	Question: "Question", Reason: "Motif", Figure: "Figure", Page: "Page", PageOf: "Page %d sur %d",
	Gain: "jusqu'à +%s points", ReadMore: "En savoir plus", Since: "depuis %d",
	Aggregate: "Indice agrégé", LensScore: "Prisme interculturel", ExtendedScore: "Avec les domaines facultatifs",
	Demo:    "Rapport de démonstration\u00a0: les chiffres et les exemples sont fictifs.",
	Council: "Conseil de l'Europe", Programme: "Programme des Cités interculturelles", Version: "INDEX %s",
	Date: "Date", Figures: "Chiffres",
	RankOf:             "%s sur %s",
	Colon:              "\u00a0: ",
	NothingToRecommend: "Toutes les réponses de ce domaine ont obtenu le maximum de points\u00a0: il s'agit de maintenir ces mesures et de les faire connaître au réseau.",
	PartialNote:        "* Certaines questions de ce domaine ont été écartées de la comparaison\u00a0; elles sont indiquées ci-dessous.",
	AllQuestions:       "Toutes les questions",
}

// words returns the lexicon of lang.
func words(lang i18n.Lang) *lexicon {
	if lang == i18n.French {
		return &french
	}
	return &english
}

// typeset applies the language's spacing to editorial text: French puts a
// no-break space before a colon, a semicolon, a question or an exclamation
// mark, so that the sign never starts a line.
func (w *lexicon) typeset(s string) string {
	if w.lang != i18n.French {
		return s
	}
	return frenchSpacing.Replace(s)
}

var frenchSpacing = strings.NewReplacer(" :", "\u00a0:", " ;", "\u00a0;", " ?", "\u00a0?", " !", "\u00a0!")

// percent writes a score: "68.8%", "68,8 %".
func (w *lexicon) percent(x float64) string { return w.lang.Percent(x) }

// signed writes a change in points with its sign: "+3.2", "−1.5"
// (a true minus sign, as print typography wants).
func (w *lexicon) signed(x float64) string {
	switch r := index.Round1(x); {
	case r > 0:
		return "+" + w.lang.Number(r, 1)
	case r < 0:
		return "\u2212" + w.lang.Number(-r, 1)
	}
	return w.lang.Number(0, 1)
}

// count writes a whole number: "1,000", "1 000".
func (w *lexicon) count(n int) string { return w.lang.Int(int64(n)) }

// ordinal writes a rank: "1st", "22nd"; "1re", "22e" (la ville: feminine).
func (w *lexicon) ordinal(n int) string {
	if w.lang == i18n.French {
		if n == 1 {
			return "1re"
		}
		return w.lang.Int(int64(n)) + "e"
	}
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return w.lang.Int(int64(n)) + suffix
}

// list joins items: "A, B and C", "A, B et C".
func (w *lexicon) list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + w.and + items[len(items)-1]
}

// compare words a score against an average; within half a point counts as
// level, since both are rounded to one decimal.
func (w *lexicon) compare(score, avg float64) string {
	switch d := score - avg; {
	case d >= 0.5:
		return w.cmpAbove
	case d <= -0.5:
		return w.cmpBelow
	}
	return w.cmpLevel
}

// groupLabel words a comparison group ("cities of similar size"), with its
// band when withBand ("cities of similar size (100,000 to 200,000
// inhabitants)"); index.Group.Label is English only.
func (w *lexicon) groupLabel(g index.Group, withBand bool) string {
	switch g.Kind {
	case index.GroupPopulation:
		if withBand {
			return w.groupPopulation + " (" + w.bandText(g) + ")"
		}
		return w.groupPopulation
	case index.GroupForeignBorn:
		if withBand {
			return w.groupForeignBorn + " (" + w.bandText(g) + ")"
		}
		return w.groupForeignBorn
	}
	return w.groupAll
}

// bandText words a group's band alone: "100,000 to 200,000 inhabitants".
func (w *lexicon) bandText(g index.Group) string {
	if g.Kind == index.GroupForeignBorn {
		return w.band(g, w.share, w.bornAbroad)
	}
	return w.band(g, func(x float64) string { return w.lang.Int(int64(x)) }, w.inhabitants)
}

// shortGroup is a group's name in tables and legends.
func (w *lexicon) shortGroup(kind string) string {
	switch kind {
	case index.GroupPopulation:
		return w.shortPopulation
	case index.GroupForeignBorn:
		return w.shortForeignBorn
	}
	return w.shortAll
}

// band words a group's bounds: "under 100,000 inhabitants".
func (w *lexicon) band(g index.Group, f func(float64) string, unit string) string {
	switch {
	case g.Min == nil && g.Max == nil:
		return strings.TrimSpace(w.shortAll)
	case g.Min == nil:
		return fmt.Sprintf(w.bandUnder, f(*g.Max)) + unit
	case g.Max == nil:
		return fmt.Sprintf(w.bandOver, f(*g.Min)) + unit
	}
	return fmt.Sprintf(w.bandBetween, f(*g.Min), f(*g.Max)) + unit
}

// share writes a band's percentage bound with the decimals it needs: "15%",
// "12.5%".
func (w *lexicon) share(x float64) string {
	d := 0
	if x != math.Trunc(x) {
		d = 1
	}
	s := w.lang.Number(x, d)
	if w.lang == i18n.French {
		return s + "\u202f%"
	}
	return s + "%"
}

// number writes an answer's value with the decimals it has (at most two).
func (w *lexicon) number(x float64) string {
	d := 0
	for d < 2 && math.Abs(x*math.Pow10(d)-math.Round(x*math.Pow10(d))) > 1e-9 {
		d++
	}
	return w.lang.Number(x, d)
}
