// EtcdBackupSchedule: a CronJob on a control-plane node that snapshots etcd, verifies the snapshot, uploads it with
// a sha256 marker and prunes to the newest N complete snapshots.
//
// Pod layout (the etcd image has no shell, so nothing runs `sh` in it):
//   init "snapshot" (etcd image, exec form)  etcdctl snapshot save  -> emptyDir /backup/snapshot.db
//   init "verify"   (etcd image, exec form)  etcdutl snapshot status -w json: bbolt integrity check (tx.Check);
//                                            a corrupt or unreadable file fails the pod before any upload.
//   "upload"        (shell + rclone image)   the shared backup script (scripts.ts).
// Recording the verification: etcdutl can only print its result to stdout, and without a shell nothing in the
// etcd image can redirect that into a file; reading it back from the pod log would need pods/log RBAC and an API
// client in the job. So the upload container re-derives the facts from the file itself and records them as
// object metadata of the snapshot (x-amz-meta-etcd-revision, x-amz-meta-etcd-integrity-sha256):
// the integrity hash is etcd's own sha256 trailer, checked against the content (the check `snapshot restore`
// makes, which also catches truncation that bbolt's check misses), and the revision is read from the bbolt pages
// exactly as etcdutl computes it. The cluster ID (x-amz-meta-etcd-cluster-id) is not in the file: the upload
// container asks the member's gRPC gateway for it with rclone's HTTP client and the same client certificate, and omits it with a
// warning when it cannot. The sidecar stays plain `sha256sum -c` format. etcdutl's JSON (revision, hash,
// totalKey, totalSize) remains in the verify container's log for humans.
//
// Placement: required node affinity `Exists` on the control-plane or the master role label (kubeadm and Talos
// label "", k3s and RKE2 "true"), with tolerations of those roles' taints, RKE2's etcd taint and the
// CriticalAddonsOnly taint k3s/RKE2 servers may carry.
// Pod Security (docs/backup-jobs.md#pod-security): `restricted` by default. Reading the node's files (hostCerts,
// certsDir) is the one exception: a read-only hostPath, and UID 0 in every container (kubeadm's keys are
// root-only files, and etcdctl writes the snapshot 0600 as its own user, so the other containers must share that
// UID) with every capability still dropped.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { backupAlertRule } from "./alerts";
import { BackupCredentials, EtcdClientCertificates, EtcdClientSecretRef } from "./credentials";
import {
    backupCronJob,
    checkSchedule,
    eventsAccess,
    podSpecSettings,
    ScheduleArgs,
    TMP_ENV,
    TMP_MOUNT,
    TMP_VOLUME,
    withPodSettings,
} from "./cronjob";
import { BACKUP_SCRIPT } from "./scripts";
import {
    BackupEncryption,
    BackupStorage,
    resolveClusterName,
    resolveEncryption,
    resolveStorage,
    s3SecretName,
} from "./storage";
import * as v from "./validation";

export const DEFAULT_ETCD_IMAGE = "gcr.io/etcd-development/etcd:v3.6.16";
/** The official rclone image (Alpine: busybox sh, tar, gzip, sha256sum, awk, od, plus rclone); the tag is the rclone version. */
export const DEFAULT_TOOLS_IMAGE = "docker.io/rclone/rclone:1.76.0";
export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
export const MASTER_LABEL = "node-role.kubernetes.io/master";
export const DEFAULT_HOST_CERTS_DIR = "/etc/kubernetes/pki/etcd";

/** Required node affinity: a node with the control-plane or the master role label, whatever its value. */
export const CONTROL_PLANE_AFFINITY = {
    nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [CONTROL_PLANE_LABEL, MASTER_LABEL].map((key) => ({
                matchExpressions: [{ key, operator: "Exists" }],
            })),
        },
    },
};
export const CONTROL_PLANE_TOLERATIONS = [
    { key: CONTROL_PLANE_LABEL, operator: "Exists", effect: "NoSchedule" },
    { key: MASTER_LABEL, operator: "Exists", effect: "NoSchedule" },
    { key: "node-role.kubernetes.io/etcd", operator: "Exists", effect: "NoExecute" },
    { key: "CriticalAddonsOnly", operator: "Exists" },
];
/** Host access needs the owner of root-only files; no capability is added back. */
const HOST_ACCESS = { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false };

const WORK_DIR = "/backup";
const CLIENT_DIR = "/etc/etcd-client";
const EXTRA_DIR = "/host/certs";

