// Read-only functions: inspect one schedule/backup (INSPECT_ONE) and list them (INSPECT_ALL) with every
// enumerate option, following pagination to the end. Plain async functions over the same client, plus
// `...Output` variants taking Pulumi inputs.
import * as pulumi from "@pulumi/pulumi";
import { PxBackupClient, Query } from "./client";
import { KINDS, KindName } from "./kinds";
import { DEFAULT_ORG, KindMachinery } from "./machinery";
import { clientFor } from "./runtime";
import { CONFIG_NAMESPACE, ConnectionSettings, lookupFrom, resolveSettings } from "./settings";

/** Where to connect: a client, explicit settings, or (default) stack config kube-backup:* with env fallback. */
export type Connection = PxBackupClient | ConnectionSettings | undefined;

function clientOf(conn: Connection): PxBackupClient {
    if (conn instanceof PxBackupClient) return conn;
    if (conn) return clientFor(conn);
    // runtime.getConfig reads the raw value (secret or not) without Pulumi's "use getSecret" warning.
    return clientFor(resolveSettings(lookupFrom((k) => pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${k}`))));
}

function machinery(kind: KindName, conn: Connection): KindMachinery {
    const c = clientOf(conn);
    return new KindMachinery(KINDS[kind], () => c);
}

export interface GetArgs {
    name: string;
    uid?: string;
    orgId?: string;
}

/** A server object described with the resource's camelCase property names. */
export type PxObject = Record<string, any> & { name: string; uid: string; orgId: string };

async function getOne(kind: KindName, args: GetArgs, conn: Connection): Promise<PxObject> {
    const m = machinery(kind, conn);
    const obj = await m.inspect({ orgId: args.orgId ?? DEFAULT_ORG, name: args.name, uid: args.uid });
    if (!obj) throw new Error(`${kind} "${args.name}" not found in organization "${args.orgId ?? DEFAULT_ORG}"`);
    return m.describe(obj) as PxObject;
}

/** Inspects one backup schedule (INSPECT_ONE) by name, and uid when names are not unique. */
export function getBackupSchedule(args: GetArgs, conn?: Connection): Promise<PxObject> {
    return getOne("BackupSchedule", args, conn);
}

/** Inspects one backup (INSPECT_ONE) by name, and uid when names are not unique. */
export function getBackup(args: GetArgs, conn?: Connection): Promise<PxObject> {
    return getOne("Backup", args, conn);
}

/** Inspects one restore (INSPECT_ONE) by name, and uid when names are not unique. */
export function getRestore(args: GetArgs, conn?: Connection): Promise<PxObject> {
    return getOne("Restore", args, conn);
}

export interface ListArgs {
    orgId?: string;
    /** At most this many objects are returned (the first ones in the server's order). */
    maxObjects?: number;
    /** Objects per request (enumerate_options.max_objects); pages are followed to the end or to maxObjects. */
    pageSize?: number;
    /** Start offset (enumerate_options.object_index). */
    objectIndex?: number;
    nameFilter?: string;
    clusterNameFilter?: string;
    clusterUidFilter?: string;
    owners?: string[];
    /** Status names, e.g. ["Success", "Failed"]. */
    status?: string[];
    labels?: Record<string, string>;
    timeRange?: { startTime?: string; endTime?: string };
    includeDetailedResources?: boolean;
    backupObjectType?: string;
    sortBy?: "CreationTimestamp" | "Name" | "ClusterName" | "Size" | "RestoreBackupName" | "LastUpdateTimestamp";
    sortOrder?: "Ascending" | "Descending";
    /** Schedules only: filter by backup location. */
    backupLocationRef?: { name?: string; uid?: string };
    /** Schedules and backups: only those of one of these schedule policies (by name, or uid). */
    schedulePolicyRefs?: RefFilter[];
    /** Schedules and backups: only backups taken by one of these schedules (by name, or uid). */
    backupScheduleRefs?: RefFilter[];
}

export interface RefFilter {
    name?: string;
    uid?: string;
}

const REF_FILTERS = ["schedulePolicyRefs", "backupScheduleRefs"] as const;

/**
 * The same options as the JSON body of the POST enumerate: a query string cannot carry a list of references
 * (the gateway refuses repeated messages in a query), so reference filters take that route.
 * @internal
 */
export function enumerateBody(orgId: string, a: ListArgs, objectIndex: number, remaining?: number) {
    const q = enumerateQuery(a, objectIndex, remaining);
    const e = "enumerate_options.";
    const opts: Record<string, unknown> = {};
    const set = (path: string, v: unknown) => {
        if (v === undefined) return;
        const parts = path.split(".");
        let node = opts;
        for (const k of parts.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
        node[parts[parts.length - 1]] = v;
    };
    for (const [k, v] of Object.entries(q)) {
        if (!k.startsWith(e) || k.includes("[")) continue;
        const key = k.slice(e.length);
        set(key, key === "include_detailed_resources" ? v === "true" : v);
    }
    if (a.labels && Object.keys(a.labels).length) opts.labels = { ...a.labels };
    const refs = (r?: RefFilter[]) =>
        r?.map((x) => ({ ...(x.name ? { name: x.name } : {}), ...(x.uid ? { uid: x.uid } : {}) }));
    set("schedule_policy_ref", refs(a.schedulePolicyRefs));
    set("backup_schedule_ref", refs(a.backupScheduleRefs));
    const body: Record<string, unknown> = { org_id: orgId, enumerate_options: opts };
    if (a.backupLocationRef) body.backup_location_ref = { ...a.backupLocationRef };
    return body;
}

/**
 * grpc-gateway query for EnumerateOptions (dotted names, repeated keys, labels[k]=v).
 * @internal
 */
export function enumerateQuery(a: ListArgs, objectIndex: number, remaining?: number): Query {
    const e = "enumerate_options.";
    const page =
        a.pageSize !== undefined && remaining !== undefined
            ? Math.min(a.pageSize, remaining)
            : (a.pageSize ?? remaining);
    const q: Query = {
        [`${e}max_objects`]: page !== undefined ? String(page) : undefined,
        [`${e}object_index`]: objectIndex ? String(objectIndex) : undefined,
        [`${e}name_filter`]: a.nameFilter,
        [`${e}cluster_name_filter`]: a.clusterNameFilter,
        [`${e}cluster_uid_filter`]: a.clusterUidFilter,
        [`${e}owners`]: a.owners,
        [`${e}status`]: a.status,
        [`${e}time_range.start_time`]: a.timeRange?.startTime,
        [`${e}time_range.end_time`]: a.timeRange?.endTime,
        [`${e}include_detailed_resources`]:
            a.includeDetailedResources === undefined ? undefined : String(a.includeDetailedResources),
        [`${e}backup_object_type`]: a.backupObjectType,
        [`${e}sort_option.sortBy.type`]: a.sortBy,
        [`${e}sort_option.sortOrder.type`]: a.sortOrder,
        "backup_location_ref.name": a.backupLocationRef?.name,
        "backup_location_ref.uid": a.backupLocationRef?.uid,
    };
    for (const [k, v] of Object.entries(a.labels ?? {})) q[`${e}labels[${k}]`] = v;
    return q;
}

async function listAll(kind: KindName, args: ListArgs, conn: Connection): Promise<PxObject[]> {
    const m = machinery(kind, conn);
    const client = clientOf(conn);
    const spec = KINDS[kind];
    const path = `${spec.basePath}/${encodeURIComponent(args.orgId ?? DEFAULT_ORG)}`;
    for (const [k, v] of [
        ["maxObjects", args.maxObjects],
        ["pageSize", args.pageSize],
    ] as const) {
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
            throw new Error(`${k} must be a positive integer, got ${v}`);
        }
    }
    const orgId = args.orgId ?? DEFAULT_ORG;
    const byRef = REF_FILTERS.filter((k) => args[k] !== undefined);
    for (const k of byRef) {
        if (!spec.enumeratePost) throw new Error(`${k} is not a filter of ${kind} lists`);
        const bad = args[k]!.findIndex((r) => !r || (!r.name && !r.uid));
        if (bad >= 0) throw new Error(`${k}[${bad}] needs a name or a uid`);
    }
    const out: PxObject[] = [];
    let index = args.objectIndex ?? 0;
    for (let page = 0; ; page++) {
        const remaining = args.maxObjects !== undefined ? args.maxObjects - out.length : undefined;
        const res = byRef.length
            ? await client.post(`${path}/enumerate`, enumerateBody(orgId, args, index, remaining))
            : await client.get(path, enumerateQuery(args, index, remaining));
        const items: Record<string, any>[] = res[spec.listKey] ?? [];
        for (const obj of items.slice(0, remaining)) out.push(m.describe(obj) as PxObject);
        index += items.length;
        const total = res.total_count !== undefined ? Number(res.total_count) : undefined;
        if (
            res.complete === true ||
            items.length === 0 ||
            (args.maxObjects !== undefined && out.length >= args.maxObjects) ||
            (total !== undefined && index >= total) ||
            (args.pageSize === undefined && args.maxObjects === undefined && res.complete === undefined)
        )
            break;
        if (page > 100000) throw new Error(`${kind} enumeration did not end after 100000 pages`);
    }
    return out;
}

/** Lists backup schedules (INSPECT_ALL) with every enumerate option, following pagination (up to maxObjects). */
export function listBackupSchedules(args: ListArgs = {}, conn?: Connection): Promise<PxObject[]> {
    return listAll("BackupSchedule", args, conn);
}

/** Lists backups (INSPECT_ALL) with every enumerate option, following pagination (up to maxObjects). */
export function listBackups(args: ListArgs = {}, conn?: Connection): Promise<PxObject[]> {
    const { backupLocationRef: _ignored, ...rest } = args;
    return listAll("Backup", rest, conn);
}

/** Lists restores (INSPECT_ALL) with every enumerate option, following pagination (up to maxObjects). */
export function listRestores(args: ListArgs = {}, conn?: Connection): Promise<PxObject[]> {
    const { backupLocationRef: _ignored, ...rest } = args;
    return listAll("Restore", rest, conn);
}

type Inputs<T> = pulumi.Input<{ [K in keyof T]: pulumi.Input<T[K]> }>;

export function getBackupScheduleOutput(args: Inputs<GetArgs>, conn?: Connection): pulumi.Output<PxObject> {
    return pulumi.output(args).apply((a) => getBackupSchedule(a as GetArgs, conn));
}

export function getBackupOutput(args: Inputs<GetArgs>, conn?: Connection): pulumi.Output<PxObject> {
    return pulumi.output(args).apply((a) => getBackup(a as GetArgs, conn));
}

export function listBackupSchedulesOutput(args: Inputs<ListArgs> = {}, conn?: Connection): pulumi.Output<PxObject[]> {
    return pulumi.output(args).apply((a) => listBackupSchedules(a as ListArgs, conn));
}

export function listBackupsOutput(args: Inputs<ListArgs> = {}, conn?: Connection): pulumi.Output<PxObject[]> {
    return pulumi.output(args).apply((a) => listBackups(a as ListArgs, conn));
}

export function getRestoreOutput(args: Inputs<GetArgs>, conn?: Connection): pulumi.Output<PxObject> {
    return pulumi.output(args).apply((a) => getRestore(a as GetArgs, conn));
}

export function listRestoresOutput(args: Inputs<ListArgs> = {}, conn?: Connection): pulumi.Output<PxObject[]> {
    return pulumi.output(args).apply((a) => listRestores(a as ListArgs, conn));
}
