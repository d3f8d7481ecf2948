// PX-Backup objects from nothing, as a consumer would write them. The connection comes from stack config
// `kube-backup:url` and `kube-backup:token` (secret); the edit step changes `intervalMinutes` and `namespaces`.
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";

const config = new pulumi.Config();
const namespaces = config.requireObject<string[]>("namespaces");

const credential = new kb.CloudCredential("s3-credential", {
    type: "AWS",
    awsConfig: { accessKey: config.requireSecret("accessKey"), secretKey: config.requireSecret("secretKey") },
});

const location = new kb.BackupLocation("s3-location", {
    type: "S3",
    path: config.require("bucket"),
    cloudCredentialRef: credential.ref,
    s3Config: { endpoint: config.require("s3Endpoint"), region: "us-east-1", disableSsl: true },
});

const policy = new kb.SchedulePolicy("every-interval", {
    interval: { minutes: config.requireNumber("intervalMinutes"), retain: 5 },
});

const cluster = new kb.Cluster("app-cluster", {
    kubeconfig: config.requireSecret("kubeconfig"),
});

const schedule = new kb.BackupSchedule("app-schedule", {
    schedulePolicyRef: policy.ref,
    backupLocationRef: location.ref,
    clusterRef: cluster.ref,
    namespaces,
    reclaimPolicy: "Delete",
});

const backup = new kb.Backup("app-backup", {
    backupLocationRef: location.ref,
    clusterRef: cluster.ref,
    namespaces: ["app"],
});

export const scheduleName = schedule.name;
export const scheduleUid = schedule.uid;
export const scheduleNamespaces = schedule.namespaces;
export const policyName = policy.name;
export const locationStatus = location.status;
export const backupName = backup.name;
export const backupStatus = backup.status;
