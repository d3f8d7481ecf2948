// Backup locations: validated asynchronously (ValidationInProgress → Valid), deleted asynchronously.
import { invalid } from "../errors";
import { timestamp } from "../contract";
import { StoredObject, Wire } from "../store";
import {
    Ctx,
    KindSpec,
    applyMetadataUpdate,
    isEmptyRef,
    without,
    keepSecrets,
    outcomeFor,
    pendingDelete,
} from "./spec";

const LOCATION_OUTPUT_ONLY = [
    "status",
    "object_lock_enabled",
    "cluster_status",
    "validation_started_at",
    "sync_info",
    "delete_backups",
];

function validateLocation(info: Wire): void {
    if (!info.type || info.type === "Invalid")
        throw invalid("backup_location.type is required (S3, Azure, Google or NFS)");
    if (!info.path) throw invalid("backup_location.path is required");
    if (info.type === "NFS" && !info.nfs_config?.server_addr)
        throw invalid("backup_location.nfs_config.server_addr is required for NFS");
    if (info.type !== "NFS" && !info.use_workload_identity && isEmptyRef(info.cloud_credential_ref)) {
        throw invalid(`backup_location.cloud_credential_ref is required for type ${info.type}`);
    }
}

/** Credential type each location type validates with. */
const CREDENTIAL_TYPE: Record<string, string> = { S3: "AWS", Azure: "Azure", Google: "Google" };

/** Validation fails when the credential cannot open this kind of store (an AWS key for an Azure container). */
function credentialMismatch(obj: StoredObject, ctx: Ctx): string | undefined {
    const wanted = CREDENTIAL_TYPE[obj.info.type];
    const ref = obj.info.cloud_credential_ref;
    if (!wanted || !ref?.uid) return undefined;
    const cred = ctx.store.find("cloudcredential", obj.metadata.org_id, undefined, ref.uid);
    if (!cred || cred.info.type === wanted) return undefined;
    return `cloud credential [${ref.name}] is of type ${cred.info.type}; a ${obj.info.type} backup location needs a ${wanted} credential`;
}

function startValidation(obj: StoredObject, ctx: Ctx): void {
    obj.transitions = []; // a new validation supersedes one still running
    obj.info.status = { status: "ValidationInProgress" };
    obj.info.validation_started_at = timestamp(ctx.now());
    ctx.store.schedule(obj, [
        [
            ctx.delays.locationValidation,
            (o) => {
                const mismatch = credentialMismatch(o, ctx);
                const outcome = mismatch
                    ? { status: "ValidationFailed", reason: mismatch }
                    : outcomeFor(ctx, o, ctx.outcomes.backupLocation);
                o.info.status = { status: outcome.status, reason: outcome.reason ?? "" };
            },
        ],
    ]);
}

export const backupLocation: KindSpec = {
    kind: "backuplocation",
    label: "backup location",
    ops: {
        create: "BackupLocation_Create",
        update: "BackupLocation_Update",
        enumerate: "BackupLocation_Enumerate",
        inspect: "BackupLocation_Inspect",
        delete: "BackupLocation_Delete",
        ownership: "BackupLocation_UpdateOwnership",
    },
    responseKey: "backup_location",
    listKey: "backup_locations",
    infoKey: "backup_location_info",
    objectDef: "BackupLocationObject",
    paginated: true,
    refs: [{ field: "cloud_credential_ref", kind: "cloudcredential", twin: "cloud_credential" }],
    secrets: [
        "encryption_key",
        "s3_config.azure_account_name",
        "s3_config.azure_subscription_id",
        "s3_config.google_project_id",
    ],
    blocksReferencedDeletion: true,
    build: (req) => without(req.backup_location, ...LOCATION_OUTPUT_ONLY),
    validate: validateLocation,
    update(obj, req, ctx) {
        const info = without(req.backup_location, ...LOCATION_OUTPUT_ONLY);
        // type and path identify the bucket; the server keeps them (an update may omit them, not change them).
        for (const field of ["type", "path"]) {
            if (info[field] && info[field] !== "Invalid" && info[field] !== obj.info[field]) {
                throw invalid(`backup_location.${field} cannot be changed (is ${JSON.stringify(obj.info[field])})`);
            }
            info[field] = obj.info[field];
        }
        keepSecrets(backupLocation, obj.info, info);
        validateLocation(info);
        obj.info = info;
        applyMetadataUpdate(obj, req.metadata);
        startValidation(obj, ctx);
    },
    created: startValidation,
    deleted: pendingDelete((o) => (o.info.status = { status: "DeletePending" })),
    status: (o) => o.info.status?.status,
};
