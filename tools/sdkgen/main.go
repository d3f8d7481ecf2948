// Command sdkgen writes the Python and Go SDKs of the kube-backup package from schema.json with Pulumi's own
// code generators (pkg/v3/codegen at the CLI's version), so the SDKs always match the schema the plugin serves.
//
//	sdkgen -schema schema.json -out DIR [-dep NAME=SCHEMA.json ...]
//
// writes DIR/python (pip-installable) and DIR/go (a Go module). Schemas of packages the schema references
// (the Kubernetes types) are read from the -dep files instead of asking plugins, so generation runs offline.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "kube-backup-sdkgen"

// fileLoader resolves referenced packages from schema files given on the command line.
type fileLoader struct {
	files map[string]string
	refs  map[string]schema.PackageReference
}

func (l *fileLoader) LoadPackage(pkg string, version *semver.Version) (*schema.Package, error) {
	return l.LoadPackageV2(context.Background(), &schema.PackageDescriptor{Name: pkg, Version: version})
}

func (l *fileLoader) LoadPackageV2(ctx context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	ref, err := l.LoadPackageReferenceV2(ctx, d)
	if err != nil {
		return nil, err
	}
	return ref.Definition()
}

func (l *fileLoader) LoadPackageReference(pkg string, version *semver.Version) (schema.PackageReference, error) {
	return l.LoadPackageReferenceV2(context.Background(), &schema.PackageDescriptor{Name: pkg, Version: version})
}

func (l *fileLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	if ref, ok := l.refs[d.Name]; ok {
		return ref, nil
	}
	path, ok := l.files[d.Name]
	if !ok {
		return nil, fmt.Errorf("schema references package %q: pass its schema with -dep %s=FILE", d.Name, d.Name)
	}
	spec, err := readSpec(path)
	if err != nil {
		return nil, err
	}
	if d.Version != nil && spec.Version != "" && spec.Version != d.Version.String() {
		return nil, fmt.Errorf("schema references %s %s but %s is version %s", d.Name, d.Version, path, spec.Version)
	}
	pkg, err := schema.ImportSpec(*spec, nil, l, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	l.refs[d.Name] = pkg.Reference()
	return l.refs[d.Name], nil
}

func readSpec(path string) (*schema.PackageSpec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &spec, nil
}

// Defaults for what schema.json may leave out. supportPack makes both generators stamp the schema's version
// (pulumi-plugin.json, setup metadata) so the engine asks for the plugin of exactly that version, and makes the
// Go generator write the SDK's go.mod.
const (
	defaultPythonPackage = "pulumi_kube_backup"
	defaultGoImportPath  = "github.com/kube-backup/kube-backup/sdk/go/kubebackup"
)

func applyDefaults(spec *schema.PackageSpec) {
	if spec.Meta == nil {
		spec.Meta = &schema.MetadataSpec{}
	}
	spec.Meta.SupportPack = true
	if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	if _, ok := spec.Language["python"]; !ok {
		spec.Language["python"] = schema.RawMessage(fmt.Sprintf(`{"packageName":%q}`, defaultPythonPackage))
	}
	if _, ok := spec.Language["go"]; !ok {
		spec.Language["go"] = schema.RawMessage(fmt.Sprintf(`{"importBasePath":%q}`, defaultGoImportPath))
	}
}

type deps map[string]string

func (d deps) String() string { return fmt.Sprint(map[string]string(d)) }

func (d deps) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok || name == "" || file == "" {
		return fmt.Errorf("-dep %q: want NAME=FILE", v)
	}
	d[name] = file
	return nil
}

func writeFiles(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func run() error {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	out := flag.String("out", "", "output directory (python/ and go/ are written below it)")
	dependencies := deps{}
	flag.Var(dependencies, "dep", "NAME=FILE: schema of a referenced package (repeatable)")
	flag.Parse()
	if *out == "" {
		return errors.New("-out is required")
	}
	spec, err := readSpec(*schemaPath)
	if err != nil {
		return err
	}
	applyDefaults(spec)
	loader := &fileLoader{files: dependencies, refs: map[string]schema.PackageReference{}}
	// BindSpec validates against the metaschema as `pulumi package gen-sdk` does: a bad schema fails here.
	pkg, diags, err := schema.BindSpec(*spec, loader, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s: %s", *schemaPath, diags.Error())
	}
	pyFiles, err := python.GeneratePackage(tool, pkg, nil, loader)
	if err != nil {
		return fmt.Errorf("python: %w", err)
	}
	if err := writeFiles(filepath.Join(*out, "python"), pyFiles); err != nil {
		return err
	}
	goFiles, err := gogen.GeneratePackage(tool, pkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	return writeFiles(filepath.Join(*out, "go"), goFiles)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}
