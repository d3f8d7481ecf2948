// Backups that really run: `pulumi up` of the backup components (test/e2e/programs/node) against the local
// cluster with a node, then Jobs created from the CronJobs run on it in the images the toolchain builds (imported
// under the default images' names, so the rendered manifests are unchanged). The etcd backup snapshots an etcd
// with client-certificate TLS and the PVC backup reads a claim a StatefulSet wrote; both land complete in MinIO,
// which the pods reach on the node's bridge address.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { listStoredBackups, StoredBackup } from "../../components/catalog";
import { DEFAULT_TOOLS_IMAGE } from "../../components/etcd";
import { restoreEtcd } from "../../components/restore";
import { restorePvc } from "../../components/restore-pvc";
import { runBackupNow, RunBackupResult } from "../../components/run";
import { E2eStack, createE2eStack, up } from "../../tools/engine/stack";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import { toolPath } from "../../tools/local/toolchain";
import { EtcdHandle, MinioHandle, makeTempDir, runCommand, startEtcd, startMinio } from "../../tools/local/processes";

jest.setTimeout(900_000);

const NS = "node-backups";
const BUCKET = "kb-node-backups";

let cluster: ClusterHandle;
let minio: MinioHandle;
let etcd: EtcdHandle;
let e2e: E2eStack;

const get = (apiPath: string) => cluster.get(apiPath);

const catalog = (prefix: string): Promise<StoredBackup[]> =>
    listStoredBackups({
        bucket: BUCKET,
        prefix,
        endpoint: minio.endpoint,
        region: minio.region,
        forcePathStyle: true,
        credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
    });

const bucketKeys = async (): Promise<string[]> => {
    const out = await minio.aws(["s3api", "list-objects-v2", "--bucket", BUCKET]);
    return ((out ? JSON.parse(out).Contents : undefined) ?? []).map((o: { Key: string }) => o.Key).sort();
};

