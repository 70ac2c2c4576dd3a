package report

import (
	"time"

	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// SchemaVersion is the version of the Model's JSON shape. A stored model
// of another version is refused by the renderers rather than misread.
const SchemaVersion = 1

// City is what the report says about the city: its profile as the
// secretariat holds it.
type City struct {
	ID                    string
	Name                  string
	Country               string // ISO 3166-1 alpha-2
	Population            int64
	ForeignBornShare      float64 // percent
	ForeignResidentShare  float64 // percent
	NationalMinorityShare float64 // percent
	Language              string  // "en" or "fr": the report's language
}

// Commentary is the secretariat's own text: an introduction and a comment
// per area (keyed by area id), each in English, French or both. Paragraphs
// are separated by blank lines.
type Commentary struct {
	Introduction index.Text            `json:"introduction"`
	Areas        map[string]index.Text `json:"areas,omitempty"`
}

// Input is everything a report is built from.
type Input struct {
	City City
	// Submission is the scored submission the report is on: it must have a
	// Result; its Standings (computed when it was scored) give the ranks.
	Submission index.Submission
	// Questionnaire is the submission's version (index.Lookup); nil looks it up.
	Questionnaire *index.Questionnaire
	// Groups are the comparison groups' aggregates as the scorer reads them
	// (keyed by group key): they give the averages per area.
	Groups map[string]index.GroupStats
	// Bands are the comparison groups' cut-offs; zero means index.DefaultBands.
	Bands index.Bands
	// Previous is the city's previous scored submission, if any.
	Previous *index.Submission
	// Practices are the candidate good practices with their cities' scores.
	Practices  []Candidate
	Commentary Commentary
	// GeneratedAt dates the report; it is also the PDF's creation date.
	GeneratedAt time.Time
	// Demo marks a demonstration report, which may quote demo practices.
	Demo bool
}

// Model is a report, in one language, ready to render. Numbers are kept
// raw for clients of the JSON; the prose that quotes them is already worded
// and formatted in the report's language, so every rendering says the same.
type Model struct {
	Schema         int       `json:"schema"`
	Lang           i18n.Lang `json:"lang"`
	CityID         string    `json:"cityId"`
	SubmissionID   string    `json:"submissionId"`
	Title          string    `json:"title"`
	Subtitle       string    `json:"subtitle"`
	Date           time.Time `json:"date"`
	Version        string    `json:"version"`
	CitiesCompared int       `json:"citiesCompared"`
	Demo           bool      `json:"demo,omitempty"`
	// Introduction is the secretariat's, when it wrote one.
	Introduction *Comment      `json:"introduction,omitempty"`
	Method       []string      `json:"method"`
	City         CityOverview  `json:"city"`
	Overall      Overall       `json:"overall"`
	Chart        Chart         `json:"chart"`
	Areas        []AreaSection `json:"areas"`
	Progress     *Progress     `json:"progress,omitempty"`
}

// Comment is a text of the secretariat, in the language it was written in
// (the report's when it exists in both).
type Comment struct {
	Lang       i18n.Lang `json:"lang"`
	Paragraphs []string  `json:"paragraphs"`
}

// CityOverview is the city's demographic profile.
type CityOverview struct {
	Name                  string   `json:"name"`
	Country               string   `json:"country"`     // ISO code
	CountryName           string   `json:"countryName"` // in the report's language
	Population            int64    `json:"population"`
	ForeignBornShare      float64  `json:"foreignBornShare"`
	ForeignResidentShare  float64  `json:"foreignResidentShare"`
	NationalMinorityShare float64  `json:"nationalMinorityShare"`
	Facts                 []Fact   `json:"facts"`
	Paragraphs            []string `json:"paragraphs"`
}

// Fact is one labelled figure of the overview table.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Overall is the city's position: its composite scores and its standing in
// each comparison group.
type Overall struct {
	Aggregate        float64    `json:"aggregate"`
	NetworkAggregate float64    `json:"networkAggregate"`
	Lens             float64    `json:"lens"`
	NetworkLens      float64    `json:"networkLens"`
	Extended         *float64   `json:"extended,omitempty"` // when optional areas were answered
	Standings        []Standing `json:"standings"`
	Strongest        []string   `json:"strongest"` // area ids, best first
	Weakest          []string   `json:"weakest"`   // area ids, weakest first
	Paragraphs       []string   `json:"paragraphs"`
}

// Standing is the city's place in one comparison group.
type Standing struct {
	Kind       string  `json:"kind"` // index.GroupAll, GroupPopulation, GroupForeignBorn
	Key        string  `json:"key"`
	Group      string  `json:"group"` // worded in the report's language
	Rank       int     `json:"rank"`
	Of         int     `json:"of"`
	Percentile float64 `json:"percentile"`
	Average    float64 `json:"average"`
}

// Chart is the bar chart of every area: the city against the averages.
type Chart struct {
	Title       string     `json:"title"`
	Description string     `json:"description"` // its text alternative
	Series      []Series   `json:"series"`
	Rows        []ChartRow `json:"rows"`
}

// Series is one kind of bar; the first is the city's.
type Series struct {
	Key   string `json:"key"` // city, all, population, foreignBorn
	Label string `json:"label"`
}

// ChartRow is one area's bars, one value per series (nil: no data).
type ChartRow struct {
	Area   string     `json:"area"`
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
}

// AreaSection is the chapter on one policy area.
type AreaSection struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Optional bool   `json:"optional,omitempty"`
	Lens     bool   `json:"lens,omitempty"`
	// Answered is false for an optional area the city skipped: the chapter
	// then offers examples only.
	Answered        bool             `json:"answered"`
	Score           float64          `json:"score"`
	Averages        []Average        `json:"averages"`
	Summary         string           `json:"summary"`
	InPlace         []Finding        `json:"inPlace"`
	Missing         []Finding        `json:"missing"`
	Recommendations []Recommendation `json:"recommendations"`
	Commentary      *Comment         `json:"commentary,omitempty"`
	Practices       []PracticeView   `json:"practices"`
	Chart           Chart            `json:"chart"`
}

