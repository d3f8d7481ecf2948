// The one validation layer: every `check` runs the field specs of its kind through `validate`, which
// returns one failure per property (the first rule it breaks), naming the property path and the rule.
// Values not yet known at preview (the unknown sentinel) are skipped, never reported.
import { Fields, FieldSpec, StringFormat, TypeSpec, UNKNOWN, isUnknown } from "./wire";

export interface Failure {
    property: string;
    reason: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const KITCHEN = /^(1[0-2]|0?[1-9]):[0-5][0-9](AM|PM|am|pm)$/;
const WEEKDAYS = new Set([
    "sun",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
]);

/** Returns the broken rule for a string, or undefined. */
export function checkFormat(format: StringFormat | undefined, s: string): string | undefined {
    switch (format) {
        case undefined:
        case "any":
            return undefined;
        case "nonEmpty":
            return s.trim() === "" ? "must not be empty" : undefined;
        case "jsonObject":
            try {
                const v: unknown = JSON.parse(s);
                return v && typeof v === "object" && !Array.isArray(v)
                    ? undefined
                    : "must be the JSON text of an object";
            } catch {
                return "must be the JSON text of an object (e.g. a service account key file)";
            }
        case "dns1123Label":
            return s.length > 63 || !DNS1123_LABEL.test(s)
                ? `"${s}" must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit`
                : undefined;
        case "dns1123Subdomain":
            return s.length > 253 || !DNS1123_SUBDOMAIN.test(s)
                ? `"${s}" must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit`
                : undefined;
        case "objectName":
            if (s.trim() === "") return "must not be empty";
            return s.includes("/")
                ? `"${s}" must not contain '/' (object names travel as one URL path segment)`
                : undefined;
        case "labelKey": {
            const slash = s.lastIndexOf("/");
            const prefix = slash >= 0 ? s.slice(0, slash) : undefined;
            const name = slash >= 0 ? s.slice(slash + 1) : s;
            if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
                return `label key "${s}" has an invalid prefix: it must be a DNS-1123 subdomain`;
            }
            return name.length > 63 || !LABEL_NAME.test(name)
                ? `label key "${s}" must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (optionally prefixed by a DNS subdomain and '/')`
                : undefined;
        }
        case "labelValue":
            return s !== "" && (s.length > 63 || !LABEL_NAME.test(s))
                ? `label value "${s}" must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`
                : undefined;
        case "uid":
            return s === "" || /[\s/?#]/.test(s)
                ? `"${s}" is not a valid uid (no whitespace, '/', '?' or '#')`
                : undefined;
        case "kitchenTime":
            return KITCHEN.test(s) ? undefined : `"${s}" must be a 12-hour time like 2:00AM or 11:30pm`;
        case "weekdays":
            return s.split(",").every((d) => WEEKDAYS.has(d.trim().toLowerCase()))
                ? undefined
                : `"${s}" must be a day name (Sun..Sat or Sunday..Saturday), or a comma-separated list of them`;
        case "url":
            try {
                const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`);
                return u.hostname ? undefined : `"${s}" must be a URL or host[:port]`;
            } catch {
                return `"${s}" must be a URL or host[:port]`;
            }
    }
}

/** First broken rule of a value of a type, with the sub-path where it is broken. */
function checkValue(t: TypeSpec, v: unknown, path: string): Failure | undefined {
    if (v === undefined || v === null || v === UNKNOWN) return undefined;
    const fail = (reason: string, p = path): Failure => ({ property: p, reason });
    switch (t.kind) {
        case "string": {
            if (typeof v !== "string") return fail(`must be a string, got ${typeof v}`);
            const r = checkFormat(t.format, v);
            return r ? fail(r) : undefined;
        }
        case "bool":
            return typeof v === "boolean" ? undefined : fail(`must be true or false, got ${JSON.stringify(v)}`);
        case "int64": {
            const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
            if (typeof n !== "number" || !Number.isInteger(n))
                return fail(`must be an integer, got ${JSON.stringify(v)}`);
            if (t.min !== undefined && n < t.min) return fail(`must be at least ${t.min}, got ${n}`);
            if (t.max !== undefined && n > t.max) return fail(`must be at most ${t.max}, got ${n}`);
            return undefined;
        }
        case "enum":
            return typeof v === "string" && t.values.includes(v)
                ? undefined
                : fail(`must be one of ${t.values.join(", ")}, got ${JSON.stringify(v)}`);
        case "map": {
            if (typeof v !== "object" || Array.isArray(v)) return fail("must be a map of strings");
            for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
                if (k === UNKNOWN || x === UNKNOWN) continue;
                if (typeof x !== "string") return fail(`value of "${k}" must be a string`, `${path}.${k}`);
                const rk = checkFormat(t.keyFormat, k);
                if (rk) return fail(rk, `${path}.${k}`);
                const rv = checkFormat(t.valueFormat, x);
                if (rv) return fail(rv, `${path}.${k}`);
            }
            return undefined;
        }
        case "list": {
            if (!Array.isArray(v)) return fail("must be a list");
            for (let i = 0; i < v.length; i++) {
                const f = checkValue(t.of, v[i], `${path}[${i}]`);
                if (f) return f;
            }
            return undefined;
        }
        case "object": {
            if (typeof v !== "object" || Array.isArray(v)) return fail("must be an object");
            for (const [k, f] of Object.entries(t.fields)) {
                const r = checkField(f, (v as Record<string, unknown>)[k], `${path}.${k}`);
                if (r) return r;
            }
            return undefined;
        }
    }
}

function isEmpty(v: unknown): boolean {
    return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

function checkField(f: FieldSpec, v: unknown, path: string): Failure | undefined {
    if (v === UNKNOWN) return undefined;
    if (f.required && isEmpty(v)) return { property: path, reason: "is required" };
    return checkValue(f.type, v, path);
}

/** A rule across fields of one object, e.g. "exactly one of". */
export type CrossRule = ((input: Record<string, unknown>) => Failure | undefined) & {
    /** The input a requiredWhen rule can demand (a typed declaration may make it required outright). */
    requires?: string;
};

/**
 * A reason without any string of a secret input in it (rules quote the values they reject). Strings shorter than
 * 4 characters are left: they are no real secret, and scrubbing them would garble the reason.
 */
function scrub(reason: string, secret: unknown): string {
    const leaves: string[] = [];
    const walk = (v: unknown) => {
        if (typeof v === "string" && v.trim().length >= 4) leaves.push(v);
        else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(secret);
    return leaves.sort((a, b) => b.length - a.length).reduce((r, l) => r.split(l).join("[secret]"), reason);
}

/** One failure per top-level property: the first rule it breaks. */
export function validate(fields: Fields, input: Record<string, unknown>, crossRules: CrossRule[] = []): Failure[] {
    const failures: Failure[] = [];
    const failed = new Set<string>();
    for (const [key, f] of Object.entries(fields)) {
        const r = checkField(f, input[key], key);
        if (r && f.secret) r.reason = scrub(r.reason, input[key]);
        if (r) {
            failures.push(r);
            failed.add(key);
        }
    }
    for (const rule of crossRules) {
        const r = rule(input);
        if (r && !failed.has(r.property.split(/[.[]/)[0])) {
            failures.push(r);
            failed.add(r.property.split(/[.[]/)[0]);
        }
    }
    return failures;
}

/** Cross rule: exactly one of the keys is set (unknowns count as set). */
export function exactlyOneOf(keys: string[], property = keys[0]): CrossRule {
    return (input) => {
        const set = keys.filter((k) => !isEmpty(input[k]));
        if (set.length === 1) return undefined;
        return {
            property: set.length ? set[1] : property,
            reason: `exactly one of ${keys.join(", ")} must be set${set.length ? `, got ${set.join(" and ")}` : ""}`,
        };
    };
}

/** Cross rule: when `key` equals `value`, `required` must be set. */
export function requiredWhen(key: string, value: string, required: string): CrossRule {
    const rule: CrossRule = (input) =>
        input[key] === value && isEmpty(input[required]) && !isUnknown(input[key])
            ? { property: required, reason: `is required when ${key} is ${value}` }
            : undefined;
    rule.requires = required;
    return rule;
}
