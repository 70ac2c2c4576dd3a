package openapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

const root = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n"

// fragments makes a file system of YAML fragments, the root first.
func fragments(files ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i+1 < len(files); i += 2 {
		fsys[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return fsys
}

func TestBundleMergesTheFragments(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string // compact JSON, before indentation
	}{
		{"the root alone", fragments(Root, root), `{"openapi":"3.1.0","info":{"title":"T","version":"1"}}`},
		{"paths and components of every fragment, in file order, sections in the document's order",
			fragments(Root, root+"components: {securitySchemes: {bearer: {type: http}}}\n",
				"b.yaml", "paths: {/b: {}}\ncomponents: {schemas: {B: {}}, parameters: {P: {}}}\n",
				"a.yaml", "components: {schemas: {A: {}}}\npaths: {/a: {}}\ntags: [{name: a}]\n",
				"notes.txt", "not a fragment"),
			`{"openapi":"3.1.0","info":{"title":"T","version":"1"},"tags":[{"name":"a"}],"paths":{"/a":{},"/b":{}},` +
				`"components":{"securitySchemes":{"bearer":{"type":"http"}},"parameters":{"P":{}},"schemas":{"A":{},"B":{}}}}`},
		{"scalars as JSON reads them",
			fragments(Root, root+`x-values:
  200: status codes are keys
  date: 2026-04-10
  country: NO
  quoted: "1"
  int: 312000
  float: 21.50
  whole: 53.0
  yes: true
  none: null
  html: <b>&</b>
  escaped: "\u2028"
  folded: >-
    one
    line
  anchor: &a {k: v}
  alias: *a
`),
			`{"openapi":"3.1.0","info":{"title":"T","version":"1"},"x-values":{"200":"status codes are keys","date":"2026-04-10",` +
				`"country":"NO","quoted":"1","int":312000,"float":21.5,"whole":53,"yes":true,"none":null,"html":"<b>&</b>",` +
				`"escaped":"\u2028","folded":"one line","anchor":{"k":"v"},"alias":{"k":"v"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Bundle(tt.fsys)
			if err != nil {
				t.Fatal(err)
			}
			if want := indent(t, tt.want); string(got) != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// indent is the bundle's layout of compact JSON.
func indent(t *testing.T, compact string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(compact), "", "  "); err != nil {
		t.Fatalf("want %s: %v", compact, err)
	}
	return b.String() + "\n"
}

func TestBundleRefuses(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string // in the error
	}{
		{"no root", fragments("a.yaml", root), "no openapi.yaml"},
		{"a path in two fragments", fragments(Root, root, "a.yaml", "paths: {/x: {}}", "b.yaml", "paths: {/x: {}}"), "b.yaml:1: path /x is already defined"},
		{"a schema in two fragments", fragments(Root, root, "a.yaml", "components: {schemas: {X: {}}}", "b.yaml", "components:\n  schemas:\n    X: {}"), "b.yaml:3: schema X is already defined"},
		{"a field in two fragments", fragments(Root, root, "a.yaml", "info: {title: U}"), `a.yaml:1: "info" is already defined`},
		{"a key twice in a mapping", fragments(Root, root+"x-a: 1\nx-a: 2\n"), `openapi.yaml:4: "x-a" is already defined on line 3`},
		{"a field OpenAPI does not have", fragments(Root, root+"component: {}\n"), `"component" is not a field`},
		{"a section components do not have", fragments(Root, root+"components: {schema: {}}\n"), `"schema" is not a section`},
		{"paths that are not a mapping", fragments(Root, root+"paths: [/a]\n"), "paths must be a mapping"},
		{"a merge key", fragments(Root, root+"x-a: &a {k: v}\nx-b: {<<: *a}\n"), "merge keys"},
		{"a number JSON cannot write", fragments(Root, root+"x-a: .inf\n"), "not a JSON number"},
		{"a binary value", fragments(Root, root+"x-a: !!binary aGk=\n"), "!!binary values have no JSON form"},
		{"a fragment that is a list", fragments(Root, "- a\n"), "not a YAML mapping"},
		{"a fragment that is not YAML", fragments(Root, "a: [\n"), "openapi.yaml: yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Bundle(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}
