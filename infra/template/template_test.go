package template

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/intercultural-cities/backoffice/shared/config"
	"github.com/intercultural-cities/backoffice/shared/httpapi"
	"github.com/intercultural-cities/backoffice/shared/store"
)

const (
	configPkg = "github.com/intercultural-cities/backoffice/shared/config"
	bootPkg   = "github.com/intercultural-cities/backoffice/shared/boot"
)

// load reads the repository's template.yaml.
func load(t *testing.T) *Template {
	t.Helper()
	path, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if len(tpl.Functions) == 0 {
		t.Fatalf("%s declares no AWS::Serverless::Function", path)
	}
	return tpl
}

// functionDirs lists the folders under functions/.
func functionDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	sort.Strings(dirs)
	return dirs
}

// diff returns what is only in a and what is only in b, each sorted.
func diff[T comparable](a, b []T, less func(x, y T) int) (onlyA, onlyB []T) {
	inA, inB := map[T]bool{}, map[T]bool{}
	for _, x := range a {
		inA[x] = true
	}
	for _, x := range b {
		inB[x] = true
	}
	for x := range inA {
		if !inB[x] {
			onlyA = append(onlyA, x)
		}
	}
	for x := range inB {
		if !inA[x] {
			onlyB = append(onlyB, x)
		}
	}
	slices.SortFunc(onlyA, less)
	slices.SortFunc(onlyB, less)
	return onlyA, onlyB
}

func TestFunctionsMatchFolders(t *testing.T) {
	tpl := load(t)
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		if f.CodeURI != "functions/"+f.Name {
			t.Errorf("%s: CodeUri %q, want functions/<name>", id, f.CodeURI)
		}
		main := filepath.Join(tpl.Dir, filepath.FromSlash(f.CodeURI), "main.go")
		if _, err := os.Stat(main); err != nil {
			t.Errorf("%s: CodeUri %s has no main.go: %v", id, f.CodeURI, err)
		}
	}
	names := tpl.Names()
	if dup := duplicates(names); len(dup) > 0 {
		t.Errorf("several functions share a CodeUri: %v", dup)
	}
	onlyTpl, onlyDir := diff(names, functionDirs(t, tpl.Dir), strings.Compare)
	if len(onlyTpl) > 0 {
		t.Errorf("in template.yaml but not under functions/: %v", onlyTpl)
	}
	if len(onlyDir) > 0 {
		t.Errorf("under functions/ but not in template.yaml: %v", onlyDir)
	}
}

func TestFunctionsBuildForLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiling every function is skipped in -short mode")
	}
	tpl := load(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH: %v", err)
	}
	out := t.TempDir()
	pkgs := make([]string, 0, len(tpl.Functions))
	for _, name := range tpl.Names() {
		pkgs = append(pkgs, "./functions/"+name)
	}
	// One invocation for every function: the packages share most of their
	// dependencies, and -o into a folder writes one binary per package.
	args := append([]string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out + string(filepath.Separator)}, pkgs...)
	cmd := exec.Command(goBin, args...)
	cmd.Dir = tpl.Dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	// Executing a template looks methods up by name, which makes the linker
	// keep every operation of every SDK client in the binary (megabytes):
	// only the functions that render pages, emails or reports do. A
	// stripped binary still names its functions, for tracebacks.
	renders := []string{"applications", "notify", "publisher", "reports", "web"}
	for _, name := range tpl.Names() {
		bin := filepath.Join(out, name)
		f, err := elf.Open(bin)
		if err != nil {
			t.Errorf("functions/%s: no linux binary: %v", name, err)
			continue
		}
		if f.Machine != elf.EM_AARCH64 {
			t.Errorf("functions/%s: binary is for %v, want EM_AARCH64", name, f.Machine)
		}
		_ = f.Close()
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if executes := bytes.Contains(b, []byte("text/template.(*state).evalCall")); executes != slices.Contains(renders, name) {
			t.Errorf("functions/%s executes templates: %v, want %v (a page route in a function that renders nothing?)",
				name, executes, slices.Contains(renders, name))
		}
	}
}

