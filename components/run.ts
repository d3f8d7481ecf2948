// On-demand backup: a Job made from the CronJob's template (what `kubectl create job --from=cronjob/...` does),
// followed until it completes or fails.
import * as crypto from "crypto";
import { KubeAccess, KubeClient, kubeClient, KubeError } from "./kube";

export interface RunBackupArgs extends KubeAccess {
    namespace: string;
    cronJob: string;
    /** Give up waiting after this many seconds (the Job keeps running). Default: the Job's activeDeadlineSeconds + 300. */
    timeoutSeconds?: number;
    /** Poll interval. Default 2000 ms. */
    pollMs?: number;
}

export interface RunBackupResult {
    job: string;
    succeeded: boolean;
    reason?: string;
    message?: string;
}

interface JobStatus {
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/** Creates a Job from the CronJob and follows it; resolves when it completes or fails. */
export async function runBackupNow(a: RunBackupArgs, log: (line: string) => void = () => {}): Promise<RunBackupResult> {
    const kube = kubeClient(a);
    const base = `/apis/batch/v1/namespaces/${encodeURIComponent(a.namespace)}`;
    let cj: {
        metadata: { uid: string };
        spec: {
            jobTemplate: {
                metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
                spec: { activeDeadlineSeconds?: number };
            };
        };
    };
    try {
        cj = await kube.get(`${base}/cronjobs/${encodeURIComponent(a.cronJob)}`);
    } catch (e) {
        if (e instanceof KubeError && e.status === 404)
            throw new Error(`CronJob ${a.namespace}/${a.cronJob} not found (unknown schedule?)`, { cause: e });
        throw e;
    }
    const name = `${a.cronJob.slice(0, 63 - 13)}-manual-${crypto.randomBytes(3).toString("hex")}`;
    const t = cj.spec.jobTemplate;
    await kube.request("POST", `${base}/jobs`, {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name,
            namespace: a.namespace,
            labels: t.metadata?.labels,
            annotations: { ...t.metadata?.annotations, "cronjob.kubernetes.io/instantiate": "manual" },
            ownerReferences: [
                { apiVersion: "batch/v1", kind: "CronJob", name: a.cronJob, uid: cj.metadata.uid, controller: true },
            ],
        },
        spec: t.spec,
    });
    log(`created job ${a.namespace}/${name} from cronjob ${a.cronJob}`);
    const timeout = (a.timeoutSeconds ?? (t.spec.activeDeadlineSeconds ?? 3600) + 300) * 1000;
    return followJob(kube, a.namespace, name, timeout, a.pollMs ?? 2000, log);
}

/** Polls a Job until its Complete or Failed condition; logs each change of its counts. @internal */
export async function followJob(
    kube: KubeClient,
    namespace: string,
    name: string,
    timeout: number,
    pollMs: number,
    log: (line: string) => void,
): Promise<RunBackupResult> {
    const base = `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}`;
    const deadline = Date.now() + timeout;
    let last = "";
    for (;;) {
        const job = await kube.get<{ status?: JobStatus }>(`${base}/jobs/${name}`);
        const s = job.status ?? {};
        const now = `active ${s.active ?? 0}, succeeded ${s.succeeded ?? 0}, failed pods ${s.failed ?? 0}`;
        if (now !== last) log(`job ${name}: ${now}`);
        last = now;
        const done = s.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
        if (done) {
            const r: RunBackupResult = { job: name, succeeded: done.type === "Complete" };
            if (done.reason) r.reason = done.reason;
            if (done.message) r.message = done.message;
            return r;
        }
        if (Date.now() > deadline)
            throw new Error(`job ${namespace}/${name} did not finish within ${timeout / 1000} s (it keeps running)`);
        await new Promise((res) => setTimeout(res, pollMs));
    }
}
