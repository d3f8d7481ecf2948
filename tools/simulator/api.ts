// Handlers for the PX-Backup REST operations, keyed by the contract's operationId. Create/update/inspect/
// enumerate/delete/ownership are generic over the kinds table; a few operations have their own handler.
import { ApiError, Code, alreadyExists, invalid, notFound } from "./errors";
import { timestamp } from "./contract";
import { Ctx, KINDS, KindSpec, RefSpec, checkName, getPath, kindSpec, rejectBulk } from "./kinds";
import { StoredObject, Wire } from "./store";
import { ADMIN_GROUP, Caller } from "./auth";

export interface ApiRequest {
    params: Record<string, string>;
    /** Decoded query parameters (nested by dotted name). */
    query: Wire;
    /** Decoded JSON body. */
    body: Wire;
    ctx: Ctx;
}

export type Handler = (req: ApiRequest) => Wire;

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function deletePath(obj: Wire, dotted: string): void {
    const parts = dotted.split(".");
    const parent = getPath(obj, parts.slice(0, -1).join(".")) as Wire | undefined;
    const target = parts.length === 1 ? obj : parent;
    if (target && typeof target === "object") delete target[parts[parts.length - 1]];
}

/** The wire object `{metadata, <info key>}`; secrets only when asked for. */
export function render(spec: KindSpec, obj: StoredObject, ctx: Ctx, includeSecrets = false): Wire {
    const info = clone(obj.info);
    if (!includeSecrets) for (const p of spec.secrets) deletePath(info, p);
    spec.render?.(obj, info, ctx);
    return { metadata: clone(obj.metadata), [spec.infoKey]: info };
}

// ---------------------------------------------------------------------------------------------------------
// Access control from metadata.ownership (docs/px-backup-api.md#access-control): the owner and admins have
// full access; others get what the object's collaborators/groups/public entries grant (Read < Write < Admin).
// Backups also honour their backup_share (View/Restorable → Read, FullAccess → Admin).

const LEVEL: Record<string, number> = { Read: 1, Write: 2, Admin: 3, View: 1, Restorable: 1, FullAccess: 3 };
type Level = "Read" | "Write" | "Admin";

function accessLevel(obj: StoredObject, caller: Caller): number {
    if (caller.groups.includes(ADMIN_GROUP)) return 3;
    const ownership: Wire = obj.metadata.ownership ?? {};
    if (!ownership.owner || ownership.owner === caller.sub) return 3;
    const grants: Wire[] = [...(ownership.collaborators ?? []), ...(obj.info.backup_share?.collaborators ?? [])]
        .filter((g) => g.id === caller.sub || g.id === "*")
        .concat(
            [...(ownership.groups ?? []), ...(obj.info.backup_share?.groups ?? [])].filter(
                (g) => g.id === "*" || caller.groups.includes(g.id),
            ),
        );
    const levels = grants.map((g) => LEVEL[g.access] ?? 0).concat(LEVEL[ownership.public?.type] ?? 0);
    return Math.max(0, ...levels);
}

function requireAccess(spec: KindSpec, obj: StoredObject, ctx: Ctx, level: Level): void {
    if (accessLevel(obj, ctx.caller) < LEVEL[level]) {
        throw new ApiError(Code.PermissionDenied, `Access denied for [Resource: ${spec.kind}]`);
    }
}

const refEquals = (a: Wire | undefined, b: Wire | undefined) =>
    a?.uid && b?.uid ? a.uid === b.uid : a?.name === b?.name;

/**
 * Resolves ObjectRefs by uid or name to `{name, uid}` and keeps the deprecated string twin equal to the name.
 * A missing required ref is InvalidArgument; a ref to nothing is NotFound. Refs equal to `previous` are kept.
 */
