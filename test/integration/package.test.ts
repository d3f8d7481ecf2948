// The package as users get it: `npm pack` (which builds first), then the tarball installed from the registry
// into an empty project outside the repository together with its peers @pulumi/pulumi and @pulumi/kubernetes
// but not the optional peer @pulumi/aws. Checks the tarball's file list, every public name at runtime, the
// package's exports map, and that a strict TypeScript program compiles against the shipped typings.
// Needs the npm registry (or npm's cache): an install failure fails the test.
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const repo = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
const tsc = path.join(repo, "node_modules/typescript/bin/tsc");

// Public runtime names of index.ts (provider/index.ts and components/index.ts).
const PUBLIC_VALUES = [
    // PX-Backup resources and their base class
    "Backup",
    "BackupLocation",
    "BackupSchedule",
    "CloudCredential",
    "Cluster",
    "PxBackupResource",
    "Restore",
    "Rule",
    "SchedulePolicy",
    // functions
    "getBackup",
    "getBackupOutput",
    "getBackupSchedule",
    "getBackupScheduleOutput",
    "listBackupSchedules",
    "listBackupSchedulesOutput",
    "listBackups",
    "listBackupsOutput",
    "getRestore",
    "getRestoreOutput",
    "listRestores",
    "listRestoresOutput",
    // what the functions take and throw
    "PxBackupClient",
    "PxBackupError",
    // components
    "BackupBucket",
    "BackupCredentials",
    "EtcdBackupSchedule",
    "PvcBackupSchedule",
    "DEFAULT_ETCD_IMAGE",
    "DEFAULT_KUBECTL_IMAGE",
    "DEFAULT_TOOLS_IMAGE",
    "InputError",
    "listStoredBackups",
    "listStoredBackupsOutput",
    "listStoredSnapshots",
    "listStoredSnapshotsOutput",
    "getBackupStatus",
    "getBackupStatusOutput",
    "PvcRestore",
];
// Still exported at runtime by `export *`, but marked @internal: absent from the typings.
const INTERNAL_VALUES = ["OPTION_INPUTS", "enumerateBody", "enumerateQuery"];
// Public types of index.ts (with a type argument where they take one).
const PUBLIC_TYPES = [
    "AccessEntryArgs<OwnershipAccess>",
    "BackupArgs",
    "BackupLocationArgs",
    "BackupScheduleArgs",
    "BackupShareAccess",
    "CloudCredentialArgs",
    "ClusterArgs",
    "CommonArgs",
    "ObjectRef",
    "ObjectRefArgs",
    "Ownership",
    "OwnershipAccess",
    "OwnershipArgs",
    "ResourceInfo",
    "ResourceInfoArgs",
    "RetainArgs",
    "RetainOutput",
    "RuleArgs",
    "ScheduleStatus",
    "SchedulePolicyArgs",
    "SelectionArgs",
    "Connection",
    "ConnectionSettings",
    "GetArgs",
    "ListArgs",
    "PxObject",
    "BackupBucketArgs",
    "BackupCredentialsArgs",
    "BackupStorage",
    "EtcdBackupScheduleArgs",
    "EtcdClientCertificates",
    "EtcdClientSecretRef",
    "PvcBackupScheduleArgs",
    "S3AccessKeys",
    "S3CaBundleRef",
    "S3CredentialsRef",
    "S3Location",
    "ScheduleArgs",
    "CreatedServiceAccount",
    "EtcdHostCerts",
    "S3Access",
    "StoredBackup",
    "StoredBackupsArgs",
    "StoredSnapshot",
    "StoredSnapshotsArgs",
    "BackupAlerts",
    "BackupStatus",
    "BackupStatusArgs",
    "FailedJob",
    "KubeAccess",
    "StatusStorage",
    "PvcRestoreArgs",
];
/** The library's modules: every TypeScript source under provider/, components/ and cli/, as `dir/name`. */
function libraryModules(): string[] {
    const walk = (dir: string): string[] =>
        fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((e) => {
            const rel = `${dir}/${e.name}`;
            if (e.isDirectory()) return walk(rel);
            return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [rel.replace(/\.ts$/, "")] : [];
        });
    return [...walk("provider"), ...walk("components"), ...walk("cli")];
}

