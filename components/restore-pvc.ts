// `kube-backup restore pvc`: the PvcRestore Job made from the claim's backup CronJob (its image, S3 settings,
// credentials and encryption references), for the newest complete backup at or before a time, then followed.
import * as crypto from "crypto";
import { listStoredBackups } from "./catalog";
import { KubeAccess, kubeClient, KubeError } from "./kube";
import { pickBackup } from "./restore";
import { followJob, RunBackupResult } from "./run";
import { PVC_RESTORE_SCRIPT } from "./scripts";
import type { StatusStorage } from "./status";

export interface RestorePvcArgs extends KubeAccess {
    namespace: string;
    /** The PvcBackupSchedule's name and the claim it backs up (its CronJob is `<schedule>-<claim>`). */
    schedule: string;
    claim: string;
    /** The claim to restore into (new and empty, or any with overwrite). */
    targetClaim: string;
    /** RFC 3339 or "latest" (default). */
    at?: string;
    overwrite?: boolean;
    /** S3 overrides and credentials for choosing the backup (default: the CronJob's settings, the SDK's chain). */
    storage?: StatusStorage;
    timeoutSeconds?: number;
    pollMs?: number;
}

interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: unknown;
}
interface Container {
    name: string;
    env?: EnvVar[];
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
    [k: string]: unknown;
}
interface PodSpec {
    containers: Container[];
    volumes?: { name: string; [k: string]: unknown }[];
    [k: string]: unknown;
}

const KEEP_ENV = /^(BACKUP_BUCKET|BACKUP_ENCRYPTION_PASSWORD|BACKUP_ENCRYPTION_SALT|S3_.*|AWS_.*|HOME|TMPDIR)$/;

/** Chooses the backup, creates the restore Job and follows it. */
export async function restorePvc(
    a: RestorePvcArgs,
    log: (line: string) => void = () => {},
): Promise<RunBackupResult & { key: string }> {
    const kube = kubeClient(a);
    const base = `/apis/batch/v1/namespaces/${encodeURIComponent(a.namespace)}`;
    const cronJob = `${a.schedule}-${a.claim}`;
    let cj: {
        metadata: { uid: string };
        spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } };
    };
    try {
        cj = await kube.get(`${base}/cronjobs/${encodeURIComponent(cronJob)}`);
    } catch (e) {
        if (e instanceof KubeError && e.status === 404)
            throw new Error(
                `CronJob ${a.namespace}/${cronJob} not found: unknown schedule "${a.schedule}" or claim "${a.claim}"`,
                { cause: e },
            );
        throw e;
    }
    const pod = cj.spec.jobTemplate.spec.template.spec;
    const c0 = pod.containers[0];
    const env = new Map((c0.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    const bucket = a.storage?.bucket ?? env.get("BACKUP_BUCKET");
    const name = env.get("BACKUP_NAME");
    if (!bucket || !name)
        throw new Error(
            `CronJob ${a.namespace}/${cronJob} is not a tar/custom PVC backup (no BACKUP_BUCKET/BACKUP_NAME)`,
        );
    const [cluster, schedule, ...claim] = name.split(".");
    const prefix = a.storage?.prefix ?? env.get("BACKUP_PREFIX");
    const all = await listStoredBackups({
        endpoint: env.get("S3_ENDPOINT_URL"),
        region: env.get("S3_REGION"),
        forcePathStyle: env.get("S3_FORCE_PATH_STYLE") === "true",
        insecureSkipTlsVerify: env.get("S3_INSECURE_SKIP_TLS_VERIFY") === "true",
        ...Object.fromEntries(Object.entries(a.storage ?? {}).filter(([, v]) => v !== undefined)),
        bucket,
        prefix,
        cluster,
        schedule,
        claim: claim.join("."),
    });
    const b = pickBackup(all, { schedule, cluster, at: a.at }, `s3://${bucket}/${prefix ?? ""}`);
    log(`chosen: s3://${bucket}/${b.key} (${b.time}, ${b.size} bytes)`);

    const jobName = `${a.schedule.slice(0, 63 - 15)}-restore-${crypto.randomBytes(3).toString("hex")}`;
    const container: Container = {
        ...c0,
        name: "restore",
        command: ["/bin/sh", "-c", PVC_RESTORE_SCRIPT, "kube-backup-restore"],
        args: undefined,
        env: [
            ...(c0.env ?? []).filter((e) => KEEP_ENV.test(e.name)),
            { name: "RESTORE_KEY", value: b.key },
            { name: "RESTORE_DIR", value: "/data" },
            { name: "RESTORE_OVERWRITE", value: String(a.overwrite === true) },
        ],
        volumeMounts: (c0.volumeMounts ?? []).map((m) =>
            m.name === "data" ? { name: "data", mountPath: "/data" } : m,
        ),
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: false,
            runAsUser: 0,
            runAsGroup: 0,
            capabilities: { drop: ["ALL"], add: ["CHOWN", "FOWNER", "DAC_OVERRIDE", "FSETID"] },
        },
    };
    const spec: PodSpec = {
        ...pod,
        // The backup's placement follows the application pod that mounts the source claim: not needed here.
        affinity: undefined,
        initContainers: undefined,
        securityContext: {
            runAsUser: 0,
            runAsGroup: 0,
            runAsNonRoot: false,
            seccompProfile: { type: "RuntimeDefault" },
        },
        containers: [container],
        volumes: (pod.volumes ?? []).map((v) =>
            v.name === "data" ? { name: "data", persistentVolumeClaim: { claimName: a.targetClaim } } : v,
        ),
    };
    await kube.request("POST", `${base}/jobs`, {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: jobName,
            namespace: a.namespace,
            labels: { "app.kubernetes.io/name": "kube-backup", "app.kubernetes.io/component": "pvc-restore" },
            annotations: { "backup.kube-backup.io/restore-key": b.key },
        },
        spec: { backoffLimit: 0, activeDeadlineSeconds: 3600, template: { spec } },
    });
    log(`created job ${a.namespace}/${jobName} restoring into claim ${a.targetClaim}`);
    const r = await followJob(kube, a.namespace, jobName, (a.timeoutSeconds ?? 3900) * 1000, a.pollMs ?? 2000, log);
    return { ...r, key: b.key };
}
