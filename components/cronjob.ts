// The CronJob shape both schedules share: overlap guard, deadlines, small retry budget, failed pods kept for logs,
// and the pod settings (service account, security context, pull secrets, priority, resources, placement) whose
// defaults meet the `restricted` Pod Security profile.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupAlerts } from "./alerts";
import * as v from "./validation";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type ResourceRequirements = k8s.types.input.core.v1.ResourceRequirements;
type Affinity = k8s.types.input.core.v1.Affinity;
type Toleration = k8s.types.input.core.v1.Toleration;

/** A ServiceAccount the schedule creates for its pods (named after the schedule). */
export interface CreatedServiceAccount {
    /** IAM role for IRSA: sets the annotation eks.amazonaws.com/role-arn. */
    awsRoleArn?: pulumi.Input<string>;
    /** Further annotations (e.g. another cloud's workload identity). */
    annotations?: pulumi.Input<Record<string, string>>;
}

/** Inputs common to both schedules. */
export interface ScheduleArgs {
    /** Standard 5-field cron expression (or @hourly/@daily/@weekly/@monthly/@yearly). */
    schedule: pulumi.Input<string>;
    /** IANA time zone for the schedule. Default "Etc/UTC". */
    timeZone?: pulumi.Input<string>;
    /** Pause the schedule without deleting anything. Default false. */
    suspend?: pulumi.Input<boolean>;
    /** Namespace of the CronJob (and its Secrets). */
    namespace?: pulumi.Input<string>;
    /** Seconds after a missed start time during which the job may still start. Default 600. */
    startingDeadlineSeconds?: pulumi.Input<number>;
    /** Hard limit for one run (hung uploads). Default 3600. */
    activeDeadlineSeconds?: pulumi.Input<number>;
    /** Pod retries per run. Default 1. */
    backoffLimit?: pulumi.Input<number>;
    /** Finished jobs kept. Defaults 3 successful, 5 failed (failed pods keep their logs). */
    successfulJobsHistoryLimit?: pulumi.Input<number>;
    failedJobsHistoryLimit?: pulumi.Input<number>;
    /** Resources of each backup container. Default requests cpu 50m, memory 128Mi; limit memory 512Mi. */
    resources?: pulumi.Input<ResourceRequirements>;
    /** Extra labels on the CronJob and its pods. */
    labels?: pulumi.Input<Record<string, string>>;
    /** An existing ServiceAccount the pods run as (e.g. one bound to an IAM role). Default: none is mounted. */
    serviceAccountName?: pulumi.Input<string>;
    /** Create a ServiceAccount for the pods, e.g. with the IRSA role annotation or for an EKS Pod Identity association. */
    createServiceAccount?: CreatedServiceAccount;
    /** Merged over the pod defaults (runAsNonRoot, runAsUser/Group and fsGroup 65532, seccomp RuntimeDefault). */
    podSecurityContext?: pulumi.Input<PodSecurityContext>;
    /**
     * Merged over every container's defaults (allowPrivilegeEscalation false, all capabilities dropped,
     * read-only root filesystem, runAsNonRoot).
     */
    containerSecurityContext?: pulumi.Input<SecurityContext>;
    /** Names of Secrets (in the schedule's namespace) for pulling the images from a private registry. */
    imagePullSecrets?: pulumi.Input<string>[];
    /** PriorityClass of the backup pods. */
    priorityClassName?: pulumi.Input<string>;
    /** Node labels the backup pods require (ANDed with the affinity). */
    nodeSelector?: pulumi.Input<Record<string, string>>;
    /** Affinity of the backup pods. */
    affinity?: pulumi.Input<Affinity>;
    /** Tolerations of the backup pods. */
    tolerations?: pulumi.Input<pulumi.Input<Toleration>[]>;
    /** Opt-in alerts: a PrometheusRule (monitoring.coreos.com/v1, the Prometheus Operator's CRD) for this schedule. */
    alerts?: BackupAlerts;
}

