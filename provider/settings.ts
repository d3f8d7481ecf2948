// Connection settings: stack config namespace `kube-backup` first, environment variables second.
// Read inside the provider process (dynamic provider `configure`) and in the program process (functions);
// never captured in the serialized provider.
import * as fs from "fs";

export const CONFIG_NAMESPACE = "kube-backup";

export interface ConnectionSettings {
    /** PX-Backup REST endpoint, e.g. https://px-backup.example:10001 (scheme defaults to http://). */
    url: string;
    /** Bearer token. Either this or username+password. */
    token?: string;
    username?: string;
    password?: string;
    /** PX Central / Keycloak base URL (without /auth), or the full token endpoint. */
    authUrl?: string;
    clientId: string;
    realm: string;
    /** PEM text of extra CA certificates (a file path is also accepted). */
    caBundle?: string;
    clientCert?: string;
    clientKey?: string;
    insecureSkipVerify: boolean;
    requestTimeoutMs: number;
    maxRetries: number;
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
    /** First delay between polls of async states (grows ×1.5 up to pollMaxIntervalMs). */
    pollIntervalMs: number;
    pollMaxIntervalMs: number;
    /** Maximum sockets per host for the keep-alive agent. */
    maxSockets: number;
}

/** Every setting: config key (namespace kube-backup), environment variable, documentation. */
export const SETTINGS = [
    { key: "url", env: "PXBACKUP_API_URL", doc: "PX-Backup REST endpoint (port 10001 of svc/px-backup)" },
    { key: "token", env: "PXBACKUP_TOKEN", doc: "bearer token (set with --secret)" },
    { key: "username", env: "PXBACKUP_USERNAME", doc: "PX Central user, exchanged for a token" },
    { key: "password", env: "PXBACKUP_PASSWORD", doc: "PX Central password (set with --secret)" },
    { key: "authUrl", env: "PXBACKUP_AUTH_URL", doc: "PX Central Keycloak base URL, or the full token endpoint" },
    { key: "clientId", env: "PXBACKUP_CLIENT_ID", doc: "OIDC client id (default pxcentral)" },
    { key: "realm", env: "PXBACKUP_REALM", doc: "Keycloak realm (default master)" },
    { key: "caBundle", env: "PXBACKUP_CA_BUNDLE", doc: "extra CA certificates: PEM text or file path" },
    { key: "clientCert", env: "PXBACKUP_CLIENT_CERT", doc: "client certificate: PEM text or file path" },
    { key: "clientKey", env: "PXBACKUP_CLIENT_KEY", doc: "client key: PEM text or file path (set with --secret)" },
    {
        key: "insecureSkipVerify",
        env: "PXBACKUP_INSECURE_SKIP_VERIFY",
        doc: "disable TLS verification (default false)",
    },
    { key: "requestTimeoutMs", env: "PXBACKUP_REQUEST_TIMEOUT_MS", doc: "per-request timeout (default 30000)" },
    { key: "maxRetries", env: "PXBACKUP_MAX_RETRIES", doc: "retries of transient failures (default 5)" },
    { key: "retryBaseDelayMs", env: "PXBACKUP_RETRY_BASE_DELAY_MS", doc: "first backoff delay (default 250)" },
    { key: "retryMaxDelayMs", env: "PXBACKUP_RETRY_MAX_DELAY_MS", doc: "backoff and Retry-After cap (default 30000)" },
    {
        key: "pollIntervalMs",
        env: "PXBACKUP_POLL_INTERVAL_MS",
        doc: "first poll delay for async states (default 1000)",
    },
    { key: "pollMaxIntervalMs", env: "PXBACKUP_POLL_MAX_INTERVAL_MS", doc: "poll delay cap (default 10000)" },
    { key: "maxSockets", env: "PXBACKUP_MAX_SOCKETS", doc: "keep-alive sockets per host (default 16)" },
] as const;

export type SettingKey = (typeof SETTINGS)[number]["key"];

/** A lookup of raw string values by setting key (stack config, env, or a test). */
export type RawLookup = (key: SettingKey) => string | undefined;

/** Allowed ranges of the numeric settings (integers): an error names the setting and its range. */
export const SETTING_RANGES = {
    requestTimeoutMs: [1, 3_600_000],
    maxRetries: [0, 100],
    retryBaseDelayMs: [0, 3_600_000],
    retryMaxDelayMs: [0, 3_600_000],
    // 0 would poll in a tight loop.
    pollIntervalMs: [1, 3_600_000],
    pollMaxIntervalMs: [1, 3_600_000],
    // An agent with 0 sockets throws on the first request.
    maxSockets: [1, 1024],
} as const;

type NumericKey = keyof typeof SETTING_RANGES;
type NumericSettings = Pick<ConnectionSettings, NumericKey | "insecureSkipVerify">;