function resolveRefs(spec: KindSpec, info: Wire, ctx: Ctx, orgId: string, previous?: Wire): void {
    for (const ref of spec.refs) {
        let value: Wire | undefined = info[ref.field];
        if ((!value || (!value.name && !value.uid)) && ref.twin && info[ref.twin]) value = { name: info[ref.twin] };
        if (!value || (!value.name && !value.uid)) {
            if (ref.required)
                throw invalid(`${ref.field} is required (name or uid of the ${kindSpec(ref.kind).label})`);
            delete info[ref.field];
            if (ref.twin) delete info[ref.twin];
            continue;
        }
        if (previous && refEquals(value, previous[ref.field])) {
            info[ref.field] = previous[ref.field];
            if (ref.twin) info[ref.twin] = previous[ref.field].name;
            continue;
        }
        // Before 2.10 the server looked references up by uid: a name alone matches nothing.
        if (!ctx.nameOnlyLookups && !value.uid) throw notFound(kindSpec(ref.kind).label, value.name);
        const target = findLive(ref, ctx, orgId, value);
        info[ref.field] = { name: target.metadata.name, uid: target.metadata.uid };
        if (ref.twin) info[ref.twin] = target.metadata.name;
    }
}

function findLive(ref: RefSpec, ctx: Ctx, orgId: string, value: Wire): StoredObject {
    const target = ctx.store.find(ref.kind, orgId, value.name || undefined, value.uid || undefined);
    const label = kindSpec(ref.kind).label;
    if (!target) throw notFound(label, value.name || value.uid);
    requireAccess(kindSpec(ref.kind), target, ctx, "Read");
    if (target.deleting)
        throw new ApiError(Code.FailedPrecondition, `${label} [${target.metadata.name}] is being deleted`);
    return target;
}

function requireObject(
    spec: KindSpec,
    ctx: Ctx,
    orgId: string,
    name: string | undefined,
    uid: string | undefined,
    level: Level,
): StoredObject {
    if (!name && !uid) throw invalid(`${spec.label} name is required`);
    const obj = ctx.store.find(spec.kind, orgId, name, uid);
    if (!obj) throw notFound(spec.label, name || uid || "");
    requireAccess(spec, obj, ctx, level);
    return obj;
}

function create(spec: KindSpec): Handler {
    return ({ body, ctx }) => {
        const meta: Wire = body.metadata ?? {};
        const orgId = ctx.store.requireOrg(meta.org_id);
        checkName(spec, meta.name);
        const existing = ctx.store
            .list(spec.kind, orgId)
            .find((o) => o.metadata.name === meta.name || (meta.uid && o.metadata.uid === meta.uid));
        if (existing) throw alreadyExists(spec.label, meta.name, spec.existsSuffix?.(existing) ?? "");
        const info = spec.build(body);
        resolveRefs(spec, info, ctx, orgId);
        spec.validate?.(info);
        const obj = ctx.store.insert(spec.kind, ctx.store.newMetadata(meta, ctx.caller.sub), info);
        spec.created?.(obj, ctx);
        return { [spec.responseKey]: render(spec, obj, ctx) };
    };
}

function update(spec: KindSpec): Handler {
    return ({ body, ctx }) => {
        const meta: Wire = body.metadata ?? {};
        const orgId = ctx.store.requireOrg(meta.org_id);
        if (!ctx.nameOnlyLookups && !meta.uid) throw notFound(spec.label, meta.name ?? "");
        const obj = requireObject(spec, ctx, orgId, meta.name, meta.uid, "Write");
        if (obj.deleting)
            throw new ApiError(Code.FailedPrecondition, `${spec.label} [${obj.metadata.name}] is being deleted`);
        const before = {
            info: clone(obj.info),
            metadata: clone(obj.metadata),
            transitions: [...obj.transitions],
            suspendTarget: obj.suspendTarget,
        };
        try {
            spec.update(obj, body, ctx);
            resolveRefs(spec, obj.info, ctx, orgId, before.info);
        } catch (err) {
            Object.assign(obj, before); // an invalid update changes nothing
            throw err;
        }
        ctx.store.touch(obj);
        return {};
    };
}

