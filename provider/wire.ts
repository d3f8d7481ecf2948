// The one wire-format mapping between Pulumi inputs (camelCase, numbers, bare enum names) and the PX-Backup
// REST wire format (snake_case proto names, enums as names, 64-bit integers as strings, zero values omitted).
// Every kind is described with these type specs; encode/decode/normalise/equal are the only code that
// walks them.

/** The value Pulumi sends in place of a value not yet known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type StringFormat =
    | "dns1123Subdomain"
    /** A PX-Backup object name the server takes as is: not empty, no '/' (one path segment). */
    | "objectName"
    | "dns1123Label"
    | "labelKey"
    | "labelValue"
    | "uid"
    | "kitchenTime"
    | "weekdays"
    | "url"
    | "nonEmpty"
    /** JSON text of an object (e.g. a key file); its content never appears in an error. */
    | "jsonObject"
    | "any";

export type TypeSpec =
    | { kind: "string"; format?: StringFormat }
    | { kind: "bool" }
    | { kind: "int64"; min?: number; max?: number }
    /** wrapped: the wire value is `{type: Name}`; readWrapped: bare in requests, wrapped in responses. */
    | { kind: "enum"; values: readonly string[]; wrapped?: boolean; readWrapped?: boolean }
    | { kind: "map"; keyFormat?: StringFormat; valueFormat?: StringFormat }
    | { kind: "list"; of: TypeSpec }
    /** ref: an ObjectRef-like value whose serverDefault parts (uid) only hold while the rest is unchanged. */
    | { kind: "object"; fields: Fields; ref?: boolean }
    /** Server-reported structure passed through as is (keys camelCased); outputs only. */
    | { kind: "json" };

export interface FieldSpec {
    type: TypeSpec;
    /** Wire name (dotted path allowed); defaults to the snake_case of the key. */
    wire?: string;
    required?: boolean;
    /** The server cannot change it: a change forces replacement. */
    immutable?: boolean;
    /** Sent to the server, never stored in state; diffed by hash. */
    secret?: boolean;
    /** When not set in the program, the server's value is kept and not diffed (server-filled defaults). */
    serverDefault?: boolean;
    /** Sent even when it is the zero value (e.g. `suspend: false`). */
    emitZero?: boolean;
    /** Kept as applied rather than as read (the server rewrites it but it cannot drift). */
    trackApplied?: boolean;
    /** Transform between input and wire value (e.g. base64 of a kubeconfig). */
    encodeValue?: (v: string) => string;
    description?: string;
}

export type Fields = Record<string, FieldSpec>;

export const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
// Wire names and split paths are computed once per field: read-heavy paths (refresh of many objects) stay cheap.
const wireNames = new WeakMap<FieldSpec, string>();
export const wireName = (key: string, f: FieldSpec): string => {
    let w = wireNames.get(f);
    if (w === undefined) {
        w = f.wire ?? snake(key);
        wireNames.set(f, w);
    }
    return w;
};
const splitPaths = new Map<string, string[]>();
const split = (path: string): string[] => {
    let parts = splitPaths.get(path);
    if (!parts) {
        parts = path.split(".");
        splitPaths.set(path, parts);
    }
    return parts;
};

/** Not set by the program (an explicit false or 0 is set: `suspend: false` resumes). */
export const isUnset = (v: unknown) => v === undefined || v === null || v === "";

export function isUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(isUnknown);
    if (v && typeof v === "object") return Object.values(v).some(isUnknown);
    return false;
}

export function getPath(obj: unknown, path: string): unknown {
    let cur: any = obj;
    for (const p of split(path)) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[p];
    }
    return cur;
}

