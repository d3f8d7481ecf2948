// Restore on the simulator (strict request validation on): create starts the restore and waits for
// Success/PartialSuccess, fails with the server's reason, labels change in place, delete removes only the
// restore record; getRestore/listRestores read what the server has.
import { getRestore, listRestores } from "../../../provider/functions";
import { ResourceInitError } from "../../../provider/machinery";
import { Harness, createChecked, foundation, startHarness, stopHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
    h = await startHarness({ delays: { restorePending: 30, restoreInProgress: 60 } });
    await foundation(h);
    await createChecked(h, "Backup", {
        name: "once",
        backupLocationRef: { name: "s3" },
        clusterRef: { name: "app" },
        namespaces: ["web", "db"],
    });
    await createChecked(h, "Cluster", { name: "dr", kubeconfig: "apiVersion: v1\nkind: Config\n" });
});
afterAll(() => stopHarness(h));

const restoreInputs = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    backupRef: { name: "once" },
    clusterRef: { name: "dr" },
    namespaceMapping: { web: "web-dr" },
    labels: { purpose: "dr-drill" },
    ...extra,
});

const excludeResources = [{ name: "cache", namespace: "web", kind: "Deployment", group: "apps", version: "v1" }];

test("create with every input waits for Success; the server has what was asked; read and diff are empty", async () => {
    const all = restoreInputs("r-full", {
        storageClassMapping: { standard: "fast-ssd" },
        replacePolicy: "Delete",
        includeResources: [{ name: "pg", namespace: "db", kind: "StatefulSet", group: "apps", version: "v1" }],
        excludeResources,
        includeOptionalResourceTypes: ["Job"],
        backupObjectType: "All",
        targetNamespacePrefix: "dr-",
        rancherProjectMapping: { "p-1": "p-2" },
        rancherProjectNameMapping: { web: "web-dr" },
        virtualMachineRestoreOptions: { skipMacMasking: true, skipVmRestart: true },
    });
    const t0 = Date.now();
    const { inputs, id, outs } = await createChecked(h, "Restore", all);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
    expect(outs).toMatchObject({
        status: "Success",
        backupRef: { name: "once" },
        clusterRef: { name: "dr" },
        backupLocationRef: { name: "s3" },
        namespaceMapping: { web: "web-dr" },
        replacePolicy: "Delete",
        excludeResources: excludeResources,
        storkVersion: "25.3.0",
    });
    expect(outs.backupRef.uid).toBe(h.sim.inspect("backup", "once")!.metadata.uid);
    expect(outs.resourceCount).toBeGreaterThan(0);
    const info = h.sim.info("restore", "r-full")!;
    expect(info).toMatchObject({
        cluster_ref: { name: "dr" },
        storage_class_mapping: { standard: "fast-ssd" },
        replace_policy: "Delete",
        include_optional_resource_types: ["Job"],
        backup_object_type: { type: "All" },
        target_namespace_prefix: "dr-",
        virtual_machine_restore_options: { skip_mac_masking: true, skip_vm_restart: true },
    });
    expect(info.resources.map((r: { name: string }) => r.name).sort()).toEqual(["dr-db", "dr-web-dr"]);
    expect((await h.m("Restore").diff(id, outs, inputs)).changes).toBe(false);
    const r = await h.m("Restore").read(id, outs);
    expect(r.id).toBe(id);
    expect(r.props.status).toBe("Success");
    expect((await h.m("Restore").diff(id, r.props, inputs)).changes).toBe(false);
    expect(r.inputs).toMatchObject({ backupRef: { name: "once" }, excludeResources: excludeResources });
});

test("PartialSuccess counts as done and keeps the server's reason", async () => {
    h.sim.setOutcomes({ byName: { "r-partial": { status: "PartialSuccess", reason: "1 volume skipped" } } });
    const { outs } = await createChecked(h, "Restore", restoreInputs("r-partial"));
    expect(outs.status).toBe("PartialSuccess");
    expect(outs.statusReason).toBe("1 volume skipped");
});

test.each(["Failed", "Aborted"])(
    "%s is an error with the server's reason; the record stays in state",
    async (status) => {
        const name = `r-${status.toLowerCase()}`;
        h.sim.setOutcomes({ byName: { [name]: { status, reason: "namespace web-dr is terminating" } } });
        const c = await h.m("Restore").check({}, restoreInputs(name));
        const err = await h
            .m("Restore")
            .create(c.inputs)
            .catch((e) => e);
        expect(err).toBeInstanceOf(ResourceInitError);
        expect(err.message).toBe(`Restore "${name}" ended in status ${status}: namespace web-dr is terminating`);
        expect(err.properties).toMatchObject({ name, status, statusReason: "namespace web-dr is terminating" });
        expect(h.sim.inspect("restore", name)).toBeDefined();
        await h.m("Restore").delete(err.id, err.properties);
        expect(h.sim.inspect("restore", name)).toBeUndefined();
    },
);