/** A Job from the CronJob, followed to its end; on failure the pods' logs are in the thrown message. */
async function runJob(cronJob: string, ns = NS): Promise<RunBackupResult & { logs: string }> {
    const r = await runBackupNow({
        kubeconfig: cluster.kubeconfig,
        namespace: ns,
        cronJob,
        pollMs: 1000,
        timeoutSeconds: 300,
    });
    const pods = await get(
        `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${r.job}`)}`,
    );
    let logs = "";
    for (const pod of pods.items) {
        for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
            const l = await cluster.request(
                "GET",
                `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/log?container=${c.name}`,
            );
            logs += `--- ${pod.metadata.name}/${c.name}:\n${typeof l.body === "string" ? l.body : JSON.stringify(l.body)}\n`;
        }
    }
    return { ...r, logs };
}

/** Every regular file under `dir`, relative path → sha256. */
function tree(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile())
                out[path.relative(dir, p)] = crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
        }
    };
    walk(dir);
    return out;
}

/** The node-side directory of a bound claim (its hostPath PersistentVolume). */
async function claimDir(claim: string): Promise<string> {
    const pvc = await get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/${claim}`);
    const pv = await get(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`);
    return pv.spec.hostPath.path;
}

beforeAll(async () => {
    cluster = await startCluster({ node: true });
    const host = cluster.node!.hostIp;
    [minio, etcd] = await Promise.all([startMinio({ host }), startEtcd({ tls: true, host })]);
    await minio.createBucket(BUCKET);
    e2e = await createE2eStack({
        program: "node",
        plugins: ["kubernetes"],
        config: {
            kubeconfig: { value: cluster.kubeconfig, secret: true },
            namespace: { value: NS },
            bucket: { value: BUCKET },
            s3Endpoint: { value: minio.endpoint },
            s3AccessKey: { value: minio.accessKey, secret: true },
            s3SecretKey: { value: minio.secretKey, secret: true },
            etcdEndpoint: { value: etcd.endpoint },
            etcdCa: { value: etcd.caPem! },
            etcdCert: { value: etcd.certPem! },
            etcdKey: { value: etcd.keyPem!, secret: true },
            toolsImage: { value: DEFAULT_TOOLS_IMAGE },
            etcdHostCertsDir: { value: path.dirname(etcd.caFile!) },
        },
    });
}, 900_000);

afterAll(async () => {
    await e2e?.dispose();
    await Promise.all([cluster?.stop(), minio?.stop(), etcd?.stop()]);
});

test("up: the StatefulSet's pod runs on the node and writes its claim; the backup CronJobs exist", async () => {
    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    const pod = await get(`/api/v1/namespaces/${NS}/pods/db-0`);
    expect(pod.spec.nodeName).toBe(cluster.node!.name);
    expect(pod.status.phase).toBe("Running");
    const files = tree(await claimDir("data-db-0"));
    expect(Object.keys(files).sort()).toEqual([".written", "blob.bin", "greeting.txt", "sub/created"]);
    expect(r.outputs.etcdCronJob.value).toBe("etcd");
    expect(r.outputs.pvcCronJobs.value).toEqual(["data-data-db-0"]);
});

const etcdctl = async (args: string[]) =>
    (await runCommand(toolPath("etcdctl"), [...etcd.etcdctlArgs, ...args])).stdout;

test("the etcd backup Job runs to completion and its snapshot lands complete in MinIO", async () => {
    for (const k of ["a", "b", "c"]) await etcdctl(["put", `/registry/e2e/${k}`, k]);
    const revision = JSON.parse(await etcdctl(["endpoint", "status", "-w", "json"]))[0].Status.header.revision;
    expect(revision).toBeGreaterThanOrEqual(4);
    const run = await runJob("etcd");
    expect({ succeeded: run.succeeded, logs: run.succeeded ? "" : run.logs }).toEqual({ succeeded: true, logs: "" });
    const backups = await catalog("node/etcd");
    expect(backups).toHaveLength(1);
    expect(backups[0]).toEqual(expect.objectContaining({ complete: true, encryption: "none" }));
    expect(backups[0].etcdRevision).toBe(revision);
    expect(backups[0].size).toBeGreaterThan(0);
});

test("with hostCerts (kubeadm's layout, a privileged namespace) the etcd backup reads the client certificate from the node", async () => {
    const run = await runJob("etcd-host", `${NS}-host`);
    expect({ succeeded: run.succeeded, logs: run.succeeded ? "" : run.logs }).toEqual({ succeeded: true, logs: "" });
    const pod = (
        await get(
            `/api/v1/namespaces/${NS}-host/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${run.job}`)}`,
        )
    ).items[0];
    expect(pod.spec.volumes).toEqual(
        expect.arrayContaining([
            { name: "etcd-client", hostPath: { path: path.dirname(etcd.caFile!), type: "Directory" } },
        ]),
    );
    const backups = await catalog("node/etcd-host");
    expect(backups.map((b) => b.complete)).toEqual([true]);
});

test("the PVC backup Job, admitted under restricted, reads the claim and its backup lands complete", async () => {
    const ns = await get(`/api/v1/namespaces/${NS}`);
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const run = await runJob("data-data-db-0");
    expect({ succeeded: run.succeeded, logs: run.succeeded ? "" : run.logs }).toEqual({ succeeded: true, logs: "" });
    const backups = await catalog("node/pvc");
    expect(backups).toHaveLength(1);
    expect(backups[0]).toEqual(expect.objectContaining({ complete: true, claim: "data-db-0" }));
});

test("a second and third run prune the etcd backups to the retention (2), all complete", async () => {
    const first = (await catalog("node/etcd")).map((b) => b.key);
    for (let i = 0; i < 2; i++) {
        await etcdctl(["put", `/registry/e2e/run${i}`, String(i)]);
        const run = await runJob("etcd");
        expect({ succeeded: run.succeeded, logs: run.succeeded ? "" : run.logs }).toEqual({
            succeeded: true,
            logs: "",
        });
    }
    const backups = await catalog("node/etcd");
    expect(backups.map((b) => b.complete)).toEqual([true, true]);
    // The oldest is the one pruned.
    expect(backups.map((b) => b.key)).not.toContain(first[0]);
});

