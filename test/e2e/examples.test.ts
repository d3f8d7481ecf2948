// The examples under examples/ as a user runs them, through the real engine: each one copied out of the repo with
// `kube-backup` in its node_modules the way an install would put it there (a link to this package, since the
// version they depend on is not on the registry yet; examples/README.md), type-checked with its own tsconfig and
// previewed; Kubernetes ones against the local API server, PX-Backup ones against the simulator. Then the quickstart
// is deployed and examples/gitops/drift.sh, the script the drift workflow runs, finds and repairs a change made
// behind Pulumi's back.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startSimulator, SimulatorHandle } from "../../tools/simulator/server";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import {
    CertPair,
    CertificateAuthority,
    MinioHandle,
    createCertificateAuthority,
    makeTempDir,
    startMinio,
} from "../../tools/local/processes";
import {
    ConfigEntry,
    E2eStack,
    changes,
    createE2eStack,
    kubernetesPluginVersion,
    preview,
    repoRoot,
    stateResources,
    up,
} from "../../tools/engine/stack";
import { quickstartConfig } from "../../tools/engine/quickstart-config";
import { SimulatorClient } from "../support/simulator-client";

jest.setTimeout(900_000);

const BUCKET = "kb-e2e-examples";
const examplesDir = path.join(repoRoot, "examples");

let sim: SimulatorHandle;
let api: SimulatorClient;
let cluster: ClusterHandle;
let minio: MinioHandle;
let etcdCa: CertificateAuthority;
let etcdClient: CertPair;
const stacks: E2eStack[] = [];

let clusterStarted: Promise<void> | undefined;

beforeAll(async () => {
    sim = await startSimulator();
    api = new SimulatorClient(sim.url, sim.token);
});

/** The local API server, MinIO and etcd client certificates, started once by the first example that needs them. */
const needCluster = () =>
    (clusterStarted ??= (async () => {
        [cluster, minio] = await Promise.all([startCluster(), startMinio()]);
        await minio.createBucket(BUCKET);
        etcdCa = createCertificateAuthority(makeTempDir("examples-etcd-pki"), "e2e examples etcd CA");
        etcdClient = etcdCa.issue("backup-client", { cn: "kube-backup", client: true });
    })());

afterAll(async () => {
    for (const s of stacks.reverse()) await s.dispose();
    await Promise.allSettled([sim?.stop(), cluster?.stop(), minio?.stop()]);
    if (etcdCa) fs.rmSync(etcdCa.dir, { recursive: true, force: true });
});

/** A stack of examples/<name>, copied to a temp dir with its node_modules linked (tools/engine/stack.ts). */
async function exampleStack(name: string, config: Record<string, ConfigEntry>, kubernetes = false) {
    const e2e = await createE2eStack({
        program: path.join(examplesDir, name),
        config,
        plugins: kubernetes ? ["kubernetes"] : undefined,
    });
    stacks.push(e2e);
    return e2e;
}

/** Runs a command to completion without blocking this process (the simulator answers from its event loop). */
function run(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }) {
    return new Promise<{ code: number; output: string }>((resolve, reject) => {
        const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, output }));
    });
}

/** `tsc --noEmit` with the example's own tsconfig.json, in the copy (so with the linked kube-backup types). */
async function typecheck(e2e: E2eStack) {
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const r = await run(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], {
        cwd: e2e.workDir,
        env: e2e.env,
    });
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
}

const created = (steps: Array<{ op: string; type: string; urn: string }>) =>
    steps.filter((s) => s.op === "create").map((s) => `${s.type}::${s.urn.split("::").pop()}`);

test("every example directory is a project this test covers", () => {
    const projects = fs
        .readdirSync(examplesDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(examplesDir, d.name, "Pulumi.yaml")))
        .map((d) => d.name)
        .sort();
    expect(projects).toEqual(["etcd-backup", "pvc-backup", "px-backup-schedule", "quickstart"]);
});

