// An `up` killed with SIGKILL while a BackupSchedule and a Backup are being created (the schedule's POST held
// by simulator latency, the backup still InProgress): the state then has pending creates for objects that do
// exist on the server. `pulumi refresh --clear-pending-creates` drops them, and the next `pulumi up` converges:
// create recognises each object by the uid derived from the resource's identity and finishes it, so the
// server ends with exactly one of each object, every one of them in the state with its server uid.
import { spawn } from "child_process";
import * as crypto from "crypto";
import { startSimulator, SimulatorHandle } from "../../tools/simulator/server";
import { E2eStack, createE2eStack, preview, stateResources, up } from "../../tools/engine/stack";

jest.setTimeout(600_000);

let sim: SimulatorHandle;
let e2e: E2eStack;

const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
    sim = await startSimulator({ validateResponses: true, validateRequests: true });
    e2e = await createE2eStack({
        program: "px-backup",
        stackName: "interrupted",
        config: {
            "kube-backup:url": { value: sim.url },
            "kube-backup:token": { value: sim.token, secret: true },
            "kube-backup:pollIntervalMs": { value: "50" },
            accessKey: { value: "AKIAINTERRUPTED", secret: true },
            secretKey: { value: crypto.randomBytes(16).toString("hex"), secret: true },
            kubeconfig: { value: kubeconfig, secret: true },
            bucket: { value: "px-backups" },
            s3Endpoint: { value: "http://127.0.0.1:9000" },
            intervalMinutes: { value: "15" },
            namespaces: { value: JSON.stringify(["app", "db"]) },
        },
    });
});

afterAll(async () => {
    await e2e?.dispose();
    await sim?.stop();
    expect(sim?.contractViolations ?? []).toEqual([]);
});

/** Runs the CLI in its own process group; resolves with its exit. */
function cli(args: string[]) {
    const child = spawn("pulumi", [...args, "--stack", "interrupted", "--non-interactive"], {
        cwd: e2e.workDir,
        env: e2e.env,
        detached: true, // own process group: the kill takes the language host and the provider with it
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal, output })),
    );
    return { child, exit };
}

const objects = (kind: "backupschedule" | "backup") =>
    sim.store.list(kind, "default").map((o) => ({ name: o.metadata.name, uid: o.metadata.uid }));

test("SIGKILL mid-create, refresh --clear-pending-creates, up: converged, no duplicate, nothing orphaned", async () => {
    // The backup stays InProgress, and the schedule's create request is held before the server applies it.
    sim.setDelays({ backupPending: 0, backupInProgress: 60_000 });
    sim.faults.add({ kind: "latency", latencyMs: 4000, method: "POST", path: "/v1/backupschedule", times: 1 });

    const run = cli(["up", "--yes", "--skip-preview"]);
    // Kill once the backup exists (InProgress) and the schedule's POST is on the server, not yet applied.
    const deadline = Date.now() + 240_000;
    for (;;) {
        const inFlight = sim.faults.list().length === 0; // the latency rule was consumed by the schedule POST
        if (objects("backup").length === 1 && inFlight) break;
        if (Date.now() > deadline) throw new Error(`up never reached the creates:\n${(await run.exit).output}`);
        await sleep(50);
    }
    process.kill(-run.child.pid!, "SIGKILL");
    const killed = await run.exit;
    expect(killed.signal).toBe("SIGKILL");
    expect(sim.inspect("backup", "app-backup")!.backup_info.status.status).toBe("InProgress");
    expect(objects("backupschedule")).toEqual([]);
    // The held POST still lands after the client is gone: the schedule exists but no state records it.
    for (let i = 0; objects("backupschedule").length === 0 && i < 200; i++) await sleep(50);
    expect(objects("backupschedule").map((o) => o.name)).toEqual(["app-schedule"]);

    const before = await stateResources(e2e.stack);
    const names = (rs: { urn: string }[]) => rs.map((r) => r.urn.split("::").pop()).sort();
    expect(names(before)).not.toContain("app-schedule");
    expect(names(before)).not.toContain("app-backup");

    // The killed CLI left its lock and pending creates behind.
    const cancel = await cli(["cancel", "--yes"]).exit;
    expect({ code: cancel.code, output: cancel.output }).toMatchObject({ code: 0 });
    sim.setDelays({ backupInProgress: 300 });
    const refreshed = await cli(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]).exit;
    expect({ code: refreshed.code, output: refreshed.output }).toMatchObject({ code: 0 });

    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    expect(r.summary.resourceChanges).toMatchObject({ create: 2 });
    expect(r.outputs.backupStatus.value).toBe("Success");

    // Exactly one of each on the server, and the state holds exactly those (same uids): no duplicate, no orphan.
    const state = await stateResources(e2e.stack);
    const uidOf = (name: string) => state.find((s) => s.urn.endsWith(`::${name}`))?.outputs?.uid;
    expect(objects("backupschedule")).toEqual([{ name: "app-schedule", uid: uidOf("app-schedule") }]);
    expect(objects("backup")).toEqual([{ name: "app-backup", uid: uidOf("app-backup") }]);
    for (const kind of ["cloudcredential", "backuplocation", "schedulepolicy", "cluster"] as const) {
        for (const o of sim.store.list(kind, "default")) {
            expect(state.some((s) => s.outputs?.uid === o.metadata.uid)).toBe(true);
        }
    }
    const p = await preview(e2e.stack, { expectNoChanges: true });
    expect(p.changeSummary).toEqual({ same: 7 });
});
