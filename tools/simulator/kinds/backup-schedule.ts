// Backup schedules: merge updates, suspend, bulk selectors refused; optionally run backups (runSchedules).
import { ApiError, Code } from "../errors";
import { timestamp } from "../contract";
import { StoredObject, Wire } from "../store";
import { Ctx, KindSpec, RefSpec, applyMetadataUpdate, isEmptyRef, isSet, without, pendingDelete } from "./spec";
import { backup } from "./backup";

const SCHEDULE_REFS: RefSpec[] = [
    { field: "schedule_policy_ref", kind: "schedulepolicy", required: true, twin: "schedule_policy" },
    { field: "backup_location_ref", kind: "backuplocation", required: true, twin: "backup_location" },
    { field: "cluster_ref", kind: "cluster", required: true, twin: "cluster" },
    { field: "pre_exec_rule_ref", kind: "rule", twin: "pre_exec_rule" },
    { field: "post_exec_rule_ref", kind: "rule", twin: "post_exec_rule" },
];

/** Fields of BackupScheduleUpdateRequest that change the schedule (others are identity or bulk selectors). */
const SCHEDULE_UPDATABLE = [
    "schedule_policy_ref",
    "backup_location_ref",
    "pre_exec_rule_ref",
    "post_exec_rule_ref",
    "namespaces",
    "label_selectors",
    "ns_label_selectors",
    "advanced_resource_label_selector",
    "include_resources",
    "reclaim_policy",
    "volume_snapshot_class_mapping",
    "csi_snapshot_class_name",
    "volume_resource_only_policy_ref",
];
const SCHEDULE_UPDATE_BOOLS = ["skip_vm_auto_exec_rules", "parallel_backup"];
const SCHEDULE_BULK_SELECTORS = [
    "policy_ref",
    "include_objects",
    "exclude_objects",
    "include_filter",
    "exclude_filter",
    "cluster_scope",
    "backup_object_type",
    "filter_options",
];

export function rejectBulk(req: Wire, what: string): void {
    const bulk = SCHEDULE_BULK_SELECTORS.filter((k) => isSet(req[k]));
    if (bulk.length) {
        throw new ApiError(
            Code.Unimplemented,
            `bulk backup schedule ${what} (${bulk.join(", ")}) is not implemented by the PX-Backup simulator`,
        );
    }
}

export const backupSchedule: KindSpec = {
    kind: "backupschedule",
    label: "backup schedule",
    ops: {
        create: "BackupSchedule_Create",
        update: "BackupSchedule_Update",
        enumerate: "BackupSchedule_Enumerate",
        enumeratePost: "BackupSchedule_Enumerate2",
        inspect: "BackupSchedule_Inspect",
        delete: "BackupSchedule_Delete",
    },
    responseKey: "backup_schedule",
    listKey: "backup_schedules",
    infoKey: "backup_schedule_info",
    objectDef: "BackupScheduleObject",
    paginated: true,
    refs: SCHEDULE_REFS,
    secrets: [],
    dnsName: true,
    blocksReferencedDeletion: true,
    build(req) {
        const info = without(req, "metadata", "backup_type");
        if (req.backup_type) info.backup_type = { type: req.backup_type }; // bare enum in requests, wrapped in the info
        return info;
    },
    update(obj, req, ctx) {
        rejectBulk(req, "update");
        // Merge (docs/px-backup-api.md#updates): non-empty fields overwrite, empty or absent ones are kept, as
        // a server copying only what the request sets does. A reference present in the request is applied even
        // when empty: an all-empty ObjectRef means "none", which is how a rule or policy reference is detached.
        for (const f of SCHEDULE_UPDATABLE) {
            if (f.endsWith("_ref") ? req[f] !== undefined : isSet(req[f])) obj.info[f] = req[f];
            // The deprecated string twin follows the reference (set again from it when refs are resolved).
            if (f.endsWith("_ref") && req[f] !== undefined) delete obj.info[f.slice(0, -4)];
        }
        if (isEmptyRef(obj.info.volume_resource_only_policy_ref)) delete obj.info.volume_resource_only_policy_ref;
        for (const f of SCHEDULE_UPDATE_BOOLS) obj.info[f] = req[f] === true;
        // Suspend takes effect asynchronously (status Suspending/Resuming until the new value shows).
        const want = req.suspend === true;
        if (want !== (obj.suspendTarget ?? obj.info.suspend === true)) {
            obj.suspendTarget = want;
            ctx.store.schedule(obj, [
                [
                    ctx.delays.scheduleSuspend,
                    (o) => {
                        if (o.suspendTarget !== want) return; // superseded by a later PUT
                        o.info.suspend = want;
                        o.info.suspended_by = want ? { source: "User" } : undefined;
                        o.suspendTarget = undefined;
                    },
                ],
            ]);
        }
        if (req.remark)
            obj.info.remark = {
                comment: req.remark,
                updated_by: ctx.caller.username,
                updated_at: timestamp(ctx.now()),
            };
        applyMetadataUpdate(obj, req.metadata, true);
    },
    created(obj, ctx) {
        if (ctx.runSchedules) runSchedule(obj, ctx);
    },
    deleted(obj, ctx) {
        // reclaim_policy Delete removes the schedule's backups with it; Retain keeps them.
        if (obj.info.reclaim_policy === "Delete") {
            for (const b of scheduledBackups(obj, ctx)) {
                if (!b.deleting) {
                    b.deleting = true;
                    backup.deleted(b, ctx);
                }
            }
        }
        pendingDelete((o) => (o.info.status = { ...(o.info.status ?? {}), status: "DeletePending" }))(obj, ctx);
    },
    status: (o) => o.info.status?.status,
    render(obj, info, ctx) {
        if (obj.suspendTarget !== undefined && !obj.deleting)
            info.status = { status: obj.suspendTarget ? "Suspending" : "Resuming" };
        // Status and history come from the backups this schedule created (newest first).
        const runs = scheduledBackups(obj, ctx).reverse();
        if (runs.length === 0) return;
        const statusInfo = (b: StoredObject) => ({
            backup_name: b.metadata.name,
            create_time: b.metadata.create_time,
            finish_time: b.info.completion_time_info?.total_completion_time,
            status: b.info.status?.status,
            Reason: b.info.status?.reason,
        });
        if (!obj.deleting && obj.suspendTarget === undefined) info.status = statusInfo(runs[0]);
        info.backup_status = { [policyType(obj, ctx)]: { status: runs.map(statusInfo) } };
    },
};

