// Opt-in alerts for a schedule: one PrometheusRule (the CRD belongs to the user's Prometheus Operator) with a
// stale-backup alert and a failed-Job alert, both over kube-state-metrics' standard CronJob/Job series.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { longestGapDays } from "./storage";
import * as v from "./validation";

export interface BackupAlerts {
    /**
     * Alert when the CronJob's last successful run is older than this (seconds). Default: twice the longest gap
     * between two scheduled runs (over the coming year, in the schedule's time zone) plus the job deadline
     * (`activeDeadlineSeconds`), so one missed or failed run never alerts and two do.
     */
    staleAfterSeconds?: pulumi.Input<number>;
    /** Alert when a backup Job newer than the last success failed. Default true. */
    jobFailed?: pulumi.Input<boolean>;
    /** `severity` label of the alerts. Default "warning". */
    severity?: pulumi.Input<string>;
    /** How long a condition must hold before it fires (Prometheus duration). Default "5m". */
    for?: pulumi.Input<string>;
    /** Labels on the PrometheusRule object, e.g. what the Prometheus `ruleSelector` matches ({ release: "kps" }). */
    ruleLabels?: pulumi.Input<Record<string, string>>;
    /** Extra labels on the alerts (routing). */
    alertLabels?: pulumi.Input<Record<string, string>>;
}

/** The default stale threshold in seconds: 2 × the longest gap between runs + the job deadline. */
export function defaultStaleAfterSeconds(
    schedule: string,
    timeZone: string,
    activeDeadlineSeconds: number,
    from = new Date(),
): number {
    return 2 * Math.round(longestGapDays(schedule, timeZone, from) * 86400) + activeDeadlineSeconds;
}

const q = (s: string) => JSON.stringify(s);

/** The stale-backup expression: the last success is too old, or there was none for that long since creation. */
export function staleExpr(namespace: string, cronJob: string, seconds: number): string {
    const sel = `namespace=${q(namespace)}, cronjob=${q(cronJob)}`;
    return [
        `(time() - kube_cronjob_status_last_successful_time{${sel}} > ${seconds})`,
        `or`,
        `(time() - kube_cronjob_created{${sel}} > ${seconds}`,
        `  unless on(namespace, cronjob) kube_cronjob_status_last_successful_time{${sel}})`,
    ].join("\n");
}

/**
 * The failed-Job expression: a Job of this CronJob (kube_job_owner) that failed and started after the last
 * success. Failed Jobs stay in the history (5 by default), so without the time condition one failure would keep
 * the alert firing long after the next run succeeded.
 */
export function failedExpr(namespace: string, cronJob: string): string {
    const ns = `namespace=${q(namespace)}`;
    const last = `kube_cronjob_status_last_successful_time{${ns}, cronjob=${q(cronJob)}}`;
    return [
        `(kube_job_status_failed{${ns}} > 0)`,
        `and on(namespace, job_name) kube_job_owner{${ns}, owner_kind="CronJob", owner_name=${q(cronJob)}}`,
        `and on(namespace, job_name) (`,
        `  (kube_job_status_start_time{${ns}} > on(namespace) group_left() ${last})`,
        `  or (kube_job_status_start_time{${ns}} unless on(namespace) ${last})`,
        `)`,
    ].join("\n");
}

const duration: v.Rule<string> = (s) =>
    /^([0-9]+(ms|s|m|h|d|w|y))+$/.test(s) ? undefined : 'must be a Prometheus duration such as "5m" or "1h30m"';

export interface AlertScheduleFacts {
    schedule: pulumi.Input<string>;
    timeZone: pulumi.Input<string>;
    activeDeadlineSeconds: pulumi.Input<number>;
}

/** Checks `alerts` and creates the PrometheusRule (parent: the component) for the given CronJobs. */
export function backupAlertRule(
    val: v.Validator,
    name: string,
    namespace: pulumi.Input<string>,
    cronJobNames: pulumi.Input<string[]>,
    facts: AlertScheduleFacts,
    alerts: BackupAlerts,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    val.check("alerts", alerts, v.plainObject);
    const stale = val.check("alerts.staleAfterSeconds", alerts.staleAfterSeconds, v.integerIn(60, 366 * 86400));
    const jobFailed = val.check("alerts.jobFailed", alerts.jobFailed, v.isBoolean) ?? true;
    const severity = val.check("alerts.severity", alerts.severity, v.nonEmptyString) ?? "warning";
    const forDuration = val.check("alerts.for", alerts.for, duration) ?? "5m";
    const ruleLabels = val.check("alerts.ruleLabels", alerts.ruleLabels, v.labelMap) ?? {};
    const alertLabels = val.check("alerts.alertLabels", alerts.alertLabels, v.labelMap) ?? {};
    const groups = pulumi
        .all([namespace, cronJobNames, facts.schedule, facts.timeZone, facts.activeDeadlineSeconds, stale])
        .apply(([ns, jobs, sched, tz, deadline, staleAfter]) => {
            const seconds = staleAfter ?? defaultStaleAfterSeconds(sched, tz, deadline);
            return pulumi.all([jobFailed, severity, forDuration, alertLabels]).apply(([failed, sev, fd, extra]) => [
                {
                    name: `kube-backup.${name}`,
                    rules: jobs.flatMap((job) => {
                        const labels = { ...extra, severity: sev, namespace: ns, cronjob: job };
                        const rules = [
                            {
                                alert: "KubeBackupStale",
                                expr: staleExpr(ns, job, seconds),
                                for: fd,
                                labels,
                                annotations: {
                                    summary: `No successful backup of ${ns}/${job} for more than ${seconds} seconds`,
                                    description:
                                        `CronJob ${ns}/${job} (schedule "${sched}", ${tz}) has not completed a run ` +
                                        `for more than ${seconds} s (twice its longest interval plus its deadline ` +
                                        `unless set). List what the bucket holds with \`npx kube-backup list\`.`,
                                },
                            },
                        ];
                        if (failed)
                            rules.push({
                                alert: "KubeBackupJobFailed",
                                expr: failedExpr(ns, job),
                                for: "0m",
                                labels,
                                annotations: {
                                    summary: `Backup Job {{ $labels.job_name }} of ${ns}/${job} failed`,
                                    description:
                                        `Job {{ $labels.job_name }} failed after the last successful backup; its pod ` +
                                        `log ends with "FAILED: <reason>" (kubectl -n ${ns} logs job/{{ $labels.job_name }}).`,
                                },
                            });
                        return rules;
                    }),
                },
            ]);
        });
    return new k8s.apiextensions.CustomResource(
        `${name}-alerts`,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: {
                name: `${name}-backup-alerts`,
                namespace,
                labels: pulumi.output(ruleLabels).apply((l) => ({
                    ...l,
                    "app.kubernetes.io/name": "kube-backup",
                    "app.kubernetes.io/instance": name,
                })),
            },
            spec: { groups },
        },
        opts,
    );
}
