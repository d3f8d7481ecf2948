// A create an interrupted `up` left unrecorded (the CLI was killed after the POST landed): the next create of the
// same resource recognises its own object by the uid derived from the resource's identity and finishes it;
// an object of that name that is not its own is still refused (no silent adoption).
import { CREATE_SEED, ResourceInitError } from "../../../provider/machinery";
import { Harness, createChecked, foundation, scheduleInputs, startHarness, stopHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
    h = await startHarness();
    await foundation(h);
});
afterAll(() => stopHarness(h));

const seed = (name: string) => ({ [CREATE_SEED]: `proj/stack/BackupSchedule/${name}` });

test("the derived uid is stable per resource identity, organization and name, and differs otherwise", () => {
    const m = h.m("BackupSchedule");
    const i = { orgId: "default", name: "nightly" };
    const a = m.createUid(seed("a"), i);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(m.createUid(seed("a"), i)).toBe(a);
    expect(m.createUid(seed("b"), i)).not.toBe(a);
    expect(m.createUid(seed("a"), { ...i, name: "other" })).not.toBe(a);
    expect(m.createUid(seed("a"), { ...i, orgId: "org2" })).not.toBe(a);
    expect(m.createUid({}, i)).not.toBe(m.createUid({}, i)); // no seed: random
});

test("a second create of the same resource finishes the first one: same object, no duplicate", async () => {
    const inputs = scheduleInputs({ name: "resumed", ...seed("resumed") });
    const first = await createChecked(h, "BackupSchedule", inputs);
    // The state of the first create was lost (CLI killed); the next `up` creates again, with changed labels.
    h.sim.requests.clear();
    const again = await createChecked(h, "BackupSchedule", { ...inputs, labels: { team: "web" } });
    expect(again.id).toBe(first.id);
    expect(again.outs.labels).toEqual({ team: "web" });
    expect(h.sim.store.list("backupschedule", "default").filter((o) => o.metadata.name === "resumed")).toHaveLength(1);
    expect(h.sim.inspect("backupschedule", "resumed")!.metadata.labels).toEqual({ team: "web" });
    expect(h.sim.requests.count({ operationId: "BackupSchedule_Update" })).toBe(1);
});

test("an object of that name from elsewhere is still refused, naming adoptExisting", async () => {
    await createChecked(h, "BackupSchedule", scheduleInputs({ name: "foreign" }));
    await expect(
        createChecked(h, "BackupSchedule", scheduleInputs({ name: "foreign", ...seed("foreign") })),
    ).rejects.toThrow(/BackupSchedule "foreign" already exists.*adoptExisting/);
});

test("a field that cannot change in place differs: refused, naming it", async () => {
    const inputs = scheduleInputs({ name: "moved", ...seed("moved") });
    await createChecked(h, "BackupSchedule", inputs);
    await expect(createChecked(h, "BackupSchedule", { ...inputs, resourceTypes: ["ConfigMap"] })).rejects.toThrow(
        /created by an earlier, interrupted run of this resource with a different resourceTypes/,
    );
});

test("a Backup interrupted while InProgress: the next create waits for that backup instead of failing", async () => {
    const inputs = {
        name: "interrupted",
        backupLocationRef: { name: "s3" },
        clusterRef: { name: "app" },
        namespaces: ["db"],
        [CREATE_SEED]: "proj/stack/Backup/interrupted",
    };
    h.sim.setDelays({ backupInProgress: 2000 });
    try {
        const c = await h.m("Backup").check({}, { ...inputs, waitTimeoutSeconds: 1 });
        await expect(h.m("Backup").create(c.inputs)).rejects.toBeInstanceOf(ResourceInitError);
        const uid = h.sim.inspect("backup", "interrupted")!.metadata.uid;
        expect(h.sim.inspect("backup", "interrupted")!.backup_info.status.status).toBe("InProgress");
        h.sim.requests.clear();
        const again = await createChecked(h, "Backup", inputs);
        expect(again.outs.status).toBe("Success");
        expect(again.outs.uid).toBe(uid);
        expect(h.sim.requests.count({ operationId: "Backup_Inspect" })).toBeGreaterThan(1); // it polled
    } finally {
        h.sim.setDelays({ backupInProgress: 0 });
    }
    expect(h.sim.store.list("backup", "default").filter((o) => o.metadata.name === "interrupted")).toHaveLength(1);
});