/** Defaults that pass the `restricted` Pod Security profile. 65532 is the conventional "nonroot" UID. */
export const NONROOT_UID = 65532;
export const DEFAULT_POD_SECURITY_CONTEXT: PodSecurityContext = {
    runAsNonRoot: true,
    runAsUser: NONROOT_UID,
    runAsGroup: NONROOT_UID,
    fsGroup: NONROOT_UID,
    seccompProfile: { type: "RuntimeDefault" },
};
export const DEFAULT_CONTAINER_SECURITY_CONTEXT: SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
};
export const DEFAULT_RESOURCES = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } };

export interface CheckedSchedule {
    schedule: pulumi.Input<string>;
    timeZone: pulumi.Input<string>;
    suspend: pulumi.Input<boolean>;
    startingDeadlineSeconds: pulumi.Input<number>;
    activeDeadlineSeconds: pulumi.Input<number>;
    backoffLimit: pulumi.Input<number>;
    successfulJobsHistoryLimit: pulumi.Input<number>;
    failedJobsHistoryLimit: pulumi.Input<number>;
    labels: pulumi.Input<Record<string, string>>;
    pod: PodSettings;
}

export interface PodSettings {
    serviceAccountName?: pulumi.Input<string>;
    createServiceAccount?: { annotations: pulumi.Input<Record<string, string>> };
    podSecurityContext: pulumi.Input<PodSecurityContext>;
    containerSecurityContext: pulumi.Input<SecurityContext>;
    imagePullSecrets?: { name: pulumi.Input<string> }[];
    priorityClassName?: pulumi.Input<string>;
    resources: pulumi.Input<ResourceRequirements>;
    nodeSelector?: pulumi.Input<Record<string, string>>;
    affinity?: pulumi.Input<Affinity>;
    tolerations?: pulumi.Input<pulumi.Input<Toleration>[]>;
}

const merge = <T extends object>(defaults: T, user: pulumi.Input<T> | undefined): pulumi.Input<T> =>
    user === undefined ? defaults : pulumi.output(user).apply((u) => ({ ...defaults, ...(u as T) }) as T);

export function checkSchedule(val: v.Validator, a: ScheduleArgs): CheckedSchedule {
    return {
        schedule: val.required("schedule", a.schedule, v.cronSchedule),
        timeZone: val.check("timeZone", a.timeZone, v.ianaTimeZone) ?? "Etc/UTC",
        suspend: val.check("suspend", a.suspend, v.isBoolean) ?? false,
        startingDeadlineSeconds:
            val.check("startingDeadlineSeconds", a.startingDeadlineSeconds, v.integerIn(10, 86400)) ?? 600,
        activeDeadlineSeconds:
            val.check("activeDeadlineSeconds", a.activeDeadlineSeconds, v.integerIn(60, 7 * 86400)) ?? 3600,
        backoffLimit: val.check("backoffLimit", a.backoffLimit, v.integerIn(0, 6)) ?? 1,
        successfulJobsHistoryLimit:
            val.check("successfulJobsHistoryLimit", a.successfulJobsHistoryLimit, v.integerIn(0, 100)) ?? 3,
        failedJobsHistoryLimit: val.check("failedJobsHistoryLimit", a.failedJobsHistoryLimit, v.integerIn(1, 100)) ?? 5,
        labels: val.check("labels", a.labels, v.labelMap) ?? {},
        pod: checkPod(val, a),
    };
}

