// PvcBackupSchedule: scheduled backups of PersistentVolumeClaims.
//   tar      one CronJob per claim: tar of the read-only mounted claim | gzip/zstd streamed to S3 (no temporary
//            copy), then the shared verify/marker/prune script.
//   custom   like tar, but a user command (argv, exec form) produces the archive on stdout.
//   snapshot one CronJob whose Job creates a CSI VolumeSnapshot per claim (by name or label selector), waits for
//            readyToUse and keeps the newest N ready ones. A Job, not a Pulumi CustomResource: a CustomResource
//            is created once at `pulumi up`, while a schedule needs a new snapshot at every tick, and the
//            snapshots must not be Pulumi-managed state (the next `up` would delete them).
// ReadWriteOnce claims can only be mounted on the node where they are attached, i.e. the node of the pod using
// them. Each claim's backup pod gets a required pod affinity to exactly that pod: for a StatefulSet, the pod
// named after the claim's ordinal (label statefulset.kubernetes.io/pod-name); otherwise the labels given in
// `coScheduleWith`, which must select only the pod that mounts the listed claims. ReadWriteOncePod claims cannot
// be mounted by a second pod at all, so tar/custom reject them (snapshot works).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    backupCronJob,
    CheckedSchedule,
    checkSchedule,
    eventsAccess,
    podServiceAccount,
    podSpecSettings,
    ScheduleArgs,
    TMP_ENV,
    TMP_MOUNT,
    TMP_VOLUME,
    withPodSettings,
} from "./cronjob";
import { backupAlertRule } from "./alerts";
import { DEFAULT_TOOLS_IMAGE } from "./etcd";
import { BACKUP_SCRIPT, SNAPSHOT_SCRIPT } from "./scripts";
import {
    BackupEncryption,
    BackupStorage,
    resolveClusterName,
    resolveEncryption,
    resolveStorage,
    s3SecretName,
} from "./storage";
import * as v from "./validation";

export const DEFAULT_KUBECTL_IMAGE = "docker.io/alpine/k8s:1.35.0";
const DATA_DIR = "/data";
export const STATEFULSET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";

type Affinity = k8s.types.input.core.v1.Affinity;
type PodAffinityTerm = k8s.types.input.core.v1.PodAffinityTerm;

