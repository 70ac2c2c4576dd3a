package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/intercultural-cities/backoffice/shared/index"
)

// SampleInput builds a complete, deterministic report input: a city's full
// submission of the current INDEX (optional areas included) placed in a
// network of the given number of cities (the city included), a previous submission on the
// 2017 version, candidate practices from about half of the network and the
// secretariat's commentary. The benchmarks and the bench program measure
// the report on it; the same number of cities always gives the same input.
func SampleInput(cities int) Input {
	rng := rand.New(rand.NewPCG(2019, uint64(cities)))
	q := index.Current()
	bands := index.DefaultBands()
	net := sampleNetwork(q, bands, max(cities-1, 0), rng)
	groups, candidates, apply := net.groups, net.candidates, net.apply

	// The city itself: assessed on INDEX 2017 two years ago, now on the
	// current version. Its earlier result is in the network until the new
	// one replaces it, as the scorer does.
	city := City{ID: "city-sample", Name: "Saint-Étienne-sur-Lys", Country: "FR", Population: 172_400,
		ForeignBornShare: 13.6, ForeignResidentShare: 8.1, NationalMinorityShare: 0.4, Language: "en"}
	facts := index.Facts{Population: float64(city.Population), ForeignBornShare: city.ForeignBornShare}
	old, _ := index.Lookup("2017")
	prevAnswers := SampleAnswers(old, facts, 0.45, false, rng)
	prevRes := old.Score(prevAnswers)
	prevAt := time.Date(2024, 10, 3, 9, 30, 0, 0, time.UTC)
	prev := index.Submission{ID: "sub-2024", CityID: city.ID, Version: old.Version, Answers: prevAnswers,
		SubmittedAt: prevAt, Status: index.StatusScored, Result: &prevRes, Standings: index.Standings(bands, prevRes, groups)}
	apply(prevRes, 1)

	answers := SampleAnswers(q, facts, 0.62, true, rng)
	res := q.Score(answers)
	deltas, standings := index.Place(bands, &prevRes, res, groups)
	for k, d := range deltas {
		s := groups[k]
		s.Key = k
		s.Apply(d)
		groups[k] = s
	}
	at := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	scored := at.Add(time.Minute)
	sub := index.Submission{ID: "sub-2026", CityID: city.ID, Version: q.Version, Answers: answers, SubmittedAt: at,
		Status: index.StatusScored, Result: &res, Standings: standings, ScoredAt: &scored}
	return Input{
		City: city, Submission: sub, Questionnaire: q, Groups: groups, Bands: bands, Previous: &prev,
		Practices: candidates,
		Commentary: Commentary{
			Introduction: index.Text{
				EN: "The secretariat thanks the city's officials for a thorough questionnaire, well documented with evidence.\n\nThis report sets the city's answers against those of the network and suggests where to go next.",
				FR: "Le secrétariat remercie les responsables de la ville pour un questionnaire complet, bien étayé par des éléments de preuve.\n\nCe rapport met les réponses de la ville en regard de celles du réseau et indique des pistes pour la suite.",
			},
			Areas: map[string]index.Text{
				"commitment": {EN: "The council's resolution of 2025 is a strong basis: the action plan now needs a budget line of its own.",
					FR: "La délibération du conseil de 2025 est une base solide : le plan d'action doit maintenant disposer de sa propre ligne budgétaire."},
				"welcoming": {EN: "The welcome office is well known to refugees but much less to students and workers from other EU countries."},
			},
		},
		GeneratedAt: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
	}
}

// network is a sample of scored cities: the comparison groups' aggregates
// and the practices the cities offer.
type network struct {
	bands      index.Bands
	groups     map[string]index.GroupStats
	candidates []Candidate
}

// apply adds (sign +1) or removes (−1) a result in its groups.
func (n *network) apply(r index.Result, sign int) {
	for _, g := range n.bands.Groups(r.Facts) {
		s := n.groups[g.Key]
		s.Key = g.Key
		s.Apply(index.DeltaOf(r, sign))
		n.groups[g.Key] = s
	}
}

// sampleNetwork scores n random cities on q; about half offer a practice
// or two, nine in ten of them published.
func sampleNetwork(q *index.Questionnaire, bands index.Bands, n int, rng *rand.Rand) *network {
	net := &network{bands: bands, groups: map[string]index.GroupStats{}}
	for i := range n {
		id := fmt.Sprintf("city-%04d", i+1)
		name := sampleName(rng)
		f := sampleFacts(rng)
		answers := SampleAnswers(q, f, 0.15+0.8*rng.Float64(), rng.Float64() < 0.4, rng)
		res := q.Score(answers)
		net.apply(res, 1)
		for range rng.IntN(3) {
			area := q.Areas[rng.IntN(len(q.Areas))]
			net.candidates = append(net.candidates, Candidate{
				Practice: samplePractice(fmt.Sprintf("%s-p%d", id, len(net.candidates)+1), id, name, area, rng),
				Scores:   scoresOf(res), Facts: res.Facts,
			})
		}
	}
	return net
}

