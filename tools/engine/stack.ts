// Shared Automation API helpers for the e2e tier: the real Pulumi CLI built by tools/toolchain.sh (never a
// download), a throw-away local file backend, the passphrase secrets provider, no plugin acquisition, and
// directory programs copied to a temp dir whose node_modules resolves `kube-backup` like a user's install.
//
// Why directory programs: the engine starts pulumi-resource-pulumi-nodejs (the dynamic provider host) with
// cwd = the program directory, and the serialized provider `require`s `kube-backup/provider/runtime` from
// there. A temp dir with `node_modules/kube-backup -> <repo>` exercises exactly what a consumer sees.
import {
    EngineEvent,
    LocalWorkspace,
    OpType,
    PropertyDiff,
    PulumiCommand,
    PulumiFn,
    Stack,
} from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import {
    ensureKubernetesProvider,
    kubernetesProviderVersion,
    pulumiHome,
    toolBinDir,
    toolPath,
} from "../local/toolchain";

/** The package root, found by walking up (this file also runs compiled, from build/tools/engine, for the demo). */
export const repoRoot = findRepoRoot(__dirname);
export const programsDir = path.join(repoRoot, "test", "e2e", "programs");

function findRepoRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        const pkg = path.join(dir, "package.json");
        if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "kube-backup") return dir;
        if (path.dirname(dir) === dir) throw new Error(`no kube-backup package.json above ${start}`);
    }
}
/** The CLI version must match the SDK the programs load (the toolchain stamps the same version). */
export const pulumiVersion: string = require(
    path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json"),
).version;
export const PASSPHRASE = "kube-backup-e2e-passphrase";

let commandPromise: Promise<PulumiCommand> | undefined;

/** The built CLI (building it through toolchain.sh if missing); fails loudly instead of downloading. */
export function pulumiCommand(): Promise<PulumiCommand> {
    if (!commandPromise) {
        // toolPath throws with `bash tools/toolchain.sh pulumi` in the message when it cannot build the CLI.
        const bin = toolPath("pulumi");
        // The CLI finds these "bundled" plugins next to its own executable (or, with a warning, on PATH).
        for (const companion of ["pulumi-resource-pulumi-nodejs", "pulumi-language-nodejs"]) {
            const dirs = [path.dirname(fs.realpathSync(bin)), ...(process.env.PATH ?? "").split(path.delimiter)];
            if (!dirs.some((d) => d && fs.existsSync(path.join(d, companion)))) {
                throw new Error(
                    `${companion} is missing next to the built CLI (${path.dirname(fs.realpathSync(bin))}) and on PATH; ` +
                        "run `bash tools/toolchain.sh pulumi`",
                );
            }
        }
        // PulumiCommand.get runs <root>/bin/pulumi version; the toolchain stamps exactly the SDK's version.
        // root = the built part's dir (<root>/bin/pulumi is the real binary): the Automation API puts <root>/bin first
        // on PATH, so the bundled plugins next to the binary are the ones found, without "from $PATH" warnings.
        commandPromise = PulumiCommand.get({ root: path.dirname(path.dirname(fs.realpathSync(bin))) }).then((cmd) => {
            if (cmd.version?.version !== pulumiVersion) {
                throw new Error(
                    `${bin} reports version ${cmd.version?.version}, expected ${pulumiVersion} (the @pulumi/pulumi SDK); ` +
                        "run `bash tools/toolchain.sh pulumi`",
                );
            }
            return cmd;
        });
    }
    return commandPromise;
}

/** Links every package of the repo's node_modules plus `kube-backup -> <repo>` into `<dir>/node_modules`. */
export function linkNodeModules(dir: string): void {
    const target = path.join(dir, "node_modules");
    fs.mkdirSync(target, { recursive: true });
    const source = path.join(repoRoot, "node_modules");
    for (const entry of fs.readdirSync(source)) {
        if (entry === ".package-lock.json") continue;
        fs.symlinkSync(path.join(source, entry), path.join(target, entry));
    }
    fs.symlinkSync(repoRoot, path.join(target, "kube-backup"));
}

/**
 * Runs an example in place against this checkout: `<exampleDir>/node_modules` becomes the same link farm as
 * linkNodeModules (an earlier one is replaced). Needed because every example is its own npm project, so from the
 * repo root (Pulumi.yaml's main is examples/quickstart/index.ts) `kube-backup` resolves through the example's
 * node_modules. A real install there is refused: its kube-backup and SDK copies are not this checkout's.
 * Returns a function that removes the link farm.
 */
