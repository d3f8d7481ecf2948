// Simulator behaviour over time and across many objects: pagination, filters and sorting, asynchronous state
// progression with real delays, configured outcomes, and the Keycloak token exchange.
import { SimulatorHandle, startSimulator } from "../../tools/simulator/server";
import { ORG, SimulatorClient, requests, seed } from "../support/simulator-client";

let sim: SimulatorHandle;
let client: SimulatorClient;

beforeAll(async () => {
    sim = await startSimulator({
        validateResponses: true,
        users: [
            { username: "alice", password: "wonderland", sub: "alice-uid", groups: ["/px-admin-group"] },
            { username: "bob", password: "builder" },
        ],
        tokenTtlSeconds: 120,
    });
    client = new SimulatorClient(sim.url, sim.token);
});
afterEach(() => {
    expect(sim.contractViolations).toEqual([]);
    sim.reset();
});
afterAll(async () => {
    await sim.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("pagination, filters, sorting", () => {
    test("max_objects/object_index pages through everything exactly once; total_count and complete per page", async () => {
        const n = await seed(client);
        const names = Array.from({ length: 7 }, (_, i) => `sched-${i}`);
        for (const name of names) {
            await client.ok("BackupSchedule_Create", { body: requests.backupSchedule(name, n) });
            await sleep(2); // distinct creation times
        }
        const pages: string[][] = [];
        let index = 0;
        for (;;) {
            const page = await client.ok("BackupSchedule_Enumerate", {
                params: { org_id: ORG },
                query: { "enumerate_options.max_objects": 3, "enumerate_options.object_index": index },
            });
            expect(page.total_count).toBe("7");
            const got = page.backup_schedules.map((s: any) => s.metadata.name);
            pages.push(got);
            index += got.length;
            if (page.complete) break;
            expect(pages.length).toBeLessThan(5);
        }
        expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
        // Default order: newest first.
        expect(pages.flat()).toEqual([...names].reverse());

        const beyond = await client.ok("BackupSchedule_Enumerate", {
            params: { org_id: ORG },
            query: { "enumerate_options.max_objects": 3, "enumerate_options.object_index": 9 },
        });
        expect(beyond).toEqual({ total_count: "7", complete: true });

        const byName = await client.ok("BackupSchedule_Enumerate2", {
            params: { org_id: ORG },
            body: {
                org_id: ORG,
                enumerate_options: {
                    sort_option: { sortBy: { type: "Name" }, sortOrder: { type: "Ascending" } },
                    max_objects: "2",
                },
            },
        });
        expect(byName.backup_schedules.map((s: any) => s.metadata.name)).toEqual(["sched-0", "sched-1"]);
        expect(byName.complete).toBeUndefined(); // false is omitted on the wire
    });

    test("name, label, owner, time range, cluster and status filters", async () => {
        const n = await seed(client);
        await client.ok("Cluster_Create", { body: requests.cluster("other-cluster") });
        const t0 = new Date(Date.now() - 1000).toISOString();
        await client.ok("BackupSchedule_Create", { body: requests.backupSchedule("alpha", n) });
        await sleep(20);
        const mid = new Date().toISOString();
        await sleep(20);
        await client.ok("BackupSchedule_Create", {
            body: {
                ...requests.backupSchedule("beta", { ...n, cluster: "other-cluster" }),
                metadata: { name: "beta", org_id: ORG, labels: { team: "data" } },
            },
        });
        const bob = new SimulatorClient(sim.url, sim.issueToken({ sub: "bob-uid", preferred_username: "bob" }));
        await bob.ok("BackupSchedule_Create", { body: requests.backupSchedule("gamma-alpha", n) });

        const names = async (query: Record<string, string | string[]>) =>
            ((await client.ok("BackupSchedule_Enumerate", { params: { org_id: ORG }, query })).backup_schedules ?? [])
                .map((s: any) => s.metadata.name)
                .sort();
        expect(await names({ "enumerate_options.name_filter": "alpha" })).toEqual(["alpha", "gamma-alpha"]);
        expect(await names({ "enumerate_options.owners": "bob-uid" })).toEqual(["gamma-alpha"]);
        expect(await names({ "enumerate_options.cluster_name_filter": "other" })).toEqual(["beta"]);
        expect(
            await names({
                "enumerate_options.time_range.start_time": t0,
                "enumerate_options.time_range.end_time": mid,
            }),
        ).toEqual(["alpha"]);
        expect(await names({ "enumerate_options.time_range.start_time": mid })).toEqual(["beta", "gamma-alpha"]);

        const labelled = await client.ok("BackupSchedule_Enumerate2", {
            params: { org_id: ORG },
            body: { org_id: ORG, labels: { team: "data" } },
        });
        expect(labelled.backup_schedules.map((s: any) => s.metadata.name)).toEqual(["beta"]);
        const viaQuery = await fetch(`${sim.url}/v1/backupschedule/${ORG}?labels[team]=platform`, {
            headers: { Authorization: `Bearer ${sim.token}` },
        });
        expect(
            (await (viaQuery.json() as Promise<any>)).backup_schedules.map((s: any) => s.metadata.name).sort(),
        ).toEqual(["alpha", "gamma-alpha"]);

        sim.setOutcomes({ byName: { "bk-fail": { status: "Failed", reason: "volume snapshot failed" } } });
        await client.ok("Backup_Create", { body: requests.backup("bk-ok", n) });
        await client.ok("Backup_Create", { body: requests.backup("bk-fail", n) });
        const failed = await client.ok("Backup_Enumerate", {
            params: { org_id: ORG },
            query: { "enumerate_options.status": ["Failed", "Aborted"] },
        });
        expect(failed.backups.map((b: any) => b.metadata.name)).toEqual(["bk-fail"]);
        expect(failed.backups[0].backup_info.status).toEqual({ status: "Failed", reason: "volume snapshot failed" });
        // resource_info matches backups holding that resource (bk-ok backed up namespaces app and db).
        const holding = await client.ok("Backup_Enumerate", {
            params: { org_id: ORG },
            query: {
                "enumerate_options.resource_info.kind": "Namespace",
                "enumerate_options.resource_info.name": "db",
            },
        });
        expect(holding.backups.map((b: any) => b.metadata.name)).toEqual(["bk-ok"]);
        const none = await client.ok("Backup_Enumerate", {
            params: { org_id: ORG },
            query: { "enumerate_options.resource_info.name": "other" },
        });
        expect(none.backups).toBeUndefined();
        bob.exercised.clear();
    });

    test("cloud credentials and backup locations paginate too (CommonEnumerateOptions)", async () => {
        for (let i = 0; i < 5; i++)
            await client.ok("CloudCredential_Create", { body: requests.cloudCredential(`cred-${i}`) });
        const page = await client.ok("CloudCredential_Enumerate", {
            params: { org_id: ORG },
            query: { "enumerate_options.max_objects": 2, "enumerate_options.object_index": 4 },
        });
        expect(page).toMatchObject({ total_count: "5", complete: true });
        expect(page.cloud_credentials).toHaveLength(1);
        const filtered = await client.ok("CloudCredential_Enumerate", {
            params: { org_id: ORG },
            query: { "enumerate_options.name_filter": "-3" },
        });
        expect(filtered.cloud_credentials.map((c: any) => c.metadata.name)).toEqual(["cred-3"]);
    });
});

describe("asynchronous states", () => {
    test("a backup goes Pending → InProgress → Success on the configured delays", async () => {
        const n = await seed(client);
        sim.setDelays({ backupPending: 400, backupInProgress: 400 });
        const started = Date.now();
        await client.ok("Backup_Create", { body: requests.backup("timed", n) });
        const seen: Array<[string, number]> = [];
        while (Date.now() - started < 3000) {
            const status = (await client.ok("Backup_Inspect", { params: { org_id: ORG, name: "timed" } })).backup
                .backup_info.status.status as string;
            if (seen.length === 0 || seen[seen.length - 1][0] !== status) seen.push([status, Date.now() - started]);
            if (status === "Success") break;
            await sleep(20);
        }
        expect(seen.map(([s]) => s)).toEqual(["Pending", "InProgress", "Success"]);
        expect(seen[1][1]).toBeGreaterThanOrEqual(390);
        expect(seen[2][1]).toBeGreaterThanOrEqual(790);
    });

    test("failure outcomes carry the reason; stuck backups stay until settled", async () => {
        const n = await seed(client);
        sim.setOutcomes({ backup: { status: "Aborted", reason: "aborted by operator" } });
        await client.ok("Backup_Create", { body: requests.backup("aborted", n) });
        const aborted = (await client.ok("Backup_Inspect", { params: { org_id: ORG, name: "aborted" } })).backup
            .backup_info;
        expect(aborted.status).toEqual({ status: "Aborted", reason: "aborted by operator" });
        expect(aborted.total_size).toBeUndefined();

        sim.setOutcomes({ backup: { status: "Success" } });
        sim.setDelays({ backupInProgress: -1 });
        await client.ok("Backup_Create", { body: requests.backup("stuck", n) });
        await sleep(50);
        expect(
            (await client.ok("Backup_Inspect", { params: { org_id: ORG, name: "stuck" } })).backup.backup_info.status
                .status,
        ).toBe("InProgress");
        sim.settle();
        expect(
            (await client.ok("Backup_Inspect", { params: { org_id: ORG, name: "stuck" } })).backup.backup_info.status
                .status,
        ).toBe("Success");
    });

    test("deleting a backup: DeletePending → Deleting → gone; the name is taken until then", async () => {
        const n = await seed(client);
        sim.setDelays({ deletePending: 300, backupDeleting: 300 });
        await client.ok("Backup_Create", { body: requests.backup("bye", n) });
        const started = Date.now();
        await client.ok("Backup_Delete", { params: { org_id: ORG, name: "bye" } });
        expect((await client.call("Backup_Create", { body: requests.backup("bye", n) })).status).toBe(409);
        const seen: Array<[string, number]> = [];
        while (Date.now() - started < 5000) {
            const res = await client.call("Backup_Inspect", { params: { org_id: ORG, name: "bye" } });
            const status = res.status === 404 ? "gone" : (res.body.backup.backup_info.status.status as string);
            if (seen.length === 0 || seen[seen.length - 1][0] !== status) seen.push([status, Date.now() - started]);
            if (status === "gone") break;
            await sleep(20);
        }
        expect(seen.map(([s]) => s)).toEqual(["DeletePending", "Deleting", "gone"]);
        expect(seen[2][1]).toBeGreaterThanOrEqual(590);
        expect((await client.call("Backup_Create", { body: requests.backup("bye", n) })).status).toBe(200);
    });

    test("control API changes delays and outcomes and settles over HTTP", async () => {
        const put = (path: string, body: unknown) =>
            fetch(`${sim.url}/__simulator/${path}`, { method: "PUT", body: JSON.stringify(body) }).then(
                (r) => r.json() as Promise<any>,
            );
        expect(await put("delays", { clusterPending: -1 })).toMatchObject({ clusterPending: -1 });
        await put("outcomes", { cluster: { status: "Failed", reason: "unreachable" } });
        await client.ok("Cluster_Create", { body: requests.cluster("k") });
        expect(
            (await client.ok("Cluster_Inspect", { params: { org_id: ORG, name: "k" } })).cluster.clusterInfo.status
                .status,
        ).toBe("Pending");
        await fetch(`${sim.url}/__simulator/settle`, { method: "POST" });
        expect(
            (await client.ok("Cluster_Inspect", { params: { org_id: ORG, name: "k" } })).cluster.clusterInfo.status,
        ).toEqual({ status: "Failed", reason: "unreachable" });
    });
});

describe("Keycloak token endpoint", () => {
    const tokenUrl = () => `${sim.authUrl}/auth/realms/master/protocol/openid-connect/token`;
    const exchange = (form: Record<string, string>) =>
        fetch(tokenUrl(), {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams(form).toString(),
        });

    test("password grant returns a JWT the API accepts; objects are owned by the user's sub", async () => {
        const res = await exchange({
            grant_type: "password",
            client_id: sim.clientId,
            username: "alice",
            password: "wonderland",
        });
        expect(res.status).toBe(200);
        const body = await (res.json() as Promise<any>);
        expect(body).toMatchObject({
            token_type: "Bearer",
            expires_in: 120,
            access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        });
        const claims = JSON.parse(Buffer.from(body.access_token.split(".")[1], "base64url").toString());
        expect(claims).toMatchObject({ sub: "alice-uid", preferred_username: "alice", groups: ["/px-admin-group"] });
        expect(claims.exp - claims.iat).toBe(120);

        const alice = new SimulatorClient(sim.url, body.access_token);
        const created = (await alice.ok("SchedulePolicy_Create", { body: requests.schedulePolicy("alices") }))
            .schedule_policy;
        expect(created.metadata.ownership.owner).toBe("alice-uid");
        expect(sim.requests.count({ operationId: "Keycloak_Token" })).toBe(1);
    });

    test("token-duration (PX Central extension) sets the lifetime; an expired token is refused", async () => {
        const res = await exchange({
            grant_type: "password",
            client_id: "pxcentral",
            username: "bob",
            password: "builder",
            "token-duration": "7d",
        });
        expect((await (res.json() as Promise<any>)).expires_in).toBe(7 * 86400);
        const short: any = await (
            await exchange({
                grant_type: "password",
                client_id: "pxcentral",
                username: "bob",
                password: "builder",
                "token-duration": "2s",
            })
        ).json(); // exp has whole-second resolution: valid for 1-2 s
        const bob = new SimulatorClient(sim.url, short.access_token);
        expect((await bob.call("SchedulePolicy_Enumerate", { params: { org_id: ORG } })).status).toBe(200);
        await sleep(2100);
        const expired = await bob.call("SchedulePolicy_Enumerate", { params: { org_id: ORG } });
        expect(expired.status).toBe(401);
        expect(expired.body.code).toBe(16);
    });

    test("wrong password, unknown client, other grants and bad content type fail like Keycloak", async () => {
        const cases: Array<[Record<string, string>, number, string]> = [
            [
                { grant_type: "password", client_id: "pxcentral", username: "alice", password: "nope" },
                401,
                "invalid_grant",
            ],
            [
                { grant_type: "password", client_id: "pxcentral", username: "mallory", password: "x" },
                401,
                "invalid_grant",
            ],
            [
                { grant_type: "password", client_id: "other", username: "alice", password: "wonderland" },
                401,
                "invalid_client",
            ],
            [{ grant_type: "client_credentials", client_id: "pxcentral" }, 400, "unsupported_grant_type"],
            [{ client_id: "pxcentral" }, 400, "invalid_request"],
        ];
        for (const [form, status, error] of cases) {
            const res = await exchange(form);
            expect({ form, status: res.status, error: (await (res.json() as Promise<any>)).error }).toEqual({
                form,
                status,
                error,
            });
        }
        const json = await fetch(tokenUrl(), {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: "{}",
        });
        expect(json.status).toBe(400);
        const realm = await fetch(`${sim.authUrl}/auth/realms/other/protocol/openid-connect/token`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: "grant_type=password",
        });
        expect(realm.status).toBe(404);
    });
});

describe("schedules that run (runSchedules)", () => {
    let runner: SimulatorHandle;
    let rc: SimulatorClient;
    beforeAll(async () => {
        runner = await startSimulator({ validateResponses: true, runSchedules: true });
        rc = new SimulatorClient(runner.url, runner.token);
    });
    afterAll(async () => {
        expect(runner.contractViolations).toEqual([]);
        await runner.stop();
    });

    test("a new schedule runs a backup; status and backup_status report its runs; reclaim Delete removes them", async () => {
        const n = await seed(rc);
        const sched = (await rc.ok("BackupSchedule_Create", { body: requests.backupSchedule("nightly", n) }))
            .backup_schedule;
        const first = (await rc.ok("Backup_Enumerate", { params: { org_id: ORG } })).backups;
        expect(first).toHaveLength(1);
        expect(first[0].metadata.name).toMatch(/^nightly-interval-\d+$/);
        expect(first[0].backup_info).toMatchObject({
            backup_schedule: { name: "nightly", uid: sched.metadata.uid },
            namespaces: ["app"],
            schedule_policy_ref: { name: n.policy },
        });

        await sleep(5);
        const second = runner.runSchedule("nightly");
        const info = (await rc.ok("BackupSchedule_Inspect", { params: { org_id: ORG, name: "nightly" } }))
            .backup_schedule.backup_schedule_info;
        expect(info.status).toMatchObject({
            backup_name: second.metadata.name,
            status: "Success",
            finish_time: expect.any(String),
        });
        expect(info.backup_status.Interval.status.map((s: any) => s.backup_name)).toEqual([
            second.metadata.name,
            first[0].metadata.name,
        ]);
        const filtered = await rc.ok("Backup_Enumerate2", {
            params: { org_id: ORG },
            body: { org_id: ORG, enumerate_options: { backup_schedule_ref: [{ uid: sched.metadata.uid }] } },
        });
        expect(filtered.backups).toHaveLength(2);

        runner.setDelays({ deletePending: -1 });
        await rc.ok("BackupSchedule_Delete", { params: { org_id: ORG, name: "nightly" } });
        const during = (await rc.ok("Backup_Enumerate", { params: { org_id: ORG } })).backups.map(
            (b: any) => b.backup_info.status.status,
        );
        expect(during).toEqual(["DeletePending", "DeletePending"]);
        runner.settle();
        expect((await rc.ok("Backup_Enumerate", { params: { org_id: ORG } })).backups).toBeUndefined();
    });

    test("reclaim_policy Retain keeps the backups", async () => {
        const n = await seed(rc, "r");
        await rc.ok("BackupSchedule_Create", {
            body: { ...requests.backupSchedule("kept", n), reclaim_policy: "Retain" },
        });
        await rc.ok("BackupSchedule_Delete", { params: { org_id: ORG, name: "kept" } });
        runner.settle();
        const left = (await rc.ok("Backup_Enumerate", { params: { org_id: ORG } })).backups;
        expect(left.map((b: any) => [b.metadata.name.replace(/\d+$/, "N"), b.backup_info.status.status])).toEqual([
            ["kept-interval-N", "Success"],
        ]);
    });
});

describe("strict request validation (validateRequests) for client tests", () => {
    let strict: SimulatorHandle;
    beforeAll(async () => {
        strict = await startSimulator({ validateRequests: true });
    });
    afterAll(async () => {
        await strict.stop();
    });

    test("a request with fields or query parameters outside the contract is refused and recorded", async () => {
        const post = (body: unknown, query = "") =>
            fetch(`${strict.url}/v1/schedulepolicy${query}`, {
                method: "POST",
                headers: { Authorization: `Bearer ${strict.token}` },
                body: JSON.stringify(body),
            });
        const camel = await post({
            metadata: { name: "p", orgId: ORG },
            schedule_policy: { interval: { minutes: "5" } },
        });
        expect(camel.status).toBe(400);
        expect((await (camel.json() as Promise<any>)).message).toMatch(
            /request violates the PX-Backup contract: .*additional properties/,
        );
        const numeric = await post({
            metadata: { name: "p", org_id: ORG },
            schedule_policy: { interval: { minutes: 5 } },
        });
        expect(numeric.status).toBe(400);
        const list = await fetch(`${strict.url}/v1/backupschedule/${ORG}?max_objects=5`, {
            headers: { Authorization: `Bearer ${strict.token}` },
        });
        expect(list.status).toBe(400);
        expect(strict.contractViolations.map((v) => [v.operationId, v.direction])).toEqual([
            ["SchedulePolicy_Create", "request"],
            ["SchedulePolicy_Create", "request"],
            ["BackupSchedule_Enumerate", "request"],
        ]);
        expect(
            (await post({ metadata: { name: "p", org_id: ORG }, schedule_policy: { interval: { minutes: "5" } } }))
                .status,
        ).toBe(200);
        expect(strict.store.list("schedulepolicy")).toHaveLength(1);
    });
});
