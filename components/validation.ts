// The one validation layer for component inputs. Every rule names the property and the rule it broke.
// Plain values are checked at construction, so bad input fails `pulumi preview`; values that are Outputs are
// checked inside `apply`, which runs as soon as they are known (and never on preview-time unknowns).
import * as pulumi from "@pulumi/pulumi";
import { CronExpressionParser } from "cron-parser";
import { X509Certificate } from "crypto";

export class InputError extends Error {
    constructor(
        readonly component: string,
        readonly property: string,
        readonly rule: string,
        got: unknown,
    ) {
        super(`${component}: property "${property}" ${rule} (got ${describe(got)})`);
        this.name = "InputError";
    }
}

const SECRET = Symbol("secret");

function describe(v: unknown): string {
    if (v === SECRET) return "a secret value, not shown";
    if (typeof v === "string") return JSON.stringify(v.length > 80 ? v.slice(0, 80) + "…" : v);
    if (v === undefined) return "undefined";
    try {
        return JSON.stringify(v) ?? String(v);
    } catch {
        return String(v);
    }
}

/** A rule returns undefined when the value is fine, else the text of the rule it broke ("must be ..."). */
export type Rule<T> = (v: T) => string | undefined;

/** Checks one input: now if it is a plain value, when known if it is an Output. Returns the same input. */
export class Validator {
    constructor(readonly component: string) {}

    check<T>(property: string, value: pulumi.Input<T> | undefined, ...rules: Rule<T>[]): pulumi.Input<T> | undefined {
        if (value === undefined) return value;
        if (pulumi.Output.isInstance(value) || isPromise(value)) {
            return pulumi.output(value as pulumi.Input<T>).apply((v) => {
                this.run(property, v as T, rules);
                return v;
            }) as pulumi.Input<T>;
        }
        this.run(property, value as T, rules);
        return value;
    }

    /** Like check, for inputs that must be present. */
    required<T>(property: string, value: pulumi.Input<T> | undefined, ...rules: Rule<T>[]): pulumi.Input<T> {
        if (value === undefined || value === null) throw new InputError(this.component, property, "is required", value);
        return this.check(property, value, ...rules) as pulumi.Input<T>;
    }

    /** Like required, for secret values: a broken rule never echoes the value. */
    secret<T>(property: string, value: pulumi.Input<T> | undefined, ...rules: Rule<T>[]): pulumi.Input<T> {
        if (value === undefined || value === null) throw new InputError(this.component, property, "is required", value);
        const run = (x: T) => {
            for (const rule of rules) {
                const broken = rule(x);
                if (broken) throw new InputError(this.component, property, broken, SECRET);
            }
            return x;
        };
        if (pulumi.Output.isInstance(value) || isPromise(value))
            return pulumi.output(value as pulumi.Input<T>).apply((x) => run(x as T)) as pulumi.Input<T>;
        return run(value as T);
    }

    /**
     * A rule across several inputs. Runs now when all are plain values; otherwise when they are known, folded into
     * `carrier` (a value that feeds a resource), so a broken rule fails that resource instead of floating away.
     */
    relate<T>(
        property: string,
        inputs: pulumi.Input<unknown>[],
        // The rule's parameters are as varied as its callers' inputs; each rule types its own.
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        rule: (...vals: any[]) => string | undefined,
        carrier: pulumi.Input<T>,
    ): pulumi.Input<T> {
        const check = (vals: unknown[]) => {
            const broken = rule(...vals);
            if (broken) throw new InputError(this.component, property, broken, vals.length === 1 ? vals[0] : vals);
        };
        if (inputs.every((i) => !pulumi.Output.isInstance(i) && !isPromise(i))) {
            check(inputs);
            return carrier;
        }
        return pulumi.all([carrier, ...inputs]).apply(([c, ...vals]) => {
            check(vals);
            return c;
        }) as pulumi.Input<T>;
    }

    /** Fails with a rule that spans several properties (mutually exclusive options and the like). */
    fail(property: string, rule: string, got: unknown): never {
        throw new InputError(this.component, property, rule, got);
    }