/** etcd client certificates read from the control-plane node's filesystem (read-only hostPath). */
export interface EtcdHostCerts {
    /** Directory on the node. Default "/etc/kubernetes/pki/etcd" (kubeadm). */
    dir?: string;
    /** File names in that directory. Defaults "ca.crt", "healthcheck-client.crt", "healthcheck-client.key" (kubeadm). */
    caFile?: string;
    certFile?: string;
    keyFile?: string;
}

export interface EtcdBackupScheduleArgs extends ScheduleArgs {
    /** Namespace of the CronJob and its Secrets. Default "kube-system". */
    namespace?: pulumi.Input<string>;
    /** Keep the N newest complete, verified snapshots. Default 5, at least 1. */
    retention?: pulumi.Input<number>;
    /** One etcd client URL. Default "https://$(HOST_IP):2379" (the node's own member, via the downward API). */
    endpoint?: pulumi.Input<string>;
    /**
     * Client certificates: PEM values (stored in a new Secret), an existing Secret, or a BackupCredentials.
     * Exactly one of certificates and hostCerts.
     */
    certificates?:
        | EtcdClientCertificates
        | EtcdClientSecretRef
        | { etcdClientSecret?: EtcdClientSecretRef; etcdClientCertificateExpiry?: pulumi.Output<string> };
    /**
     * Read the client certificates from the node instead (follows the distribution's own rotation). Opt-in
     * Pod Security exception: read-only hostPath and UID 0 with no capabilities.
     */
    hostCerts?: EtcdHostCerts;
    /**
     * Host directory to back up next to each snapshot (e.g. "/etc/kubernetes/pki"). Opt-in Pod Security
     * exception like hostCerts. Requires `encryption`: the directory holds the cluster's private keys.
     */
    certsDir?: string;
    /**
     * Client-side encryption (rclone crypt) of the snapshot and the certsDir archive, with a password from a
     * Secret. Optional, but required with certsDir: a snapshot holds every Secret of the cluster.
     */
    encryption?: BackupEncryption;
    storage: BackupStorage;
    /**
     * The cluster these snapshots belong to, part of every object name and of the default prefix
     * "<clusterName>/etcd". A DNS-1123 label. Default: the Pulumi stack name.
     */
    clusterName?: pulumi.Input<string>;
    /** Default: required node affinity to the control-plane or master role label (any value). */
    affinity?: pulumi.Input<k8s.types.input.core.v1.Affinity>;
    /** Default: tolerate the control-plane, master and RKE2 etcd taints and CriticalAddonsOnly. */
    tolerations?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.Toleration>[]>;
    /**
     * sizeLimit of the emptyDir the snapshot is written to (the node's disk): at least the etcd database size
     * (etcd's quota-backend-bytes, 2 GiB by default, 8 GiB at most recommended). Default "10Gi".
     */
    snapshotSizeLimit?: pulumi.Input<string>;
    /** Time limit of `etcdctl snapshot save` (without one it waits forever for an unreachable member). Default 600. */
    snapshotTimeoutSeconds?: pulumi.Input<number>;
    /** Use the node's network (for members listening on 127.0.0.1 only). Opt-in Pod Security exception. Default false. */
    hostNetwork?: pulumi.Input<boolean>;
    /**
     * Post a Kubernetes Event about the CronJob when a run ends: Normal `BackupSucceeded` or Warning `BackupFailed`
     * (with the failure). Creates a Role allowing only `create` on events in the namespace, bound to the job's
     * service account (created unless `serviceAccountName` is given); the token is projected into the backup
     * container only. Posting never changes a run's outcome: when it fails, the log says why. Default false.
     */
    events?: boolean;
    images?: {
        /** Image with etcdctl and etcdutl (no shell needed). Match the server's minor version. */
        etcd?: pulumi.Input<string>;
        /** Image with sh, rclone and the tools the script's preflight names (busybox has them all). Default: the rclone image. */
        tools?: pulumi.Input<string>;
    };
}

/**
 * A CronJob on a control-plane node that snapshots etcd (etcdctl), verifies the snapshot (etcdutl), uploads it to
 * S3 with a sha256 marker written last, and keeps the newest N complete snapshots under its prefix.
 */
