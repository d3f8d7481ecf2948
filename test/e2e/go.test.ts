// The PX-Backup part of the YAML e2e program in Go (test/e2e/programs/go/main.go) on the generated Go SDK, as a
// Go Automation API inline program through the real CLI and the provider plugin, against the validating
// simulator: up → empty preview → a change made out of band shows in preview --refresh → up --refresh repairs it
// → destroy.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { makeTempDir, runCommand } from "../../tools/local/processes";
import { generatedSdkDir } from "../../tools/local/toolchain";
import { startSimulator, SimulatorHandle } from "../../tools/simulator/server";
import { SimulatorClient } from "../support/simulator-client";
import { auditBackend } from "../../tools/engine/stack";
import {
    expectDeployedObjects,
    inlineProgramEnv,
    programConfig,
    writePluginProject,
} from "../support/language-programs";

jest.setTimeout(900_000);

const accessKey = `AKIAGO${crypto.randomBytes(6).toString("hex").toUpperCase()}`;
const secretKey = crypto.randomBytes(24).toString("base64url");
const kubeconfig = `apiVersion: v1\nkind: Config\nusers: [{name: admin, user: {token: go-e2e-${crypto.randomBytes(12).toString("hex")}}}]\n`;

interface GoStep {
    op: string;
    urn: string;
    type: string;
    diffs: string[];
    oldInputs?: Record<string, unknown>;
    newInputs?: Record<string, unknown>;
}
interface GoResult {
    result?: string;
    steps: GoStep[];
    diagnostics: string[];
    outputs: Record<string, unknown>;
}

let sim: SimulatorHandle;
let api: SimulatorClient;
let workDir: string;
let backendDir: string;
let binary: string;
let env: Record<string, string>;

const scheduleInfo = () => sim.inspect("backupschedule", "app-schedule")?.backup_schedule_info;
const ourObjects = () => sim.dump().filter((o) => o.kind !== ("organization" as string));
const changed = (r: GoResult) => r.steps.filter((s) => s.op !== "same" && s.op !== "refresh");

async function run(op: string): Promise<GoResult> {
    const { stdout } = await runCommand(binary, [op], { env, cwd: workDir, timeoutMs: 600_000 });
    return JSON.parse(stdout.trim().split("\n").pop()!);
}

beforeAll(async () => {
    workDir = makeTempDir("go-e2e");
    backendDir = path.join(workDir, "state");
    fs.mkdirSync(backendDir);
    // A consumer module on the generated SDK (by path, as an unpublished module is used).
    const sdk = path.join(generatedSdkDir(), "go");
    const sdkModule = /^module\s+(\S+)/m.exec(fs.readFileSync(path.join(sdk, "go.mod"), "utf8"))![1];
    const src = path.join(workDir, "src");
    fs.mkdirSync(src);
    fs.copyFileSync(path.join(__dirname, "programs", "go", "main.go"), path.join(src, "main.go"));
    fs.writeFileSync(
        path.join(src, "go.mod"),
        `module example.com/go-e2e\n\ngo 1.24\n\nrequire ${sdkModule} v0.0.0\n\nreplace ${sdkModule} => ${sdk}\n`,
    );
    fs.copyFileSync(path.join(sdk, "go.sum"), path.join(src, "go.sum"));
    // The Automation API needs a few modules the SDK does not (the proxy serves them); toolchain.sh's build flags,
    // so the packages compiled for the CLI are reused.
    const goEnv = {
        GOFLAGS: "-mod=mod -trimpath -buildvcs=false",
        GOWORK: "off",
        GOTOOLCHAIN: "local",
        CGO_ENABLED: "0",
        GONOSUMDB: "github.com/pulumi",
    };
    binary = path.join(workDir, "go-e2e");
    await runCommand("go", ["mod", "tidy"], { cwd: src, env: goEnv, timeoutMs: 300_000 });
    await runCommand("nice", ["-n", "10", "go", "build", "-o", binary, "."], {
        cwd: src,
        env: goEnv,
        timeoutMs: 600_000,
    });

    sim = await startSimulator({ validateResponses: true, validateRequests: true });
    api = new SimulatorClient(sim.url, sim.token);
    writePluginProject(workDir, "kube-backup-go", "go");
    env = inlineProgramEnv(backendDir, workDir, programConfig(sim, { accessKey, secretKey }, kubeconfig));
}, 900_000);

afterAll(async () => {
    if (env) await run("destroy").catch((e) => process.stderr.write(`go e2e cleanup: ${e.message}\n`));
    await sim?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test("up creates the PX-Backup objects through the plugin", async () => {
    const r = await run("up");
    expect(r.result).toBe("succeeded");
    expect(r.diagnostics).toEqual([]);
    const types = r.steps.filter((s) => s.op === "create").map((s) => s.type);
    expect(r.outputs.scheduleId).toBe(expectDeployedObjects(sim, types, { accessKey, secretKey }));
    expect(r.outputs.scheduleNamespaces).toEqual(["app", "db"]);
    expect(auditBackend(backendDir, { token: sim.token, accessKey, secretKey, kubeconfig })).toEqual([]);
});

test("a second preview is empty", async () => {
    expect(changed(await run("preview"))).toEqual([]);
});

test("a schedule changed out of band shows in preview --refresh and up --refresh repairs it", async () => {
    await api.ok("BackupSchedule_Update", {
        body: { metadata: { name: "app-schedule", org_id: "default" }, namespaces: ["tampered"] },
    });
    const planned = changed(await run("preview-refresh"));
    expect(planned.map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual(["update schedule"]);
    expect(planned[0].diffs).toEqual(["namespaces"]);
    expect(planned[0].oldInputs?.namespaces).toEqual(["tampered"]);
    expect(planned[0].newInputs?.namespaces).toEqual(["app", "db"]);
    expect(scheduleInfo().namespaces).toEqual(["tampered"]);

    expect((await run("up-refresh")).result).toBe("succeeded");
    expect(scheduleInfo().namespaces).toEqual(["app", "db"]);
    expect(changed(await run("preview-refresh"))).toEqual([]);
});

test("destroy removes every PX-Backup object", async () => {
    const r = await run("destroy");
    expect(r.result).toBe("succeeded");
    sim.settle();
    expect(ourObjects().map((o) => `${o.kind}/${o.object.metadata.name}`)).toEqual([]);
    expect(r.outputs).toEqual({});
    expect(sim.contractViolations).toEqual([]);
});
