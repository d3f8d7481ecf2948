/**
 * PX-Backup REST API simulator (the one stand-in allowed: the real server is proprietary).
 *
 * It serves the routes of `px-backup-api.swagger.json` (the vendored PX-Backup contract) with the behaviour
 * described in docs/px-backup-api.md: grpc-gateway v1 wire format
 * (snake_case, enum names, 64-bit integers as strings, zero values omitted), server-generated metadata
 * (uid, create/update times, owner from the token's `sub`), uniqueness per (kind, org, name), uid/name lookup,
 * references that must exist, asynchronous states, `{error, code, message}` error bodies with the gRPC →
 * HTTP mapping, pagination, bearer auth and the PX Central Keycloak token endpoint.
 *
 * Access control follows metadata.ownership: tokens in group "/px-admin-group" (the default token and the
 * default Keycloak user admin/admin) see everything; others see what they own or what collaborators / groups
 * / public (Read < Write < Admin; backups also backup_share) grant them, and get 403 "Access denied" otherwise.
 *
 * Implemented kinds (CRUD + enumerate): schedule policies, cloud credentials, backup locations, clusters,
 * rules, backup schedules, backups, restores; plus updatebackupshare, the ownership updates, backup location validate,
 * organizations, version and health. Other contract routes answer 501 Unimplemented.
 *
 * In-process use (tests):
 *
 *     const sim = await startSimulator({ delays: { backupInProgress: 50 } });
 *     // sim.url, sim.token, sim.authUrl, sim.clientId
 *     sim.faults.failNext(2, 503, { method: "POST", path: "/v1/backupschedule" });
 *     sim.requests.count({ operationId: "BackupSchedule_Create" });
 *     await sim.stop();
 *
 * Options (all optional):
 *   port              TCP port, 0 = a free one (default 0)
 *   host              bind address (default 127.0.0.1)
 *   token             accepted bearer token (default: a generated JWT for the default admin user)
 *   delays            ms of async states: backupPending, backupInProgress, deletePending, backupDeleting,
 *                     clusterPending, locationValidation, scheduleSuspend, restorePending, restoreInProgress (default 0 each: the create response shows the first
 *                     state, the next read the final one). -1 = stuck until `settle()`.
 *   outcomes          final states: { backup: {status:"Success"}, backupLocation: {status:"Valid"},
 *                     cluster: {status:"Online"}, restore: {status:"Success"}, byName: { "<object name>": {status:"Failed", reason} } }
 *   users             Keycloak users [{ username, password, sub?, groups? }] (default admin/admin in
 *                     "/px-admin-group")
 *   clientId          Keycloak client id (default "pxcentral")
 *   tokenTtlSeconds   lifetime of tokens from the Keycloak endpoint (default 3600; the form field
 *                     `token-duration`, e.g. "7d", overrides it like PX Central does)
 *   validateResponses check every API response against the swagger schemas; a violation becomes a 500 and
 *                     is recorded in `contractViolations` (default false; the simulator's own tests use it)
 *   validateRequests  check every API request (JSON body and query string) strictly against the swagger: a
 *                     field or query parameter the contract does not define, a wrong type or enum, is
 *                     answered 400 and recorded in `contractViolations`. The real server silently ignores
 *                     unknown fields, which is why a client's tests should turn this on (default false).
 *   serverVersion     PX-Backup release to play (default "2.10.1"). Before 2.10 the uid is in the path of
 *                     inspect/delete for policies, rules, credentials, locations, cluster inspect and schedule
 *                     delete (the 2.10 shape gets the gateway's plain-text 404/405), and references and update
 *                     targets need their uid (a name alone is NotFound). See versions.ts.
 *   runSchedules      a new backup schedule runs its first backup at once (default false). The schedule's
 *                     `status` and `backup_status` then report its backups; `runSchedule(name)` starts more.
 *                     Schedules never fire on their own clock (tests decide when a backup happens).
 *   log               function receiving one line per request (the CLI prints them)
 *
 * Handle: url, port, token, authUrl, clientId, faults (Faults), requests (RequestLog: all(), filter(match),
 *   count(match), countByOperation(), clear()), store (Store), delays / setDelays(partial), outcomes /
 *   setOutcomes(partial), settle() (apply every pending transition now), reset() (objects, faults, log;
 *   delays and outcomes back to the start options), issueToken(claims), runSchedule(name, org?),
 *   inspect(kind, name, org?) (wire object with secrets), info(kind, name, org?) (its info block), dump(), contractViolations, stop().
 *
 * Server rules worth knowing (docs/px-backup-api.md#simulator; several are unconfirmed on a real server):
 *   - names: required; backups and schedules must be RFC 1123 subdomains (they become CR names).
 *   - updates: PUT returns {}; backup schedules merge (set fields overwrite, booleans and `suspend` are always
 *     applied, bulk selectors → 501); backups change only labels/ownership/cloud_credential_ref; the other
 *     kinds replace their info block and labels, keep secrets the request leaves empty, and refuse to change
 *     a backup location's type or path.
 *   - references are resolved to {name, uid} (deprecated string twins kept equal); missing → 404; deleting
 *     an object still referenced by a live schedule, location or cluster → 400 FailedPrecondition.
 *   - secrets (credential keys, kubeconfig, encryption_key, ...) are returned only with include_secrets=true.
 *
 * Faults (`handle.faults`, see faults.ts): latency(ms); failNext(n, status, match) for 500/502/503/504 (502
 *   answers text/plain like a proxy, the others a gRPC error body); rateLimitNext(n, retryAfterSeconds,
 *   match) → 429 + Retry-After; dropNext(n, "before" | "after", match) destroys the socket before the
 *   request is applied or after it was applied (the response is lost); add(rule) for the general form.
 *   `match` = { method?, path? (prefix, or regex if it starts with "^"), operationId? }.
 *
 * Control REST API (not part of the contract; no auth, no faults, not logged), JSON in and out:
 *   GET    /__simulator/health                  → {ok:true}
 *   GET    /__simulator/faults                  → {faults:[...], latency_ms}
 *   POST   /__simulator/faults                  {kind:"status"|"rateLimit"|"dropBefore"|"dropAfter"|"latency",
 *                                                status?, retryAfterSeconds?, latencyMs?, times? (default 1,
 *                                                -1 = until removed), method?, path?, operationId?} → {id}
 *   DELETE /__simulator/faults[/{id}]           remove all faults (and the global latency) or one
 *   PUT    /__simulator/latency                 {ms}: latency added to every API request
 *   GET    /__simulator/requests                → {requests:[{seq,method,path,query,operationId,status,fault,
 *                                                applied,durationMs}], by_operation:{operationId: count}}
 *   DELETE /__simulator/requests                clear the request log
 *   GET|PUT /__simulator/delays                 read / change delays (partial; -1 = stuck)
 *   GET|PUT /__simulator/version                read / change the release played: {version:"2.9.3"}
 *   PUT    /__simulator/outcomes                change outcomes (partial)
 *   POST   /__simulator/settle                  apply all pending async transitions now
 *   POST   /__simulator/reset                   drop all objects, faults and the request log
 *   POST   /__simulator/schedules/{name}/run   start a backup of that schedule now (org default) → {backup}
 *   POST   /__simulator/tokens                  {sub?, preferred_username?, groups?, ttlSeconds?} → {token}
 *   GET    /__simulator/objects                 → {objects:[{kind, object}]} (secrets included)
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { Auth, Caller, DEFAULT_SUB, KEYCLOAK_TOKEN_PATH, KeycloakUser, TokenClaims } from "./auth";
import { ApiError, Code } from "./errors";
import { decodeBody, decodeQuery, omitZero } from "./contract";
import { Faults, RequestLog, ActiveFault } from "./faults";
import { Ctx, DEFAULT_OUTCOMES, Delays, KindSpec, Outcomes, ZERO_DELAYS, kindSpec, runSchedule } from "./kinds";
import { HANDLERS, render } from "./api";
import { Router } from "./router";
import { KindName, Store, StoredObject, Wire } from "./store";
import { CONTROL_PREFIX, control } from "./control";
import { DEFAULT_SERVER_VERSION, nameOnlyLookups, parseServerVersion, routeOverrides, versionText } from "./versions";

export { Faults, RequestLog } from "./faults";
export type { FaultRule, FaultMatch, FaultKind, RequestRecord } from "./faults";
export type { Delays, Outcome, Outcomes } from "./kinds";
export type { KeycloakUser, TokenClaims } from "./auth";
export type { KindName, Store, StoredObject, Wire } from "./store";

export interface SimulatorOptions {
    port?: number;
    host?: string;
    token?: string;
    delays?: Partial<Delays>;
    outcomes?: Partial<Outcomes>;
    users?: KeycloakUser[];
    clientId?: string;
    tokenTtlSeconds?: number;
    validateResponses?: boolean;
    validateRequests?: boolean;
    runSchedules?: boolean;
    /** PX-Backup release to play, e.g. "2.9.3" (default 2.10.1): before 2.10 the uid is in some paths. */
    serverVersion?: string;
    log?: (line: string) => void;
}

