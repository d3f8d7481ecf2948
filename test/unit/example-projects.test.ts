// Every example is a standalone Pulumi project a user can copy out of the repo: its own Pulumi.yaml, tsconfig.json,
// package.json with the SDK versions this repo tests with, and a package-lock.json that agrees with both the
// package.json and kube-backup's own manifest (regenerate with `bash tools/examples/relock.sh`).
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..", "..");
const examplesDir = path.join(root, "examples");
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const read = (...p: string[]) => fs.readFileSync(path.join(examplesDir, ...p), "utf8");
const json = (...p: string[]) => JSON.parse(read(...p));

const examples = fs
    .readdirSync(examplesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(examplesDir, d.name, "index.ts")))
    .map((d) => d.name)
    .sort();

/** Enough of semver for the ranges the examples use: exact, ^x.y.z and ~x.y.z. */
function satisfies(version: string, range: string): boolean {
    const parse = (v: string) => v.split(".").map(Number);
    const m = /^([~^]?)(\d+\.\d+\.\d+)$/.exec(range);
    if (!m) throw new Error(`unsupported range ${range}`);
    const [v, r] = [parse(version), parse(m[2])];
    const cmp = v[0] - r[0] || v[1] - r[1] || v[2] - r[2];
    if (m[1] === "") return cmp === 0;
    if (cmp < 0) return false;
    if (m[1] === "~") return v[0] === r[0] && v[1] === r[1];
    return r[0] > 0 ? v[0] === r[0] : v[0] === 0 && v[1] === r[1];
}

test("the examples are the four documented projects", () => {
    expect(examples).toEqual(["etcd-backup", "pvc-backup", "px-backup-schedule", "quickstart"]);
});

test("the root Pulumi.yaml still runs the quickstart", () => {
    expect(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).toMatch(/^main: examples\/quickstart\/index\.ts$/m);
    expect(read("quickstart", "Pulumi.yaml")).toMatch(/^name: kube-backup-quickstart$/m);
});

describe.each(examples)("examples/%s", (name) => {
    const pkg = json(name, "package.json");
    const lock = json(name, "package-lock.json");

    test("has its own Pulumi.yaml (nodejs, TypeScript) and a tsconfig.json compiling index.ts", () => {
        const project = read(name, "Pulumi.yaml");
        expect(project).toMatch(/^name: \S+$/m);
        expect(project).toMatch(/^runtime:\n\s+name: nodejs\n/m);
        expect(project).not.toMatch(/^main:/m);
        const tsconfig = json(name, "tsconfig.json");
        expect(tsconfig.files).toEqual(["index.ts"]);
        expect(tsconfig.compilerOptions.strict).toBe(true);
    });

    test("depends on the published packages, at the versions this repo tests with", () => {
        const deps = pkg.dependencies as Record<string, string>;
        expect(deps["@pulumi/pulumi"]).toBe(rootPkg.devDependencies["@pulumi/pulumi"]);
        expect(deps["kube-backup"]).toMatch(/^\^\d+\.\d+\.\d+$/);
        // kube-backup's components load @pulumi/kubernetes, a peer dependency: every program declares it.
        expect(deps["@pulumi/kubernetes"]).toBe(rootPkg.devDependencies["@pulumi/kubernetes"]);
        expect(Object.keys(pkg.devDependencies).sort()).toEqual(["@types/node", "typescript"]);
        expect(pkg.devDependencies.typescript).toBe(rootPkg.devDependencies.typescript);
        expect(JSON.stringify(pkg)).not.toMatch(/file:|link:/);
    });

    test("declares every package its program imports", () => {
        const imported = [...read(name, "index.ts").matchAll(/from "([^"./][^"]*)"/g)].map((m) => m[1]);
        expect(imported.length).toBeGreaterThan(0);
        for (const spec of imported) {
            const pkgName = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
            expect({ [spec]: pkg.dependencies[pkgName] }).toEqual({ [spec]: expect.any(String) });
        }
    });

    test("has a lock file in sync with package.json, resolving only registry packages", () => {
        expect(lock.lockfileVersion).toBe(3);
        expect(lock.name).toBe(pkg.name);
        const top = lock.packages[""];
        expect(top.dependencies).toEqual(pkg.dependencies);
        expect(top.devDependencies).toEqual(pkg.devDependencies);
        for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
            const entry = lock.packages[`node_modules/${dep}`];
            expect({ [dep]: entry && satisfies(entry.version, range as string) }).toEqual({ [dep]: true });
        }
        for (const [where, entry] of Object.entries(lock.packages as Record<string, Record<string, unknown>>)) {
            if (where === "") continue;
            expect({ [where]: entry.link ?? String(entry.resolved ?? "registry") }).not.toEqual({
                [where]: expect.stringMatching(/^(true|file:|\.)/),
            });
            // Only kube-backup, not published yet when the lock is written, has no integrity hash.
            if (where !== "node_modules/kube-backup")
                expect({ [where]: typeof entry.integrity }).toEqual({ [where]: "string" });
        }
    });

    test("locks kube-backup with this repo's dependencies, so installing it pulls what the tests ran", () => {
        const entry = lock.packages["node_modules/kube-backup"];
        expect(entry.version).toBe(pkg.dependencies["kube-backup"].slice(1));
        expect(entry.dependencies).toEqual(rootPkg.dependencies);
        expect(entry.peerDependencies).toEqual(rootPkg.peerDependencies);
        for (const [dep, version] of Object.entries(rootPkg.dependencies as Record<string, string>)) {
            expect({ [dep]: lock.packages[`node_modules/${dep}`]?.version }).toEqual({ [dep]: version });
        }
        expect(lock.packages["node_modules/@pulumi/pulumi"].version).toBe(rootPkg.devDependencies["@pulumi/pulumi"]);
    });
});