// TestFunctionsLinkOnlyWhatTheyUse lists each function's dependencies as the
// Lambda build sees them: no test-only code, no AWS client a function does
// not call (SES only in notify; none of the SDK's profile, SSO or STS
// machinery anywhere), and no AWS SDK at all in the functions without AWS.
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	tpl := load(t)
	deps, err := tpl.Deps()
	if err != nil {
		t.Fatal(err)
	}
	const sdk = "github.com/aws/aws-sdk-go-v2/"
	never := []string{"github.com/sivchari/kumo", "github.com/chromedp/", "github.com/getkin/kin-openapi",
		"github.com/intercultural-cities/backoffice/infra/", "testing", sdk + "config", sdk + "service/sts",
		sdk + "service/sso", sdk + "service/signin", sdk + "credentials/ssocreds", sdk + "credentials/stscreds"}
	withoutAWS := []string{"openapi", "questionnaire", "web"}
	for name, pkgs := range deps {
		for _, dep := range pkgs {
			for _, bad := range never {
				if dep == bad || strings.HasPrefix(dep, strings.TrimSuffix(bad, "/")+"/") {
					t.Errorf("functions/%s links %s", name, dep)
				}
			}
			if dep == sdk+"service/ses" && name != "notify" {
				t.Errorf("functions/%s links SES, which only notify uses", name)
			}
			if slices.Contains(withoutAWS, name) && strings.HasPrefix(dep, sdk+"service/") {
				t.Errorf("functions/%s needs no AWS client but links %s", name, dep)
			}
		}
	}
}

type route struct{ Function, Method, Path string }

func compareRoutes(a, b route) int {
	return strings.Compare(a.Function+" "+a.Method+" "+a.Path, b.Function+" "+b.Method+" "+b.Path)
}

func TestRoutesMatchCode(t *testing.T) {
	tpl := load(t)
	var declared []route
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		for _, r := range f.Routes {
			declared = append(declared, route{f.Name, r.Method, r.Path})
		}
	}
	var coded []route
	for _, r := range httpapi.AllRoutes() {
		coded = append(coded, route{r.Function, r.Method, r.Path})
	}
	var keys []string
	for _, r := range declared {
		keys = append(keys, r.Method+" "+r.Path)
	}
	if dup := duplicates(keys); len(dup) > 0 {
		t.Errorf("template.yaml declares a route key more than once (API Gateway refuses it): %v", dup)
	}
	if dup := duplicates(coded); len(dup) > 0 {
		t.Errorf("httpapi.AllRoutes lists a route twice: %v", dup)
	}
	onlyTpl, onlyCode := diff(declared, coded, compareRoutes)
	for _, r := range onlyTpl {
		t.Errorf("template.yaml routes %s %s to %s, httpapi.AllRoutes does not", r.Method, r.Path, r.Function)
	}
	for _, r := range onlyCode {
		t.Errorf("httpapi.AllRoutes serves %s %s in %s, template.yaml has no such HttpApi event", r.Method, r.Path, r.Function)
	}
}

// externalVars are variables the template may set that no code of ours reads
// through config (read by the runtime or a layer, for example).
var externalVars = map[string]bool{}

// settingsType returns the config type a function's main package loads: the
// one it names as config.<Type>Settings.
func settingsType(t *testing.T, dir string) string {
	t.Helper()
	var found []string
	for _, f := range parseDir(t, dir) {
		configName := importName(f, configPkg)
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == configName && strings.HasSuffix(sel.Sel.Name, "Settings") {
					found = append(found, sel.Sel.Name)
				}
				// httpapi.StartStandalone loads the functions without AWS.
				if sel.Sel.Name == "StartStandalone" {
					found = append(found, "StandaloneSettings")
				}
			}
			return true
		})
	}
	if len(found) != 1 {
		t.Fatalf("%s should load exactly one config.<Name>Settings, names %v", dir, found)
	}
	return found[0]
}

func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return files
}

// importName returns the name a file uses for an import path, or "".
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != path {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return filepath.Base(p)
	}
	return ""
}

