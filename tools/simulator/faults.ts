// Fault injection and the request log. Faults apply to API traffic (/v1/... and the Keycloak endpoint), never
// to the /__simulator control API. A rule matches by method and path and fires `times` times (default: once;
// `times: -1` = until removed).

export type FaultKind =
    /** answer with an HTTP error (500/502/503/504 ...) without touching the store */
    | "status"
    /** 429 with a Retry-After header, without touching the store */
    | "rateLimit"
    /** destroy the socket before the request is applied (nothing changes server-side) */
    | "dropBefore"
    /** apply the request, then destroy the socket instead of answering (the response is lost) */
    | "dropAfter"
    /** wait `latencyMs` before handling (the request then proceeds normally) */
    | "latency";

export interface FaultMatch {
    /** HTTP method, e.g. "POST"; any when absent. */
    method?: string;
    /** Path prefix (e.g. "/v1/backupschedule"), or a regular expression when it starts with "^". */
    path?: string;
    /** Contract operationId, e.g. "BackupSchedule_Create". */
    operationId?: string;
}

export interface FaultRule extends FaultMatch {
    kind: FaultKind;
    /** For `status`: the HTTP status (default 503). */
    status?: number;
    /** For `rateLimit`: Retry-After in seconds (default 1). */
    retryAfterSeconds?: number;
    /** For `latency`. */
    latencyMs?: number;
    /** How many matching requests it affects; -1 = unlimited. Default 1. */
    times?: number;
}

export interface ActiveFault extends FaultRule {
    id: number;
    /** Requests this rule has affected so far. */
    hits: number;
}

export interface RequestRecord {
    seq: number;
    at: number;
    method: string;
    path: string;
    query: string;
    /** The contract operation the route maps to (undefined for unknown routes). */
    operationId?: string;
    /** HTTP status sent; 0 when the connection was dropped. */
    status: number;
    /** Which fault affected the request, if any. */
    fault?: FaultKind;
    /** True when the request reached the operation's handler (false for auth/validation failures and for faults that short-circuit). */
    applied: boolean;
    durationMs: number;
}

export class Faults {
    private rules: ActiveFault[] = [];
    private nextId = 1;
    /** Latency added to every API request (ms), on top of `latency` rules. */
    globalLatencyMs = 0;

    add(rule: FaultRule): number {
        const id = this.nextId++;
        this.rules.push({ times: 1, ...rule, id, hits: 0 });
        return id;
    }

    remove(id: number): boolean {
        const before = this.rules.length;
        this.rules = this.rules.filter((r) => r.id !== id);
        return this.rules.length !== before;
    }

    clear(): void {
        this.rules = [];
        this.globalLatencyMs = 0;
    }

    list(): ActiveFault[] {
        return this.rules.map((r) => ({ ...r }));
    }

    /** Adds `ms` to every API request until cleared. */
    latency(ms: number): void {
        this.globalLatencyMs = ms;
    }

    /** The next `n` matching requests fail with `status` (default 503). */
    failNext(n = 1, status = 503, match: FaultMatch = {}): number {
        return this.add({ kind: "status", status, times: n, ...match });
    }

    /** The next `n` matching requests get 429 with Retry-After. */
    rateLimitNext(n = 1, retryAfterSeconds = 1, match: FaultMatch = {}): number {
        return this.add({ kind: "rateLimit", retryAfterSeconds, times: n, ...match });
    }

    /** The next `n` matching requests lose their connection, before or after the server applied them. */
    dropNext(n = 1, when: "before" | "after" = "before", match: FaultMatch = {}): number {
        return this.add({ kind: when === "before" ? "dropBefore" : "dropAfter", times: n, ...match });
    }

    /**
     * Consumes the rules matching this request: returns the summed latency and the first short-circuit fault
     * (status / rateLimit / drop). Exhausted rules are removed.
     */
    take(method: string, path: string, operationId: string | undefined): { latencyMs: number; fault?: ActiveFault } {
        let latencyMs = this.globalLatencyMs;
        let fault: ActiveFault | undefined;
        for (const rule of this.rules) {
            if (!matches(rule, method, path, operationId)) continue;
            if (rule.kind === "latency") {
                latencyMs += rule.latencyMs ?? 0;
            } else if (fault) {
                continue;
            } else {
                fault = rule;
            }
            rule.hits++;
            if (rule.times !== undefined && rule.times >= 0) rule.times--;
        }
        this.rules = this.rules.filter((r) => r.times === undefined || r.times !== 0);
        return { latencyMs, fault: fault && { ...fault } };
    }
}

function matches(rule: FaultMatch, method: string, path: string, operationId: string | undefined): boolean {
    if (rule.method && rule.method.toUpperCase() !== method) return false;
    if (rule.operationId && rule.operationId !== operationId) return false;
    if (rule.path) {
        if (rule.path.startsWith("^") ? !new RegExp(rule.path).test(path) : !path.startsWith(rule.path)) return false;
    }
    return true;
}

export class RequestLog {
    private records: RequestRecord[] = [];
    private seq = 0;

    /** Keeps memory bounded for long-running CLI use. */
    constructor(private readonly limit = 100_000) {}

    push(record: Omit<RequestRecord, "seq">): RequestRecord {
        const full = { ...record, seq: ++this.seq };
        this.records.push(full);
        if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
        return full;
    }

    all(): RequestRecord[] {
        return [...this.records];
    }

    clear(): void {
        this.records = [];
    }

    /** Requests matching method/path/operationId (same matching rules as faults). */
    filter(match: FaultMatch = {}): RequestRecord[] {
        return this.records.filter((r) => matches(match, r.method, r.path, r.operationId));
    }

    count(match: FaultMatch = {}): number {
        return this.filter(match).length;
    }

    /** Requests per contract operation, e.g. `{ "BackupSchedule_Create": 1, "BackupSchedule_Inspect": 3 }`. */
    countByOperation(): Record<string, number> {
        const out: Record<string, number> = {};
        for (const r of this.records) {
            const key = r.operationId ?? `${r.method} ${r.path}`;
            out[key] = (out[key] ?? 0) + 1;
        }
        return out;
    }
}
