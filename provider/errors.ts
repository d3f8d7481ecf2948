// One error type for every PX-Backup call. It carries what an operator needs (method, path, HTTP status,
// the server's gRPC code and message) and, by construction, nothing from the request headers: the token
// never reaches an error message, a log line or a stack trace.

/** gRPC status codes the PX-Backup gateway puts in `code` (see docs/px-backup-api.md#errors). */
export const GrpcCode = {
    Unknown: 2,
    InvalidArgument: 3,
    NotFound: 5,
    AlreadyExists: 6,
    Aborted: 10,
    PermissionDenied: 7,
    ResourceExhausted: 8,
    Unavailable: 14,
    Unauthenticated: 16,
} as const;

export interface PxBackupErrorDetails {
    method: string;
    path: string;
    /** HTTP status, or undefined when no response arrived (connection error, timeout). */
    status?: number;
    /** gRPC code from the JSON error body, when the body was JSON. */
    code?: number;
    /** The server's message, or the transport error text. */
    serverMessage?: string;
    /** Transport error code (ECONNRESET, ECONNREFUSED, ETIMEDOUT, ...). */
    transportCode?: string;
    /** Seconds the server asked us to wait (Retry-After). */
    retryAfterSeconds?: number;
}

/** Transport failures worth a retry (connection refused/reset/dropped, timeouts). */
export const TRANSIENT_TRANSPORT = new Set([
    "ECONNRESET",
    "ECONNREFUSED",
    "EPIPE",
    "ETIMEDOUT",
    "ECONNABORTED",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "EAI_AGAIN",
    "ERR_SOCKET_CONNECTION_TIMEOUT",
    "ERR_NETWORK",
    "ESOCKETTIMEDOUT",
]);

export class PxBackupError extends Error implements PxBackupErrorDetails {
    readonly method: string;
    readonly path: string;
    readonly status?: number;
    readonly code?: number;
    readonly serverMessage?: string;
    readonly transportCode?: string;
    readonly retryAfterSeconds?: number;

    constructor(d: PxBackupErrorDetails, context?: string) {
        const what =
            d.status !== undefined
                ? `HTTP ${d.status}${d.code !== undefined ? ` (code ${d.code})` : ""}`
                : `connection error${d.transportCode ? ` ${d.transportCode}` : ""}`;
        super(
            `${context ? context + ": " : ""}PX-Backup ${d.method} ${d.path} failed: ${what}` +
                (d.serverMessage ? `: ${d.serverMessage}` : ""),
        );
        this.name = "PxBackupError";
        this.method = d.method;
        this.path = d.path;
        this.status = d.status;
        this.code = d.code;
        this.serverMessage = d.serverMessage;
        this.transportCode = d.transportCode;
        this.retryAfterSeconds = d.retryAfterSeconds;
    }

    /**
     * The object does not exist. Only a JSON error body counts: NotFound (5), or Unknown (2) with a "not found"
     * text, which is how several PX-Backup handlers report a miss (HTTP 500). The gateway answers an unknown
     * route with a plain-text 404, and treating that as "gone" would make refresh drop live objects and delete
     * report success when the server is simply older (uid-in-path routes before 2.10) or misaddressed.
     */
    get isNotFound(): boolean {
        return (
            this.code === GrpcCode.NotFound ||
            (this.code === GrpcCode.Unknown && /not found/i.test(this.serverMessage ?? ""))
        );
    }

    /**
     * A create found the name taken: AlreadyExists (6), a message saying so (the real server's code for it is
     * unconfirmed), or a 409 without a code.
     * Aborted (10) is a 409 too (a concurrent change), and reading it as "exists" would offer adoption.
     */
    get isAlreadyExists(): boolean {
        if (this.code === GrpcCode.Aborted) return false;
        return (
            this.code === GrpcCode.AlreadyExists ||
            (this.status === 409 && this.code === undefined) ||
            /already exists/i.test(this.serverMessage ?? "")
        );
    }

    /**
     * Worth retrying: throttled, gateway/unavailable, or a connection that failed or dropped. Not TLS
     * verification or DNS failures: retrying cannot fix those.
     */
    get isTransient(): boolean {
        if (this.status === undefined) return TRANSIENT_TRANSPORT.has(this.transportCode ?? "");
        return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
    }
}

export function isNotFound(e: unknown): boolean {
    return e instanceof PxBackupError && e.isNotFound;
}
