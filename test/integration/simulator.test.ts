// The simulator against its contract: every implemented route is called over HTTP through a client that
// validates each request and response against the swagger schemas (strict: undeclared fields and zero
// values fail), and the server-side behaviours of docs/px-backup-api.md are checked on the wire.
import { SimulatorHandle, startSimulator } from "../../tools/simulator/server";
import { HANDLERS } from "../../tools/simulator/api";
import { ORG, SimulatorClient, requests, seed } from "../support/simulator-client";

let sim: SimulatorHandle;
let client: SimulatorClient;
const exercised = new Set<string>();

beforeAll(async () => {
    sim = await startSimulator({ validateResponses: true });
    client = new SimulatorClient(sim.url, sim.token);
});
afterEach(() => {
    client.exercised.forEach((op) => exercised.add(op));
    client.exercised.clear();
    // The server checked its own responses too; nothing may have violated the contract.
    expect(sim.contractViolations).toEqual([]);
    sim.reset();
});
afterAll(async () => {
    await sim.stop();
});

const params = (name: string, extra: Record<string, string> = {}) => ({ org_id: ORG, name, ...extra });

describe("every kind: create, inspect, enumerate, update, ownership, delete", () => {
    test("cloud credential", async () => {
        const created = (await client.ok("CloudCredential_Create", { body: requests.cloudCredential("cred") }))
            .cloud_credential;
        expect(created.metadata).toMatchObject({ name: "cred", org_id: ORG });
        expect(created.cloud_credential_info).toEqual({ type: "AWS", aws_config: { access_key: "AKIAEXAMPLE" } }); // secret stripped
        const uid = created.metadata.uid;

        const inspected = (
            await client.ok("CloudCredential_Inspect", {
                params: params("cred"),
                query: { uid, include_secrets: true },
            })
        ).cloud_credential;
        expect(inspected.cloud_credential_info.aws_config.secret_key).toBe("secret-key-value");
        expect(sim.inspect("cloudcredential", "cred")).toEqual(inspected); // in-process view = GET with include_secrets
        expect(sim.info("cloudcredential", "cred")).toEqual(inspected.cloud_credential_info);
        expect(sim.info("cloudcredential", "nope")).toBeUndefined();

        const list = await client.ok("CloudCredential_Enumerate", { params: { org_id: ORG } });
        expect(list.cloud_credentials.map((c: any) => c.metadata.name)).toEqual(["cred"]);
        expect(list).toMatchObject({ total_count: "1", complete: true });

        // Update without the secret keeps it (clients cannot read it back); the access key changes.
        await client.ok("CloudCredential_Update", {
            body: {
                metadata: { name: "cred", org_id: ORG, uid, labels: { env: "prod" } },
                cloud_credential: { type: "AWS", aws_config: { access_key: "AKIANEW" } },
            },
        });
        const updated = (
            await client.ok("CloudCredential_Inspect", { params: params("cred"), query: { include_secrets: true } })
        ).cloud_credential;
        expect(updated.cloud_credential_info.aws_config).toEqual({
            access_key: "AKIANEW",
            secret_key: "secret-key-value",
        });
        expect(updated.metadata.labels).toEqual({ env: "prod" });

        // Switching the type drops the old block entirely (no stale AWS secret carried into an Azure credential).
        await client.ok("CloudCredential_Update", {
            body: {
                metadata: { name: "cred", org_id: ORG, uid },
                cloud_credential: { type: "Azure", azure_config: { account_name: "acct", account_key: "k" } },
            },
        });
        const azure = (
            await client.ok("CloudCredential_Inspect", { params: params("cred"), query: { include_secrets: true } })
        ).cloud_credential;
        expect(azure.cloud_credential_info).toEqual({
            type: "Azure",
            azure_config: { account_name: "acct", account_key: "k" },
        });

        await client.ok("CloudCredential_UpdateOwnership", {
            body: {
                org_id: ORG,
                name: "cred",
                uid,
                ownership: { collaborators: [{ id: "user-2", access: "Read" }], public: { type: "Read" } },
            },
        });
        const owned = (await client.ok("CloudCredential_Inspect", { params: params("cred") })).cloud_credential;
        expect(owned.metadata.ownership).toEqual({
            owner: created.metadata.ownership.owner,
            collaborators: [{ id: "user-2", access: "Read" }],
            public: { type: "Read" },
        });

        await client.ok("CloudCredential_Delete", { params: params("cred"), query: { uid } });
        expect((await client.call("CloudCredential_Inspect", { params: params("cred") })).status).toBe(404);
    });

    test("backup location (asynchronous validation and deletion)", async () => {
        await client.ok("CloudCredential_Create", { body: requests.cloudCredential("cred") });
        await client.ok("CloudCredential_Create", { body: requests.cloudCredential("cred2") });
        sim.setDelays({ locationValidation: -1, deletePending: -1 });
        const created = (await client.ok("BackupLocation_Create", { body: requests.backupLocation("loc", "cred") }))
            .backup_location;
        const info = created.backup_location_info;
        expect(info.status).toEqual({ status: "ValidationInProgress" });
        expect(info.cloud_credential_ref).toEqual({ name: "cred", uid: expect.any(String) });
        expect(info.cloud_credential).toBe("cred"); // deprecated twin kept equal to the ref name
        expect(info.encryption_key).toBeUndefined(); // secret

        // Hidden from enumerate while validating, unless asked for.
        expect(
            (await client.ok("BackupLocation_Enumerate", { params: { org_id: ORG } })).backup_locations,
        ).toBeUndefined();
        const withState = await client.ok("BackupLocation_Enumerate", {
            params: { org_id: ORG },
            query: { include_validation_state: true },
        });
        expect(withState.backup_locations).toHaveLength(1);
        sim.settle();
        const valid = (
            await client.ok("BackupLocation_Inspect", { params: params("loc"), query: { include_secrets: true } })
        ).backup_location;
        expect(valid.backup_location_info.status).toEqual({ status: "Valid" });
        expect(valid.backup_location_info.encryption_key).toBe("encryption-key-value");
        const byStatus = await client.ok("BackupLocation_Enumerate", {
            params: { org_id: ORG },
            query: {
                "backup_location_enumerate_options.statuses": "Valid",
                "backup_location_enumerate_options.provider_types": "S3",
            },
        });
        expect(byStatus.backup_locations).toHaveLength(1);

        // path is immutable; the credential can change.
        const body = requests.backupLocation("loc", "cred2");
        const badPath = await client.call("BackupLocation_Update", {
            body: { ...body, backup_location: { ...body.backup_location, path: "other" } },
        });
        expect(badPath.status).toBe(400);
        expect(badPath.body.message).toMatch(/path cannot be changed/);
        await client.ok("BackupLocation_Update", { body });
        const updated = (
            await client.ok("BackupLocation_Inspect", { params: params("loc"), query: { include_secrets: true } })
        ).backup_location;
        expect(updated.backup_location_info.cloud_credential_ref.name).toBe("cred2");
        expect(updated.backup_location_info.encryption_key).toBe("encryption-key-value");

        await client.ok("BackupLocation_Validate", { body: { org_id: ORG, name: "loc" } });
        expect(
            (await client.ok("BackupLocation_Inspect", { params: params("loc") })).backup_location.backup_location_info
                .status.status,
        ).toBe("ValidationInProgress");
        sim.settle();
        await client.ok("BackupLocation_UpdateOwnership", {
            body: { org_id: ORG, name: "loc", ownership: { groups: [{ id: "ops", access: "Write" }] } },
        });

        await client.ok("BackupLocation_Delete", { params: params("loc") });
        const pending = (await client.ok("BackupLocation_Inspect", { params: params("loc") })).backup_location;
        expect(pending.backup_location_info.status.status).toBe("DeletePending");
        await client.ok("BackupLocation_Delete", { params: params("loc") }); // repeating a pending delete is fine
        sim.settle();
        expect((await client.call("BackupLocation_Inspect", { params: params("loc") })).status).toBe(404);
    });

    test("schedule policy", async () => {
        const created = (await client.ok("SchedulePolicy_Create", { body: requests.schedulePolicy("pol") }))
            .schedule_policy;
        expect(created.schedule_policy_info).toEqual({
            interval: { minutes: "15", retain: "5", incremental_count: { count: "2" } },
        });
        await client.ok("SchedulePolicy_Update", {
            body: {
                metadata: { name: "pol", org_id: ORG },
                schedule_policy: {
                    daily: { time: "2:00AM", retain: "7" },
                    weekly: { day: "Sunday", time: "11:30PM", retain: "4" },
                },
            },
        });
        const got = (await client.ok("SchedulePolicy_Inspect", { params: params("pol") })).schedule_policy;
        expect(got.schedule_policy_info).toEqual({
            daily: { time: "2:00AM", retain: "7" },
            weekly: { day: "Sunday", time: "11:30PM", retain: "4" },
        });
        expect(Date.parse(got.metadata.last_update_time)).toBeGreaterThanOrEqual(Date.parse(got.metadata.create_time));
        const list = await client.ok("SchedulePolicy_Enumerate", { params: { org_id: ORG } });
        expect(list).toEqual({ schedule_policies: [got] }); // not paginated: no total_count/complete
        await client.ok("SchedulePolicy_UpdateOwnership", {
            body: { org_id: ORG, name: "pol", ownership: { public: { type: "Read" } } },
        });
        await client.ok("SchedulePolicy_Delete", { params: params("pol") });
        expect((await client.call("SchedulePolicy_Inspect", { params: params("pol") })).status).toBe(404);
    });

    test("cluster (Pending → Online, delete pending)", async () => {
        await client.ok("CloudCredential_Create", { body: requests.cloudCredential("cred") });
        sim.setDelays({ clusterPending: -1, deletePending: -1 });
        const created = (
            await client.ok("Cluster_Create", {
                body: { ...requests.cluster("k1"), cloud_credential_ref: { name: "cred" } },
            })
        ).cluster;
        expect(created.clusterInfo.status).toEqual({ status: "Pending" });
        expect(created.clusterInfo.kubeconfig).toBeUndefined(); // secret
        sim.settle();
        const online = (await client.ok("Cluster_Inspect", { params: params("k1"), query: { include_secrets: true } }))
            .cluster;
        expect(online.clusterInfo).toMatchObject({
            status: { status: "Online" },
            kubeconfig: expect.any(String),
            cloud_credential_ref: { name: "cred" },
        });
        expect(online.clusterInfo.k8s_version).toMatch(/^v1\./);

        const get = await client.ok("Cluster_Enumerate", {
            params: { org_id: ORG },
            query: { "cluster_enumerate_options.cluster_status": "Online" },
        });
        const post = await client.ok("Cluster_Enumerate2", {
            params: { org_id: ORG },
            body: { org_id: ORG, cluster_enumerate_options: { cluster_status: ["Online"] } },
        });
        expect(get.clusters).toHaveLength(1);
        expect(post).toEqual(get);
        const offline = await client.ok("Cluster_Enumerate", {
            params: { org_id: ORG },
            query: { "cluster_enumerate_options.cluster_status": "Offline" },
        });
        expect(offline.clusters).toBeUndefined();

        await client.ok("Cluster_Update", { body: { metadata: { name: "k1", org_id: ORG, labels: { env: "dev" } } } }); // kubeconfig kept
        const updated = (await client.ok("Cluster_Inspect", { params: params("k1"), query: { include_secrets: true } }))
            .cluster;
        expect(updated.clusterInfo.kubeconfig).toBe(online.clusterInfo.kubeconfig);
        expect(updated.clusterInfo.cloud_credential_ref).toBeUndefined(); // full replace of the refs
        expect(updated.metadata.labels).toEqual({ env: "dev" });

        await client.ok("Cluster_Delete", { params: params("k1") });
        expect((await client.ok("Cluster_Inspect", { params: params("k1") })).cluster.clusterInfo.status.status).toBe(
            "DeletePending",
        );
        sim.settle();
        expect((await client.call("Cluster_Inspect", { params: params("k1") })).status).toBe(404);
    });

    test("rule", async () => {
        const created = (await client.ok("Rules_Create", { body: requests.rule("r1") })).rule;
        expect(created.rules_info).toEqual({
            rules: [
                { pod_selector: { app: "db" }, actions: [{ value: "sync", run_in_single_pod: true }], container: "db" },
            ],
        });
        await client.ok("Rules_Update", {
            body: {
                metadata: { name: "r1", org_id: ORG },
                rules_info: {
                    rules: [{ pod_selector: { app: "web" }, actions: [{ value: "flush", background: true }] }],
                },
            },
        });
        const got = (await client.ok("Rules_Inspect", { params: params("r1") })).rule;
        expect(got.rules_info.rules[0]).toEqual({
            pod_selector: { app: "web" },
            actions: [{ value: "flush", background: true }],
        });
        expect((await client.ok("Rules_Enumerate", { params: { org_id: ORG } })).rules).toHaveLength(1);
        await client.ok("Rules_UpdateOwnership", {
            body: { org_id: ORG, name: "r1", ownership: { groups: [{ id: "*", access: "Read" }] } },
        });
        await client.ok("Rules_Delete", { params: params("r1") });
        expect((await client.ok("Rules_Enumerate", { params: { org_id: ORG } })).rules).toBeUndefined();
    });

    test("backup schedule: refs resolved, merge update, suspend, remark, delete", async () => {
        const n = await seed(client);
        await client.ok("SchedulePolicy_Create", { body: requests.schedulePolicy("other-policy") });
        const created = (
            await client.ok("BackupSchedule_Create", {
                body: requests.backupSchedule("nightly", { ...n, rule: n.rule }),
            })
        ).backup_schedule;
        const info = created.backup_schedule_info;
        expect(info).toMatchObject({
            schedule_policy_ref: { name: n.policy, uid: expect.any(String) },
            schedule_policy: n.policy,
            backup_location_ref: { name: n.location },
            backup_location: n.location,
            cluster_ref: { name: n.cluster },
            cluster: n.cluster,
            pre_exec_rule_ref: { name: n.rule },
            namespaces: ["app"],
            reclaim_policy: "Delete",
            backup_type: { type: "Normal" }, // bare in the request, wrapped in the info
            include_resources: [{ name: "cfg", namespace: "app", kind: "ConfigMap", version: "v1" }],
            parallel_backup: true,
        });
        expect(info.suspend).toBeUndefined(); // false is omitted
        expect(created.metadata.labels).toEqual({ team: "platform" });

        // The policy reports the schedules using it (server-maintained).
        expect(
            (await client.ok("SchedulePolicy_Inspect", { params: params(n.policy) })).schedule_policy
                .schedule_policy_info.backup_schedule,
        ).toEqual(["nightly"]);

        // Suspend with only identity fields: everything else is kept.
        await client.ok("BackupSchedule_Update", {
            body: {
                metadata: { name: "nightly", org_id: ORG, uid: created.metadata.uid },
                suspend: true,
                remark: "maintenance",
                parallel_backup: true,
            },
        });
        let got = (
            await client.ok("BackupSchedule_Inspect", {
                params: params("nightly"),
                query: { uid: created.metadata.uid },
            })
        ).backup_schedule;
        expect(got.backup_schedule_info).toMatchObject({
            suspend: true,
            suspended_by: { source: "User" },
            namespaces: ["app"],
            remark: { comment: "maintenance", updated_by: "admin" },
        });
        expect(got.metadata.labels).toEqual({ team: "platform" });

        // Change the policy and namespaces; omitting suspend resumes (docs/px-backup-api.md#updates).
        await client.ok("BackupSchedule_Update", {
            body: {
                metadata: { name: "nightly", org_id: ORG },
                schedule_policy_ref: { name: "other-policy" },
                namespaces: ["app", "db"],
                parallel_backup: true,
            },
        });
        got = (await client.ok("BackupSchedule_Inspect", { params: params("nightly") })).backup_schedule;
        expect(got.backup_schedule_info.schedule_policy_ref.name).toBe("other-policy");
        expect(got.backup_schedule_info.schedule_policy).toBe("other-policy");
        expect(got.backup_schedule_info.namespaces).toEqual(["app", "db"]);
        expect(got.backup_schedule_info.suspend).toBeUndefined();

        const get = await client.ok("BackupSchedule_Enumerate", {
            params: { org_id: ORG },
            query: { "backup_location_ref.name": n.location },
        });
        const post = await client.ok("BackupSchedule_Enumerate2", {
            params: { org_id: ORG },
            body: {
                org_id: ORG,
                backup_location_ref: { name: n.location },
                enumerate_options: { schedule_policy_ref: [{ name: "other-policy" }] },
            },
        });
        expect(get.backup_schedules).toHaveLength(1);
        expect(post).toEqual(get);

        // Bulk selectors are not implemented: loud 501 rather than a silent bulk operation.
        const bulk = await client.call("BackupSchedule_Update", {
            body: { metadata: { name: "nightly", org_id: ORG }, include_filter: "*" },
        });
        expect(bulk.status).toBe(501);
        expect(bulk.body.code).toBe(12);

        sim.setDelays({ deletePending: -1 });
        await client.ok("BackupSchedule_Delete", { params: params("nightly") });
        expect(
            (await client.ok("BackupSchedule_Inspect", { params: params("nightly") })).backup_schedule
                .backup_schedule_info.status.status,
        ).toBe("DeletePending");
        sim.settle();
        expect((await client.call("BackupSchedule_Inspect", { params: params("nightly") })).status).toBe(404);

        await client.ok("BackupSchedule_Create", { body: requests.backupSchedule("second", n) });
        await client.ok("BackupSchedule_Delete2", { params: { org_id: ORG }, body: { org_id: ORG, name: "second" } });
        sim.settle();
        expect((await client.call("BackupSchedule_Inspect", { params: params("second") })).status).toBe(404);
    });

    test("backup: async create, metadata-only update, share, delete", async () => {
        const n = await seed(client);
        sim.setDelays({ backupPending: -1 });
        const created = (await client.ok("Backup_Create", { body: requests.backup("manual-1", n) })).backup;
        expect(created.backup_info).toMatchObject({
            status: { status: "Pending" },
            stage: "Initial",
            backup_type: { type: "Normal" },
            backup_object_type: { type: "All" },
            cluster_ref: { name: n.cluster },
            backup_location_ref: { name: n.location },
            cloud_credential_ref: { name: n.credential }, // copied from the location
            cr_name: expect.stringMatching(/^manual-1-/),
        });
        sim.settle();
        const done = (
            await client.ok("Backup_Inspect", { params: params("manual-1"), query: { uid: created.metadata.uid } })
        ).backup;
        expect(done.backup_info).toMatchObject({
            status: { status: "Success" },
            stage: "Final",
            total_size: expect.stringMatching(/^\d+$/),
            resource_count: expect.stringMatching(/^\d+$/),
        });
        expect(done.backup_info.resources).toHaveLength(2);

        // Enumerate strips resource lists unless include_detailed_resources.
        const brief = (await client.ok("Backup_Enumerate", { params: { org_id: ORG } })).backups[0];
        expect(brief.backup_info.resources).toBeUndefined();
        const detailed = await client.ok("Backup_Enumerate2", {
            params: { org_id: ORG },
            body: { org_id: ORG, enumerate_options: { include_detailed_resources: true, status: ["Success"] } },
        });
        expect(detailed.backups[0].backup_info.resources).toHaveLength(2);

        await client.ok("Backup_Update", {
            body: { metadata: { name: "manual-1", org_id: ORG, labels: { kept: "yes" } } },
        });
        expect((await client.ok("Backup_Inspect", { params: params("manual-1") })).backup.metadata.labels).toEqual({
            kept: "yes",
        });

        await client.ok("Backup_UpdateBackupShare", {
            body: {
                org_id: ORG,
                name: "manual-1",
                backupshare: {
                    collaborators: [{ id: "user-2", access: "Restorable" }],
                    groups: [{ id: "ops", access: "View" }],
                },
            },
        });
        expect(
            (await client.ok("Backup_Inspect", { params: params("manual-1") })).backup.backup_info.backup_share,
        ).toEqual({
            collaborators: [{ id: "user-2", access: "Restorable" }],
            groups: [{ id: "ops", access: "View" }],
        });
        const badShare = await client.call("Backup_UpdateBackupShare", {
            body: { org_id: ORG, name: "manual-1", backupshare: { groups: [{ id: "ops" }] } },
        });
        expect(badShare.status).toBe(400);
        expect(badShare.body.message).toMatch(/access must be one of View, Restorable, FullAccess/);

        sim.setDelays({ deletePending: -1, backupDeleting: -1 });
        await client.ok("Backup_Delete", { params: params("manual-1"), query: { "cluster_ref.name": n.cluster } });
        expect(
            (await client.ok("Backup_Inspect", { params: params("manual-1") })).backup.backup_info.status.status,
        ).toBe("DeletePending");
        sim.settle();
        const gone = await client.call("Backup_Inspect", { params: params("manual-1") });
        expect(gone.status).toBe(404);
        expect(gone.body.message).toMatch(/object not found/);
    });

    test("restore: only of a finished backup, Pending → InProgress → outcome, metadata-only update, delete", async () => {
        const n = await seed(client);
        sim.setDelays({ backupPending: -1 });
        const backup = (await client.ok("Backup_Create", { body: requests.backup("src", n) })).backup;
        const body = {
            metadata: { name: "r1", org_id: ORG },
            backup_ref: { name: "src" },
            cluster_ref: { name: n.cluster },
            namespace_mapping: { app: "app-copy" },
            replace_policy: "Retain",
            exclude_resources: [{ name: "x", namespace: "app", kind: "ConfigMap", version: "v1" }],
        };
        // Pending backup: FailedPrecondition, nothing stored.
        const early = await client.call("Restore_Create", { body });
        expect(early.status).toBe(400);
        expect(early.body.message).toMatch(/only a Success or PartialSuccess backup can be restored/);
        sim.settle();
        sim.setDelays({ restorePending: -1 });
        const created = (await client.ok("Restore_Create", { body })).restore;
        expect(created.restore_info).toMatchObject({
            status: { status: "Pending" },
            backup_ref: { name: "src", uid: backup.metadata.uid },
            backup: "src",
            cluster_ref: { name: n.cluster },
            cluster: n.cluster,
            backup_location_ref: { name: n.location },
            replace_policy: "Retain",
        });
        expect(created.restore_info.exclude_resources).toBeUndefined(); // not part of RestoreInfo
        sim.settle();
        const done = (await client.ok("Restore_Inspect", { params: params("r1") })).restore;
        expect(done.restore_info.status.status).toBe("Success");
        expect(done.restore_info.resources.map((r: any) => r.name).sort()).toEqual(["app-copy", "db"]);

        sim.setOutcomes({ byName: { r2: { status: "Failed", reason: "no space left" } } });
        await client.ok("Restore_Create", { body: { ...body, metadata: { name: "r2", org_id: ORG } } });
        sim.settle();
        const failed = await client.ok("Restore_Enumerate", {
            params: { org_id: ORG },
            query: { "enumerate_options.status": "Failed" },
        });
        expect(failed.restores.map((r: any) => [r.metadata.name, r.restore_info.status.reason])).toEqual([
            ["r2", "no space left"],
        ]);
        expect(failed).toMatchObject({ total_count: "1", complete: true });

        await client.ok("Restore_Update", { body: { metadata: { name: "r1", org_id: ORG, labels: { a: "b" } } } });
        expect((await client.ok("Restore_Inspect", { params: params("r1") })).restore.metadata.labels).toEqual({
            a: "b",
        });
        await client.ok("Restore_Delete", { params: params("r1"), query: { uid: done.metadata.uid } });
        expect((await client.call("Restore_Inspect", { params: params("r1") })).status).toBe(404);
        expect((await client.ok("Backup_Inspect", { params: params("src") })).backup.metadata.name).toBe("src");
    });

    test("organizations, version, health", async () => {
        expect((await client.ok("Organization_Enumerate")).organizations.map((o: any) => o.metadata.name)).toEqual([
            "default",
        ]);
        await client.ok("Organization_Create", { body: { metadata: { name: "team-b" } } });
        expect((await client.call("Organization_Create", { body: { metadata: { name: "team-b" } } })).status).toBe(409);
        expect(
            (await client.ok("Organization_Inspect", { params: { name: "team-b" } })).organization.metadata.name,
        ).toBe("team-b");
        await client.ok("SchedulePolicy_Create", {
            body: { ...requests.schedulePolicy("p"), metadata: { name: "p", org_id: "team-b" } },
        });
        expect(
            (await client.ok("SchedulePolicy_Enumerate", { params: { org_id: ORG } })).schedule_policies,
        ).toBeUndefined(); // orgs are separate
        await client.ok("Organization_Delete", { params: { name: "team-b" } });
        expect((await client.call("Organization_Inspect", { params: { name: "team-b" } })).status).toBe(404);
        expect((await client.ok("Version_Get")).version.major).toBe("2");
        expect(await client.ok("Health_Status")).toEqual({});
    });
});

