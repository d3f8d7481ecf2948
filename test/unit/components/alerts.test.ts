// Opt-in alerts: the stale threshold derived from the schedule (cron expressions of every shape, time zones with
// daylight saving) and the PrometheusRule the components render only when asked.
import { CLIENT_CRT, parentType, plain, reset, settle } from "./mocks";
import type * as C from "../../../components";
import { defaultStaleAfterSeconds, failedExpr, staleExpr } from "../../../components/alerts";

let c: typeof C;
beforeAll(async () => {
    c = await import("../../../components");
});
beforeEach(() => reset());

const H = 3600;
const D = 86400;
const FROM = new Date("2026-01-01T00:00:00Z");

test.each<[string, string, number]>([
    ["0 * * * *", "Etc/UTC", H], // hourly
    ["@hourly", "Etc/UTC", H],
    ["*/15 * * * *", "Etc/UTC", 15 * 60],
    ["0 2 * * *", "Etc/UTC", D], // daily
    ["@daily", "Etc/UTC", D],
    ["0 2 * * 1-5", "Etc/UTC", 3 * D], // weekdays: Friday to Monday is the longest gap
    ["0 9,17 * * *", "Etc/UTC", 16 * H], // twice a day, unevenly: the 16-hour night counts
    ["0 0 * * 0", "Etc/UTC", 7 * D], // weekly
    ["0 0 1 * *", "Etc/UTC", 31 * D], // monthly: the longest month
    ["30 1 * * *", "Europe/Berlin", 25 * H], // daily in local time: the autumn day has 25 hours
])("default stale threshold of %s (%s) is 2 × %d s + the job deadline", (schedule, tz, gap) => {
    expect(defaultStaleAfterSeconds(schedule, tz, 3600, FROM)).toBe(2 * gap + 3600);
    expect(defaultStaleAfterSeconds(schedule, tz, 600, FROM)).toBe(2 * gap + 600);
});

test("the expressions read kube-state-metrics' CronJob and Job series of exactly this CronJob", () => {
    expect(staleExpr("kube-system", "etcd", 10800)).toBe(
        [
            '(time() - kube_cronjob_status_last_successful_time{namespace="kube-system", cronjob="etcd"} > 10800)',
            "or",
            '(time() - kube_cronjob_created{namespace="kube-system", cronjob="etcd"} > 10800',
            '  unless on(namespace, cronjob) kube_cronjob_status_last_successful_time{namespace="kube-system", cronjob="etcd"})',
        ].join("\n"),
    );
    const last = 'kube_cronjob_status_last_successful_time{namespace="shop", cronjob="app-data-0"}';
    expect(failedExpr("shop", "app-data-0")).toBe(
        [
            '(kube_job_status_failed{namespace="shop"} > 0)',
            'and on(namespace, job_name) kube_job_owner{namespace="shop", owner_kind="CronJob", owner_name="app-data-0"}',
            "and on(namespace, job_name) (",
            `  (kube_job_status_start_time{namespace="shop"} > on(namespace) group_left() ${last})`,
            `  or (kube_job_status_start_time{namespace="shop"} unless on(namespace) ${last})`,
            ")",
        ].join("\n"),
    );
});

const storage = { bucket: { bucket: "backups", endpoint: "https://s3.local:9000" }, credentials: { secretName: "s3" } };
const certs = { caCrt: "ca", clientCrt: CLIENT_CRT, clientKey: "key" };

async function rules() {
    return (await settle()).filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
}

test("no PrometheusRule unless alerts are asked for", async () => {
    new c.EtcdBackupSchedule("etcd", { schedule: "0 * * * *", certificates: certs, storage });
    new c.PvcBackupSchedule("app", { schedule: "0 2 * * *", namespace: "shop", pvcNames: ["data-0"], storage });
    expect(await rules()).toEqual([]);
});