describe("examples/etcd-backup", () => {
    beforeAll(needCluster, 900_000);

    test("type-checks and previews its Secrets and CronJob against the local API server", async () => {
        // The example uses the default Kubernetes provider, whose version is the @pulumi/kubernetes SDK's.
        const sdkPlugin = require(path.join(repoRoot, "node_modules", "@pulumi", "kubernetes", "package.json")).pulumi
            .version as string;
        expect(kubernetesPluginVersion()).toBe(sdkPlugin);
        const e2e = await exampleStack("etcd-backup", {
            "kubernetes:kubeconfig": { value: cluster.kubeconfig, secret: true },
            s3Endpoint: { value: minio.endpoint },
            bucket: { value: BUCKET },
            s3AccessKeyId: { value: minio.accessKey, secret: true },
            s3SecretAccessKey: { value: minio.secretKey, secret: true },
            etcdCaCrt: { value: etcdCa.certPem, secret: true },
            etcdClientCrt: { value: etcdClient.certPem, secret: true },
            etcdClientKey: { value: etcdClient.keyPem, secret: true },
        });
        await typecheck(e2e);
        const p = await preview(e2e.stack);
        expect(p.diagnostics.filter((d) => d.startsWith("error"))).toEqual([]);
        expect(created(p.steps)).toEqual(
            expect.arrayContaining([
                `pulumi:providers:kubernetes::default_${sdkPlugin.replace(/\./g, "_")}`,
                "kubernetes:core/v1:Secret::etcd-backup-s3",
                "kubernetes:core/v1:Secret::etcd-backup-etcd",
                "kubernetes:batch/v1:CronJob::etcd-backup",
            ]),
        );
        expect(changes(p.steps).every((c) => c.startsWith("create "))).toBe(true);
        // A preview creates nothing.
        expect(
            (await cluster.request("GET", "/apis/batch/v1/namespaces/kube-system/cronjobs/etcd-backup")).status,
        ).toBe(404);
    });
});

describe("examples/pvc-backup", () => {
    beforeAll(needCluster, 900_000);

    test("type-checks and previews the archive and snapshot CronJobs against the local API server", async () => {
        const e2e = await exampleStack("pvc-backup", {
            "kubernetes:kubeconfig": { value: cluster.kubeconfig, secret: true },
            s3Endpoint: { value: minio.endpoint },
            bucket: { value: BUCKET },
            s3AccessKeyId: { value: minio.accessKey, secret: true },
            s3SecretAccessKey: { value: minio.secretKey, secret: true },
        });
        await typecheck(e2e);
        const p = await preview(e2e.stack);
        expect(p.diagnostics.filter((d) => d.startsWith("error"))).toEqual([]);
        expect(created(p.steps)).toEqual(
            expect.arrayContaining([
                "kubernetes:core/v1:Secret::pvc-backup-s3",
                "kubernetes:batch/v1:CronJob::nightly-data-postgres-0",
                "kubernetes:batch/v1:CronJob::hourly",
            ]),
        );
        expect(changes(p.steps).every((c) => c.startsWith("create "))).toBe(true);
    });
});

describe("examples/px-backup-schedule", () => {
    test("type-checks and previews the whole PX-Backup chain against the simulator without changing it", async () => {
        const e2e = await exampleStack("px-backup-schedule", {
            "kube-backup:url": { value: sim.url },
            "kube-backup:token": { value: sim.token, secret: true },
        });
        await typecheck(e2e);
        sim.requests.clear();
        const p = await preview(e2e.stack);
        expect(p.diagnostics.filter((d) => d.startsWith("error"))).toEqual([]);
        const kinds = ["CloudCredential", "BackupLocation", "SchedulePolicy", "Cluster", "BackupSchedule"];
        expect(p.changeSummary).toEqual({ create: 1 + kinds.length });
        for (const kind of kinds) {
            expect(
                p.steps.some((s) => s.op === "create" && s.type === `pulumi-nodejs:dynamic/kube-backup:${kind}`),
            ).toBe(true);
        }
        expect(sim.requests.all().filter((r) => r.method !== "GET")).toEqual([]);
    });
});

