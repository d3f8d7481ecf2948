// Server releases end to end: the simulator routes like 2.8/2.9 (uid in the path, uid-only lookups) or 2.10+
// (`?uid=`, names resolved), the provider reads GET /v1/version once per configure and routes to match, and
// `configure` refuses a release before 2.8 or a version it cannot read.
import * as http from "http";
import type { AddressInfo } from "net";
import { PxBackupClient } from "../../../provider/client";
import { configure, currentClient } from "../../../provider/runtime";
import { startSimulator } from "../../../tools/simulator/server";
import { Harness, createChecked, fastSettings, foundation, scheduleInputs, startHarness, stopHarness } from "./harness";

const cfg = (url: string, token: string) => ({
    config: {
        get: (k: string) => ({ "kube-backup:url": url, "kube-backup:token": token, "kube-backup:maxRetries": "0" })[k],
    },
});

describe("the simulator plays a release", () => {
    test("2.9: uid-in-path routes answer, the 2.10 shapes get the gateway's plain-text 404/405", async () => {
        const sim = await startSimulator({ serverVersion: "2.9.3" });
        const c = new PxBackupClient(fastSettings(sim.url, sim.token));
        try {
            expect(await c.get("/v1/version")).toMatchObject({ version: { major: "2", minor: "9", patch: "3" } });
            const { schedule_policy: p } = await c.post("/v1/schedulepolicy", {
                metadata: { name: "p", org_id: "default" },
                schedule_policy: { interval: { minutes: "5" } },
            });
            const uid = p.metadata.uid;
            expect((await c.get(`/v1/schedulepolicy/default/p/${uid}`)).schedule_policy.metadata.uid).toBe(uid);
            await expect(c.get("/v1/schedulepolicy/default/p", { uid })).rejects.toMatchObject({
                status: 404,
                code: undefined,
                serverMessage: "Not Found",
            });
            // Cluster inspect has the uid in the path, cluster delete does not: GET on the short path is a 405.
            await expect(c.get("/v1/cluster/default/x")).rejects.toMatchObject({ status: 405 });
            // A name-only reference finds nothing before 2.10.
            await expect(
                c.post("/v1/backupschedule", {
                    metadata: { name: "s", org_id: "default" },
                    schedule_policy_ref: { name: "p" },
                }),
            ).rejects.toMatchObject({
                code: 5,
                serverMessage: expect.stringMatching(/schedule policy \[p\].*not found/),
            });
            await c.delete(`/v1/schedulepolicy/default/p/${uid}`);
            // Switched at run time (control API): the same objects, routed the 2.10 way.
            sim.setServerVersion("2.10.1");
            await expect(c.get(`/v1/schedulepolicy/default/p/${uid}`)).rejects.toMatchObject({ status: 404 });
            expect(await c.get("/v1/version")).toMatchObject({ version: { major: "2", minor: "10", patch: "1" } });
        } finally {
            c.close();
            await sim.stop();
        }
    });

    test("the control API reads and sets the release; a malformed one is refused", async () => {
        const sim = await startSimulator();
        try {
            const put = (body: unknown) =>
                fetch(`${sim.url}/__simulator/version`, { method: "PUT", body: JSON.stringify(body) });
            expect(await (await fetch(`${sim.url}/__simulator/version`)).json()).toEqual({ version: "2.10.1" });
            expect(await (await put({ version: "2.8.1" })).json()).toEqual({ version: "2.8.1" });
            const bad = await put({ version: "latest" });
            expect(bad.status).toBe(400);
            expect(sim.serverVersion).toBe("2.8.1");
        } finally {
            await sim.stop();
        }
    });
});