export function setPath(obj: Record<string, any>, path: string, value: unknown): void {
    const parts = path.split(".");
    let cur = obj;
    for (const p of parts.slice(0, -1)) {
        if (cur[p] === undefined || cur[p] === null || typeof cur[p] !== "object") cur[p] = {};
        cur = cur[p];
    }
    cur[parts[parts.length - 1]] = value;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Input value → wire value; undefined when it is a zero value (unless emitZero). */
export function encodeValue(t: TypeSpec, v: unknown, emitZero = false): unknown {
    if (v === undefined || v === null) return undefined;
    switch (t.kind) {
        case "string":
            return v === "" && !emitZero ? undefined : String(v);
        case "bool":
            return v === false && !emitZero ? undefined : v === true || v === "true";
        case "int64": {
            const n = typeof v === "string" ? Number(v) : (v as number);
            return n === 0 && !emitZero ? undefined : String(Math.trunc(n));
        }
        case "enum": {
            const name = String(v);
            if (name === "" || name === "Invalid") return undefined;
            return t.wrapped ? { type: name } : name;
        }
        case "map": {
            if (!isPlainObject(v) || Object.keys(v).length === 0) return undefined;
            return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
        }
        case "list": {
            if (!Array.isArray(v) || v.length === 0) return emitZero && Array.isArray(v) ? [] : undefined;
            return v.map((x) => encodeValue(t.of, x, true) ?? (t.of.kind === "object" ? {} : x));
        }
        case "object": {
            const out = encodeFields(t.fields, v as Record<string, unknown>);
            return Object.keys(out).length ? out : undefined;
        }
        case "json":
            return v;
    }
}

/** Input object → wire object for a set of fields; secret and transformed values included. */
export function encodeFields(
    fields: Fields,
    input: Record<string, unknown> | undefined,
    only?: (key: string, f: FieldSpec) => boolean,
): Record<string, any> {
    const out: Record<string, any> = {};
    if (!isPlainObject(input)) return out;
    for (const [key, f] of Object.entries(fields)) {
        if (only && !only(key, f)) continue;
        let v = input[key];
        if (typeof v === "string" && f.encodeValue && v !== "") v = f.encodeValue(v);
        const w = encodeValue(f.type, v, f.emitZero);
        if (w !== undefined) setPath(out, wireName(key, f), w);
    }
    return out;
}

/** Wire value → normalised input value (undefined for zero values). Accepts bare or wrapped enums, numbers or strings. */
export function decodeValue(t: TypeSpec, w: unknown): unknown {
    if (w === undefined || w === null) return undefined;
    switch (t.kind) {
        case "string":
            return w === "" ? undefined : String(w);
        case "bool":
            return w === true || w === "true" ? true : undefined;
        case "int64": {
            const n = Number(w);
            return Number.isFinite(n) && n !== 0 ? n : undefined;
        }
        case "enum": {
            const raw = isPlainObject(w) ? w.type : w;
            if (raw === undefined || raw === null) return undefined;
            const name = typeof raw === "number" ? (t.values[raw - 1] ?? String(raw)) : String(raw);
            return name === "" || name === "Invalid" ? undefined : name;
        }
        case "map":
            return isPlainObject(w) && Object.keys(w).length
                ? Object.fromEntries(Object.entries(w).map(([k, x]) => [k, String(x)]))
                : undefined;
        case "list":
            return Array.isArray(w) && w.length
                ? w.map((x) => decodeValue(t.of, x) ?? (t.of.kind === "object" ? {} : x))
                : undefined;
        case "object": {
            const out = decodeFields(t.fields, w as Record<string, unknown>);
            return Object.keys(out).length ? out : undefined;
        }
        case "json":
            return camelKeys(w);
    }
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Server structure → camelCase keys, recursively (map keys of server data are proto field names here). */
export function camelKeys(w: unknown): unknown {
    if (Array.isArray(w)) return w.map(camelKeys);
    if (isPlainObject(w))
        return Object.fromEntries(
            Object.entries(w).map(([k, v]) => [camel(k.charAt(0).toLowerCase() + k.slice(1)), camelKeys(v)]),
        );
    return w;
}

/** Wire object → input-shaped object (secrets are not read: the server does not return them). */
export function decodeFields(fields: Fields, wire: unknown): Record<string, any> {
    return decodeInto({}, fields, wire);
}

// Field lists are walked on every read of every object: keep them as precomputed arrays.
const entryCache = new WeakMap<Fields, Array<[string, FieldSpec, string]>>();
function entries(fields: Fields): Array<[string, FieldSpec, string]> {
    let e = entryCache.get(fields);
    if (!e) {
        e = Object.entries(fields).map(([k, f]) => [k, f, wireName(k, f)]);
        entryCache.set(fields, e);
    }
    return e;
}

/** decodeFields into an existing object. */
export function decodeInto(out: Record<string, any>, fields: Fields, wire: unknown): Record<string, any> {
    if (!isPlainObject(wire)) return out;
    for (const [key, f, w] of entries(fields)) {
        if (f.secret) continue;
        const v = decodeValue(f.type, getPath(wire, w));
        if (v !== undefined) out[key] = v;
    }
    return out;
}

/** Input value → canonical form for comparison: zero values dropped, numbers for int64, enum names. */
export function normalise(t: TypeSpec, v: unknown): unknown {
    if (v === undefined || v === null) return undefined;
    if (v === UNKNOWN) return v;
    switch (t.kind) {
        case "string":
            return v === "" ? undefined : String(v);
        case "bool":
            return v === true || v === "true" ? true : undefined;
        case "int64": {
            const n = Number(v);
            return n === 0 ? undefined : n;
        }
        case "enum": {
            const name = isPlainObject(v) ? v.type : v;
            return name === undefined || name === "" || name === "Invalid" ? undefined : String(name);
        }
        case "map":
            return isPlainObject(v) && Object.keys(v).length
                ? Object.fromEntries(
                      Object.entries(v)
                          .map(([k, x]) => [k, String(x)])
                          .sort(),
                  )
                : undefined;
        case "list":
            return Array.isArray(v) && v.length ? v.map((x) => normalise(t.of, x) ?? null) : undefined;
        case "object": {
            if (!isPlainObject(v)) return undefined;
            const out: Record<string, unknown> = {};
            for (const [k, f] of Object.entries(t.fields)) {
                const n = normalise(f.type, v[k]);
                if (n !== undefined) out[k] = n;
            }
            return Object.keys(out).length ? out : undefined;
        }
        case "json":
            return v;
    }
}

function deepEqual(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Does the live value satisfy the desired one? Both are normalised first; within objects, a field marked
 * serverDefault that the program leaves unset is not compared (the server fills it in, e.g. a ref's uid or
 * ownership.owner).
 */
export function satisfies(t: TypeSpec, desired: unknown, live: unknown): boolean {
    if (t.kind === "object") {
        const d = (normalise(t, desired) ?? {}) as Record<string, unknown>;
        const l = (normalise(t, live) ?? {}) as Record<string, unknown>;
        return Object.entries(t.fields).every(
            ([k, f]) => (f.serverDefault && d[k] === undefined) || f.secret || satisfies(f.type, d[k], l[k]),
        );
    }
    if (t.kind === "json") {
        return true;
    }
    if (t.kind === "list" && t.of.kind === "object") {
        const d = (normalise(t, desired) ?? []) as unknown[];
        const l = (normalise(t, live) ?? []) as unknown[];
        return d.length === l.length && d.every((x, i) => satisfies(t.of, x, l[i]));
    }
    return deepEqual(normalise(t, desired), normalise(t, live));
}

/**
 * The value to write for one field in a whole-object update: the desired value, except that parts the
 * program leaves unset and the server defaults (serverDefault) keep their live value. For refs the live
 * uid is kept only while the name is unchanged.
 */
export function mergeForWrite(t: TypeSpec, desired: unknown, liveWire: unknown, emitZero = false): unknown {
    if (t.kind !== "object" || !isPlainObject(liveWire)) return encodeValue(t, desired, emitZero);
    const d = isPlainObject(desired) ? desired : {};
    const out: Record<string, any> = {};
    const restSame = Object.entries(t.fields).every(
        ([k, f]) =>
            f.serverDefault ||
            deepEqual(
                normalise(f.type, d[k]),
                normalise(f.type, decodeValue(f.type, getPath(liveWire, wireName(k, f)))),
            ),
    );
    for (const [k, f] of Object.entries(t.fields)) {
        const w = wireName(k, f);
        const liveSub = getPath(liveWire, w);
        let v: unknown;
        if (f.serverDefault && normalise(f.type, d[k]) === undefined) {
            v = t.ref && !restSame ? undefined : liveSub;
        } else {
            v = mergeForWrite(f.type, d[k], liveSub, f.emitZero);
        }
        if (v !== undefined) setPath(out, w, v);
    }
    return Object.keys(out).length ? out : undefined;
}