function scheduledBackups(schedule: StoredObject, ctx: Ctx): StoredObject[] {
    return ctx.store
        .list("backup", schedule.metadata.org_id)
        .filter((b) => b.info.backup_schedule?.uid === schedule.metadata.uid);
}

function policyType(schedule: StoredObject, ctx: Ctx): string {
    const policy = ctx.store.find(
        "schedulepolicy",
        schedule.metadata.org_id,
        undefined,
        schedule.info.schedule_policy_ref?.uid,
    );
    const type = ["interval", "daily", "weekly", "monthly"].find((k) => policy?.info[k]) ?? "interval";
    return type[0].toUpperCase() + type.slice(1);
}

/** Starts one backup of a schedule now, named like PX-Backup does: <schedule>-<policy type>-<epoch seconds>. */
export function runSchedule(schedule: StoredObject, ctx: Ctx): StoredObject {
    const orgId = schedule.metadata.org_id;
    const base = `${schedule.metadata.name}-${policyType(schedule, ctx).toLowerCase()}-${Math.floor(ctx.now() / 1000)}`;
    let name = base;
    for (let i = 1; ctx.store.find("backup", orgId, name, undefined); i++) name = `${base}-${i}`;
    const info: Wire = {};
    for (const f of [
        "backup_location_ref",
        "backup_location",
        "cluster_ref",
        "cluster",
        "namespaces",
        "label_selectors",
        "ns_label_selectors",
        "advanced_resource_label_selector",
        "include_resources",
        "resource_types",
        "exclude_resource_types",
        "pre_exec_rule_ref",
        "pre_exec_rule",
        "post_exec_rule_ref",
        "post_exec_rule",
        "backup_type",
        "backup_object_type",
        "skip_vm_auto_exec_rules",
        "volume_snapshot_class_mapping",
        "direct_kdmp",
        "parallel_backup",
        "keep_cr_status",
        "schedule_policy_ref",
        "csi_snapshot_class_name",
    ]) {
        if (schedule.info[f] !== undefined) info[f] = structuredClone(schedule.info[f]);
    }
    info.backup_schedule = { name: schedule.metadata.name, uid: schedule.metadata.uid };
    const metadata = ctx.store.newMetadata(
        { name, org_id: orgId, labels: {} },
        schedule.metadata.ownership?.owner ?? ctx.caller.sub,
    );
    const obj = ctx.store.insert("backup", metadata, info);
    backup.created!(obj, ctx);
    return obj;
}
