// Package openapi is the source of the API's published contract: one YAML
// fragment per area of the API beside this file, bundled by Bundle into the
// one OpenAPI document the API serves (shared/httpapi/openapi.json).
//
// Each fragment is a partial OpenAPI document. Root holds what the document
// has once (openapi, info, servers, security, tags); every other fragment
// brings whole path items under paths and whole components under
// components. A path, a component or any other field defined by two
// fragments is an error, so each thing has one home.
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Root is the fragment that opens the document.
const Root = "openapi.yaml"

// The fields an OpenAPI 3.1 document and its components may have, in the
// order the bundle writes them whichever fragment brings them: what the
// document is, then its routes, then the parts they share. Any other field
// but an x- extension is a typing mistake that would otherwise pass
// silently into the document.
var (
	rootFields = []string{"openapi", "info", "jsonSchemaDialect", "servers", "security", "tags",
		"externalDocs", "paths", "webhooks", "components"}
	componentSections = []string{"securitySchemes", "parameters", "headers", "responses", "requestBodies",
		"examples", "links", "callbacks", "pathItems", "schemas"}
)

// Bundle reads the *.yaml fragments at the top of fsys, Root first and the
// others in lexical order, and returns the document they make as indented
// JSON. The result depends on the fragments only: the same fragments give
// the same bytes.
func Bundle(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(names, Root) {
		return nil, fmt.Errorf("no %s among the fragments %v", Root, names)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == Root })
	slices.Sort(names)
	doc := newObject()
	for _, name := range append([]string{Root}, names...) {
		f, err := readFragment(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := merge(doc, f, name); err != nil {
			return nil, err
		}
	}
	doc.reorder(rootFields)
	if c, ok := doc.values["components"].(*object); ok {
		c.reorder(componentSections)
	}
	var compact bytes.Buffer
	if err := writeJSON(&compact, doc); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// object is a JSON object that keeps the order of its keys, so that the
// document reads in the order its authors wrote it.
type object struct {
	keys   []string
	values map[string]any
	lines  map[string]int // where each key was written, for error messages
}

func newObject() *object {
	return &object{values: map[string]any{}, lines: map[string]int{}}
}

// reorder puts the keys named in order first, in that order, and the
// others after them as they were.
func (o *object) reorder(order []string) {
	slices.SortStableFunc(o.keys, func(a, b string) int {
		return rank(order, a) - rank(order, b)
	})
}

func rank(order []string, key string) int {
	if i := slices.Index(order, key); i >= 0 {
		return i
	}
	return len(order)
}

func (o *object) set(key string, v any, line int) {
	if _, ok := o.values[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.values[key] = v
	o.lines[key] = line
}

func readFragment(fsys fs.FS, name string) (*object, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) != 1 || n.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", name)
	}
	v, err := value(n.Content[0])
	if err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	return v.(*object), nil
}

// value turns a YAML node into the JSON value it stands for. Keys are
// always strings (a response's 200 is the string "200"); a plain scalar
// that YAML would read as a date stays the string it looks like.
func value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return value(n.Alias)
	case yaml.MappingNode:
		o := newObject()
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%d: a key must be a scalar", k.Line)
			}
			if k.ShortTag() == "!!merge" {
				return nil, fmt.Errorf("%d: merge keys (<<) are not supported: write the fields out", k.Line)
			}
			if _, dup := o.values[k.Value]; dup {
				return nil, fmt.Errorf("%d: %q is already defined on line %d", k.Line, k.Value, o.lines[k.Value])
			}
			x, err := value(v)
			if err != nil {
				return nil, err
			}
			o.set(k.Value, x, k.Line)
		}
		return o, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			x, err := value(e)
			if err != nil {
				return nil, err
			}
			a = append(a, x)
		}
		return a, nil
	case yaml.ScalarNode:
		switch tag := n.ShortTag(); tag {
		case "!!str", "!!timestamp":
			return n.Value, nil
		case "!!int", "!!float", "!!bool", "!!null":
			var x any
			if err := n.Decode(&x); err != nil {
				return nil, fmt.Errorf("%d: %w", n.Line, err)
			}
			if f, ok := x.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
				return nil, fmt.Errorf("%d: %s is not a JSON number", n.Line, n.Value)
			}
			return x, nil
		default:
			return nil, fmt.Errorf("%d: %s values have no JSON form", n.Line, tag)
		}
	}
	return nil, fmt.Errorf("%d: unexpected YAML node", n.Line)
}

// merge adds a fragment to the document: its path items and components one
// by one, any other field whole, each defined once.
func merge(doc, f *object, name string) error {
	for _, k := range f.keys {
		if !slices.Contains(rootFields, k) && !strings.HasPrefix(k, "x-") {
			return fmt.Errorf("%s:%d: %q is not a field of an OpenAPI document", name, f.lines[k], k)
		}
		switch k {
		case "paths":
			if err := mergeEach(doc, f, name, k, "path"); err != nil {
				return err
			}
		case "components":
			sections, ok := f.values[k].(*object)
			if !ok {
				return fmt.Errorf("%s:%d: components must be a mapping", name, f.lines[k])
			}
			if _, ok := doc.values[k]; !ok {
				doc.set(k, newObject(), 0)
			}
			for _, s := range sections.keys {
				if !slices.Contains(componentSections, s) && !strings.HasPrefix(s, "x-") {
					return fmt.Errorf("%s:%d: %q is not a section of components", name, sections.lines[s], s)
				}
				if err := mergeEach(doc.values[k].(*object), sections, name, s, strings.TrimSuffix(s, "s")); err != nil {
					return err
				}
			}
		default:
			if _, ok := doc.values[k]; ok {
				return fmt.Errorf("%s:%d: %q is already defined in another fragment", name, f.lines[k], k)
			}
			doc.set(k, f.values[k], f.lines[k])
		}
	}
	return nil
}

// mergeEach adds the entries of the mapping src[key] to dst[key], refusing
// an entry dst already has.
func mergeEach(dst, src *object, name, key, what string) error {
	entries, ok := src.values[key].(*object)
	if !ok {
		return fmt.Errorf("%s:%d: %s must be a mapping", name, src.lines[key], key)
	}
	if _, ok := dst.values[key]; !ok {
		dst.set(key, newObject(), 0)
	}
	into := dst.values[key].(*object)
	for _, e := range entries.keys {
		if _, dup := into.values[e]; dup {
			return fmt.Errorf("%s:%d: %s %s is already defined in another fragment", name, entries.lines[e], what, e)
		}
		into.set(e, entries.values[e], entries.lines[e])
	}
	return nil
}

// writeJSON writes v as compact JSON, objects in their keys' order and
// strings without the HTML escaping of encoding/json, which would only
// make the document harder to read.
func writeJSON(w *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case *object:
		w.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeJSON(w, k); err != nil {
				return err
			}
			w.WriteByte(':')
			if err := writeJSON(w, x.values[k]); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	case []any:
		w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeJSON(w, e); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	default:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return err
		}
		w.Truncate(w.Len() - 1) // Encode ends with a newline
	}
	return nil
}