// Every function's environment in the template sets exactly the variables
// its settings type reads; the function's main package loads that type; and
// the values the template gives pass the loader's checks.
func TestEnvironmentMatchesCode(t *testing.T) {
	tpl := load(t)
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		t.Run(name, func(t *testing.T) {
			settings, ok := config.Functions[name]
			if !ok {
				t.Fatalf("config.Functions has no settings for %s", name)
			}
			typ := reflect.TypeOf(settings).Name()
			if got := settingsType(t, filepath.Join(tpl.Dir, filepath.FromSlash(f.CodeURI))); got != typ {
				t.Errorf("%s loads config.%s, config.Functions says %s", f.CodeURI, got, typ)
			}
			read := map[string]config.Var{}
			for _, v := range config.Variables(settings) {
				read[v.Name] = v
				val, set := f.Env[v.Name]
				switch {
				case !set && v.Required:
					t.Errorf("%s reads required %s (%s), %s's Environment does not set it", name, v.Name, v.Doc, f.LogicalID)
				case !set:
					t.Errorf("%s reads %s (default %q), %s's Environment does not set it", name, v.Name, v.Default, f.LogicalID)
				case strings.TrimSpace(val) == "":
					t.Errorf("%s's Environment sets %s to an empty value", f.LogicalID, v.Name)
				}
			}
			for _, vn := range sortedKeys(f.Env) {
				if _, ok := read[vn]; !ok && !externalVars[vn] {
					t.Errorf("%s's Environment sets %s, which %s never reads", f.LogicalID, vn, name)
				}
			}
			// Literal values must load: a typo fails here, not on the first
			// cold start. References to parameters and resources stand in
			// for a plausible value.
			dst := reflect.New(reflect.TypeOf(settings)).Interface()
			err := config.LoadFrom(dst, func(k string) (string, bool) {
				v, ok := f.Env[k]
				if p, isParam := tpl.Parameters[strings.TrimPrefix(v, "!Ref ")]; isParam && p.Default != nil && p.Default != "" {
					return fmt.Sprint(p.Default), ok // a deployment that keeps the default
				}
				if strings.HasPrefix(v, "!") {
					switch read[k].Check {
					case "email":
						return "someone@coe.example", ok
					case "url":
						return "https://api.example", ok
					}
					return "x", ok
				}
				return v, ok
			})
			if err != nil {
				t.Errorf("%s's Environment does not load: %v", f.LogicalID, err)
			}
		})
	}
}

func TestTableMatchesStore(t *testing.T) {
	tpl := load(t)
	tb := tpl.Table
	st := store.Table
	wantKeys := []KeyElement{{st.PartitionKey, "HASH"}, {st.SortKey, "RANGE"}}
	if !reflect.DeepEqual(tb.KeySchema, wantKeys) {
		t.Errorf("table KeySchema %v, store.Table wants %v", tb.KeySchema, wantKeys)
	}
	var found bool
	for _, g := range tb.GlobalSecondaryIndexes {
		if g.IndexName != st.Index {
			continue
		}
		found = true
		want := []KeyElement{{st.IndexPartitionKey, "HASH"}, {st.IndexSortKey, "RANGE"}}
		if !reflect.DeepEqual(g.KeySchema, want) {
			t.Errorf("index %s KeySchema %v, store.Table wants %v", g.IndexName, g.KeySchema, want)
		}
		if g.Projection.ProjectionType != "ALL" {
			t.Errorf("index %s projects %q; the store reads whole items from it, want ALL", g.IndexName, g.Projection.ProjectionType)
		}
	}
	if !found {
		t.Errorf("table has no global secondary index %q", st.Index)
	}
	// CloudFormation wants exactly the key attributes defined.
	var keyAttrs, defined []string
	for _, k := range tb.KeySchema {
		keyAttrs = append(keyAttrs, k.AttributeName)
	}
	for _, g := range tb.GlobalSecondaryIndexes {
		for _, k := range g.KeySchema {
			keyAttrs = append(keyAttrs, k.AttributeName)
		}
	}
	for _, a := range tb.AttributeDefinitions {
		defined = append(defined, a.AttributeName)
		if a.AttributeType != "S" {
			t.Errorf("attribute %s has type %s; the store writes strings", a.AttributeName, a.AttributeType)
		}
	}
	if onlyKeys, onlyDefs := diff(keyAttrs, defined, strings.Compare); len(onlyKeys)+len(onlyDefs) > 0 {
		t.Errorf("AttributeDefinitions must define exactly the key attributes: undefined %v, not keys %v", onlyKeys, onlyDefs)
	}
	if got := tb.StreamSpecification.StreamViewType; got != "NEW_AND_OLD_IMAGES" {
		t.Errorf("StreamViewType %q, want NEW_AND_OLD_IMAGES", got)
	}
	if got := tb.TimeToLiveSpecification; got.AttributeName != st.TTLAttribute || !got.Enabled {
		t.Errorf("TimeToLiveSpecification %+v, want AttributeName %q and Enabled", got, st.TTLAttribute)
	}
	if !tb.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled {
		t.Error("PointInTimeRecoveryEnabled is not true")
	}
	res := tpl.Resources[tb.LogicalID]
	if res.DeletionPolicy != "Retain" {
		t.Errorf("table DeletionPolicy %q, want Retain", res.DeletionPolicy)
	}
	if res.UpdateReplacePolicy != "Retain" {
		t.Errorf("table UpdateReplacePolicy %q, want Retain", res.UpdateReplacePolicy)
	}
}

