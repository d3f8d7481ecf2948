// The generic dynamic-provider machinery: check/diff/create/read/update/delete for any kind of the
// declarative table (kinds whose API differs replace a step through their hooks). Semantics
// (docs/dynamic-providers.md, docs/px-backup-api.md#updates):
// - diff compares the normalised desired inputs with the last read state (olds are OUTPUTS) and makes no
//   HTTP call; immutable fields force replacement, deleted first when the name stays the same;
// - create adopts nothing silently; a POST is retried only after a GET shows it did not land;
// - update reads, overlays the desired fields on the live object, writes the whole object and reads back;
// - read: a JSON NotFound means gone; it returns inputs as well, so refresh shows real drift;
// - delete: NotFound is success; waits (bounded) until the server no longer returns the object.
import { createHash, randomUUID } from "crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { PxBackupClient, Query } from "./client";
import { PxBackupError } from "./errors";
import {
    DEFAULT_DELETE_TIMEOUT_SECONDS,
    Identity,
    KindContext,
    KindSpec,
    OPTION_FIELDS,
    REPLACE_OPT_IN,
    kindSpec,
    metadataFields,
} from "./kinds";
import { Failure, validate } from "./validation";
import { REF_TARGETS, itemRoute } from "./versions";
import {
    Fields,
    FieldSpec,
    decodeFields,
    decodeInto,
    encodeFields,
    encodeValue,
    getPath,
    isUnknown,
    isUnset,
    mergeForWrite,
    normalise,
    satisfies,
    setPath,
    wireName,
    UNKNOWN,
} from "./wire";

type Props = Record<string, any>;

/** The error shape the dynamic provider turns into "created but failed to initialise": the resource stays in state. */
export class ResourceInitError extends Error {
    constructor(
        message: string,
        readonly id: string,
        readonly properties: Props,
        readonly reasons: string[],
    ) {
        super(message);
        this.name = "ResourceInitError";
    }
}

/** A wait that ended badly, with the last object the server returned. */
class WaitError extends Error {
    constructor(
        message: string,
        readonly last: Props,
    ) {
        super(message);
    }
}

export type { Identity };

export const DEFAULT_ORG = "default";
/** Hidden input: the resource's stable identity (set by the resource class), seeding the uid create asks for. */
export const CREATE_SEED = "__createSeed";
// The create seed rides along in state too, so inputs rebuilt by read keep it (else every refresh would make
// it look like a changed input).
const OPTION_KEYS = [...Object.keys(OPTION_FIELDS), "adoptExisting", ...Object.keys(REPLACE_OPT_IN), CREATE_SEED];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The create seed of a resource: its project, stack, kind and resource name (stable like its URN). Both front
 * doors (the dynamic resource classes and the provider plugin) set it the same way, so a stack moved from one
 * to the other derives the same uids.
 */
export function createSeedOf(project: string, stack: string, kind: string, name: string): string {
    return `${project}/${stack}/${kind}/${name}`;
}

/** Resource id: org/name/uid (names cannot contain '/', so it parses back unambiguously). */
export function formatId(i: Identity): string {
    return `${i.orgId}/${i.name}/${i.uid ?? ""}`;
}

export function parseId(id: string): Identity {
    const [orgId, name, uid] = id.split("/");
    return { orgId, name, uid: uid || undefined };
}

/** Hash of a secret input: lets diff see a change without the plaintext ever entering state. */
export function secretHash(key: string, f: FieldSpec, value: unknown): string | undefined {
    const n = normalise(f.type, value);
    if (n === undefined) return undefined;
    return "sha256:" + createHash("sha256").update(`kube-backup:${key}:`).update(JSON.stringify(n)).digest("hex");
}

export class KindMachinery implements KindContext {
    readonly metadata: Fields;
    /** Every input: metadata, spec and provider options. */
    readonly inputs: Fields;

