// The Kubernetes components through the real engine and the real pulumi-resource-kubernetes, against a local
// kube-apiserver + kube-controller-manager (no kubelet: Pods are created but never run) and an existing bucket
// on a local MinIO. ProgramTest order: preview → up → empty preview → empty refresh → edit → up → destroy.
// The namespace enforces the `restricted` Pod Security level: the API server's PodSecurity admission judges the
// Pods the job controller creates from the CronJobs.
import { X509Certificate } from "crypto";
import * as fs from "fs";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import {
    MinioHandle,
    createCertificateAuthority,
    makeTempDir,
    startMinio,
    CertPair,
    CertificateAuthority,
} from "../../tools/local/processes";
import {
    E2eStack,
    auditBackend,
    changes,
    countCiphertexts,
    createE2eStack,
    preview,
    refresh,
    stateFile,
    stateResources,
    unmarkedSecrets,
    up,
} from "../../tools/engine/stack";

jest.setTimeout(900_000);

const NS = "kube-backup-e2e";
const BUCKET = "kb-e2e-backups";
const ETCD_ENDPOINT = "https://10.0.0.10:2379";
const REGISTRY_PASSWORD = "registry-pw-not-in-state";

let cluster: ClusterHandle;
let minio: MinioHandle;
let etcdCa: CertificateAuthority;
let etcdClient: CertPair;
let e2e: E2eStack;

const get = (apiPath: string) => cluster.get(apiPath);
const status = async (apiPath: string) => (await cluster.request("GET", apiPath)).status;
const cronJob = (name: string) => get(`/apis/batch/v1/namespaces/${NS}/cronjobs/${name}`);
const secretData = async (name: string) => {
    const data = (await get(`/api/v1/namespaces/${NS}/secrets/${name}`)).data as Record<string, string>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
};
const envOf = (container: any) =>
    Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

