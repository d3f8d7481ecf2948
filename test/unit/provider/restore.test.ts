// Restore: the create request it sends, what state keeps, and that every restore input replaces while
// labels and ownership change in place (no server: check, diff and the wire mapping make no HTTP call).
import { PxBackupClient } from "../../../provider/client";
import { KINDS } from "../../../provider/kinds";
import { KindMachinery } from "../../../provider/machinery";
import { contractValidator } from "../../../tools/simulator/contract-validator";

const noClient = () => {
    throw new Error("no HTTP expected");
};
const r = new KindMachinery(KINDS.Restore, noClient as () => PxBackupClient);

const inputs = {
    name: "again",
    orgId: "default",
    backupRef: { name: "once" },
    clusterRef: { name: "app" },
    namespaceMapping: { web: "web-copy" },
    storageClassMapping: { standard: "fast" },
    replacePolicy: "Delete",
    includeResources: [{ name: "pg", namespace: "web", kind: "StatefulSet", group: "apps", version: "v1" }],
    excludeResources: [{ name: "cache", namespace: "web", kind: "Deployment", group: "apps", version: "v1" }],
    includeOptionalResourceTypes: ["Job"],
    backupObjectType: "All",
    targetNamespacePrefix: "r-",
    virtualMachineRestoreOptions: { skipVmRestart: true },
    labels: { team: "db" },
};

// The restore as the server reports it: no exclude_resources (RestoreInfo has none), refs resolved.
const live = {
    metadata: { name: "again", org_id: "default", uid: "r-1", labels: { team: "db" }, ownership: { owner: "sub" } },
    restore_info: {
        backup_ref: { name: "once", uid: "b-1" },
        backup: "once",
        cluster_ref: { name: "app", uid: "c-1" },
        cluster: "app",
        namespace_mapping: { web: "web-copy" },
        storage_class_mapping: { standard: "fast" },
        replace_policy: "Delete",
        include_resources: inputs.includeResources,
        include_optional_resource_types: ["Job"],
        backup_object_type: { type: "All" },
        target_namespace_prefix: "r-",
        virtual_machine_restore_options: { skip_vm_restart: true },
        backup_location_ref: { name: "s3", uid: "l-1" },
        status: { status: "Success", reason: "Restore completed successfully" },
        total_size: "1048576",
        resource_count: "7",
        restored_resource_count: "7",
        stork_version: "25.3.0",
    },
};

test("create body: flat RestoreCreateRequest the contract accepts, bare replace policy, wrapped object type", () => {
    const body = r.createBody(inputs, "r-1");
    expect(body).toEqual({
        metadata: { name: "again", org_id: "default", uid: "r-1", labels: { team: "db" } },
        backup_ref: { name: "once" },
        cluster_ref: { name: "app" },
        namespace_mapping: { web: "web-copy" },
        storage_class_mapping: { standard: "fast" },
        replace_policy: "Delete",
        include_resources: inputs.includeResources,
        exclude_resources: inputs.excludeResources,
        include_optional_resource_types: ["Job"],
        backup_object_type: { type: "All" },
        target_namespace_prefix: "r-",
        virtual_machine_restore_options: { skip_vm_restart: true },
    });
    expect(contractValidator().request("Restore_Create", body)).toBeUndefined();
});

test("update body carries metadata only (RestoreUpdateRequest)", () => {
    const body = r.updateBody(live, { ...inputs, labels: { team: "web" } });
    expect(Object.keys(body)).toEqual(["metadata"]);
    expect(body.metadata.labels).toEqual({ team: "web" });
    expect(contractValidator().request("Restore_Update", body)).toBeUndefined();
});

test("outputs: server-reported status and counts; excludeResources kept as applied (never echoed)", async () => {
    const outs = r.outputs(live, inputs);
    expect(outs).toMatchObject({
        status: "Success",
        statusReason: "Restore completed successfully",
        backupLocationRef: { name: "s3", uid: "l-1" },
        totalSize: 1048576,
        resourceCount: 7,
        restoredResourceCount: 7,
        excludeResources: inputs.excludeResources,
        backupRef: { name: "once", uid: "b-1" },
    });
    expect(await r.diff("default/again/r-1", outs, inputs)).toEqual({
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
    });
});

test.each([
    ["backupRef", { name: "other" }],
    ["clusterRef", { name: "dr" }],
    ["namespaceMapping", { web: "web-2" }],
    ["storageClassMapping", undefined],
    ["replacePolicy", "Retain"],
    ["includeResources", undefined],
    ["excludeResources", []],
    ["includeOptionalResourceTypes", ["Job", "CronJob"]],
    ["backupObjectType", "VirtualMachine"],
    ["targetNamespacePrefix", "x-"],
    ["virtualMachineRestoreOptions", { skipMacMasking: true }],
])("a change of %s replaces the restore (restores again), deleting the same-named record first", async (k, v) => {
    const outs = r.outputs(live, inputs);
    expect(await r.diff("default/again/r-1", outs, { ...inputs, [k]: v })).toEqual({
        changes: true,
        replaces: [k],
        deleteBeforeReplace: true,
    });
});

test("labels and ownership change in place", async () => {
    const outs = r.outputs(live, inputs);
    expect(await r.diff("default/again/r-1", outs, { ...inputs, labels: { team: "web" } })).toEqual({
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
    });
});

test("replacePolicy left unset keeps whatever the server chose", async () => {
    const outs = r.outputs(live, inputs);
    expect((await r.diff("default/again/r-1", outs, { ...inputs, replacePolicy: undefined })).changes).toBe(false);
});

test("check names the property of a bad mapping and a missing backup", async () => {
    const c = await r.check({}, { name: "again", clusterRef: { name: "app" }, namespaceMapping: { web: "Web" } });
    expect(c.failures.map((f) => f.property).sort()).toEqual(["backupRef", "namespaceMapping.web"]);
});
