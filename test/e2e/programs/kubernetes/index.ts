// The Kubernetes components as a consumer would write them, against the cluster in the `kubeconfig` secret
// (an explicit provider, never the ambient ~/.kube/config) and an existing bucket on an S3-compatible server.
// The edit step changes `etcdSchedule` and `etcdRetention`. The namespace enforces the `restricted` Pod Security
// level; every schedule runs under its own ServiceAccount and pulls with an image pull secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";

const config = new pulumi.Config();
// Pinned to the pulumi-resource-kubernetes the toolchain built (the harness sets it; see harness.ts).
const provider = new k8s.Provider(
    "local",
    { kubeconfig: config.requireSecret("kubeconfig") },
    { version: config.get("kubernetesProviderVersion") },
);
// No ownership transform: the components' CronJobs carry pulumi.com/patchForce themselves, so the out-of-band
// edit test below proves that default.
const opts = { providers: [provider] };

const ns = new k8s.core.v1.Namespace(
    "backups",
    {
        metadata: {
            name: config.require("namespace"),
            labels: {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    },
    { provider },
);
const namespace = ns.metadata.name;

// A private registry's credentials, as `kubectl create secret docker-registry` makes them.
const registry = config.require("registry");
const pullSecret = new k8s.core.v1.Secret(
    "regcred",
    {
        metadata: { name: "regcred", namespace },
        type: "kubernetes.io/dockerconfigjson",
        stringData: {
            ".dockerconfigjson": pulumi
                .all([config.require("registryUser"), config.requireSecret("registryPassword")])
                .apply(([u, pw]) =>
                    JSON.stringify({
                        auths: { [registry]: { auth: Buffer.from(`${u}:${pw}`).toString("base64") } },
                    }),
                ),
        },
    },
    { provider },
);
const priority = new k8s.scheduling.v1.PriorityClass(
    "backup",
    { metadata: { name: `${config.require("namespace")}-backup` }, value: 100000, globalDefault: false },
    { provider },
);
const pod = {
    imagePullSecrets: [pullSecret.metadata.name],
    priorityClassName: priority.metadata.name,
};

const credentials = new kb.BackupCredentials(
    "minio",
    {
        namespace,
        s3: { accessKeyId: config.requireSecret("s3AccessKey"), secretAccessKey: config.requireSecret("s3SecretKey") },
    },
    opts,
);

const bucket = {
    bucket: config.require("bucket"),
    endpoint: config.require("s3Endpoint"),
    region: "us-east-1",
    forcePathStyle: true,
};

const etcd = new kb.EtcdBackupSchedule(
    "etcd",
    {
        namespace,
        schedule: config.require("etcdSchedule"),
        retention: config.requireNumber("etcdRetention"),
        endpoint: config.require("etcdEndpoint"),
        certificates: {
            caCrt: config.require("etcdCa"),
            clientCrt: config.require("etcdCert"),
            clientKey: config.requireSecret("etcdKey"),
        },
        storage: { bucket, prefix: "e2e/etcd", credentials },
        createServiceAccount: { awsRoleArn: "arn:aws:iam::123456789012:role/etcd-backup" },
        ...pod,
    },
    opts,
);

const volumes = new kb.PvcBackupSchedule(
    "data",
    {
        namespace,
        schedule: "15 1 * * *",
        pvcNames: ["data-db-0"],
        compression: "gzip",
        storage: { bucket, prefix: "e2e/pvc", credentials },
        createServiceAccount: {},
        ...pod,
    },
    opts,
);

const snapshots = new kb.PvcBackupSchedule(
    "snaps",
    {
        namespace,
        schedule: "0 */6 * * *",
        strategy: "snapshot",
        selector: { app: "db" },
        volumeSnapshotClass: "csi-snapclass",
        retention: 3,
        ...pod,
    },
    opts,
);

export const etcdCronJob = etcd.cronJobName;
export const etcdSecret = etcd.etcdSecretName;
export const s3Secret = etcd.s3SecretName;
export const etcdClientCertificateExpiry = etcd.clientCertificateExpiry;
export const serviceAccounts = {
    etcd: etcd.serviceAccountName,
    data: volumes.serviceAccountName,
    snaps: snapshots.serviceAccountName,
};
export const pvcCronJobs = volumes.cronJobNames;
export const snapshotCronJobs = snapshots.cronJobNames;
export const backupNamespace = namespace;
