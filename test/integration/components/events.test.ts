// Kubernetes Events from the backup job (events: true), against a real API server: the rendered Role,
// RoleBinding and ServiceAccount are created in the cluster, a token is requested for that account, and the
// rendered backup container runs (pod runner, default userland) with the token and the cluster CA where its
// projected volume would put them. Success and failure each leave one Event about the CronJob; a wrong CA or a
// token without the permission posts nothing, and the run's outcome does not change.
import * as fs from "fs";
import * as path from "path";
import { ClusterHandle, startCluster } from "../../../tools/local/cluster";
import { MinioHandle, createCertificateAuthority, makeTempDir, startMinio } from "../../../tools/local/processes";
import { runPod } from "../../../tools/local/pod";
import { podOf, render, Rendered } from "./render";

jest.setTimeout(300_000);

const NS = "evt";
const BUCKET = "events";
let cluster: ClusterHandle;
let minio: MinioHandle;
let rendered: Rendered;
let vol: string;

async function ok<T = any>(method: string, apiPath: string, body?: unknown): Promise<T> {
    const r = await cluster.request<T>(method, apiPath, body);
    if (r.status >= 300) throw new Error(`${method} ${apiPath}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
}

/** A token for the rendered service account and a CA file, laid out as the projected volume would be. */
async function tokenDir(ca: string, serviceAccount = "nightly"): Promise<string> {
    const t = await ok(`POST`, `/api/v1/namespaces/${NS}/serviceaccounts/${serviceAccount}/token`, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
    });
    const dir = makeTempDir("events-token");
    fs.writeFileSync(path.join(dir, "token"), t.status.token);
    fs.writeFileSync(path.join(dir, "ca.crt"), ca);
    return dir;
}

async function events(): Promise<any[]> {
    return (await ok(`GET`, `/api/v1/namespaces/${NS}/events`)).items;
}

function run(cronJob: string, token: string) {
    const port = new URL(cluster.server).port;
    return runPod(podOf(rendered.cronJobs[cronJob]), {
        secrets: { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } },
        volumes: { data: vol, "events-token": token },
        fields: { "metadata.namespace": NS, "metadata.name": `${cronJob}-29000000-abcde` },
        kubeletEnv: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port },
    });
}

beforeAll(async () => {
    [cluster, minio] = await Promise.all([startCluster(), startMinio()]);
    await minio.createBucket(BUCKET);
    vol = makeTempDir("events-vol");
    fs.writeFileSync(path.join(vol, "f"), "data\n");
    const storage = (bucket: string) => ({
        bucket: { bucket, endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
        credentials: { secretName: "s3" },
        prefix: "ev",
    });
    rendered = await render((c) => {
        new c.PvcBackupSchedule("nightly", {
            schedule: "0 3 * * *",
            namespace: NS,
            pvcNames: ["good"],
            events: true,
            storage: storage(BUCKET),
        });
        new c.PvcBackupSchedule("broken", {
            schedule: "0 3 * * *",
            namespace: NS,
            pvcNames: ["data"],
            events: true,
            storage: storage("no-such-bucket"),
        });
    });
    await ok("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    const paths: Record<string, string> = {
        "kubernetes:core/v1:ServiceAccount": `/api/v1/namespaces/${NS}/serviceaccounts`,
        "kubernetes:rbac.authorization.k8s.io/v1:Role": `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`,
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`,
    };
    for (const r of rendered.others.filter((o) => paths[o.type])) {
        const [group, version, kind] = r.type.slice("kubernetes:".length).replace("core/", "/").split(/[/:]/);
        await ok("POST", paths[r.type], { apiVersion: group ? `${group}/${version}` : version, kind, ...r.inputs });
    }
});

afterAll(async () => {
    await Promise.all([cluster?.stop(), minio?.stop()]);
});

test("the rendered Role allows only creating events, bound to the job's own service account", () => {
    const role = rendered.others.find((o) => o.type.endsWith(":Role") && o.name === "nightly-events")!;
    expect(role.inputs.rules).toEqual([{ apiGroups: [""], resources: ["events"], verbs: ["create"] }]);
    const binding = rendered.others.find((o) => o.type.endsWith(":RoleBinding") && o.name === "nightly-events")!;
    expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "nightly", namespace: NS }]);
    const pod = podOf(rendered.cronJobs["nightly-good"]);
    expect(pod.serviceAccountName).toBe("nightly");
    expect(pod.automountServiceAccountToken).toBe(false);
});

test("a good run posts a Normal BackupSucceeded Event about its CronJob", async () => {
    const res = await run("nightly-good", await tokenDir(cluster.ca.certPem));
    expect(res.log).toContain("posted Kubernetes Event BackupSucceeded about cronjob/nightly-good");
    expect(res.ok).toBe(true);
    const mine = (await events()).filter((e) => e.involvedObject.name === "nightly-good");
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
        type: "Normal",
        reason: "BackupSucceeded",
        involvedObject: { kind: "CronJob", apiVersion: "batch/v1", namespace: NS },
        source: { component: "kube-backup" },
        reportingInstance: "nightly-good-29000000-abcde",
    });
    expect(mine[0].message).toMatch(/^backup s3:\/\/events\/ev\/\S+\.tar\.gz complete \(sha256 [0-9a-f]{64}/);
});

test("a failed run posts a Warning BackupFailed Event with the failure, and still fails", async () => {
    const res = await run("broken-data", await tokenDir(cluster.ca.certPem, "broken"));
    expect(res.ok).toBe(false);
    expect(res.log).toContain("posted Kubernetes Event BackupFailed about cronjob/broken-data");
    const mine = (await events()).filter((e) => e.involvedObject.name === "broken-data");
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: "Warning", reason: "BackupFailed" });
    expect(mine[0].message).toMatch(/upload of ev\/\S+ failed/);
});

test("a server not signed by the given CA gets no token and no Event; the backup itself completes", async () => {
    const other = createCertificateAuthority(makeTempDir("other-ca"), "not the cluster CA");
    const before = (await events()).length;
    const res = await run("nightly-good", await tokenDir(other.certPem));
    expect(res.ok).toBe(true);
    expect(res.log).toMatch(/WARNING: could not post Kubernetes Event BackupSucceeded: .*certificate/);
    expect(await events()).toHaveLength(before);
});

test("a token without the permission posts nothing; the run's outcome does not change", async () => {
    await ok("POST", `/api/v1/namespaces/${NS}/serviceaccounts`, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "bystander" },
    });
    const before = (await events()).length;
    const res = await run("nightly-good", await tokenDir(cluster.ca.certPem, "bystander"));
    expect(res.ok).toBe(true);
    expect(res.log).toMatch(/WARNING: could not post Kubernetes Event BackupSucceeded: .*forbidden/);
    expect(await events()).toHaveLength(before);
});
