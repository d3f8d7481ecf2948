// The release table: GET /v1/version parsing, the refusal of releases before 2.8, and where each generation
// sends the inspect and delete of every kind (the uid in the path before 2.10, `?uid=` from 2.10).
import { KINDS, KindName } from "../../../provider/kinds";
import { GENERATIONS, REF_TARGETS, generationOf, itemRoute, parseVersionResponse } from "../../../provider/versions";

test.each([
    [{ version: { major: "2", minor: "9", patch: "3" } }, { major: 2, minor: 9, patch: 3 }],
    [{ version: { major: "2", minor: "10", patch: "1-rc2", git_commit: "abc" } }, { major: 2, minor: 10, patch: 1 }],
    [{ version: { major: "3", minor: "0" } }, { major: 3, minor: 0, patch: 0 }],
    [{ version: { major: 2, minor: 8, patch: 1 } }, { major: 2, minor: 8, patch: 1 }],
])("version body %j parses to %j", (body, expected) => {
    expect(parseVersionResponse(body)).toEqual(expected);
});

test.each([{}, { version: {} }, { version: { major: "two", minor: "9" } }, { version: { major: "2" } }, "Not Found"])(
    "an unreadable version body %j is refused, saying what is missing",
    (body) => {
        expect(() => parseVersionResponse(body)).toThrow(/no readable version.major and version.minor/);
    },
);

test.each([
    [2, 8, "2.8.x"],
    [2, 9, "2.9.x"],
    [2, 10, "2.10+"],
    [2, 11, "2.10+"],
    [3, 3, "2.10+"],
])("%i.%i belongs to generation %s", (major, minor, name) => {
    expect(generationOf({ major, minor, patch: 0 }).name).toBe(name);
});

test.each([
    [2, 7, 9],
    [1, 20, 0],
])("%i.%i.%i is refused with the supported releases", (major, minor, patch) => {
    expect(() => generationOf({ major, minor, patch })).toThrow(
        `PX-Backup ${major}.${minor}.${patch} is not supported: kube-backup needs PX-Backup 2.8 or later`,
    );
});

// The table the API study gives for 2.8/2.9 (uid in the path); 2.10 has `?uid=` everywhere.
const LEGACY: Record<KindName, { inspect: boolean; delete: boolean }> = {
    SchedulePolicy: { inspect: true, delete: true },
    Rule: { inspect: true, delete: true },
    CloudCredential: { inspect: true, delete: true },
    BackupLocation: { inspect: true, delete: true },
    Cluster: { inspect: true, delete: false },
    BackupSchedule: { inspect: false, delete: true },
    Backup: { inspect: false, delete: false },
    Restore: { inspect: false, delete: false },
};

describe.each(Object.keys(KINDS) as KindName[])("%s", (kind) => {
    const i = { orgId: "org 1", name: "n", uid: "u-1" };
    const base = KINDS[kind].basePath;
    test.each(["inspect", "delete"] as const)("%s routes per generation", (op) => {
        for (const gen of [GENERATIONS["2.8.x"], GENERATIONS["2.9.x"]]) {
            expect(itemRoute(gen, kind, op, base, i)).toEqual(
                LEGACY[kind][op]
                    ? { path: `${base}/org%201/n/u-1`, needsUid: false }
                    : { path: `${base}/org%201/n`, uid: "u-1", needsUid: false },
            );
            // Without a uid a uid-in-path route cannot be built: the machinery looks it up first.
            expect(itemRoute(gen, kind, op, base, { ...i, uid: undefined }).needsUid).toBe(LEGACY[kind][op]);
        }
        expect(itemRoute(GENERATIONS["2.10+"], kind, op, base, i)).toEqual({
            path: `${base}/org%201/n`,
            uid: "u-1",
            needsUid: false,
        });
        expect(itemRoute(GENERATIONS["2.10+"], kind, op, base, { ...i, uid: undefined }).needsUid).toBe(false);
    });
});

test("only 2.10+ takes name-only references", () => {
    expect(GENERATIONS["2.8.x"].nameOnlyRefs).toBe(false);
    expect(GENERATIONS["2.9.x"].nameOnlyRefs).toBe(false);
    expect(GENERATIONS["2.10+"].nameOnlyRefs).toBe(true);
});

test("every reference input of every kind has a lookup target, except the policy kind kube-backup does not manage", () => {
    const refs = Object.values(KINDS).flatMap((k) =>
        Object.entries(k.fields)
            .filter(([, f]) => f.type.kind === "object" && f.type.ref)
            .map(([key]) => key),
    );
    const missing = [...new Set(refs)].filter((key) => !REF_TARGETS[key]);
    expect(missing).toEqual(["volumeResourceOnlyPolicyRef"]);
    for (const target of Object.values(REF_TARGETS)) expect(KINDS[target!]).toBeDefined();
});
