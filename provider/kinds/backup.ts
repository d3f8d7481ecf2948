// Backup: a one-off backup of a selection; create waits for Success. Its API differs from the other kinds:
// the selection is fixed once taken, PUT /v1/backup takes only metadata and the credential reference, and
// the share has its own endpoint. The hooks below are that difference; everything else is generic.
import { FieldSpec, encodeValue, isUnset, mergeForWrite, satisfies } from "../wire";
import { accessConfig, int, json, metadataOutputs, obj, ref, selectionFields, statusOutputs, str } from "./common";
import type { Identity, KindContext, KindSpec } from "./spec";

type Props = Record<string, unknown>;

const shareAccess = ["View", "Restorable", "FullAccess"];

async function putBackupShare(ctx: KindContext, i: Identity, share: unknown): Promise<void> {
    const backupshare = encodeValue(ctx.spec.fields.backupShare.type, share) ?? {};
    await ctx.client.put(`${ctx.spec.basePath}/updatebackupshare`, {
        org_id: i.orgId,
        name: i.name,
        uid: i.uid,
        backupshare,
    });
}

/**
 * The create request carries neither the credential reference (a server drops it, and the backup takes the
 * location's credential) nor the share: the credential goes through PUT /v1/backup, which then needs a
 * re-read; the share goes to its own endpoint.
 */
async function applyDeferred(ctx: KindContext, i: Identity, obj: Props, inputs: Props, keys: string[]) {
    if (keys.includes("cloudCredentialRef")) {
        const live = (obj.metadata ?? {}) as Props;
        // PUT /v1/backup replaces labels and ownership: send back what create just stored.
        const metadata: Props = { name: i.name, org_id: i.orgId, uid: i.uid };
        if (live.labels) metadata.labels = live.labels;
        if (live.ownership) metadata.ownership = live.ownership;
        const cc = encodeValue(ctx.spec.fields.cloudCredentialRef.type, inputs.cloudCredentialRef);
        await ctx.client.put(ctx.spec.basePath, { metadata, cloud_credential_ref: cc });
    }
    if (keys.includes("backupShare")) await putBackupShare(ctx, i, inputs.backupShare);
    // One read after both writes: the state must show what they set.
    return ctx.mustInspect(i, "create");
}

/** Only labels, ownership and the credential ref (PUT /v1/backup) and the share can change. */
async function update(ctx: KindContext, i: Identity, olds: Props, news: Props): Promise<{ outs: Props }> {
    const m = ctx.metadata;
    const changed = (k: string, f: FieldSpec) =>
        !(f.serverDefault && isUnset(news[k])) && !satisfies(f.type, news[k], olds[k]);
    const ccRef = ctx.spec.fields.cloudCredentialRef;
    if (changed("labels", m.labels) || changed("ownership", m.ownership) || changed("cloudCredentialRef", ccRef)) {
        const metadata: Props = { name: i.name, org_id: i.orgId, uid: i.uid };
        const labels = encodeValue(m.labels.type, news.labels);
        if (labels) metadata.labels = labels;
        const liveOwnership = encodeValue(m.ownership.type, olds.ownership);
        const ownership = isUnset(news.ownership)
            ? liveOwnership
            : mergeForWrite(m.ownership.type, news.ownership, liveOwnership);
        if (ownership) metadata.ownership = ownership;
        const body: Props = { metadata };
        const cc = mergeForWrite(ccRef.type, news.cloudCredentialRef, encodeValue(ccRef.type, olds.cloudCredentialRef));
        if (cc) body.cloud_credential_ref = cc;
        await ctx.client.put(ctx.spec.basePath, body);
    }
    if (!satisfies(ctx.spec.fields.backupShare.type, news.backupShare, olds.backupShare)) {
        await putBackupShare(ctx, i, news.backupShare);
    }
    const after = await ctx.mustInspect(i, "update");
    return { outs: ctx.outputs(after, news, ctx.hashes(news)) };
}

export const BACKUP: KindSpec = {
    name: "Backup",
    basePath: "/v1/backup",
    responseKey: "backup",
    listKey: "backups",
    enumeratePost: true,
    infoKey: "backup_info",
    nameFormat: "dns1123Subdomain",
    fields: {
        ...selectionFields(true),
        cloudCredentialRef: ref({
            serverDefault: true,
            description: "credential used to reach the backup data (copied from the location when unset)",
        }),
        backupShare: {
            type: obj({
                groups: { type: accessConfig(shareAccess) },
                collaborators: { type: accessConfig(shareAccess) },
            }),
            wire: "backup_share",
            description: "who may view or restore the backup; changed in place",
        },
    },
    outputs: {
        ...metadataOutputs,
        ...statusOutputs("backup_info"),
        stage: { type: str(), wire: "backup_info.stage" },
        backupPath: { type: str(), wire: "backup_info.backup_path" },
        totalSize: { type: int(), wire: "backup_info.total_size" },
        resourceCount: { type: int(), wire: "backup_info.resource_count" },
        failedResourceCount: { type: int(), wire: "backup_info.failed_resource_count" },
        crName: { type: str(), wire: "backup_info.cr_name" },
        crUid: { type: str(), wire: "backup_info.cr_uid" },
        storkVersion: { type: str(), wire: "backup_info.stork_version" },
        completionTime: { type: str(), wire: "backup_info.completion_time_info.total_completion_time" },
        backupSchedule: { type: json, wire: "backup_info.backup_schedule" },
    },
    updateWire: [],
    createViaUpdate: ["cloudCredentialRef", "backupShare"],
    // A replacement deletes the backup (and its data) and takes a new one.
    replaceDeletesBackups: () => true,
    ready: {
        statusPath: "backup_info.status.status",
        reasonPath: "backup_info.status.reason",
        success: ["Success", "PartialSuccess"],
        failure: ["Failed", "Aborted", "CloudBackupMissing"],
        absentIsReady: false,
        defaultTimeoutSeconds: 3600,
        failureHint:
            "a failed backup is not retried in place: take a new one with `pulumi up --replace <urn>` or under another name",
    },
    deleteQuery: (p) => {
        const cluster = p.clusterRef as { name?: string; uid?: string } | undefined;
        return { "cluster_ref.name": cluster?.name, "cluster_ref.uid": cluster?.uid };
    },
    hooks: { applyDeferred, update },
};
