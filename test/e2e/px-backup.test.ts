// PX-Backup resources through the real engine against the simulator, in ProgramTest order:
// preview → up → empty preview → empty refresh → edit → up, then drift (changed and deleted out of band
// through the PX-Backup REST API) → preview --refresh / refresh → up repairs, then destroy → nothing left.
import * as crypto from "crypto";
import { startSimulator, SimulatorHandle } from "../../tools/simulator/server";
import { SimulatorClient } from "../support/simulator-client";
import {
    E2eStack,
    changes,
    auditBackend,
    changedInputs,
    countCiphertexts,
    createE2eStack,
    preview,
    refresh,
    stateFile,
    stateResources,
    stepByName,
    unmarkedSecrets,
    up,
} from "../../tools/engine/stack";

jest.setTimeout(600_000);

const TYPE = (kind: string) => `pulumi-nodejs:dynamic/kube-backup:${kind}`;
const KINDS = ["CloudCredential", "BackupLocation", "SchedulePolicy", "Cluster", "BackupSchedule", "Backup"];

// Distinct values, so the state audit can search for each one.
const accessKey = `AKIAE2E${crypto.randomBytes(6).toString("hex").toUpperCase()}`;
const secretKey = crypto.randomBytes(24).toString("base64url");
const clusterToken = `kb-e2e-cluster-token-${crypto.randomBytes(12).toString("hex")}`;
const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: app, cluster: {server: 'https://127.0.0.1:6443'}}]",
    "contexts: [{name: app, context: {cluster: app, user: admin}}]",
    "current-context: app",
    `users: [{name: admin, user: {token: ${clusterToken}}}]`,
    "",
].join("\n");

let sim: SimulatorHandle;
let api: SimulatorClient;
let e2e: E2eStack;

const scheduleInfo = () => sim.inspect("backupschedule", "app-schedule")?.backup_schedule_info;
const ourObjects = () => sim.dump().filter((o) => o.kind !== ("organization" as string));