/** What `kubectl create job --from=cronjob/<name>` sends: the jobTemplate, owned by the CronJob. */
async function createJobFrom(cronJobName: string, jobName: string) {
    const cj = await cronJob(cronJobName);
    const job = {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: jobName,
            namespace: NS,
            labels: cj.spec.jobTemplate.metadata?.labels,
            annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
            ownerReferences: [
                {
                    apiVersion: "batch/v1",
                    kind: "CronJob",
                    name: cj.metadata.name,
                    uid: cj.metadata.uid,
                    controller: true,
                },
            ],
        },
        spec: cj.spec.jobTemplate.spec,
    };
    const r = await cluster.request("POST", `/apis/batch/v1/namespaces/${NS}/jobs`, job);
    if (r.status !== 201)
        throw new Error(`creating Job ${jobName} from CronJob ${cronJobName} → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
}

beforeAll(async () => {
    [cluster, minio] = await Promise.all([startCluster(), startMinio()]);
    await minio.createBucket(BUCKET);
    etcdCa = createCertificateAuthority(makeTempDir("etcd-client-pki"), "e2e etcd CA");
    etcdClient = etcdCa.issue("backup-client", { cn: "kube-backup", client: true });
    e2e = await createE2eStack({
        program: "kubernetes",
        plugins: ["kubernetes"],
        config: {
            kubeconfig: { value: cluster.kubeconfig, secret: true },
            namespace: { value: NS },
            bucket: { value: BUCKET },
            s3Endpoint: { value: minio.endpoint },
            s3AccessKey: { value: minio.accessKey, secret: true },
            s3SecretKey: { value: minio.secretKey, secret: true },
            etcdEndpoint: { value: ETCD_ENDPOINT },
            etcdSchedule: { value: "0 2 * * *" },
            etcdRetention: { value: "5" },
            etcdCa: { value: etcdCa.certPem },
            etcdCert: { value: etcdClient.certPem },
            etcdKey: { value: etcdClient.keyPem, secret: true },
            registry: { value: "registry.example.com" },
            registryUser: { value: "puller" },
            registryPassword: { value: REGISTRY_PASSWORD, secret: true },
        },
    });
}, 900_000);

afterAll(async () => {
    await e2e?.dispose();
    await Promise.all([cluster?.stop(), minio?.stop()]);
    if (etcdCa) fs.rmSync(etcdCa.dir, { recursive: true, force: true });
});

test("preview plans the namespace, Secrets, CronJobs and RBAC without touching the cluster", async () => {
    const p = await preview(e2e.stack);
    const planned = p.steps.filter((s) => s.op === "create").map((s) => `${s.type}::${s.urn.split("::").pop()}`);
    expect(planned).toEqual(
        expect.arrayContaining([
            "pulumi:providers:kubernetes::local",
            "kubernetes:core/v1:Namespace::backups",
            "kubernetes:core/v1:Secret::minio-s3",
            "kubernetes:core/v1:Secret::etcd-etcd",
            "kubernetes:batch/v1:CronJob::etcd",
            "kubernetes:batch/v1:CronJob::data-data-db-0",
            "kubernetes:batch/v1:CronJob::snaps",
            "kubernetes:core/v1:ServiceAccount::snaps",
            "kubernetes:core/v1:ServiceAccount::etcd",
            "kubernetes:core/v1:ServiceAccount::data",
            "kubernetes:core/v1:Secret::regcred",
            "kubernetes:scheduling.k8s.io/v1:PriorityClass::backup",
            "kubernetes:rbac.authorization.k8s.io/v1:Role::snaps",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::snaps",
            "kube-backup:index:EtcdBackupSchedule::etcd",
            "kube-backup:index:PvcBackupSchedule::data",
            "kube-backup:index:BackupCredentials::minio",
        ]),
    );
    expect(await status(`/api/v1/namespaces/${NS}`)).toBe(404);
});

test("up creates the etcd CronJob with the expected spec, wired to its Secrets", async () => {
    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    expect(r.outputs.etcdCronJob.value).toBe("etcd");

    const cj = await cronJob("etcd");
    expect(cj.spec.schedule).toBe("0 2 * * *");
    expect(cj.spec.concurrencyPolicy).toBe("Forbid");
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.initContainers.map((c: any) => c.command[0])).toEqual(["etcdctl", "etcdutl"]);
    expect(envOf(pod.initContainers[0]).ETCDCTL_ENDPOINTS).toBe(ETCD_ENDPOINT);
    const upload = envOf(pod.containers[0]);
    expect(upload).toEqual(
        expect.objectContaining({
            BACKUP_BUCKET: BUCKET,
            BACKUP_PREFIX: "e2e/etcd",
            BACKUP_KEEP: "5",
            S3_ENDPOINT_URL: minio.endpoint,
            S3_FORCE_PATH_STYLE: "true",
        }),
    );
    const s3Secret = r.outputs.s3Secret.value;
    expect(upload.AWS_ACCESS_KEY_ID).toEqual({
        secretKeyRef: expect.objectContaining({ name: s3Secret, key: "AWS_ACCESS_KEY_ID" }),
    });
    const etcdVolume = pod.volumes.find((v: any) => v.name === "etcd-client");
    expect(etcdVolume.secret.secretName).toBe(r.outputs.etcdSecret.value);

    expect(await secretData(r.outputs.etcdSecret.value)).toEqual({
        "ca.crt": etcdCa.certPem,
        "client.crt": etcdClient.certPem,
        "client.key": etcdClient.keyPem,
    });
    expect(await secretData(s3Secret)).toEqual({
        AWS_ACCESS_KEY_ID: minio.accessKey,
        AWS_SECRET_ACCESS_KEY: minio.secretKey,
    });
    // The client certificate's expiry, as a plain output (the certificate itself never is one).
    expect(r.outputs.etcdClientCertificateExpiry).toEqual({
        value: new Date(new X509Certificate(etcdClient.certPem).validTo).toISOString(),
        secret: false,
    });
    expect(r.outputs).not.toHaveProperty("etcdNextRun");
    // Its own ServiceAccount (IRSA-annotated), the pull secret, a priority class and restricted security contexts.
    expect(pod.serviceAccountName).toBe("etcd");
    expect(pod.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(pod.priorityClassName).toBe(`${NS}-backup`);
    expect(pod.securityContext).toEqual(
        expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }),
    );
    const sa = await get(`/api/v1/namespaces/${NS}/serviceaccounts/etcd`);
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toBe("arn:aws:iam::123456789012:role/etcd-backup");
});

test("up creates the PVC CronJobs, and the snapshot job's ServiceAccount and RBAC", async () => {
    const tar = (await cronJob("data-data-db-0")).spec.jobTemplate.spec.template.spec;
    expect(tar.volumes).toEqual(
        expect.arrayContaining([{ name: "data", persistentVolumeClaim: { claimName: "data-db-0", readOnly: true } }]),
    );
    expect(envOf(tar.containers[0])).toEqual(
        expect.objectContaining({ BACKUP_COMPRESSION: "gzip", BACKUP_PREFIX: "e2e/pvc", BACKUP_KEEP: "7" }),
    );

    const snap = (await cronJob("snaps")).spec.jobTemplate.spec.template.spec;
    expect(snap.serviceAccountName).toBe("snaps");
    expect(envOf(snap.containers[0])).toEqual(
        expect.objectContaining({
            BACKUP_SELECTOR: "app=db",
            BACKUP_KEEP: "3",
            BACKUP_SNAPSHOT_CLASS: "csi-snapclass",
        }),
    );
    expect((await get(`/api/v1/namespaces/${NS}/serviceaccounts/snaps`)).metadata.name).toBe("snaps");
    const role = await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles/snaps`);
    expect(role.rules).toEqual(
        expect.arrayContaining([
            expect.objectContaining({ apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"] }),
        ]),
    );
    const binding = await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings/snaps`);
    expect(binding.subjects).toEqual([
        expect.objectContaining({ kind: "ServiceAccount", name: "snaps", namespace: NS }),
    ]);
});

test("the namespace enforces restricted: a Pod that breaks it is rejected by PodSecurity admission", async () => {
    const ns = await get(`/api/v1/namespaces/${NS}`);
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const r = await cluster.request("POST", `/api/v1/namespaces/${NS}/pods`, {
        metadata: { name: "root-pod" },
        spec: { containers: [{ name: "c", image: "registry.example.com/x:1" }] },
    });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/violates PodSecurity "restricted:latest"/);
});

test("a Job created from each CronJob (kubectl create job --from) gets its Pod admitted under restricted", async () => {
    for (const [from, job, serviceAccount] of [
        ["etcd", "etcd-manual", "etcd"],
        ["snaps", "snaps-manual", "snaps"],
        ["data-data-db-0", "data-manual", "data"],
    ]) {
        const created = await createJobFrom(from, job);
        expect(created.metadata.ownerReferences[0].name).toBe(from);
        const pod = await cluster.waitFor(`a Pod of Job ${job}`, async () => {
            const pods = await get(
                `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${job}`)}`,
            );
            return pods.items[0];
        });
        expect(pod.metadata.ownerReferences[0]).toEqual(expect.objectContaining({ kind: "Job", name: job }));
        expect(pod.spec.serviceAccountName).toBe(serviceAccount);
        expect(pod.spec.imagePullSecrets).toEqual([{ name: "regcred" }]);
        // Admitted, not rejected: no FailedCreate event on the Job.
        const events = await get(
            `/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${job}`)}`,
        );
        expect(events.items.filter((e: any) => e.reason === "FailedCreate").map((e: any) => e.message)).toEqual([]);
    }
});

test("a second preview reports no changes", async () => {
    const p = await preview(e2e.stack, { expectNoChanges: true });
    expect(changes(p.steps)).toEqual([]);
});

test("refresh reports no changes", async () => {
    const r = await refresh(e2e.stack, { expectNoChanges: true });
    expect(Object.keys(r.summary.resourceChanges ?? {})).toEqual(["same"]);
});

test("the state holds no access key, secret key, etcd client key or cluster key in plain text", async () => {
    const secrets = {
        s3AccessKey: minio.accessKey,
        s3SecretKey: minio.secretKey,
        etcdClientKey: etcdClient.keyPem,
        clusterAdminKey: cluster.admin.keyPem,
        kubeconfig: cluster.kubeconfig,
        registryPassword: REGISTRY_PASSWORD,
    };
    expect(auditBackend(e2e.backendDir, secrets)).toEqual([]);
    expect(unmarkedSecrets(JSON.stringify(await e2e.stack.exportStack()), secrets)).toEqual([]);
    expect(countCiphertexts(stateFile(e2e))).toBeGreaterThanOrEqual(4);
});

test("an edit changes the etcd CronJob in place", async () => {
    const uid = (await cronJob("etcd")).metadata.uid;
    await e2e.stack.setAllConfig({ etcdSchedule: { value: "30 3 * * 1-5" }, etcdRetention: { value: "9" } });
    const r = await up(e2e.stack);
    expect(changes(r.steps)).toEqual([expect.stringMatching(/^update kubernetes:batch\/v1:CronJob::etcd /)]);
    const cj = await cronJob("etcd");
    expect(cj.metadata.uid).toBe(uid);
    expect(cj.spec.schedule).toBe("30 3 * * 1-5");
    expect(envOf(cj.spec.jobTemplate.spec.template.spec.containers[0]).BACKUP_KEEP).toBe("9");
    await preview(e2e.stack, { expectNoChanges: true });
});

test("a CronJob changed out of band shows as drift in preview --refresh and up --refresh repairs it", async () => {
    // Someone edits the live object (a full update, as `kubectl edit` does).
    const live = await cronJob("etcd");
    live.spec.schedule = "*/5 * * * *";
    live.spec.suspend = true;
    const updated = await cluster.request("PUT", `/apis/batch/v1/namespaces/${NS}/cronjobs/etcd`, live);
    expect(updated.status).toBe(200);
    const p = await preview(e2e.stack, { refresh: true });
    expect(changes(p.steps.filter((s) => s.op !== "refresh"))).toEqual([
        expect.stringMatching(/^update kubernetes:batch\/v1:CronJob::etcd/),
    ]);
    const r = await up(e2e.stack, { refresh: true });
    expect(r.summary.result).toBe("succeeded");
    const cj = await cronJob("etcd");
    expect(cj.spec.schedule).toBe("30 3 * * 1-5");
    expect(cj.spec.suspend).toBe(false);
    await preview(e2e.stack, { refresh: true, expectNoChanges: true });
});

test("destroy removes the namespace and everything in it, and leaves the existing bucket alone", async () => {
    const r = await e2e.stack.destroy();
    expect(r.summary.result).toBe("succeeded");
    expect((await stateResources(e2e.stack)).filter((x) => x.type !== "pulumi:pulumi:Stack")).toEqual([]);
    await cluster.waitFor(
        `namespace ${NS} to be deleted`,
        async () => (await status(`/api/v1/namespaces/${NS}`)) === 404,
        120_000,
    );
    for (const kind of ["apis/batch/v1/cronjobs", "apis/batch/v1/jobs", "api/v1/secrets", "api/v1/pods"]) {
        const list = await get(`/${kind.replace(/\/([a-z]+)$/, `/namespaces/${NS}/$1`)}`);
        expect(list.items).toEqual([]);
    }
    // The bucket was an input, not a resource: destroy must not delete it (the components never own it).
    expect(await minio.aws(["s3api", "head-bucket", "--bucket", BUCKET])).toBeDefined();
    expect(JSON.parse((await minio.aws(["s3api", "list-objects-v2", "--bucket", BUCKET])) || "{}").KeyCount ?? 0).toBe(
        0,
    );
});