export function linkExampleInPlace(exampleDir: string): () => void {
    const modules = path.join(exampleDir, "node_modules");
    if (fs.existsSync(modules)) {
        const kb = path.join(modules, "kube-backup");
        const ours = fs.lstatSync(kb, { throwIfNoEntry: false })?.isSymbolicLink() && fs.realpathSync(kb) === repoRoot;
        if (!ours) {
            throw new Error(
                `${modules} is an npm install, not a link to this checkout; remove it to run the example from the repo root`,
            );
        }
        fs.rmSync(modules, { recursive: true, force: true });
    }
    linkNodeModules(exampleDir);
    return () => fs.rmSync(modules, { recursive: true, force: true });
}

/** Copies test/e2e/programs/<name> (or an absolute dir) into a fresh temp dir ready to run. */
export function prepareProgram(name: string): string {
    const src = path.isAbsolute(name) ? name : path.join(programsDir, name);
    if (!fs.existsSync(path.join(src, "Pulumi.yaml"))) throw new Error(`no Pulumi.yaml in ${src}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kb-e2e-${path.basename(src)}-`));
    fs.cpSync(src, dir, { recursive: true, filter: (f) => !f.includes(`${path.sep}node_modules`) });
    linkNodeModules(dir);
    return dir;
}

export interface ConfigEntry {
    value: string;
    secret?: boolean;
}

export interface E2eStackOptions {
    /** Program directory name under test/e2e/programs, or an absolute directory used in place (e.g. repo root). */
    program: string;
    /** Run the program where it is instead of a temp copy (used for the repo-root quickstart). */
    inPlace?: boolean;
    stackName?: string;
    config?: Record<string, ConfigEntry>;
    /** Extra environment for the CLI, the program and the provider processes it starts. */
    env?: Record<string, string>;
    /** A file backend dir to use instead of a fresh temp dir (deleted by dispose() only if we created it). */
    backendDir?: string;
    /**
     * Run this function as an inline program (in this process, engine connected with --client) instead of the
     * directory's index.ts; the directory still provides Pulumi.yaml and the workDir (the provider host's cwd).
     */
    inline?: PulumiFn;
    /**
     * Resource plugins the program needs; each is checked (or built) in the plugin cache before the first run, and
     * its version is passed as config `kubernetesProviderVersion` (the programs pin their k8s.Provider to it).
     */
    plugins?: Array<"kubernetes">;
}

/**
 * The pulumi-resource-kubernetes version the programs run with: KUBE_BACKUP_K8S_PROVIDER_VERSION (toolchain.sh's
 * knob) or the version @pulumi/kubernetes asks for. It must be in the plugin cache: if it is not, toolchain.sh
 * builds it or fails, and so does this.
 */
export function kubernetesPluginVersion(): string {
    ensureKubernetesProvider();
    return kubernetesProviderVersion();
}

export interface E2eStack {
    stack: Stack;
    workDir: string;
    backendDir: string;
    env: Record<string, string>;
    /** Destroys what is left, removes the stack and deletes the temp dirs (best effort; for afterAll). */
    dispose(): Promise<void>;
}

/** The environment every CLI call gets: offline toolchain, local backend, passphrase. */
export function engineEnv(backendDir: string, extra: Record<string, string> = {}): Record<string, string> {
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) base[k] = v;
    return {
        ...base,
        // The built CLI and its bundled plugins first; plugins only from the cache's PULUMI_HOME.
        PATH: [path.dirname(fs.realpathSync(toolPath("pulumi"))), toolBinDir(), base.PATH ?? ""].join(path.delimiter),
        PULUMI_HOME: pulumiHome(),
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The programs are type-checked by `npm run build`; ts-node only transpiles here to keep runs short.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        ...extra,
    };
}

export async function createE2eStack(opts: E2eStackOptions): Promise<E2eStack> {
    const pulumiCommandInstance = await pulumiCommand();
    const config = { ...opts.config };
    if (opts.plugins?.includes("kubernetes")) config.kubernetesProviderVersion = { value: kubernetesPluginVersion() };
    const workDir = opts.inPlace ? opts.program : prepareProgram(opts.program);
    const ownBackend = !opts.backendDir;
    const backendDir = opts.backendDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "kb-e2e-state-"));
    fs.mkdirSync(backendDir, { recursive: true });
    const env = engineEnv(backendDir, opts.env);
    const stackName = opts.stackName ?? "e2e";
    const wsOpts = {
        pulumiCommand: pulumiCommandInstance,
        envVars: env,
        pulumiHome: pulumiHome(),
        secretsProvider: "passphrase",
        workDir,
    };
    const stack = opts.inline
        ? await LocalWorkspace.createOrSelectStack(
              { stackName, projectName: projectName(workDir), program: opts.inline },
              wsOpts,
          )
        : await LocalWorkspace.createOrSelectStack({ stackName, workDir }, wsOpts);
    if (Object.keys(config).length) await stack.setAllConfig(config);
    const dispose = async () => {
        try {
            await stack.destroy();
        } catch (err) {
            process.stderr.write(`e2e cleanup: destroy of ${stackName} failed: ${(err as Error).message}\n`);
        }
        try {
            await stack.workspace.removeStack(stackName);
        } catch {
            // already removed by the test
        }
        if (!opts.inPlace) fs.rmSync(workDir, { recursive: true, force: true });
        if (ownBackend) fs.rmSync(backendDir, { recursive: true, force: true });
    };
    return { stack, workDir, backendDir, env, dispose };
}

