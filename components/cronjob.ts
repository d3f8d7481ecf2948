// The CronJob shape both schedules share: overlap guard, deadlines, small retry budget, failed pods kept for logs,
// and the next run time computed with cron-parser.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CronExpressionParser } from "cron-parser";
import * as v from "./validation";

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
    /** Resources of the backup containers. */
    resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
    /** Extra labels on the CronJob and its pods. */
    labels?: pulumi.Input<Record<string, string>>;
}

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
}

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
    };
}

const MACROS: Record<string, string> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

/** Next run time (ISO 8601, UTC) of a schedule after `from`; undefined while suspended. */
export function nextRunTime(
    schedule: string,
    timeZone: string,
    suspend: boolean,
    from = new Date(),
): string | undefined {
    if (suspend) return undefined;
    const expr = MACROS[schedule.trim()] ?? schedule;
    return CronExpressionParser.parse(expr, { tz: timeZone, currentDate: from }).next().toISOString() ?? undefined;
}

export function nextRunOutput(s: CheckedSchedule): pulumi.Output<string | undefined> {
    return pulumi.all([s.schedule, s.timeZone, s.suspend]).apply(([sc, tz, su]) => nextRunTime(sc, tz, su));
}

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
