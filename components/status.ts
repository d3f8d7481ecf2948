// Live status of one backup CronJob, read when asked (component outputs never claim it): what the CronJob
// controller recorded, the Jobs it owns, and the newest complete backup the bucket actually holds.
import * as pulumi from "@pulumi/pulumi";
import { listStoredBackups, StoredBackup } from "./catalog";
import { KubeAccess, kubeClient, KubeError } from "./kube";

export interface BackupStatusArgs extends KubeAccess {
    namespace: string;
    /** The CronJob: an etcd schedule's name, or `<schedule>-<claim>` for a PVC schedule (its `cronJobNames`). */
    cronJob: string;
    /**
     * S3 access for the bucket check. Bucket, prefix, endpoint, region, path style and TLS skip default to the
     * CronJob's own environment; credentials default to the AWS SDK's chain (the job's Secret is not read).
     */
    storage?: StatusStorage;
}

/** Overrides of the S3 access a CronJob's environment gives (see BackupStatusArgs.storage). */
export interface StatusStorage {
    bucket?: string;
    prefix?: string;
    endpoint?: string;
    region?: string;
    forcePathStyle?: boolean;
    /** PEM CA bundle text. */
    caBundle?: string;
    insecureSkipTlsVerify?: boolean;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface FailedJob {
    name: string;
    startTime?: string;
    /** When the Job's Failed condition was set. */
    failedTime?: string;
    /** The Failed condition's reason (BackoffLimitExceeded, DeadlineExceeded, ...) and message. */
    reason?: string;
    message?: string;
}

export interface BackupStatus {
    namespace: string;
    cronJob: string;
    schedule: string;
    timeZone?: string;
    suspended: boolean;
    /** The controller's status.lastScheduleTime: when it last started a Job (not whether it succeeded). */
    lastScheduleTime?: string;
    /**
     * The controller's status.lastSuccessfulTime: when a Job last completed. A run that made its backup but then
     * failed (e.g. the prune) is not a success here; `newestCompleteBackup` tells them apart.
     */
    lastSuccessfulTime?: string;
    /** Names of the Jobs running now (status.active). */
    activeJobs: string[];
    /** The most recently failed Job still kept in the history (failedJobsHistoryLimit), if any. */
    lastFailedJob?: FailedJob;
    /** The newest complete backup of this CronJob in its bucket (none for the snapshot strategy). */
    newestCompleteBackup?: StoredBackup;
    /** Its age in seconds at `observedAt`, from the key's time. */
    newestCompleteBackupAgeSeconds?: number;
    /** When this status was read (RFC 3339). */
    observedAt: string;
}

interface EnvVar {
    name: string;
    value?: string;
}
interface Container {
    env?: EnvVar[];
}
interface CronJob {
    spec: {
        schedule: string;
        timeZone?: string;
        suspend?: boolean;
        jobTemplate: { spec: { template: { spec: { containers: Container[]; initContainers?: Container[] } } } };
    };
    status?: { lastScheduleTime?: string; lastSuccessfulTime?: string; active?: { name: string }[] };
}
interface Job {
    metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
    status?: {
        startTime?: string;
        conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    };
}

/** Reads one backup CronJob's live status, its Jobs and its newest complete backup. */
export async function getBackupStatus(args: BackupStatusArgs): Promise<BackupStatus> {
    if (!args.namespace || !args.cronJob) throw new Error("getBackupStatus: namespace and cronJob are required");
    const kube = kubeClient(args);
    const ns = encodeURIComponent(args.namespace);
    let cj: CronJob;
    try {
        cj = await kube.get<CronJob>(`/apis/batch/v1/namespaces/${ns}/cronjobs/${encodeURIComponent(args.cronJob)}`);
    } catch (e) {
        if (e instanceof KubeError && e.status === 404)
            throw new Error(`CronJob ${args.namespace}/${args.cronJob} not found (unknown schedule?)`, { cause: e });
        throw e;
    }
    const jobs = await kube.get<{ items: Job[] }>(`/apis/batch/v1/namespaces/${ns}/jobs`);
    const observed = new Date();
    const status: BackupStatus = {
        namespace: args.namespace,
        cronJob: args.cronJob,
        schedule: cj.spec.schedule,
        timeZone: cj.spec.timeZone,
        suspended: cj.spec.suspend === true,
        lastScheduleTime: cj.status?.lastScheduleTime,
        lastSuccessfulTime: cj.status?.lastSuccessfulTime,
        activeJobs: (cj.status?.active ?? []).map((a) => a.name).sort(),
        observedAt: observed.toISOString(),
    };
    let failed: FailedJob | undefined;
    for (const j of jobs.items) {
        if (!j.metadata.ownerReferences?.some((o) => o.kind === "CronJob" && o.name === args.cronJob)) continue;
        const c = j.status?.conditions?.find((x) => x.type === "Failed" && x.status === "True");
        if (!c) continue;
        const f: FailedJob = {
            name: j.metadata.name,
            startTime: j.status?.startTime,
            failedTime: c.lastTransitionTime,
            reason: c.reason,
            message: c.message,
        };
        const when = (x: FailedJob) => x.failedTime ?? x.startTime ?? "";
        if (!failed || when(f) > when(failed)) failed = f;
    }
    if (failed) status.lastFailedJob = JSON.parse(JSON.stringify(failed)) as FailedJob;

    const env = new Map<string, string>();
    const spec = cj.spec.jobTemplate.spec.template.spec;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers])
        for (const e of c.env ?? []) if (e.value !== undefined && !env.has(e.name)) env.set(e.name, e.value);
    const bucket = args.storage?.bucket ?? env.get("BACKUP_BUCKET");
    const name = env.get("BACKUP_NAME");
    if (bucket && name) {
        const [cluster, schedule, ...claim] = name.split(".");
        const backups = await listStoredBackups({
            prefix: env.get("BACKUP_PREFIX"),
            endpoint: env.get("S3_ENDPOINT_URL"),
            region: env.get("S3_REGION"),
            forcePathStyle: env.get("S3_FORCE_PATH_STYLE") === "true",
            insecureSkipTlsVerify: env.get("S3_INSECURE_SKIP_TLS_VERIFY") === "true",
            ...Object.fromEntries(Object.entries(args.storage ?? {}).filter(([, v]) => v !== undefined)),
            bucket,
            cluster,
            schedule,
            claim: claim.length ? claim.join(".") : undefined,
        });
        const newest = backups.find((b) => b.complete);
        if (newest) {
            status.newestCompleteBackup = newest;
            status.newestCompleteBackupAgeSeconds = Math.round((observed.getTime() - Date.parse(newest.time)) / 1000);
        }
    }
    return status;
}

type Inputs<T> = pulumi.Input<{ [K in keyof T]: pulumi.Input<T[K]> }>;

/**
 * getBackupStatus with Pulumi inputs. The status holds no secret (credentials and kubeconfig only grant access),
 * so it is not marked secret. It is read at every preview/update: a stack output of it is a snapshot.
 */
export function getBackupStatusOutput(args: Inputs<BackupStatusArgs>): pulumi.Output<BackupStatus> {
    return pulumi.unsecret(pulumi.output(args).apply((a) => getBackupStatus(a as BackupStatusArgs)));
}
