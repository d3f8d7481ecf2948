// Reads the backup catalog of a bucket from a stack: credentials come from (secret) config, the listing is an
// output the engine records.
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";

const config = new pulumi.Config();

const backups = kb.listStoredBackupsOutput({
    bucket: config.require("bucket"),
    prefix: config.require("prefix"),
    schedule: config.get("schedule"),
    endpoint: config.require("endpoint"),
    region: config.require("region"),
    forcePathStyle: true,
    credentials: {
        accessKeyId: config.require("accessKeyId"),
        secretAccessKey: config.requireSecret("secretAccessKey"),
    },
});

export const keys = backups.apply((bs) => bs.map((b) => b.key));
export const complete = backups.apply((bs) => bs.map((b) => b.complete));
export const newest = backups.apply((bs) => bs[0]);
export const revisions = backups.apply((bs) => bs.map((b) => b.etcdRevision ?? null));

// The live status of one backup CronJob, read through a kubeconfig given as secret config.
const status = kb.getBackupStatusOutput({
    namespace: config.require("namespace"),
    cronJob: config.require("cronJob"),
    kubeconfig: config.requireSecret("kubeconfig"),
    storage: {
        credentials: {
            accessKeyId: config.require("accessKeyId"),
            secretAccessKey: config.requireSecret("secretAccessKey"),
        },
    },
});
export const lastSuccessfulTime = status.lastSuccessfulTime;
export const newestCompleteKey = status.apply((s) => s.newestCompleteBackup?.key);
export const suspended = status.suspended;