const DEFAULTS: Record<NumericKey, number> = {
    requestTimeoutMs: 30000,
    maxRetries: 5,
    retryBaseDelayMs: 250,
    retryMaxDelayMs: 30000,
    pollIntervalMs: 1000,
    pollMaxIntervalMs: 10000,
    maxSockets: 16,
};

function int(raw: string | undefined, key: NumericKey): number {
    if (raw === undefined || raw === "") return DEFAULTS[key];
    const [min, max] = SETTING_RANGES[key];
    const n = Number(raw.trim());
    if (raw.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
        throw new Error(`kube-backup:${key} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
}

function bool(raw: string | undefined, key: string): boolean {
    if (raw === undefined || raw === "") return false;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new Error(`kube-backup:${key} must be true or false, got "${raw}"`);
}

/** PEM text stays as is; anything else is a file path. */
export function pemOrFile(value: string | undefined): string | undefined {
    if (!value) return undefined;
    return value.includes("-----BEGIN") ? value : fs.readFileSync(value, "utf8");
}

/**
 * The numeric and boolean settings, each checked against its range (unset ones take their defaults).
 * Needs neither endpoint nor credentials, so `configure` can refuse bad values at once.
 */
export function checkedValues(lookup: RawLookup): NumericSettings {
    const get = (k: SettingKey) => {
        const v = lookup(k);
        return v === undefined || v === "" ? undefined : v;
    };
    const v: NumericSettings = {
        insecureSkipVerify: bool(get("insecureSkipVerify"), "insecureSkipVerify"),
        requestTimeoutMs: int(get("requestTimeoutMs"), "requestTimeoutMs"),
        maxRetries: int(get("maxRetries"), "maxRetries"),
        retryBaseDelayMs: int(get("retryBaseDelayMs"), "retryBaseDelayMs"),
        retryMaxDelayMs: int(get("retryMaxDelayMs"), "retryMaxDelayMs"),
        pollIntervalMs: int(get("pollIntervalMs"), "pollIntervalMs"),
        pollMaxIntervalMs: int(get("pollMaxIntervalMs"), "pollMaxIntervalMs"),
        maxSockets: int(get("maxSockets"), "maxSockets"),
    };
    const atLeast = (hi: NumericKey, lo: NumericKey) => {
        if (v[hi] < v[lo]) {
            throw new Error(`kube-backup:${hi} (${v[hi]}) must not be below kube-backup:${lo} (${v[lo]})`);
        }
    };
    atLeast("pollMaxIntervalMs", "pollIntervalMs");
    atLeast("retryMaxDelayMs", "retryBaseDelayMs");
    return v;
}

/** Builds settings from a lookup; throws a clear error if no endpoint or credentials are configured. */
export function resolveSettings(lookup: RawLookup): ConnectionSettings {
    const get = (k: SettingKey) => {
        const v = lookup(k);
        return v === undefined || v === "" ? undefined : v;
    };
    const url = get("url");
    if (!url) {
        throw new Error(
            "PX-Backup endpoint not configured: set `pulumi config set kube-backup:url <url>` " +
                "or the PXBACKUP_API_URL environment variable",
        );
    }
    const s: ConnectionSettings = {
        url,
        token: get("token"),
        username: get("username"),
        password: get("password"),
        authUrl: get("authUrl"),
        clientId: get("clientId") ?? "pxcentral",
        realm: get("realm") ?? "master",
        caBundle: get("caBundle"),
        clientCert: get("clientCert"),
        clientKey: get("clientKey"),
        ...checkedValues(lookup),
    };
    if (!s.token && !(s.username && s.password && s.authUrl)) {
        throw new Error(
            "PX-Backup credentials not configured: set kube-backup:token (--secret) or PXBACKUP_TOKEN, " +
                "or kube-backup:username, kube-backup:password (--secret) and kube-backup:authUrl " +
                "(PXBACKUP_USERNAME, PXBACKUP_PASSWORD, PXBACKUP_AUTH_URL)",
        );
    }
    if (!!s.clientCert !== !!s.clientKey) {
        throw new Error("kube-backup:clientCert and kube-backup:clientKey must be set together");
    }
    return s;
}

/** Stack config (a `key -> value` getter for the `kube-backup` namespace) with environment fallback. */
export function lookupFrom(
    configGet: (key: string) => string | undefined,
    env: NodeJS.ProcessEnv = process.env,
): RawLookup {
    return (key) => {
        const fromConfig = configGet(key);
        if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
        const def = SETTINGS.find((s) => s.key === key);
        return def ? env[def.env] : undefined;
    };
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
    return resolveSettings(lookupFrom(() => undefined, env));
}
