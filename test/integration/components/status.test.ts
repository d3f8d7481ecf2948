// getBackupStatus against the local API server (kube-apiserver + kube-controller-manager, no kubelet) and MinIO:
// the CronJob is the one EtcdBackupSchedule renders, its status and its Jobs' status are set through the API as
// the controllers would, and the bucket holds a complete and an incomplete backup of it.
import * as crypto from "crypto";
import { ClusterHandle, startCluster } from "../../../tools/local/cluster";
import { MinioHandle, startMinio } from "../../../tools/local/processes";
import { render } from "./render";
import { getBackupStatus } from "../../../components/status";

jest.setTimeout(300_000);

let cluster: ClusterHandle;
let minio: MinioHandle;
const NS = "backups";
const BUCKET = "status";
const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

async function ok<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await cluster.request(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
}

/** UTC key time of a Date: yyyymmddThhmmssZ. */
const stamp = (d: Date) =>
    d
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");

let uid: string;
const complete = new Date(Date.now() - 7200_000);
const incomplete = new Date(Date.now() - 600_000);

beforeAll(async () => {
    [cluster, minio] = await Promise.all([startCluster(), startMinio()]);
    await minio.createBucket(BUCKET);
    const keyOf = (d: Date, run: string) => `st/unit.etcd-s-${stamp(d)}-${run}.db`;
    const good = keyOf(complete, "0a0b0c0d");
    const put = (key: string, body: string) =>
        minio.aws(["s3", "cp", "-", `s3://${BUCKET}/${key}`, "--only-show-errors"], { input: body });
    await put(good, "snapshot");
    await put(`${good}.sha256`, `${sha("snapshot")}  ${good.slice(3)}\n`);
    await put(keyOf(incomplete, "1a1b1c1d"), "interrupted");
    await put(`st/unit.other-${stamp(new Date())}-2a2b2c2d.db`, "another schedule");

    const r = await render((c) => {
        new c.EtcdBackupSchedule("etcd-s", {
            schedule: "0 */6 * * *",
            namespace: NS,
            suspend: true, // the controller must not start Jobs of its own while the test sets the status
            certificates: { caCrt: cluster.ca.certPem, clientCrt: cluster.admin.certPem, clientKey: "key" },
            storage: {
                bucket: { bucket: BUCKET, endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
                prefix: "st",
                credentials: { secretName: "s3" },
            },
        });
    });
    await ok("POST", "/api/v1/namespaces", { metadata: { name: NS } });
    const cj = await ok("POST", `/apis/batch/v1/namespaces/${NS}/cronjobs`, r.cronJobs["etcd-s"]);
    uid = cj.metadata.uid;
});

afterAll(async () => {
    await Promise.all([cluster?.stop(), minio?.stop()]);
});

function ownedJob(name: string, extra: Record<string, unknown> = {}) {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name,
            namespace: NS,
            ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: "etcd-s", uid, controller: true }],
        },
        spec: {
            ...extra,
            template: {
                spec: { restartPolicy: "Never", containers: [{ name: "upload", image: "busybox:1.36" }] },
            },
        },
    };
}

test("status: controller times, active Jobs, the last failed Job with its reason, the newest complete backup", async () => {
    // A running Job (the Job controller creates its pod, which never runs here).
    const active = await ok("POST", `/apis/batch/v1/namespaces/${NS}/jobs`, ownedJob("etcd-s-29000001"));
    // Two failed Jobs, marked by an external manager so the Job controller leaves their status to the test.
    const failedAt = ["2026-01-01T06:00:40Z", "2026-01-01T12:00:40Z"];
    for (const [i, name] of ["etcd-s-29000002", "etcd-s-29000003"].entries()) {
        const job = await ok(
            "POST",
            `/apis/batch/v1/namespaces/${NS}/jobs`,
            ownedJob(name, { managedBy: "kube-backup.test/external" }),
        );
        const started = failedAt[i].replace(":40Z", ":00Z");
        job.status = {
            startTime: started,
            failed: 2,
            conditions: [
                {
                    type: "FailureTarget",
                    status: "True",
                    reason: "BackoffLimitExceeded",
                    message: "Job has reached the specified backoff limit",
                    lastTransitionTime: failedAt[i],
                },
                {
                    type: "Failed",
                    status: "True",
                    reason: "BackoffLimitExceeded",
                    message: "Job has reached the specified backoff limit",
                    lastTransitionTime: failedAt[i],
                },
            ],
        };
        await ok("PUT", `/apis/batch/v1/namespaces/${NS}/jobs/${name}/status`, job);
    }
    const cj = await ok("GET", `/apis/batch/v1/namespaces/${NS}/cronjobs/etcd-s`);
    cj.status = {
        lastScheduleTime: "2026-01-01T18:00:00Z",
        lastSuccessfulTime: "2026-01-01T00:01:10Z",
        active: [
            { apiVersion: "batch/v1", kind: "Job", name: "etcd-s-29000001", namespace: NS, uid: active.metadata.uid },
        ],
    };
    await ok("PUT", `/apis/batch/v1/namespaces/${NS}/cronjobs/etcd-s/status`, cj);

    const s = await getBackupStatus({
        namespace: NS,
        cronJob: "etcd-s",
        kubeconfig: cluster.kubeconfig,
        storage: { credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey } },
    });
    expect(s).toMatchObject({
        namespace: NS,
        cronJob: "etcd-s",
        schedule: "0 */6 * * *",
        timeZone: "Etc/UTC",
        suspended: true,
        lastScheduleTime: "2026-01-01T18:00:00Z",
        lastSuccessfulTime: "2026-01-01T00:01:10Z",
        activeJobs: ["etcd-s-29000001"],
        lastFailedJob: {
            name: "etcd-s-29000003",
            startTime: "2026-01-01T12:00:00Z",
            failedTime: "2026-01-01T12:00:40Z",
            reason: "BackoffLimitExceeded",
            message: "Job has reached the specified backoff limit",
        },
    });
    // The newest *complete* backup of this schedule: not the newer incomplete one, not another schedule's.
    expect(s.newestCompleteBackup).toMatchObject({
        key: `st/unit.etcd-s-${stamp(complete)}-0a0b0c0d.db`,
        complete: true,
    });
    const expectedAge = (Date.parse(s.observedAt) - Math.floor(complete.getTime() / 1000) * 1000) / 1000;
    expect(s.newestCompleteBackupAgeSeconds).toBe(Math.round(expectedAge));
});

test("an unknown CronJob and refused S3 credentials are named", async () => {
    await expect(getBackupStatus({ namespace: NS, cronJob: "nope", kubeconfig: cluster.kubeconfig })).rejects.toThrow(
        `CronJob ${NS}/nope not found (unknown schedule?)`,
    );
    await expect(
        getBackupStatus({
            namespace: NS,
            cronJob: "etcd-s",
            kubeconfig: cluster.kubeconfig,
            storage: { credentials: { accessKeyId: minio.accessKey, secretAccessKey: "wrong" } },
        }),
    ).rejects.toThrow(`S3 refused the credentials for bucket "${BUCKET}" (SignatureDoesNotMatch)`);
});
