// PvcBackupSchedule: scheduled backups of PersistentVolumeClaims.
//   tar      one CronJob per claim: tar of the read-only mounted claim | gzip/zstd streamed to S3 (no temporary
//            copy), then the shared verify/marker/prune script.
//   custom   like tar, but a user command (argv, exec form) produces the archive on stdout.
//   snapshot one CronJob whose Job creates a CSI VolumeSnapshot per claim (by name or label selector), waits for
//            readyToUse and keeps the newest N ready ones. A Job, not a Pulumi CustomResource: a CustomResource
//            is created once at `pulumi up`, while a schedule needs a new snapshot at every tick, and the
//            snapshots must not be Pulumi-managed state (the next `up` would delete them).
// RWO claims can only be mounted on the node of the pod using them: `coScheduleWith` adds a required pod affinity
// to that pod's labels so the backup pod lands on the same node (no Multi-Attach error).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { backupCronJob, checkSchedule, nextRunOutput, ScheduleArgs } from "./cronjob";
import { DEFAULT_TOOLS_IMAGE } from "./etcd";
import { BACKUP_SCRIPT, SNAPSHOT_SCRIPT } from "./scripts";
import { BackupStorage, resolveStorage, s3SecretName } from "./storage";
import * as v from "./validation";

export const DEFAULT_KUBECTL_IMAGE = "docker.io/alpine/k8s:1.35.0";
const DATA_DIR = "/data";

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
    /** Keep the N newest complete backups (or ready snapshots) per claim. Default 7, at least 1. */
    retention?: pulumi.Input<number>;
    /** tar/custom: where archives go. */
    storage?: BackupStorage;
    /** Image: for tar/custom sh + aws CLI + tar + gzip/zstd; for snapshot sh + kubectl. */
    image?: pulumi.Input<string>;
    /** Mount claims read-only. Default true. */
    readOnly?: pulumi.Input<boolean>;
    /** Labels of the pod that mounts the claim(s); the backup pod is scheduled onto its node. */
    coScheduleWith?: pulumi.Input<Record<string, string>>;
    nodeSelector?: pulumi.Input<Record<string, string>>;
    tolerations?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.Toleration>[]>;
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
    readonly nextRunTime: pulumi.Output<string | undefined>;
    readonly s3SecretName: pulumi.Output<string | undefined>;

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
        const nodeSelector = val.check("nodeSelector", args.nodeSelector, v.labelMap);
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
        const labels = { parent: this };

        let cronJobs: k8s.batch.v1.CronJob[];
        let bucket: pulumi.Input<string> | undefined;
        let prefix: pulumi.Input<string> | undefined;
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
            const image = val.check("image", args.image, v.imageRef) ?? DEFAULT_KUBECTL_IMAGE;
            cronJobs = [
                this.snapshotCronJob(
                    name,
                    namespace,
                    schedule,
                    args,
                    { snapshotClass, image, retention, selector, pvcNames, nodeSelector },
                    labels,
                ),
            ];
        } else {
            if (args.volumeSnapshotClass)
                val.fail("volumeSnapshotClass", 'only applies to strategy "snapshot"', args.volumeSnapshotClass);
            const storage = resolveStorage(
                val,
                args.storage,
                `pvc/${typeof namespace === "string" ? namespace : "ns"}/${name}`,
                namespace,
            );
            if (typeof namespace !== "string" && args.storage?.prefix === undefined) {
                val.fail("storage.prefix", "is required when namespace is not a plain string", namespace);
            }
            bucket = storage.bucket;
            prefix = storage.prefix;
            const image = val.check("image", args.image, v.imageRef) ?? DEFAULT_TOOLS_IMAGE;
            let producer: pulumi.Input<string>[];
            let ext: pulumi.Input<string>;
            let compression: pulumi.Input<string>;
            if (strategy === "tar") {
                if (args.command) val.fail("command", 'only applies to strategy "custom"', args.command);
                compression = val.check("compression", args.compression, v.oneOf("gzip", "zstd", "none")) ?? "gzip";
                producer = ["tar", "-C", "$(BACKUP_DATA_DIR)", "-cf", "-", "."];
                ext = pulumi
                    .output(compression)
                    .apply((c) => (c === "gzip" ? ".tar.gz" : c === "zstd" ? ".tar.zst" : ".tar"));
            } else {
                compression = val.check("compression", args.compression, v.oneOf("gzip", "zstd", "none")) ?? "none";
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
            cronJobs = pvcNames!.map((pvc) => {
                const jobName = `${name}-${pvc}`;
                val.check("pvcNames", jobName, (n: string) =>
                    v.dnsLabel(52)(n)
                        ? `must give CronJob names "<name>-<claim>" that are DNS-1123 labels of at most 52 characters ("${n}" is not)`
                        : undefined,
                );
                const affinity = coSchedule
                    ? {
                          podAffinity: {
                              requiredDuringSchedulingIgnoredDuringExecution: [
                                  {
                                      labelSelector: { matchLabels: coSchedule },
                                      topologyKey: "kubernetes.io/hostname",
                                      namespaces: [namespace],
                                  },
                              ],
                          },
                      }
                    : undefined;
                return backupCronJob(
                    {
                        name: jobName,
                        namespace,
                        component: "pvc-backup",
                        schedule,
                        pod: {
                            restartPolicy: "Never",
                            affinity,
                            nodeSelector,
                            tolerations: args.tolerations,
                            volumes: [
                                { name: "data", persistentVolumeClaim: { claimName: pvc, readOnly } },
                                ...storage.volumes,
                            ],
                            containers: [
                                {
                                    name: "backup",
                                    image,
                                    command: ["/bin/sh", "-c", BACKUP_SCRIPT, "kube-backup"],
                                    args: producer,
                                    workingDir: DATA_DIR,
                                    env: [
                                        { name: "BACKUP_NAME", value: pvc },
                                        { name: "BACKUP_EXT", value: ext },
                                        { name: "BACKUP_KEEP", value: pulumi.output(retention).apply(String) },
                                        { name: "BACKUP_SOURCE", value: "stream" },
                                        { name: "BACKUP_COMPRESSION", value: compression },
                                        { name: "BACKUP_DATA_DIR", value: DATA_DIR },
                                        ...storage.env,
                                    ],
                                    volumeMounts: [{ name: "data", mountPath: DATA_DIR, readOnly }, ...storage.mounts],
                                    resources: args.resources,
                                },
                            ],
                        },
                    },
                    labels,
                );
            });
        }

        this.cronJobNames = pulumi.all(cronJobs.map((c) => c.metadata.name));
        this.namespace = pulumi.output(namespace);
        this.bucket = pulumi.output(bucket);
        this.prefix = pulumi.output(prefix);
        this.nextRunTime = nextRunOutput(schedule);
        this.s3SecretName = pulumi.output(args.storage ? s3SecretName(args.storage) : undefined);
        this.registerOutputs({
            cronJobNames: this.cronJobNames,
            namespace: this.namespace,
            bucket: this.bucket,
            prefix: this.prefix,
            nextRunTime: this.nextRunTime,
            s3SecretName: this.s3SecretName,
        });
    }

    private snapshotCronJob(
        name: string,
        namespace: pulumi.Input<string>,
        schedule: ReturnType<typeof checkSchedule>,
        args: PvcBackupScheduleArgs,
        s: {
            snapshotClass: pulumi.Input<string>;
            image: pulumi.Input<string>;
            retention: pulumi.Input<number>;
            selector?: pulumi.Input<Record<string, string>>;
            pvcNames?: string[];
            nodeSelector?: pulumi.Input<Record<string, string>>;
        },
        opts: pulumi.CustomResourceOptions,
    ): k8s.batch.v1.CronJob {
        // Least privilege: the job may only manage VolumeSnapshots and read claims in its own namespace.
        const sa = new k8s.core.v1.ServiceAccount(name, { metadata: { name, namespace } }, opts);
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
                subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace }],
            },
            opts,
        );
        const env: k8s.types.input.core.v1.EnvVar[] = [
            { name: "BACKUP_NAME", value: name },
            { name: "BACKUP_KEEP", value: pulumi.output(s.retention).apply(String) },
            { name: "BACKUP_SNAPSHOT_CLASS", value: s.snapshotClass },
            { name: "BACKUP_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
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
                    restartPolicy: "Never",
                    serviceAccountName: sa.metadata.name,
                    nodeSelector: s.nodeSelector,
                    tolerations: args.tolerations,
                    containers: [
                        {
                            name: "snapshot",
                            image: s.image,
                            command: ["/bin/sh", "-c", SNAPSHOT_SCRIPT, "kube-backup"],
                            env,
                            resources: args.resources,
                        },
                    ],
                },
            },
            opts,
        );
    }
}