describe("wire format", () => {
    test("server metadata: uid, times, owner from the token; a client uid is honoured", async () => {
        const token = sim.issueToken({ sub: "user-42", preferred_username: "alice" });
        const alice = new SimulatorClient(sim.url, token);
        const before = Date.now();
        const obj = (await alice.ok("SchedulePolicy_Create", { body: requests.schedulePolicy("p1") })).schedule_policy;
        expect(obj.metadata).toMatchObject({
            name: "p1",
            org_id: ORG,
            owner: "user-42",
            ownership: { owner: "user-42" },
        });
        expect(obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
        expect(obj.metadata.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        expect(Date.parse(obj.metadata.create_time)).toBeGreaterThanOrEqual(before - 1000);
        expect(obj.metadata.create_time_in_sec).toBe(String(Math.floor(Date.parse(obj.metadata.create_time) / 1000)));

        const uid = "11111111-2222-4333-8444-555555555555";
        const withUid = (
            await client.ok("SchedulePolicy_Create", {
                body: { ...requests.schedulePolicy("p2"), metadata: { name: "p2", org_id: ORG, uid } },
            })
        ).schedule_policy;
        expect(withUid.metadata.uid).toBe(uid);

        // Map values are written even when empty; a name "0" is not a zero value.
        const zeroish = (
            await client.ok("SchedulePolicy_Create", {
                body: { ...requests.schedulePolicy("0"), metadata: { name: "0", org_id: ORG, labels: { empty: "" } } },
            })
        ).schedule_policy;
        expect(zeroish.metadata).toMatchObject({ name: "0", labels: { empty: "" } });
        alice.exercised.forEach((op) => exercised.add(op));
    });

    test("requests may use lowerCamel names, enum numbers, 64-bit numbers and unknown keys; responses are canonical", async () => {
        const res = await client.call("SchedulePolicy_Create", {
            invalidRequest: true, // deliberately non-canonical (still valid for a jsonpb server)
            body: {
                metadata: { name: "camel", orgId: ORG, bogus: 1 },
                schedulePolicy: { interval: { minutes: 30, retain: 3 } },
                extra: null,
            },
        });
        expect(res.status).toBe(200);
        expect(res.body.schedule_policy.schedule_policy_info).toEqual({ interval: { minutes: "30", retain: "3" } });

        const n = await seed(client);
        const sched = await client.call("BackupSchedule_Create", {
            invalidRequest: true,
            body: { ...requests.backupSchedule("numeric", n), reclaim_policy: 2, backup_type: 1 },
        });
        expect(sched.status).toBe(200);
        expect(sched.body.backup_schedule.backup_schedule_info).toMatchObject({
            reclaim_policy: "Retain",
            backup_type: { type: "Generic" },
        });
        // Sort order Descending is -1 in the proto.
        const list = await client.ok("BackupSchedule_Enumerate", {
            params: { org_id: ORG },
            query: { "enumerate_options.sort_option.sortOrder.type": "Descending" },
        });
        expect(list.backup_schedules).toHaveLength(1);
    });

    test("a bad enum, a bad 64-bit integer, a wrong type and malformed JSON are InvalidArgument", async () => {
        const bad = async (body: unknown) => {
            const res = await client.call("SchedulePolicy_Create", { body, invalidRequest: true });
            expect(res.status).toBe(400);
            expect(res.body.code).toBe(3);
            expect(res.body.error).toBe(res.body.message);
            return res.body.message as string;
        };
        expect(
            await bad({ metadata: { name: "x", org_id: ORG }, schedule_policy: { interval: { minutes: "ten" } } }),
        ).toMatch(/schedule_policy\.interval\.minutes/);
        expect(await bad({ metadata: { name: 5, org_id: ORG } })).toMatch(/metadata\.name: expected a string/);
        const n = await seed(client);
        const res = await client.call("BackupSchedule_Create", {
            body: { ...requests.backupSchedule("e", n), reclaim_policy: "Sometimes" },
            invalidRequest: true,
        });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/reclaim_policy/);

        const raw = await fetch(`${sim.url}/v1/schedulepolicy`, {
            method: "POST",
            headers: { Authorization: `Bearer ${sim.token}` },
            body: "{not json",
        });
        expect(raw.status).toBe(400);
        expect((await (raw.json() as Promise<any>)).code).toBe(3);
    });
});

describe("errors", () => {
    test("uniqueness: a second create with the same name is AlreadyExists (409, code 6)", async () => {
        const n = await seed(client);
        await client.ok("BackupSchedule_Create", { body: requests.backupSchedule("dup", n) });
        const again = await client.call("BackupSchedule_Create", { body: requests.backupSchedule("dup", n) });
        expect(again.status).toBe(409);
        expect(again.body).toEqual({
            error: "backup schedule with name dup already exists",
            code: 6,
            message: "backup schedule with name dup already exists",
        });
        const cluster = await client.call("Cluster_Create", { body: requests.cluster(n.cluster) });
        expect(cluster.status).toBe(409);
        expect(cluster.body.message).toMatch(/already exists with status: Online/);
        expect(sim.store.list("backupschedule")).toHaveLength(1);
    });

    test("concurrent creates of one name: exactly one wins, the others get 409", async () => {
        const results = await Promise.all(
            Array.from({ length: 10 }, () =>
                client.call("SchedulePolicy_Create", { body: requests.schedulePolicy("race") }),
            ),
        );
        expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
        expect(sim.store.list("schedulepolicy")).toHaveLength(1);
    });

    test("not found: unknown name, uid mismatch, unknown org (404, code 5, 'object not found')", async () => {
        const pol = (await client.ok("SchedulePolicy_Create", { body: requests.schedulePolicy("p") })).schedule_policy;
        for (const [name, query] of [
            ["missing", {}],
            ["p", { uid: "00000000-0000-4000-8000-00000000dead" }],
        ] as const) {
            const res = await client.call("SchedulePolicy_Inspect", { params: params(name), query });
            expect(res.status).toBe(404);
            expect(res.body.code).toBe(5);
            expect(res.body.message).toMatch(/object not found$/);
        }
        expect(
            (await client.call("SchedulePolicy_Inspect", { params: params("p"), query: { uid: pol.metadata.uid } }))
                .status,
        ).toBe(200);
        expect((await client.call("SchedulePolicy_Delete", { params: params("missing") })).status).toBe(404);
        expect(
            (await client.call("BackupSchedule_Update", { body: { metadata: { name: "missing", org_id: ORG } } }))
                .status,
        ).toBe(404);
        const org = await client.call("SchedulePolicy_Enumerate", { params: { org_id: "nope" } });
        expect(org.status).toBe(404);
        expect(org.body.message).toBe("failed to retrieve organization [nope]: object not found");
    });

    test("references must exist and be given; referenced objects cannot be deleted", async () => {
        const n = await seed(client);
        const missing = await client.call("BackupSchedule_Create", {
            body: requests.backupSchedule("s", { ...n, policy: "no-such-policy" }),
        });
        expect(missing.status).toBe(404);
        expect(missing.body.message).toBe("failed to retrieve schedule policy [no-such-policy]: object not found");
        const body: any = requests.backupSchedule("s", n);
        delete body.cluster_ref;
        const noCluster = await client.call("BackupSchedule_Create", { body });
        expect(noCluster.status).toBe(400);
        expect(noCluster.body.message).toMatch(/cluster_ref is required/);
        const noCred = await client.call("BackupLocation_Create", {
            body: { metadata: { name: "l2", org_id: ORG }, backup_location: { type: "S3", path: "b" } },
        });
        expect(noCred.status).toBe(400);
        expect(noCred.body.message).toMatch(/cloud_credential_ref is required/);

        await client.ok("BackupSchedule_Create", { body: requests.backupSchedule("s", n) });
        const inUse = await client.call("SchedulePolicy_Delete", { params: params(n.policy) });
        expect(inUse.status).toBe(400);
        expect(inUse.body.code).toBe(9);
        expect(inUse.body.message).toBe(
            `cannot delete schedule policy [${n.policy}]: it is used by backup schedule [s]`,
        );
        const credInUse = await client.call("CloudCredential_Delete", { params: params(n.credential) });
        expect(credInUse.status).toBe(400);
    });

    test("validation: names, policies, credentials, clusters, rules", async () => {
        const n = await seed(client);
        const cases: Array<[string, unknown, RegExp]> = [
            ["BackupSchedule_Create", requests.backupSchedule("Bad_Name", n), /RFC 1123/],
            ["Backup_Create", requests.backup("UPPER", n), /RFC 1123/],
            [
                "SchedulePolicy_Create",
                { metadata: { name: "p", org_id: ORG }, schedule_policy: {} },
                /one of interval, daily, weekly or monthly/,
            ],
            [
                "SchedulePolicy_Create",
                { metadata: { name: "p", org_id: ORG }, schedule_policy: { daily: { time: "25:00" } } },
                /12-hour time/,
            ],
            [
                "SchedulePolicy_Create",
                {
                    metadata: { name: "p", org_id: ORG },
                    schedule_policy: { weekly: { day: "Funday", time: "1:00PM" } },
                },
                /weekday/,
            ],
            [
                "CloudCredential_Create",
                {
                    metadata: { name: "c", org_id: ORG },
                    cloud_credential: { type: "AWS", aws_config: { access_key: "a" } },
                },
                /aws_config\.secret_key is required/,
            ],
            ["Cluster_Create", { metadata: { name: "k", org_id: ORG }, kubeconfig: "not base64!" }, /base64/],
            [
                "Rules_Create",
                {
                    metadata: { name: "r", org_id: ORG },
                    rules_info: { rules: [{ pod_selector: { a: "b" }, actions: [] }] },
                },
                /at least one action/,
            ],
            [
                "SchedulePolicy_Create",
                { metadata: { org_id: ORG }, schedule_policy: { interval: { minutes: "5" } } },
                /name \(metadata\.name\) is required/,
            ],
        ];
        for (const [op, body, message] of cases) {
            const res = await client.call(op, { body });
            expect({ op, status: res.status, code: res.body.code }).toEqual({ op, status: 400, code: 3 });
            expect(res.body.message).toMatch(message);
        }
        expect(sim.store.list("backupschedule")).toHaveLength(0);
    });

    test("access control: owner and admins; collaborators, groups and public by level; 403 code 7", async () => {
        await client.ok("SchedulePolicy_Create", { body: requests.schedulePolicy("shared") });
        const carol = new SimulatorClient(
            sim.url,
            sim.issueToken({ sub: "carol", preferred_username: "carol", groups: ["/team-a"] }),
        );
        const denied = await carol.call("SchedulePolicy_Inspect", { params: params("shared") });
        expect(denied.status).toBe(403);
        expect(denied.body).toMatchObject({ code: 7, message: "Access denied for [Resource: schedulepolicy]" });
        expect(
            (await carol.ok("SchedulePolicy_Enumerate", { params: { org_id: ORG } })).schedule_policies,
        ).toBeUndefined(); // invisible, not an error
        const update = {
            body: { metadata: { name: "shared", org_id: ORG }, schedule_policy: { interval: { minutes: "30" } } },
        };
        expect((await carol.call("SchedulePolicy_Update", update)).status).toBe(403);

        const share = (ownership: unknown) =>
            client.ok("SchedulePolicy_UpdateOwnership", { body: { org_id: ORG, name: "shared", ownership } });
        await share({ collaborators: [{ id: "carol", access: "Read" }] });
        expect((await carol.call("SchedulePolicy_Inspect", { params: params("shared") })).status).toBe(200);
        expect(
            (await carol.ok("SchedulePolicy_Enumerate", { params: { org_id: ORG } })).schedule_policies,
        ).toHaveLength(1);
        expect((await carol.call("SchedulePolicy_Update", update)).status).toBe(403);
        await share({ groups: [{ id: "/team-a", access: "Write" }] });
        expect((await carol.call("SchedulePolicy_Update", update)).status).toBe(200);
        expect((await carol.call("SchedulePolicy_Delete", { params: params("shared") })).status).toBe(403); // delete needs Admin
        expect(
            (
                await carol.call("SchedulePolicy_UpdateOwnership", {
                    body: { org_id: ORG, name: "shared", ownership: { public: { type: "Admin" } } },
                })
            ).status,
        ).toBe(403);
        await share({ public: { type: "Admin" } });
        expect((await carol.call("SchedulePolicy_Delete", { params: params("shared") })).status).toBe(200);

        // A non-admin owns what it creates; other non-admins cannot see it, admins can.
        await carol.ok("CloudCredential_Create", { body: requests.cloudCredential("carols") });
        const dave = new SimulatorClient(sim.url, sim.issueToken({ sub: "dave", groups: [] }));
        expect((await dave.call("CloudCredential_Inspect", { params: params("carols") })).status).toBe(403);
        expect((await client.call("CloudCredential_Inspect", { params: params("carols") })).status).toBe(200);
        // Using someone else's object as a reference needs read access to it.
        const loc = await dave.call("BackupLocation_Create", { body: requests.backupLocation("daves", "carols") });
        expect(loc.status).toBe(403);
        carol.exercised.forEach((op) => exercised.add(op));
    });

    test("auth: no token, a bad token or an expired token is 401 with code 16", async () => {
        for (const token of [null, "not-a-jwt", sim.issueToken({ ttlSeconds: -10 }), sim.token.slice(0, -2) + "xx"]) {
            const res = await client.call("SchedulePolicy_Enumerate", { params: { org_id: ORG }, token });
            expect(res.status).toBe(401);
            expect(res.body.code).toBe(16);
        }
        const fixed = await startSimulator({ token: "opaque-dev-token" });
        try {
            const other = new SimulatorClient(fixed.url, "opaque-dev-token");
            expect((await other.call("SchedulePolicy_Enumerate", { params: { org_id: ORG } })).status).toBe(200);
            expect(
                (await other.call("SchedulePolicy_Enumerate", { params: { org_id: ORG }, token: sim.token })).status,
            ).toBe(401);
        } finally {
            await fixed.stop();
        }
    });

    test("routing: unknown path 404 and wrong method 405 as plain text; unimplemented routes 501", async () => {
        const unknown = await fetch(`${sim.url}/v1/nosuchthing/default`, {
            headers: { Authorization: `Bearer ${sim.token}` },
        });
        expect(unknown.status).toBe(404);
        expect(unknown.headers.get("content-type")).toMatch(/^text\/plain/);
        expect(await unknown.text()).toBe("Not Found\n");
        const wrong = await fetch(`${sim.url}/v1/schedulepolicy`, {
            method: "GET",
            headers: { Authorization: `Bearer ${sim.token}` },
        });
        expect(wrong.status).toBe(405);
        const roles = await client.call("Role_Enumerate", { params: { org_id: ORG } });
        expect(roles.status).toBe(501);
        expect(roles.body.code).toBe(12);
    });
});

test("every implemented operation was exercised against the contract", () => {
    const implemented = Object.keys(HANDLERS).sort();
    expect(implemented.filter((op) => !exercised.has(op))).toEqual([]);
    expect(implemented.length).toBeGreaterThanOrEqual(45);
});