function projectName(workDir: string): string {
    const m = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8"));
    if (!m) throw new Error(`no name in ${workDir}/Pulumi.yaml`);
    return m[1];
}

export interface Step {
    op: OpType;
    urn: string;
    type: string;
    /** Top-level property keys the provider reported as different (dynamic providers report none). */
    diffs: string[];
    detailedDiff?: Record<string, PropertyDiff>;
    /** Inputs before (the state, after a refresh: what read returned) and after (the program's checked inputs). */
    oldInputs?: Record<string, unknown>;
    newInputs?: Record<string, unknown>;
}

/**
 * Top-level inputs that differ between a step's old and new inputs, ignoring the serialized provider. This is
 * what `pulumi preview --diff` displays for a dynamic resource, whose diff returns only "changed or not".
 */
export function changedInputs(step: Step | undefined): string[] {
    if (!step) return [];
    const keys = new Set([...Object.keys(step.oldInputs ?? {}), ...Object.keys(step.newInputs ?? {})]);
    keys.delete("__provider");
    return [...keys].filter((k) => JSON.stringify(step.oldInputs?.[k]) !== JSON.stringify(step.newInputs?.[k])).sort();
}

/** Collects the resource steps of one operation from the engine event stream. */
export function stepRecorder(): { onEvent: (e: EngineEvent) => void; steps: Step[]; diagnostics: string[] } {
    const steps: Step[] = [];
    const diagnostics: string[] = [];
    const onEvent = (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m) {
            steps.push({
                op: m.op,
                urn: m.urn,
                type: m.type,
                diffs: m.diffs ?? [],
                detailedDiff: m.detailedDiff,
                oldInputs: m.old?.inputs,
                newInputs: m.new?.inputs,
            });
        }
        const d = e.diagnosticEvent;
        if (d && (d.severity === "error" || d.severity === "warning")) diagnostics.push(`${d.severity}: ${d.message}`);
    };
    return { onEvent, steps, diagnostics };
}

/** Steps that change something (everything but `same`), with the resource name for readable failures. */
export function changes(steps: Step[]): string[] {
    return steps
        .filter((s) => s.op !== "same")
        .map((s) => {
            const keys = s.diffs.length ? s.diffs : s.op === "update" ? changedInputs(s) : [];
            return `${s.op} ${s.type}::${s.urn.split("::").pop()}${keys.length ? ` [${keys.join(",")}]` : ""}`;
        });
}

/** Logical resource name (last URN segment) → step. */
export function stepByName(steps: Step[], name: string): Step | undefined {
    return steps.find((s) => s.urn.split("::").pop() === name);
}

export async function preview(stack: Stack, opts: { refresh?: boolean; expectNoChanges?: boolean } = {}) {
    const rec = stepRecorder();
    const result = await stack.preview({ ...opts, diff: true, onEvent: rec.onEvent });
    return { ...result, steps: rec.steps, diagnostics: rec.diagnostics };
}

export async function up(stack: Stack, opts: { refresh?: boolean; expectNoChanges?: boolean } = {}) {
    const rec = stepRecorder();
    const result = await stack.up({ ...opts, onEvent: rec.onEvent });
    return { ...result, steps: rec.steps, diagnostics: rec.diagnostics };
}

export async function refresh(stack: Stack, opts: { expectNoChanges?: boolean; previewOnly?: boolean } = {}) {
    const rec = stepRecorder();
    const result = await stack.refresh({ ...opts, onEvent: rec.onEvent });
    return { ...result, steps: rec.steps, diagnostics: rec.diagnostics };
}

/** Resources currently in the stack's state, by type (after a destroy: none but the stack itself). */
export async function stateResources(
    stack: Stack,
): Promise<Array<{ urn: string; type: string; outputs?: any; inputs?: any }>> {
    const deployment = await stack.exportStack();
    return (deployment.deployment?.resources ?? []) as Array<{
        urn: string;
        type: string;
        outputs?: any;
        inputs?: any;
    }>;
}

