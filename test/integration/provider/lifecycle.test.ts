// Provider methods against the real simulator: create → second diff empty, drift found by read and
// repaired by update, suspend kept, replacement, 404 paths, functions with pagination.
import { PxBackupClient } from "../../../provider/client";
import { ResourceInitError } from "../../../provider/machinery";
import {
    listBackupSchedules,
    getBackupSchedule,
    getBackupScheduleOutput,
    listBackups,
} from "../../../provider/functions";
import {
    Harness,
    createChecked,
    foundation,
    scheduleInputs,
    startHarness,
    stopHarness,
    fastSettings,
    SERVER_VERSIONS,
} from "./harness";

describe.each(SERVER_VERSIONS)("PX-Backup %s", (serverVersion) => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness({ serverVersion });
        await foundation(h);
    });
    afterAll(() => stopHarness(h));

    const countOf = (f: () => Promise<unknown>) => async () => {
        const before = h.client.stats.requests;
        const result = await f();
        return { result, requests: h.client.stats.requests - before };
    };

    test("create from nothing: outputs are the server's; a second diff is empty with zero HTTP calls", async () => {
        const { inputs, id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs());
        expect(id).toMatch(/^default\/nightly\/[0-9a-f-]{36}$/);
        expect(outs).toMatchObject({
            name: "nightly",
            orgId: "default",
            namespaces: ["default", "db"],
            reclaimPolicy: "Delete",
            clusterRef: { name: "app" },
            schedulePolicyRef: { name: "daily" },
        });
        expect(outs.uid).toBe(id.split("/")[2]);
        expect(outs.clusterRef.uid).toBe(h.sim.inspect("cluster", "app")!.metadata.uid);
        expect(typeof outs.createTime).toBe("string");
        const before = h.client.stats.requests;
        expect(await h.m("BackupSchedule").diff(id, outs, inputs)).toEqual({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(h.client.stats.requests).toBe(before);
        // Refresh: read returns the same state and inputs, and the diff stays empty.
        const r = await h.m("BackupSchedule").read(id, outs);
        expect(r.id).toBe(id);
        expect(r.inputs).toMatchObject({ name: "nightly", namespaces: ["default", "db"], labels: { team: "db" } });
        expect(r.inputs).not.toHaveProperty("status");
        expect((await h.m("BackupSchedule").diff(id, r.props, inputs)).changes).toBe(false);
        await h.m("BackupSchedule").delete(id, outs);
    });

    test("out-of-band change: read returns it, diff shows it, update restores it", async () => {
        const { inputs, id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "drift" }));
        // Someone edits the schedule in the PX-Backup UI (a plain PUT from another client).
        const other = new PxBackupClient(fastSettings(h.sim.url, h.sim.token));
        await other.put("/v1/backupschedule", {
            metadata: { name: "drift", org_id: "default", uid: outs.uid, labels: { team: "db" } },
            // With its uid: before 2.10 the server finds references by uid only.
            schedule_policy_ref: { name: "hourly", uid: h.sim.inspect("schedulepolicy", "hourly")!.metadata.uid },
            namespaces: ["default"],
            suspend: false,
        });
        other.close();
        const r = await h.m("BackupSchedule").read(id, outs);
        expect(r.props.namespaces).toEqual(["default"]);
        expect(r.props.schedulePolicyRef.name).toBe("hourly");
        expect(r.inputs!.namespaces).toEqual(["default"]);
        expect(await h.m("BackupSchedule").diff(id, r.props, inputs)).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        const u = await countOf(() => h.m("BackupSchedule").update(id, r.props, inputs))();
        const restored = (u.result as { outs: Record<string, any> }).outs;
        // read, whole-object write, read back; before 2.10 also a lookup of the re-pointed policy's uid
        expect(u.requests).toBe(serverVersion === "2.10.1" ? 3 : 4);
        expect(restored.namespaces).toEqual(["default", "db"]);
        expect(restored.schedulePolicyRef.name).toBe("daily");
        expect(restored.uid).toBe(outs.uid);
        expect(h.sim.inspect("backupschedule", "drift")!.backup_schedule_info.namespaces).toEqual(["default", "db"]);
        expect((await h.m("BackupSchedule").diff(id, restored, inputs)).changes).toBe(false);
        // update returns every output, not just the changed ones
        for (const k of ["uid", "createTime", "clusterRef", "backupLocationRef", "reclaimPolicy", "labels"])
            expect(restored).toHaveProperty(k);
        await h.m("BackupSchedule").delete(id, restored);
    });

    test("suspend: created suspended, kept across updates that do not mention it, resumed only explicitly", async () => {
        const { inputs, id, outs } = await createChecked(
            h,
            "BackupSchedule",
            scheduleInputs({ name: "paused", suspend: true }),
        );
        expect(outs.suspend).toBe(true);
        expect(h.sim.inspect("backupschedule", "paused")!.backup_schedule_info.suspend).toBe(true);
        // The program stops mentioning suspend and changes something else: still suspended.
        const { suspend: _s, ...withoutSuspend } = inputs as Record<string, unknown>;
        const next = { ...withoutSuspend, namespaces: ["db"] };
        const d = await h.m("BackupSchedule").diff(id, outs, next);
        expect(d.changes).toBe(true);
        const u1 = await h.m("BackupSchedule").update(id, outs, next);
        expect(u1.outs.suspend).toBe(true);
        expect(u1.outs.namespaces).toEqual(["db"]);
        expect(h.sim.inspect("backupschedule", "paused")!.backup_schedule_info.suspend).toBe(true);
        expect((await h.m("BackupSchedule").diff(id, u1.outs, next)).changes).toBe(false);
        // Explicit resume.
        const resume = { ...next, suspend: false };
        expect((await h.m("BackupSchedule").diff(id, u1.outs, resume)).changes).toBe(true);
        const u2 = await h.m("BackupSchedule").update(id, u1.outs, resume);
        expect(u2.outs.suspend).toBeUndefined();
        expect(h.sim.inspect("backupschedule", "paused")!.backup_schedule_info.suspend).toBeFalsy();
        await h.m("BackupSchedule").delete(id, u2.outs);
    });

    test("suspend is asynchronous (Suspending/Resuming): create and update wait until it shows", async () => {
        h.sim.setDelays({ scheduleSuspend: 120 });
        try {
            const { inputs, id, outs } = await createChecked(
                h,
                "BackupSchedule",
                scheduleInputs({ name: "slow-pause", suspend: true }),
            );
            expect(outs.suspend).toBe(true);
            expect(outs.suspendedBy).toBe("User");
            expect((await h.m("BackupSchedule").diff(id, outs, inputs)).changes).toBe(false);
            h.sim.requests.clear();
            const { outs: resumed } = await h.m("BackupSchedule").update(id, outs, { ...inputs, suspend: false });
            expect(resumed.suspend).toBeUndefined();
            expect(resumed.status).toBeUndefined(); // no longer Resuming (and no backup ran)
            // It read again while the server still said Resuming.
            expect(h.sim.requests.count({ operationId: "BackupSchedule_Inspect" })).toBeGreaterThan(2);
            // A suspend that never shows is bounded by waitTimeoutSeconds and keeps the resource in state.
            h.sim.setDelays({ scheduleSuspend: -1 });
            const err = await h
                .m("BackupSchedule")
                .update(id, resumed, { ...inputs, suspend: true, waitTimeoutSeconds: 1 })
                .catch((e) => e);
            expect(err).toBeInstanceOf(ResourceInitError);
            expect(err.message).toMatch(/BackupSchedule "slow-pause": Suspending after 1s; raise waitTimeoutSeconds/);
            h.sim.settle();
            await h.m("BackupSchedule").delete(id, err.properties);
        } finally {
            h.sim.setDelays({ scheduleSuspend: 0 });
        }
    });

    test("suspended in the UI while the program never mentions suspend: refresh shows it, nothing undoes it", async () => {
        const { inputs, id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "ui-paused" }));
        await h.client.put("/v1/backupschedule", {
            metadata: { name: "ui-paused", org_id: "default", uid: outs.uid },
            schedule_policy_ref: { name: "daily" },
            suspend: true,
        });
        const r = await h.m("BackupSchedule").read(id, outs);
        expect(r.props.suspend).toBe(true);
        expect(r.props.suspendedBy).toBe("User");
        // Not reported as an input the program set, so a preview does not show the program "removing" it...
        expect(r.inputs).not.toHaveProperty("suspend");
        expect(r.inputs).not.toHaveProperty("uid");
        // ...and the diff has nothing to do.
        expect((await h.m("BackupSchedule").diff(id, r.props, inputs)).changes).toBe(false);
        const u = await h.m("BackupSchedule").update(id, r.props, { ...inputs, namespaces: ["db"] });
        expect(u.outs.suspend).toBe(true);
        // When the program does set suspend, read reports it as an input.
        const set = await h.m("BackupSchedule").update(id, u.outs, { ...inputs, suspend: true });
        expect((await h.m("BackupSchedule").read(id, set.outs)).inputs).toMatchObject({ suspend: true });
        await h.m("BackupSchedule").delete(id, set.outs);
    });

    test("ownership is managed only when the program sets it; groups added in the UI survive updates", async () => {
        const { inputs, id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "shared" }));
        await h.client.put("/v1/backupschedule", {
            metadata: {
                name: "shared",
                org_id: "default",
                uid: outs.uid,
                ownership: { owner: outs.ownership.owner, groups: [{ id: "ops", access: "Read" }] },
            },
            schedule_policy_ref: { name: "daily" },
        });
        const r = await h.m("BackupSchedule").read(id, outs);
        expect(r.props.ownership.groups).toEqual([{ id: "ops", access: "Read" }]);
        expect((await h.m("BackupSchedule").diff(id, r.props, inputs)).changes).toBe(false);
        const u = await h.m("BackupSchedule").update(id, r.props, { ...inputs, namespaces: ["db"] });
        expect(u.outs.ownership.groups).toEqual([{ id: "ops", access: "Read" }]);
        // Once the program sets ownership it is enforced (the server's owner is kept).
        const managed = { ...inputs, ownership: { collaborators: [{ id: "user-7", access: "Write" }] } };
        expect((await h.m("BackupSchedule").diff(id, u.outs, managed)).changes).toBe(true);
        const m2 = await h.m("BackupSchedule").update(id, u.outs, managed);
        expect(m2.outs.ownership).toEqual({
            owner: outs.ownership.owner,
            collaborators: [{ id: "user-7", access: "Write" }],
        });
        expect((await h.m("BackupSchedule").diff(id, m2.outs, managed)).changes).toBe(false);
        await h.m("BackupSchedule").delete(id, m2.outs);
    });

    test("immutable field on a schedule whose backups go with it: refused at preview, replaced only when opted in", async () => {
        await createChecked(h, "Cluster", { name: "app2", kubeconfig: "apiVersion: v1\n" });
        const { inputs, id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "moving" }));
        const made = h.sim.runSchedule("moving").metadata.name as string;
        const moved = { ...inputs, clusterRef: { name: "app2" } };
        await expect(h.m("BackupSchedule").diff(id, outs, moved)).rejects.toThrow(
            /BackupSchedule "moving": changing clusterRef replaces it, and deleting the old schedule with reclaimPolicy "Delete" deletes every backup it made\. Set allowReplaceDeletingBackups: true/,
        );
        const optedIn = { ...moved, allowReplaceDeletingBackups: true };
        expect(await h.m("BackupSchedule").diff(id, outs, optedIn)).toEqual({
            changes: true,
            replaces: ["clusterRef"],
            deleteBeforeReplace: true,
        });
        // What the engine then does: delete the old one (waits until gone), create the new one.
        await h.m("BackupSchedule").delete(id, outs);
        h.sim.settle();
        expect(h.sim.inspect("backup", made)).toBeUndefined(); // the loss the opt-in accepted
        const created = await h.m("BackupSchedule").create(optedIn);
        expect(created.outs.uid).not.toBe(outs.uid);
        expect(created.outs.clusterRef.name).toBe("app2");
        expect((await h.m("BackupSchedule").diff(created.id, created.outs, optedIn)).changes).toBe(false);
        await h.m("BackupSchedule").delete(created.id, created.outs);
    });

    test("a schedule with reclaimPolicy Retain is replaced without the opt-in, and its backups stay", async () => {
        const { inputs, id, outs } = await createChecked(
            h,
            "BackupSchedule",
            scheduleInputs({ name: "keeper", reclaimPolicy: "Retain" }),
        );
        const made = h.sim.runSchedule("keeper").metadata.name as string;
        const moved = { ...inputs, directKdmp: true };
        expect((await h.m("BackupSchedule").diff(id, outs, moved)).replaces).toEqual(["directKdmp"]);
        await h.m("BackupSchedule").delete(id, outs);
        h.sim.settle();
        expect(h.sim.inspect("backup", made)).toBeDefined();
        const created = await h.m("BackupSchedule").create(moved);
        await h.m("BackupSchedule").delete(created.id, created.outs);
    });

    test("404 paths: read of a deleted object is gone, delete of a missing one succeeds, update fails clearly", async () => {
        const { inputs, id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "gone" }));
        await h.m("BackupSchedule").delete(id, outs);
        expect(await h.m("BackupSchedule").read(id, outs)).toEqual({ id: "", props: {} });
        await expect(h.m("BackupSchedule").delete(id, outs)).resolves.toBeUndefined();
        await expect(h.m("BackupSchedule").update(id, outs, inputs)).rejects.toThrow(
            /no longer exists.*pulumi refresh/,
        );
        // A same-named object created by someone else is not ours: read by uid says gone.
        await createChecked(h, "BackupSchedule", scheduleInputs({ name: "gone" }));
        expect((await h.m("BackupSchedule").read(id, outs)).id).toBe("");
    });

    test("a route of another release (plain-text 404) is an error, never 'gone'", async () => {
        const { id, outs } = await createChecked(h, "SchedulePolicy", { name: "mismatch", interval: { minutes: 5 } });
        // The client read the release once; the server is then swapped for one that routes the other way.
        h.sim.setServerVersion(serverVersion === "2.10.1" ? "2.9.1" : "2.10.1");
        try {
            await expect(h.m("SchedulePolicy").read(id, outs)).rejects.toThrow(/HTTP 404.*Not Found/);
            await expect(h.m("SchedulePolicy").delete(id, outs)).rejects.toThrow(/HTTP 404.*Not Found/);
        } finally {
            h.sim.setServerVersion(serverVersion);
        }
        await h.m("SchedulePolicy").delete(id, outs);
        expect(h.sim.inspect("schedulepolicy", "mismatch")).toBeUndefined();
    });

    test("delete waits until the server no longer returns the object (bounded)", async () => {
        const { id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "slow-delete" }));
        h.sim.setDelays({ deletePending: 150 });
        try {
            const t0 = Date.now();
            await h.m("BackupSchedule").delete(id, outs);
            expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
            expect(h.sim.inspect("backupschedule", "slow-delete")).toBeUndefined();
            const again = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "stuck-delete" }));
            h.sim.setDelays({ deletePending: -1 });
            await expect(
                h.m("BackupSchedule").delete(again.id, { ...again.outs, deleteTimeoutSeconds: 1 }),
            ).rejects.toThrow(/still present 1s after delete.*deleteTimeoutSeconds/);
            h.sim.settle();
        } finally {
            h.sim.setDelays({ deletePending: 0 });
        }
    });

    test("create adopts nothing silently; adoptExisting takes over explicitly", async () => {
        const first = await createChecked(h, "SchedulePolicy", {
            name: "weekly",
            weekly: { day: "Sun", time: "3:00AM", retain: 4 },
        });
        const again = h.m("SchedulePolicy").create({ ...first.inputs });
        await expect(again).rejects.toThrow(
            /SchedulePolicy "weekly" already exists in organization "default".*another `name`.*adoptExisting/,
        );
        const adopted = await h
            .m("SchedulePolicy")
            .create({ ...first.inputs, weekly: { day: "Sat", time: "3:00AM", retain: 4 }, adoptExisting: true });
        expect(adopted.outs.uid).toBe(first.outs.uid);
        expect(adopted.outs.weekly.day).toBe("Sat");
        expect(
            h.sim.dump().filter((o) => o.kind === "schedulepolicy" && o.object.metadata.name === "weekly"),
        ).toHaveLength(1);
    });

    test("supporting kinds: update in place, secrets diffed by hash and never in state", async () => {
        const cc = h.m("CloudCredential");
        const c = await createChecked(h, "CloudCredential", {
            name: "rotate",
            type: "AWS",
            awsConfig: { accessKey: "AK1", secretKey: "first-secret" },
        });
        expect(JSON.stringify(c.outs)).not.toContain("first-secret");
        const r = await cc.read(c.id, c.outs);
        expect(JSON.stringify(r)).not.toContain("first-secret");
        expect((await cc.diff(c.id, r.props, c.inputs)).changes).toBe(false);
        const rotated = { ...c.inputs, awsConfig: { accessKey: "AK1", secretKey: "second-secret" } };
        expect(await cc.diff(c.id, r.props, rotated)).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        const u = await cc.update(c.id, r.props, rotated);
        expect(JSON.stringify(u.outs)).not.toContain("second-secret");
        const stored = h.sim.dump().find((o) => o.kind === "cloudcredential" && o.object.metadata.name === "rotate")!;
        expect(JSON.stringify(stored.object)).toContain("second-secret");
        expect((await cc.diff(c.id, u.outs, rotated)).changes).toBe(false);

        const pol = await createChecked(h, "SchedulePolicy", { name: "every15", interval: { minutes: 15 } });
        const more = { ...pol.inputs, interval: { minutes: 30, retain: 5 } };
        const pu = await h.m("SchedulePolicy").update(pol.id, pol.outs, more);
        expect(pu.outs.interval).toMatchObject({ minutes: 30, retain: 5 });
        expect((await h.m("SchedulePolicy").diff(pol.id, pu.outs, more)).changes).toBe(false);

        const rule = await createChecked(h, "Rule", {
            name: "quiesce",
            rules: [{ podSelector: { app: "db" }, actions: [{ value: "sync", background: true }], container: "db" }],
        });
        expect((await h.m("Rule").diff(rule.id, rule.outs, rule.inputs)).changes).toBe(false);
        const ru = await h.m("Rule").update(rule.id, rule.outs, {
            ...rule.inputs,
            rules: [{ podSelector: { app: "db" }, actions: [{ value: "fsfreeze" }] }],
        });
        expect(ru.outs.rules[0].actions[0].value).toBe("fsfreeze");
        await h.m("Rule").delete(rule.id, ru.outs);
        expect(h.sim.inspect("rule", "quiesce")).toBeUndefined();
    });

    test("functions: get one, list all following pagination with filters", async () => {
        const created: { id: string; outs: Record<string, any> }[] = [];
        for (let i = 0; i < 23; i++)
            created.push(
                await createChecked(
                    h,
                    "BackupSchedule",
                    scheduleInputs({
                        name: `page-${String(i).padStart(2, "0")}`,
                        labels: { set: i % 2 ? "odd" : "even" },
                    }),
                ),
            );
        const before = h.client.stats.requests;
        const all = await listBackupSchedules({ pageSize: 5, nameFilter: "page-" }, h.client);
        expect(all.map((s) => s.name).sort()).toEqual(created.map((c) => c.outs.name).sort());
        expect(h.client.stats.requests - before).toBeGreaterThanOrEqual(5);
        const odd = await listBackupSchedules({ pageSize: 4, nameFilter: "page-", labels: { set: "odd" } }, h.client);
        expect(odd).toHaveLength(11);
        const firstSeven = await listBackupSchedules({ maxObjects: 7, pageSize: 5, nameFilter: "page-" }, h.client);
        expect(firstSeven).toHaveLength(7);
        const capped = await listBackupSchedules({ maxObjects: 5, nameFilter: "page-" }, h.client);
        expect(capped).toHaveLength(5);
        const offset = await listBackupSchedules({ maxObjects: 100, nameFilter: "page-", objectIndex: 20 }, h.client);
        expect(offset).toHaveLength(3);
        const one = await getBackupSchedule({ name: "page-07" }, h.client);
        expect(one).toMatchObject({
            name: "page-07",
            uid: created[7].outs.uid,
            namespaces: ["default", "db"],
            clusterRef: { name: "app" },
        });
        await expect(getBackupSchedule({ name: "nope" }, h.client)).rejects.toThrow(/not found/);
        // Output variants take Pulumi inputs (here a promise) and resolve to the same data.
        const viaOutput = await new Promise<any>((resolve) =>
            getBackupScheduleOutput({ name: Promise.resolve("page-07") }, h.client).apply((v) => {
                resolve(v);
                return v;
            }),
        );
        expect(viaOutput.uid).toBe(created[7].outs.uid);
        expect(await listBackups({ nameFilter: "none-such" }, h.client)).toEqual([]);
        for (const c of created) await h.m("BackupSchedule").delete(c.id, c.outs);
    });

    test("cluster create waits for Online", async () => {
        h.sim.setDelays({ clusterPending: 80 });
        try {
            const t0 = Date.now();
            const c = await createChecked(h, "Cluster", {
                name: "slow-cluster",
                kubeconfig: "apiVersion: v1\nkind: Config\n",
            });
            expect(Date.now() - t0).toBeGreaterThanOrEqual(70);
            expect(c.outs.status).toBe("Online");
            expect((await h.m("Cluster").diff(c.id, c.outs, c.inputs)).changes).toBe(false);
            expect(
                (
                    await h
                        .m("Cluster")
                        .diff(c.id, c.outs, { ...c.inputs, kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\n" })
                ).changes,
            ).toBe(true);
        } finally {
            h.sim.setDelays({ clusterPending: 0 });
        }
    });

    test("names outside DNS-1123 where the server allows them: policies, rules, clusters travel as path segments", async () => {
        const policy = await createChecked(h, "SchedulePolicy", { name: "Daily Policy", daily: { time: "1:00AM" } });
        const rule = await createChecked(h, "Rule", {
            name: "Pre Rule_1",
            rules: [{ podSelector: { app: "db" }, actions: [{ value: "sync" }] }],
        });
        const s = await createChecked(
            h,
            "BackupSchedule",
            scheduleInputs({
                name: "spaced",
                schedulePolicyRef: { name: "Daily Policy" },
                preExecRuleRef: { name: "Pre Rule_1" },
            }),
        );
        expect(h.sim.info("backupschedule", "spaced")).toMatchObject({
            schedule_policy_ref: { name: "Daily Policy", uid: policy.outs.uid },
            pre_exec_rule_ref: { name: "Pre Rule_1", uid: rule.outs.uid },
        });
        expect((await h.m("SchedulePolicy").read(policy.id, policy.outs)).id).toBe(policy.id);
        await h.m("BackupSchedule").delete(s.id, s.outs);
        await h.m("Rule").delete(rule.id, rule.outs);
        await h.m("SchedulePolicy").delete(policy.id, policy.outs);
        expect(h.sim.inspect("schedulepolicy", "Daily Policy")).toBeUndefined();
    });

    test("no contract violations in any simulator response", () => {
        expect(h.sim.contractViolations).toEqual([]);
    });
});
