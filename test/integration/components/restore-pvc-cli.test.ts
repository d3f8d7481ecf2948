// `kube-backup restore pvc` against the local API server and MinIO: the backup is chosen from the bucket (newest
// complete at or before --at), the restore Job is made from the claim's backup CronJob as PvcBackupSchedule
// renders it, and the command follows the Job (whose terminal status the test sets, as there is no kubelet). The
// Job's script itself is proven in pvc-restore.test.ts.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterHandle, startCluster } from "../../../tools/local/cluster";
import { MinioHandle, startMinio } from "../../../tools/local/processes";
import { main } from "../../../cli/main";
import { PVC_RESTORE_SCRIPT } from "../../../components/scripts";
import { render } from "./render";

jest.setTimeout(300_000);

let cluster: ClusterHandle;
let minio: MinioHandle;
let kubeconfig: string;
const NS = "shop";
const BUCKET = "pvc-cli";
const savedEnv = { ...process.env };
const key = (day: string, run: string) => `app/unit.app.data-202601${day}T000000Z-${run}.tar.gz`;

beforeAll(async () => {
    [cluster, minio] = await Promise.all([startCluster(), startMinio()]);
    kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kb-restore-pvc-")), "kubeconfig");
    fs.writeFileSync(kubeconfig, cluster.kubeconfig, { mode: 0o600 });
    Object.assign(process.env, minio.awsEnv());
    await minio.createBucket(BUCKET);
    const put = (k: string, body: string) =>
        minio.aws(["s3", "cp", "-", `s3://${BUCKET}/${k}`, "--only-show-errors"], { input: body });
    for (const [day, run] of [
        ["01", "0a0b0c0d"],
        ["02", "1a1b1c1d"],
    ]) {
        await put(key(day, run), `archive ${day}`);
        const sha = crypto.createHash("sha256").update(`archive ${day}`).digest("hex");
        await put(`${key(day, run)}.sha256`, `${sha}  ${path.basename(key(day, run))}\n`);
    }
    await put(key("03", "2a2b2c2d"), "interrupted"); // incomplete: never chosen
    const r = await render((c) => {
        new c.PvcBackupSchedule("app", {
            schedule: "0 3 * * *",
            namespace: NS,
            suspend: true,
            pvcNames: ["data"],
            coScheduleWith: { app: "db" },
            storage: {
                bucket: { bucket: BUCKET, endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
                prefix: "app",
                credentials: { secretName: "s3" },
            },
        });
    });
    await cluster.request("POST", "/api/v1/namespaces", { metadata: { name: NS } });
    const created = await cluster.request("POST", `/apis/batch/v1/namespaces/${NS}/cronjobs`, r.cronJobs["app-data"]);
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
});

afterAll(async () => {
    process.env = savedEnv;
    await Promise.all([cluster?.stop(), minio?.stop()]);
    fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
});

const seen = new Set<string>();
async function finish(outcome: "Complete" | "Failed"): Promise<any> {
    const job = await cluster.waitFor("the restore Job", async () => {
        const r = await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs`);
        return r.body.items.find((j: any) => !seen.has(j.metadata.name));
    });
    seen.add(job.metadata.name);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const cond = (type: string, reason: string) => ({
        type,
        status: "True",
        reason,
        message: reason,
        lastTransitionTime: now,
    });
    for (let attempt = 0; ; attempt++) {
        const cur = (await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs/${job.metadata.name}`)).body;
        cur.status = {
            ...cur.status,
            startTime: cur.status?.startTime ?? now,
            active: 0,
            ready: 0,
            terminating: 0,
            ...(outcome === "Complete"
                ? {
                      succeeded: 1,
                      completionTime: now,
                      conditions: [
                          cond("SuccessCriteriaMet", "CompletionsReached"),
                          cond("Complete", "CompletionsReached"),
                      ],
                  }
                : {
                      failed: 1,
                      conditions: [
                          cond("FailureTarget", "BackoffLimitExceeded"),
                          cond("Failed", "BackoffLimitExceeded"),
                      ],
                  }),
        };
        const r = await cluster.request("PUT", `/apis/batch/v1/namespaces/${NS}/jobs/${job.metadata.name}/status`, cur);
        if (r.status === 200) return job;
        if (r.status !== 409 || attempt > 20) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    }
}

async function cli(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

const base = () => [
    "restore",
    "pvc",
    "--namespace",
    NS,
    "--schedule",
    "app",
    "--claim",
    "data",
    "--kubeconfig",
    kubeconfig,
    "--poll-ms",
    "200",
];

test("--at picks the newest complete backup at or before it; the Job restores it into the target claim", async () => {
    const [r, job] = await Promise.all([
        cli(...base(), "--target-claim", "data-restored", "--at", "2026-01-02T12:00:00Z"),
        finish("Complete"),
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`chosen: s3://${BUCKET}/${key("02", "1a1b1c1d")}`);
    expect(r.out).toContain(`${key("02", "1a1b1c1d")} restored into claim data-restored`);
    const pod = job.spec.template.spec;
    const c = pod.containers[0];
    expect(c.command).toEqual(["/bin/sh", "-c", PVC_RESTORE_SCRIPT, "kube-backup-restore"]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
        BACKUP_BUCKET: BUCKET,
        RESTORE_KEY: key("02", "1a1b1c1d"),
        RESTORE_DIR: "/data",
        RESTORE_OVERWRITE: "false",
        S3_ENDPOINT_URL: minio.endpoint,
        AWS_SECRET_ACCESS_KEY: { secretKeyRef: expect.objectContaining({ name: "s3" }) },
    });
    expect(env.BACKUP_NAME).toBeUndefined();
    expect(pod.volumes.find((v: any) => v.name === "data")).toEqual({
        name: "data",
        persistentVolumeClaim: { claimName: "data-restored" },
    });
    expect(c.volumeMounts.find((m: any) => m.name === "data")).toEqual({ name: "data", mountPath: "/data" });
    expect(pod.affinity).toBeUndefined(); // the backup's co-scheduling with the app pod does not apply
});

test("latest skips the incomplete newest object; a failed Job exits 1", async () => {
    const [r] = await Promise.all([cli(...base(), "--target-claim", "data-new", "--overwrite"), finish("Failed")]);
    expect(r.out).toContain(`chosen: s3://${BUCKET}/${key("02", "1a1b1c1d")}`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^kube-backup: restore job shop\/app-restore-[0-9a-f]{6} failed: BackoffLimitExceeded/);
});

test("an unknown claim, and a time with no complete backup, are refused before any Job exists", async () => {
    const before = (await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs`)).body.items.length;
    const unknown = await cli(
        "restore",
        "pvc",
        "--namespace",
        NS,
        "--schedule",
        "app",
        "--claim",
        "nope",
        "--target-claim",
        "x",
        "--kubeconfig",
        kubeconfig,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe(`kube-backup: CronJob ${NS}/app-nope not found: unknown schedule "app" or claim "nope"`);
    const early = await cli(...base(), "--target-claim", "x", "--at", "2025-12-31T00:00:00Z");
    expect(early.code).toBe(1);
    expect(early.err).toContain('no complete backup of "app" at or before 2025-12-31T00:00:00Z');
    expect((await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs`)).body.items.length).toBe(before);
});