function inspect(spec: KindSpec): Handler {
    return ({ params, query, ctx }) => {
        const orgId = ctx.store.requireOrg(params.org_id);
        const obj = requireObject(spec, ctx, orgId, params.name, query.uid, "Read");
        return { [spec.responseKey]: render(spec, obj, ctx, query.include_secrets === true) };
    };
}

function deleteObject(
    spec: KindSpec,
    ctx: Ctx,
    orgId: string,
    name: string | undefined,
    uid: string | undefined,
    query: Wire = {},
): Wire {
    const obj = requireObject(spec, ctx, orgId, name, uid, "Admin");
    if (obj.deleting) return {}; // already accepted; still pending
    for (const user of KINDS.filter((k) => k.blocksReferencedDeletion)) {
        for (const other of ctx.store.list(user.kind, orgId)) {
            if (other.deleting) continue;
            const ref = user.refs.find((r) => r.kind === spec.kind && other.info[r.field]?.uid === obj.metadata.uid);
            if (ref) {
                throw new ApiError(
                    Code.FailedPrecondition,
                    `cannot delete ${spec.label} [${obj.metadata.name}]: it is used by ${user.label} [${other.metadata.name}]`,
                );
            }
        }
    }
    obj.deleting = true;
    if (spec.deleted(obj, ctx, query) === "now") ctx.store.remove(obj);
    return {};
}

function remove(spec: KindSpec): Handler {
    return ({ params, query, ctx }) => {
        if (spec.kind === "backupschedule") rejectBulk(query, "delete");
        return deleteObject(spec, ctx, ctx.store.requireOrg(params.org_id), params.name, query.uid, query);
    };
}

function ownership(spec: KindSpec): Handler {
    return ({ body, ctx }) => {
        const orgId = ctx.store.requireOrg(body.org_id);
        const obj = requireObject(spec, ctx, orgId, body.name, body.uid, "Admin");
        obj.metadata.ownership = { ...(body.ownership ?? {}), owner: obj.metadata.ownership?.owner };
        ctx.store.touch(obj);
        return {};
    };
}

// ---------------------------------------------------------------------------------------------------------
// Enumerate: filters, sorting and pagination shared by every kind.

const matchesRef = (ref: Wire | undefined, wanted: Wire) =>
    !!ref && ((wanted.uid && ref.uid === wanted.uid) || (!wanted.uid && !!wanted.name && ref.name === wanted.name));
const refFilter = (r: Wire | undefined) => !!r && !!(r.name || r.uid);
const nonEmpty = (v: unknown): v is any[] => Array.isArray(v) && v.length > 0;