    constructor(
        readonly spec: KindSpec,
        private readonly clientOf: () => PxBackupClient,
    ) {
        this.metadata = metadataFields(spec.nameFormat);
        this.inputs = {
            ...this.metadata,
            ...spec.fields,
            ...OPTION_FIELDS,
            ...spec.options,
            adoptExisting: { type: { kind: "bool" } },
            ...(spec.replaceDeletesBackups ? REPLACE_OPT_IN : {}),
        };
        this.optionKeys = [...OPTION_KEYS, ...Object.keys(spec.options ?? {})];
        this.tracked = Object.entries(spec.fields)
            .filter(([, f]) => f.trackApplied)
            .map(([k]) => k);
        this.hasSecrets = Object.values(spec.fields).some((f) => f.secret);
        this.plainInputs = Object.entries(this.inputs)
            .filter(([, f]) => !f.secret)
            .map(([k]) => k);
        this.serverDefaulted = Object.entries(this.inputs)
            .filter(([, f]) => f.serverDefault)
            .map(([k]) => k);
        this.statusKey = Object.entries(spec.outputs).find(([k, f]) => wireName(k, f) === spec.ready?.statusPath)?.[0];
    }

    /** The output holding the ready status (statusPath), when the kind has one. */
    private readonly statusKey?: string;

    private readonly tracked: string[];
    /** Provider options (common and the kind's): copied into state as applied. */
    private readonly optionKeys: string[];
    /** Top-level inputs the server fills in when the program leaves them unset. */
    private readonly serverDefaulted: string[];
    /** Inputs that read can report (secrets cannot be read back). */
    private readonly plainInputs: string[];
    private readonly hasSecrets: boolean;

    get client(): PxBackupClient {
        return this.clientOf();
    }

    /**
     * Path and `?uid=` of one object for this server's release (provider/versions.ts). Before 2.10 some
     * routes need the uid in the path; without one it is looked up by name first (undefined: no such object).
     */
    private async route(op: "inspect" | "delete", i: Identity): Promise<{ path: string; uid?: string } | undefined> {
        const gen = await this.client.generation();
        const r = itemRoute(gen, this.spec.name, op, this.spec.basePath, i);
        if (!r.needsUid) return r;
        const uid = await this.findUid(this.spec, i.orgId, i.name);
        return uid === undefined ? undefined : itemRoute(gen, this.spec.name, op, this.spec.basePath, { ...i, uid });
    }

    /** uid of the object of `kind` named `name`, by listing (exact name); undefined when there is none. */
    private async findUid(kind: KindSpec, orgId: string, name: string): Promise<string | undefined> {
        // Policies and rules have no name filter: their list is unpaginated and complete.
        const query: Query =
            kind.name === "SchedulePolicy" || kind.name === "Rule" ? {} : { "enumerate_options.name_filter": name };
        if (kind.name === "BackupLocation") query.include_validation_state = true;
        const res = await this.client.get(`${kind.basePath}/${encodeURIComponent(orgId)}`, query);
        const uids = ((res[kind.listKey] ?? []) as Props[])
            .filter((o) => o.metadata?.name === name)
            .map((o) => o.metadata?.uid as string | undefined);
        if (uids.length > 1) {
            throw new Error(
                `${kind.name} "${name}" is ambiguous in organization "${orgId}" (uids ${uids.join(", ")}); ` +
                    `give its uid`,
            );
        }
        return uids[0];
    }

