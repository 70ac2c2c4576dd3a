// Package config is the one place settings are read. Each function has one
// typed settings value (functions.go), filled from its environment by one
// loader (Load) on a cold start and validated there: a bad value stops the
// boot naming its variable. The local stack fills the same types from each
// function's environment in template.yaml, so a missing setting fails
// locally too. The AWS clients are in package clients, so that functions
// without AWS work do not link the SDK.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Var is one environment variable a settings type reads, as its field tags
// declare it:
//
//	env:"NAME" default:"value" required:"true" check:"email" doc:"what it is"
type Var struct {
	Name     string
	Default  string
	Required bool
	Check    string // email, url, positive or ascending; empty for none
	Doc      string
}

// Lookup returns a variable's value and whether it is set.
type Lookup func(name string) (string, bool)

// Load fills settings (a pointer to a struct) from the process environment.
func Load(settings any) error { return LoadFrom(settings, os.LookupEnv) }

// LoadFrom fills settings from lookup, every field tagged `env`, walking
// embedded structs. It reports every bad variable at once.
func LoadFrom(settings any, lookup Lookup) error {
	v := reflect.ValueOf(settings)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: settings must be a pointer to a struct, not %T", settings)
	}
	var errs []error
	fill(v.Elem(), lookup, &errs)
	return errors.Join(errs...)
}

func fill(v reflect.Value, lookup Lookup, errs *[]error) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			before := len(*errs)
			fill(fv, lookup, errs)
			// A group that read well checks its values against each other.
			if g, ok := fv.Addr().Interface().(interface{ Validate() error }); ok && len(*errs) == before {
				if err := g.Validate(); err != nil {
					*errs = append(*errs, err)
				}
			}
			continue
		}
		spec, ok := varOf(f)
		if !ok {
			continue
		}
		raw, set := lookup(spec.Name)
		if !set || raw == "" {
			if spec.Required {
				*errs = append(*errs, fmt.Errorf("%s is required (%s)", spec.Name, spec.Doc))
				continue
			}
			raw = spec.Default
		}
		if err := set1(fv, raw, spec); err != nil {
			*errs = append(*errs, fmt.Errorf("%s=%q: %w", spec.Name, raw, err))
		}
	}
}

func varOf(f reflect.StructField) (Var, bool) {
	name, ok := f.Tag.Lookup("env")
	if !ok {
		return Var{}, false
	}
	return Var{Name: name, Default: f.Tag.Get("default"), Required: f.Tag.Get("required") == "true",
		Check: f.Tag.Get("check"), Doc: f.Tag.Get("doc")}, true
}

var durationType = reflect.TypeFor[time.Duration]()

func set1(fv reflect.Value, raw string, spec Var) error {
	switch {
	case fv.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		if spec.Check == "positive" && d <= 0 {
			return errors.New("must be positive")
		}
		fv.SetInt(int64(d))
	case fv.Kind() == reflect.String:
		if raw != "" {
			if err := check(raw, spec.Check); err != nil {
				return err
			}
		}
		fv.SetString(raw)
	case fv.Kind() == reflect.Int || fv.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return errors.New("must be a whole number")
		}
		if spec.Check == "positive" && n <= 0 {
			return errors.New("must be positive")
		}
		if n < 0 {
			return errors.New("must not be negative")
		}
		fv.SetInt(n)
	case fv.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || x != x {
			return errors.New("must be a number")
		}
		fv.SetFloat(x)
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Float64:
		var out []float64
		for _, part := range strings.Split(raw, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil {
				return errors.New("must be numbers separated by commas")
			}
			if len(out) > 0 && x <= out[len(out)-1] {
				return errors.New("values must ascend")
			}
			out = append(out, x)
		}
		fv.Set(reflect.ValueOf(out))
	default:
		return fmt.Errorf("config: no loader for %s", fv.Type())
	}
	return nil
}

func check(raw, kind string) error {
	switch kind {
	case "email":
		a, err := mail.ParseAddress(raw)
		if err != nil || a.Name != "" || a.Address != raw {
			return errors.New("must be a plain email address")
		}
	case "url":
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("must be an http(s) URL")
		}
	}
	return nil
}

// Variables lists the variables a settings type reads, in field order.
func Variables(settings any) []Var {
	var out []Var
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if v, ok := varOf(f); ok {
				out = append(out, v)
			}
		}
	}
	t := reflect.TypeOf(settings)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	walk(t)
	return out
}

// InstallLogger makes the JSON logger the default. In Lambda the runtime's
// handler is used: it adds the request id and follows the function's
// LoggingConfig (JSON format and level).
func InstallLogger(level string) {
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") != "" {
		slog.SetDefault(slog.New(lambdacontext.NewLogHandler()))
		return
	}
	slog.SetDefault(Logger(level))
}

// Logger returns the JSON logger every function uses.
func Logger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: l}))
}