/** Runs a command; a failure carries the command, its exit status and its whole output. */
async function run(file: string, args: string[], cwd: string): Promise<string> {
    try {
        const { stdout } = await promisify(execFile)(file, args, {
            cwd,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        return stdout;
    } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
        throw new Error(
            `${[file, ...args].join(" ")} (in ${cwd}) failed with ${err.code}:\n${err.stdout ?? ""}\n${err.stderr ?? err.message}`,
            { cause: e },
        );
    }
}

const node = (script: string, cwd: string) => run(process.execPath, [script], cwd);
const write = (file: string, text: string) => fs.writeFileSync(file, text);

let tmp: string;
let project: string;
let tarball: { filename: string; files: { path: string }[] };

beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-package-"));
    const packDir = path.join(tmp, "pack");
    fs.mkdirSync(packDir);
    // Runs prepack (clean build of bin/) like `npm publish` does.
    const packed = JSON.parse(await run("npm", ["pack", "--json", "--pack-destination", packDir], repo));
    tarball = packed[0];

    project = path.join(tmp, "consumer");
    fs.mkdirSync(project);
    write(
        path.join(project, "package.json"),
        JSON.stringify({ name: "consumer", version: "1.0.0", private: true, license: "UNLICENSED" }, null, 2),
    );
    const installedTypesNode = JSON.parse(
        fs.readFileSync(path.join(repo, "node_modules/@types/node/package.json"), "utf8"),
    ).version;
    // --ignore-scripts: @pulumi/kubernetes's install script fetches its provider plugin, which no check here uses.
    await run(
        "npm",
        [
            "install",
            "--no-audit",
            "--no-fund",
            "--prefer-offline",
            "--ignore-scripts",
            path.join(packDir, tarball.filename),
            `@pulumi/pulumi@${pkg.devDependencies["@pulumi/pulumi"]}`,
            `@pulumi/kubernetes@${pkg.devDependencies["@pulumi/kubernetes"]}`,
            `@types/node@${installedTypesNode}`,
        ],
        project,
    );
}, 600_000);

afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("the tarball holds exactly the compiled library, plugin launcher, schema, README, LICENSE, CHANGELOG and package.json", () => {
    const expected = [
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "package.json",
        "schema.json",
        "plugin/pulumi-resource-kube-backup",
    ];
    const modules = ["index", ...libraryModules()];
    expect(modules).toContain("provider/kinds/backup"); // the walk reaches nested modules
    for (const file of modules) expected.push(`bin/${file}.js`, `bin/${file}.js.map`, `bin/${file}.d.ts`);
    const files = tarball.files.map((f) => f.path).sort();
    expect(files).toEqual(expected.sort());
    expect(files.filter((f) => /^(tools|test|examples)\//.test(f))).toEqual([]);
});

test("the project has the package and its required peers, not the optional @pulumi/aws", () => {
    const installed = (name: string) => fs.existsSync(path.join(project, "node_modules", name, "package.json"));
    expect(installed("kube-backup")).toBe(true);
    expect(installed("@pulumi/pulumi")).toBe(true);
    expect(installed("@pulumi/kubernetes")).toBe(true);
    expect(installed("@pulumi/aws")).toBe(false);
    // The package is a copy from the tarball, not a link to the repository.
    expect(fs.lstatSync(path.join(project, "node_modules/kube-backup")).isSymbolicLink()).toBe(false);
});

test("the kube-backup command is installed and runs from the package", async () => {
    const out = await run(path.join(project, "node_modules/.bin/kube-backup"), ["--help"], project);
    expect(out).toContain("kube-backup list --bucket");
    expect(out).toContain("kube-backup restore etcd");
});

test("the provider plugin is installed as a command and serves from the package", async () => {
    const launcher = path.join(project, "node_modules/.bin/pulumi-resource-kube-backup");
    // Started as the CLI starts it: the executable itself, the Node on PATH (this test's, >= 22).
    const proc = spawn(launcher, [], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    proc.stderr.on("data", (d) => (err += d));
    try {
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            proc.stdout.on("data", (d) => {
                out += d;
                if (out.includes("\n")) resolve(out.split("\n")[0]);
            });
            proc.on("exit", (code) => reject(new Error(`plugin exited with ${code}: ${err}`)));
        });
        expect(port).toMatch(/^\d+$/);
    } finally {
        proc.kill();
    }
    expect(err).toBe("");
});

test("every public name is defined; the Kubernetes components work; BackupBucket asks for @pulumi/aws", async () => {
    write(
        path.join(project, "names.js"),
        `
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs },
    "consumer", "test", false,
);
const kb = require("kube-backup");
let bucketError;
try { new kb.BackupBucket("b", {}); } catch (e) { bucketError = e.message; }
const creds = new kb.BackupCredentials("c", { namespace: "ns", s3: { accessKeyId: "A", secretAccessKey: "S" } });
process.stdout.write(JSON.stringify({
    resolved: require.resolve("kube-backup"),
    version: require("kube-backup/package.json").version,
    exports: Object.fromEntries(Object.entries(kb).map(([k, v]) => [k, typeof v])),
    bucketError,
    credentials: creds instanceof pulumi.ComponentResource,
}));
`,
    );
    const r = JSON.parse(await node("names.js", project));
    expect(r.resolved).toBe(fs.realpathSync(path.join(project, "node_modules/kube-backup/bin/index.js")));
    expect(r.version).toBe(pkg.version);
    for (const name of PUBLIC_VALUES)
        expect({ name, defined: r.exports[name] !== undefined }).toEqual({ name, defined: true });
    expect(Object.keys(r.exports).sort()).toEqual([...PUBLIC_VALUES, ...INTERNAL_VALUES].sort());
    expect(r.bucketError).toBe("BackupBucket needs the optional peer dependency @pulumi/aws: npm install @pulumi/aws");
    expect(r.credentials).toBe(true);
});

test("kube-backup/provider/runtime is exported; other deep paths are not", async () => {
    write(
        path.join(project, "deep.js"),
        `
const attempt = (id) => { try { require(id); return "ok"; } catch (e) { return e.code; } };
const runtime = require("kube-backup/provider/runtime");
process.stdout.write(JSON.stringify({
    runtime: [typeof runtime.configure, typeof runtime.handler],
    client: attempt("kube-backup/provider/client"),
    components: attempt("kube-backup/components/bucket"),
    bin: attempt("kube-backup/bin/index.js"),
}));
`,
    );
    expect(JSON.parse(await node("deep.js", project))).toEqual({
        runtime: ["function", "function"],
        client: "ERR_PACKAGE_PATH_NOT_EXPORTED",
        components: "ERR_PACKAGE_PATH_NOT_EXPORTED",
        bin: "ERR_PACKAGE_PATH_NOT_EXPORTED",
    });
});

test("a strict TypeScript program compiles against the typings without @pulumi/aws (no skipLibCheck)", async () => {
    write(
        path.join(project, "tsconfig.json"),
        JSON.stringify({
            compilerOptions: {
                target: "ES2022",
                module: "commonjs",
                moduleResolution: "node",
                strict: true,
                noEmit: true,
                skipLibCheck: false,
                types: ["node"],
            },
            files: ["program.ts"],
        }),
    );
    write(
        path.join(project, "program.ts"),
        `
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";
import type { ${PUBLIC_TYPES.map((t) => t.replace(/<.*/, "")).join(", ")} } from "kube-backup";

export type Public = [${PUBLIC_TYPES.join(", ")}];

const bucket: kb.BackupBucket = new kb.BackupBucket("b", { bucketName: "backups", versioning: true });
const location: S3Location = bucket.location;
const creds = new kb.BackupCredentials("c", { namespace: "ns", s3: { accessKeyId: "A", secretAccessKey: pulumi.secret("S") } });
const storage: BackupStorage = { bucket, credentials: creds };
const etcd = new kb.EtcdBackupSchedule("e", { schedule: "0 3 * * *", certificates: creds, storage });
const policy = new kb.SchedulePolicy("p", { daily: { time: "2:00AM", retain: 7 } });
const ref: pulumi.Output<ObjectRef> = policy.ref;
const settings: ConnectionSettings | undefined = undefined;
const listed: Promise<PxObject[]> = kb.listBackups({}, settings);
const next: pulumi.Output<string | undefined> = etcd.clientCertificateExpiry;
export { location, ref, listed, next };

// Internals are not in the typings.
// @ts-expect-error stripped (@internal)
kb.enumerateQuery({}, 0);
// @ts-expect-error stripped (@internal)
kb.OPTION_INPUTS;
// @ts-expect-error not exported from the root
kb.KINDS;
// @ts-expect-error not exported from the root
kb.resolveSettings;
`,
    );
    // Classic resolution (Pulumi's project template), then Node's: the latter honours the exports map.
    await run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
    await run(
        process.execPath,
        [tsc, "-p", "tsconfig.json", "--module", "nodenext", "--moduleResolution", "nodenext"],
        project,
    );
    // A deep import of an internal module has no typings either.
    write(
        path.join(project, "deep.ts"),
        'import type { Method } from "kube-backup/provider/client";\nexport type M = Method;\n',
    );
    const deep = ["--strict", "--noEmit", "--module", "nodenext", "--moduleResolution", "nodenext", "deep.ts"];
    await expect(run(process.execPath, [tsc, ...deep], project)).rejects.toThrow(
        /deep\.ts.*error TS2307: Cannot find module 'kube-backup\/provider\/client'/,
    );
});
