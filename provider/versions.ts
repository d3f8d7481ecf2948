// The PX-Backup releases kube-backup talks to and how each wants its calls routed (docs/px-backup-api.md#versions).
// The one place that knows the differences: the machinery asks `itemRoute` where an inspect or delete goes and
// `needsRefUids` whether references must carry their uid. The server's release is read from GET /v1/version
// once per client (the client is made once per `configure`).
import type { KindName } from "./kinds/spec";

export interface ServerVersion {
    major: number;
    minor: number;
    patch: number;
}

/** A family of releases that route the same way. */
export interface ApiGeneration {
    name: "2.8.x" | "2.9.x" | "2.10+";
    /** Kinds whose inspect (GET) takes the uid as the last path segment instead of `?uid=`. */
    inspectUidInPath: ReadonlySet<KindName>;
    /** Kinds whose delete takes the uid as the last path segment instead of `?uid=`. */
    deleteUidInPath: ReadonlySet<KindName>;
    /** References may name their target without its uid (the server resolves it): 2.10's "uid relaxation". */
    nameOnlyRefs: boolean;
}

export const MIN_SUPPORTED = "2.8";

// 2.8 and 2.9 route alike as far as the calls kube-backup makes go; they stay separate rows so a difference
// found later has its place.
const LEGACY_INSPECT: ReadonlySet<KindName> = new Set<KindName>([
    "SchedulePolicy",
    "Rule",
    "CloudCredential",
    "BackupLocation",
    "Cluster",
]);
const LEGACY_DELETE: ReadonlySet<KindName> = new Set<KindName>([
    "SchedulePolicy",
    "Rule",
    "CloudCredential",
    "BackupLocation",
    "BackupSchedule",
]);
const NONE: ReadonlySet<KindName> = new Set();

export const GENERATIONS: Record<ApiGeneration["name"], ApiGeneration> = {
    "2.8.x": { name: "2.8.x", inspectUidInPath: LEGACY_INSPECT, deleteUidInPath: LEGACY_DELETE, nameOnlyRefs: false },
    "2.9.x": { name: "2.9.x", inspectUidInPath: LEGACY_INSPECT, deleteUidInPath: LEGACY_DELETE, nameOnlyRefs: false },
    "2.10+": { name: "2.10+", inspectUidInPath: NONE, deleteUidInPath: NONE, nameOnlyRefs: true },
};

const digits = (v: unknown): number | undefined => {
    if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
    if (typeof v !== "string") return undefined;
    // Release strings seen in the wild carry suffixes ("1-rc2", "0+build"); the leading number is the release.
    const m = /^\s*v?(\d+)/.exec(v);
    return m ? Number(m[1]) : undefined;
};

/**
 * The body of GET /v1/version (`{version: {major, minor, patch, ...}}`, strings) → numbers. A body without a
 * readable major and minor is refused: guessing a route style would address the wrong objects.
 */
export function parseVersionResponse(body: unknown): ServerVersion {
    const v = (body as { version?: Record<string, unknown> } | undefined)?.version;
    const major = digits(v?.major);
    const minor = digits(v?.minor);
    if (major === undefined || minor === undefined) {
        throw new Error(
            `the PX-Backup server answered GET /v1/version with ${JSON.stringify(body)?.slice(0, 200)}, ` +
                `which has no readable version.major and version.minor; kube-backup needs them to pick the API routes`,
        );
    }
    return { major, minor, patch: digits(v?.patch) ?? 0 };
}

export const versionText = (v: ServerVersion) => `${v.major}.${v.minor}.${v.patch}`;

/** The generation a release belongs to; releases before 2.8 are refused with what is supported. */
export function generationOf(v: ServerVersion): ApiGeneration {
    if (v.major > 2 || (v.major === 2 && v.minor >= 10)) return GENERATIONS["2.10+"];
    if (v.major === 2 && v.minor === 9) return GENERATIONS["2.9.x"];
    if (v.major === 2 && v.minor === 8) return GENERATIONS["2.8.x"];
    throw new Error(
        `PX-Backup ${versionText(v)} is not supported: kube-backup needs PX-Backup ${MIN_SUPPORTED} or later ` +
            `(2.8.x, 2.9.x and 2.10+ are supported)`,
    );
}

export interface ItemRoute {
    path: string;
    /** `uid` to send as a query parameter (undefined when it is in the path or not known). */
    uid?: string;
    /** The route needs the uid in the path and none was given: resolve it first (by listing). */
    needsUid: boolean;
}

/** Where an inspect or delete of one object goes on this generation. */
export function itemRoute(
    gen: ApiGeneration,
    kind: KindName,
    op: "inspect" | "delete",
    basePath: string,
    i: { orgId: string; name: string; uid?: string },
): ItemRoute {
    const base = `${basePath}/${encodeURIComponent(i.orgId)}/${encodeURIComponent(i.name)}`;
    const inPath = (op === "inspect" ? gen.inspectUidInPath : gen.deleteUidInPath).has(kind);
    if (!inPath) return { path: base, uid: i.uid, needsUid: false };
    if (!i.uid) return { path: base, needsUid: true };
    return { path: `${base}/${encodeURIComponent(i.uid)}`, needsUid: false };
}

/** Which kind each reference input points to (the lookup of a uid before 2.10). */
export const REF_TARGETS: Record<string, KindName | undefined> = {
    schedulePolicyRef: "SchedulePolicy",
    backupLocationRef: "BackupLocation",
    clusterRef: "Cluster",
    preExecRuleRef: "Rule",
    postExecRuleRef: "Rule",
    cloudCredentialRef: "CloudCredential",
    platformCredentialRef: "CloudCredential",
    backupRef: "Backup",
    // volumeResourceOnlyPolicyRef: a kind kube-backup does not manage; its uid must be given before 2.10.
};
