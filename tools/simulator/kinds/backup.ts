// Backups: Pending → InProgress → outcome, metadata-only updates, DeletePending → Deleting → gone.
import * as crypto from "crypto";
import { timestamp } from "../contract";
import { StoredObject } from "../store";
import { Ctx, KindSpec, RefSpec, applyMetadataUpdate, isEmptyRef, without, outcomeFor } from "./spec";

const BACKUP_REFS: RefSpec[] = [
    { field: "backup_location_ref", kind: "backuplocation", required: true, twin: "backup_location" },
    { field: "cluster_ref", kind: "cluster", required: true, twin: "cluster" },
    { field: "pre_exec_rule_ref", kind: "rule", twin: "pre_exec_rule" },
    { field: "post_exec_rule_ref", kind: "rule", twin: "post_exec_rule" },
    { field: "cloud_credential_ref", kind: "cloudcredential", twin: "cloud_credential" },
];

function finishBackup(obj: StoredObject, ctx: Ctx): void {
    const outcome = outcomeFor(ctx, obj, ctx.outcomes.backup);
    const now = timestamp(ctx.now());
    const namespaces: string[] = obj.info.namespaces ?? [];
    obj.info.status = {
        status: outcome.status,
        reason: outcome.reason ?? (outcome.status === "Success" ? "Backup completed successfully" : ""),
    };
    obj.info.stage = "Final";
    if (outcome.status === "Success" || outcome.status === "PartialSuccess") {
        obj.info.resources = namespaces.map((ns) => ({ name: ns, kind: "Namespace", version: "v1" }));
        obj.info.resource_count = String(namespaces.length * 7);
        obj.info.total_size = String(1048576 * (namespaces.length || 1));
        obj.info.backup_path = `${obj.metadata.org_id}/${obj.info.cluster_ref?.name}/${obj.metadata.name}-${obj.metadata.uid}`;
        obj.info.completion_time_info = {
            volumes_completion_time: now,
            resources_completion_time: now,
            total_completion_time: now,
        };
    }
    ctx.store.touch(obj);
}

export const backup: KindSpec = {
    kind: "backup",
    label: "backup",
    ops: {
        create: "Backup_Create",
        update: "Backup_Update",
        enumerate: "Backup_Enumerate",
        enumeratePost: "Backup_Enumerate2",
        inspect: "Backup_Inspect",
        delete: "Backup_Delete",
    },
    responseKey: "backup",
    listKey: "backups",
    infoKey: "backup_info",
    objectDef: "BackupObject",
    paginated: true,
    refs: BACKUP_REFS,
    secrets: [],
    dnsName: true,
    build(req) {
        const info = without(req, "metadata", "backup_type");
        if (req.backup_type) info.backup_type = { type: req.backup_type };
        return info;
    },
    update(obj, req) {
        // Only metadata (labels, ownership) and the credential are updatable on a backup.
        applyMetadataUpdate(obj, req.metadata);
        if (!isEmptyRef(req.cloud_credential_ref)) obj.info.cloud_credential_ref = req.cloud_credential_ref;
    },
    created(obj, ctx) {
        const location = ctx.store.find(
            "backuplocation",
            obj.metadata.org_id,
            undefined,
            obj.info.backup_location_ref.uid,
        );
        if (location?.info.cloud_credential_ref && isEmptyRef(obj.info.cloud_credential_ref)) {
            obj.info.cloud_credential_ref = { ...location.info.cloud_credential_ref };
            obj.info.cloud_credential = location.info.cloud_credential_ref.name;
        }
        obj.info.status = { status: "Pending", reason: "" };
        obj.info.stage = "Initial";
        obj.info.cr_name = `${obj.metadata.name}-${obj.metadata.uid.slice(0, 8)}`;
        obj.info.cr_uid = crypto.randomUUID();
        obj.info.stork_version = "25.3.0";
        ctx.store.schedule(obj, [
            [
                ctx.delays.backupPending,
                (o) => {
                    o.info.status = { status: "InProgress" };
                    o.info.stage = "Volumes";
                },
            ],
            [ctx.delays.backupInProgress, (o) => finishBackup(o, ctx)],
        ]);
    },
    deleted(obj, ctx) {
        obj.transitions = []; // a delete overrides whatever the backup was doing
        obj.info.status = { status: "DeletePending" };
        ctx.store.schedule(obj, [
            [
                ctx.delays.deletePending,
                (o) => {
                    o.info.status = { status: "Deleting" };
                },
            ],
            [ctx.delays.backupDeleting, () => "remove"],
        ]);
    },
    status: (o) => o.info.status?.status,
};