beforeAll(async () => {
    // Strict: a request field the contract does not define is a 400 (a real server would drop it silently).
    sim = await startSimulator({ validateResponses: true, validateRequests: true });
    api = new SimulatorClient(sim.url, sim.token);
    e2e = await createE2eStack({
        program: "px-backup",
        config: {
            "kube-backup:url": { value: sim.url },
            "kube-backup:token": { value: sim.token, secret: true },
            // Fast polling of async states; the simulator answers immediately.
            "kube-backup:pollIntervalMs": { value: "50" },
            accessKey: { value: accessKey, secret: true },
            secretKey: { value: secretKey, secret: true },
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

test("preview plans every object and sends nothing that changes the server", async () => {
    const p = await preview(e2e.stack);
    expect(p.changeSummary).toEqual({ create: 1 + KINDS.length });
    for (const kind of KINDS) {
        expect(p.steps.some((s) => s.op === "create" && s.type === TYPE(kind))).toBe(true);
    }
    expect(ourObjects()).toEqual([]);
});

test("up creates them in PX-Backup with references resolved", async () => {
    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    expect(r.summary.resourceChanges).toEqual({ create: 1 + KINDS.length });
    const info = scheduleInfo();
    expect(info.namespaces).toEqual(["app", "db"]);
    expect(info.schedule_policy_ref.uid).toBe(sim.inspect("schedulepolicy", "every-interval")?.metadata.uid);
    expect(info.backup_location_ref.uid).toBe(sim.inspect("backuplocation", "s3-location")?.metadata.uid);
    expect(info.cluster_ref.uid).toBe(sim.inspect("cluster", "app-cluster")?.metadata.uid);
    expect(sim.inspect("schedulepolicy", "every-interval")?.schedule_policy_info.interval.minutes).toBe("15");
    const cred = sim.inspect("cloudcredential", "s3-credential")?.cloud_credential_info;
    expect(cred.aws_config).toEqual(expect.objectContaining({ access_key: accessKey, secret_key: secretKey }));
    expect(r.outputs.scheduleUid.value).toBe(sim.inspect("backupschedule", "app-schedule")?.metadata.uid);
    expect(r.outputs.backupStatus.value).toBe("Success");
    expect(r.outputs.scheduleNamespaces.value).toEqual(["app", "db"]);
});

test("a second preview reports no changes and makes no API call but the one release check", async () => {
    sim.requests.clear();
    const p = await preview(e2e.stack, { expectNoChanges: true });
    expect(changes(p.steps)).toEqual([]);
    // configure reads GET /v1/version (once per provider process) to pick the routes; nothing else is asked.
    expect(sim.requests.all().filter((r) => r.operationId !== "Version_Get")).toEqual([]);
    expect(sim.requests.count({ operationId: "Version_Get" })).toBeLessThanOrEqual(1);
});

test("refresh reports no changes", async () => {
    const r = await refresh(e2e.stack, { expectNoChanges: true });
    expect(Object.keys(r.summary.resourceChanges ?? {})).toEqual(["same"]);
});

test("the state holds no token, access key, secret key or kubeconfig in plain text, __provider included", async () => {
    const secrets = { token: sim.token, accessKey, secretKey, kubeconfig, clusterToken };
    expect(auditBackend(e2e.backendDir, secrets)).toEqual([]);
    // The decrypted export shows each value only inside a secret envelope, i.e. Pulumi knows it is secret.
    expect(unmarkedSecrets(JSON.stringify(await e2e.stack.exportStack()), secrets)).toEqual([]);
    expect(countCiphertexts(stateFile(e2e))).toBeGreaterThanOrEqual(3);
    const providers = (await stateResources(e2e.stack))
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))
        .map((r) => r.inputs?.__provider);
    expect(providers).toHaveLength(KINDS.length);
    for (const p of providers) expect(typeof p === "string" ? p.length : JSON.stringify(p).length).toBeLessThan(4096);
});

test("an edit updates the policy and the schedule in place", async () => {
    await e2e.stack.setAllConfig({
        intervalMinutes: { value: "30" },
        namespaces: { value: JSON.stringify(["app", "db", "logs"]) },
    });
    const uid = sim.inspect("backupschedule", "app-schedule")?.metadata.uid;
    const r = await up(e2e.stack);
    // The default dynamic provider receives the whole stack config, so any config edit updates it too.
    expect(changes(r.steps).sort()).toEqual([
        "update pulumi-nodejs:dynamic/kube-backup:BackupSchedule::app-schedule [namespaces]",
        "update pulumi-nodejs:dynamic/kube-backup:SchedulePolicy::every-interval [interval]",
        expect.stringMatching(/^update pulumi:providers:pulumi-nodejs::default/),
    ]);
    expect(scheduleInfo().namespaces).toEqual(["app", "db", "logs"]);
    expect(sim.inspect("backupschedule", "app-schedule")?.metadata.uid).toBe(uid);
    expect(sim.inspect("schedulepolicy", "every-interval")?.schedule_policy_info.interval.minutes).toBe("30");
    await preview(e2e.stack, { expectNoChanges: true });
});

test("a schedule changed out of band shows as drift in preview --refresh and up --refresh repairs it", async () => {
    await api.ok("BackupSchedule_Update", {
        body: {
            metadata: { name: "app-schedule", org_id: "default" },
            namespaces: ["tampered"],
            reclaim_policy: "Retain",
        },
    });
    expect(scheduleInfo().namespaces).toEqual(["tampered"]);

    const p = await preview(e2e.stack, { refresh: true });
    const step = stepByName(
        p.steps.filter((s) => s.op !== "refresh"),
        "app-schedule",
    );
    expect(step?.op).toBe("update");
    expect(changedInputs(step)).toEqual(["namespaces", "reclaimPolicy"]);
    expect(step?.oldInputs?.namespaces).toEqual(["tampered"]); // what read found on the server
    expect(step?.newInputs?.namespaces).toEqual(["app", "db", "logs"]);
    expect(changes(p.steps.filter((s) => s.op !== "refresh"))).toHaveLength(1);
    expect(scheduleInfo().namespaces).toEqual(["tampered"]); // preview changed nothing

    const r = await up(e2e.stack, { refresh: true });
    expect(r.summary.result).toBe("succeeded");
    expect(scheduleInfo().namespaces).toEqual(["app", "db", "logs"]);
    expect(scheduleInfo().reclaim_policy).toBe("Delete");
    await preview(e2e.stack, { refresh: true, expectNoChanges: true });
});

test("a schedule deleted out of band is dropped by refresh and recreated by up", async () => {
    const old = sim.inspect("backupschedule", "app-schedule")?.metadata;
    await api.ok("BackupSchedule_Delete", { params: { org_id: "default", name: "app-schedule" } });
    sim.settle();
    expect(sim.inspect("backupschedule", "app-schedule")).toBeUndefined();

    await refresh(e2e.stack);
    const names = (await stateResources(e2e.stack)).map((r) => r.urn.split("::").pop());
    expect(names).not.toContain("app-schedule");
    expect(names).toContain("every-interval");

    const r = await up(e2e.stack);
    expect(changes(r.steps)).toEqual([expect.stringMatching(/^create .*:BackupSchedule::app-schedule/)]);
    const recreated = sim.inspect("backupschedule", "app-schedule");
    expect(recreated?.backup_schedule_info.namespaces).toEqual(["app", "db", "logs"]);
    // A new object (created again), under the uid derived from the resource's identity (docs/dynamic-providers.md).
    expect(recreated?.metadata.create_time).not.toBe(old?.create_time);
    expect(recreated?.metadata.uid).toBe(old?.uid);
    await preview(e2e.stack, { refresh: true, expectNoChanges: true });
});

test("destroy removes every object from PX-Backup and the state", async () => {
    const r = await e2e.stack.destroy();
    expect(r.summary.result).toBe("succeeded");
    sim.settle();
    expect(ourObjects().map((o) => `${o.kind}/${o.object.metadata.name}`)).toEqual([]);
    expect((await stateResources(e2e.stack)).filter((x) => x.type !== "pulumi:pulumi:Stack")).toEqual([]);
    expect(sim.contractViolations).toEqual([]);
});