/** Distinctive substrings of a PEM block: its base64 body lines, so a re-wrapped key is still found. */
export function pemFragments(pem: string): string[] {
    return pem
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("-----") && l.length >= 32)
        .map((l) => l.slice(0, 32));
}

function needlesFor(secrets: Record<string, string>): Array<[label: string, needle: string]> {
    const needles: Array<[label: string, needle: string]> = [];
    for (const [label, value] of Object.entries(secrets)) {
        if (!value || value.length < 8) throw new Error(`secret '${label}' is too short to search for reliably`);
        if (value.includes("-----BEGIN")) {
            pemFragments(value).forEach((f, i) => needles.push([`${label} (PEM line ${i + 1})`, f]));
            // base64 of the whole PEM (Secret `data`, kubeconfig *-data): take 30 body bytes at a 3-byte boundary, so
            // the needle is a substring of the encoding and specific to this key rather than to its "-----BEGIN" header.
            const start = Math.ceil((value.indexOf("\n") + 1) / 3) * 3;
            needles.push([`${label} (PEM, base64)`, Buffer.from(value.slice(start, start + 30)).toString("base64")]);
        } else {
            needles.push([label, value]);
            needles.push([`${label} (base64)`, Buffer.from(value).toString("base64").replace(/=+$/, "")]);
        }
    }
    return needles;
}

/**
 * Every place a secret value (as is, base64-encoded, or for PEM text any body line) occurs in `text`, with its
 * JSON path when `text` is JSON. [] means clean.
 */
export function findPlaintextSecrets(text: string, secrets: Record<string, string>): string[] {
    const needles = needlesFor(secrets);
    const findings: string[] = [];
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        parsed = undefined;
    }
    const walk = (node: unknown, where: string) => {
        if (typeof node === "string") {
            for (const [label, needle] of needles) if (node.includes(needle)) findings.push(`${label} at ${where}`);
        } else if (Array.isArray(node)) {
            node.forEach((v, i) => walk(v, `${where}[${i}]`));
        } else if (node && typeof node === "object") {
            for (const [k, v] of Object.entries(node)) walk(v, `${where}.${k}`);
        }
    };
    if (parsed !== undefined) walk(parsed, "$");
    // The raw text too: catches what JSON escaping or a non-JSON file would hide from the walk.
    for (const [label, needle] of needles) {
        if (text.includes(needle) && !findings.some((f) => f.startsWith(`${label} at`)))
            findings.push(`${label} in the raw text`);
    }
    return findings;
}

/** Every file the file backend wrote (current state, backups, history), gunzipped: path relative → text. */
export function backendFiles(backendDir: string): Map<string, string> {
    const files = new Map<string, string>();
    const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) visit(full);
            else {
                const data = fs.readFileSync(full);
                files.set(
                    path.relative(backendDir, full),
                    (entry.name.endsWith(".gz") ? zlib.gunzipSync(data) : data).toString("utf8"),
                );
            }
        }
    };
    visit(backendDir);
    return files;
}

/** Searches every backend file for the secrets; findings are prefixed with the file. */
export function auditBackend(backendDir: string, secrets: Record<string, string>): string[] {
    const findings: string[] = [];
    for (const [file, text] of backendFiles(backendDir)) {
        for (const f of findPlaintextSecrets(text, secrets)) findings.push(`${file}: ${f}`);
    }
    return findings;
}

/**
 * In `pulumi stack export --show-secrets` output (what Stack.exportStack returns) secrets appear decrypted, inside
 * their secret envelope `{"4dabf18193072939515e22adb298388d": ..., "plaintext": ...}`. Any occurrence outside an
 * envelope is a value Pulumi does not know is secret. Returns those occurrences.
 */
export function unmarkedSecrets(exportJson: string, secrets: Record<string, string>): string[] {
    return findPlaintextSecrets(exportJson, secrets).filter(
        (f) => !/\.plaintext( |$)/.test(f) && !f.endsWith("in the raw text"),
    );
}

/** The current state file of the stack as the backend stored it (not the decrypted export). */
export function stateFile(e2e: { backendDir: string; stack: Stack }): string {
    for (const [file, text] of backendFiles(e2e.backendDir)) {
        if (/^\.pulumi\/stacks\/[^/]+\/[^/]+\.json$/.test(file) && path.basename(file, ".json") === e2e.stack.name)
            return text;
    }
    throw new Error(`no state file for stack ${e2e.stack.name} under ${e2e.backendDir}/.pulumi/stacks`);
}

/** Number of values the passphrase provider encrypted in the state (secret sentinels with ciphertext). */
export function countCiphertexts(stateJson: string): number {
    return (stateJson.match(/"ciphertext":/g) ?? []).length;
}