describe("configure", () => {
    test("reads GET /v1/version once and refuses a release before 2.8, naming it", async () => {
        const sim = await startSimulator({ serverVersion: "2.7.2" });
        try {
            await expect(configure(cfg(sim.url, sim.token))).rejects.toThrow(
                "PX-Backup 2.7.2 is not supported: kube-backup needs PX-Backup 2.8 or later",
            );
            sim.setServerVersion("2.8.0");
            sim.requests.clear();
            await configure(cfg(sim.url, sim.token));
            await currentClient().generation();
            await currentClient().generation();
            expect(sim.requests.countByOperation()).toEqual({ Version_Get: 1 });
            expect(currentClient().serverVersion).toEqual({ major: 2, minor: 8, patch: 0 });
        } finally {
            currentClient().close();
            await sim.stop();
        }
    });

    test("refuses a server whose version it cannot read", async () => {
        const server = http.createServer((_req, res) => {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ version: { major: "", minor: "", git_commit: "x" } }));
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
            await expect(configure(cfg(url, "t"))).rejects.toThrow(
                /GET \/v1\/version .*no readable version.major and version.minor/,
            );
        } finally {
            currentClient().close();
            server.closeAllConnections();
            await new Promise((r) => server.close(r));
        }
    });

    test("an unreachable server does not fail configure (a preview without changes needs none)", async () => {
        const server = http.createServer();
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        await new Promise((r) => server.close(r));
        await expect(configure(cfg(url, "t"))).resolves.toBeUndefined();
        await expect(currentClient().generation()).rejects.toMatchObject({ transportCode: "ECONNREFUSED" });
        currentClient().close();
    });
});

describe.each(["2.8.3", "2.9.1"])("the provider against PX-Backup %s", (serverVersion) => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness({ serverVersion });
        await foundation(h);
    });
    afterAll(() => stopHarness(h));

    test("name-only references get their uid by name; inspect and delete put the uid in the path", async () => {
        h.sim.requests.clear();
        const { id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "legacy" }));
        const uidOf = (kind: "schedulepolicy" | "backuplocation" | "cluster", name: string) =>
            h.sim.inspect(kind, name)!.metadata.uid;
        expect(h.sim.info("backupschedule", "legacy")).toMatchObject({
            schedule_policy_ref: { name: "daily", uid: uidOf("schedulepolicy", "daily") },
            backup_location_ref: { name: "s3", uid: uidOf("backuplocation", "s3") },
            cluster_ref: { name: "app", uid: uidOf("cluster", "app") },
        });
        // One list per reference (policies have no name filter; the others filter by name), then the POST.
        expect(h.sim.requests.countByOperation()).toEqual({
            SchedulePolicy_Enumerate: 1,
            BackupLocation_Enumerate: 1,
            Cluster_Enumerate: 1,
            BackupSchedule_Create: 1,
        });
        h.sim.requests.clear();
        await h.m("BackupSchedule").delete(id, outs);
        const uid = outs.uid as string;
        expect(h.sim.requests.filter({ method: "DELETE" }).map((r) => r.path)).toEqual([
            `/v1/backupschedule/default/legacy/${uid}`,
        ]);
        // Schedule inspect keeps `?uid=` on every release.
        expect(h.sim.requests.filter({ method: "GET" }).map((r) => [r.path, r.query])).toEqual([
            ["/v1/backupschedule/default/legacy", `?uid=${uid}`],
        ]);
    });

    test("a reference to a missing object fails naming the input", async () => {
        await expect(
            h.m("BackupSchedule").create(scheduleInputs({ name: "orphan", schedulePolicyRef: { name: "nope" } })),
        ).rejects.toThrow('BackupSchedule.schedulePolicyRef: no SchedulePolicy named "nope" in organization "default"');
    });

    test("adoption without a uid finds the object's uid by listing", async () => {
        const { outs } = await createChecked(h, "Rule", {
            name: "quiesce",
            rules: [{ podSelector: { app: "db" }, actions: [{ value: "sync" }] }],
        });
        const adopted = await h.m("Rule").create({
            name: "quiesce",
            orgId: "default",
            adoptExisting: true,
            rules: [{ podSelector: { app: "db" }, actions: [{ value: "sync; sync" }] }],
        });
        expect(adopted.id).toBe(`default/quiesce/${outs.uid}`);
        expect(h.sim.info("rule", "quiesce")!.rules[0].actions[0].value).toBe("sync; sync");
        await h.m("Rule").delete(adopted.id, adopted.outs);
        expect(h.sim.inspect("rule", "quiesce")).toBeUndefined();
    });
});
