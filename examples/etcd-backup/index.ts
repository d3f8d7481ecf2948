// Scheduled, verified etcd snapshots to an S3-compatible bucket.
import * as pulumi from "@pulumi/pulumi";
import { BackupBucket, BackupCredentials, EtcdBackupSchedule } from "kube-backup";

const config = new pulumi.Config();
const namespace = "kube-system";

// All credentials come from Pulumi secrets and end up only in Kubernetes Secrets (ciphertext in state).
const credentials = new BackupCredentials("etcd-backup", {
    namespace,
    s3: {
        accessKeyId: config.requireSecret("s3AccessKeyId"),
        secretAccessKey: config.requireSecret("s3SecretAccessKey"),
    },
    etcd: {
        caCrt: config.requireSecret("etcdCaCrt"),
        clientCrt: config.requireSecret("etcdClientCrt"),
        clientKey: config.requireSecret("etcdClientKey"),
    },
});

// On AWS the component can own the bucket (private, encrypted, TLS-only, lifecycle safety net); elsewhere point
// at an existing bucket on any S3-compatible endpoint.
const bucket = config.getBoolean("createBucket")
    ? new BackupBucket("etcd-backups", { bucketName: config.require("bucket"), expirationDays: 90 })
    : {
          bucket: config.require("bucket"),
          endpoint: config.require("s3Endpoint"),
          forcePathStyle: true,
          region: "us-east-1",
      };

const schedule = new EtcdBackupSchedule("etcd-backup", {
    namespace,
    schedule: config.require("schedule"),
    timeZone: config.require("timeZone"),
    retention: config.requireNumber("retention"),
    certificates: credentials,
    // The PKI directory holds the cluster's private keys, so it requires client-side encryption: create the Secret
    // first, e.g. `kubectl -n kube-system create secret generic etcd-backup-encryption \
    //   --from-literal=password="$(openssl rand -base64 32)" --from-literal=salt="$(openssl rand -base64 32)"`,
    // and keep a copy of both values outside the cluster: restores need them.
    certsDir: "/etc/kubernetes/pki",
    encryption: { secretName: config.get("encryptionSecret") ?? "etcd-backup-encryption", saltKey: "salt" },
    storage: { bucket, prefix: config.require("prefix"), credentials },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
});

export const cronJob = schedule.cronJobName;
export const backupBucket = schedule.bucket;
export const backupPrefix = schedule.prefix;
export const clientCertificateExpiry = schedule.clientCertificateExpiry;
export const secrets = { s3: schedule.s3SecretName, etcd: schedule.etcdSecretName };