    /**
     * Before 2.10 a reference must carry its target's uid: fill in the ones the program leaves out (by name).
     * From 2.10 the server resolves names itself and the inputs are returned as they are. A reference whose
     * name is unchanged from `olds` (the last state) takes the uid from there, without a lookup.
     */
    async withRefUids(inputs: Props, olds: Props = {}): Promise<Props> {
        const gen = await this.client.generation();
        if (gen.nameOnlyRefs) return inputs;
        const out = { ...inputs };
        for (const key of Object.keys(this.spec.fields)) {
            const ref = inputs[key] as { name?: string; uid?: string } | undefined;
            if (!ref || typeof ref !== "object" || isUnset(ref.name) || !isUnset(ref.uid)) continue;
            const old = olds[key] as { name?: string; uid?: string } | undefined;
            if (old?.name === ref.name && !isUnset(old?.uid)) {
                out[key] = { ...ref, uid: old!.uid };
                continue;
            }
            const target = REF_TARGETS[key];
            if (!target) {
                throw new Error(
                    `${this.spec.name}.${key}: PX-Backup ${gen.name} needs the uid of the reference "${ref.name}"; ` +
                        `set ${key}.uid (name-only references need PX-Backup 2.10 or later)`,
                );
            }
            const uid = await this.findUid(kindSpec(target), inputs.orgId ?? DEFAULT_ORG, ref.name!);
            if (uid === undefined) {
                throw new Error(
                    `${this.spec.name}.${key}: no ${target} named "${ref.name}" in organization ` +
                        `"${inputs.orgId ?? DEFAULT_ORG}"`,
                );
            }
            out[key] = { ...ref, uid };
        }
        return out;
    }

    identity(props: Props, id?: string): Identity {
        const fromId = id ? parseId(id) : undefined;
        return {
            orgId: props.orgId ?? fromId?.orgId ?? DEFAULT_ORG,
            name: props.name ?? fromId?.name,
            uid: props.uid ?? fromId?.uid,
        };
    }

    /** GET one object; undefined when the server says it does not exist. */
    async inspect(i: Identity): Promise<Props | undefined> {
        try {
            const r = await this.route("inspect", i);
            if (!r) return undefined;
            const res = await this.client.get(r.path, { uid: r.uid, ...this.spec.inspectQuery });
            return res[this.spec.responseKey] ?? {};
        } catch (e) {
            if (e instanceof PxBackupError && e.isNotFound) return undefined;
            throw e;
        }
    }

    // ---- check ----------------------------------------------------------------------------------------
    async check(olds: Props, news: Props): Promise<{ inputs: Props; failures: Failure[] }> {
        const inputs = { ...news };
        if (inputs.orgId === undefined || inputs.orgId === "") inputs.orgId = DEFAULT_ORG;
        return { inputs, failures: validate(this.inputs, inputs, this.spec.crossRules) };
    }