function checkPod(val: v.Validator, a: ScheduleArgs): PodSettings {
    const saName = val.check("serviceAccountName", a.serviceAccountName, v.dnsSubdomain);
    let created: PodSettings["createServiceAccount"];
    if (a.createServiceAccount !== undefined) {
        if (a.serviceAccountName !== undefined)
            val.fail(
                "createServiceAccount",
                'must not be set together with "serviceAccountName" (create one, or name an existing one)',
                { createServiceAccount: a.createServiceAccount, serviceAccountName: a.serviceAccountName },
            );
        const c = a.createServiceAccount;
        val.check("createServiceAccount", c, v.plainObject);
        const roleArn = val.check("createServiceAccount.awsRoleArn", c.awsRoleArn, v.iamRoleArn);
        const extra = val.check("createServiceAccount.annotations", c.annotations, v.annotationMap) ?? {};
        created = {
            annotations: pulumi
                .all([extra, roleArn])
                .apply(([x, r]) => (r === undefined ? { ...x } : { ...x, "eks.amazonaws.com/role-arn": r })),
        };
    }
    const pullSecrets = a.imagePullSecrets;
    if (pullSecrets !== undefined) {
        if (pulumi.Output.isInstance(pullSecrets) || !Array.isArray(pullSecrets))
            val.fail("imagePullSecrets", "must be a plain list of Secret names", pullSecrets);
        val.check("imagePullSecrets", pullSecrets, v.nonEmptyArray, v.uniqueItems);
    }
    return {
        serviceAccountName: saName,
        createServiceAccount: created,
        podSecurityContext: merge(
            DEFAULT_POD_SECURITY_CONTEXT,
            val.check("podSecurityContext", a.podSecurityContext, v.plainObject, v.podSecurityContext),
        ),
        containerSecurityContext: merge(
            DEFAULT_CONTAINER_SECURITY_CONTEXT,
            val.check(
                "containerSecurityContext",
                a.containerSecurityContext,
                v.plainObject,
                v.containerSecurityContext,
            ),
        ),
        imagePullSecrets: pullSecrets?.map((n, i) => ({
            name: val.check(`imagePullSecrets[${i}]`, n, v.dnsSubdomain)!,
        })),
        priorityClassName: val.check("priorityClassName", a.priorityClassName, v.dnsSubdomain),
        resources: val.check("resources", a.resources, v.plainObject, v.resourceRequirements) ?? DEFAULT_RESOURCES,
        nodeSelector: val.check("nodeSelector", a.nodeSelector, v.labelMap),
        affinity: val.check("affinity", a.affinity, v.plainObject),
        tolerations: val.check("tolerations", a.tolerations, v.isArray),
    };
}

/** The ServiceAccount name the pods use: a created one (parented to the component), the given one, or none. */
export function podServiceAccount(
    name: string,
    namespace: pulumi.Input<string>,
    p: PodSettings,
    opts: pulumi.CustomResourceOptions,
    always = false,
): pulumi.Input<string> | undefined {
    if (p.serviceAccountName !== undefined) return p.serviceAccountName;
    if (!p.createServiceAccount && !always) return undefined;
    const sa = new k8s.core.v1.ServiceAccount(
        name,
        { metadata: { name, namespace, annotations: p.createServiceAccount?.annotations } },
        opts,
    );
    return sa.metadata.name;
}

/** A container with the schedule's resources and security context (`exception` overrides, for host access). */
export function withPodSettings(
    p: PodSettings,
    c: k8s.types.input.core.v1.Container,
    exception?: SecurityContext,
): k8s.types.input.core.v1.Container {
    const securityContext =
        exception === undefined
            ? p.containerSecurityContext
            : pulumi.output(p.containerSecurityContext).apply((s) => ({ ...s, ...exception }));
    return { ...c, resources: p.resources, securityContext };
}

/** The pod-level settings: placement, identity, security context, pull secrets and priority. */
export function podSpecSettings(
    p: PodSettings,
    serviceAccountName: pulumi.Input<string> | undefined,
    needsApiToken: boolean,
): Partial<k8s.types.input.core.v1.PodSpec> {
    return {
        restartPolicy: "Never",
        serviceAccountName,
        // Only the snapshot job calls the API server; IRSA and Pod Identity inject their own projected tokens.
        automountServiceAccountToken: needsApiToken,
        securityContext: p.podSecurityContext,
        imagePullSecrets: p.imagePullSecrets,
        priorityClassName: p.priorityClassName,
        nodeSelector: p.nodeSelector,
        affinity: p.affinity,
        tolerations: p.tolerations,
    };
}

/** Writable scratch space for read-only root filesystems: HOME and TMPDIR point at an emptyDir. */
export const TMP_VOLUME: k8s.types.input.core.v1.Volume = { name: "tmp", emptyDir: {} };
export const TMP_MOUNT: k8s.types.input.core.v1.VolumeMount = { name: "tmp", mountPath: "/tmp" };
export const TMP_ENV: k8s.types.input.core.v1.EnvVar[] = [
    { name: "HOME", value: "/tmp" },
    { name: "TMPDIR", value: "/tmp" },
];

