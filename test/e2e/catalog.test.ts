// listStoredBackupsOutput and getBackupStatusOutput from a stack through the real engine, against a real MinIO
// and the local API server: the listing and the status are stack outputs, and the secret key and kubeconfig given
// as secret config never appear in plain text in the backend.
import * as crypto from "crypto";
import { auditBackend, createE2eStack, E2eStack, up } from "../../tools/engine/stack";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import { MinioHandle, startMinio } from "../../tools/local/processes";

jest.setTimeout(300_000);

let minio: MinioHandle;
let cluster: ClusterHandle;
let e2e: E2eStack;
const BUCKET = "e2e-catalog";

async function put(key: string, body: string | Buffer, metadata?: string): Promise<void> {
    const args = ["s3", "cp", "-", `s3://${BUCKET}/${key}`, "--only-show-errors"];
    if (metadata) args.push("--metadata", metadata);
    await minio.aws(args, { input: body.toString("latin1") });
}

const sha = (b: string) => crypto.createHash("sha256").update(b, "latin1").digest("hex");

beforeAll(async () => {
    [minio, cluster] = await Promise.all([startMinio(), startCluster()]);
    await cluster.request("POST", "/api/v1/namespaces", { metadata: { name: "backups" } });
    // A CronJob shaped like EtcdBackupSchedule's: the status function finds the bucket in its environment.
    const env = {
        BACKUP_BUCKET: BUCKET,
        BACKUP_PREFIX: "cat",
        BACKUP_NAME: "prod.etcd",
        S3_ENDPOINT_URL: minio.endpoint,
        S3_REGION: minio.region,
        S3_FORCE_PATH_STYLE: "true",
    };
    const created = await cluster.request("POST", "/apis/batch/v1/namespaces/backups/cronjobs", {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "etcd" },
        spec: {
            schedule: "0 2 * * *",
            suspend: true,
            jobTemplate: {
                spec: {
                    template: {
                        spec: {
                            restartPolicy: "Never",
                            containers: [
                                {
                                    name: "upload",
                                    image: "busybox:1.36",
                                    env: Object.entries(env).map(([name, value]) => ({ name, value })),
                                },
                            ],
                        },
                    },
                },
            },
        },
    });
    created.body.status = { lastSuccessfulTime: "2026-01-01T02:01:00Z" };
    const st = await cluster.request("PUT", "/apis/batch/v1/namespaces/backups/cronjobs/etcd/status", created.body);
    if (st.status !== 200) throw new Error(JSON.stringify(st.body));
    await minio.createBucket(BUCKET);
    const older = "prod.etcd-20260101T020000Z-0a1b2c3d.db";
    const newer = "prod.etcd-20260102T020000Z-4e5f6a7b.db";
    await put(`cat/${older}`, "older snapshot", "etcd-revision=41,etcd-cluster-id=12345678901234567890");
    await put(`cat/${older}.sha256`, `${sha("older snapshot")}  ${older}\n`);
    await put(`cat/${newer}`, "interrupted run"); // no marker: incomplete
    await put("cat/prod.other-20260103T020000Z-00000000.db", "another schedule");
    e2e = await createE2eStack({
        program: "catalog",
        config: {
            bucket: { value: BUCKET },
            prefix: { value: "cat" },
            schedule: { value: "etcd" },
            endpoint: { value: minio.endpoint },
            region: { value: minio.region },
            accessKeyId: { value: minio.accessKey },
            secretAccessKey: { value: minio.secretKey, secret: true },
            namespace: { value: "backups" },
            cronJob: { value: "etcd" },
            kubeconfig: { value: cluster.kubeconfig, secret: true },
        },
    });
});

afterAll(async () => {
    await e2e?.dispose();
    await Promise.all([minio?.stop(), cluster?.stop()]);
});

test("a stack lists the schedule's stored backups and reads the CronJob's status", async () => {
    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    expect(r.outputs.keys.value).toEqual([
        "cat/prod.etcd-20260102T020000Z-4e5f6a7b.db",
        "cat/prod.etcd-20260101T020000Z-0a1b2c3d.db",
    ]);
    expect(r.outputs.complete.value).toEqual([false, true]);
    expect(r.outputs.revisions.value).toEqual([null, 41]);
    expect(r.outputs.newest.secret).toBe(false);
    expect(r.outputs.newest.value).toMatchObject({ complete: false, time: "2026-01-02T02:00:00Z", encryption: "none" });
    // The status: the controller's time and the newest *complete* backup (not the newer incomplete one).
    expect(r.outputs.lastSuccessfulTime.value).toBe("2026-01-01T02:01:00Z");
    expect(r.outputs.suspended.value).toBe(true);
    expect(r.outputs.newestCompleteKey).toEqual({ value: "cat/prod.etcd-20260101T020000Z-0a1b2c3d.db", secret: false });
    const outputs = await e2e.stack.outputs();
    expect(outputs.keys.value).toHaveLength(2);
    // The kubeconfig embeds the admin key base64-encoded: that text must not be in the backend in the clear.
    const clientKey = Buffer.from(cluster.admin.keyPem).toString("base64").slice(0, 64);
    expect(auditBackend(e2e.backendDir, { secretAccessKey: minio.secretKey, clientKey })).toEqual([]);
});