export interface ContractViolation {
    operationId: string;
    /** Who broke the contract: the client's request or the simulator's response. */
    direction: "request" | "response";
    errors: string;
}

export interface SimulatorHandle {
    /** Base URL of the API, e.g. http://127.0.0.1:40123 (no trailing slash). */
    readonly url: string;
    readonly port: number;
    /** A bearer token the simulator accepts. */
    readonly token: string;
    /** Base URL for the Keycloak token endpoint (same server): POST {authUrl}/auth/realms/master/protocol/openid-connect/token. */
    readonly authUrl: string;
    readonly clientId: string;
    readonly faults: Faults;
    readonly requests: RequestLog;
    readonly store: Store;
    readonly delays: Delays;
    readonly outcomes: Outcomes;
    readonly contractViolations: ContractViolation[];
    /** The release the simulator plays ("2.10.1"); GET /v1/version reports it. */
    readonly serverVersion: string;
    /** Switches the release (routes and name-only lookups change at once; objects stay). */
    setServerVersion(version: string): void;
    setDelays(delays: Partial<Delays>): void;
    setOutcomes(outcomes: Partial<Outcomes>): void;
    /** Applies every pending asynchronous transition now (also "stuck" ones). */
    settle(): void;
    /** Drops all objects (the `default` organization stays), faults and the request log; restores the start delays/outcomes. */
    reset(): void;
    issueToken(claims?: TokenClaims): string;
    /** Starts a backup of the schedule now (as its policy would); returns the backup as GET would. */
    runSchedule(name: string, orgId?: string): Wire;
    /** The object as GET would return it, secrets included; undefined when absent. */
    inspect(kind: KindName, name: string, orgId?: string): Wire | undefined;
    /** Just the info block (`schedule_policy_info`, `clusterInfo`, ...) of `inspect`; undefined when absent. */
    info(kind: KindName, name: string, orgId?: string): Wire | undefined;
    /** Every object, secrets included. */
    dump(): Array<{ kind: KindName; object: Wire }>;
    stop(): Promise<void>;
}