function enumerate(spec: KindSpec, fromBody: boolean): Handler {
    return ({ params, query, body, ctx }) => {
        const q: Wire = fromBody ? body : query;
        const orgId = ctx.store.requireOrg(params.org_id || q.org_id);
        const eo: Wire = q.enumerate_options ?? {};
        const labels: Wire = { ...(q.labels ?? {}), ...(eo.labels ?? {}) };
        const start = eo.time_range?.start_time ? Date.parse(eo.time_range.start_time) : undefined;
        const end = eo.time_range?.end_time ? Date.parse(eo.time_range.end_time) : undefined;
        const locStatuses: string[] = q.backup_location_enumerate_options?.statuses ?? [];
        const providerTypes: string[] = q.backup_location_enumerate_options?.provider_types ?? [];
        const clusterStatuses: string[] = q.cluster_enumerate_options?.cluster_status ?? [];
        const clusterProviders: string[] = q.cluster_enumerate_options?.cluster_providers ?? [];
        const resource: Wire = eo.resource_info ?? {};

        let objects = ctx.store.list(spec.kind, orgId).filter((o) => {
            if (accessLevel(o, ctx.caller) < LEVEL.Read) return false; // others' objects are invisible, not an error
            const info = o.info;
            const created = Date.parse(o.metadata.create_time);
            if (Object.entries(labels).some(([k, v]) => o.metadata.labels?.[k] !== v)) return false;
            if (eo.name_filter && !o.metadata.name.includes(eo.name_filter)) return false;
            if (start !== undefined && created < start) return false;
            if (end !== undefined && created > end) return false;
            if (nonEmpty(eo.owners) && !eo.owners.includes(o.metadata.ownership?.owner)) return false;
            if (nonEmpty(eo.status) && !eo.status.includes(spec.status?.(o) ?? "")) return false;
            if (eo.cluster_name_filter && !(info.cluster_ref?.name ?? "").includes(eo.cluster_name_filter))
                return false;
            if (eo.cluster_uid_filter && info.cluster_ref?.uid !== eo.cluster_uid_filter) return false;
            if (
                eo.backup_object_type &&
                eo.backup_object_type !== "All" &&
                (info.backup_object_type?.type ?? "All") !== eo.backup_object_type
            )
                return false;
            if (
                nonEmpty(eo.schedule_policy_ref) &&
                !eo.schedule_policy_ref.some((r: Wire) => matchesRef(info.schedule_policy_ref, r))
            )
                return false;
            if (
                nonEmpty(eo.backup_schedule_ref) &&
                !eo.backup_schedule_ref.some((r: Wire) => matchesRef(info.backup_schedule, r))
            )
                return false;
            if (
                refFilter(q.backup_location_ref) &&
                "backup_location_ref" in info &&
                !matchesRef(info.backup_location_ref, q.backup_location_ref)
            )
                return false;
            if (refFilter(q.cloud_credential_ref) && !matchesRef(info.cloud_credential_ref, q.cloud_credential_ref))
                return false;
            if (spec.kind === "backuplocation") {
                const status = info.status?.status;
                if (nonEmpty(locStatuses)) {
                    if (!locStatuses.includes(status)) return false;
                } else if (status === "ValidationInProgress" && q.include_validation_state !== true) {
                    return false; // the server hides locations still being validated unless asked
                }
                if (nonEmpty(providerTypes) && !providerTypes.includes(info.type)) return false;
            }
            if (nonEmpty(clusterStatuses) && !clusterStatuses.includes(info.status?.status)) return false;
            if (nonEmpty(clusterProviders) && !clusterProviders.includes(info.provider ?? "Invalid")) return false;
            if (q.cluster_enumerate_options?.managed === true) return false; // no simulated cluster comes from discovery
            if (
                nonEmpty(eo.volume_resource_only_policy_ref) &&
                !eo.volume_resource_only_policy_ref.some((r: Wire) =>
                    matchesRef(info.volume_resource_only_policy_ref, r),
                )
            )
                return false;
            // resource_info: backups holding a matching resource (every given field must match).
            if (
                Object.keys(resource).length &&
                !(info.resources ?? []).some((r: Wire) => Object.entries(resource).every(([k, v]) => r[k] === v))
            )
                return false;
            if (eo.vm_volume_name) return false; // no simulated backup holds virtual-machine volumes
            return true;
        });

        objects = sortObjects(objects, eo.sort_option);
        const total = objects.length;
        let page = objects;
        let complete = true;
        if (spec.paginated) {
            const index = Number(eo.object_index ?? 0);
            const max = Number(eo.max_objects ?? 0);
            page = objects.slice(index, max > 0 ? index + max : undefined);
            complete = index + page.length >= total;
        }
        const rendered = page.map((o) => {
            const wire = render(spec, o, ctx, q.include_secrets === true);
            if (spec.kind === "backup" && eo.include_detailed_resources !== true) {
                delete wire.backup_info.resources; // only with include_detailed_resources
                delete wire.backup_info.volumes;
            }
            return wire;
        });
        return spec.paginated
            ? { [spec.listKey]: rendered, total_count: String(total), complete }
            : { [spec.listKey]: rendered };
    };
}

