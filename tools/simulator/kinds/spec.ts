// The shape of a kind entry (KindSpec), the context its hooks get, and helpers the kind modules share.
import { invalid } from "../errors";
import { Caller } from "../auth";
import { KindName, StoredObject, Store, Wire } from "../store";
import type { ServerVersion } from "../versions";

export interface Delays {
    /** Backup: Pending → InProgress. */
    backupPending: number;
    /** Backup: InProgress → outcome (Success by default). */
    backupInProgress: number;
    /** Backup, schedule, location, cluster: DeletePending → next step (gone, or Deleting for backups). */
    deletePending: number;
    /** Backup: Deleting → gone. */
    backupDeleting: number;
    /** Cluster: Pending → Online. */
    clusterPending: number;
    /** Backup location: ValidationInProgress → Valid. */
    locationValidation: number;
    /** Backup schedule: Suspending/Resuming → the new suspend value is visible. */
    scheduleSuspend: number;
    /** Restore: Pending → InProgress. */
    restorePending: number;
    /** Restore: InProgress → outcome (Success by default). */
    restoreInProgress: number;
}

export const ZERO_DELAYS: Delays = {
    backupPending: 0,
    backupInProgress: 0,
    deletePending: 0,
    backupDeleting: 0,
    clusterPending: 0,
    locationValidation: 0,
    scheduleSuspend: 0,
    restorePending: 0,
    restoreInProgress: 0,
};

export interface Outcome {
    status: string;
    reason?: string;
}

/** Final states of asynchronous work; `byName` overrides the default for one object name. */
export interface Outcomes {
    backup: Outcome;
    backupLocation: Outcome;
    cluster: Outcome;
    restore: Outcome;
    byName: Record<string, Outcome>;
}

export const DEFAULT_OUTCOMES: Outcomes = {
    backup: { status: "Success" },
    backupLocation: { status: "Valid" },
    cluster: { status: "Online" },
    restore: { status: "Success" },
    byName: {},
};

export interface Ctx {
    store: Store;
    caller: Caller;
    delays: Delays;
    outcomes: Outcomes;
    now: () => number;
    /** A new (or resumed) schedule runs its first backup at once. */
    runSchedules: boolean;
    serverVersion: ServerVersion;
    /** References and update targets may be given by name alone (2.10+); before, their uid is needed. */
    nameOnlyLookups: boolean;
}

export interface RefSpec {
    /** Field of the info block holding the ObjectRef. */
    field: string;
    kind: KindName;
    required?: boolean;
    /** Deprecated plain-string twin (`cluster`, `backup_location`, ...) the server keeps equal to the name. */
    twin?: string;
}

export interface KindSpec {
    kind: KindName;
    /** Human name used in server messages ("backup schedule"). */
    label: string;
    ops: {
        create: string;
        update: string;
        enumerate: string;
        enumeratePost?: string;
        inspect: string;
        delete: string;
        ownership?: string;
    };
    /** Key of the object in create/inspect responses. */
    responseKey: string;
    /** Key of the list in enumerate responses. */
    listKey: string;
    /** Key of the info block inside the object. */
    infoKey: string;
    /** Contract definition of the object (`BackupScheduleObject`, ...). */
    objectDef: string;
    /** Enumerate supports max_objects/object_index/total_count/complete. */
    paginated: boolean;
    refs: RefSpec[];
    /** Dotted paths inside the info block returned only with include_secrets=true. */
    secrets: string[];
    /** Object names must be RFC 1123 subdomains (they become Kubernetes CR names). */
    dnsName?: boolean;
    /** Active objects of this kind prevent deletion of what they reference. */
    blocksReferencedDeletion?: boolean;
    /** Info block from a decoded create request. */
    build(req: Wire): Wire;
    /** Server-side validation of a built info block (create and update). */
    validate?(info: Wire): void;
    /** Applies a decoded update request to the object (refs are resolved afterwards). */
    update(obj: StoredObject, req: Wire, ctx: Ctx): void;
    /** After create (refs resolved): set server-managed fields and queue async transitions. */
    created?(obj: StoredObject, ctx: Ctx): void;
    /**
     * Accepts a delete: return "now" to remove at once, or queue transitions ending in "remove". `query` holds the
     * delete's decoded query options (e.g. a cluster's delete_restores).
     */
    deleted(obj: StoredObject, ctx: Ctx, query?: Wire): "now" | void;
    /** Status name used by status filters. */
    status?(obj: StoredObject): string | undefined;
    /** Computed fields added to the rendered info block. */
    render?(obj: StoredObject, info: Wire, ctx: Ctx): void;
    /** Suffix of the already-exists message. */
    existsSuffix?(obj: StoredObject): string;
}

export const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkName(spec: KindSpec, name: string | undefined): void {
    if (!name) throw invalid(`${spec.label} name (metadata.name) is required`);
    if (spec.dnsName && (name.length > 253 || !DNS1123.test(name))) {
        throw invalid(
            `invalid ${spec.label} name "${name}": must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.'; start and end alphanumeric; at most 253 characters)`,
        );
    }
}

export const isEmptyRef = (ref: Wire | undefined) => !ref || (!ref.name && !ref.uid);
export const isSet = (v: unknown) =>
    v !== undefined &&
    v !== null &&
    v !== "" &&
    !(Array.isArray(v) && v.length === 0) &&
    !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

export function without(obj: Wire | undefined, ...keys: string[]): Wire {
    const out: Wire = { ...(obj ?? {}) };
    for (const k of keys) delete out[k];
    return out;
}

/** Replaces labels and (when given) ownership groups/collaborators/public; the owner never changes. */
export function applyMetadataUpdate(obj: StoredObject, meta: Wire | undefined, mergeLabels = false): void {
    if (!mergeLabels || isSet(meta?.labels)) obj.metadata.labels = meta?.labels ?? {};
    if (meta?.ownership) obj.metadata.ownership = { ...meta.ownership, owner: obj.metadata.ownership?.owner };
}

export function getPath(obj: Wire, dotted: string): unknown {
    return dotted
        .split(".")
        .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Wire)[key] : undefined), obj);
}

export function setPath(obj: Wire, dotted: string, value: unknown): void {
    const parts = dotted.split(".");
    let node = obj;
    for (const part of parts.slice(0, -1)) node = node[part] ??= {};
    node[parts[parts.length - 1]] = value;
}

/** An update that leaves a secret empty keeps the stored one (clients cannot read secrets back by default). */
export function keepSecrets(spec: KindSpec, before: Wire, after: Wire): void {
    for (const p of spec.secrets) {
        const parent = p.split(".").slice(0, -1).join(".");
        if (parent && !getPath(after, parent)) continue; // that config block is gone (e.g. another credential type)
        if (!getPath(after, p) && getPath(before, p)) setPath(after, p, getPath(before, p));
    }
}

export function outcomeFor(ctx: Ctx, obj: StoredObject, fallback: Outcome): Outcome {
    return ctx.outcomes.byName[obj.metadata.name] ?? fallback;
}

/** DeletePending for `delays.deletePending`, then gone. */
export function pendingDelete(statusField: (obj: StoredObject) => void) {
    return (obj: StoredObject, ctx: Ctx) => {
        statusField(obj);
        ctx.store.schedule(obj, [[ctx.delays.deletePending, () => "remove"]]);
    };
}
