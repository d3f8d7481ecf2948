// Restores: create starts restoring a backup to a cluster (Pending → InProgress → outcome); updates change
// only metadata; delete removes the record at once (never what was restored).
import { ApiError, Code } from "../errors";
import { StoredObject } from "../store";
import { Ctx, KindSpec, RefSpec, applyMetadataUpdate, outcomeFor, without } from "./spec";

const RESTORE_REFS: RefSpec[] = [
    { field: "backup_ref", kind: "backup", required: true, twin: "backup" },
    { field: "cluster_ref", kind: "cluster", required: true, twin: "cluster" },
];

/** Create-request fields RestoreInfo does not carry (the server applies them and does not echo them). */
const CREATE_ONLY = ["metadata", "exclude_resources"];

function finishRestore(obj: StoredObject, ctx: Ctx): void {
    const outcome = outcomeFor(ctx, obj, ctx.outcomes.restore);
    obj.info.status = {
        status: outcome.status,
        reason: outcome.reason ?? (outcome.status === "Success" ? "Restore completed successfully" : ""),
    };
    if (outcome.status === "Success" || outcome.status === "PartialSuccess") {
        const backup = ctx.store.find("backup", obj.metadata.org_id, undefined, obj.info.backup_ref?.uid);
        const mapping: Record<string, string> = obj.info.namespace_mapping ?? {};
        const namespaces: string[] = backup?.info.namespaces ?? [];
        const prefix: string = obj.info.target_namespace_prefix ?? "";
        obj.info.resources = namespaces.map((ns) => ({
            name: prefix + (mapping[ns] ?? ns),
            kind: "Namespace",
            version: "v1",
            status: { status: "Success" },
        }));
        obj.info.resource_count = String(namespaces.length * 7);
        obj.info.restored_resource_count = obj.info.resource_count;
        obj.info.total_size = backup?.info.total_size ?? "0";
    }
    ctx.store.touch(obj);
}

export const restore: KindSpec = {
    kind: "restore",
    label: "restore",
    ops: {
        create: "Restore_Create",
        update: "Restore_Update",
        enumerate: "Restore_Enumerate",
        inspect: "Restore_Inspect",
        delete: "Restore_Delete",
    },
    responseKey: "restore",
    listKey: "restores",
    infoKey: "restore_info",
    objectDef: "RestoreObject",
    paginated: true,
    refs: RESTORE_REFS,
    secrets: [],
    dnsName: true,
    build: (req) => without(req, ...CREATE_ONLY),
    update(obj, req) {
        applyMetadataUpdate(obj, req.metadata); // RestoreUpdateRequest carries metadata only
    },
    created(obj, ctx) {
        const backup = ctx.store.find("backup", obj.metadata.org_id, undefined, obj.info.backup_ref.uid);
        const status = backup?.info.status?.status;
        if (status !== "Success" && status !== "PartialSuccess") {
            ctx.store.remove(obj);
            throw new ApiError(
                Code.FailedPrecondition,
                `backup [${obj.info.backup_ref.name}] is in status ${status ?? "Invalid"}; only a Success or PartialSuccess backup can be restored`,
            );
        }
        obj.info.backup_location_ref = backup!.info.backup_location_ref;
        obj.info.backup_location = backup!.info.backup_location_ref?.name;
        obj.info.stork_version = "25.3.0";
        obj.info.status = { status: "Pending", reason: "" };
        ctx.store.schedule(obj, [
            [
                ctx.delays.restorePending,
                (o) => {
                    o.info.status = { status: "InProgress" };
                    o.info.restore_status = { restore_status: "Applying" };
                },
            ],
            [ctx.delays.restoreInProgress, (o) => finishRestore(o, ctx)],
        ]);
    },
    deleted: () => "now",
    status: (o) => o.info.status?.status,
};