function sortObjects(objects: StoredObject[], sort: Wire | undefined): StoredObject[] {
    const by: string = sort?.sortBy?.type && sort.sortBy.type !== "Invalid" ? sort.sortBy.type : "CreationTimestamp";
    const ascending = sort?.sortOrder?.type === "Ascending";
    const key = (o: StoredObject): string | number => {
        switch (by) {
            case "Name":
                return o.metadata.name;
            case "ClusterName":
                return o.info.cluster_ref?.name ?? "";
            case "Size":
                return Number(o.info.total_size ?? 0);
            case "LastUpdateTimestamp":
                return Date.parse(o.metadata.last_update_time);
            default:
                return Date.parse(o.metadata.create_time);
        }
    };
    const sorted = [...objects].sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        const c = ka < kb ? -1 : ka > kb ? 1 : a.seq - b.seq;
        return ascending ? c : -c;
    });
    return sorted;
}

// ---------------------------------------------------------------------------------------------------------
// Operations with their own shape.

const ACCESS_NAMES = ["View", "Restorable", "FullAccess"];

const special: Record<string, Handler> = {
    Backup_UpdateBackupShare: ({ body, ctx }) => {
        const orgId = ctx.store.requireOrg(body.org_id);
        const obj = requireObject(kindSpec("backup"), ctx, orgId, body.name, body.uid, "Admin");
        const share: Wire = body.backupshare ?? {};
        for (const list of ["groups", "collaborators"]) {
            (share[list] ?? []).forEach((entry: Wire, i: number) => {
                if (!entry.id) throw invalid(`backupshare.${list}[${i}].id is required`);
                if (!ACCESS_NAMES.includes(entry.access))
                    throw invalid(`backupshare.${list}[${i}].access must be one of ${ACCESS_NAMES.join(", ")}`);
            });
        }
        obj.info.backup_share = share;
        ctx.store.touch(obj);
        return {};
    },
    BackupSchedule_Delete2: ({ params, body, ctx }) => {
        rejectBulk(body, "delete");
        return deleteObject(
            kindSpec("backupschedule"),
            ctx,
            ctx.store.requireOrg(params.org_id || body.org_id),
            body.name,
            body.uid,
        );
    },
    BackupLocation_Validate: ({ body, ctx }) => {
        const spec = kindSpec("backuplocation");
        const obj = requireObject(spec, ctx, ctx.store.requireOrg(body.org_id), body.name, body.uid, "Write");
        spec.created!(obj, ctx); // restarts validation
        return {};
    },
    Organization_Enumerate: ({ ctx }) => ({
        organizations: [...ctx.store.organizations.values()].map((m) => ({ metadata: clone(m) })),
    }),
    Organization_Create: ({ body, ctx }) => {
        const name: string | undefined = body.metadata?.name;
        if (!name) throw invalid("organization name (metadata.name) is required");
        if (ctx.store.organizations.has(name)) throw alreadyExists("organization", name);
        ctx.store.addOrganization(name, ctx.caller.sub);
        return {};
    },
    Organization_Inspect: ({ params, ctx }) => {
        const meta = ctx.store.organizations.get(params.name);
        if (!meta) throw notFound("organization", params.name);
        return { organization: { metadata: clone(meta) } };
    },
    Organization_Delete: ({ params, ctx }) => {
        if (!ctx.store.organizations.delete(params.name)) throw notFound("organization", params.name);
        return {};
    },
    Version_Get: ({ ctx }) => ({
        version: {
            major: String(ctx.serverVersion.major),
            minor: String(ctx.serverVersion.minor),
            patch: String(ctx.serverVersion.patch),
            git_commit: "px-backup-simulator",
            build_date: timestamp(ctx.now()),
        },
    }),
    Health_Status: () => ({}),
};

/** operationId → handler for everything the simulator implements. */
export const HANDLERS: Record<string, Handler> = (() => {
    const table: Record<string, Handler> = { ...special };
    for (const spec of KINDS) {
        table[spec.ops.create] = create(spec);
        table[spec.ops.update] = update(spec);
        table[spec.ops.inspect] = inspect(spec);
        table[spec.ops.delete] = remove(spec);
        table[spec.ops.enumerate] = enumerate(spec, false);
        if (spec.ops.enumeratePost) table[spec.ops.enumeratePost] = enumerate(spec, true);
        if (spec.ops.ownership) table[spec.ops.ownership] = ownership(spec);
    }
    return table;
})();