    private run<T>(property: string, v: T, rules: Rule<T>[]): void {
        if (v === undefined) return;
        for (const rule of rules) {
            const broken = rule(v);
            if (broken) throw new InputError(this.component, property, broken, v);
        }
    }
}

function isPromise(v: unknown): v is Promise<unknown> {
    return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

// ---------------------------------------------------------------------------------------------------------------
// Rules. Each is small and pure so unit tests can hit every one with a bad value.

export const isString: Rule<unknown> = (v) => (typeof v === "string" ? undefined : "must be a string");

export const integerIn =
    (min: number, max = Number.MAX_SAFE_INTEGER): Rule<number> =>
    (v) =>
        Number.isInteger(v) && v >= min && v <= max
            ? undefined
            : max === Number.MAX_SAFE_INTEGER
              ? `must be an integer >= ${min}`
              : `must be an integer between ${min} and ${max}`;

export const oneOf =
    <T extends string>(...allowed: T[]): Rule<T> =>
    (v) =>
        allowed.includes(v) ? undefined : `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`;

export const isBoolean: Rule<boolean> = (v) => (typeof v === "boolean" ? undefined : "must be a boolean");

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes object names that become part of other names (CronJob names are limited to 52 characters). */
export const dnsLabel =
    (max = 63): Rule<string> =>
    (v) =>
        typeof v === "string" && v.length <= max && DNS1123_LABEL.test(v)
            ? undefined
            : `must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending alphanumeric) of at most ${max} characters`;

export const dnsSubdomain: Rule<string> = (v) =>
    typeof v === "string" && v.length <= 253 && DNS1123_SUBDOMAIN.test(v)
        ? undefined
        : "must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.') of at most 253 characters";

const PREFIX_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/**
 * Object key prefixes: '/'-separated segments of letters, digits, '.', '_' and '-'. No spaces, quotes, shell
 * metacharacters, empty, '.' or '..' segments, so keys are safe in listings, URLs and retention filters.
 */
export const s3Prefix: Rule<string> = (v) => {
    if (typeof v !== "string" || v.length < 1 || v.length > 512) return "must be 1 to 512 characters";
    const bad = v.split("/").find((s) => !PREFIX_SEGMENT.test(s) || s === "." || s === "..");
    return bad === undefined
        ? undefined
        : "must be '/'-separated segments of letters, digits, '.', '_' and '-' (each starting with a letter or digit; no leading, trailing or double '/')";
};

/** S3 bucket naming rules (the portable subset: also valid on MinIO and Ceph RGW). */
export const s3BucketName: Rule<string> = (v) => {
    const ok =
        typeof v === "string" &&
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) &&
        !/\.\.|\.-|-\./.test(v) &&
        !/^\d+\.\d+\.\d+\.\d+$/.test(v) &&
        !v.startsWith("xn--") &&
        !v.endsWith("-s3alias");
    return ok
        ? undefined
        : "must be a valid S3 bucket name (3-63 lower-case letters, digits, '.' and '-', starting and ending alphanumeric, not an IP address)";
};

export const httpUrl: Rule<string> = (v) => {
    try {
        const u = new URL(v);
        if (u.protocol !== "http:" && u.protocol !== "https:") return "must be an http:// or https:// URL";
        if (u.username || u.password) return "must not contain credentials (use a credentials Secret)";
        if (u.search || u.hash) return "must not contain a query or fragment";
        if (/\s/.test(v)) return "must not contain whitespace";
        return undefined;
    } catch {
        return "must be an http:// or https:// URL";
    }
};

/** One etcd client URL; `$(HOST_IP)` is allowed because Kubernetes expands it from the downward API. */
export const etcdEndpoint: Rule<string> = (v) => {
    if (typeof v !== "string" || v.includes(","))
        return "must be exactly one https:// or http:// URL (etcdctl snapshot save takes one endpoint)";
    return httpUrl(v.replace("$(HOST_IP)", "127.0.0.1"))
        ? "must be exactly one https:// or http:// URL (etcdctl snapshot save takes one endpoint)"
        : undefined;
};