test("etcd: a PrometheusRule child with the stale and failed-Job alerts at the derived threshold", async () => {
    new c.EtcdBackupSchedule("etcd", {
        schedule: "0 2 * * 1-5",
        activeDeadlineSeconds: 1800,
        certificates: certs,
        storage,
        alerts: { ruleLabels: { release: "kps" }, alertLabels: { team: "platform" } },
    });
    const [r] = await rules();
    expect(parentType(r)).toBe("kube-backup:index:EtcdBackupSchedule");
    const m = plain(r.inputs);
    expect(m.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(m.kind).toBe("PrometheusRule");
    expect(m.metadata).toMatchObject({ name: "etcd-backup-alerts", namespace: "kube-system" });
    expect(m.metadata.labels).toMatchObject({ release: "kps", "app.kubernetes.io/name": "kube-backup" });
    const seconds = 2 * 3 * D + 1800;
    expect(m.spec.groups).toEqual([
        {
            name: "kube-backup.etcd",
            rules: [
                expect.objectContaining({
                    alert: "KubeBackupStale",
                    expr: staleExpr("kube-system", "etcd", seconds),
                    for: "5m",
                    labels: { team: "platform", severity: "warning", namespace: "kube-system", cronjob: "etcd" },
                }),
                expect.objectContaining({ alert: "KubeBackupJobFailed", expr: failedExpr("kube-system", "etcd") }),
            ],
        },
    ]);
});

test("pvc: one pair of alerts per claim's CronJob; an explicit threshold wins; jobFailed can be off", async () => {
    new c.PvcBackupSchedule("app", {
        schedule: "0 * * * *",
        namespace: "shop",
        pvcNames: ["data-0", "data-1"],
        storage,
        alerts: { staleAfterSeconds: 7200, jobFailed: false, severity: "critical", for: "15m" },
    });
    const [r] = await rules();
    expect(parentType(r)).toBe("kube-backup:index:PvcBackupSchedule");
    const got = plain(r.inputs).spec.groups[0].rules;
    expect(got.map((x: any) => [x.alert, x.labels.cronjob, x.labels.severity, x.for])).toEqual([
        ["KubeBackupStale", "app-data-0", "critical", "15m"],
        ["KubeBackupStale", "app-data-1", "critical", "15m"],
    ]);
    expect(got[1].expr).toBe(staleExpr("shop", "app-data-1", 7200));
});

test("bad alert settings name the property", async () => {
    expect(
        () =>
            new c.EtcdBackupSchedule("etcd", {
                schedule: "@daily",
                certificates: certs,
                storage,
                alerts: { for: "5 minutes" },
            }),
    ).toThrow('EtcdBackupSchedule "etcd": property "alerts.for" must be a Prometheus duration');
    expect(
        () =>
            new c.PvcBackupSchedule("app", {
                schedule: "@daily",
                namespace: "shop",
                pvcNames: ["d"],
                storage,
                alerts: { staleAfterSeconds: 5 },
            }),
    ).toThrow('PvcBackupSchedule "app": property "alerts.staleAfterSeconds" must be an integer');
    // Children made before the refusal (the certificates Secret) finish registering before the next test resets.
    await settle();
});

test("PvcRestore: a key that is not a tar backup, or a missing claim, is named at preview", async () => {
    const base = { namespace: "shop", claimName: "data", storage };
    expect(() => new c.PvcRestore("r", { ...base, key: "prod/etcd/x.db" })).toThrow(
        'PvcRestore "r": property "key" must be the object key of a tar backup',
    );
    expect(() => new c.PvcRestore("r", { ...base, claimName: undefined as unknown as string, key: "a/b.tar" })).toThrow(
        'PvcRestore "r": property "claimName" is required',
    );
    await settle();
});

test("PvcRestore: placement (nodeSelector, affinity, tolerations, pull secrets) reaches the Job's pod; bad values are named", async () => {
    const base = { namespace: "shop", claimName: "data", storage, key: "prod/pvc/shop/app/app-data-x.tar.gz" };
    const toleration = { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" };
    new c.PvcRestore("r", {
        ...base,
        nodeSelector: { "kubernetes.io/hostname": "node-1" },
        tolerations: [toleration],
        affinity: { nodeAffinity: {} },
        imagePullSecrets: ["regcred"],
    });
    const job = (await settle()).find((r) => r.type === "kubernetes:batch/v1:Job")!;
    const pod = plain(job.inputs).spec.template.spec;
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/hostname": "node-1" });
    expect(pod.tolerations).toEqual([toleration]);
    expect(pod.affinity).toEqual({ nodeAffinity: {} });
    expect(pod.imagePullSecrets).toEqual([{ name: "regcred" }]);
    reset();
    expect(() => new c.PvcRestore("r", { ...base, nodeSelector: { "bad key!": "x" } })).toThrow(
        'PvcRestore "r": property "nodeSelector"',
    );
    expect(() => new c.PvcRestore("r", { ...base, tolerations: "all" as never })).toThrow(
        'PvcRestore "r": property "tolerations" must be a list',
    );
    await settle();
});
