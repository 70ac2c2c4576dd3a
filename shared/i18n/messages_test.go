package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// source holds what the shared packages' code (tests and this package's
// catalogue aside) says: every string literal, and every message a problem
// can carry.
type source struct {
	literals map[string]bool
	problems map[string]string // message → where
}

// readSource finds, in the shared packages' source, every message a problem
// can carry: the formats given to failure.New, to a failure.Collector's Add
// (the variables named c or col) and to failure.Field, the details of
// failure.FieldError literals, and the summaries given to failure.Fields and
// Collector.Err.
func readSource(t *testing.T) source {
	t.Helper()
	src := source{literals: map[string]bool{}, problems: map[string]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.HasPrefix(filepath.Base(path), "messages_") && filepath.Base(filepath.Dir(path)) == "i18n" {
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
				src.problems[s] = fset.Position(e.Pos()).String()
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, ok := lit(n); ok {
					src.literals[s] = true
				}
			case *ast.BinaryExpr:
				if s, ok := lit(n); ok {
					src.literals[s] = true
				}
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
	if len(src.problems) < 50 {
		t.Fatalf("only %d problem messages found: the search is broken", len(src.problems))
	}
	return src
}

func TestEveryProblemMessageHasItsFrench(t *testing.T) {
	var missing []string
	for msg, where := range readSource(t).problems {
		if !French.Has(msg) {
			missing = append(missing, strconv.Quote(msg)+": \"\", // "+where)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d problem messages have no French in messages_fr.go:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

var verbs = regexp.MustCompile(`%[-+# 0-9.\[\]]*[a-zA-Z%]`)

func TestTranslationsKeepTheirVerbs(t *testing.T) {
	for key, fr := range french {
		en := key
		if English.Has(key) {
			en = english[key]
		}
		if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(fr, -1); !slices.Equal(a, b) {
			t.Errorf("%q → %q: verbs %v, want %v", en, fr, b, a)
		}
	}
}

func TestMessagesKnownByANameExistInBothLanguages(t *testing.T) {
	for _, name := range Names() {
		if !French.Has(name) {
			t.Errorf("%s has no French", name)
		}
		if slices.ContainsFunc(verbs.FindAllString(english[name], -1), func(v string) bool { return v != "%%" }) {
			continue // a label with arguments (TestSprintfWritesArgumentsInTheLanguage)
		}
		for _, l := range []Lang{English, French} {
			// A name without arguments reads as its text: no stray verb.
			if s := l.Sprintf(name); strings.Contains(s, "%!") || strings.TrimSpace(s) == "" {
				t.Errorf("%s in %s reads %q", name, l, s)
			}
		}
	}
}

// A French entry whose English the code no longer says is a stale entry:
// each key is a name or a literal of the code.
func TestEveryFrenchEntryIsStillSaid(t *testing.T) {
	lits := readSource(t).literals
	for key := range french {
		if !English.Has(key) && !lits[key] {
			t.Errorf("French entry %q: the code says no such message", key)
		}
	}
}

func TestSprintfWritesArgumentsInTheLanguage(t *testing.T) {
	day := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		lang Lang
		key  string
		args []any
		want string
	}{
		{English, "must be a number of inhabitants from 1 to %d", []any{50000000}, "must be a number of inhabitants from 1 to 50,000,000"},
		{French, "must be a number of inhabitants from 1 to %d", []any{50000000}, "doit être un nombre d'habitants de 1 à 50\u202f000\u202f000"},
		{French, "%s: must be from %g to %g", []any{"demographics.foreignBorn", 0.0, 12.5}, "demographics.foreignBorn: doit être compris entre 0 et 12,5"},
		{English, "%s: must be from %g to %g", []any{"demographics.population", 1.0, 5e7}, "demographics.population: must be from 1 to 50,000,000"},
		{French, "the agreement runs until %s", []any{"2030-01-14"}, "l'accord court jusqu'au 14 janvier 2030"},
		{English, "must be after the entry into force (%s)", []any{"2027-01-15"}, "must be after the entry into force (15 January 2027)"},
		{French, "must be after the entry into force (%s)", []any{day}, "doit être postérieure à l'entrée en vigueur (15 janvier 2027)"},
		{French, "no diversity share reaches %v (highest: %v)", []any{Percentage(5), Percentage(4.9)},
			"aucune part (nés à l'étranger, résidents étrangers, minorités nationales) n'atteint 5,0\u00a0% (la plus élevée : 4,9\u00a0%)"},
		{French, "%s: unknown option %q (%s)", []any{"q1", "2026-01-01", "yes, no"}, "q1: option \"2026-01-01\" inconnue (yes, no)"},
		{French, "a city whose status is %s cannot take the step %s; possible steps: %v", []any{"member", "withdrawn", []string{"expired"}},
			"une ville au statut member ne peut pas franchir l'étape withdrawn ; étapes possibles : [expired]"},
		{French, "a message the catalogue lacks: %d", []any{1234}, "a message the catalogue lacks: 1\u202f234"},
		{French, "jsRank", nil, "rang {rank} sur {of}, moyenne {average}"},
		{English, "applyIntro", []any{int64(30000), Percentage(5)}, "A city of at least 30,000 inhabitants where at least 5.0% of residents"},
	} {
		got := tc.lang.Sprintf(tc.key, tc.args...)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s %q: %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
}