export interface PvcBackupScheduleArgs extends ScheduleArgs {
    namespace: pulumi.Input<string>;
    /** Claims to back up, by name (required for tar and custom, which mount them). */
    pvcNames?: string[];
    /** Claims by label (snapshot strategy only: they are discovered when the job runs). */
    selector?: pulumi.Input<Record<string, string>>;
    /** Default "tar". */
    strategy?: "tar" | "snapshot" | "custom";
    /** tar/custom: compression of the stream. Default "gzip" for tar, "none" for custom. */
    compression?: pulumi.Input<"gzip" | "zstd" | "none">;
    /** custom: command (exec form, run in `image`, claim mounted at /data) whose stdout is the archive. */
    command?: pulumi.Input<string>[];
    /** custom: file extension of the archive. Default ".bin". */
    extension?: pulumi.Input<string>;
    /** snapshot: VolumeSnapshotClass to use. */
    volumeSnapshotClass?: pulumi.Input<string>;
    /**
     * Keep the N newest complete backups (or ready snapshots) per claim. Default 7, at least 1. Snapshots of
     * claims no longer selected keep the N newest ready ones too.
     */
    retention?: pulumi.Input<number>;
    /** tar/custom: where archives go. */
    storage?: BackupStorage;
    /**
     * tar/custom: the largest archive expected, as a byte quantity ("500Gi", "5Ti"). Streams are uploaded in at
     * most 10,000 parts of a fixed size, so this sets the part size (at least 16 MiB, one part buffered in
     * memory: about 0.6 GiB of memory for "5Ti"; raise the memory limit to match). Default: 16 MiB parts, which
     * allow archives up to 156 GiB.
     */
    maxArchiveSize?: pulumi.Input<string>;
    /** tar/custom: client-side encryption (rclone crypt) of the archives, with a password from a Secret. */
    encryption?: BackupEncryption;
    /**
     * tar/custom: post a Kubernetes Event about the CronJob when a run ends: Normal `BackupSucceeded` or Warning
     * `BackupFailed` (with the failure). Creates a Role allowing only `create` on events in the namespace, bound
     * to the job's service account (created unless `serviceAccountName` is given); the token is projected into
     * the backup container only. Posting never changes a run's outcome: when it fails, the log says why.
     * Default false.
     */
    events?: boolean;
    /**
     * tar/custom: the cluster these backups belong to, part of every object name and of the default prefix
     * "<clusterName>/pvc/<namespace>/<name>". A DNS-1123 label. Default: the Pulumi stack name.
     */
    clusterName?: pulumi.Input<string>;
    /**
     * Image: for tar/custom sh + rclone + tar + gzip (zstd only in a custom image: the default rclone image has no
     * zstd compressor); for snapshot sh + kubectl.
     */
    image?: pulumi.Input<string>;
    /**
     * tar: fail the run when GNU tar reports a file that changed while it was read (exit status 1). Default false:
     * a live volume's changing files are a logged warning and the archive holds them as read.
     */
    failOnChangedFiles?: pulumi.Input<boolean>;
    /** Mount claims read-only. Default true. */
    readOnly?: pulumi.Input<boolean>;
    /**
     * Access mode of the claims, when known. "ReadWriteOnce" with tar/custom requires statefulSet,
     * coScheduleWith or affinity; "ReadWriteOncePod" is rejected for tar/custom (use strategy "snapshot").
     */
    accessMode?: "ReadWriteOnce" | "ReadWriteOncePod" | "ReadWriteMany" | "ReadOnlyMany";
    /**
     * tar/custom: the claims come from this StatefulSet's volumeClaimTemplates (named
     * "<template>-<statefulSet>-<ordinal>"); each claim's backup pod is placed on the node of pod
     * "<statefulSet>-<ordinal>".
     */
    statefulSet?: string;
    /**
     * tar/custom: labels of the one pod that mounts every listed claim (e.g. a single-replica Deployment's pod);
     * the backup pods are placed on its node. Must select only that pod.
     */
    coScheduleWith?: pulumi.Input<Record<string, string>>;
    /**
     * tar/custom: run as UID 0 with only CAP_DAC_OVERRIDE, to read files of any owner. Opt-in Pod Security
     * exception (meets `baseline`, not `restricted`); prefer podSecurityContext.runAsUser set to the files' owner.
     */
    readAllFiles?: pulumi.Input<boolean>;
}

/**
 * CronJob(s) that back up PersistentVolumeClaims: a streamed tar (gzip/zstd) or a custom command's output to S3
 * with a sha256 marker, or CSI VolumeSnapshots; keeps the newest N complete backups per claim.
 */
export class PvcBackupSchedule extends pulumi.ComponentResource {
    readonly cronJobNames: pulumi.Output<string[]>;
    readonly namespace: pulumi.Output<string>;
    readonly bucket: pulumi.Output<string | undefined>;
    readonly prefix: pulumi.Output<string | undefined>;
    readonly s3SecretName: pulumi.Output<string | undefined>;
    /** The ServiceAccount the pods run as, when one is set or created (always for the snapshot strategy). */
    readonly serviceAccountName: pulumi.Output<string | undefined>;

