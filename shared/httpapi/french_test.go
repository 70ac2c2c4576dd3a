package httpapi

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/failure"
)

// inputMessages finds, in the shared packages' source, every message a
// problem can carry: the formats given to failure.New, to a
// failure.Collector's Add (the variables named c or col) and to
// failure.Field, the details of failure.FieldError literals, and the
// summaries given to failure.Fields and Collector.Err.
func inputMessages(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{} // message → where
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		var lit func(e ast.Expr) (string, bool)
		lit = func(e ast.Expr) (string, bool) {
			if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD { // "…" + "…"
				x, okx := lit(b.X)
				y, oky := lit(b.Y)
				return x + y, okx && oky
			}
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(b.Value)
			return s, err == nil
		}
		add := func(e ast.Expr) {
			if s, ok := lit(e); ok {
				found[s] = fset.Position(e.Pos()).String()
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				x, _ := sel.X.(*ast.Ident)
				switch {
				case sel.Sel.Name == "Add" && x != nil && (x.Name == "c" || x.Name == "col") && len(n.Args) >= 2:
					add(n.Args[1])
				case sel.Sel.Name == "Field" && x != nil && x.Name == "failure" && len(n.Args) >= 2:
					add(n.Args[1])
				case sel.Sel.Name == "Fields" && x != nil && x.Name == "failure" && len(n.Args) >= 1:
					add(n.Args[0])
				case sel.Sel.Name == "New" && x != nil && x.Name == "failure" && len(n.Args) >= 2:
					add(n.Args[1]) // every problem's detail: bad input or not
				case sel.Sel.Name == "Err" && x != nil && (x.Name == "c" || x.Name == "col") && len(n.Args) == 1:
					add(n.Args[0])
				}
			case *ast.CompositeLit:
				var pointer bool
				var detail ast.Expr
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Pointer" {
							pointer = true
						} else if ok && k.Name == "Detail" {
							detail = kv.Value
						}
					}
				}
				if pointer && detail != nil {
					add(detail)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 50 {
		t.Fatalf("only %d input messages found: the search is broken", len(found))
	}
	return found
}

func TestEveryInputMessageHasItsFrench(t *testing.T) {
	var missing []string
	for msg, where := range inputMessages(t) {
		fr, ok := french[msg]
		if !ok {
			missing = append(missing, strconv.Quote(msg)+": \"\", // "+where)
			continue
		}
		if strings.Count(fr, "%") != strings.Count(msg, "%") {
			t.Errorf("%q → %q: the verbs differ", msg, fr)
		}
	}
	// Every entry keeps its verbs, in their order.
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	for en, fr := range french {
		if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(fr, -1); !slices.Equal(a, b) {
			t.Errorf("%q → %q: verbs %v, want %v", en, fr, b, a)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d input messages have no French:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func TestProblemLanguageFollowsAcceptLanguage(t *testing.T) {
	tests := map[string]string{
		"":                              "en",
		"fr":                            "fr",
		"fr-BE":                         "fr",
		"FR-ch, en;q=0.5":               "fr",
		"en-GB,en;q=0.9,fr;q=0.8":       "en",
		"de-DE,de;q=0.9,fr;q=0.7":       "fr",
		"de":                            "en",
		"en;q=0.3, fr;q=0.6":            "fr",
		"fr;q=0":                        "en",
		"it, fr-CA;q=0.4, en-US;q=0.35": "fr",
	}
	for header, want := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			r.Header.Set("Accept-Language", header)
		}
		if got := problemLanguage(r); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
}

func TestProblemsAreWordedInTheCallersLanguage(t *testing.T) {
	var c failure.Collector
	c.Add("/population", "must be a number of inhabitants from 1 to %d", 50000000)
	c.Add("/answers", "%s: is required", "commitment.statement")
	c.Add("/answers/3/value", "%s: must be from %g to %g", "demographics.foreignBorn", 0.0, 100.0)
	c.Add("/x", "a message the catalog lacks")
	err := c.Err("the application has invalid fields")
	problem := func(lang string) Problem {
		r := httptest.NewRequest(http.MethodPost, "/applications", nil)
		r.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		writeProblem(w, r, err)
		var p Problem
		if e := json.Unmarshal(w.Body.Bytes(), &p); e != nil || w.Code != http.StatusBadRequest || len(p.Errors) != 4 {
			t.Fatalf("%s: %d %s", lang, w.Code, w.Body)
		}
		return p
	}
	en, fr := problem("en"), problem("fr-FR,fr;q=0.9")
	if en.Detail != "the application has invalid fields" || en.Errors[1].Detail != "commitment.statement: is required" {
		t.Errorf("English problem changed: %+v", en)
	}
	wantFR := []string{
		"doit être un nombre d'habitants de 1 à 50000000",
		"commitment.statement: une réponse est obligatoire",
		"demographics.foreignBorn: doit être compris entre 0 et 100",
		"a message the catalog lacks",
	}
	if fr.Detail != "la candidature comporte des champs invalides" {
		t.Errorf("French detail %q", fr.Detail)
	}
	for i, want := range wantFR {
		if fr.Errors[i].Detail != want || fr.Errors[i].Pointer != en.Errors[i].Pointer {
			t.Errorf("French error %d: %+v, want %q", i, fr.Errors[i], want)
		}
	}
	// The error itself is untouched: another caller still reads English.
	if failure.As(err).Fields[0].Detail != "must be a number of inhabitants from 1 to 50000000" {
		t.Error("wording a problem in French changed the error")
	}
}
