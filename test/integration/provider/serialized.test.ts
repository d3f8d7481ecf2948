// The serialized dynamic provider, as Pulumi stores it in state, loaded the way the provider process loads
// it (require-from-string, cwd = the program directory): it finds the package's compiled runtime module by
// name (package.json exports) from the program directory only, or fails clearly; takes its connection from `configure`
// (stack config) or the environment; and carries no token. Needs `npm run build` (bin/).
import { execFile, execFileSync } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SimulatorHandle, startSimulator } from "../../../tools/simulator/server";

const repo = path.resolve(__dirname, "../../..");
const bin = path.join(repo, "bin/provider/serialized.js");

let sim: SimulatorHandle;
let text: string;
beforeAll(async () => {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
    sim = await startSimulator({ validateRequests: true, validateResponses: true });
    // Serialize exactly as pulumi.dynamic.Resource does, in a separate process with secrets in the env.
    text = execFileSync(
        process.execPath,
        [
            "-e",
            `
        const pulumi = require(${JSON.stringify(path.join(repo, "node_modules/@pulumi/pulumi"))});
        const { dynamicProvider } = require(${JSON.stringify(bin)});
        const provider = dynamicProvider("SchedulePolicy");
        pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })
            .then((f) => process.stdout.write(f.text));
    `,
        ],
        { cwd: repo, env: { ...process.env, PXBACKUP_TOKEN: sim.token, PXBACKUP_API_URL: sim.url }, encoding: "utf8" },
    );
});
afterAll(async () => {
    await sim?.stop();
    expect(sim.contractViolations).toEqual([]);
});

/** Runs the serialized provider in `cwd` like the provider process: configure, check, create, read, delete. */
// Asynchronous: the simulator runs in this process and must keep serving while the child works.
async function runProvider(cwd: string, config: Record<string, string>, env: Record<string, string>, name: string) {
    const script = `
        const rfs = require(${JSON.stringify(path.join(repo, "node_modules/require-from-string"))});
        (async () => {
            const p = rfs(process.env.PROVIDER_TEXT).handler();
            const config = JSON.parse(process.env.PROVIDER_CONFIG);
            await p.configure({ config: { get: (k) => config[k] } });
            const c = await p.check({}, { name: ${JSON.stringify(name)}, interval: { minutes: 30 } });
            const r = await p.create(c.inputs);
            const read = await p.read(r.id, r.outs);
            await p.delete(r.id, r.outs);
            const loaded = Object.keys(require.cache).filter((f) => f.endsWith(path.join("provider", "runtime.js")));
            process.stdout.write(JSON.stringify({ failures: c.failures, id: r.id, uid: read.props.uid, loaded }));
        })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
    `;
    const { stdout: out } = await promisify(execFile)(
        process.execPath,
        ["-e", `const path = require("path");${script}`],
        {
            cwd,
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "", PROVIDER_TEXT: text, PROVIDER_CONFIG: JSON.stringify(config), ...env },
        },
    );
    return JSON.parse(out) as { failures: unknown[]; id: string; uid: string; loaded: string[] };
}

/** A program directory with an installed copy of the package (not the repo itself: the test can tell which loaded). */
function installedProgram(): { dir: string; pkg: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-program-"));
    const pkg = path.join(dir, "node_modules/kube-backup");
    fs.mkdirSync(path.join(pkg, "bin"), { recursive: true });
    fs.copyFileSync(path.join(repo, "package.json"), path.join(pkg, "package.json"));
    fs.cpSync(path.join(repo, "bin/provider"), path.join(pkg, "bin/provider"), { recursive: true });
    // The package's runtime dependencies, as an install would bring them.
    const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")).dependencies);
    for (const dep of deps) {
        // Scoped packages (@scope/name) live one directory deeper.
        fs.mkdirSync(path.dirname(path.join(dir, "node_modules", dep)), { recursive: true });
        fs.symlinkSync(path.join(repo, "node_modules", dep), path.join(dir, "node_modules", dep));
    }
    return { dir, pkg };
}

test("the serialized provider is small, has no token and no inlined code", () => {
    expect(Buffer.byteLength(text)).toBeLessThan(4096);
    expect(text).not.toContain(sim.token);
    expect(text).toContain('programRequire("kube-backup/provider/runtime")');
    expect(text).not.toMatch(/axios|mergeForWrite|Bearer/);
});

test("in a program that depends on kube-backup: loads the installed package by name, config from configure", async () => {
    const { dir, pkg } = installedProgram();
    const r = await runProvider(
        dir,
        { "kube-backup:url": sim.url, "kube-backup:token": sim.token },
        {},
        "from-package",
    );
    expect(r.failures).toEqual([]);
    expect(r.id).toBe(`default/from-package/${r.uid}`);
    expect(r.loaded).toEqual([fs.realpathSync(path.join(pkg, "bin/provider/runtime.js"))]);
    expect(sim.inspect("schedulepolicy", "from-package")).toBeUndefined(); // deleted again
});

test("the serialized text holds no path of the machine that serialized it", () => {
    expect(text).not.toContain(repo);
    expect(text).not.toContain(fs.realpathSync(repo));
    expect(text).not.toMatch(/bin\/provider\/runtime/);
});

test("in a directory without kube-backup installed: a clear error, no fallback to another machine's path", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-bare-"));
    await expect(
        runProvider(dir, {}, { PXBACKUP_API_URL: sim.url, PXBACKUP_TOKEN: sim.token }, "from-nowhere"),
    ).rejects.toThrow(
        /cannot load kube-backup\/provider\/runtime from the Pulumi program directory .*kb-bare-.*npm install kube-backup/s,
    );
    expect(sim.inspect("schedulepolicy", "from-nowhere")).toBeUndefined();
});

test("in the kube-backup package itself (a program at the repository root): resolved by the package's own name; env settings", async () => {
    const r = await runProvider(repo, {}, { PXBACKUP_API_URL: sim.url, PXBACKUP_TOKEN: sim.token }, "from-self");
    expect(r.failures).toEqual([]);
    expect(r.loaded).toEqual([fs.realpathSync(path.join(repo, "bin/provider/runtime.js"))]);
});

test("without any connection settings the error says what to set", async () => {
    const { dir } = installedProgram();
    await expect(runProvider(dir, {}, {}, "x")).rejects.toThrow(/kube-backup:url.*PXBACKUP_API_URL/s);
});
