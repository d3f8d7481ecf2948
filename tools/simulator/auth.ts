// Bearer-token authentication and the PX Central Keycloak password-grant endpoint
// (docs/px-backup-api.md#authentication).
// Tokens are real JWTs (HS256 with a per-simulator secret) so a client can read `exp` and `sub` from them.
import * as crypto from "crypto";
import { ApiError, Code } from "./errors";

export interface KeycloakUser {
    username: string;
    password: string;
    /** Keycloak user id; becomes `ownership.owner` of objects this user creates. Default: derived from username. */
    sub?: string;
    groups?: string[];
}

export interface Caller {
    sub: string;
    username: string;
    groups: string[];
}

export interface TokenClaims {
    sub?: string;
    preferred_username?: string;
    groups?: string[];
    /** Lifetime in seconds (default one year for the development token). */
    ttlSeconds?: number;
}

export const KEYCLOAK_TOKEN_PATH = /^\/auth\/realms\/([^/]+)\/protocol\/openid-connect\/token$/;
export const DEFAULT_CLIENT_ID = "pxcentral";
export const DEFAULT_SUB = "00000000-0000-4000-8000-000000000001";
/** Members of this group (token claim `groups`) may act on every object, as PX-Backup admins do. */
export const ADMIN_GROUP = "/px-admin-group";

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export class Auth {
    private readonly secret = crypto.randomBytes(32);
    /** Opaque tokens configured by the caller (e.g. PXBACKUP_TOKEN) map straight to a caller. */
    private readonly fixed = new Map<string, Caller>();
    readonly users: KeycloakUser[];
    readonly clientId: string;
    readonly realm = "master";
    /** Lifetime of tokens from the Keycloak endpoint when the request does not ask for one. */
    tokenTtlSeconds: number;

    constructor(opts: { token?: string; users?: KeycloakUser[]; clientId?: string; tokenTtlSeconds?: number }) {
        this.users = opts.users ?? [{ username: "admin", password: "admin", groups: [ADMIN_GROUP] }];
        this.clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
        this.tokenTtlSeconds = opts.tokenTtlSeconds ?? 3600;
        if (opts.token)
            this.fixed.set(
                opts.token,
                this.callerFromJwt(opts.token, false) ?? { sub: DEFAULT_SUB, username: "admin", groups: [ADMIN_GROUP] },
            );
    }

    /** Signs a JWT the simulator accepts. */
    issue(claims: TokenClaims = {}): string {
        const now = Math.floor(Date.now() / 1000);
        const payload = {
            iss: `simulator/auth/realms/${this.realm}`,
            sub: claims.sub ?? DEFAULT_SUB,
            preferred_username: claims.preferred_username ?? "admin",
            groups: claims.groups ?? [ADMIN_GROUP],
            azp: this.clientId,
            iat: now,
            exp: now + (claims.ttlSeconds ?? 365 * 24 * 3600),
        };
        const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
        const body = b64url(JSON.stringify(payload));
        const sig = b64url(crypto.createHmac("sha256", this.secret).update(`${head}.${body}`).digest());
        return `${head}.${body}.${sig}`;
    }

    /** The caller behind an Authorization header; throws Unauthenticated (401) otherwise. */
    authenticate(header: string | undefined): Caller {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
        if (!match)
            throw new ApiError(Code.Unauthenticated, "access denied: missing bearer token in Authorization header");
        const token = match[1];
        const caller = this.fixed.get(token) ?? this.callerFromJwt(token, true);
        if (!caller) throw new ApiError(Code.Unauthenticated, "access denied: invalid or expired token");
        return caller;
    }

    private callerFromJwt(token: string, verify: boolean): Caller | undefined {
        const parts = token.split(".");
        if (parts.length !== 3) return undefined;
        if (verify) {
            const expected = b64url(
                crypto.createHmac("sha256", this.secret).update(`${parts[0]}.${parts[1]}`).digest(),
            );
            const a = Buffer.from(expected);
            const b = Buffer.from(parts[2]);
            if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return undefined;
        }
        try {
            const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>;
            if (verify && typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) return undefined;
            return {
                sub: typeof claims.sub === "string" ? claims.sub : DEFAULT_SUB,
                username: typeof claims.preferred_username === "string" ? claims.preferred_username : "admin",
                groups: Array.isArray(claims.groups) ? (claims.groups as string[]) : [],
            };
        } catch {
            return undefined;
        }
    }

    /**
     * POST {authUrl}/auth/realms/master/protocol/openid-connect/token, form-encoded
     * grant_type=password, client_id, username, password[, token-duration]. Returns [HTTP status, JSON body]
     * shaped like Keycloak's (errors are OAuth2 `{error, error_description}`, not gRPC bodies).
     */
    tokenEndpoint(realm: string, contentType: string | undefined, rawBody: string): [number, Record<string, unknown>] {
        if (realm !== this.realm) return [404, { error: "Realm does not exist" }];
        if (!/^application\/x-www-form-urlencoded/i.test(contentType ?? "")) {
            return [
                400,
                {
                    error: "invalid_request",
                    error_description: "Content-Type must be application/x-www-form-urlencoded",
                },
            ];
        }
        const form = new URLSearchParams(rawBody);
        const grant = form.get("grant_type");
        if (!grant) return [400, { error: "invalid_request", error_description: "Missing form parameter: grant_type" }];
        if (grant !== "password")
            return [400, { error: "unsupported_grant_type", error_description: "Unsupported grant_type" }];
        if (form.get("client_id") !== this.clientId)
            return [
                401,
                { error: "invalid_client", error_description: "Invalid client or Invalid client credentials" },
            ];
        const user = this.users.find((u) => u.username === form.get("username") && u.password === form.get("password"));
        if (!user) return [401, { error: "invalid_grant", error_description: "Invalid user credentials" }];
        const ttl = parseDuration(form.get("token-duration")) ?? this.tokenTtlSeconds;
        const sub = user.sub ?? uuidFromName(user.username);
        const accessToken = this.issue({
            sub,
            preferred_username: user.username,
            groups: user.groups ?? [],
            ttlSeconds: ttl,
        });
        return [
            200,
            {
                access_token: accessToken,
                expires_in: ttl,
                refresh_expires_in: ttl,
                refresh_token: this.issue({ sub, preferred_username: user.username, ttlSeconds: ttl }),
                token_type: "Bearer",
                "not-before-policy": 0,
                session_state: crypto.randomUUID(),
                scope: "email profile",
            },
        ];
    }
}

/** PX Central's `token-duration` extension: `90s`, `30m`, `12h`, `7d`. */
function parseDuration(text: string | null): number | undefined {
    const m = /^(\d+)([smhd])$/.exec(text ?? "");
    if (!m) return undefined;
    return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
}

function uuidFromName(name: string): string {
    const h = crypto.createHash("sha256").update(name).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
