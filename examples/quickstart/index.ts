// kube-backup quickstart: everything a cluster's backups need, declared once.
//   - PX-Backup: an S3 cloud credential, a backup location, a daily policy, the cluster and a backup schedule.
//   - Kubernetes: a namespace, the credentials Secrets, an etcd snapshot CronJob and a PVC backup CronJob,
//     both uploading to an existing S3-compatible bucket with count-based retention.
// `npm run demo` deploys it against a local PX-Backup simulator, kube-apiserver and MinIO and sets this config;
// against real systems set the same keys yourself (`pulumi config set [--secret] <key> <value>`).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";

const config = new pulumi.Config();
// PX-Backup connection: kube-backup:url and kube-backup:token (secret), read by the provider itself.

// Where backups go: an existing bucket on any S3-compatible endpoint.
const s3 = {
    endpoint: config.require("s3Endpoint"),
    bucket: config.require("bucket"),
    accessKey: config.requireSecret("s3AccessKey"),
    secretKey: config.requireSecret("s3SecretKey"),
};
const schedule = config.get("schedule") ?? "0 2 * * *";
const retention = config.getNumber("retention") ?? 7;
const appNamespaces = config.getObject<string[]>("appNamespaces") ?? ["default"];

// --- PX-Backup -------------------------------------------------------------------------------------------------
const credential = new kb.CloudCredential("minio", {
    type: "AWS",
    awsConfig: { accessKey: s3.accessKey, secretKey: s3.secretKey },
});
const location = new kb.BackupLocation("minio", {
    type: "S3",
    path: s3.bucket,
    cloudCredentialRef: credential.ref,
    s3Config: { endpoint: s3.endpoint, region: "us-east-1", disableSsl: s3.endpoint.startsWith("http://") },
});
const daily = new kb.SchedulePolicy("daily", {
    daily: { time: config.get("dailyTime") ?? "2:00AM", retain: retention },
});
const cluster = new kb.Cluster("local", { kubeconfig: config.requireSecret("kubeconfig") });
const appSchedule = new kb.BackupSchedule("apps", {
    schedulePolicyRef: daily.ref,
    backupLocationRef: location.ref,
    clusterRef: cluster.ref,
    namespaces: appNamespaces,
    reclaimPolicy: "Delete",
});

// --- Kubernetes ------------------------------------------------------------------------------------------------
// `kubernetesProviderVersion` pins the plugin version (the demo sets it to the one built offline); unset = the SDK's.
const provider = new k8s.Provider(
    "cluster",
    { kubeconfig: config.requireSecret("kubeconfig") },
    { version: config.get("kubernetesProviderVersion") },
);
const opts = { providers: [provider] };
const ns = new k8s.core.v1.Namespace("kube-backup", { metadata: { name: "kube-backup" } }, { provider });

const credentials = new kb.BackupCredentials(
    "backup",
    {
        namespace: ns.metadata.name,
        s3: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey },
    },
    opts,
);
const bucket = { bucket: s3.bucket, endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true };

const etcd = new kb.EtcdBackupSchedule(
    "etcd",
    {
        namespace: ns.metadata.name,
        schedule,
        retention,
        endpoint: config.get("etcdEndpoint"),
        certificates: {
            caCrt: config.require("etcdCa"),
            clientCrt: config.require("etcdCert"),
            clientKey: config.requireSecret("etcdKey"),
        },
        storage: { bucket, prefix: "quickstart/etcd", credentials },
    },
    opts,
);

const volumes = new kb.PvcBackupSchedule(
    "data",
    {
        namespace: ns.metadata.name,
        schedule: "30 2 * * *",
        pvcNames: config.getObject<string[]>("pvcNames") ?? ["data"],
        retention,
        storage: { bucket, prefix: "quickstart/pvc", credentials },
    },
    opts,
);

export const pxBackupSchedule = appSchedule.name;
export const pxBackupScheduleUid = appSchedule.uid;
export const pxBackupNamespaces = appSchedule.namespaces;
export const pxBackupPolicy = daily.name;
export const backupLocationStatus = location.status;
export const etcdCronJob = pulumi.interpolate`${etcd.namespace}/${etcd.cronJobName}`;
export const etcdClientCertificateExpiry = etcd.clientCertificateExpiry;
export const pvcCronJobs = volumes.cronJobNames;
export const s3Target = pulumi.interpolate`${s3.endpoint}/${s3.bucket}`;