func scoresOf(r index.Result) map[string]float64 {
	m := make(map[string]float64, len(r.Areas))
	for _, a := range r.Areas {
		m[a.Area] = a.Score
	}
	return m
}

func sampleFacts(rng *rand.Rand) index.Facts {
	pop := math.Round(30_000 * math.Pow(60, rng.Float64())) // 30 000 to 1.8 million, more small cities
	return index.Facts{Population: pop, ForeignBornShare: math.Round((3+37*rng.Float64()*rng.Float64())*10) / 10}
}

var syllables = []string{"va", "lo", "ri", "mar", "ten", "bu", "sa", "kel", "dor", "ni", "ha", "ber", "ga", "len", "to", "zi"}

func sampleName(rng *rand.Rand) string {
	var b strings.Builder
	for range 2 + rng.IntN(2) {
		b.WriteString(syllables[rng.IntN(len(syllables))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// SampleAnswers answers every question of q for a city of the given facts:
// strength (0 to 1) is the share of the points it tends to earn, with some
// spread between questions; withOptional answers the optional areas too.
func SampleAnswers(q *index.Questionnaire, f index.Facts, strength float64, withOptional bool, rng *rand.Rand) []index.Answer {
	var out []index.Answer
	for _, d := range q.Demographics {
		a := index.Answer{Question: d.ID}
		switch d.Fact {
		case "population":
			v := f.Population
			a.Value = &v
		case "foreignBornShare":
			v := f.ForeignBornShare
			a.Value = &v
		default:
			if d.Type == index.FreeText {
				t := "Morocco 3 %, Türkiye 2 %, Ukraine 1.5 %"
				a.Text = &t
			} else {
				v := math.Round(rng.Float64()*f.ForeignBornShare*10) / 10
				a.Value = &v
			}
		}
		if d.Evidence {
			a.Evidence = "Municipal register, 1 January."
		}
		out = append(out, a)
	}
	for _, area := range q.Areas {
		if area.Optional && !withOptional {
			continue
		}
		for i := range area.Questions {
			qu := &area.Questions[i]
			target := min(max(strength+(rng.Float64()-0.5)*0.7, 0), 1) * qu.MaxPoints()
			a := index.Answer{Question: qu.ID}
			switch qu.Type {
			case index.Choice:
				best := qu.Options[0]
				for _, o := range qu.Options {
					if math.Abs(o.Points-target) < math.Abs(best.Points-target) {
						best = o
					}
				}
				opt := best.ID
				a.Option = &opt
			default:
				v := bandValue(qu, target, rng)
				a.Value = &v
			}
			if qu.Evidence && rng.IntN(2) == 0 {
				a.Evidence = "See the council's decision and the programme's annual report."
			}
			out = append(out, a)
		}
	}
	return out
}

// bandValue picks a value inside the band whose points come closest to
// target (bands are bounded by the previous band's upTo, exclusive).
func bandValue(qu *index.Question, target float64, rng *rand.Rand) float64 {
	lo, hi := 0.0, 100.0
	if qu.Min != nil {
		lo = *qu.Min
	}
	if qu.Max != nil {
		hi = *qu.Max
	}
	best := 0
	for i, b := range qu.Bands {
		if math.Abs(b.Points-target) < math.Abs(qu.Bands[best].Points-target) {
			best = i
		}
	}
	from, to := lo, min(qu.Bands[best].UpTo, hi)
	if best > 0 {
		from = qu.Bands[best-1].UpTo
	}
	if qu.Type == index.Number {
		first := lo
		if best > 0 {
			first = math.Floor(from) + 1
		}
		first = min(first, to)
		return min(first+math.Floor(rng.Float64()*(to-first+1)), to)
	}
	return math.Round((from+(to-from)*(0.1+0.9*rng.Float64()))*10) / 10
}

func samplePractice(id, cityID, cityName string, area index.Area, rng *rand.Rand) Practice {
	title := index.Text{
		EN: area.Title.EN + " for everyone: the " + cityName + " programme",
		FR: area.Title.FR + " pour tous : le programme de " + cityName,
	}
	summary := index.Text{
		EN: cityName + " brought together city departments, associations and residents of different backgrounds to design and run a programme in this area. It is evaluated every year and the results are published.",
		FR: cityName + " a réuni les services de la ville, les associations et des habitants de différentes origines pour concevoir et mener un programme dans ce domaine. Il est évalué chaque année et les résultats sont publiés.",
	}
	return Practice{ID: id, CityID: cityID, CityName: cityName, Country: sampleCountries[rng.IntN(len(sampleCountries))],
		Area: area.ID, Title: title, Summary: summary, Year: 2010 + rng.IntN(17),
		Link: "https://example.org/practices/" + id, Published: rng.IntN(10) > 0}
}

var sampleCountries = []string{"AT", "BE", "CH", "DE", "ES", "FR", "GB", "IT", "NO", "PL", "PT", "SE", "UA", "MA", "CA", "AU", "JP", "KR"}