export class EtcdBackupSchedule extends pulumi.ComponentResource {
    readonly cronJobName: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;
    readonly bucket: pulumi.Output<string>;
    readonly prefix: pulumi.Output<string>;
    /** Secret mode: the client certificate Secret (undefined with hostCerts). */
    readonly etcdSecretName: pulumi.Output<string | undefined>;
    /**
     * Expiry (ISO 8601, UTC) of the client certificate, when this program knows it (PEM values or a
     * BackupCredentials); renew the Secret before then.
     */
    readonly clientCertificateExpiry: pulumi.Output<string | undefined>;
    /** The ServiceAccount the pods run as, when one is set or created. */
    readonly serviceAccountName: pulumi.Output<string | undefined>;
    readonly s3SecretName: pulumi.Output<string | undefined>;

    constructor(name: string, args: EtcdBackupScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-backup:index:EtcdBackupSchedule", name, {}, opts);
        const val: v.Validator = new v.Validator(`EtcdBackupSchedule "${name}"`);
        val.check("name", name, v.dnsLabel(52));
        const schedule = checkSchedule(val, args);
        const pod = schedule.pod;
        const namespace = val.check("namespace", args.namespace, v.dnsLabel()) ?? "kube-system";
        const retention = val.check("retention", args.retention, v.integerIn(1, 1000)) ?? 5;
        const endpoint = val.check("endpoint", args.endpoint, v.etcdEndpoint) ?? "https://$(HOST_IP):2379";
        const certsDir = val.check("certsDir", args.certsDir, v.absolutePath) as string | undefined;
        const encryptionEnv = resolveEncryption(val, args.encryption);
        if (certsDir !== undefined && args.encryption === undefined)
            val.fail(
                "certsDir",
                'requires "encryption" (a Secret with the password): the archive holds the cluster\'s CA and service-account private keys, which must not sit in the bucket in plain text',
                certsDir,
            );
        const etcdImage = val.check("images.etcd", args.images?.etcd, v.imageRef) ?? DEFAULT_ETCD_IMAGE;
        const toolsImage = val.check("images.tools", args.images?.tools, v.imageRef) ?? DEFAULT_TOOLS_IMAGE;
        const hostNetwork = val.check("hostNetwork", args.hostNetwork, v.isBoolean) ?? false;
        const events = (val.check("events", args.events, v.isBoolean) as boolean | undefined) ?? false;
        const sizeLimit =
            val.check(
                "snapshotSizeLimit",
                args.snapshotSizeLimit,
                v.byteQuantity(2 ** 26, 2 ** 40, '"64Mi" and "1Ti"'),
            ) ?? "10Gi";
        const snapshotTimeout =
            val.check("snapshotTimeoutSeconds", args.snapshotTimeoutSeconds, v.integerIn(5, 86400)) ?? 600;
        const cluster = resolveClusterName(val, args.clusterName);
        const storage = resolveStorage(val, args.storage, pulumi.interpolate`${cluster}/etcd`, namespace, {
            retention,
            schedule: schedule.schedule,
            timeZone: schedule.timeZone,
        });

        // Client certificates: from the node (hostCerts), or a Secret: values become a Secret owned by this
        // component; references are used as given.
        const certs = args.certificates;
        let clientVolume: k8s.types.input.core.v1.Volume;
        let files = { ca: "ca.crt", cert: "client.crt", key: "client.key" };
        let secretName: pulumi.Input<string> | undefined;
        let expiry: pulumi.Input<string> | undefined;
        if (args.hostCerts !== undefined) {
            if (certs !== undefined)
                val.fail(
                    "hostCerts",
                    'must not be set together with "certificates" (read the certificates from the node, or from a Secret)',
                    { hostCerts: args.hostCerts, certificates: "set" },
                );
            const h = args.hostCerts;
            val.check("hostCerts", h, v.plainObject);
            const dir = (val.check("hostCerts.dir", h.dir, v.absolutePath) as string) ?? DEFAULT_HOST_CERTS_DIR;
            files = {
                ca: (val.check("hostCerts.caFile", h.caFile, v.fileName) as string) ?? "ca.crt",
                cert: (val.check("hostCerts.certFile", h.certFile, v.fileName) as string) ?? "healthcheck-client.crt",
                key: (val.check("hostCerts.keyFile", h.keyFile, v.fileName) as string) ?? "healthcheck-client.key",
            };
            clientVolume = { name: "etcd-client", hostPath: { path: dir, type: "Directory" } };
        } else {
            if (!certs)
                val.fail(
                    "certificates",
                    "is required (PEM values, an existing Secret, or a BackupCredentials), unless hostCerts is set",
                    certs,
                );
            let secretRef: EtcdClientSecretRef;
            if ("caCrt" in certs || "clientCrt" in certs || "clientKey" in certs) {
                if ("secretName" in certs)
                    val.fail("certificates", "must be either PEM values or a Secret reference, not both", "both");
                const pem = certs as EtcdClientCertificates;
                const etcd = {
                    caCrt: val.secret("certificates.caCrt", pem.caCrt, v.nonEmptyString),
                    clientCrt: val.secret("certificates.clientCrt", pem.clientCrt, v.nonEmptyString, v.pemCertificate),
                    clientKey: val.secret("certificates.clientKey", pem.clientKey, v.nonEmptyString),
                };
                const creds = new BackupCredentials(name, { namespace, etcd }, { parent: this });
                secretRef = creds.etcdClientSecret!;
                expiry = creds.etcdClientCertificateExpiry;
            } else if ("secretName" in certs) {
                secretRef = certs as EtcdClientSecretRef;
            } else if ((certs as { etcdClientSecret?: EtcdClientSecretRef }).etcdClientSecret) {
                const c = certs as {
                    etcdClientSecret: EtcdClientSecretRef;
                    etcdClientCertificateExpiry?: pulumi.Output<string>;
                };
                secretRef = c.etcdClientSecret;
                expiry = c.etcdClientCertificateExpiry;
            } else {
                val.fail(
                    "certificates",
                    "must be PEM values, a Secret reference or a BackupCredentials created with etcd certificates",
                    certs,
                );
            }
            secretName = val.required("certificates.secretName", secretRef.secretName, v.dnsSubdomain);
            if (secretRef.namespace !== undefined) {
                secretName = val.relate(
                    "certificates",
                    [secretRef.namespace, namespace],
                    (cn, sn) => (cn !== sn ? `must be a Secret in the schedule's namespace "${sn}"` : undefined),
                    secretName,
                );
            }
            clientVolume = {
                name: "etcd-client",
                secret: {
                    secretName,
                    // Group-readable: the pod's fsGroup owns the files, its non-root user reads them.
                    defaultMode: 0o440,
                    items: [
                        { key: secretRef.caKey ?? "ca.crt", path: "ca.crt" },
                        { key: secretRef.certKey ?? "client.crt", path: "client.crt" },
                        { key: secretRef.keyKey ?? "client.key", path: "client.key" },
                    ],
                },
            };
        }
        const hostAccess = args.hostCerts !== undefined || certsDir !== undefined ? HOST_ACCESS : undefined;

        const snapshotFile = `${WORK_DIR}/snapshot.db`;
        const volumes: k8s.types.input.core.v1.Volume[] = [
            { name: "work", emptyDir: { sizeLimit } },
            TMP_VOLUME,
            clientVolume,
            ...storage.volumes,
        ];
        const uploadMounts: k8s.types.input.core.v1.VolumeMount[] = [
            { name: "work", mountPath: WORK_DIR, readOnly: true },
            { name: "etcd-client", mountPath: CLIENT_DIR, readOnly: true },
            TMP_MOUNT,
            ...storage.mounts,
        ];
        const uploadEnv: k8s.types.input.core.v1.EnvVar[] = [
            // Cluster and schedule ('.' cannot occur in either): schedules and clusters sharing a prefix never
            // select each other's objects.
            { name: "BACKUP_NAME", value: pulumi.interpolate`${cluster}.${name}` },
            { name: "BACKUP_EXT", value: ".db" },
            { name: "BACKUP_KEEP", value: pulumi.output(retention).apply(String) },
            { name: "BACKUP_SOURCE", value: "file" },
            { name: "BACKUP_FILE", value: snapshotFile },
            { name: "BACKUP_ETCD_SNAPSHOT", value: "true" },
            // The member's cluster ID, recorded as object metadata: asked of the etcd gRPC gateway with the same
            // client certificate (the etcd image has no shell to capture etcdctl's output).
            { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
            { name: "BACKUP_ETCD_ENDPOINT", value: endpoint },
            { name: "BACKUP_ETCD_CACERT", value: `${CLIENT_DIR}/${files.ca}` },
            { name: "BACKUP_ETCD_CERT", value: `${CLIENT_DIR}/${files.cert}` },
            { name: "BACKUP_ETCD_KEY", value: `${CLIENT_DIR}/${files.key}` },
            ...TMP_ENV,
            ...storage.env,
            ...encryptionEnv,
        ];
        if (certsDir) {
            volumes.push({ name: "certs-dir", hostPath: { path: certsDir, type: "Directory" } });
            uploadMounts.push({ name: "certs-dir", mountPath: EXTRA_DIR, readOnly: true });
            uploadEnv.push({ name: "BACKUP_EXTRA_DIR", value: EXTRA_DIR });
        }

        const p = { parent: this };
        const ev = eventsAccess(name, namespace, pod, events, p);
        const serviceAccount = ev.serviceAccount;
        volumes.push(...ev.volumes);
        uploadMounts.push(...ev.mounts);
        uploadEnv.push(...ev.env(name));
        const settings = podSpecSettings(pod, serviceAccount, false);
        const cronJob = backupCronJob(
            {
                name,
                namespace,
                component: "etcd-backup",
                schedule,
                pod: {
                    ...settings,
                    affinity: pod.affinity ?? CONTROL_PLANE_AFFINITY,
                    tolerations: pod.tolerations ?? CONTROL_PLANE_TOLERATIONS,
                    hostNetwork,
                    volumes,
                    initContainers: [
                        withPodSettings(
                            pod,
                            {
                                name: "snapshot",
                                image: etcdImage,
                                command: ["etcdctl"],
                                args: ["snapshot", "save", "$(SNAPSHOT_FILE)"],
                                env: [
                                    { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
                                    { name: "ETCDCTL_ENDPOINTS", value: endpoint },
                                    { name: "ETCDCTL_CACERT", value: `${CLIENT_DIR}/${files.ca}` },
                                    { name: "ETCDCTL_CERT", value: `${CLIENT_DIR}/${files.cert}` },
                                    { name: "ETCDCTL_KEY", value: `${CLIENT_DIR}/${files.key}` },
                                    { name: "ETCDCTL_DIAL_TIMEOUT", value: "10s" },
                                    {
                                        name: "ETCDCTL_COMMAND_TIMEOUT",
                                        value: pulumi.output(snapshotTimeout).apply((t) => `${t}s`),
                                    },
                                    { name: "SNAPSHOT_FILE", value: snapshotFile },
                                ],
                                volumeMounts: [
                                    { name: "work", mountPath: WORK_DIR },
                                    { name: "etcd-client", mountPath: CLIENT_DIR, readOnly: true },
                                ],
                            },
                            hostAccess,
                        ),
                        withPodSettings(
                            pod,
                            {
                                name: "verify",
                                image: etcdImage,
                                command: ["etcdutl"],
                                args: ["snapshot", "status", "$(SNAPSHOT_FILE)", "--write-out=json"],
                                env: [{ name: "SNAPSHOT_FILE", value: snapshotFile }],
                                volumeMounts: [{ name: "work", mountPath: WORK_DIR, readOnly: true }],
                            },
                            hostAccess,
                        ),
                    ],
                    containers: [
                        withPodSettings(
                            pod,
                            {
                                name: "upload",
                                image: toolsImage,
                                command: ["/bin/sh", "-c", BACKUP_SCRIPT, "kube-backup"],
                                env: uploadEnv,
                                volumeMounts: uploadMounts,
                            },
                            hostAccess,
                        ),
                    ],
                },
            },
            p,
        );

        if (args.alerts !== undefined) backupAlertRule(val, name, namespace, [name], schedule, args.alerts, p);
        this.cronJobName = cronJob.metadata.name;
        this.namespace = cronJob.metadata.namespace;
        this.bucket = pulumi.output(storage.bucket);
        this.prefix = pulumi.output(storage.prefix);
        this.etcdSecretName = pulumi.output(secretName);
        this.clientCertificateExpiry = pulumi.output(expiry);
        this.serviceAccountName = pulumi.output(serviceAccount);
        this.s3SecretName = pulumi.output(s3SecretName(args.storage));
        this.registerOutputs({
            cronJobName: this.cronJobName,
            namespace: this.namespace,
            bucket: this.bucket,
            prefix: this.prefix,
            etcdSecretName: this.etcdSecretName,
            clientCertificateExpiry: this.clientCertificateExpiry,
            serviceAccountName: this.serviceAccountName,
            s3SecretName: this.s3SecretName,
        });
    }
}