export const awsRegion: Rule<string> = (v) =>
    typeof v === "string" && /^[a-z0-9][a-z0-9-]{0,62}$/.test(v)
        ? undefined
        : 'must be a region name such as "us-east-1"';

// Docker reference grammar, simplified: [registry[:port]/]path[:tag][@sha256:digest], no whitespace.
const IMAGE_REF =
    /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** A pinned image: a digest, or a tag other than "latest" (a registry port is not a tag). */
export const imageRef: Rule<string> = (v) => {
    const rule = 'must be a pinned container image reference (registry/path:tag or @sha256:digest; not ":latest")';
    if (typeof v !== "string" || !IMAGE_REF.test(v)) return rule;
    if (v.includes("@")) return undefined;
    const last = v.slice(v.lastIndexOf("/") + 1);
    const tag = last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined;
    return tag === undefined || tag === "latest" ? rule : undefined;
};

export const absolutePath: Rule<string> = (v) =>
    typeof v === "string" && v.startsWith("/") && !v.split("/").includes("..") && !/[\s"'`$\\]/.test(v)
        ? undefined
        : "must be an absolute path without '..', whitespace, quotes, '$' or '\\'";

/** Standard 5-field cron (or a Kubernetes macro such as @daily), parsed by cron-parser. */
export const cronSchedule: Rule<string> = (v) => {
    if (typeof v !== "string") return "must be a 5-field cron expression";
    const macros = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
    if (macros.includes(v.trim())) return undefined;
    if (/^\s*(CRON_)?TZ=/.test(v)) return "must not set TZ= inside the schedule (use the timeZone input)";
    const fields = v.trim().split(/\s+/);
    if (fields.length !== 5)
        return `must be a standard 5-field cron expression (minute hour day-of-month month day-of-week); it has ${fields.length} fields`;
    try {
        CronExpressionParser.parse(v, { strict: false });
        return undefined;
    } catch (e) {
        return `must be a valid cron expression: ${(e as Error).message}`;
    }
};

export const ianaTimeZone: Rule<string> = (v) => {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: v });
        return typeof v === "string" && v.length > 0 ? undefined : 'must be an IANA time zone such as "Etc/UTC"';
    } catch {
        return 'must be an IANA time zone such as "Etc/UTC"';
    }
};

const LABEL_KEY =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
export const labelMap: Rule<Record<string, string>> = (v) => {
    if (typeof v !== "object" || v === null) return "must be a map of label keys to values";
    for (const [k, val] of Object.entries(v)) {
        if (!LABEL_KEY.test(k) || k.length > 316) return `must have valid label keys ("${k}" is not one)`;
        if (typeof val !== "string" || !LABEL_VALUE.test(val))
            return `must have valid label values (the value of "${k}" is not one)`;
    }
    return undefined;
};

export const nonEmptyArray: Rule<unknown[]> = (v) =>
    Array.isArray(v) && v.length > 0 ? undefined : "must be a non-empty list";

export const uniqueItems: Rule<unknown[]> = (v) =>
    new Set(v.map((x) => JSON.stringify(x))).size === v.length ? undefined : "must not contain duplicates";

export const each =
    <T>(rule: Rule<T>): Rule<T[]> =>
    (v) => {
        for (const [i, item] of v.entries()) {
            const broken = rule(item);
            if (broken) return `item ${i} ${broken}`;
        }
        return undefined;
    };

export const nonEmptyString: Rule<string> = (v) =>
    typeof v === "string" && v.trim().length > 0 ? undefined : "must be a non-empty string";

export const kmsKeyId: Rule<string> = (v) =>
    typeof v === "string" &&
    /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f-]{36})$/.test(v)
        ? undefined
        : "must be a KMS key ARN, key id or alias";

export const isArray: Rule<unknown> = (v) => (Array.isArray(v) ? undefined : "must be a list");

