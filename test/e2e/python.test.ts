// The YAML e2e program in Python (test/e2e/programs/python/deploy.py): the SDK generated from schema.json,
// pip-installed from its folder into the toolchain's venv, run as an Automation API inline program (the pip
// `pulumi` SDK serves the language runtime in-process) through the real CLI and the provider plugin, against the
// validating PX-Backup simulator and a local kube-apiserver:
// up → empty preview → a change made out of band shows in preview --refresh → up --refresh repairs it → destroy.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import { createCertificateAuthority, makeTempDir, runCommand, CertificateAuthority } from "../../tools/local/processes";
import { generatedSdkDir, pythonExecutable } from "../../tools/local/toolchain";
import { startSimulator, SimulatorHandle } from "../../tools/simulator/server";
import { SimulatorClient } from "../support/simulator-client";
import { auditBackend, kubernetesPluginVersion } from "../../tools/engine/stack";
import {
    expectDeployedObjects,
    inlineProgramEnv,
    programConfig,
    writePluginProject,
} from "../support/language-programs";

jest.setTimeout(900_000);

const NS = "kube-backup-python";
const accessKey = `AKIAPY${crypto.randomBytes(6).toString("hex").toUpperCase()}`;
const secretKey = crypto.randomBytes(24).toString("base64url");
const script = path.join(__dirname, "programs", "python", "deploy.py");

interface PyStep {
    op: string;
    urn: string;
    type: string;
    diffs: string[];
    oldInputs?: Record<string, unknown>;
    newInputs?: Record<string, unknown>;
}
interface PyResult {
    summary?: { result: string; resourceChanges: Record<string, number> };
    changeSummary?: Record<string, number>;
    steps: PyStep[];
    /** Warnings and errors the engine reported. */
    diagnostics: string[];
    outputs: Record<string, unknown>;
}

let sim: SimulatorHandle;
let api: SimulatorClient;
let cluster: ClusterHandle;
let etcdCa: CertificateAuthority;
let etcdKey: string;
let workDir: string;
let backendDir: string;
let env: Record<string, string>;