test("failure injected through the control API (default outcome) is reported the same way", async () => {
    const res = await fetch(`${h.sim.url}/__simulator/outcomes`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ restore: { status: "Failed", reason: "storage class fast-ssd not found" } }),
    });
    expect(res.status).toBe(200);
    try {
        const c = await h.m("Restore").check({}, restoreInputs("r-control"));
        const err = await h
            .m("Restore")
            .create(c.inputs)
            .catch((e) => e);
        expect(err.message).toBe(`Restore "r-control" ended in status Failed: storage class fast-ssd not found`);
    } finally {
        h.sim.setOutcomes({ restore: { status: "Success" } });
    }
});

test("a restore that never finishes is bounded by waitTimeoutSeconds", async () => {
    h.sim.setDelays({ restoreInProgress: -1 });
    try {
        const c = await h.m("Restore").check({}, restoreInputs("r-stuck", { waitTimeoutSeconds: 1 }));
        const t0 = Date.now();
        const err = await h
            .m("Restore")
            .create(c.inputs)
            .catch((e) => e);
        expect(Date.now() - t0).toBeLessThan(3000);
        expect(err).toBeInstanceOf(ResourceInitError);
        expect(err.message).toMatch(
            /Restore "r-stuck" did not become ready within 1s \(last status (Pending|InProgress)\)/,
        );
    } finally {
        h.sim.setDelays({ restoreInProgress: 60 });
        h.sim.settle();
    }
});

test("a backup that did not succeed cannot be restored: the server's reason, nothing created", async () => {
    h.sim.setOutcomes({ byName: { "bad-backup": { status: "Failed", reason: "snapshot failed" } } });
    const b = await h
        .m("Backup")
        .check({}, { name: "bad-backup", backupLocationRef: { name: "s3" }, clusterRef: { name: "app" } });
    await expect(h.m("Backup").create(b.inputs)).rejects.toThrow(/ended in status Failed/);
    const c = await h.m("Restore").check({}, restoreInputs("r-bad", { backupRef: { name: "bad-backup" } }));
    await expect(h.m("Restore").create(c.inputs)).rejects.toThrow(
        /only a Success or PartialSuccess backup can be restored/,
    );
    expect(h.sim.inspect("restore", "r-bad")).toBeUndefined();
});

test("a missing backup is an error naming it", async () => {
    const c = await h.m("Restore").check({}, restoreInputs("r-missing", { backupRef: { name: "no-such-backup" } }));
    await expect(h.m("Restore").create(c.inputs)).rejects.toThrow(/no-such-backup/);
});

test("labels change in place through PUT /v1/restore (metadata only)", async () => {
    const { inputs, id, outs } = await createChecked(h, "Restore", restoreInputs("r-labels"));
    const next = { ...inputs, labels: { purpose: "dr-drill", quarter: "q4" } };
    expect(await h.m("Restore").diff(id, outs, next)).toEqual({
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
    });
    h.sim.requests.clear();
    const u = await h.m("Restore").update(id, outs, next);
    expect(u.outs.labels).toEqual({ purpose: "dr-drill", quarter: "q4" });
    expect(h.sim.requests.count({ operationId: "Restore_Update" })).toBe(1);
    expect(h.sim.inspect("restore", "r-labels")!.metadata.labels).toEqual({ purpose: "dr-drill", quarter: "q4" });
    expect((await h.m("Restore").diff(id, u.outs, next)).changes).toBe(false);
});

test("delete removes the restore record only: the backup stays; a second delete is a no-op", async () => {
    const { id, outs } = await createChecked(h, "Restore", restoreInputs("r-delete"));
    await h.m("Restore").delete(id, outs);
    expect(h.sim.inspect("restore", "r-delete")).toBeUndefined();
    expect(h.sim.inspect("backup", "once")).toBeDefined();
    await h.m("Restore").delete(id, outs);
    expect((await h.m("Restore").read(id, outs)).id).toBe("");
});

test("getRestore and listRestores (filters, maxObjects) return the server's restores", async () => {
    const one = await getRestore({ name: "r-full" }, h.client);
    expect(one).toMatchObject({ name: "r-full", orgId: "default", status: "Success", backupRef: { name: "once" } });
    await expect(getRestore({ name: "r-nope" }, h.client)).rejects.toThrow(/Restore "r-nope" not found/);
    const all = await listRestores({}, h.client);
    const names = all.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["r-full", "r-partial", "r-labels"]));
    expect(names).toHaveLength(h.sim.store.list("restore", "default").length);
    const partial = await listRestores({ status: ["PartialSuccess"] }, h.client);
    expect(partial.map((r) => r.name)).toEqual(["r-partial"]);
    expect((await listRestores({ nameFilter: "r-full" }, h.client)).map((r) => r.name)).toEqual(["r-full"]);
    expect(await listRestores({ maxObjects: 2, pageSize: 1 }, h.client)).toHaveLength(2);
});
