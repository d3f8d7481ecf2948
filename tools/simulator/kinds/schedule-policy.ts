// Schedule policies: interval/daily/weekly/monthly with retain counts; the server lists the schedules using one.
import { invalid } from "../errors";
import { Wire } from "../store";
import { KindSpec, applyMetadataUpdate, isSet, without } from "./spec";

const WEEKDAYS = [
    "sun",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];
const KITCHEN = /^(1[0-2]|0?[1-9]):[0-5][0-9]\s?(AM|PM|am|pm)$/;

function validatePolicy(info: Wire): void {
    const kinds = ["interval", "daily", "weekly", "monthly"].filter((k) => isSet(info[k]));
    if (kinds.length === 0) throw invalid("schedule policy needs one of interval, daily, weekly or monthly");
    if (info.interval && !(Number(info.interval.minutes) >= 1))
        throw invalid("schedule_policy.interval.minutes must be at least 1");
    for (const k of ["daily", "weekly", "monthly"]) {
        const time = info[k]?.time;
        if (
            info[k] &&
            !info[k].relative_monthly_policy &&
            !info[k].selective_monthly_policy &&
            !KITCHEN.test(time ?? "")
        ) {
            throw invalid(`schedule_policy.${k}.time "${time ?? ""}" must be a 12-hour time like 2:00AM`);
        }
    }
    if (info.weekly) {
        const days = String(info.weekly.day ?? "")
            .split(",")
            .map((d) => d.trim().toLowerCase());
        if (!days.every((d) => WEEKDAYS.includes(d)))
            throw invalid(
                `schedule_policy.weekly.day "${info.weekly.day ?? ""}" must be weekday names like Sunday or sun`,
            );
    }
    if (info.monthly && info.monthly.date !== undefined) {
        const date = Number(info.monthly.date);
        if (!(date >= 1 && date <= 31)) throw invalid("schedule_policy.monthly.date must be between 1 and 31");
    }
    for (const k of kinds) {
        if (Number(info[k].retain ?? 0) < 0) throw invalid(`schedule_policy.${k}.retain must not be negative`);
    }
}

export const schedulePolicy: KindSpec = {
    kind: "schedulepolicy",
    label: "schedule policy",
    ops: {
        create: "SchedulePolicy_Create",
        update: "SchedulePolicy_Update",
        enumerate: "SchedulePolicy_Enumerate",
        inspect: "SchedulePolicy_Inspect",
        delete: "SchedulePolicy_Delete",
        ownership: "SchedulePolicy_UpdateOwnership",
    },
    responseKey: "schedule_policy",
    listKey: "schedule_policies",
    infoKey: "schedule_policy_info",
    objectDef: "SchedulePolicyObject",
    paginated: false,
    refs: [],
    secrets: [],
    build: (req) => without(req.schedule_policy, "backup_schedule"),
    validate: validatePolicy,
    update(obj, req) {
        const info = without(req.schedule_policy, "backup_schedule");
        validatePolicy(info);
        obj.info = info;
        applyMetadataUpdate(obj, req.metadata);
    },
    deleted: () => "now",
    render(obj, info, ctx) {
        // Server-maintained: names of the schedules that use this policy.
        info.backup_schedule = ctx.store
            .list("backupschedule", obj.metadata.org_id)
            .filter((s) => s.info.schedule_policy_ref?.uid === obj.metadata.uid)
            .map((s) => s.metadata.name);
    },
};