    constructor(name: string, args: PvcBackupScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-backup:index:PvcBackupSchedule", name, {}, opts);
        const val: v.Validator = new v.Validator(`PvcBackupSchedule "${name}"`);
        val.check("name", name, v.dnsLabel(52));
        const schedule = checkSchedule(val, args);
        const namespace = val.required("namespace", args.namespace, v.dnsLabel());
        const strategy = (val.check("strategy", args.strategy, v.oneOf("tar", "snapshot", "custom")) ??
            "tar") as string;
        const retention = val.check("retention", args.retention, v.integerIn(1, 1000)) ?? 7;
        const readOnly = val.check("readOnly", args.readOnly, v.isBoolean) ?? true;
        const selector = val.check("selector", args.selector, v.labelMap);
        const coSchedule = val.check("coScheduleWith", args.coScheduleWith, v.labelMap);
        const statefulSet = val.check("statefulSet", args.statefulSet, v.dnsLabel()) as string | undefined;
        const accessMode = val.check(
            "accessMode",
            args.accessMode,
            v.oneOf("ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany"),
        );
        const readAllFiles = val.check("readAllFiles", args.readAllFiles, v.isBoolean);
        const failOnChanged = val.check("failOnChangedFiles", args.failOnChangedFiles, v.isBoolean);
        const events = (val.check("events", args.events, v.isBoolean) as boolean | undefined) ?? false;
        if (events && strategy === "snapshot") val.fail("events", 'only applies to strategy "tar" or "custom"', true);
        if (failOnChanged !== undefined && strategy !== "tar")
            val.fail("failOnChangedFiles", 'only applies to strategy "tar"', strategy);
        const pvcNames = args.pvcNames;
        if (pvcNames !== undefined) {
            if (pulumi.Output.isInstance(pvcNames) || !Array.isArray(pvcNames))
                val.fail("pvcNames", "must be a plain list of names (one CronJob is created per claim)", pvcNames);
            val.check("pvcNames", pvcNames, v.nonEmptyArray, v.uniqueItems, v.each(v.dnsSubdomain));
        }
        if ((pvcNames === undefined) === (selector === undefined))
            val.fail("pvcNames", "or selector must be given, not both and not neither", {
                pvcNames,
                selector: args.selector,
            });
        if (selector !== undefined && strategy !== "snapshot") {
            val.fail(
                "selector",
                'requires strategy "snapshot" (tar and custom mount claims, so they need pvcNames)',
                strategy,
            );
        }
        if (statefulSet !== undefined && coSchedule !== undefined)
            val.fail(
                "statefulSet",
                'must not be set together with "coScheduleWith" (one rule places each claim\'s backup pod)',
                { statefulSet, coScheduleWith: args.coScheduleWith },
            );
        const placement =
            statefulSet !== undefined ? "statefulSet" : coSchedule !== undefined ? "coScheduleWith" : undefined;
        if (accessMode === "ReadWriteOncePod") {
            const other = placement ?? (args.affinity !== undefined ? "affinity" : undefined);
            if (other)
                val.fail(
                    "accessMode",
                    `"ReadWriteOncePod" conflicts with "${other}": such a claim can be mounted by one pod only, so no backup pod can join it on its node; use strategy "snapshot"`,
                    { accessMode, [other]: "set" },
                );
            if (strategy !== "snapshot")
                val.fail(
                    "accessMode",
                    `"ReadWriteOncePod" cannot be backed up with strategy "${strategy}": the claim can be mounted by one pod only (the application's), so the backup pod could never start; use strategy "snapshot"`,
                    accessMode,
                );
        }
        if (accessMode === "ReadWriteOnce" && strategy !== "snapshot" && !placement && args.affinity === undefined)
            val.fail(
                "accessMode",
                '"ReadWriteOnce" needs statefulSet, coScheduleWith or affinity with strategy "tar"/"custom": the backup pod must run on the node the claim is attached to',
                accessMode,
            );
        const opts1 = { parent: this };

        let cronJobs: k8s.batch.v1.CronJob[];
        let bucket: pulumi.Input<string> | undefined;
        let prefix: pulumi.Input<string> | undefined;
        let serviceAccount: pulumi.Input<string> | undefined;
        if (strategy === "snapshot") {
            const snapshotClass = val.required("volumeSnapshotClass", args.volumeSnapshotClass, v.dnsSubdomain);
            if (args.storage)
                val.fail(
                    "storage",
                    'must not be set with strategy "snapshot" (snapshots stay in the cluster\'s CSI storage)',
                    "storage",
                );
            if (args.command || args.compression)
                val.fail("command", 'and compression only apply to strategies "custom" and "tar"', strategy);
            if (placement)
                val.fail(
                    placement,
                    'only applies to strategies "tar" and "custom" (snapshots mount nothing)',
                    strategy,
                );
            if (readAllFiles !== undefined)
                val.fail("readAllFiles", 'only applies to strategies "tar" and "custom"', strategy);
            if (args.maxArchiveSize !== undefined)
                val.fail("maxArchiveSize", 'only applies to strategies "tar" and "custom"', strategy);
            if (args.encryption !== undefined)
                val.fail(
                    "encryption",
                    'only applies to strategies "tar" and "custom" (snapshots stay in the cluster\'s CSI storage)',
                    strategy,
                );
            if (args.clusterName !== undefined)
                val.fail(
                    "clusterName",
                    'only applies to strategies "tar" and "custom" (it names S3 objects)',
                    strategy,
                );
            const image = val.check("image", args.image, v.imageRef) ?? DEFAULT_KUBECTL_IMAGE;
            serviceAccount = podServiceAccount(name, namespace, schedule.pod, opts1, true);
            cronJobs = [
                this.snapshotCronJob(
                    name,
                    namespace,
                    schedule,
                    serviceAccount,
                    { snapshotClass, image, retention, selector, pvcNames },
                    opts1,
                ),
            ];
        } else {
            if (args.volumeSnapshotClass)
                val.fail("volumeSnapshotClass", 'only applies to strategy "snapshot"', args.volumeSnapshotClass);
            const cluster = resolveClusterName(val, args.clusterName);
            const storage = resolveStorage(
                val,
                args.storage,
                pulumi.interpolate`${cluster}/pvc/${typeof namespace === "string" ? namespace : "ns"}/${name}`,
                namespace,
                { retention, schedule: schedule.schedule, timeZone: schedule.timeZone },
            );
            if (typeof namespace !== "string" && args.storage?.prefix === undefined) {
                val.fail("storage.prefix", "is required when namespace is not a plain string", namespace);
            }
            bucket = storage.bucket;
            prefix = storage.prefix;
            const encryptionEnv = resolveEncryption(val, args.encryption);
            const maxSize = val.check(
                "maxArchiveSize",
                args.maxArchiveSize,
                v.byteQuantity(2 ** 20, 50 * 2 ** 40, '"1Mi" and "50Ti"'),
            );
            const chunkEnv =
                maxSize === undefined
                    ? []
                    : [{ name: "BACKUP_CHUNK_SIZE", value: pulumi.output(maxSize).apply(partSizeFor) }];
            const image = val.check("image", args.image, v.imageRef) ?? DEFAULT_TOOLS_IMAGE;
            let producer: pulumi.Input<string>[];
            let ext: pulumi.Input<string>;
            let compression: pulumi.Input<string>;
            if (strategy === "tar") {
                if (args.command) val.fail("command", 'only applies to strategy "custom"', args.command);
                compression = val.check("compression", args.compression, v.oneOf("gzip", "zstd", "none")) ?? "gzip";
                compression = zstdNeedsImage(val, compression, args.image);
                // Numeric owners only: a restore must not remap owners through the restoring host's user names.
                // No --xattrs/--acls/--sparse: busybox tar (the Alpine images) has none of them.
                producer = ["tar", "--numeric-owner", "-C", "$(BACKUP_DATA_DIR)", "-cf", "-", "."];
                ext = pulumi
                    .output(compression)
                    .apply((c) => (c === "gzip" ? ".tar.gz" : c === "zstd" ? ".tar.zst" : ".tar"));
            } else {
                compression = val.check("compression", args.compression, v.oneOf("gzip", "zstd", "none")) ?? "none";
                compression = zstdNeedsImage(val, compression, args.image);
                if (!args.command)
                    val.fail(
                        "command",
                        'is required for strategy "custom" (argv whose stdout is the archive)',
                        args.command,
                    );
                producer = val.check(
                    "command",
                    args.command,
                    v.nonEmptyArray,
                    v.each(v.isString),
                ) as pulumi.Input<string>[];
                ext =
                    val.check("extension", args.extension, (e: string) =>
                        /^\.[a-z0-9][a-z0-9.]{0,15}$/.test(e) && !e.endsWith(".")
                            ? undefined
                            : "must be like \".sql.gz\" (a '.', then up to 16 lower-case letters, digits and dots)",
                    ) ?? ".bin";
                ext = val.relate(
                    "extension",
                    [ext, compression],
                    (e, c) =>
                        c !== "none" && !e.endsWith(c === "gzip" ? ".gz" : ".zst")
                            ? `must end with ${c === "gzip" ? ".gz" : ".zst"} when compression is "${c}"`
                            : undefined,
                    ext,
                );
            }
            // The pod that mounts each claim: by StatefulSet ordinal, or the one labelled pod.
            const mountedBy = (pvc: string, i: number): Record<string, string> | undefined => {
                if (statefulSet !== undefined) {
                    const suffix = new RegExp(`^.+-${statefulSet.replace(/[.]/g, "\\.")}-(0|[1-9][0-9]*)$`).exec(pvc);
                    if (!suffix)
                        val.fail(
                            "pvcNames",
                            `item ${i} must be a claim of "statefulSet" "${statefulSet}" ("<template>-${statefulSet}-<ordinal>")`,
                            pvc,
                        );
                    return { [STATEFULSET_POD_NAME_LABEL]: `${statefulSet}-${suffix[1]}` };
                }
                return coSchedule as Record<string, string> | undefined;
            };
            const exception = pulumi.output(readAllFiles).apply((on) =>
                on
                    ? {
                          runAsUser: 0,
                          runAsGroup: 0,
                          runAsNonRoot: false,
                          capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE"] },
                      }
                    : {},
            );
            const ev = eventsAccess(name, namespace, schedule.pod, events, opts1);
            serviceAccount = ev.serviceAccount;
            const settings = podSpecSettings(schedule.pod, serviceAccount, false);
            cronJobs = pvcNames!.map((pvc, i) => {
                const jobName = `${name}-${pvc}`;
                val.check("pvcNames", jobName, (n: string) =>
                    v.dnsLabel(52)(n)
                        ? `must give CronJob names "<name>-<claim>" that are DNS-1123 labels of at most 52 characters ("${n}" is not)`
                        : undefined,
                );
                const podLabels = mountedBy(pvc, i);
                const term = podLabels && {
                    labelSelector: { matchLabels: podLabels },
                    topologyKey: "kubernetes.io/hostname",
                    namespaces: [namespace],
                };
                const container = withPodSettings(schedule.pod, {
                    name: "backup",
                    image,
                    command: ["/bin/sh", "-c", BACKUP_SCRIPT, "kube-backup"],
                    args: producer,
                    workingDir: DATA_DIR,
                    env: [
                        // Cluster, schedule and claim: two schedules of one claim, or two clusters, sharing a
                        // prefix never select each other's objects ('.' cannot occur in a cluster or schedule name).
                        { name: "BACKUP_NAME", value: pulumi.interpolate`${cluster}.${name}.${pvc}` },
                        { name: "BACKUP_EXT", value: ext },
                        { name: "BACKUP_KEEP", value: pulumi.output(retention).apply(String) },
                        { name: "BACKUP_SOURCE", value: "stream" },
                        { name: "BACKUP_COMPRESSION", value: compression },
                        { name: "BACKUP_DATA_DIR", value: DATA_DIR },
                        ...(strategy === "tar"
                            ? [
                                  {
                                      name: "BACKUP_SOURCE_EXIT1_WARNS",
                                      value: pulumi.output(failOnChanged).apply((f) => String(f !== true)),
                                  },
                              ]
                            : []),
                        ...TMP_ENV,
                        ...storage.env,
                        ...encryptionEnv,
                        ...chunkEnv,
                        ...ev.env(jobName),
                    ],
                    volumeMounts: [
                        { name: "data", mountPath: DATA_DIR, readOnly },
                        TMP_MOUNT,
                        ...storage.mounts,
                        ...ev.mounts,
                    ],
                });
                return backupCronJob(
                    {
                        name: jobName,
                        namespace,
                        component: "pvc-backup",
                        schedule,
                        pod: {
                            ...settings,
                            affinity: withPodAffinity(schedule.pod.affinity, term),
                            volumes: [
                                { name: "data", persistentVolumeClaim: { claimName: pvc, readOnly } },
                                TMP_VOLUME,
                                ...storage.volumes,
                                ...ev.volumes,
                            ],
                            containers: [
                                readAllFiles === undefined
                                    ? container
                                    : {
                                          ...container,
                                          securityContext: pulumi
                                              .all([container.securityContext!, exception])
                                              .apply(([s, x]) => ({ ...s, ...x })),
                                      },
                            ],
                        },
                    },
                    opts1,
                );
            });
        }

        this.cronJobNames = pulumi.all(cronJobs.map((c) => c.metadata.name));
        if (args.alerts !== undefined)
            backupAlertRule(val, name, namespace, this.cronJobNames, schedule, args.alerts, opts1);
        this.namespace = pulumi.output(namespace);
        this.bucket = pulumi.output(bucket);
        this.prefix = pulumi.output(prefix);
        this.s3SecretName = pulumi.output(args.storage ? s3SecretName(args.storage) : undefined);
        this.serviceAccountName = pulumi.output(serviceAccount);
        this.registerOutputs({
            cronJobNames: this.cronJobNames,
            namespace: this.namespace,
            bucket: this.bucket,
            prefix: this.prefix,
            s3SecretName: this.s3SecretName,
            serviceAccountName: this.serviceAccountName,
        });
    }

