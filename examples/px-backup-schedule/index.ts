// A nightly PX-Backup schedule built from nothing. Every object is declared here; a second `pulumi up`
// changes nothing, and `pulumi preview --refresh` shows what someone changed in the PX-Backup UI.
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";

const config = new pulumi.Config();
const bucket = config.get("bucket") ?? "px-backups";
const s3Endpoint = config.get("s3Endpoint") ?? "http://127.0.0.1:9000";
const namespaces = config.getObject<string[]>("namespaces") ?? ["default"];

// S3 keys: stack secrets (or the usual AWS_* variables); the provider keeps only a hash of them in state.
const keys = {
    accessKey: config.getSecret("accessKey") ?? pulumi.secret(process.env.AWS_ACCESS_KEY_ID ?? "minioadmin"),
    secretKey: config.getSecret("secretKey") ?? pulumi.secret(process.env.AWS_SECRET_ACCESS_KEY ?? "minioadmin"),
};

const credential = new kb.CloudCredential("s3-keys", { type: "AWS", awsConfig: keys });

const location = new kb.BackupLocation("s3-backups", {
    type: "S3",
    path: bucket,
    cloudCredentialRef: credential.ref,
    s3Config: { endpoint: s3Endpoint, region: "us-east-1", disableSsl: s3Endpoint.startsWith("http://") },
});

const nightly = new kb.SchedulePolicy("nightly", { daily: { time: "2:00AM", retain: 7 } });

const cluster = new kb.Cluster("app-cluster", {
    kubeconfig: config.getSecret("kubeconfig") ?? pulumi.secret("apiVersion: v1\nkind: Config\nclusters: []\n"),
});

const schedule = new kb.BackupSchedule("app-nightly", {
    schedulePolicyRef: nightly.ref,
    backupLocationRef: location.ref,
    clusterRef: cluster.ref,
    namespaces,
    reclaimPolicy: "Delete",
    labels: { "app.kubernetes.io/managed-by": "pulumi" },
});

export const scheduleUid = schedule.uid;
export const latestStatus = schedule.status;
export const locationStatus = location.status;
