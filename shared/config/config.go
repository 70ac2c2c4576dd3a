// Package config is the one place settings are read: the environment
// variables every function declares, and the JSON logger. The AWS clients
// built from the environment are in package clients, so that functions
// without AWS work do not link the SDK.
package config

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Var is one environment variable a function may read.
type Var struct {
	Name     string
	Default  string
	Required bool
	Doc      string
}

// The variables functions read. The template sets each one a function uses.
var (
	TableName         = Var{Name: "TABLE_NAME", Required: true, Doc: "the DynamoDB table"}
	SenderEmail       = Var{Name: "SENDER_EMAIL", Required: true, Doc: "verified SES address emails come from"}
	SecretariatEmail  = Var{Name: "SECRETARIAT_EMAIL", Required: true, Doc: "where the secretariat is told of applications"}
	FormsBaseURL      = Var{Name: "FORMS_BASE_URL", Doc: "base URL of the web forms, for access links (empty: the API's own URL, where the web function serves them)"}
	APIURL            = Var{Name: "API_URL", Doc: "the API's public URL, for functions API Gateway does not call (links in scheduled emails)"}
	MinPopulation     = Var{Name: "ELIGIBILITY_MIN_POPULATION", Default: "30000", Doc: "inhabitants a city needs"}
	MinDiversityShare = Var{Name: "ELIGIBILITY_MIN_DIVERSITY_SHARE", Default: "5", Doc: "percent one diversity share needs"}
	CityTokenTTL      = Var{Name: "CITY_TOKEN_TTL", Default: "4320h", Doc: "validity of a city's emailed access link"}
	SweepAfter        = Var{Name: "SWEEP_AFTER", Default: "5m", Doc: "age after which pending work is re-driven"}
	LogLevel          = Var{Name: "LOG_LEVEL", Default: "info", Doc: "debug, info, warn or error"}
	AgreementYears    = Var{Name: "AGREEMENT_YEARS", Default: "4", Doc: "default length of an agreement, in years"}
	FeePerYearCents   = Var{Name: "FEE_PER_YEAR_CENTS", Default: "500000", Doc: "default yearly fee, in euro cents"}
	PopulationBands   = Var{Name: "COMPARISON_POPULATION_BANDS", Default: "100000,200000,500000", Doc: "population cut-offs of the comparison groups"}
	ForeignBornBands  = Var{Name: "COMPARISON_FOREIGN_BORN_BANDS", Default: "10,15,20", Doc: "foreign-born % cut-offs of the comparison groups"}
)

// All lists every variable by its Go name, for the template check and docs.
var All = map[string]Var{
	"TableName": TableName, "SenderEmail": SenderEmail, "SecretariatEmail": SecretariatEmail,
	"FormsBaseURL": FormsBaseURL, "APIURL": APIURL, "MinPopulation": MinPopulation, "MinDiversityShare": MinDiversityShare,
	"CityTokenTTL": CityTokenTTL, "SweepAfter": SweepAfter, "LogLevel": LogLevel,
	"PopulationBands": PopulationBands, "ForeignBornBands": ForeignBornBands,
	"AgreementYears": AgreementYears, "FeePerYearCents": FeePerYearCents,
}

// Env holds the values of the variables a function asked for.
type Env struct {
	values map[string]string
}

// Load reads vars from the environment and fails listing every required one
// that is missing or empty.
func Load(vars ...Var) (Env, error) {
	e := Env{values: make(map[string]string, len(vars))}
	var missing []string
	for _, v := range vars {
		val, ok := os.LookupEnv(v.Name)
		if !ok || val == "" {
			if v.Required {
				missing = append(missing, v.Name)
				continue
			}
			val = v.Default
		}
		e.values[v.Name] = val
	}
	if len(missing) > 0 {
		return Env{}, fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", "))
	}
	return e, nil
}

// String returns v's value; v must have been loaded.
func (e Env) String(v Var) string {
	val, ok := e.values[v.Name]
	if !ok {
		panic("config: " + v.Name + " was not loaded")
	}
	return val
}

// Int returns v as an integer.
func (e Env) Int(v Var) (int64, error) {
	n, err := strconv.ParseInt(e.String(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", v.Name, err)
	}
	return n, nil
}

// Float returns v as a number.
func (e Env) Float(v Var) (float64, error) {
	f, err := strconv.ParseFloat(e.String(v), 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", v.Name, err)
	}
	return f, nil
}

// Floats returns v as a comma-separated list of ascending numbers.
func (e Env) Floats(v Var) ([]float64, error) {
	var out []float64
	for _, part := range strings.Split(e.String(v), ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		if len(out) > 0 && f <= out[len(out)-1] {
			return nil, fmt.Errorf("%s: values must ascend", v.Name)
		}
		out = append(out, f)
	}
	return out, nil
}

// Duration returns v as a duration ("90m", "4320h").
func (e Env) Duration(v Var) (time.Duration, error) {
	d, err := time.ParseDuration(e.String(v))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", v.Name, err)
	}
	return d, nil
}

// InstallLogger makes the JSON logger the default. In Lambda the runtime's
// handler is used: it adds the request id and follows the function's
// LoggingConfig (JSON format and level).
func InstallLogger(e Env) {
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") != "" {
		slog.SetDefault(slog.New(lambdacontext.NewLogHandler()))
		return
	}
	slog.SetDefault(Logger(e.String(LogLevel)))
}

// Logger returns the JSON logger every function uses.
func Logger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: l}))
}
