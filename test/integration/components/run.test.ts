// `kube-backup run` against the local API server: no kubelet runs the Job, so the test plays the Job controller's
// last step and sets the Job's terminal status through the API; the command's exit code and output follow it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterHandle, startCluster } from "../../../tools/local/cluster";
import { main } from "../../../cli/main";

jest.setTimeout(300_000);

let cluster: ClusterHandle;
let kubeconfig: string;
const NS = "run-test";

beforeAll(async () => {
    cluster = await startCluster();
    kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kb-run-")), "kubeconfig");
    fs.writeFileSync(kubeconfig, cluster.kubeconfig, { mode: 0o600 });
    await cluster.request("POST", "/api/v1/namespaces", { metadata: { name: NS } });
    const r = await cluster.request("POST", `/apis/batch/v1/namespaces/${NS}/cronjobs`, {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "etcd", labels: { "app.kubernetes.io/name": "kube-backup" } },
        spec: {
            schedule: "0 3 * * *",
            suspend: true,
            jobTemplate: {
                metadata: { labels: { "app.kubernetes.io/instance": "etcd" } },
                spec: {
                    backoffLimit: 1,
                    activeDeadlineSeconds: 600,
                    template: {
                        spec: { restartPolicy: "Never", containers: [{ name: "upload", image: "busybox:1.36" }] },
                    },
                },
            },
        },
    });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
});

afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
});

/** Waits for the Job the command created and sets its terminal status as the Job controller would. */
async function finish(outcome: "Complete" | "Failed"): Promise<any> {
    const job = await cluster.waitFor("the manual Job", async () => {
        const r = await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs`);
        return r.body.items.find((j: any) => !seen.has(j.metadata.name));
    });
    seen.add(job.metadata.name);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const cond = (type: string, reason: string, message: string) => ({
        type,
        status: "True",
        reason,
        message,
        lastTransitionTime: now,
        lastProbeTime: now,
    });
    for (let attempt = 0; ; attempt++) {
        const cur = (await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs/${job.metadata.name}`)).body;
        cur.status = {
            ...cur.status,
            startTime: cur.status?.startTime ?? now,
            active: 0,
            ready: 0,
            terminating: 0,
            ...(outcome === "Complete"
                ? {
                      succeeded: 1,
                      completionTime: now,
                      conditions: [
                          cond("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
                          cond("Complete", "CompletionsReached", "Reached expected number of succeeded pods"),
                      ],
                  }
                : {
                      failed: 2,
                      conditions: [
                          cond("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                          cond("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                      ],
                  }),
        };
        const r = await cluster.request("PUT", `/apis/batch/v1/namespaces/${NS}/jobs/${job.metadata.name}/status`, cur);
        if (r.status === 200) return job;
        // The Job controller updates the status too (it creates the pod): retry on a conflict.
        if (r.status !== 409 || attempt > 20) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    }
}
const seen = new Set<string>();

async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

test("a Job from the CronJob's template, followed to completion: exit 0", async () => {
    const [r, job] = await Promise.all([
        run("run", "etcd", "--namespace", NS, "--kubeconfig", kubeconfig, "--poll-ms", "200"),
        finish("Complete"),
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(job.metadata.name).toMatch(/^etcd-manual-[0-9a-f]{6}$/);
    expect(job.metadata.annotations["cronjob.kubernetes.io/instantiate"]).toBe("manual");
    expect(job.metadata.labels).toEqual({ "app.kubernetes.io/instance": "etcd" });
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "CronJob", name: "etcd" })]);
    expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 600 });
    expect(r.out).toContain(`created job ${NS}/${job.metadata.name} from cronjob etcd`);
    expect(r.out).toContain(`job ${job.metadata.name} completed`);
});

test("a failed Job: exit 1 with the reason and where the logs are", async () => {
    const [r, job] = await Promise.all([
        run("run", "etcd", "--namespace", NS, "--kubeconfig", kubeconfig, "--poll-ms", "200"),
        finish("Failed"),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
        `kube-backup: job ${NS}/${job.metadata.name} failed: BackoffLimitExceeded: Job has reached the specified ` +
            `backoff limit (logs: kubectl -n ${NS} logs job/${job.metadata.name})`,
    );
});

test("an unknown CronJob: exit 1 naming it, no Job created", async () => {
    const before = (await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs`)).body.items.length;
    const r = await run("run", "nope", "--namespace", NS, "--kubeconfig", kubeconfig);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`kube-backup: CronJob ${NS}/nope not found (unknown schedule?)`);
    expect((await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/jobs`)).body.items.length).toBe(before);
});
