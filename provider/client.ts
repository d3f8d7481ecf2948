// The one PX-Backup HTTP client: base URL normalisation, bearer token or username/password exchanged at
// the PX Central Keycloak endpoint, TLS options, keep-alive agents, per-request timeout, retries with
// exponential backoff and jitter, the proxy environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). Errors are
// PxBackupError and never contain the token.
import axios, { AxiosInstance, AxiosProxyConfig, AxiosResponse } from "axios";
import { HttpsProxyAgent } from "https-proxy-agent";
import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { PxBackupError } from "./errors";
import { ConnectionSettings, pemOrFile } from "./settings";
import { ApiGeneration, ServerVersion, generationOf, parseVersionResponse } from "./versions";

export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
export type Query = Record<string, string | number | boolean | ReadonlyArray<string> | undefined>;

export interface RequestOptions {
    query?: Query;
    body?: unknown;
    /**
     * For a non-idempotent call (POST create): asked after a transient failure whether the call landed.
     * Returns the landed result, or undefined when it did not land (then the call is retried).
     */
    landed?: () => Promise<unknown | undefined>;
}

/** "host:10001/" → "http://host:10001"; keeps an explicit https:// and a path prefix, drops trailing "/". */
export function normaliseBaseUrl(url: string): string {
    let u = url.trim();
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) u = `http://${u}`;
    u = u.replace(/\/+$/, "");
    u = u.replace(/\/v1$/, "");
    return u;
}