func TestFunctionRuntime(t *testing.T) {
	tpl := load(t)
	checks := []struct {
		property string
		want     any
	}{
		{"Runtime", "provided.al2023"},
		{"Architectures", []any{"arm64"}},
		{"Handler", "bootstrap"},
	}
	for _, name := range tpl.Names() {
		f, _ := tpl.FunctionByName(name)
		for _, c := range checks {
			got, ok := tpl.FunctionProperty(f, c.property)
			switch {
			case !ok:
				t.Errorf("%s: no %s, in its Properties or in Globals.Function", f.LogicalID, c.property)
			case !reflect.DeepEqual(got, c.want):
				t.Errorf("%s: %s is %v, want %v", f.LogicalID, c.property, got, c.want)
			}
		}
		if got := f.Raw.Metadata["BuildMethod"]; got != "go1.x" {
			t.Errorf("%s: Metadata.BuildMethod is %v, want go1.x", f.LogicalID, got)
		}
	}
}

func TestNotifyStream(t *testing.T) {
	tpl := load(t)
	f, ok := tpl.FunctionByName("notify")
	if !ok {
		t.Fatal("no function with CodeUri functions/notify")
	}
	if len(f.Streams) != 1 {
		t.Fatalf("%s has %d DynamoDB stream events, want exactly 1", f.LogicalID, len(f.Streams))
	}
	s := f.Streams[0]
	if !s.ReportBatchItemFailures {
		t.Errorf("%s: the stream event lacks FunctionResponseTypes [ReportBatchItemFailures]; outbox.StreamHandler reports failed records", f.LogicalID)
	}
	if len(s.FilterPatterns) == 0 {
		t.Errorf("%s: the stream event has no filter pattern; every table write would invoke it", f.LogicalID)
	}
	for _, p := range s.FilterPatterns {
		if strings.TrimSpace(p) == "" {
			t.Errorf("%s: empty filter pattern", f.LogicalID)
			continue
		}
		if !json.Valid([]byte(p)) {
			t.Errorf("%s: filter pattern is not JSON: %s", f.LogicalID, p)
		}
		if !strings.Contains(p, `"notification"`) {
			t.Errorf("%s: filter pattern does not select type \"notification\": %s", f.LogicalID, p)
		}
	}
	if s.OnFailure == "" {
		t.Errorf("%s: the stream event has no DestinationConfig.OnFailure; records that exhaust their retries would be lost", f.LogicalID)
	}
}

func TestSweeperSchedule(t *testing.T) {
	tpl := load(t)
	f, ok := tpl.FunctionByName("sweeper")
	if !ok {
		t.Fatal("no function with CodeUri functions/sweeper")
	}
	if len(f.Schedules) == 0 {
		t.Fatalf("%s has no ScheduleV2 event", f.LogicalID)
	}
	for _, s := range f.Schedules {
		if s.Timezone != "Europe/Paris" {
			t.Errorf("%s: schedule %s has ScheduleExpressionTimezone %q, want Europe/Paris", f.LogicalID, s.EventName, s.Timezone)
		}
		if s.Retries <= 0 {
			t.Errorf("%s: schedule %s has RetryPolicy.MaximumRetryAttempts %d, want > 0", f.LogicalID, s.EventName, s.Retries)
		}
		if s.Expression == "" {
			t.Errorf("%s: schedule %s has no ScheduleExpression", f.LogicalID, s.EventName)
		}
		if s.Input != "" && !json.Valid([]byte(s.Input)) {
			t.Errorf("%s: schedule %s Input is not JSON: %s", f.LogicalID, s.EventName, s.Input)
		}
	}
}

