// PvcRestore: a one-off Job that restores one PVC backup (a tar archive of PvcBackupSchedule) into a claim. It
// downloads the object and its marker, verifies the SHA-256 before extracting anything, and refuses a non-empty
// claim unless `overwrite: true`. Pick the key with listStoredBackups (a complete backup).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TMP_ENV, TMP_MOUNT, TMP_VOLUME } from "./cronjob";
import { DEFAULT_TOOLS_IMAGE } from "./etcd";
import { PVC_RESTORE_SCRIPT } from "./scripts";
import { BackupEncryption, BackupStorage, resolveEncryption, resolveStorage } from "./storage";
import * as v from "./validation";

export interface PvcRestoreArgs {
    /** Namespace of the claim (and of the Job and Secrets). */
    namespace: pulumi.Input<string>;
    /** The claim to restore into: new (empty) or one you mean to overwrite. */
    claimName: pulumi.Input<string>;
    /** Object key of the backup (`key` of a complete listStoredBackups entry), e.g. "prod/pvc/shop/app/…tar.gz". */
    key: pulumi.Input<string>;
    /** Where the backup is: the schedule's storage (its prefix is not used; the key is complete). */
    storage: BackupStorage;
    /** The schedule's encryption, for encrypted backups. */
    encryption?: BackupEncryption;
    /** Extract into a claim that already holds files. Default false: a non-empty claim is refused. */
    overwrite?: pulumi.Input<boolean>;
    /** Image with sh, rclone, tar and gzip. Default: the backup's tools image. */
    image?: pulumi.Input<string>;
    /** Hard limit for the Job. Default 3600 seconds. */
    activeDeadlineSeconds?: pulumi.Input<number>;
    /** Node labels the restore pod requires, e.g. the node a ReadWriteOnce claim's volume is attached to. */
    nodeSelector?: pulumi.Input<Record<string, string>>;
    /** Affinity of the restore pod. */
    affinity?: pulumi.Input<k8s.types.input.core.v1.Affinity>;
    /** Tolerations of the restore pod (e.g. a tainted control-plane node of a single-node cluster). */
    tolerations?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.Toleration>[]>;
    /** Names of Secrets (in the namespace) for pulling the image from a private registry. */
    imagePullSecrets?: pulumi.Input<string>[];
}

const DATA_DIR = "/data";

/**
 * The restore Job runs as UID 0 with CHOWN, FOWNER, DAC_OVERRIDE and FSETID only: restoring the archive's numeric
 * owners and modes needs them (baseline Pod Security level, not restricted).
 */
export class PvcRestore extends pulumi.ComponentResource {
    readonly jobName: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: PvcRestoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-backup:index:PvcRestore", name, {}, opts);
        const val = new v.Validator(`PvcRestore "${name}"`);
        val.check("name", name, v.dnsLabel(52));
        const namespace = val.required("namespace", args.namespace, v.dnsLabel());
        const claimName = val.required("claimName", args.claimName, v.dnsSubdomain);
        const key = val.required("key", args.key, (k: string) =>
            /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\.(tar|tar\.gz|tar\.zst)$/.test(k)
                ? undefined
                : "must be the object key of a tar backup (…/<name>-<time>-<run>.tar[.gz|.zst])",
        );
        const overwrite = val.check("overwrite", args.overwrite, v.isBoolean) ?? false;
        const image = val.check("image", args.image, v.imageRef) ?? DEFAULT_TOOLS_IMAGE;
        const deadline =
            val.check("activeDeadlineSeconds", args.activeDeadlineSeconds, v.integerIn(60, 7 * 86400)) ?? 3600;
        const nodeSelector = val.check("nodeSelector", args.nodeSelector, v.labelMap);
        const affinity = val.check("affinity", args.affinity, v.plainObject);
        const tolerations = val.check("tolerations", args.tolerations, v.isArray);
        const imagePullSecrets = args.imagePullSecrets?.map((n, i) => ({
            name: val.required(`imagePullSecrets[${i}]`, n, v.dnsSubdomain),
        }));
        const storage = resolveStorage(val, args.storage, "restore", namespace);
        const encryptionEnv = resolveEncryption(val, args.encryption);
        const job = new k8s.batch.v1.Job(
            name,
            {
                metadata: {
                    name,
                    namespace,
                    labels: {
                        "app.kubernetes.io/name": "kube-backup",
                        "app.kubernetes.io/component": "pvc-restore",
                        "app.kubernetes.io/instance": name,
                    },
                },
                spec: {
                    backoffLimit: 0,
                    activeDeadlineSeconds: deadline,
                    template: {
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            nodeSelector,
                            affinity,
                            tolerations,
                            imagePullSecrets,
                            securityContext: {
                                runAsUser: 0,
                                runAsGroup: 0,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            volumes: [
                                { name: "data", persistentVolumeClaim: { claimName } },
                                TMP_VOLUME,
                                ...storage.volumes,
                            ],
                            containers: [
                                {
                                    name: "restore",
                                    image,
                                    command: ["/bin/sh", "-c", PVC_RESTORE_SCRIPT, "kube-backup-restore"],
                                    env: [
                                        ...TMP_ENV,
                                        ...storage.env.filter((e) => e.name !== "BACKUP_PREFIX"),
                                        { name: "RESTORE_KEY", value: key },
                                        { name: "RESTORE_DIR", value: DATA_DIR },
                                        { name: "RESTORE_OVERWRITE", value: pulumi.output(overwrite).apply(String) },
                                        ...encryptionEnv,
                                    ],
                                    volumeMounts: [{ name: "data", mountPath: DATA_DIR }, TMP_MOUNT, ...storage.mounts],
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: {
                                            drop: ["ALL"],
                                            add: ["CHOWN", "FOWNER", "DAC_OVERRIDE", "FSETID"],
                                        },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );
        this.jobName = job.metadata.name;
        this.namespace = job.metadata.namespace;
        this.registerOutputs({ jobName: this.jobName, namespace: this.namespace });
    }
}
