// Kubernetes backup components: etcd snapshot and PVC backup CronJobs, credentials Secrets, S3 buckets.
export { BackupBucket } from "./bucket";
export type { BackupBucketArgs } from "./bucket";
export { BackupCredentials } from "./credentials";
export type { BackupCredentialsArgs, EtcdClientCertificates, EtcdClientSecretRef, S3AccessKeys } from "./credentials";
export type { CreatedServiceAccount, ScheduleArgs } from "./cronjob";
export { EtcdBackupSchedule, DEFAULT_ETCD_IMAGE, DEFAULT_TOOLS_IMAGE } from "./etcd";
export type { EtcdBackupScheduleArgs, EtcdHostCerts } from "./etcd";
export { PvcBackupSchedule, DEFAULT_KUBECTL_IMAGE } from "./pvc";
export type { PvcBackupScheduleArgs } from "./pvc";
export type { BackupEncryption, BackupStorage, S3CaBundleRef, S3CredentialsRef, S3Location } from "./storage";
export { InputError } from "./validation";
export { listStoredBackups, listStoredBackupsOutput } from "./catalog";
export type { StoredBackup, StoredBackupsArgs } from "./catalog";
export type { S3Access } from "./s3client";
export type { BackupAlerts } from "./alerts";
export { getBackupStatus, getBackupStatusOutput } from "./status";
export type { BackupStatus, BackupStatusArgs, FailedJob, StatusStorage } from "./status";
export type { KubeAccess } from "./kube";