/** Query string in grpc-gateway style: repeated keys for lists, nothing for undefined. */
export function encodeQuery(query: Query | undefined): string {
    if (!query) return "";
    const parts: string[] = [];
    for (const [k, v] of Object.entries(query)) {
        if (v === undefined) continue;
        const values = Array.isArray(v) ? v : [v];
        for (const one of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`);
    }
    return parts.length ? `?${parts.join("&")}` : "";
}

function parseRetryAfter(value: unknown): number | undefined {
    if (typeof value !== "string" || value === "") return undefined;
    const secs = Number(value);
    if (Number.isFinite(secs)) return Math.max(0, secs);
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

function parseBody(data: unknown): unknown {
    if (typeof data !== "string" || data === "") return data === "" ? undefined : data;
    try {
        return JSON.parse(data);
    } catch {
        return data;
    }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The proxy for a URL as curl and most tools read the environment: HTTPS_PROXY for https, HTTP_PROXY for http
 * (either case), unless NO_PROXY lists the host (a name matches itself and its subdomains; a leading `.` or `*.`
 * is the same; `host:port` limits the entry to that port; `*` means no proxy at all). Undefined: connect directly.
 */
export function proxyFor(target: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const u = new URL(target);
    const https = u.protocol === "https:";
    const proxy = https ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
    if (!proxy) return undefined;
    const host = u.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
    const port = u.port || (https ? "443" : "80");
    for (const raw of (env.NO_PROXY ?? env.no_proxy ?? "").split(/[\s,]+/).filter(Boolean)) {
        if (raw === "*") return undefined;
        // A bare IPv6 address has several colons and no port; otherwise "host:port" or "[v6]:port".
        const bareV6 = !raw.includes("[") && (raw.match(/:/g) ?? []).length > 1;
        const m = bareV6 ? undefined : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw.toLowerCase());
        if (!bareV6 && !m) continue;
        if (m?.[2] && m[2] !== port) continue;
        const entry = (m ? m[1] : raw.toLowerCase()).replace(/^\[(.*)\]$/, "$1").replace(/^\*?\./, "");
        if (host === entry || host.endsWith(`.${entry}`)) return undefined;
    }
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

type ConnectArgs = Parameters<HttpsProxyAgent<string>["connect"]>;

/**
 * A CONNECT tunnel whose TLS to the target uses our CA bundle, client certificate and verification setting
 * (the agent passes only the request's own options to the target's TLS handshake).
 */
class Tunnel extends HttpsProxyAgent<string> {
    constructor(
        proxy: string,
        private readonly targetTls: tls.ConnectionOptions,
        keepAlive: http.AgentOptions,
    ) {
        super(proxy, keepAlive);
    }

    connect(req: ConnectArgs[0], opts: ConnectArgs[1]) {
        // The tunnelled handshake gets no host, so Node would check the certificate against "localhost": check
        // it against the target's host (name or IP) ourselves.
        const host = opts.host ?? "";
        const targetTls: tls.ConnectionOptions = {
            ...this.targetTls,
            checkServerIdentity: (_: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(host, cert),
        };
        return super.connect(req, { ...opts, ...targetTls } as ConnectArgs[1]);
    }
}

/** How requests to one origin travel: agents and, for plain-HTTP targets behind a proxy, axios' forward proxy. */
interface Route {
    httpAgent: http.Agent;
    httpsAgent: https.Agent;
    proxy: AxiosProxyConfig | false;
}

export interface ClientStats {
    /** HTTP exchanges with the PX-Backup API (every attempt, retries included). */
    requests: number;
    retries: number;
    tokenRequests: number;
}

export class PxBackupClient {
    readonly baseUrl: string;
    readonly stats: ClientStats = { requests: 0, retries: 0, tokenRequests: 0 };
    private readonly http: AxiosInstance;
    private readonly httpAgent: http.Agent;
    private readonly httpsAgent: https.Agent;
    // Kept in a closure-free private field of a process-local object; never serialised into state.
    private token?: string;
    private tokenExpiresAt = 0;
    private tokenPending?: Promise<string>;
    private generationPending?: Promise<ApiGeneration>;
    private readonly routes = new Map<string, Route>();
    private baseRoute?: Route;
    private readonly tunnels: https.Agent[] = [];
    private readonly keepAlive: http.AgentOptions;
    private readonly tlsOptions: tls.ConnectionOptions;
    /** The server's release, once `generation()` has read it. */
    serverVersion?: ServerVersion;

    /** `env`: where the proxy settings come from (the process environment; tests pass their own). */
    constructor(
        readonly settings: ConnectionSettings,
        private readonly env: NodeJS.ProcessEnv = process.env,
    ) {
        this.baseUrl = normaliseBaseUrl(settings.url);
        this.token = settings.token;
        this.tokenExpiresAt = settings.token ? Number.POSITIVE_INFINITY : 0;
        const keepAlive = { keepAlive: true, maxSockets: settings.maxSockets, maxFreeSockets: settings.maxSockets };
        this.keepAlive = keepAlive;
        this.tlsOptions = {
            rejectUnauthorized: !settings.insecureSkipVerify,
            // Added to the system roots, not in their place: a private CA for PX-Backup must not make a
            // Keycloak with a public certificate untrusted.
            ca: settings.caBundle ? [...tls.rootCertificates, pemOrFile(settings.caBundle)!] : undefined,
            cert: pemOrFile(settings.clientCert),
            key: pemOrFile(settings.clientKey),
        };
        this.httpAgent = new http.Agent(keepAlive);
        this.httpsAgent = new https.Agent({ ...keepAlive, ...this.tlsOptions });
        this.http = axios.create({
            httpAgent: this.httpAgent,
            httpsAgent: this.httpsAgent,
            timeout: settings.requestTimeoutMs,
            // The proxy environment is applied per origin by route(), never by axios on its own: axios would
            // send an https request to an http proxy in the clear instead of tunnelling it (CONNECT).
            proxy: false,
            maxRedirects: 0,
            validateStatus: () => true,
            transformResponse: [(d) => d],
            responseType: "text",
            // The API answers small JSON documents: no decompression streams, no adapter lookup per request.
            decompress: false,
            adapter: "http",
        });
    }

    /**
     * How this server wants its calls routed, from GET /v1/version: read once per client (one client per
     * `configure`), shared by every concurrent caller. Refuses releases before 2.8 and unreadable answers; a
     * failed read is not kept, so the next call asks again.
     */
    generation(): Promise<ApiGeneration> {
        if (!this.generationPending) {
            const pending = this.get("/v1/version").then((body) => {
                const v = parseVersionResponse(body);
                const gen = generationOf(v);
                this.serverVersion = v;
                return gen;
            });
            this.generationPending = pending;
            pending.catch(() => {
                if (this.generationPending === pending) this.generationPending = undefined;
            });
        }
        return this.generationPending;
    }

    /** Closes idle keep-alive sockets (tests, benchmarks). */
    close(): void {
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
        for (const t of this.tunnels) t.destroy();
    }

    /**
     * Agents and proxy for one URL, decided once per origin: direct; an https target through a CONNECT tunnel
     * (TLS to the target end to end, with the same CA bundle, client certificate and verification); or a plain
     * http target sent to the proxy as an absolute-URI request.
     */
    route(url: string): Route {
        // Every API call shares the base URL's origin: no URL parsing per request.
        if (this.baseRoute && url.startsWith(this.baseUrl)) return this.baseRoute;
        const origin = new URL(url).origin;
        let r = this.routes.get(origin);
        if (!r) {
            const proxy = proxyFor(url, this.env);
            if (!proxy) {
                r = { httpAgent: this.httpAgent, httpsAgent: this.httpsAgent, proxy: false };
            } else if (origin.startsWith("https:")) {
                const tunnel = new Tunnel(proxy, this.tlsOptions, this.keepAlive);
                this.tunnels.push(tunnel);
                r = { httpAgent: this.httpAgent, httpsAgent: tunnel, proxy: false };
            } else {
                const p = new URL(proxy);
                const auth = p.username
                    ? { username: decodeURIComponent(p.username), password: decodeURIComponent(p.password) }
                    : undefined;
                r = {
                    httpAgent: this.httpAgent,
                    httpsAgent: this.httpsAgent,
                    proxy: {
                        protocol: p.protocol.replace(":", ""),
                        host: p.hostname,
                        port: Number(p.port || (p.protocol === "https:" ? 443 : 80)),
                        auth,
                    },
                };
            }
            this.routes.set(origin, r);
            if (url.startsWith(this.baseUrl) && origin === new URL(this.baseUrl).origin) this.baseRoute = r;
        }
        return r;
    }

    get<T = any>(path: string, query?: Query): Promise<T> {
        return this.request<T>("GET", path, { query });
    }

    put<T = any>(path: string, body: unknown): Promise<T> {
        return this.request<T>("PUT", path, { body });
    }

    delete<T = any>(path: string, query?: Query): Promise<T> {
        return this.request<T>("DELETE", path, { query });
    }

    /** POST that creates something: retried only after `landed` shows the earlier attempt did not land. */
    post<T = any>(path: string, body: unknown, landed?: () => Promise<unknown | undefined>): Promise<T> {
        return this.request<T>("POST", path, { body, landed });
    }

    async request<T = any>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
        // POST without a landing probe is retried too when it is a read (enumerate), which callers mark by
        // passing landed: undefined and a path ending in /enumerate.
        const idempotent = method !== "POST" || /\/enumerate$/.test(path);
        let refreshedToken = false;
        for (let attempt = 0; ; attempt++) {
            // Outside the try: a token request has its own bounded retries, and its failure (a Keycloak 401
            // or a Keycloak that stays down) is final here rather than retried again by this loop.
            const token = await this.bearer();
            try {
                return await this.once<T>(method, path, token, opts.query, opts.body);
            } catch (e) {
                if (!(e instanceof PxBackupError)) throw e;
                if (e.status === 401 && this.canRefreshToken() && !refreshedToken) {
                    refreshedToken = true;
                    this.tokenExpiresAt = 0;
                    attempt--;
                    continue;
                }
                if (!e.isTransient || attempt >= this.settings.maxRetries) throw e;
                if (!idempotent) {
                    if (!opts.landed) throw e;
                    await this.backoff(attempt, e);
                    const result = await opts.landed();
                    if (result !== undefined) return result as T;
                    continue;
                }
                await this.backoff(attempt, e);
            }
        }
    }

    private async backoff(attempt: number, e: PxBackupError): Promise<void> {
        this.stats.retries++;
        const cap = this.settings.retryMaxDelayMs;
        let delay: number;
        if (e.retryAfterSeconds !== undefined) {
            delay = Math.min(cap, e.retryAfterSeconds * 1000);
        } else {
            // Exponential backoff with full jitter: spreads retries of many concurrent callers.
            const ceiling = Math.min(cap, this.settings.retryBaseDelayMs * 2 ** attempt);
            delay = ceiling / 2 + (Math.random() * ceiling) / 2;
        }
        await sleep(delay);
    }

    private async once<T>(
        method: Method,
        path: string,
        token: string,
        query: Query | undefined,
        body: unknown,
    ): Promise<T> {
        const url = this.baseUrl + path + encodeQuery(query);
        let res: AxiosResponse<string>;
        this.stats.requests++;
        try {
            res = await this.http.request<string>({
                ...this.route(url),
                method,
                url,
                data: body === undefined ? undefined : JSON.stringify(body),
                headers: {
                    "Content-Type": "application/json",
                    Accept: "application/json",
                    "Accept-Encoding": "identity",
                    Authorization: `Bearer ${token}`,
                },
            });
        } catch (err) {
            // Rebuild the error from scratch: the axios error holds the request config (with the token).
            const ax = err as { code?: string; message?: string };
            throw new PxBackupError({
                method,
                path,
                transportCode: ax.code ?? "ERR_NETWORK",
                serverMessage: ax.message,
            });
        }
        const data = parseBody(res.data);
        if (res.status >= 200 && res.status < 300) return (data ?? {}) as T;
        const obj = (data && typeof data === "object" ? data : {}) as {
            code?: unknown;
            message?: unknown;
            error?: unknown;
        };
        throw new PxBackupError({
            method,
            path,
            status: res.status,
            code: typeof obj.code === "number" ? obj.code : undefined,
            serverMessage:
                typeof obj.message === "string"
                    ? obj.message
                    : typeof obj.error === "string"
                      ? obj.error
                      : typeof data === "string"
                        ? data.trim().slice(0, 500)
                        : undefined,
            retryAfterSeconds: parseRetryAfter(res.headers["retry-after"]),
        });
    }

    private canRefreshToken(): boolean {
        return !!(this.settings.username && this.settings.password && this.settings.authUrl);
    }

    private async bearer(): Promise<string> {
        if (this.token && Date.now() < this.tokenExpiresAt) return this.token;
        if (!this.canRefreshToken()) {
            if (this.token) return this.token;
            throw new Error("PX-Backup credentials not configured");
        }
        this.tokenPending ??= this.fetchToken().finally(() => {
            this.tokenPending = undefined;
        });
        return this.tokenPending;
    }

    /** Keycloak password grant, as PX Central's own clients do (docs/px-backup-api.md#authentication). */
    tokenEndpoint(): string {
        const base = normaliseBaseUrl(this.settings.authUrl!);
        if (/\/protocol\/openid-connect\/token$/.test(base)) return base;
        const root = base.replace(/\/auth$/, "");
        return `${root}/auth/realms/${encodeURIComponent(this.settings.realm)}/protocol/openid-connect/token`;
    }

    private async fetchToken(): Promise<string> {
        const endpoint = this.tokenEndpoint();
        const path = new URL(endpoint).pathname;
        const form = new URLSearchParams({
            grant_type: "password",
            client_id: this.settings.clientId,
            username: this.settings.username!,
            password: this.settings.password!,
        });
        for (let attempt = 0; ; attempt++) {
            this.stats.tokenRequests++;
            let res: AxiosResponse<string>;
            try {
                res = await this.http.post<string>(endpoint, form.toString(), {
                    ...this.route(endpoint),
                    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
                });
            } catch (err) {
                const ax = err as { code?: string; message?: string };
                const e = new PxBackupError(
                    { method: "POST", path, transportCode: ax.code ?? "ERR_NETWORK", serverMessage: ax.message },
                    "token request",
                );
                if (attempt >= this.settings.maxRetries) throw e;
                await this.backoff(attempt, e);
                continue;
            }
            const data = parseBody(res.data) as
                | { access_token?: unknown; expires_in?: unknown; error_description?: unknown; error?: unknown }
                | undefined;
            if (res.status === 200 && data && typeof data.access_token === "string") {
                const ttl = typeof data.expires_in === "number" ? data.expires_in : 300;
                // Refresh a little early so a long operation never sends an expired token.
                this.tokenExpiresAt = Date.now() + Math.max(5, ttl * 0.8) * 1000;
                this.token = data.access_token;
                return this.token;
            }
            const e = new PxBackupError(
                {
                    method: "POST",
                    path,
                    status: res.status,
                    serverMessage:
                        typeof data?.error_description === "string"
                            ? data.error_description
                            : typeof data?.error === "string"
                              ? data.error
                              : res.status === 200
                                ? "access_token missing from response"
                                : undefined,
                    retryAfterSeconds: parseRetryAfter(res.headers["retry-after"]),
                },
                "token request",
            );
            if (!e.isTransient || attempt >= this.settings.maxRetries) throw e;
            await this.backoff(attempt, e);
        }
    }
}
