// The provider plugin as the engine sees it: the real plugin process over gRPC, against the simulator with
// request and response validation on. Schema agreement, configure, CRUD of a schedule policy, secrets,
// preview-time check failures naming the property, and clear errors for unknown tokens.
import * as fs from "fs";
import * as path from "path";
import { startSimulator, SimulatorHandle } from "../../../tools/simulator/server";
import { KINDS } from "../../../provider/kinds";
import { COMPONENTS, FUNCTIONS, token } from "../../../provider/plugin/tokens";
import { SimulatorClient, requests, seed } from "../../support/simulator-client";
import { PluginHandle, SECRET, isSecretValue, repoRoot, rpc, startPlugin } from "../../support/plugin";

const T = (name: string) => `kube-backup:index:${name}`;
const schemaText = fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8");
const schema = JSON.parse(schemaText);
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

let sim: SimulatorHandle;
let plugin: PluginHandle;
let r: ReturnType<typeof rpc>;

beforeAll(async () => {
    sim = await startSimulator({ validateResponses: true, validateRequests: true });
    // No PXBACKUP_* from the test's environment: the provider config alone must be enough.
    plugin = await startPlugin({ PXBACKUP_API_URL: "", PXBACKUP_TOKEN: "" });
    r = rpc(plugin);
    await r.configure({
        url: sim.url,
        token: SECRET(sim.token),
        pollIntervalMs: "10",
        pollMaxIntervalMs: "50",
        retryBaseDelayMs: "5",
    });
});

afterAll(async () => {
    await plugin?.stop();
    await sim?.stop();
    expect(sim.contractViolations).toEqual([]);
});

test("GetPluginInfo is the package version and GetSchema is schema.json, byte for byte", async () => {
    expect((await r.info()).getVersion()).toBe(pkg.version);
    expect(await r.schema()).toBe(schemaText);
});

test("every resource and function token of schema.json is served, and nothing else", async () => {
    // The plugin's tables are exactly the schema's tokens.
    expect([...Object.keys(KINDS), ...COMPONENTS].map(token).sort()).toEqual(Object.keys(schema.resources).sort());
    expect(FUNCTIONS.map(token).sort()).toEqual(Object.keys(schema.functions).sort());
    for (const [tok, res] of Object.entries<{ isComponent?: boolean }>(schema.resources)) {
        if (res.isComponent) {
            // Components are constructed (the e2e tier runs construct through the engine); Check refuses them
            // by saying so, which proves the plugin knows the token as a component.
            await expect(r.check(tok, "x", {})).rejects.toThrow(`"${tok}" as a custom resource (it is a component)`);
        } else {
            const c = await r.check(tok, "x", {});
            expect(c.inputs.name).toBe("x");
        }
    }
    for (const tok of Object.keys(schema.functions)) {
        // Empty args: a function either answers or names what is missing; it never says it does not exist.
        const err = await r.invoke(tok, {}).then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(err ?? "").not.toMatch(/has no function/);
    }
    await expect(r.check(T("Nope"), "x", {})).rejects.toThrow(
        /does not serve the resource type "kube-backup:index:Nope"; its custom resources are .*BackupSchedule/,
    );
    await expect(r.invoke(T("getNope"), {})).rejects.toThrow(/has no function "kube-backup:index:getNope"/);
    // The process is still serving after the refusals.
    expect((await r.info()).getVersion()).toBe(pkg.version);
});

test("CheckConfig names a bad setting; the token stays a secret", async () => {
    const c = await r.checkConfig({ url: "http://x", token: "t0k", maxRetries: "-1", colour: "blue" });
    expect(c.failures.map((f) => f.property).sort()).toEqual(["colour", "maxRetries"]);
    expect(isSecretValue(c.inputs.token)).toBe(true);
    // What the engine adds to an explicit provider's inputs is not a setting, so not a failure.
    const explicit = await r.checkConfig({ url: "http://x", version: "0.2.0", __internal: { pluginDownloadURL: "" } });
    expect(explicit.failures).toEqual([]);
});

test("preview-time check failures name the property, as in a TypeScript program", async () => {
    const c = await r.check(T("BackupSchedule"), "nightly", {
        backupLocationRef: { name: "s3" },
        clusterRef: { name: "app" },
        reclaimPolicy: "Sometimes",
        suspend: "yes",
    });
    const props = c.failures.map((f) => f.property);
    expect(props).toEqual(expect.arrayContaining(["schedulePolicyRef", "reclaimPolicy", "suspend"]));
});