/** An object exactly as the API would send it. */
function wireObject(spec: KindSpec, obj: StoredObject, ctx: Ctx, includeSecrets: boolean): Wire {
    return omitZero(render(spec, obj, ctx, includeSecrets), { $ref: `#/definitions/${spec.objectDef}` }) as Wire;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
        "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
        "Content-Length": Buffer.byteLength(text),
        ...headers,
    });
    res.end(text);
}

/** What a fault answers instead of the real handler. */
function faultReply(fault: ActiveFault): [number, unknown, Record<string, string>] {
    if (fault.kind === "rateLimit") {
        const retry = String(fault.retryAfterSeconds ?? 1);
        return [
            429,
            new ApiError(Code.ResourceExhausted, "simulated fault: too many requests").body(),
            { "Retry-After": retry },
        ];
    }
    const status = fault.status ?? 503;
    if (status === 502) return [502, "Bad Gateway\n", {}]; // what a proxy in front of the gateway answers
    const code =
        status === 503
            ? Code.Unavailable
            : status === 504
              ? Code.DeadlineExceeded
              : status === 500
                ? Code.Internal
                : Code.Unknown;
    return [status, { ...new ApiError(code, `simulated fault: HTTP ${status}`).body() }, {}];
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
    const store = new Store();
    const auth = new Auth({
        token: options.token,
        users: options.users,
        clientId: options.clientId,
        tokenTtlSeconds: options.tokenTtlSeconds,
    });
    const token = options.token ?? auth.issue();
    const faults = new Faults();
    const requests = new RequestLog();
    let version = parseServerVersion(options.serverVersion ?? DEFAULT_SERVER_VERSION);
    let router = new Router(routeOverrides(version));
    const delays: Delays = { ...ZERO_DELAYS, ...(options.delays ?? {}) };
    const outcomes: Outcomes = { ...DEFAULT_OUTCOMES, byName: {}, ...(options.outcomes ?? {}) };
    const contractViolations: ContractViolation[] = [];
    const validator =
        options.validateResponses || options.validateRequests
            ? (await import("./contract-validator")).contractValidator()
            : undefined;
    const ctxFor = (caller: Caller): Ctx => ({
        store,
        caller,
        delays,
        outcomes,
        now: Date.now,
        runSchedules: options.runSchedules ?? false,
        serverVersion: version,
        nameOnlyLookups: nameOnlyLookups(version),
    });

    async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
        const method = req.method ?? "GET";
        const path = url.pathname;
        const started = Date.now();
        const keycloak = KEYCLOAK_TOKEN_PATH.exec(path);
        const route = keycloak ? undefined : router.match(method, path);
        const operationId = keycloak ? "Keycloak_Token" : route?.op?.operationId;
        const record = (status: number, applied: boolean, fault?: ActiveFault) => {
            const entry = requests.push({
                at: started,
                method,
                path,
                query: url.search,
                operationId,
                status,
                applied,
                fault: fault?.kind,
                durationMs: Date.now() - started,
            });
            options.log?.(
                `${method} ${path}${url.search} → ${status || "dropped"}${fault ? ` (fault: ${fault.kind})` : ""}`,
            );
            return entry;
        };

        const { latencyMs, fault } = faults.take(method, path, operationId);
        if (latencyMs > 0) await sleep(latencyMs);
        if (fault?.kind === "dropBefore") {
            record(0, false, fault);
            req.socket.destroy();
            return;
        }
        const raw = await readBody(req);
        if (fault && (fault.kind === "status" || fault.kind === "rateLimit")) {
            const [status, body, headers] = faultReply(fault);
            record(status, false, fault);
            send(res, status, body, headers);
            return;
        }

        let status = 200;
        let body: unknown;
        let applied = false;
        if (keycloak && method === "POST") {
            [status, body] = auth.tokenEndpoint(keycloak[1], req.headers["content-type"], raw);
            applied = true;
        } else if (keycloak || !route?.op) {
            status = keycloak ? 405 : route!.status!;
            body = status === 404 ? "Not Found\n" : "Method Not Allowed\n";
        } else {
            const op = route.op;
            try {
                const caller = auth.authenticate(req.headers.authorization);
                const handler = HANDLERS[op.operationId];
                if (!handler)
                    throw new ApiError(
                        Code.Unimplemented,
                        `${op.operationId} is not implemented by the PX-Backup simulator`,
                    );
                let json: unknown = {};
                if (raw.trim()) {
                    try {
                        json = JSON.parse(raw);
                    } catch (err) {
                        throw new ApiError(Code.InvalidArgument, `invalid JSON body: ${(err as Error).message}`);
                    }
                }
                if (validator && options.validateRequests) {
                    const errors = [
                        op.bodySchema ? validator.request(op.operationId, json) : undefined,
                        validator.query(op.operationId, url.searchParams),
                    ]
                        .filter(Boolean)
                        .join("; ");
                    if (errors) {
                        contractViolations.push({ operationId: op.operationId, direction: "request", errors });
                        throw new ApiError(Code.InvalidArgument, `request violates the PX-Backup contract: ${errors}`);
                    }
                }
                applied = true;
                const result = handler({
                    params: route.params,
                    // A uid in the path (releases before 2.10) means what `?uid=` means in later ones.
                    query: {
                        ...decodeQuery(op, url.searchParams),
                        ...(route.params.uid ? { uid: route.params.uid } : {}),
                    },
                    body: decodeBody(op, json),
                    ctx: ctxFor(caller),
                });
                body = omitZero(result, op.responseSchema);
                if (validator && options.validateResponses) {
                    const errors = validator.response(op.operationId, body);
                    if (errors) {
                        contractViolations.push({ operationId: op.operationId, direction: "response", errors });
                        throw new ApiError(Code.Internal, `simulator response violates the contract: ${errors}`);
                    }
                }
            } catch (err) {
                if (!(err instanceof ApiError)) throw err;
                status = err.httpStatus;
                body = err.body();
            }
        }
        if (fault?.kind === "dropAfter") {
            record(0, applied, fault);
            req.socket.destroy();
            return;
        }
        record(status, applied, fault);
        send(res, status, body);
    }

    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://simulator");
        const work = url.pathname.startsWith(CONTROL_PREFIX)
            ? readBody(req).then((raw) => {
                  let body: Record<string, unknown>;
                  try {
                      body = raw.trim() ? JSON.parse(raw) : {};
                  } catch {
                      return send(res, 400, { error: "invalid JSON" });
                  }
                  const [status, reply] = control(handle, req.method ?? "GET", url.pathname, body);
                  send(res, status, reply);
              })
            : handleApi(req, res, url);
        work.catch((err: unknown) => {
            options.log?.(`internal error: ${(err as Error).stack ?? String(err)}`);
            if (!res.headersSent)
                send(
                    res,
                    500,
                    new ApiError(Code.Internal, `simulator internal error: ${(err as Error).message}`).body(),
                );
        });
    });

    // Keep idle keep-alive connections long (Node's default is 5 s): a client reusing a socket the server is
    // just closing gets ECONNRESET, which would make retry tests flaky for reasons that are not under test.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 121_000;
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;

    const handle: SimulatorHandle = {
        url,
        port: address.port,
        token,
        authUrl: url,
        clientId: auth.clientId,
        faults,
        requests,
        store,
        contractViolations,
        get serverVersion() {
            return versionText(version);
        },
        setServerVersion(text) {
            version = parseServerVersion(text);
            router = new Router(routeOverrides(version));
        },
        get delays() {
            return { ...delays };
        },
        get outcomes() {
            return { ...outcomes, byName: { ...outcomes.byName } };
        },
        setDelays(partial) {
            for (const [k, v] of Object.entries(partial)) {
                if (k in delays && typeof v === "number") delays[k as keyof Delays] = v < 0 ? -1 : v;
            }
        },
        setOutcomes(partial) {
            if (partial.backup) outcomes.backup = partial.backup;
            if (partial.backupLocation) outcomes.backupLocation = partial.backupLocation;
            if (partial.cluster) outcomes.cluster = partial.cluster;
            if (partial.restore) outcomes.restore = partial.restore;
            if (partial.byName) outcomes.byName = { ...outcomes.byName, ...partial.byName };
        },
        settle: () => store.settle(),
        reset() {
            handle.setServerVersion(options.serverVersion ?? DEFAULT_SERVER_VERSION);
            Object.assign(delays, ZERO_DELAYS, options.delays ?? {});
            Object.assign(outcomes, DEFAULT_OUTCOMES, { byName: {} }, options.outcomes ?? {});
            store.reset();
            faults.clear();
            requests.clear();
            contractViolations.length = 0;
        },
        issueToken: (claims) => auth.issue(claims),
        runSchedule(name, orgId = "default") {
            const ctx = ctxFor({ sub: DEFAULT_SUB, username: "scheduler", groups: [] });
            const schedule = store.find("backupschedule", orgId, name, undefined);
            if (!schedule || schedule.deleting) throw new Error(`no backup schedule ${orgId}/${name}`);
            return wireObject(kindSpec("backup"), runSchedule(schedule, ctx), ctx, false);
        },
        inspect(kind, name, orgId = "default") {
            const obj = store.find(kind, orgId, name, undefined);
            return obj && wireObject(kindSpec(kind), obj, ctxFor({ sub: "", username: "", groups: [] }), true);
        },
        info(kind, name, orgId = "default") {
            const obj = handle.inspect(kind, name, orgId);
            return obj && (obj[kindSpec(kind).infoKey] ?? {});
        },
        dump() {
            const ctx = ctxFor({ sub: "", username: "", groups: [] });
            return store.all().map((o) => ({ kind: o.kind, object: wireObject(kindSpec(o.kind), o, ctx, true) }));
        },
        stop() {
            return new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            });
        },
    };
    return handle;
}
