// What the PX-Backup Ansible collection manages that a declarative user needs, on the simulator with strict
// request validation: Azure/Google/IBM/Rancher credentials (secrets only as hashes, never in state, read results
// or errors), Azure/Google/NFS backup locations, cluster delete options, and schedule/backup lists filtered by
// schedule policy and schedule.
import { listBackupSchedules, listBackups, listRestores } from "../../../provider/functions";
import { Harness, createChecked, foundation, scheduleInputs, startHarness, stopHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
    h = await startHarness({ runSchedules: true });
    await foundation(h);
});
afterAll(() => stopHarness(h));

const JSON_KEY = JSON.stringify({ type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----gk-7c1d" });
const credentials: [string, Record<string, unknown>, string[]][] = [
    [
        "Azure",
        {
            azureConfig: {
                accountName: "acct1",
                accountKey: "az-key-5b2e",
                clientId: "az-client-88f0",
                clientSecret: "az-secret-1e9a",
                tenantId: "az-tenant-42cc",
                subscriptionId: "az-sub-7d3f",
            },
        },
        ["az-key-5b2e", "az-client-88f0", "az-secret-1e9a", "az-tenant-42cc", "az-sub-7d3f"],
    ],
    ["Google", { googleConfig: { projectId: "proj-1", jsonKey: JSON_KEY } }, ["gk-7c1d"]],
    ["IBM", { ibmConfig: { apiKey: "ibm-api-3f6b" } }, ["ibm-api-3f6b"]],
    [
        "Rancher",
        { rancherConfig: { endpoint: "https://rancher.example", token: "token-rch-91aa" } },
        ["token-rch-91aa"],
    ],
];

const wireBlock = (k: string) => k.replace(/Config$/, "_config");
const wireField = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

test.each(credentials)(
    "%s credential: created with its block, secrets only as a hash in outputs, read and diff; rotation by hash",
    async (type, block, secrets) => {
        const name = `cred-${type.toLowerCase()}`;
        const { inputs, id, outs } = await createChecked(h, "CloudCredential", { name, type, ...block });
        const stored = h.sim.info("cloudcredential", name)!;
        expect(stored.type).toBe(type);
        // The server got every secret...
        for (const s of secrets) expect(JSON.stringify(stored)).toContain(s);
        // ...and the state (the outputs the engine serializes) and a refresh have none of them.
        const blockKey = Object.keys(block)[0];
        expect(Object.keys(outs.secretHashes)).toEqual([blockKey]);
        const r = await h.m("CloudCredential").read(id, outs);
        for (const s of secrets) {
            expect(JSON.stringify(outs)).not.toContain(s);
            expect(JSON.stringify(r)).not.toContain(s);
        }
        expect((await h.m("CloudCredential").diff(id, r.props, inputs)).changes).toBe(false);
        // A changed secret is a change (by hash), updated in place.
        const value = block[blockKey] as Record<string, string>;
        const firstKey = Object.keys(value).find((k) => /key|token|secret/i.test(k))!;
        const next = firstKey === "jsonKey" ? JSON_KEY.replace("gk-7c1d", "gk-7c1d-2") : `${value[firstKey]}-2`;
        const rotated = { ...inputs, [blockKey]: { ...value, [firstKey]: next } };
        expect(await h.m("CloudCredential").diff(id, r.props, rotated)).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        const u = await h.m("CloudCredential").update(id, r.props, rotated);
        expect(JSON.stringify(u.outs)).not.toContain(secrets[0]);
        expect(h.sim.info("cloudcredential", name)![wireBlock(blockKey)][wireField(firstKey)]).toBe(next);
        expect((await h.m("CloudCredential").diff(id, u.outs, rotated)).changes).toBe(false);
    },
);

test("a server refusal of a credential names no secret", async () => {
    // An empty project id passes neither the server nor check; call create directly to see the server's error.
    const err = await h
        .m("CloudCredential")
        .create({
            name: "cred-bad",
            orgId: "default",
            type: "Google",
            googleConfig: { projectId: "", jsonKey: JSON_KEY },
        })
        .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/project_id is required/);
    expect(err.message).not.toContain("gk-7c1d");
});

test("check refuses a second provider block, naming it", async () => {
    const c = await h
        .m("CloudCredential")
        .check(
            {},
            { name: "two", type: "IBM", ibmConfig: { apiKey: "k-1234" }, rancherConfig: { endpoint: "r", token: "t" } },
        );
    expect(c.failures).toEqual([
        { property: "rancherConfig", reason: "must not be set when type is IBM (set ibmConfig instead)" },
    ]);
});

test.each([
    [
        "Azure",
        {
            path: "container-1",
            cloudCredentialRef: { name: "cred-azure" },
            s3Config: { azureEnvironment: "AZURE_CHINA", azureResourceGroupName: "rg-backups" },
        },
        { s3_config: { azure_environment: { type: "AZURE_CHINA" }, azure_resource_group_name: "rg-backups" } },
    ],
    ["Google", { path: "gcs-bucket", cloudCredentialRef: { name: "cred-google" } }, { path: "gcs-bucket" }],
    [
        "NFS",
        { path: "/exports/backups", nfsConfig: { serverAddr: "nfs.example", subPath: "px", mountOption: "vers=4.1" } },
        { nfs_config: { server_addr: "nfs.example", sub_path: "px", mount_option: "vers=4.1" } },
    ],
])("%s backup location: created, validated, read back equal", async (type, extra, wire) => {
    const name = `loc-${type.toLowerCase()}`;
    const { inputs, id, outs } = await createChecked(h, "BackupLocation", { name, type, ...extra });
    expect(outs.status).toBe("Valid");
    expect(h.sim.info("backuplocation", name)).toMatchObject({ type, ...wire });
    const r = await h.m("BackupLocation").read(id, outs);
    expect((await h.m("BackupLocation").diff(id, r.props, inputs)).changes).toBe(false);
});

test("a location whose credential is of another type fails validation with the server's reason", async () => {
    const c = await h
        .m("BackupLocation")
        .check({}, { name: "loc-wrong", type: "Azure", path: "c", cloudCredentialRef: { name: "creds" } });
    expect(c.failures).toEqual([]);
    await expect(h.m("BackupLocation").create(c.inputs)).rejects.toThrow(
        'BackupLocation "loc-wrong" ended in status ValidationFailed: cloud credential [creds] is of type AWS; a Azure backup location needs a Azure credential',
    );
});

test("cluster delete options: deleteRestores and deleteAllClusterBackups go with the delete", async () => {
    const cl = await createChecked(h, "Cluster", {
        name: "gone",
        kubeconfig: "apiVersion: v1\nkind: Config\n",
        deleteRestores: true,
        deleteAllClusterBackups: true,
    });
    expect(cl.outs).toMatchObject({ deleteRestores: true, deleteAllClusterBackups: true });
    // The options are provider settings: no server field, and a change is an in-place update, not a replacement.
    expect(h.sim.info("cluster", "gone")!.delete_restores).toBeUndefined();
    expect(await h.m("Cluster").diff(cl.id, cl.outs, { ...cl.inputs, deleteRestores: false })).toMatchObject({
        replaces: [],
    });
    const b = await createChecked(h, "Backup", {
        name: "of-gone",
        backupLocationRef: { name: "s3" },
        clusterRef: { name: "gone" },
    });
    await createChecked(h, "Restore", {
        name: "to-gone",
        backupRef: { name: "of-gone" },
        clusterRef: { name: "gone" },
    });
    await createChecked(h, "Restore", { name: "to-app", backupRef: { name: "of-gone" }, clusterRef: { name: "app" } });
    h.sim.requests.clear();
    await h.m("Cluster").delete(cl.id, cl.outs);
    const del = h.sim.requests.filter({ operationId: "Cluster_Delete" })[0];
    expect(del.query).toMatch(/delete_restores=true/);
    expect(del.query).toMatch(/delete_all_cluster_backups=true/);
    expect(h.sim.inspect("restore", "to-gone")).toBeUndefined();
    expect(h.sim.inspect("restore", "to-app")).toBeDefined();
    h.sim.settle();
    expect(h.sim.inspect("backup", b.inputs.name as string)).toBeUndefined();
});

test("without delete options a cluster delete sends none and leaves restores and backups", async () => {
    const cl = await createChecked(h, "Cluster", { name: "kept", kubeconfig: "apiVersion: v1\nkind: Config\n" });
    await createChecked(h, "Backup", {
        name: "of-kept",
        backupLocationRef: { name: "s3" },
        clusterRef: { name: "kept" },
    });
    await createChecked(h, "Restore", {
        name: "to-kept",
        backupRef: { name: "of-kept" },
        clusterRef: { name: "kept" },
    });
    h.sim.requests.clear();
    await h.m("Cluster").delete(cl.id, cl.outs);
    const del = h.sim.requests.filter({ operationId: "Cluster_Delete" })[0];
    expect(del.query).not.toMatch(/delete_/);
    expect(h.sim.inspect("restore", "to-kept")).toBeDefined();
    expect(h.sim.inspect("backup", "of-kept")).toBeDefined();
});

test("list schedules and backups by schedule policy and by schedule reference (POST enumerate)", async () => {
    const daily = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "by-daily" }));
    await createChecked(
        h,
        "BackupSchedule",
        scheduleInputs({ name: "by-hourly", schedulePolicyRef: { name: "hourly" } }),
    );
    const hourlyPolicyUid = h.sim.inspect("schedulepolicy", "hourly")!.metadata.uid;
    h.sim.requests.clear();
    const byDaily = await listBackupSchedules({ schedulePolicyRefs: [{ name: "daily" }] }, h.client);
    expect(byDaily.map((s) => s.name)).toEqual(["by-daily"]);
    const byHourly = await listBackupSchedules({ schedulePolicyRefs: [{ uid: hourlyPolicyUid }] }, h.client);
    expect(byHourly.map((s) => s.name)).toEqual(["by-hourly"]);
    expect(h.sim.requests.count({ operationId: "BackupSchedule_Enumerate2" })).toBe(2);
    // Each schedule ran its first backup (runSchedules): filter backups by schedule and by policy.
    const ofDaily = await listBackups({ backupScheduleRefs: [{ name: "by-daily", uid: daily.outs.uid }] }, h.client);
    expect(ofDaily).toHaveLength(1);
    expect(ofDaily[0].backupSchedule).toMatchObject({ name: "by-daily" });
    const ofHourly = await listBackups({ schedulePolicyRefs: [{ name: "hourly" }], pageSize: 1 }, h.client);
    expect(ofHourly.map((b) => b.backupSchedule.name)).toEqual(["by-hourly"]);
    const both = await listBackups({ backupScheduleRefs: [{ name: "by-daily" }, { name: "by-hourly" }] }, h.client);
    expect(both).toHaveLength(2);
    expect(h.sim.requests.count({ operationId: "Backup_Enumerate2" })).toBe(3);
    await expect(listBackups({ backupScheduleRefs: [{}] }, h.client)).rejects.toThrow(
        "backupScheduleRefs[0] needs a name or a uid",
    );
    await expect(listRestores({ schedulePolicyRefs: [{ name: "daily" }] }, h.client)).rejects.toThrow(
        "schedulePolicyRefs is not a filter of Restore lists",
    );
});
