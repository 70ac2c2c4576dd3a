package index

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The questionnaire versions, one YAML file each, named after the version
// (definitions/2019.yaml holds version "2019").
//
//go:embed definitions/*.yaml
var definitionFiles embed.FS

// definitionGlob finds the definitions inside definitionFiles.
const definitionGlob = "definitions/*.yaml"

var embedded struct {
	once      sync.Once
	versions  []*Questionnaire // oldest first
	byVersion map[string]*Questionnaire
	current   *Questionnaire
}

// load parses and validates the embedded definitions once. They are compiled
// into the binary, so a broken one is a programming error that the package's
// tests catch first: it panics with every problem found.
func load() {
	embedded.once.Do(func() {
		vs, err := loadDefinitions(definitionFiles, definitionGlob)
		if err != nil {
			panic("index: invalid embedded questionnaire definitions: " + err.Error())
		}
		// One pointer per version, whichever way it was first parsed.
		single.Lock()
		if single.byVersion == nil {
			single.byVersion = map[string]*Questionnaire{}
		}
		for i, q := range vs {
			if cached, ok := single.byVersion[q.Version]; ok {
				vs[i] = cached
			} else {
				single.byVersion[q.Version] = q
			}
		}
		single.Unlock()
		embedded.versions = vs
		embedded.byVersion = make(map[string]*Questionnaire, len(vs))
		for _, q := range vs {
			embedded.byVersion[q.Version] = q
			if q.Current {
				embedded.current = q
			}
		}
	})
}

// Versions returns every questionnaire version, oldest first. The
// questionnaires are shared and must not be modified (see Clone).
func Versions() []*Questionnaire {
	load()
	return slices.Clone(embedded.versions)
}

// Current returns the version new submissions use. It is shared and must not
// be modified (see Clone). The current version is the newest file (a test
// holds the embedded files to it), so a cold start parses only that one.
func Current() *Questionnaire {
	names, _ := fs.Glob(definitionFiles, definitionGlob)
	if len(names) > 0 {
		newest := strings.TrimSuffix(path.Base(names[len(names)-1]), ".yaml")
		if q, ok := Lookup(newest); ok && q.Current {
			return q
		}
	}
	load()
	return embedded.current
}

// single caches versions parsed one at a time, before (or instead of) the
// whole set.
var single struct {
	sync.Mutex
	byVersion map[string]*Questionnaire
}

// Lookup returns a version by its name ("2019"). It is shared and must not
// be modified (see Clone). Only that version's file is parsed.
func Lookup(version string) (*Questionnaire, bool) {
	single.Lock()
	defer single.Unlock()
	if q, ok := single.byVersion[version]; ok {
		return q, true
	}
	name := "definitions/" + version + ".yaml"
	if strings.ContainsAny(version, "/.*?[\\") || version == "" {
		return nil, false
	}
	data, err := fs.ReadFile(definitionFiles, name)
	if err != nil {
		return nil, false
	}
	q, err := parseDefinition(name, data)
	if err != nil {
		panic("index: invalid embedded questionnaire definition: " + err.Error())
	}
	if single.byVersion == nil {
		single.byVersion = map[string]*Questionnaire{}
	}
	single.byVersion[version] = q
	return q, true
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
	slices.SortFunc(vs, func(a, b *Questionnaire) int {
		// Published is a validated YYYY-MM-DD date, so strings order it.
		if c := strings.Compare(a.Published, b.Published); c != 0 {
			return c
		}
		return strings.Compare(a.Version, b.Version)
	})
	return vs, nil
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
