// PVC backups two ways: streamed archives to S3 and in-cluster CSI snapshots, both with keep-N retention.
import * as pulumi from "@pulumi/pulumi";
import { BackupCredentials, PvcBackupSchedule } from "kube-backup";

const config = new pulumi.Config();
const namespace = config.require("namespace");

const credentials = new BackupCredentials("pvc-backup", {
    namespace,
    s3: {
        accessKeyId: config.requireSecret("s3AccessKeyId"),
        secretAccessKey: config.requireSecret("s3SecretAccessKey"),
    },
});

// Nightly tar | gzip straight to S3 (no temporary copy), the claim mounted read-only on the node of the pod that
// uses it (`appLabel` must select only that pod; for a StatefulSet use `statefulSet`), so a ReadWriteOnce volume
// never hits a Multi-Attach error. (zstd needs an `image` with a zstd binary: the default rclone image has none.)
const archives = new PvcBackupSchedule("nightly", {
    namespace,
    schedule: "30 1 * * *",
    timeZone: "Europe/Berlin",
    pvcNames: config.requireObject<string[]>("claims"),
    compression: "gzip",
    retention: 7,
    coScheduleWith: { app: config.require("appLabel") },
    accessMode: "ReadWriteOnce",
    storage: {
        bucket: {
            bucket: config.require("bucket"),
            endpoint: config.require("s3Endpoint"),
            forcePathStyle: true,
            region: "us-east-1",
        },
        prefix: `apps/${namespace}`,
        credentials,
    },
});

// Hourly crash-consistent CSI snapshots of every labelled claim, keeping the newest 24 ready ones.
const snapshots = new PvcBackupSchedule("hourly", {
    namespace,
    schedule: "0 * * * *",
    strategy: "snapshot",
    selector: { backup: "true" },
    volumeSnapshotClass: config.require("volumeSnapshotClass"),
    retention: 24,
});

export const archiveCronJobs = archives.cronJobNames;
export const archivePrefix = archives.prefix;
export const snapshotCronJobs = snapshots.cronJobNames;