// Average is a comparison group's mean score in an area.
type Average struct {
	Kind  string   `json:"kind"`
	Label string   `json:"label"`
	Value *float64 `json:"value"` // nil when no city of the group answered the area
}

// Answer levels of a finding.
const (
	LevelFull    = "full"    // the answer earned the question's full points
	LevelPartial = "partial" // some points
	LevelNone    = "none"    // none
)

// Finding is one answer, described: what the question looks for and what
// the city answered.
type Finding struct {
	Question  string  `json:"question"`
	Topic     string  `json:"topic"`
	Answer    string  `json:"answer"`
	Level     string  `json:"level"`
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"maxPoints"`
}

// Recommendation is advice drawn from an answer short of full points. Gain
// is what full points on that question would add to the area's score.
type Recommendation struct {
	Question string  `json:"question"`
	Text     string  `json:"text"`
	Gain     float64 `json:"gain"`
}

// PracticeView is a good practice as a report quotes it.
type PracticeView struct {
	ID          string `json:"id"`
	City        string `json:"city"`
	Country     string `json:"country"`
	CountryName string `json:"countryName"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	Year        int    `json:"year"`
	Link        string `json:"link,omitempty"`
}

// Progress compares the submission with the city's previous one.
type Progress struct {
	PreviousSubmission string       `json:"previousSubmission"`
	PreviousDate       time.Time    `json:"previousDate"`
	PreviousVersion    string       `json:"previousVersion"`
	VersionChanged     bool         `json:"versionChanged"`
	Aggregate          *Change      `json:"aggregate,omitempty"` // nil when no core area compares
	Areas              []AreaChange `json:"areas"`
	Excluded           []Exclusion  `json:"excluded"`
	Paragraphs         []string     `json:"paragraphs"`
}

// Change is a score before and after.
type Change struct {
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Delta  float64 `json:"delta"`
}

// AreaChange is one comparable area's change. Partial says some of its
// questions were left out because they are not comparable.
type AreaChange struct {
	Area    string `json:"area"`
	Title   string `json:"title"`
	Partial bool   `json:"partial,omitempty"`
	Change
}

// Exclusion is an area or a question left out of the comparison, and why.
type Exclusion struct {
	Area      string `json:"area"`
	AreaTitle string `json:"areaTitle"`
	Question  string `json:"question,omitempty"` // empty: the whole area
	Label     string `json:"label"`              // the question's topic, or the area's title
	Reason    string `json:"reason"`
}