const scheduleInfo = () => sim.inspect("backupschedule", "app-schedule")?.backup_schedule_info;
const ourObjects = () => sim.dump().filter((o) => o.kind !== ("organization" as string));
const cronJobStatus = async (name: string) =>
    (await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/cronjobs/${name}`)).status;
const changed = (r: PyResult) => r.steps.filter((s) => s.op !== "same" && s.op !== "refresh");

async function py(op: string): Promise<PyResult> {
    const { stdout } = await runCommand(pythonExecutable(), [script, op], { env, cwd: workDir, timeoutMs: 600_000 });
    return JSON.parse(stdout.trim().split("\n").pop()!);
}

beforeAll(async () => {
    workDir = makeTempDir("python-e2e");
    backendDir = path.join(workDir, "state");
    fs.mkdirSync(backendDir);
    // The generated SDK, installed as a user would: pip from its folder (a copy: pip builds in the tree).
    const sdk = path.join(workDir, "sdk");
    fs.cpSync(path.join(generatedSdkDir(), "python"), sdk, { recursive: true });
    await runCommand(
        pythonExecutable(),
        ["-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--force-reinstall", sdk],
        { timeoutMs: 180_000, env: { PIP_DISABLE_PIP_VERSION_CHECK: "1" } },
    );
    kubernetesPluginVersion(); // the Kubernetes plugin is in the plugin cache
    [sim, cluster] = await Promise.all([
        startSimulator({ validateResponses: true, validateRequests: true }),
        startCluster(),
    ]);
    api = new SimulatorClient(sim.url, sim.token);
    etcdCa = createCertificateAuthority(makeTempDir("python-etcd-pki"), "python e2e etcd CA");
    const client = etcdCa.issue("backup-client", { cn: "kube-backup", client: true });
    etcdKey = client.keyPem;
    // The project file names the plugin of this checkout, as the YAML program does (an inline program's
    // workspace reads the Pulumi.yaml it finds in its work dir).
    writePluginProject(workDir, "kube-backup-python", "python");
    const etcd = { namespace: NS, caPem: etcdCa.certPem, certPem: client.certPem, keyPem: client.keyPem };
    env = inlineProgramEnv(backendDir, workDir, programConfig(sim, { accessKey, secretKey }, cluster.kubeconfig, etcd));
}, 900_000);

afterAll(async () => {
    if (env) await py("destroy").catch((e) => process.stderr.write(`python e2e cleanup: ${e.message}\n`));
    await Promise.all([sim?.stop(), cluster?.stop()]);
    if (etcdCa) fs.rmSync(etcdCa.dir, { recursive: true, force: true });
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test("up creates the PX-Backup objects through the plugin and the etcd schedule's CronJob", async () => {
    const r = await py("up");
    expect(r.summary?.result).toBe("succeeded");
    const types = r.steps.filter((s) => s.op === "create").map((s) => s.type);
    expect(types).toContain("kube-backup:index:EtcdBackupSchedule");
    expect(r.outputs.scheduleId).toBe(expectDeployedObjects(sim, types, { accessKey, secretKey }));
    expect(r.outputs.scheduleNamespaces).toEqual(["app", "db"]);
    expect(await cronJobStatus(r.outputs.etcdCronJob as string)).toBe(200);
    expect(
        auditBackend(backendDir, {
            token: sim.token,
            accessKey,
            secretKey,
            etcdKey,
            kubeconfig: cluster.kubeconfig,
        }),
    ).toEqual([]);
    // The plugin came from Pulumi.yaml, not ambiently from PATH.
    expect(r.diagnostics).toEqual([]);
});

test("a second preview is empty", async () => {
    const p = await py("preview");
    expect(changed(p)).toEqual([]);
    expect(Object.keys(p.changeSummary ?? {})).toEqual(["same"]);
});

test("a schedule changed out of band shows in preview --refresh and up --refresh repairs it", async () => {
    await api.ok("BackupSchedule_Update", {
        body: {
            metadata: { name: "app-schedule", org_id: "default" },
            namespaces: ["tampered"],
            reclaim_policy: "Retain",
        },
    });
    const p = await py("preview-refresh");
    const planned = changed(p);
    expect(planned.map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual(["update schedule"]);
    expect([...planned[0].diffs].sort()).toEqual(["namespaces", "reclaimPolicy"]);
    expect(planned[0].oldInputs?.namespaces).toEqual(["tampered"]); // what read found on the server
    expect(planned[0].newInputs?.namespaces).toEqual(["app", "db"]);
    expect(scheduleInfo().namespaces).toEqual(["tampered"]); // preview changed nothing

    const r = await py("up-refresh");
    expect(r.summary?.result).toBe("succeeded");
    expect(scheduleInfo().namespaces).toEqual(["app", "db"]);
    expect(scheduleInfo().reclaim_policy).toBe("Delete");
    expect(changed(await py("preview-refresh"))).toEqual([]);
});

test("values of the wrong type are preview errors naming the property, as in TypeScript", async () => {
    const { error } = (await py("preview-bad")) as unknown as { error: string | null };
    expect(error).toMatch(/property reclaimPolicy .*Sometimes/);
    expect(error).toMatch(/property suspend .*yes/);
    expect(error).not.toMatch(/Traceback|panic|TypeError/);
    expect(sim.inspect("backupschedule", "bad-schedule")).toBeUndefined();
});

test("destroy removes the PX-Backup objects and the CronJob", async () => {
    const cronJob = (await py("outputs")).outputs.etcdCronJob as string;
    const r = await py("destroy");
    expect(r.summary?.result).toBe("succeeded");
    sim.settle();
    expect(ourObjects().map((o) => `${o.kind}/${o.object.metadata.name}`)).toEqual([]);
    expect(await cronJobStatus(cronJob)).toBe(404);
    expect((await py("outputs")).outputs).toEqual({});
    expect(sim.contractViolations).toEqual([]);
});