export const plainObject: Rule<unknown> = (v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? undefined : "must be an object";

export const iamRoleArn: Rule<string> = (v) =>
    typeof v === "string" && /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(v)
        ? undefined
        : 'must be an IAM role ARN such as "arn:aws:iam::123456789012:role/backup"';

export const annotationMap: Rule<Record<string, string>> = (v) => {
    if (typeof v !== "object" || v === null) return "must be a map of annotation keys to string values";
    for (const [k, val] of Object.entries(v)) {
        if (!LABEL_KEY.test(k) || k.length > 316) return `must have valid annotation keys ("${k}" is not one)`;
        if (typeof val !== "string") return `must have string values (the value of "${k}" is not one)`;
    }
    return undefined;
};

const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[kMGTPE]i|[mkMGTPE])?$/;
/** requests/limits maps of Kubernetes quantities ("100m", "512Mi"). */
export const resourceRequirements: Rule<{ requests?: unknown; limits?: unknown }> = (v) => {
    for (const [k, x] of Object.entries(v)) {
        if (k !== "requests" && k !== "limits" && k !== "claims") return `must only have requests and limits ("${k}")`;
        if (k === "claims") continue;
        if (typeof x !== "object" || x === null) return `must have ${k} as a map of resource names to quantities`;
        for (const [r, q] of Object.entries(x)) {
            if (!(typeof q === "number" && q >= 0) && !(typeof q === "string" && QUANTITY.test(q)))
                return `must have Kubernetes quantities such as "100m" or "512Mi" (${k}.${r} is not one)`;
        }
    }
    return undefined;
};

type SecurityFields = { runAsUser?: unknown; runAsGroup?: unknown; runAsNonRoot?: unknown; privileged?: unknown };
const idsOk = (v: SecurityFields): string | undefined => {
    for (const f of ["runAsUser", "runAsGroup"] as const)
        if (v[f] !== undefined && !(Number.isInteger(v[f]) && (v[f] as number) >= 0))
            return `must have ${f} as an integer >= 0`;
    if (v.runAsUser === 0 && v.runAsNonRoot !== false)
        return "must set runAsNonRoot to false when runAsUser is 0 (the kubelet refuses root under runAsNonRoot)";
    return undefined;
};

export const podSecurityContext: Rule<SecurityFields & { fsGroup?: unknown }> = (v) =>
    idsOk(v) ??
    (v.fsGroup !== undefined && !(Number.isInteger(v.fsGroup) && (v.fsGroup as number) >= 0)
        ? "must have fsGroup as an integer >= 0"
        : undefined);

export const containerSecurityContext: Rule<SecurityFields> = (v) =>
    idsOk(v) ??
    (v.privileged === true ? "must not set privileged (no backup needs a privileged container)" : undefined);

/** A file name inside a directory (no '/', no '..'). */
export const fileName: Rule<string> = (v) =>
    typeof v === "string" && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/.test(v)
        ? undefined
        : "must be a file name of letters, digits, '.', '_' and '-' (no '/')";

/** One PEM X.509 certificate, as Node's crypto parses it. */
export const pemCertificate: Rule<string> = (v) => {
    if (typeof v !== "string" || !v.includes("-----BEGIN CERTIFICATE-----")) return "must be a PEM X.509 certificate";
    try {
        new X509Certificate(v);
        return undefined;
    } catch {
        return "must be a PEM X.509 certificate";
    }
};

const QUANTITY_UNITS: Record<string, number> = {
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

/** Bytes of a Kubernetes quantity such as "8Gi" or "500M"; undefined when it is not one. */
export function quantityBytes(q: string): number | undefined {
    const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
    return m ? Number(m[1]) * QUANTITY_UNITS[m[2] ?? ""] : undefined;
}

/** A byte quantity ("8Gi", "5Ti", "500M") between min and max bytes. */
export const byteQuantity =
    (min: number, max: number, range: string): Rule<string> =>
    (q) => {
        const b = typeof q === "string" ? quantityBytes(q) : undefined;
        return b !== undefined && b >= min && b <= max
            ? undefined
            : `must be a byte quantity like "8Gi" or "500M" between ${range}`;
    };
