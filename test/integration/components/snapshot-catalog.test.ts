// listStoredSnapshots against a real API server: the VolumeSnapshots a snapshot-strategy schedule made, found by
// the labels the snapshot job writes, newest first, complete when readyToUse. The local control plane has no CSI
// snapshot CRDs, so the test first proves the error without them, then installs the CRD from a fixture.
import * as fs from "fs";
import * as path from "path";
import { ClusterHandle, startCluster } from "../../../tools/local/cluster";
import { execFileSync } from "child_process";
import { claimKey, listStoredSnapshots } from "../../../components/catalog";
import { SNAPSHOT_SCRIPT } from "../../../components/scripts";
import { userlandDir } from "../../../tools/local/toolchain";

jest.setTimeout(300_000);

const NS = "snaps";
const GROUP = "/apis/snapshot.storage.k8s.io/v1";
let cluster: ClusterHandle;

async function ok<T = any>(method: string, apiPath: string, body?: unknown): Promise<T> {
    const r = await cluster.request<T>(method, apiPath, body);
    if (r.status >= 300) throw new Error(`${method} ${apiPath}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
}

/** A VolumeSnapshot as the snapshot job creates it (name, labels, annotation), with the status a driver would set. */
async function snapshot(schedule: string, claim: string, ts: string, status?: Record<string, unknown>) {
    const key = claimKey(claim);
    const name = `${schedule}-${key}-${ts}`;
    const created = await ok("POST", `${GROUP}/namespaces/${NS}/volumesnapshots`, {
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshot",
        metadata: {
            name,
            labels: { "backup.kube-backup.io/schedule": schedule, "backup.kube-backup.io/pvc": key },
            annotations: { "backup.kube-backup.io/pvc-name": claim },
        },
        spec: { volumeSnapshotClassName: "csi", source: { persistentVolumeClaimName: claim } },
    });
    if (status) await ok("PUT", `${GROUP}/namespaces/${NS}/volumesnapshots/${name}/status`, { ...created, status });
    return name;
}

beforeAll(async () => {
    cluster = await startCluster();
    await ok("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
});

afterAll(async () => {
    await cluster?.stop();
});

test("VolumeSnapshots of a schedule: newest first, complete only when ready, other schedules left out", async () => {
    const args = { kubeconfig: cluster.kubeconfig, namespace: NS, schedule: "nightly" };
    await expect(listStoredSnapshots(args)).rejects.toThrow(/no VolumeSnapshot API .*install the CSI snapshot CRDs/);

    const crd = JSON.parse(fs.readFileSync(path.join(__dirname, "../../fixtures/volumesnapshot-crd.json"), "utf8"));
    delete crd.$comment;
    await ok("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    await cluster.waitFor(
        "the VolumeSnapshot API",
        async () => (await cluster.request("GET", `${GROUP}`)).status === 200,
    );
    await cluster.waitFor(
        "VolumeSnapshots to be listable",
        async () => (await cluster.request("GET", `${GROUP}/namespaces/${NS}/volumesnapshots`)).status === 200,
    );

    const long = `data-${"x".repeat(70)}`;
    const ready = { readyToUse: true, restoreSize: "1Gi", boundVolumeSnapshotContentName: "snapcontent-1" };
    const old = await snapshot("nightly", "pg", "20260101t030000z", ready);
    const newest = await snapshot("nightly", "pg", "20260103t030000z", {
        readyToUse: false,
        error: { message: "driver timeout" },
    });
    const mid = await snapshot("nightly", long, "20260102t030000z", ready);
    await snapshot("weekly", "pg", "20260104t030000z", ready);

    const all = await listStoredSnapshots(args);
    expect(all.map((s) => s.name)).toEqual([newest, mid, old]);
    expect(all[0]).toEqual({
        name: newest,
        namespace: NS,
        schedule: "nightly",
        claim: "pg",
        time: "2026-01-03T03:00:00Z",
        complete: false,
        error: "driver timeout",
    });
    expect(all[1]).toMatchObject({ claim: long, complete: true, restoreSize: "1Gi", contentName: "snapcontent-1" });
    expect(mid).toMatch(/^nightly-sha256-[0-9a-f]{40}-20260102t030000z$/);

    expect((await listStoredSnapshots({ ...args, claim: long })).map((s) => s.name)).toEqual([mid]);
    expect((await listStoredSnapshots({ ...args, claim: "pg" })).map((s) => s.time)).toEqual([
        "2026-01-03T03:00:00Z",
        "2026-01-01T03:00:00Z",
    ]);
    expect(await listStoredSnapshots({ ...args, schedule: "nope" })).toEqual([]);
});

test("claimKey names a claim exactly as the snapshot job's claim_key does (short and over 63 characters)", () => {
    const fn = /^hash256\(\) \{.*$|^HASHER=.*$|^if command -v openssl.*$|^claim_key\(\) \{[\s\S]*?^\}$/gm;
    const defs = SNAPSHOT_SCRIPT.match(fn)!.join("\n");
    expect(defs).toContain("claim_key()");
    for (const claim of ["pg", `data-${"x".repeat(70)}`]) {
        const out = execFileSync(path.join(userlandDir(), "sh"), ["-c", `${defs}\nclaim_key "$1"`, "sh", claim], {
            env: { PATH: userlandDir() },
        }).toString();
        expect(out).toBe(claimKey(claim));
    }
});
