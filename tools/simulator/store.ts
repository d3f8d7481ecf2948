// In-memory object store. Objects are kept in their wire form (proto-JSON: snake_case, enum names, 64-bit
// integers as strings) so rendering is just "prune zero values". Asynchronous states are queued transitions
// that are applied lazily whenever the store is read, so delays need no timers and tests can settle them.
import * as crypto from "crypto";
import { ApiError, Code, notFound } from "./errors";
import { timestamp } from "./contract";

export type Wire = Record<string, any>;

export type KindName =
    | "schedulepolicy"
    | "backuplocation"
    | "cloudcredential"
    | "cluster"
    | "rule"
    | "backupschedule"
    | "backup"
    | "restore";

export interface Transition {
    dueAt: number;
    /** Mutates the object; returning "remove" deletes it from the store (end of an asynchronous delete). */
    apply: (obj: StoredObject) => void | "remove";
}

export interface StoredObject {
    kind: KindName;
    /** Creation order, the tie-breaker for sorting. */
    seq: number;
    metadata: Wire;
    /** The kind's info block (`backup_schedule_info`, `clusterInfo`, ...). */
    info: Wire;
    transitions: Transition[];
    /** Set once a delete was accepted; the object may linger in DeletePending. */
    deleting?: boolean;
    /** Backup schedule: the suspend value a PUT asked for, while Suspending/Resuming. */
    suspendTarget?: boolean;
}

export class Store {
    // By kind, then uid; Maps keep insertion (= creation) order, so listing needs no sort.
    private readonly objects = new Map<KindName, Map<string, StoredObject>>();
    readonly organizations = new Map<string, Wire>(); // by name: OrganizationObject.metadata
    private seq = 0;

    constructor(private readonly now: () => number = Date.now) {
        this.reset();
    }

    /** Drops every object and recreates the `default` organization. */
    reset(): void {
        this.objects.clear();
        this.organizations.clear();
        this.addOrganization("default", "");
    }

    addOrganization(name: string, owner: string): Wire {
        const metadata = this.newMetadata({ name }, owner);
        delete metadata.org_id;
        this.organizations.set(name, metadata);
        return metadata;
    }

    requireOrg(orgId: string | undefined): string {
        if (!orgId) throw new ApiError(Code.InvalidArgument, "org_id is required");
        if (!this.organizations.has(orgId)) throw notFound("organization", orgId);
        return orgId;
    }

    newMetadata(req: Wire, owner: string): Wire {
        const now = this.now();
        const seconds = String(Math.floor(now / 1000));
        return {
            name: req.name,
            uid: req.uid || crypto.randomUUID(),
            owner,
            org_id: req.org_id,
            create_time: timestamp(now),
            last_update_time: timestamp(now),
            labels: req.labels ?? {},
            create_time_in_sec: seconds,
            last_update_time_in_sec: seconds,
            ownership: { ...(req.ownership ?? {}), owner },
        };
    }

    touch(obj: StoredObject): void {
        const now = this.now();
        obj.metadata.last_update_time = timestamp(now);
        obj.metadata.last_update_time_in_sec = String(Math.floor(now / 1000));
    }

    insert(kind: KindName, metadata: Wire, info: Wire): StoredObject {
        const ofKind = this.objects.get(kind) ?? new Map<string, StoredObject>();
        if (ofKind.has(metadata.uid)) {
            throw new ApiError(Code.AlreadyExists, `object with uid ${metadata.uid} already exists`);
        }
        const obj: StoredObject = { kind, seq: ++this.seq, metadata, info, transitions: [] };
        ofKind.set(metadata.uid, obj);
        this.objects.set(kind, ofKind);
        return obj;
    }

    remove(obj: StoredObject): void {
        this.objects.get(obj.kind)?.delete(obj.metadata.uid);
    }

    /** Queues transitions `delayMs` apart (cumulative). A negative or infinite delay never fires on its own. */
    schedule(obj: StoredObject, steps: Array<[delayMs: number, apply: Transition["apply"]]>): void {
        let at = this.now();
        for (const [delay, apply] of steps) {
            at = delay < 0 || !Number.isFinite(delay) || !Number.isFinite(at) ? Infinity : at + delay;
            obj.transitions.push({ dueAt: at, apply });
        }
    }

    /** Applies the object's due transitions; returns false when the object is gone. */
    private advance(obj: StoredObject, force = false): boolean {
        const now = this.now();
        while (obj.transitions.length && (force || obj.transitions[0].dueAt <= now)) {
            const step = obj.transitions.shift()!;
            if (step.apply(obj) === "remove") {
                this.remove(obj);
                return false;
            }
        }
        return true;
    }

    /** Applies every pending transition now, including "stuck" ones. */
    settle(): void {
        for (const ofKind of this.objects.values()) for (const obj of [...ofKind.values()]) this.advance(obj, true);
    }

    /** Live objects of a kind in an org, after applying due transitions, in creation order. */
    list(kind: KindName, orgId?: string): StoredObject[] {
        const out: StoredObject[] = [];
        for (const obj of [...(this.objects.get(kind)?.values() ?? [])]) {
            if (orgId !== undefined && obj.metadata.org_id !== orgId) continue;
            if (this.advance(obj)) out.push(obj);
        }
        return out;
    }

    /**
     * Finds one object by name and optional uid (uid wins; a name/uid mismatch is NotFound). Several objects
     * with the same name and no uid given is an InvalidArgument, as the server does since 2.10.
     */
    find(kind: KindName, orgId: string, name: string | undefined, uid: string | undefined): StoredObject | undefined {
        const ofKind = this.objects.get(kind);
        const matching = uid
            ? [ofKind?.get(uid)]
            : [...(ofKind?.values() ?? [])].filter((o) => o.metadata.name === name);
        const candidates = matching.filter(
            (o): o is StoredObject => !!o && o.metadata.org_id === orgId && this.advance(o),
        );
        if (uid && name && candidates.length && candidates[0].metadata.name !== name) return undefined;
        if (candidates.length > 1) {
            throw new ApiError(Code.InvalidArgument, `multiple objects named ${name} found; specify the uid`);
        }
        return candidates[0];
    }

    /** Every live object (all kinds), for tests and the control API. */
    all(): StoredObject[] {
        const out: StoredObject[] = [];
        for (const ofKind of this.objects.values())
            for (const obj of [...ofKind.values()]) if (this.advance(obj)) out.push(obj);
        return out.sort((a, b) => a.seq - b.seq);
    }
}
