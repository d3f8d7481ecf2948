// SchedulePolicy: an interval, daily, weekly or monthly cadence with retain counts.
import { exactlyOneOf } from "../validation";
import { bool, int, list, metadataOutputs, obj, str } from "./common";
import type { KindSpec } from "./spec";

const incremental = { type: obj({ count: { type: int(0) } }) };
const retain = { type: int(1), serverDefault: true };

export const SCHEDULE_POLICY: KindSpec = {
    name: "SchedulePolicy",
    basePath: "/v1/schedulepolicy",
    responseKey: "schedule_policy",
    listKey: "schedule_policies",
    infoKey: "schedule_policy_info",
    requestKey: "schedule_policy",
    nameFormat: "objectName",
    fields: {
        interval: {
            type: obj({ minutes: { type: int(1), required: true }, retain, incrementalCount: incremental }),
        },
        daily: {
            type: obj({
                time: { type: str("kitchenTime"), required: true },
                retain,
                incrementalCount: incremental,
            }),
        },
        weekly: {
            type: obj({
                day: { type: str("weekdays"), required: true },
                time: { type: str("kitchenTime"), required: true },
                retain,
                incrementalCount: incremental,
                biWeekly: { type: bool },
            }),
        },
        monthly: {
            type: obj({
                date: { type: int(1, 31), required: true },
                time: { type: str("kitchenTime"), required: true },
                retain,
                incrementalCount: incremental,
            }),
        },
        forObjectLock: { type: bool, immutable: true },
        autoDelete: { type: bool },
        supportsAdvancedFeatures: { type: bool },
    },
    crossRules: [exactlyOneOf(["interval", "daily", "weekly", "monthly"])],
    outputs: {
        ...metadataOutputs,
        backupSchedules: { type: list(str()), wire: "schedule_policy_info.backup_schedule" },
    },
    updateWire: [
        "interval",
        "daily",
        "weekly",
        "monthly",
        "for_object_lock",
        "auto_delete",
        "supports_advanced_features",
    ],
};
