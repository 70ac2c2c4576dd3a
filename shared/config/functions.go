package config

import (
	"errors"
	"time"
)

// The groups of settings functions share. Each variable is declared once,
// here; a function's settings embed the groups it needs.

// Logging is every function's log level.
type Logging struct {
	Level string `env:"LOG_LEVEL" default:"info" doc:"debug, info, warn or error"`
}

// LogLevel returns the level, for the logger.
func (l Logging) LogLevel() string { return l.Level }

// Table names the one DynamoDB table.
type Table struct {
	TableName string `env:"TABLE_NAME" required:"true" doc:"the DynamoDB table"`
}

// Notices is where the secretariat is told of what needs it.
type Notices struct {
	SecretariatEmail string `env:"SECRETARIAT_EMAIL" required:"true" check:"email" doc:"where the secretariat is told of applications, visits, terminations and expiries"`
}

// Links are the personal access links emailed to cities.
type Links struct {
	FormsBaseURL string        `env:"FORMS_BASE_URL" check:"url" doc:"base URL of the web forms, for access links (empty: the API's own URL, where the web function serves them)"`
	CityTokenTTL time.Duration `env:"CITY_TOKEN_TTL" default:"4320h" check:"positive" doc:"validity of a city's emailed access link"`
}

// Eligibility are the admission thresholds.
type Eligibility struct {
	MinPopulation     int64   `env:"ELIGIBILITY_MIN_POPULATION" default:"30000" doc:"inhabitants a city needs"`
	MinDiversityShare float64 `env:"ELIGIBILITY_MIN_DIVERSITY_SHARE" default:"5" doc:"percent one diversity share needs"`
}

// Workflow configures the admission and membership steps.
type Workflow struct {
	FeePerYearCents     int64         `env:"FEE_PER_YEAR_CENTS" default:"500000" doc:"default yearly fee of a new agreement, in euro cents"`
	VisitMinExperts     int           `env:"VISIT_MIN_EXPERTS" default:"1" check:"positive" doc:"fewest experts an expert visit names"`
	VisitMaxExperts     int           `env:"VISIT_MAX_EXPERTS" default:"2" check:"positive" doc:"most experts an expert visit names"`
	NoticeGrace         time.Duration `env:"TERMINATION_NOTICE_GRACE" default:"720h" doc:"how far back a termination notice may be dated when recorded"`
	ProgressEveryMonths int           `env:"PROGRESS_REPORT_EVERY_MONTHS" default:"12" check:"positive" doc:"months between a member's progress reports (12, 6 or 3)"`
}

// Validate checks the workflow's settings against each other.
func (w Workflow) Validate() error {
	var errs []error
	if w.VisitMaxExperts < w.VisitMinExperts {
		errs = append(errs, errors.New("VISIT_MAX_EXPERTS must be at least VISIT_MIN_EXPERTS"))
	}
	if m := w.ProgressEveryMonths; m != 12 && m != 6 && m != 3 {
		errs = append(errs, errors.New("PROGRESS_REPORT_EVERY_MONTHS must be 12, 6 or 3"))
	}
	if w.FeePerYearCents > 100_000_000 {
		errs = append(errs, errors.New("FEE_PER_YEAR_CENTS must be at most 100000000"))
	}
	return errors.Join(errs...)
}

// SweepVariable names SWEEP_AFTER, which tests shorten.
const SweepVariable = "SWEEP_AFTER"

// Sweep is when pending work is re-driven.
type Sweep struct {
	SweepAfter time.Duration `env:"SWEEP_AFTER" default:"5m" check:"positive" doc:"age after which pending work is re-driven"`
}

// Bands are the comparison groups' cut-offs.
type Bands struct {
	PopulationBands  []float64 `env:"COMPARISON_POPULATION_BANDS" default:"100000,200000,500000" doc:"population cut-offs of the comparison groups"`
	ForeignBornBands []float64 `env:"COMPARISON_FOREIGN_BORN_BANDS" default:"10,15,20" doc:"foreign-born % cut-offs of the comparison groups"`
}

// Sender is the address every email comes from.
type Sender struct {
	SenderEmail string `env:"SENDER_EMAIL" required:"true" check:"email" doc:"verified SES address emails come from"`
}

// PublicAPI is the API's public URL, for functions API Gateway never calls.
type PublicAPI struct {
	APIURL string `env:"API_URL" check:"url" doc:"the API's public URL, for links in scheduled emails"`
}

// The functions' settings, one type per function.

// ApplicationsSettings are the applications function's.
type ApplicationsSettings struct {
	Logging
	Table
	Notices
	Links
	Eligibility
}

// CitiesSettings are the cities function's.
type CitiesSettings struct {
	Logging
	Table
}

// IndexSettings are the index function's.
type IndexSettings struct {
	Logging
	Table
}

// SecretariatSettings are the secretariat function's: its steps, and the
// schedules it runs on demand.
type SecretariatSettings struct {
	Logging
	Table
	Notices
	Links
	Workflow
	Sweep
}

// DailySettings are the daily schedule's.
type DailySettings struct {
	Logging
	Table
	Notices
	Links
	Workflow
	PublicAPI
}

// ScoreSettings are the score function's.
type ScoreSettings struct {
	Logging
	Table
	Bands
}

// NotifySettings are the notify function's.
type NotifySettings struct {
	Logging
	Table
	Sender
}

// SweeperSettings are the sweeper's.
type SweeperSettings struct {
	Logging
	Table
	Sweep
}

// StandaloneSettings are those of the functions without AWS: the
// questionnaire, the contract and the web forms.
type StandaloneSettings struct {
	Logging
}

// Functions names each function's settings type, for the checks that the
// template gives every function exactly the variables it reads.
var Functions = map[string]any{
	"applications":  ApplicationsSettings{},
	"cities":        CitiesSettings{},
	"index":         IndexSettings{},
	"secretariat":   SecretariatSettings{},
	"daily":         DailySettings{},
	"score":         ScoreSettings{},
	"notify":        NotifySettings{},
	"sweeper":       SweeperSettings{},
	"questionnaire": StandaloneSettings{},
	"openapi":       StandaloneSettings{},
	"web":           StandaloneSettings{},
}