    private snapshotCronJob(
        name: string,
        namespace: pulumi.Input<string>,
        schedule: CheckedSchedule,
        serviceAccount: pulumi.Input<string> | undefined,
        s: {
            snapshotClass: pulumi.Input<string>;
            image: pulumi.Input<string>;
            retention: pulumi.Input<number>;
            selector?: pulumi.Input<Record<string, string>>;
            pvcNames?: string[];
        },
        opts: pulumi.CustomResourceOptions,
    ): k8s.batch.v1.CronJob {
        // Least privilege: the job may only manage VolumeSnapshots and read claims in its own namespace.
        const role = new k8s.rbac.v1.Role(
            name,
            {
                metadata: { name, namespace },
                rules: [
                    {
                        apiGroups: ["snapshot.storage.k8s.io"],
                        resources: ["volumesnapshots"],
                        verbs: ["create", "get", "list", "watch", "delete"],
                    },
                    { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list"] },
                ],
            },
            opts,
        );
        new k8s.rbac.v1.RoleBinding(
            name,
            {
                metadata: { name, namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount!, namespace }],
            },
            opts,
        );
        const env: k8s.types.input.core.v1.EnvVar[] = [
            { name: "BACKUP_NAME", value: name },
            { name: "BACKUP_KEEP", value: pulumi.output(s.retention).apply(String) },
            { name: "BACKUP_SNAPSHOT_CLASS", value: s.snapshotClass },
            { name: "BACKUP_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            ...TMP_ENV,
        ];
        if (s.selector) {
            env.push({
                name: "BACKUP_SELECTOR",
                value: pulumi.output(s.selector).apply((l) =>
                    Object.entries(l)
                        .map(([k, x]) => `${k}=${x}`)
                        .join(","),
                ),
            });
        } else {
            env.push({ name: "BACKUP_PVCS", value: s.pvcNames!.join(" ") });
        }
        return backupCronJob(
            {
                name,
                namespace,
                component: "pvc-snapshot",
                schedule,
                pod: {
                    ...podSpecSettings(schedule.pod, serviceAccount, true),
                    volumes: [TMP_VOLUME],
                    containers: [
                        withPodSettings(schedule.pod, {
                            name: "snapshot",
                            image: s.image,
                            command: ["/bin/sh", "-c", SNAPSHOT_SCRIPT, "kube-backup"],
                            env,
                            volumeMounts: [TMP_MOUNT],
                        }),
                    ],
                },
            },
            opts,
        );
    }
}

/**
 * rclone's part size (in MiB, "<n>M") for a stream of up to `maxSize`: S3 allows 10,000 parts; 5% of them are
 * kept spare so an archive a little over the estimate still fits. Never below the 16 MiB default.
 */
export function partSizeFor(maxSize: string): string {
    const bytes = v.quantityBytes(maxSize)!;
    return `${Math.max(16, Math.ceil(bytes / 9500 / 2 ** 20))}M`;
}

/** busybox (the default tools image's userland) has no zstd compressor: zstd needs an image of the user's choice. */
function zstdNeedsImage(
    val: v.Validator,
    compression: pulumi.Input<string>,
    image: pulumi.Input<string> | undefined,
): pulumi.Input<string> {
    if (image !== undefined) return compression;
    return val.relate(
        "compression",
        [compression],
        (c) =>
            c === "zstd"
                ? `"zstd" needs an "image" with a zstd binary: the default tools image ${DEFAULT_TOOLS_IMAGE} (Alpine busybox) has none; use "gzip" or set "image"`
                : undefined,
        compression,
    );
}

/** The user's affinity with a required pod-affinity term added (the user's own terms are kept). */
function withPodAffinity(
    user: pulumi.Input<Affinity> | undefined,
    term: PodAffinityTerm | undefined,
): pulumi.Input<Affinity> | undefined {
    if (!term) return user;
    return pulumi.output(user).apply((a) => {
        const base = (a ?? {}) as k8s.types.input.core.v1.Affinity;
        const pa = (base.podAffinity ?? {}) as k8s.types.input.core.v1.PodAffinity;
        const required = (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []) as PodAffinityTerm[];
        return {
            ...base,
            podAffinity: { ...pa, requiredDuringSchedulingIgnoredDuringExecution: [...required, term] },
        } as Affinity;
    });
}