export interface CronJobParts {
    name: string;
    namespace: pulumi.Input<string>;
    component: string;
    schedule: CheckedSchedule;
    /** Must set restartPolicy "Never" (failed pods stay for their logs). */
    pod: k8s.types.input.core.v1.PodSpec;
}

export function backupCronJob(p: CronJobParts, opts: pulumi.CustomResourceOptions): k8s.batch.v1.CronJob {
    const s = p.schedule;
    const labels = pulumi.output(s.labels).apply((l) => ({
        ...l,
        "app.kubernetes.io/name": "kube-backup",
        "app.kubernetes.io/component": p.component,
        "app.kubernetes.io/instance": p.name,
    }));
    return new k8s.batch.v1.CronJob(
        p.name,
        {
            metadata: {
                name: p.name,
                namespace: p.namespace,
                labels,
                // The stack owns this CronJob: after someone edits it by hand (kubectl edit), `pulumi up --refresh`
                // takes the fields back instead of failing on a Server-Side Apply conflict.
                annotations: { "pulumi.com/patchForce": "true" },
            },
            spec: {
                schedule: s.schedule,
                timeZone: s.timeZone,
                suspend: s.suspend,
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: s.startingDeadlineSeconds,
                successfulJobsHistoryLimit: s.successfulJobsHistoryLimit,
                failedJobsHistoryLimit: s.failedJobsHistoryLimit,
                jobTemplate: {
                    metadata: { labels },
                    spec: {
                        backoffLimit: s.backoffLimit,
                        activeDeadlineSeconds: s.activeDeadlineSeconds,
                        template: {
                            metadata: { labels },
                            spec: p.pod,
                        },
                    },
                },
            },
        },
        opts,
    );
}

/** Where the events token is mounted; the script reads `token` and `ca.crt` there. */
export const EVENTS_DIR = "/var/run/kube-backup/events";

export interface EventsAccess {
    serviceAccount: pulumi.Input<string> | undefined;
    volumes: k8s.types.input.core.v1.Volume[];
    mounts: k8s.types.input.core.v1.VolumeMount[];
    /** The backup container's environment for Events about `cronJob`. */
    env(cronJob: pulumi.Input<string>): k8s.types.input.core.v1.EnvVar[];
}

/**
 * Opt-in Kubernetes Events from the backup job (a Normal `BackupSucceeded` or a Warning `BackupFailed` about the
 * CronJob). Least privilege: a Role allowing only `create` on events in the namespace, bound to the job's service
 * account (created unless `serviceAccountName` is given). The token reaches only the backup container, through a
 * projected volume (an hour's token and the cluster CA from `kube-root-ca.crt`), not the automounted one; the
 * script verifies the API server with that CA.
 */
export function eventsAccess(
    name: string,
    namespace: pulumi.Input<string>,
    p: PodSettings,
    enabled: boolean,
    opts: pulumi.CustomResourceOptions,
): EventsAccess {
    if (!enabled)
        return { serviceAccount: podServiceAccount(name, namespace, p, opts), volumes: [], mounts: [], env: () => [] };
    const serviceAccount = podServiceAccount(name, namespace, p, opts, true)!;
    const role = new k8s.rbac.v1.Role(
        `${name}-events`,
        {
            metadata: { name: `${name}-events`, namespace },
            rules: [{ apiGroups: [""], resources: ["events"], verbs: ["create"] }],
        },
        opts,
    );
    new k8s.rbac.v1.RoleBinding(
        `${name}-events`,
        {
            metadata: { name: `${name}-events`, namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace }],
        },
        opts,
    );
    return {
        serviceAccount,
        volumes: [
            {
                name: "events-token",
                projected: {
                    sources: [
                        { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                    ],
                },
            },
        ],
        mounts: [{ name: "events-token", mountPath: EVENTS_DIR, readOnly: true }],
        env: (cronJob) => [
            { name: "BACKUP_EVENTS_DIR", value: EVENTS_DIR },
            { name: "BACKUP_EVENT_CRONJOB", value: cronJob },
            { name: "BACKUP_EVENT_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "BACKUP_EVENT_POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ],
    };
}
