package index

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:generate go run gen_definitions.go

// compiled is every definition, validated, as JSON: what the functions
// load, since decoding one version costs a quarter of parsing its YAML on a
// cold start. go generate writes it (CompileDefinitions); a test keeps it the
// same as the YAML.
//
//go:embed definitions.json
var compiled []byte

// compiledSet is the shape of definitions.json: each version stays raw until
// it is first used, so a cold start decodes only the version it needs.
type compiledSet struct {
	Current  string                     `json:"current"`
	Versions map[string]json.RawMessage `json:"versions"`
}

// CompileDefinitions parses and validates the YAML definitions in fsys and
// returns them as the JSON that the package loads.
func CompileDefinitions(fsys fs.FS, glob string) ([]byte, error) {
	vs, err := loadDefinitions(fsys, glob)
	if err != nil {
		return nil, err
	}
	set := compiledSet{Versions: map[string]json.RawMessage{}}
	for _, q := range vs {
		b, err := json.Marshal(q)
		if err != nil {
			return nil, err
		}
		set.Versions[q.Version] = b
		if q.Current {
			set.Current = q.Version
		}
	}
	return json.Marshal(set) // map keys sorted: the same YAML gives the same bytes
}

// The embedded definitions are compiled into the binary and were validated
// when compiled, so a broken one is a programming error that the package's
// tests catch first: it panics.
var embeddedSet = sync.OnceValue(func() compiledSet {
	var set compiledSet
	if err := json.Unmarshal(compiled, &set); err != nil || set.Versions[set.Current] == nil {
		panic(fmt.Sprintf("index: invalid compiled questionnaire definitions (current %q): %v", set.Current, err))
	}
	return set
})

// decoded caches the versions decoded so far: one pointer per version.
var decoded struct {
	sync.Mutex
	byVersion map[string]*Questionnaire
}

// Lookup returns a version by its name ("2019"). It is shared and must not
// be modified (see Clone). Only that version is decoded.
func Lookup(version string) (*Questionnaire, bool) {
	decoded.Lock()
	defer decoded.Unlock()
	if q, ok := decoded.byVersion[version]; ok {
		return q, true
	}
	raw, ok := embeddedSet().Versions[version]
	if !ok {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	q := new(Questionnaire)
	if err := dec.Decode(q); err != nil || q.Version != version {
		panic(fmt.Sprintf("index: invalid compiled questionnaire definition %s: %v", version, err))
	}
	q.indexQuestions()
	if decoded.byVersion == nil {
		decoded.byVersion = map[string]*Questionnaire{}
	}
	decoded.byVersion[version] = q
	return q, true
}

// Versions returns every questionnaire version, oldest first. The
// questionnaires are shared and must not be modified (see Clone).
func Versions() []*Questionnaire {
	var vs []*Questionnaire
	for v := range embeddedSet().Versions {
		q, _ := Lookup(v)
		vs = append(vs, q)
	}
	slices.SortFunc(vs, byPublication)
	return vs
}

// Current returns the version new submissions use. It is shared and must not
// be modified (see Clone).
func Current() *Questionnaire {
	q, _ := Lookup(embeddedSet().Current)
	return q
}

// loadDefinitions parses and validates every definition matching glob in
// fsys, checks them against each other (unique versions, exactly one
// current) and returns them oldest first, by publication date. Every problem
// of every file is reported.
func loadDefinitions(fsys fs.FS, glob string) ([]*Questionnaire, error) {
	names, err := fs.Glob(fsys, glob)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no questionnaire definitions match %s", glob)
	}
	var (
		errs     []error
		vs       []*Questionnaire
		versions = map[string]string{} // version → file
		current  []string
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		q, err := parseDefinition(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := versions[q.Version]; dup {
			errs = append(errs, fmt.Errorf("%s: version %q is also defined in %s", name, q.Version, other))
			continue
		}
		versions[q.Version] = name
		if q.Current {
			current = append(current, q.Version)
		}
		vs = append(vs, q)
	}
	if len(errs) == 0 && len(current) != 1 {
		if len(current) == 0 {
			errs = append(errs, errors.New("no questionnaire version is marked current"))
		} else {
			errs = append(errs, fmt.Errorf("exactly one questionnaire version must be current, not %s", strings.Join(current, ", ")))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(vs, byPublication)
	return vs, nil
}

// byPublication orders versions oldest first.
func byPublication(a, b *Questionnaire) int {
	// Published is a validated YYYY-MM-DD date, so strings order it.
	if c := strings.Compare(a.Published, b.Published); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}

// parseDefinition decodes one YAML definition strictly (an unknown or
// misspelt field is an error, as is a second YAML document), checks that the
// version matches the file name and validates it.
func parseDefinition(name string, data []byte) (*Questionnaire, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var q Questionnaire
	if err := dec.Decode(&q); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty definition", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: only one YAML document is allowed", name)
	}
	if want := strings.TrimSuffix(path.Base(name), path.Ext(name)); q.Version != want {
		return nil, fmt.Errorf("%s: version %q does not match the file name (want %q)", name, q.Version, want)
	}
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	q.indexQuestions()
	return &q, nil
}

// Clone returns a deep copy of the questionnaire, which the caller may
// modify without touching the shared embedded versions.
func (q *Questionnaire) Clone() *Questionnaire {
	c := *q
	c.byID = nil // the copy may change; it looks questions up by walking
	c.Demographics = cloneQuestions(q.Demographics)
	if q.Areas != nil {
		c.Areas = make([]Area, len(q.Areas))
		for i, a := range q.Areas {
			a.Questions = cloneQuestions(a.Questions)
			c.Areas[i] = a
		}
	}
	return &c
}

func cloneQuestions(qs []Question) []Question {
	if qs == nil {
		return nil
	}
	out := make([]Question, len(qs))
	for i, q := range qs {
		q.Options = slices.Clone(q.Options)
		q.Bands = slices.Clone(q.Bands)
		if q.Min != nil {
			m := *q.Min
			q.Min = &m
		}
		if q.Max != nil {
			m := *q.Max
			q.Max = &m
		}
		out[i] = q
	}
	return out
}