test("a schedule policy: check, create, read, diff, update, delete over gRPC", async () => {
    const type = T("SchedulePolicy");
    const news = { daily: { time: "2:00AM", retain: 7 }, labels: { team: "db" } };
    const c = await r.check(type, "daily", news);
    expect(c.failures).toEqual([]);
    expect(c.inputs).toMatchObject({ name: "daily", orgId: "default" });
    expect(c.inputs.__createSeed).toBe("plugin-test/test/SchedulePolicy/daily");

    const created = await r.create(type, "daily", c.inputs);
    expect(created.id).toMatch(/^default\/daily\/[0-9a-f-]{36}$/);
    expect(created.outs).toMatchObject({ name: "daily", daily: { time: "2:00AM", retain: 7 }, labels: { team: "db" } });
    expect(sim.requests.count({ operationId: "SchedulePolicy_Create" })).toBe(1);

    // Import-style read: the id alone.
    const read = await r.read(type, "daily", created.id);
    expect(read.id).toBe(created.id);
    expect(read.inputs).toMatchObject({ name: "daily", daily: { time: "2:00AM", retain: 7 } });

    const same = await r.diff(type, "daily", created.id, created.outs, c.inputs);
    expect(same.changes).toBe(1); // DIFF_NONE
    expect(same.diffs).toEqual([]);

    const c2 = await r.check(type, "daily", { ...news, daily: { time: "3:00AM", retain: 7 } }, c.inputs);
    const changed = await r.diff(type, "daily", created.id, created.outs, c2.inputs);
    expect(changed.changes).toBe(2); // DIFF_SOME
    expect(changed.replaces).toEqual([]);
    expect(changed.diffs).toEqual(["daily"]);
    const updated = await r.update(type, "daily", created.id, created.outs, c2.inputs);
    expect(updated.outs).toMatchObject({ daily: { time: "3:00AM" } });

    await r.delete(type, "daily", created.id, updated.outs);
    const gone = await r.read(type, "daily", created.id, updated.outs);
    expect(gone.id).toBe("");
});

test("secrets arrive wrapped and leave wrapped: a cloud credential's keys never come back in plain text", async () => {
    const type = T("CloudCredential");
    const c = await r.check(type, "creds", {
        type: "AWS",
        awsConfig: SECRET({ accessKey: "AKIA1", secretKey: "s3cr3t-key" }),
    });
    expect(c.failures).toEqual([]);
    expect(isSecretValue(c.inputs.awsConfig)).toBe(true);
    const created = await r.create(type, "creds", c.inputs);
    expect(isSecretValue(created.outs.secretHashes)).toBe(true);
    expect(JSON.stringify(created.outs)).not.toContain("s3cr3t-key");
    const read = await r.read(type, "creds", created.id, created.outs);
    expect(JSON.stringify(read)).not.toContain("s3cr3t-key");
    expect(isSecretValue(read.props.secretHashes)).toBe(true);
    // Same secret: no change, decided on the hash.
    const d = await r.diff(type, "creds", created.id, created.outs, c.inputs);
    expect(d.changes).toBe(1);
    await r.delete(type, "creds", created.id, created.outs);
    expect(plugin.stderr()).not.toContain("s3cr3t-key");
    expect(plugin.stderr()).not.toContain(sim.token);
});

test("a wrong value type from a loosely typed program is a check failure, not a crash", async () => {
    const c = await r.check(T("SchedulePolicy"), "bad", { interval: { minutes: "often" } });
    expect(c.failures.map((f) => f.property)).toContain("interval.minutes");
    expect((await r.info()).getVersion()).toBe(pkg.version);
});

test("functions answer through Invoke with the configured connection, lists as `items`", async () => {
    const api = new SimulatorClient(sim.url, sim.token);
    await seed(api, "inv");
    await api.ok("BackupSchedule_Create", {
        body: requests.backupSchedule("inv-nightly", {
            policy: "inv-policy",
            location: "inv-loc",
            cluster: "inv-cluster",
        }),
    });
    const uid = sim.inspect("backupschedule", "inv-nightly")!.metadata.uid;
    const one = await r.invoke(T("getBackupSchedule"), { name: "inv-nightly" });
    expect(one.ret).toMatchObject({ name: "inv-nightly", uid, orgId: "default", namespaces: ["app"] });
    const list = await r.invoke(T("listBackupSchedules"), { nameFilter: "inv-" });
    expect((list.ret.items as { name: string }[]).map((s) => s.name)).toEqual(["inv-nightly"]);
    await expect(r.invoke(T("getBackupSchedule"), { name: "absent" })).rejects.toThrow(/"absent" not found/);
});