    // ---- diff (no HTTP) -------------------------------------------------------------------------------
    async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
        const { changed, replaces } = this.plan(olds, news);
        this.refuseReplaceDeletingBackups(olds, news, replaces);
        const sameName = news.name === olds.name && (news.orgId ?? DEFAULT_ORG) === (olds.orgId ?? DEFAULT_ORG);
        return {
            changes: changed.length > 0,
            replaces,
            // Names are unique per organization: the old object must go before a same-named one is created.
            deleteBeforeReplace: replaces.length > 0 && (sameName || news.name === UNKNOWN),
        };
    }

    /** The inputs diff finds changed (no HTTP call): what the provider plugin reports as the diff's keys. */
    changedInputs(olds: Props, news: Props): string[] {
        return this.plan(olds, news).changed;
    }

    /** The inputs that differ from the old state, and those of them that need a replacement. */
    private plan(olds: Props, news: Props): { changed: string[]; replaces: string[] } {
        const changed: string[] = [];
        for (const [key, f] of Object.entries(this.inputs)) {
            const desired =
                key === "orgId" && (news.orgId === undefined || news.orgId === "") ? DEFAULT_ORG : news[key];
            if (isUnknown(desired)) {
                changed.push(key);
            } else if (f.secret) {
                if (secretHash(key, f, desired) !== olds.secretHashes?.[key]) changed.push(key);
            } else if (f.serverDefault && isUnset(desired)) {
                continue;
            } else if (!satisfies(f.type, desired, olds[key])) {
                changed.push(key);
            }
        }
        const clearOnly = new Set(this.spec.cannotClear ?? []);
        // Removing a field the server cannot clear in place replaces the object (see cannotClear).
        const replaces = changed.filter(
            (k) =>
                this.inputs[k].immutable ||
                (clearOnly.has(k) &&
                    normalise(this.inputs[k].type, news[k]) === undefined &&
                    (this.inputs[k].secret ? olds.secretHashes?.[k] !== undefined : olds[k] !== undefined)),
        );
        return { changed, replaces };
    }

    /**
     * A replacement that would delete backups (a Backup; a BackupSchedule whose reclaim policy is Delete) fails
     * the preview, naming the properties, unless the program sets `allowReplaceDeletingBackups: true`. Values
     * still unknown at preview are not judged yet: `up` diffs again with them known.
     */
    private refuseReplaceDeletingBackups(olds: Props, news: Props, replaces: string[]): void {
        if (!this.spec.replaceDeletesBackups?.(olds) || news.allowReplaceDeletingBackups === true) return;
        const known = replaces.filter((k) => !isUnknown(news[k]));
        if (!known.length) return;
        const what = known.join(", ");
        const name = olds.name ?? news.name;
        const loss =
            this.spec.name === "Backup"
                ? "the backup and its data are deleted and a new backup is taken"
                : `deleting the old schedule with reclaimPolicy "Delete" deletes every backup it made`;
        throw new Error(
            `${this.spec.name} "${name}": changing ${what} replaces it, and ${loss}. ` +
                `Set allowReplaceDeletingBackups: true on this resource to accept that` +
                (this.spec.name === "BackupSchedule"
                    ? `, or keep the backups: first set reclaimPolicy: "Retain" (one up), then make this change.`
                    : `, or keep ${what} as it was and take the new backup as another resource.`),
        );
    }

    // ---- outputs --------------------------------------------------------------------------------------
    /** Live object → state: the live view of every input, the server-reported outputs, applied options and secret hashes. */
    outputs(obj: Props, applied: Props, hashes?: Record<string, string>, trackApplied = true): Props {
        const outs: Props = {};
        decodeInto(outs, this.metadata, obj.metadata);
        decodeInto(outs, this.spec.fields, obj[this.spec.infoKey]);
        decodeInto(outs, this.spec.outputs, obj);
        for (const k of trackApplied ? this.tracked : []) {
            if (applied[k] !== undefined) outs[k] = applied[k];
            else if (k in outs) delete outs[k];
        }
        for (const k of this.optionKeys) {
            if (applied[k] !== undefined) outs[k] = applied[k];
        }
        if (this.hasSecrets) outs.secretHashes = hashes ?? {};
        if (trackApplied) {
            // Which server-defaulted inputs the program sets: read reports only those as inputs, so a refresh
            // does not make it look as if the program removed e.g. a suspend it never mentioned.
            outs.managedDefaults = Array.isArray(applied.managedDefaults)
                ? applied.managedDefaults
                : this.serverDefaulted.filter((k) => !isUnset(applied[k]));
        }
        return outs;
    }

    hashes(inputs: Props): Record<string, string> {
        const out: Record<string, string> = {};
        for (const [k, f] of Object.entries(this.spec.fields)) {
            if (!f.secret) continue;
            const h = secretHash(k, f, inputs[k]);
            if (h) out[k] = h;
        }
        return out;
    }

    // ---- create ---------------------------------------------------------------------------------------
    createBody(inputs: Props, uid: string): Props {
        const deferred = new Set(this.spec.createViaUpdate ?? []);
        const metadata = encodeFields(this.metadata, { ...inputs, uid });
        const spec = encodeFields(this.spec.fields, inputs, (k) => !deferred.has(k));
        return this.spec.requestKey ? { metadata, [this.spec.requestKey]: spec } : { metadata, ...spec };
    }

    /**
     * The uid create asks for when the program gives none: derived from the resource's stable identity (project,
     * stack, type and name: `__createSeed`) plus organization and object name, so a create that an interrupted
     * `up` left unrecorded is recognised by the next one (same seed → same uid), while any other object of that
     * name has another uid. Without a seed (e.g. direct machinery use) it is random.
     */
    createUid(inputs: Props, ident: Identity): string {
        const seed = inputs[CREATE_SEED];
        if (typeof seed !== "string" || seed === "") return randomUUID();
        const h = createHash("sha256")
            .update(`kube-backup:${this.spec.name}:${seed}:${ident.orgId}/${ident.name}`)
            .digest("hex");
        // Laid out as a version-5-style UUID (name-based), which is what PX-Backup uids look like.
        const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }

    async create(given: Props): Promise<{ id: string; outs: Props }> {
        const inputs = await this.withRefUids(given);
        const ident = this.identity(inputs);
        // A uid chosen here makes "did my POST land?" answerable: GET name+uid finds our object or nothing.
        const uid = ident.uid ?? this.createUid(inputs, ident);
        const mine = { ...ident, uid };
        let obj: Props;
        try {
            const res = await this.client.post(this.spec.basePath, this.createBody(inputs, uid), async () => {
                const found = await this.inspect(mine);
                return found ? { [this.spec.responseKey]: found } : undefined;
            });
            obj = res[this.spec.responseKey] ?? (await this.mustInspect(mine, "create"));
        } catch (e) {
            if (!(e instanceof PxBackupError) || !e.isAlreadyExists) throw e;
            if (!inputs.adoptExisting) {
                // Ours from an interrupted run (same derived uid): finish that create instead of failing.
                const earlier = ident.uid ? undefined : await this.inspect(mine);
                if (earlier) return this.resumeCreate(mine, earlier, inputs);
                throw this.alreadyExists(ident, e);
            }
            // Explicit adoption only: take over the existing object and bring it to the desired state.
            const existing = await this.mustInspect({ ...ident, uid: inputs.uid }, "adopt");
            const got = { ...ident, uid: existing.metadata?.uid };
            const outs = (
                await this.update(formatId(got), { ...this.outputs(existing, inputs), secretHashes: {} }, inputs)
            ).outs;
            return { id: formatId(got), outs };
        }
        const got: Identity = { ...ident, uid: obj.metadata?.uid ?? uid };
        const id = formatId(got);
        const hashes = this.hashes(inputs);
        try {
            const deferred = (this.spec.createViaUpdate ?? []).filter(
                (k) => normalise(this.inputs[k].type, inputs[k]) !== undefined,
            );
            if (deferred.length) obj = await this.applyDeferred(got, obj, inputs, deferred);
            obj = await this.waitReady(got, obj, inputs);
        } catch (e) {
            // The object exists: report it so Pulumi keeps it in state, then the next update or destroy handles it.
            const last = e instanceof WaitError ? e.last : obj;
            const props = { ...this.outputs(last, inputs, hashes), __provider: inputs.__provider };
            const msg = e instanceof Error ? e.message : String(e);
            throw new ResourceInitError(msg, id, props, [msg]);
        }
        return { id, outs: this.outputs(obj, inputs, hashes) };
    }

    /**
     * Continues a create an interrupted `up` started (the object carries this resource's derived uid): refuses
     * when a field that cannot change differs, otherwise brings it to the desired state and waits as create does.
     */
    private async resumeCreate(i: Identity, existing: Props, inputs: Props): Promise<{ id: string; outs: Props }> {
        const id = formatId(i);
        const live = { ...this.outputs(existing, inputs), secretHashes: {} };
        // plan, not diff: this object is ours to finish, so the replace-deletes-backups guard does not apply.
        const d = this.plan(live, inputs);
        if (d.replaces.length) {
            throw new Error(
                `${this.spec.name} "${i.name}" was created by an earlier, interrupted run of this resource with a ` +
                    `different ${d.replaces.join(", ")}, which cannot change in place; delete it in PX-Backup (or set ` +
                    `\`adoptExisting: true\` to take it over as it is) and run again`,
            );
        }
        const hashes = this.hashes(inputs);
        let obj = d.changed.length ? undefined : existing;
        if (!obj) {
            await this.update(id, live, inputs);
            obj = await this.mustInspect(i, "create");
        }
        try {
            obj = await this.waitReady(i, obj, inputs);
        } catch (e) {
            const last = e instanceof WaitError ? e.last : obj;
            const props = { ...this.outputs(last, inputs, hashes), __provider: inputs.__provider };
            const msg = e instanceof Error ? e.message : String(e);
            throw new ResourceInitError(msg, id, props, [msg]);
        }
        return { id, outs: this.outputs(obj, inputs, hashes) };
    }

    private alreadyExists(i: Identity, e: PxBackupError): Error {
        return new Error(
            `${this.spec.name} "${i.name}" already exists in organization "${i.orgId}" (${e.serverMessage ?? "HTTP " + e.status}). ` +
                `kube-backup does not take over existing objects silently. Either give this resource another \`name\`, ` +
                `delete the existing object in PX-Backup, or set \`adoptExisting: true\` (optionally with its \`uid\`) to manage ` +
                `the existing object from now on (or, through the provider plugin, \`pulumi import\` it).`,
        );
    }

    async mustInspect(i: Identity, during: string): Promise<Props> {
        const obj = await this.inspect(i);
        if (!obj) {
            throw new Error(
                `${this.spec.name} "${i.name}" (org "${i.orgId}"${i.uid ? `, uid ${i.uid}` : ""}) no longer exists ` +
                    `on the PX-Backup server (during ${during}); run \`pulumi refresh\` to forget it`,
            );
        }
        return obj;
    }

    /** Fields the create request cannot carry (schedule `suspend`, backup share): written right after create. */
    private async applyDeferred(i: Identity, obj: Props, inputs: Props, keys: string[]): Promise<Props> {
        if (this.spec.hooks?.applyDeferred) return this.spec.hooks.applyDeferred(this, i, obj, inputs, keys);
        await this.client.put(this.spec.basePath, this.updateBody(obj, inputs));
        return this.awaitApplied(i, await this.mustInspect(i, "create"), inputs);
    }

    /**
     * Reads until the inputs the server applies in the background (appliedLater) show the program's values and
     * the status is no longer transitional, bounded by waitTimeoutSeconds (or the kind's default).
     */
    private async awaitApplied(i: Identity, obj: Props, inputs: Props): Promise<Props> {
        const a = this.spec.appliedLater;
        if (!a) return obj;
        const pending = () => {
            const status = getPath(obj, a.statusPath) as string | undefined;
            if (status !== undefined && a.transitional.includes(status)) return status;
            const live = decodeFields(this.spec.fields, obj[this.spec.infoKey]);
            const key = a.keys.find((k) => !isUnset(inputs[k]) && !satisfies(this.inputs[k].type, inputs[k], live[k]));
            return key ? `${key} not applied yet` : undefined;
        };
        const timeoutMs = Number(inputs.waitTimeoutSeconds ?? a.defaultTimeoutSeconds) * 1000;
        const deadline = Date.now() + timeoutMs;
        const s = this.settings();
        let delay = s.pollIntervalMs;
        for (let state = pending(); state; state = pending()) {
            if (Date.now() + delay > deadline) {
                throw new WaitError(
                    `${this.spec.name} "${i.name}": ${state} after ${timeoutMs / 1000}s; ` +
                        `raise waitTimeoutSeconds or check the PX-Backup server`,
                    obj,
                );
            }
            await sleep(delay);
            delay = Math.min(s.pollMaxIntervalMs, delay * 1.5);
            obj = await this.mustInspect(i, "wait");
        }
        return obj;
    }

    /** Polls until the kind's ready state (backup Success, location Valid, cluster Online), bounded. */
    private async waitReady(i: Identity, obj: Props, inputs: Props): Promise<Props> {
        const r = this.spec.ready;
        if (!r) return obj;
        const timeoutMs = Number(inputs.waitTimeoutSeconds ?? r.defaultTimeoutSeconds) * 1000;
        const deadline = Date.now() + timeoutMs;
        const s = this.settings();
        let delay = s.pollIntervalMs;
        for (;;) {
            const status = getPath(obj, r.statusPath) as string | undefined;
            if (status === undefined ? r.absentIsReady : r.success.includes(status)) return obj;
            if (status !== undefined && r.failure.includes(status)) {
                const reason = getPath(obj, r.reasonPath);
                throw new WaitError(
                    `${this.spec.name} "${i.name}" ended in status ${status}${reason ? `: ${reason}` : ""}` +
                        (r.failureHint ? ` (${r.failureHint})` : ""),
                    obj,
                );
            }
            if (Date.now() + delay > deadline) {
                throw new WaitError(
                    `${this.spec.name} "${i.name}" did not become ready within ${timeoutMs / 1000}s ` +
                        `(last status ${status ?? "none"}); raise waitTimeoutSeconds or check the PX-Backup server`,
                    obj,
                );
            }
            await sleep(delay);
            delay = Math.min(s.pollMaxIntervalMs, delay * 1.5);
            obj = await this.mustInspect(i, "wait");
        }
    }

    private settings() {
        return this.client.settings;
    }

    // ---- read -----------------------------------------------------------------------------------------
    async read(id: string, props: Props = {}): Promise<{ id: string; props: Props; inputs?: Props }> {
        const ident = this.identity(props, id);
        const obj = await this.inspect(ident);
        if (!obj) return { id: "", props: {} };
        const outs = this.outputs(obj, props, props.secretHashes);
        const inputs: Props = {};
        const managed = new Set<string>(outs.managedDefaults ?? []);
        if (outs[CREATE_SEED] !== undefined) inputs[CREATE_SEED] = outs[CREATE_SEED];
        for (const k of this.plainInputs) {
            if (outs[k] === undefined) continue;
            if (this.inputs[k].serverDefault && !managed.has(k)) continue;
            inputs[k] = outs[k];
        }
        return { id: formatId({ ...ident, uid: obj.metadata?.uid ?? ident.uid }), props: outs, inputs };
    }

    // ---- update ---------------------------------------------------------------------------------------
    /** The whole-object PUT body: live spec (allowed keys only) with the desired fields overlaid. */
    updateBody(live: Props, desired: Props): Props {
        const liveSpec: Props = live[this.spec.infoKey] ?? {};
        const allowed = new Set(this.spec.updateWire);
        const spec: Props = {};
        for (const k of allowed) if (liveSpec[k] !== undefined) spec[k] = liveSpec[k];
        for (const [key, f] of Object.entries(this.spec.fields)) {
            const w = wireName(key, f);
            if (!allowed.has(w.split(".")[0])) continue;
            let d = desired[key];
            if (typeof d === "string" && f.encodeValue && d !== "") d = f.encodeValue(d);
            let v: unknown;
            if (f.secret) v = encodeValue(f.type, d, f.emitZero);
            else if (f.serverDefault && isUnset(d)) v = getPath(liveSpec, w);
            else v = mergeForWrite(f.type, d, getPath(liveSpec, w), f.emitZero);
            if (v !== undefined) setPath(spec, w, v);
            // A reference the program dropped is sent as an empty ObjectRef, which means "none" to every kind
            // (a merging update keeps a reference that is simply left out).
            else if (f.type.kind === "object" && f.type.ref && getPath(liveSpec, w) !== undefined) setPath(spec, w, {});
            else delete spec[w];
        }
        const liveMeta: Props = live.metadata ?? {};
        const metadata: Props = {
            name: liveMeta.name ?? desired.name,
            org_id: liveMeta.org_id ?? desired.orgId,
            uid: liveMeta.uid,
        };
        const owner = desired.owner ?? liveMeta.owner;
        if (owner) metadata.owner = owner;
        const labels = encodeValue(this.metadata.labels.type, desired.labels);
        if (labels) metadata.labels = labels;
        // Ownership the program does not set is left exactly as the server has it.
        const ownership = isUnset(desired.ownership)
            ? liveMeta.ownership
            : mergeForWrite(this.metadata.ownership.type, desired.ownership, liveMeta.ownership);
        if (ownership) metadata.ownership = ownership;
        return this.spec.requestKey ? { metadata, [this.spec.requestKey]: spec } : { metadata, ...spec };
    }

    async update(id: string, olds: Props, desired: Props): Promise<{ outs: Props }> {
        const ident = this.identity(olds, id);
        const news = await this.withRefUids(desired, olds);
        let outs: Props;
        if (this.spec.hooks?.update) {
            outs = (await this.spec.hooks.update(this, ident, olds, news)).outs;
        } else {
            const live = await this.mustInspect(ident, "update");
            await this.client.put(this.spec.basePath, this.updateBody(live, news));
            let after = await this.mustInspect(ident, "update");
            try {
                after = await this.awaitApplied(ident, after, news);
            } catch (e) {
                if (!(e instanceof WaitError)) throw e;
                const props = { ...this.outputs(e.last, news, this.hashes(news)), __provider: news.__provider };
                throw new ResourceInitError(e.message, formatId(ident), props, [e.message]);
            }
            outs = this.outputs(after, news, this.hashes(news));
        }
        return { outs: await this.recheckReady(ident, outs, news) };
    }

    /**
     * An update must not report success for an object that is not ready. After a create that failed or timed
     * out, Pulumi keeps the object and the next `up` updates it: a backup still running is waited for, a
     * location that failed validation is validated again, and a failed state is an error with the server's
     * reason (the object stays in state, as after create). A ready object costs no extra call.
     */
    private async recheckReady(i: Identity, outs: Props, inputs: Props): Promise<Props> {
        const r = this.spec.ready;
        if (!r) return outs;
        const status = this.statusKey ? (outs[this.statusKey] as string | undefined) : undefined;
        if (this.statusKey && (status === undefined ? r.absentIsReady : r.success.includes(status))) return outs;
        const hashes = this.hashes(inputs);
        let obj = await this.mustInspect(i, "update");
        try {
            const now = getPath(obj, r.statusPath) as string | undefined;
            if (r.retriggerPath && now !== undefined && r.failure.includes(now)) {
                await this.client.post(r.retriggerPath, { org_id: i.orgId, name: i.name, uid: i.uid });
                obj = await this.mustInspect(i, "update");
            }
            obj = await this.waitReady(i, obj, inputs);
        } catch (e) {
            const last = e instanceof WaitError ? e.last : obj;
            const msg = e instanceof Error ? e.message : String(e);
            const props = { ...this.outputs(last, inputs, hashes), __provider: inputs.__provider };
            throw new ResourceInitError(msg, formatId(i), props, [msg]);
        }
        return this.outputs(obj, inputs, hashes);
    }

    // ---- delete ---------------------------------------------------------------------------------------
    async delete(id: string, props: Props): Promise<void> {
        const ident = this.identity(props, id);
        try {
            const r = await this.route("delete", ident);
            if (!r) return;
            await this.client.delete(r.path, { uid: r.uid, ...(this.spec.deleteQuery?.(props) ?? {}) });
        } catch (e) {
            if (e instanceof PxBackupError && e.isNotFound) return;
            throw e;
        }
        const timeoutMs = Number(props.deleteTimeoutSeconds ?? DEFAULT_DELETE_TIMEOUT_SECONDS) * 1000;
        const deadline = Date.now() + timeoutMs;
        const s = this.settings();
        let delay = Math.min(s.pollIntervalMs, 100);
        for (;;) {
            const obj = await this.inspect(ident);
            if (!obj) return;
            if (Date.now() + delay > deadline) {
                const status = this.spec.ready ? getPath(obj, this.spec.ready.statusPath) : undefined;
                throw new Error(
                    `${this.spec.name} "${ident.name}" is still present ${timeoutMs / 1000}s after delete` +
                        `${status ? ` (status ${status})` : ""}; raise deleteTimeoutSeconds or check the PX-Backup server`,
                );
            }
            await sleep(delay);
            delay = Math.min(s.pollMaxIntervalMs, Math.max(delay * 2, s.pollIntervalMs));
        }
    }

    /** Server object → the shape functions return (camelCase, decoded enums and numbers). */
    describe(obj: Props): Props {
        const outs = this.outputs(obj, {}, undefined, false);
        delete outs.secretHashes;
        delete outs.managedDefaults;
        return outs;
    }
}