// TestLeastPrivilege refuses DynamoDB and SES actions granted on every
// resource, and the AWS managed policies that do so.
func TestLeastPrivilege(t *testing.T) {
	tpl := load(t)
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		policies, _ := f.Raw.Properties["Policies"].([]any)
		if p, ok := f.Raw.Properties["Policies"]; ok && policies == nil {
			policies = []any{p} // a single policy, not a list
		}
		for i, p := range policies {
			where := fmt.Sprintf("%s Policies[%d]", id, i)
			switch p := p.(type) {
			case string:
				if l := strings.ToLower(p); strings.Contains(l, "dynamodb") || strings.Contains(l, "ses") {
					t.Errorf("%s: managed policy %s grants DynamoDB or SES on every resource", where, p)
				}
			case map[string]any:
				stmts, ok := p["Statement"]
				if !ok {
					continue // a SAM policy template, scoped by its parameters
				}
				for j, st := range asList(stmts) {
					checkStatement(t, fmt.Sprintf("%s.Statement[%d]", where, j), st)
				}
			}
		}
	}
}

func checkStatement(t *testing.T, where string, st any) {
	t.Helper()
	m, ok := st.(map[string]any)
	if !ok {
		t.Errorf("%s: statement is %T, want a mapping", where, st)
		return
	}
	if m["Effect"] == "Deny" {
		return
	}
	if _, ok := m["NotResource"]; ok {
		t.Errorf("%s: NotResource grants almost every resource", where)
	}
	if _, ok := m["NotAction"]; ok {
		t.Errorf("%s: NotAction grants almost every action", where)
	}
	star := false
	for _, r := range asList(m["Resource"]) {
		if r == "*" {
			star = true
		}
	}
	if !star {
		return
	}
	for _, a := range asList(m["Action"]) {
		s, _ := a.(string)
		l := strings.ToLower(s)
		if l == "*" || strings.HasPrefix(l, "dynamodb:") || strings.HasPrefix(l, "ses:") {
			t.Errorf("%s: grants %s on Resource '*'", where, s)
		}
	}
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func duplicates[T comparable](xs []T) []T {
	seen := map[T]int{}
	var dup []T
	for _, x := range xs {
		if seen[x]++; seen[x] == 2 {
			dup = append(dup, x)
		}
	}
	return dup
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// archivedModules are modules whose maintainers archived them, each with
// its successor: no package of the project imports them (a dependency may
// still require one; that is its maintainers' affair).
var archivedModules = map[string]string{
	"gopkg.in/yaml.v3": "go.yaml.in/yaml/v3",
}

// TestNoPackageImportsAnArchivedModule lists the imports of every package
// of the module, its tests' included.
func TestNoPackageImportsAnArchivedModule(t *testing.T) {
	tpl := load(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-e", "-f", `{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...")
	cmd.Dir = tpl.Dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 20 {
		t.Fatalf("go list printed %d packages: the walk is broken", len(lines))
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			for archived, successor := range archivedModules {
				if imp == archived || strings.HasPrefix(imp, archived+"/") {
					t.Errorf("%s imports %s, which is archived: use %s", fields[0], imp, successor)
				}
			}
		}
	}
}

// The README's configuration table is the one the settings types and the
// template make (go generate ./infra/template).
func TestReadmeConfigurationTableIsCurrent(t *testing.T) {
	tpl := load(t)
	b, err := os.ReadFile(filepath.Join(tpl.Dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadmeWithConfiguration(string(b), tpl.ConfigurationTable())
	if err != nil {
		t.Fatal(err)
	}
	if want != string(b) {
		t.Fatal("the README's configuration table is stale: run go generate ./infra/template")
	}
}
