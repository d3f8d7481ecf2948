// Which PX-Backup release the simulator plays, and how that changes its routes (docs/px-backup-api.md#versions).
// The vendored contract is the 2.10+ one. Releases 2.8 and 2.9 put the uid in the path (and required it) for
// inspect/delete of several kinds, and resolved references only by uid: a name-only reference or an update
// without metadata.uid finds nothing there. A request in the other release's route shape lands on no route
// and gets the gateway's plain-text 404 (or 405 when the path exists for another method).

export interface ServerVersion {
    major: number;
    minor: number;
    patch: number;
}

export const DEFAULT_SERVER_VERSION = "2.10.1";

/** "2.9.3", "v2.10", "2.8.1-rc1" → numbers; anything else is refused with the accepted form. */
export function parseServerVersion(text: string): ServerVersion {
    const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
    if (!m) throw new Error(`server version "${text}" is not of the form MAJOR.MINOR[.PATCH] (e.g. 2.9.3)`);
    return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export const atLeast = (v: ServerVersion, major: number, minor: number) =>
    v.major > major || (v.major === major && v.minor >= minor);

/** Before 2.10: uid in the path of these operations (the 2.10 contract has them with `?uid=`). */
const UID_IN_PATH: Record<string, string> = {
    SchedulePolicy_Inspect: "/v1/schedulepolicy/{org_id}/{name}/{uid}",
    SchedulePolicy_Delete: "/v1/schedulepolicy/{org_id}/{name}/{uid}",
    Rules_Inspect: "/v1/rule/{org_id}/{name}/{uid}",
    Rules_Delete: "/v1/rule/{org_id}/{name}/{uid}",
    CloudCredential_Inspect: "/v1/cloudcredential/{org_id}/{name}/{uid}",
    CloudCredential_Delete: "/v1/cloudcredential/{org_id}/{name}/{uid}",
    BackupLocation_Inspect: "/v1/backuplocation/{org_id}/{name}/{uid}",
    BackupLocation_Delete: "/v1/backuplocation/{org_id}/{name}/{uid}",
    Cluster_Inspect: "/v1/cluster/{org_id}/{name}/{uid}",
    BackupSchedule_Delete: "/v1/backupschedule/{org_id}/{name}/{uid}",
};

/** operationId → path template for this release, where it differs from the contract. */
export function routeOverrides(v: ServerVersion): Record<string, string> {
    return atLeast(v, 2, 10) ? {} : UID_IN_PATH;
}

/** 2.10 "uid relaxation": references and update targets may be given by name alone. */
export const nameOnlyLookups = (v: ServerVersion) => atLeast(v, 2, 10);

export const versionText = (v: ServerVersion) => `${v.major}.${v.minor}.${v.patch}`;
