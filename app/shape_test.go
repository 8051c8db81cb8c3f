package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/starling-broker/starling"

// TestStoreStaysInsideApp: the store is reached through the core only.
// Nothing outside app (the command line, the window, the end-to-end tests)
// imports app/store, in its code or its tests; app owns the types they see.
func TestStoreStaysInsideApp(t *testing.T) {
	out, err := exec.Command("go", "list", "-f",
		`{{.ImportPath}} {{join .Imports ","}},{{join .TestImports ","}},{{join .XTestImports ","}}`,
		module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{module + "/app", module + "/app/store", module + "/app/outbox", module + "/app/apptest"}
	var importers []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if slices.Contains(strings.Split(imports, ","), module+"/app/store") {
			importers = append(importers, pkg)
			if !slices.Contains(allowed, pkg) {
				t.Errorf("%s imports app/store; reach the archive through app", pkg)
			}
		}
	}
	if !slices.Contains(importers, module+"/app") {
		t.Fatalf("go list found no importer of app/store at all: %q", importers)
	}
}

// TestCoreHasOneWayToWatch: Core.Watch is the only registration for
// changes on the core and its concerns, and Core itself stays small: its
// work is done by the concern types it hands out.
func TestCoreHasOneWayToWatch(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	concerns := map[string]bool{"Core": true, "Archive": true, "Outbox": true, "Sends": true, "Sources": true, "Settings": true, "Brokers": true, "Sites": true, "Channels": true}
	var coreMethods []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			recv := star.X.(*ast.Ident).Name
			if !concerns[recv] {
				continue
			}
			if recv == "Core" {
				coreMethods = append(coreMethods, fn.Name.Name)
			}
			if n := recv + "." + fn.Name.Name; n == "Core.Watch" || n == "Core.Watchers" {
				continue
			}
			if strings.HasPrefix(fn.Name.Name, "Watch") || strings.HasPrefix(fn.Name.Name, "Subscribe") {
				t.Errorf("%s.%s (%s) registers for changes beside Core.Watch", recv, fn.Name.Name, fset.Position(fn.Pos()))
			}
			for _, p := range fn.Type.Params.List {
				if _, isFunc := p.Type.(*ast.FuncType); isFunc && fn.Name.Name != "StartNotifier" && fn.Name.Name != "Flush" {
					t.Errorf("%s.%s (%s) takes a callback: changes are told through Core.Watch", recv, fn.Name.Name, fset.Position(fn.Pos()))
				}
			}
		}
	}
	if !slices.Contains(coreMethods, "Watch") {
		t.Fatal("Core.Watch not found")
	}
	if len(coreMethods) > 20 {
		slices.Sort(coreMethods)
		t.Errorf("Core has %d exported methods (%s); give the work to a concern", len(coreMethods), strings.Join(coreMethods, ", "))
	}
}
