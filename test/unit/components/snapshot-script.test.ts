// The snapshot strategy's script, run with sh against a fake kubectl: every claim is attempted and the run fails
// at the end if one failed; claims that left the selector keep only the newest N ready snapshots; long claim
// names are hashed into the label.
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SNAPSHOT_SCRIPT } from "../../../components/scripts";

interface Snap {
    name: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    pvc: string;
    ready: boolean;
}
interface State {
    pvcs: string[];
    snapshots: Record<string, Snap>;
    failCreate: string[];
    failWait: string[];
    failDelete?: string[];
    calls: string[];
}

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-snap-"));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.copyFileSync(path.join(__dirname, "fixtures/fake-kubectl.js"), path.join(dir, "bin/kubectl"));
    fs.chmodSync(path.join(dir, "bin/kubectl"), 0o755);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An existing snapshot of this schedule, as an earlier run left it. */
function old(key: string, ts: string, ready = true): [string, Snap] {
    const name = `sched-${key}-${ts}`;
    return [
        name,
        {
            name,
            labels: { "backup.kube-backup.io/schedule": "sched", "backup.kube-backup.io/pvc": key },
            pvc: key,
            ready,
        },
    ];
}

function run(state: Partial<State>, keep = 2) {
    const file = path.join(dir, "state.json");
    fs.writeFileSync(
        file,
        JSON.stringify({ pvcs: [], snapshots: {}, failCreate: [], failWait: [], calls: [], ...state }),
    );
    const r = spawnSync("sh", ["-c", SNAPSHOT_SCRIPT, "kube-backup"], {
        env: {
            PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
            TMPDIR: dir,
            FAKE_KUBE_STATE: file,
            BACKUP_NAME: "sched",
            BACKUP_KEEP: String(keep),
            BACKUP_SNAPSHOT_CLASS: "csi",
            BACKUP_NAMESPACE: "apps",
            BACKUP_SELECTOR: "backup=true",
        },
        encoding: "utf8",
    });
    const after: State = JSON.parse(fs.readFileSync(file, "utf8"));
    const of = (key: string) =>
        Object.values(after.snapshots)
            .filter((s) => s.labels["backup.kube-backup.io/pvc"] === key)
            .map((s) => s.name)
            .sort();
    return { status: r.status, log: r.stderr, after, of };
}

test("a failing claim does not stop the others; the run fails at the end", () => {
    const r = run({
        pvcs: ["a", "b", "c"],
        failCreate: ["b"],
        snapshots: Object.fromEntries([old("a", "20200101t000000z"), old("a", "20200102t000000z")]),
    });
    expect(r.status).not.toBe(0);
    expect(r.log).toMatch(/claim b failed; continuing with the others/);
    expect(r.log).toMatch(/FAILED: at least one claim failed/);
    // a and c (after the failure) were snapshotted; a was pruned to the newest 2.
    expect(r.of("c")).toHaveLength(1);
    expect(r.of("b")).toEqual([]);
    expect(r.of("a")).toHaveLength(2);
    expect(r.of("a")).toContain("sched-a-20200102t000000z");
    expect(r.of("a")).not.toContain("sched-a-20200101t000000z");
});

test("a failing prune of the first claim does not stop the later claims", () => {
    const r = run({
        pvcs: ["a", "b", "c"],
        failDelete: ["a"],
        snapshots: Object.fromEntries([old("a", "20200101t000000z"), old("a", "20200102t000000z")]),
    });
    expect(r.status).not.toBe(0);
    expect(r.log).toMatch(/deleting volumesnapshot\/sched-a-20200101t000000z failed/);
    expect(r.of("b")).toHaveLength(1);
    expect(r.of("c")).toHaveLength(1);
});

test("a snapshot that never becomes ready fails its claim only, and that claim is not pruned", () => {
    const r = run({
        pvcs: ["a", "b"],
        failWait: ["a"],
        snapshots: Object.fromEntries([old("a", "20200101t000000z"), old("a", "20200102t000000z")]),
    });
    expect(r.status).not.toBe(0);
    expect(r.log).toMatch(/did not become ready; not pruning a/);
    expect(r.of("a")).toHaveLength(3);
    expect(r.of("b")).toHaveLength(1);
});

test("claims that left the selector keep only the newest N ready snapshots", () => {
    const r = run(
        {
            pvcs: ["a"],
            snapshots: Object.fromEntries([
                ...["20200101t000000z", "20200102t000000z", "20200103t000000z", "20200104t000000z"].map((t) =>
                    old("gone", t),
                ),
                old("gone", "20200105t000000z", false),
                // Never ready: nothing to judge by, so nothing is deleted.
                old("broken", "20200101t000000z", false),
            ]),
        },
        2,
    );
    expect(r.status).toBe(0);
    expect(r.of("gone")).toEqual([
        "sched-gone-20200103t000000z",
        "sched-gone-20200104t000000z",
        "sched-gone-20200105t000000z",
    ]);
    expect(r.of("broken")).toEqual(["sched-broken-20200101t000000z"]);
    expect(r.of("a")).toHaveLength(1);
});

test("a claim name longer than a label value is hashed into the label and kept whole in an annotation", () => {
    const long = `data-${"x".repeat(90)}`;
    const key = `sha256-${createHash("sha256").update(long).digest("hex").slice(0, 40)}`;
    const r = run({ pvcs: [long, "short"] });
    expect(r.status).toBe(0);
    const [snap] = Object.values(r.after.snapshots).filter((s) => s.pvc === long);
    expect(snap.labels["backup.kube-backup.io/pvc"]).toBe(key);
    expect(snap.annotations).toEqual({ "backup.kube-backup.io/pvc-name": long });
    expect(snap.name).toMatch(new RegExp(`^sched-${key}-\\d{8}t\\d{6}z$`));
    expect(snap.name.length).toBeLessThanOrEqual(253);
    const [short] = Object.values(r.after.snapshots).filter((s) => s.pvc === "short");
    expect(short.labels["backup.kube-backup.io/pvc"]).toBe("short");
});
