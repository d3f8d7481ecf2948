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

function num(raw: string | undefined, key: string, dflt: number): number {
    if (raw === undefined || raw === "") return dflt;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`kube-backup:${key} must be a non-negative number, got "${raw}"`);
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
        insecureSkipVerify: bool(get("insecureSkipVerify"), "insecureSkipVerify"),
        requestTimeoutMs: num(get("requestTimeoutMs"), "requestTimeoutMs", 30000),
        maxRetries: num(get("maxRetries"), "maxRetries", 5),
        retryBaseDelayMs: num(get("retryBaseDelayMs"), "retryBaseDelayMs", 250),
        retryMaxDelayMs: num(get("retryMaxDelayMs"), "retryMaxDelayMs", 30000),
        pollIntervalMs: num(get("pollIntervalMs"), "pollIntervalMs", 1000),
        pollMaxIntervalMs: num(get("pollMaxIntervalMs"), "pollMaxIntervalMs", 10000),
        maxSockets: num(get("maxSockets"), "maxSockets", 16),
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
