// BackupSchedule: backs up a selection of a cluster to a location on a schedule policy's cadence.
import { bool, enm, json, list, metadataOutputs, ref, selectionFields, str } from "./common";
import type { KindSpec } from "./spec";

export const BACKUP_SCHEDULE: KindSpec = {
    name: "BackupSchedule",
    basePath: "/v1/backupschedule",
    responseKey: "backup_schedule",
    listKey: "backup_schedules",
    enumeratePost: true,
    infoKey: "backup_schedule_info",
    nameFormat: "dns1123Subdomain",
    fields: {
        schedulePolicyRef: ref({ required: true }),
        ...selectionFields(false),
        reclaimPolicy: { type: enm(["Delete", "Retain"]), serverDefault: true },
        suspend: {
            type: bool,
            serverDefault: true,
            emitZero: true,
            description: "pause the schedule; left as is when unset",
        },
        parallelBackup: { type: bool },
    },
    outputs: {
        ...metadataOutputs,
        status: { type: json, wire: "backup_schedule_info.status" },
        suspendedBy: { type: str(), wire: "backup_schedule_info.suspended_by.source" },
        backupStatuses: { type: json, wire: "backup_schedule_info.backup_status" },
        storkVersion: { type: str(), wire: "backup_schedule_info.stork_version" },
        missingNamespaces: { type: list(str()), wire: "backup_schedule_info.missing_namespaces" },
    },
    // BackupScheduleUpdateRequest fields minus bulk selectors and deprecated string twins: `cluster_ref`,
    // `resource_types`, `exclude_resource_types`, `backup_type`, `direct_kdmp`, `keep_cr_status` are not in
    // the update message (hence immutable), and `backup_object_type` there is a bulk selector.
    updateWire: [
        "reclaim_policy",
        "namespaces",
        "label_selectors",
        "suspend",
        "include_resources",
        "csi_snapshot_class_name",
        "schedule_policy_ref",
        "backup_location_ref",
        "pre_exec_rule_ref",
        "post_exec_rule_ref",
        "volume_snapshot_class_mapping",
        "skip_vm_auto_exec_rules",
        "parallel_backup",
        "advanced_resource_label_selector",
        "volume_resource_only_policy_ref",
        "ns_label_selectors",
    ],
    createViaUpdate: ["suspend"],
    // Suspend and resume take effect in the background (Suspending/Resuming): waited for, so the state and
    // the next diff see the value the program asked for.
    appliedLater: {
        keys: ["suspend"],
        statusPath: "backup_schedule_info.status.status",
        transitional: ["Suspending", "Resuming"],
        defaultTimeoutSeconds: 120,
    },
    // Deleting a schedule whose reclaim policy is Delete deletes every backup it made.
    replaceDeletesBackups: (olds) => olds.reclaimPolicy === "Delete",
    // The update merges: an empty list, map or string on the wire is "not given" and keeps the old value.
    // References clear with an empty ObjectRef and booleans are always applied, so those clear in place.
    cannotClear: [
        "namespaces",
        "labelSelectors",
        "nsLabelSelectors",
        "advancedResourceLabelSelector",
        "includeResources",
        "volumeSnapshotClassMapping",
        "csiSnapshotClassName",
        "labels",
    ],
};