test("the newest etcd backup is verified and restored by the catalog restore path, at the revision it recorded", async () => {
    const newest = (await catalog("node/etcd"))[0];
    const dir = makeTempDir("etcd-restore");
    try {
        const r = await restoreEtcd({
            bucket: BUCKET,
            prefix: "node/etcd",
            schedule: "etcd",
            endpoint: minio.endpoint,
            region: minio.region,
            forcePathStyle: true,
            credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
            dataDir: path.join(dir, "data"),
            etcdutl: toolPath("etcdutl"),
        });
        expect(r.backup.key).toBe(newest.key);
        expect(r.revision).toBe(newest.etcdRevision);
        expect(fs.statSync(path.join(dir, "data", "member", "snap", "db")).size).toBeGreaterThan(0);
        // The restored member serves the keys the backed-up etcd held.
        const restored = await startEtcd({ dataDir: path.join(dir, "data") });
        try {
            const out = await runCommand(toolPath("etcdctl"), [...restored.etcdctlArgs, "get", "/registry/e2e/run1"]);
            expect(out.stdout.split("\n").slice(0, 2)).toEqual(["/registry/e2e/run1", "1"]);
        } finally {
            await restored.stop();
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("a run with a wrong S3 secret key ends Failed and leaves the bucket as it was", async () => {
    const before = await bucketKeys();
    await e2e.stack.setConfig("s3SecretKey", { value: "wrong-secret-key-0000000000", secret: true });
    expect((await up(e2e.stack)).summary.result).toBe("succeeded");
    const run = await runJob("etcd");
    expect(run.succeeded).toBe(false);
    expect(run.logs).toMatch(/SignatureDoesNotMatch|AccessDenied|403/);
    expect(await bucketKeys()).toEqual(before);
    await e2e.stack.setConfig("s3SecretKey", { value: minio.secretKey, secret: true });
    expect((await up(e2e.stack)).summary.result).toBe("succeeded");
});

test("the catalog restore path restores the PVC backup byte-identical into a new claim (baseline namespace)", async () => {
    // Restores run as UID 0 (owners and modes): the restricted level rejects them, baseline admits them.
    await e2e.stack.setConfig("podSecurityLevel", { value: "baseline" });
    expect((await up(e2e.stack)).summary.result).toBe("succeeded");
    const created = await cluster.request("POST", `/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
        metadata: { name: "restored" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Mi" } } },
    });
    expect(created.status).toBe(201);
    await cluster.waitFor("claim restored to bind", async () => {
        const pvc = await get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/restored`);
        return pvc.status.phase === "Bound";
    });
    const r = await restorePvc({
        kubeconfig: cluster.kubeconfig,
        namespace: NS,
        schedule: "data",
        claim: "data-db-0",
        targetClaim: "restored",
        storage: { credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey } },
        timeoutSeconds: 300,
        pollMs: 1000,
    });
    expect(r.succeeded).toBe(true);
    const source = tree(await claimDir("data-db-0"));
    expect(Object.keys(source)).toContain("blob.bin");
    expect(tree(await claimDir("restored"))).toEqual(source);
});

test("the PvcRestore component's Job (UID 0 with CHOWN/FOWNER only, tolerating the taint) restores the newest backup byte-identical", async () => {
    const [newest] = (await catalog("node/pvc")).filter((b) => b.complete);
    expect(newest.key).toMatch(/\.tar\.gz$/);
    await e2e.stack.setConfig("restoreKey", { value: newest.key });
    expect((await up(e2e.stack)).summary.result).toBe("succeeded");
    let job: any;
    await cluster.waitFor("the restore Job to finish", async () => {
        job = await get(`/apis/batch/v1/namespaces/${NS}/jobs/restore-data`);
        return Boolean(job.status?.succeeded || job.status?.failed);
    });
    expect(job.status.succeeded).toBe(1);
    const pods = await get(`/api/v1/namespaces/${NS}/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Drestore-data`);
    expect(pods.items[0].spec.nodeName).toBe(cluster.node!.name);
    expect(tree(await claimDir("restored-by-component"))).toEqual(tree(await claimDir("data-db-0")));
});