describe("examples/quickstart", () => {
    let e2e: E2eStack;
    const scheduleInfo = () => sim.inspect("backupschedule", "apps")?.backup_schedule_info;

    beforeAll(async () => {
        await needCluster();
        e2e = await exampleStack(
            "quickstart",
            {
                ...quickstartConfig({ sim, cluster, minio, bucket: BUCKET, etcdCaPem: etcdCa.certPem, etcdClient }),
                "kube-backup:pollIntervalMs": { value: "50" },
            },
            true,
        );
    }, 900_000);

    /** examples/gitops/drift.sh against this stack, in the environment the CLI calls get (backend, passphrase). */
    const drift = (mode: "check" | "repair", env: Record<string, string> = {}) =>
        run("bash", [path.join(examplesDir, "gitops", "drift.sh"), mode], {
            cwd: e2e.workDir,
            env: { ...e2e.env, PULUMI_STACK: e2e.stack.name, PROJECT_DIR: e2e.workDir, ...env },
        });

    test("type-checks and previews PX-Backup objects and Kubernetes CronJobs", async () => {
        await typecheck(e2e);
        const p = await preview(e2e.stack);
        expect(p.diagnostics.filter((d) => d.startsWith("error"))).toEqual([]);
        expect(created(p.steps)).toEqual(
            expect.arrayContaining([
                "pulumi-nodejs:dynamic/kube-backup:BackupSchedule::apps",
                "pulumi-nodejs:dynamic/kube-backup:SchedulePolicy::daily",
                "kubernetes:core/v1:Namespace::kube-backup",
                "kubernetes:batch/v1:CronJob::etcd",
                "kubernetes:batch/v1:CronJob::data-data",
            ]),
        );
        expect(scheduleInfo()).toBeUndefined();
    });

    test("up deploys it and a second preview is empty", async () => {
        const r = await up(e2e.stack);
        expect(r.summary.result).toBe("succeeded");
        expect(scheduleInfo()?.namespaces).toEqual(["default"]);
        expect((await cluster.request("GET", "/apis/batch/v1/namespaces/kube-backup/cronjobs/etcd")).status).toBe(200);
        expect(r.outputs.pxBackupScheduleUid.value).toBe(sim.inspect("backupschedule", "apps")?.metadata.uid);
        const p = await preview(e2e.stack, { expectNoChanges: true });
        expect(changes(p.steps)).toEqual([]);
    });

    test("drift.sh check passes on the clean stack", async () => {
        const r = await drift("check");
        expect(r.output).toContain(`drift.sh: no drift in ${e2e.stack.name}`);
        expect(r.code).toBe(0);
    });

    test("drift.sh check exits 2 after an out-of-band change, repair fixes it, check passes again", async () => {
        await api.ok("BackupSchedule_Update", {
            body: { metadata: { name: "apps", org_id: "default" }, namespaces: ["tampered"], reclaim_policy: "Retain" },
        });
        expect(scheduleInfo()?.namespaces).toEqual(["tampered"]);

        const found = await drift("check");
        expect(found.output).toMatch(/no changes were expected.* but changes were proposed/);
        expect(found.output).toContain("drift.sh: drift in");
        expect(found.output).toContain("apps"); // the diff names the drifted schedule
        expect(found.code).toBe(2);
        expect(scheduleInfo()?.namespaces).toEqual(["tampered"]); // check changes nothing

        const repaired = await drift("repair");
        expect(repaired.code).toBe(0);
        expect(scheduleInfo()?.namespaces).toEqual(["default"]);
        expect(scheduleInfo()?.reclaim_policy).toBe("Delete");

        const clean = await drift("check");
        expect(clean.code).toBe(0);
    });

    test("drift.sh check reports a failing preview as an error, not as drift", async () => {
        // A wrong passphrase: the stack's secrets cannot be decrypted, so preview fails before it can diff anything.
        const r = await drift("check", { PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" });
        expect(r.output).toContain("this is an error, not drift");
        expect(r.code).not.toBe(0);
        expect(r.code).not.toBe(2);
    });

    test("destroy leaves nothing of the quickstart in the state", async () => {
        const r = await e2e.stack.destroy();
        expect(r.summary.result).toBe("succeeded");
        expect((await stateResources(e2e.stack)).filter((x) => x.type !== "pulumi:pulumi:Stack")).toEqual([]);
        sim.settle();
        expect(scheduleInfo()).toBeUndefined();
        const ns = await cluster.request("GET", "/api/v1/namespaces/kube-backup");
        expect(ns.status === 404 || ns.body.status?.phase === "Terminating").toBe(true);
    });
});
