package report

import (
	"math/rand/v2"
	"time"

	"github.com/intercultural-cities/backoffice/shared/index"
)

// The fixed inputs the tests build reports from. Each is deterministic: its
// network and answers come from a seeded generator.

// fixtureFull is the bench's sample on a small network: an English report
// with optional areas, a previous submission on INDEX 2017, practices and
// commentary.
func fixtureFull() Input { return SampleInput(60) }

// fixtureFrench is a French city re-assessed on the same version, with an
// introduction written only in English and an area comment in French.
func fixtureFrench() Input {
	rng := rand.New(rand.NewPCG(7, 7))
	q := index.Current()
	bands := index.DefaultBands()
	net := sampleNetwork(q, bands, 40, rng)
	city := City{ID: "city-fr", Name: "Villefranche-des-Écrins", Country: "FR", Population: 68_800,
		ForeignBornShare: 21.5, ForeignResidentShare: 11.2, NationalMinorityShare: 0, Language: "fr"}
	facts := index.Facts{Population: float64(city.Population), ForeignBornShare: city.ForeignBornShare}
	prevAnswers := SampleAnswers(q, facts, 0.4, true, rng)
	prevRes := q.Score(prevAnswers)
	net.apply(prevRes, 1)
	prev := index.Submission{ID: "sub-fr-1", CityID: city.ID, Version: q.Version, Answers: prevAnswers,
		SubmittedAt: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), Status: index.StatusScored, Result: &prevRes}
	answers := SampleAnswers(q, facts, 0.7, false, rng) // optional areas answered only the first time
	res := q.Score(answers)
	deltas, standings := index.Place(bands, &prevRes, res, net.groups)
	for k, d := range deltas {
		s := net.groups[k]
		s.Key = k
		s.Apply(d)
		net.groups[k] = s
	}
	return Input{
		City: city,
		Submission: index.Submission{ID: "sub-fr-2", CityID: city.ID, Version: q.Version, Answers: answers,
			SubmittedAt: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC), Status: index.StatusScored, Result: &res,
			Standings: standings},
		Groups: net.groups, Previous: &prev, Practices: net.candidates,
		Commentary: Commentary{
			Introduction: index.Text{EN: "Written in English only."},
			Areas:        map[string]index.Text{"language": {FR: "Les cours du soir sont une réussite.\n\nIl reste à toucher les parents."}},
		},
		GeneratedAt: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC),
	}
}

// fixtureFirst is a first assessment of a city with a Cyrillic name: core
// areas only, no practices, no commentary, no previous submission, and the
// groups' aggregates lacking one group (its averages then come from the
// standings computed when the submission was scored).
func fixtureFirst() Input {
	rng := rand.New(rand.NewPCG(11, 3))
	q := index.Current()
	bands := index.DefaultBands()
	net := sampleNetwork(q, bands, 25, rng)
	city := City{ID: "city-ua", Name: "Новоград", Country: "UA", Population: 54_000, ForeignBornShare: 6.5,
		ForeignResidentShare: 1.2, NationalMinorityShare: 9.8, Language: "en"}
	facts := index.Facts{Population: float64(city.Population), ForeignBornShare: city.ForeignBornShare}
	answers := SampleAnswers(q, facts, 0.3, false, rng)
	res := q.Score(answers)
	deltas, standings := index.Place(bands, nil, res, net.groups)
	for k, d := range deltas {
		s := net.groups[k]
		s.Key = k
		s.Apply(d)
		net.groups[k] = s
	}
	delete(net.groups, standings[2].Group.Key)
	return Input{
		City: city,
		Submission: index.Submission{ID: "sub-ua-1", CityID: city.ID, Version: q.Version, Answers: answers,
			SubmittedAt: time.Date(2026, 5, 5, 8, 0, 0, 0, time.UTC), Status: index.StatusScored, Result: &res,
			Standings: standings},
		Groups:      net.groups,
		GeneratedAt: time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC),
	}
}

var fixtures = []struct {
	name  string
	input func() Input
}{
	{"en-full", fixtureFull},
	{"fr-same-version", fixtureFrench},
	{"en-first-core-only", fixtureFirst},
}
