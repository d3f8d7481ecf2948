// `pulumi import` through the provider plugin: a schedule created directly on the simulator (HTTP, as another
// tool would) is adopted by `pulumi import kube-backup:index:BackupSchedule nightly <org/name/uid>` with the
// real CLI, and the program that declares it then previews with no changes. Drift made out of band shows in
// preview --refresh and up --refresh repairs it; a bad input fails the preview naming the property; destroy
// deletes the object through the plugin.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { startSimulator, SimulatorHandle } from "../../tools/simulator/server";
import { toolPath } from "../../tools/local/toolchain";
import { E2eStack, createE2eStack, preview, repoRoot, stateResources, up } from "../../tools/engine/stack";
import { SimulatorClient, requests, seed } from "../support/simulator-client";

jest.setTimeout(600_000);

const run = promisify(execFile);
const TYPE = "kube-backup:index:BackupSchedule";

let sim: SimulatorHandle;
let api: SimulatorClient;
let e2e: E2eStack;
let uid: string;

beforeAll(async () => {
    sim = await startSimulator({ validateResponses: true, validateRequests: true });
    api = new SimulatorClient(sim.url, sim.token);
    await seed(api, "t");
    await api.ok("BackupSchedule_Create", {
        body: requests.backupSchedule("nightly", { policy: "t-policy", location: "t-loc", cluster: "t-cluster" }),
    });
    uid = sim.inspect("backupschedule", "nightly")!.metadata.uid;
    e2e = await createE2eStack({
        program: "plugin-import",
        config: {
            "kube-backup:url": { value: sim.url },
            "kube-backup:token": { value: sim.token, secret: true },
        },
    });
    // The plugin, found the way docs/provider-plugin.md tells users: plugins.providers in Pulumi.yaml.
    fs.appendFileSync(
        path.join(e2e.workDir, "Pulumi.yaml"),
        `plugins:\n  providers:\n    - name: kube-backup\n      path: ${path.join(repoRoot, "plugin")}\n`,
    );
});

afterAll(async () => {
    await e2e?.dispose();
    await sim?.stop();
});

const cli = (...args: string[]) =>
    run(toolPath("pulumi"), [...args, "--stack", "e2e", "--cwd", e2e.workDir, "--non-interactive"], {
        env: e2e.env,
        maxBuffer: 16 << 20,
    });

test("pulumi import adopts the schedule by its org/name/uid id; the next preview is empty", async () => {
    const id = `default/nightly/${uid}`;
    const r = await cli("import", TYPE, "nightly", id, "--yes", "--protect=false", "--generate-code=false");
    expect(r.stdout).toMatch(/1 imported/);
    const imported = (await stateResources(e2e.stack)).find((x) => x.type === TYPE);
    expect(imported).toMatchObject({ outputs: { name: "nightly", namespaces: ["app"], reclaimPolicy: "Delete" } });
    expect((imported as { id?: string }).id ?? JSON.stringify(imported)).toContain(uid);

    const p = await preview(e2e.stack, { expectNoChanges: true });
    const step = p.steps.find((s) => s.type === TYPE);
    expect(step?.op).toBe("same");
    // Import and preview only read the object: it is unchanged on the server.
    expect(sim.inspect("backupschedule", "nightly")!.metadata.uid).toBe(uid);
    expect(sim.requests.count({ operationId: "BackupSchedule_Update" })).toBe(0);
});

test("a change made out of band shows in preview --refresh, by property, and up --refresh repairs it", async () => {
    await api.ok("BackupSchedule_Update", {
        body: { metadata: { name: "nightly", org_id: "default" }, namespaces: ["tampered"], reclaim_policy: "Delete" },
    });
    const p = await preview(e2e.stack, { refresh: true });
    const step = p.steps.find((s) => s.type === TYPE && s.op === "update");
    // The plugin's Diff names the inputs that changed (the dynamic provider's cannot). The out-of-band PUT
    // replaced the whole object, so it also turned parallelBackup off.
    expect(step?.diffs).toEqual(["namespaces", "parallelBackup"]);
    await up(e2e.stack, { refresh: true });
    const info = sim.inspect("backupschedule", "nightly")!.backup_schedule_info;
    expect(info.namespaces).toEqual(["app"]);
    expect(info.parallel_backup).toBe(true);
    await preview(e2e.stack, { expectNoChanges: true });
});

test("a bad input fails the preview, naming the property, as in a TypeScript program", async () => {
    await e2e.stack.setConfig("reclaimPolicy", { value: "Sometimes" });
    try {
        await expect(preview(e2e.stack)).rejects.toThrow(
            /reclaimPolicy[^\n]*must be one of Delete, Retain, got "Sometimes"/,
        );
    } finally {
        await e2e.stack.removeConfig("reclaimPolicy");
    }
});

test("destroy deletes the adopted schedule through the plugin", async () => {
    await e2e.stack.destroy();
    expect(sim.inspect("backupschedule", "nightly")).toBeUndefined();
    expect((await stateResources(e2e.stack)).filter((x) => x.type === TYPE)).toEqual([]);
});
