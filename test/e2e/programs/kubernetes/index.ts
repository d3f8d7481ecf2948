// The Kubernetes components as a consumer would write them, against the cluster in the `kubeconfig` secret
// (an explicit provider, never the ambient ~/.kube/config) and an existing bucket on an S3-compatible server.
// The edit step changes `etcdSchedule` and `etcdRetention`.
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

const ns = new k8s.core.v1.Namespace("backups", { metadata: { name: config.require("namespace") } }, { provider });
const namespace = ns.metadata.name;

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
    },
    opts,
);

const volumes = new kb.PvcBackupSchedule(
    "data",
    {
        namespace,
        schedule: "15 1 * * *",
        pvcNames: ["data-db-0"],
        compression: "zstd",
        storage: { bucket, prefix: "e2e/pvc", credentials },
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
    },
    opts,
);

export const etcdCronJob = etcd.cronJobName;
export const etcdSecret = etcd.etcdSecretName;
export const s3Secret = etcd.s3SecretName;
export const etcdNextRun = etcd.nextRunTime;
export const pvcCronJobs = volumes.cronJobNames;
export const snapshotCronJobs = snapshots.cronJobNames;
export const backupNamespace = namespace;
