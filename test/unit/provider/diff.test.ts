// Wire mapping and diff/replace logic: no server involved (diff makes no HTTP call by design).
import { PxBackupClient } from "../../../provider/client";
import { KINDS, KindName } from "../../../provider/kinds";
import { KindMachinery, parseId, formatId } from "../../../provider/machinery";
import { UNKNOWN, decodeFields, encodeFields, normalise } from "../../../provider/wire";

const noClient = () => {
    throw new Error("no HTTP expected");
};
const m = (k: KindName) => new KindMachinery(KINDS[k], noClient as () => PxBackupClient);

// A schedule as the server returns it (grpc-gateway v1: snake_case, enum names, int64 strings, wrapped enums).
const liveSchedule = {
    metadata: {
        name: "nightly",
        org_id: "default",
        uid: "u-1",
        create_time: "2026-11-22T04:00:00Z",
        last_update_time: "2026-11-22T04:00:00Z",
        labels: { team: "db" },
        ownership: { owner: "sub-admin" },
        create_time_in_sec: "1795320000",
    },
    backup_schedule_info: {
        schedule_policy_ref: { name: "daily", uid: "p-1" },
        backup_location_ref: { name: "s3", uid: "l-1" },
        cluster_ref: { name: "app", uid: "c-1" },
        cluster: "app",
        namespaces: ["default", "db"],
        reclaim_policy: "Delete",
        backup_type: { type: "Normal" },
        backup_object_type: { type: "All" },
        include_resources: [{ name: "pg", namespace: "db", kind: "StatefulSet", group: "apps", version: "v1" }],
        label_selectors: { "app.kubernetes.io/name": "pg" },
        status: { status: "Success", backup_name: "nightly-daily-1", Reason: "" },
        backup_status: { daily: { status: [{ status: "Success", backup_name: "nightly-daily-1" }] } },
        stork_version: "24.3.0",
    },
};
const desired = {
    name: "nightly",
    orgId: "default",
    labels: { team: "db" },
    schedulePolicyRef: { name: "daily" },
    backupLocationRef: { name: "s3", uid: "l-1" },
    clusterRef: { name: "app" },
    namespaces: ["default", "db"],
    reclaimPolicy: "Delete",
    includeResources: [{ name: "pg", namespace: "db", kind: "StatefulSet", group: "apps", version: "v1" }],
    labelSelectors: { "app.kubernetes.io/name": "pg" },
};

describe("wire mapping", () => {
    test("create body: snake_case, bare backup_type, wrapped backup_object_type, no suspend, no zero values", () => {
        const body = m("BackupSchedule").createBody(
            {
                ...desired,
                backupType: "Generic",
                backupObjectType: "All",
                suspend: true,
                directKdmp: false,
                nsLabelSelectors: "",
            },
            "uid-x",
        );
        expect(body).toEqual({
            metadata: { name: "nightly", org_id: "default", uid: "uid-x", labels: { team: "db" } },
            schedule_policy_ref: { name: "daily" },
            backup_location_ref: { name: "s3", uid: "l-1" },
            cluster_ref: { name: "app" },
            namespaces: ["default", "db"],
            reclaim_policy: "Delete",
            include_resources: [{ name: "pg", namespace: "db", kind: "StatefulSet", group: "apps", version: "v1" }],
            label_selectors: { "app.kubernetes.io/name": "pg" },
            backup_type: "Generic",
            backup_object_type: { type: "All" },
        });
    });

    test("int64 are strings on the wire and numbers in Pulumi; nested request key", () => {
        const body = m("SchedulePolicy").createBody(
            { name: "p", orgId: "default", interval: { minutes: 15, retain: 3, incrementalCount: { count: 0 } } },
            "u",
        );
        expect(body).toEqual({
            metadata: { name: "p", org_id: "default", uid: "u" },
            schedule_policy: { interval: { minutes: "15", retain: "3" } },
        });
        const back = decodeFields(KINDS.SchedulePolicy.fields, { interval: { minutes: "15", retain: "3" } });
        expect(back).toEqual({ interval: { minutes: 15, retain: 3 } });
    });

    test("decode accepts enum ints and wrapped enums, drops zero values and Invalid", () => {
        const f = KINDS.BackupSchedule.fields;
        expect(
            decodeFields(f, {
                reclaim_policy: 2,
                backup_type: { type: "Generic" },
                suspend: false,
                namespaces: [],
                backup_object_type: { type: "Invalid" },
            }),
        ).toEqual({ reclaimPolicy: "Retain", backupType: "Generic" });
    });

    test("map keys are kept verbatim; kubeconfig is base64 encoded; secrets are never decoded", () => {
        const body = m("Cluster").createBody(
            { name: "c", orgId: "default", kubeconfig: "apiVersion: v1\n", pxConfig: { accessToken: "t" } },
            "u",
        );
        expect(body.kubeconfig).toBe(Buffer.from("apiVersion: v1\n").toString("base64"));
        expect(body.px_config).toEqual({ access_token: "t" });
        expect(decodeFields(KINDS.Cluster.fields, { kubeconfig: "abc", px_config: { access_token: "t" } })).toEqual({});
        const rule = encodeFields(KINDS.Rule.fields, {
            rules: [
                { podSelector: { "app.kubernetes.io/name": "db" }, actions: [{ value: "x", runInSinglePod: true }] },
            ],
        });
        expect(rule).toEqual({
            rules: [
                {
                    pod_selector: { "app.kubernetes.io/name": "db" },
                    actions: [{ value: "x", run_in_single_pod: true }],
                },
            ],
        });
    });

    test("outputs: live view of inputs plus server outputs (camelCase), status as reported", () => {
        const outs = m("BackupSchedule").outputs(liveSchedule, {});
        expect(outs).toMatchObject({
            name: "nightly",
            uid: "u-1",
            orgId: "default",
            createTime: "2026-11-22T04:00:00Z",
            clusterRef: { name: "app", uid: "c-1" },
            backupType: "Normal",
            backupObjectType: "All",
            storkVersion: "24.3.0",
            status: { status: "Success", backupName: "nightly-daily-1", reason: "" },
            backupStatuses: { daily: { status: [{ status: "Success", backupName: "nightly-daily-1" }] } },
        });
        expect(outs.cluster).toBeUndefined();
    });

    test("ids are org/name/uid", () => {
        expect(parseId(formatId({ orgId: "o", name: "n", uid: "u" }))).toEqual({ orgId: "o", name: "n", uid: "u" });
    });
});

describe("diff (olds are the last read outputs)", () => {
    const olds = m("BackupSchedule").outputs(liveSchedule, {});
    // The replacement tests below are about which fields replace; a schedule that keeps its backups when
    // deleted does not need the opt-in (tested on its own further down).
    const retained = { ...olds, reclaimPolicy: "Retain" };

    test("desired == live: no changes (server-filled uids, owner, wrapped enums and defaults ignored)", async () => {
        expect(await m("BackupSchedule").diff("id", olds, desired)).toEqual({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    test("in-place change: namespaces, labels, policy ref, suspend", async () => {
        const d = await m("BackupSchedule").diff("id", olds, {
            ...desired,
            namespaces: ["default"],
            labels: { team: "ops" },
            schedulePolicyRef: { name: "weekly" },
            suspend: true,
        });
        expect(d).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    });

    test("suspend unset is not a change whatever the server has; false when suspended is", async () => {
        const suspended = { ...olds, suspend: true };
        expect((await m("BackupSchedule").diff("id", suspended, desired)).changes).toBe(false);
        expect((await m("BackupSchedule").diff("id", suspended, { ...desired, suspend: false })).changes).toBe(true);
    });

    test.each([
        ["clusterRef", { name: "other" }],
        ["clusterRef", { name: "app", uid: "c-2" }],
        ["backupType", "Generic"],
        ["backupObjectType", "VirtualMachine"],
        ["resourceTypes", ["Deployment"]],
        ["excludeResourceTypes", ["Secret"]],
        ["directKdmp", true],
        ["keepCrStatus", true],
        ["uid", "u-other"],
    ])("immutable %s forces delete-before-replace (same name)", async (key, value) => {
        const d = await m("BackupSchedule").diff("id", retained, { ...desired, [key]: value });
        expect(d).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: true });
    });

    test.each([
        ["namespaces", ["default"]],
        ["labelSelectors", { app: "db" }],
        ["nsLabelSelectors", "team=db"],
        ["advancedResourceLabelSelector", "app in (db)"],
        ["includeResources", [{ name: "c", kind: "ConfigMap", version: "v1" }]],
        ["volumeSnapshotClassMapping", { csi: "snap" }],
        ["csiSnapshotClassName", "csi"],
        ["labels", { team: "db" }],
    ])("removing %s, which the merging update cannot clear, replaces the schedule", async (key, value) => {
        const d = await m("BackupSchedule").diff("id", { ...retained, [key]: value }, { ...desired, [key]: undefined });
        expect(d).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: true });
        // Changing it to another non-empty value is an update in place.
        const other = typeof value === "string" ? `${value}-2` : Array.isArray(value) ? [...value, value[0]] : {};
        if (typeof value === "string" || Array.isArray(value)) {
            const u = await m("BackupSchedule").diff("id", { ...retained, [key]: value }, { ...desired, [key]: other });
            expect(u.replaces).toEqual([]);
        }
    });

    test("removing a rule reference or a flag is an update in place (cleared explicitly)", async () => {
        for (const [key, value] of [
            ["preExecRuleRef", { name: "quiesce", uid: "r-1" }],
            ["skipVmAutoExecRules", true],
        ] as const) {
            const d = await m("BackupSchedule").diff("id", { ...olds, [key]: value }, { ...desired, [key]: undefined });
            expect(d).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        }
    });

    test("another organization replaces without deleting first (no clash)", async () => {
        expect(await m("BackupSchedule").diff("id", retained, { ...desired, orgId: "team-b" })).toEqual({
            changes: true,
            replaces: ["orgId"],
            deleteBeforeReplace: false,
        });
    });

    test("a new name replaces without deleting first (no clash)", async () => {
        expect(await m("BackupSchedule").diff("id", retained, { ...desired, name: "nightly-2" })).toEqual({
            changes: true,
            replaces: ["name"],
            deleteBeforeReplace: false,
        });
    });

    test("unknown at preview counts as a change, and as a replacement on immutable fields", async () => {
        expect(await m("BackupSchedule").diff("id", olds, { ...desired, namespaces: [UNKNOWN] })).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(
            await m("BackupSchedule").diff("id", olds, { ...desired, clusterRef: { name: "app", uid: UNKNOWN } }),
        ).toEqual({ changes: true, replaces: ["clusterRef"], deleteBeforeReplace: true });
    });

    test("out-of-band change in live state shows as a diff", async () => {
        const drifted = m("BackupSchedule").outputs(
            {
                ...liveSchedule,
                backup_schedule_info: { ...liveSchedule.backup_schedule_info, namespaces: ["default"] },
            },
            {},
        );
        expect((await m("BackupSchedule").diff("id", drifted, desired)).changes).toBe(true);
    });

    test("secrets are compared by hash, never stored", async () => {
        const cc = m("CloudCredential");
        const inputs = { name: "c", orgId: "default", type: "AWS", awsConfig: { accessKey: "AK", secretKey: "SK1" } };
        const outs = cc.outputs(
            { metadata: { name: "c", org_id: "default", uid: "u" }, cloud_credential_info: { type: "AWS" } },
            inputs,
            (cc as any).hashes(inputs),
        );
        expect(JSON.stringify(outs)).not.toContain("SK1");
        expect(outs.secretHashes.awsConfig).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect((await cc.diff("id", outs, inputs)).changes).toBe(false);
        expect(await cc.diff("id", outs, { ...inputs, awsConfig: { accessKey: "AK", secretKey: "SK2" } })).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        const loc = m("BackupLocation");
        const li = {
            name: "l",
            orgId: "default",
            type: "S3",
            path: "b",
            encryptionKey: "k1",
            cloudCredentialRef: { name: "c" },
            s3Config: { region: "r" },
        };
        const lo = loc.outputs(
            {
                metadata: { name: "l", org_id: "default" },
                backup_location_info: {
                    type: "S3",
                    path: "b",
                    cloud_credential_ref: { name: "c", uid: "x" },
                    s3_config: { region: "r" },
                },
            },
            li,
            (loc as any).hashes(li),
        );
        expect(await loc.diff("id", lo, { ...li, encryptionKey: "k2" })).toEqual({
            changes: true,
            replaces: ["encryptionKey"],
            deleteBeforeReplace: true,
        });
    });

    test("Backup: immutable selection is compared as applied, labels and share in place", async () => {
        const b = m("Backup");
        const inputs = {
            name: "b",
            orgId: "default",
            backupLocationRef: { name: "s3" },
            clusterRef: { name: "app" },
            namespaces: ["db"],
        };
        // The server rewrites namespaces to those present when the backup ran: no spurious replacement.
        const outs = b.outputs(
            {
                metadata: { name: "b", org_id: "default", uid: "u" },
                backup_info: {
                    namespaces: ["db", "db2"],
                    backup_location_ref: { name: "s3", uid: "l" },
                    cluster_ref: { name: "app", uid: "c" },
                    status: { status: "Success" },
                },
            },
            inputs,
        );
        expect(outs.namespaces).toEqual(["db"]);
        expect(outs.status).toBe("Success");
        expect((await b.diff("id", outs, inputs)).changes).toBe(false);
        // Replacing a backup deletes it: only with the opt-in (see "no silent data loss").
        expect(
            await b.diff("id", outs, { ...inputs, namespaces: ["other"], allowReplaceDeletingBackups: true }),
        ).toEqual({
            changes: true,
            replaces: ["namespaces"],
            deleteBeforeReplace: true,
        });
        expect(
            await b.diff("id", outs, { ...inputs, backupShare: { groups: [{ id: "ops", access: "View" }] } }),
        ).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await b.diff("id", outs, { ...inputs, labels: { a: "b" } })).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    describe("no silent data loss", () => {
        test.each([
            ["clusterRef", { name: "other" }],
            ["backupType", "Generic"],
            ["name", "nightly-2"],
            ["namespaces", undefined],
        ])(
            "a schedule with reclaimPolicy Delete: replacing it (%s) fails, naming the property and the opt-in",
            async (key, value) => {
                const live = { ...olds, namespaces: ["default", "db"] };
                await expect(m("BackupSchedule").diff("id", live, { ...desired, [key]: value })).rejects.toThrow(
                    new RegExp(
                        `BackupSchedule "nightly": changing ${key} replaces it, and deleting the old schedule with ` +
                            `reclaimPolicy "Delete" deletes every backup it made\\. Set allowReplaceDeletingBackups: true`,
                    ),
                );
                const ok = await m("BackupSchedule").diff("id", live, {
                    ...desired,
                    [key]: value,
                    allowReplaceDeletingBackups: true,
                });
                expect(ok.replaces).toEqual([key]);
            },
        );

        test("the reclaim policy that counts is the live one: switching to Retain in the same change is not enough", async () => {
            await expect(
                m("BackupSchedule").diff("id", olds, { ...desired, reclaimPolicy: "Retain", directKdmp: true }),
            ).rejects.toThrow(/first set reclaimPolicy: "Retain" \(one up\)/);
            // Once Retain is live, the same change replaces without the opt-in.
            const d = await m("BackupSchedule").diff("id", retained, { ...desired, directKdmp: true });
            expect(d.replaces).toEqual(["directKdmp"]);
        });

        test("in-place changes and values unknown at preview are not refused", async () => {
            const inPlace = await m("BackupSchedule").diff("id", olds, { ...desired, namespaces: ["db"] });
            expect(inPlace).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
            const unknown = await m("BackupSchedule").diff("id", olds, { ...desired, clusterRef: UNKNOWN });
            expect(unknown.replaces).toEqual(["clusterRef"]);
        });

        test("any replacement of a Backup fails without the opt-in", async () => {
            const b = m("Backup");
            const inputs = {
                name: "b",
                orgId: "default",
                backupLocationRef: { name: "s3" },
                clusterRef: { name: "app" },
            };
            const outs = b.outputs(
                {
                    metadata: { name: "b", org_id: "default", uid: "u" },
                    backup_info: {
                        backup_location_ref: { name: "s3", uid: "l" },
                        cluster_ref: { name: "app", uid: "c" },
                    },
                },
                inputs,
            );
            await expect(b.diff("id", outs, { ...inputs, clusterRef: { name: "other" } })).rejects.toThrow(
                'Backup "b": changing clusterRef replaces it, and the backup and its data are deleted and a new backup is taken. Set allowReplaceDeletingBackups: true',
            );
            expect((await b.diff("id", outs, { ...inputs, labels: { a: "b" } })).replaces).toEqual([]);
        });
    });

    test("provider options changes are updates, not replacements", async () => {
        expect(await m("BackupSchedule").diff("id", olds, { ...desired, deleteTimeoutSeconds: 30 })).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    test("normalise: absent == zero values", () => {
        const t = KINDS.BackupSchedule.fields.namespaces.type;
        expect(normalise(t, [])).toBeUndefined();
        expect(normalise(KINDS.BackupSchedule.fields.suspend.type, false)).toBeUndefined();
    });
});

describe("update body (read, overlay, write whole object)", () => {
    test("keeps suspend and server defaults from live, overlays desired, never sends bulk selectors or create-only fields", () => {
        const live = {
            ...liveSchedule,
            backup_schedule_info: {
                ...liveSchedule.backup_schedule_info,
                suspend: true,
                csi_snapshot_class_name: "csi",
            },
        };
        const body = m("BackupSchedule").updateBody(live, {
            ...desired,
            namespaces: ["default"],
            backupType: "Normal",
        });
        expect(body.suspend).toBe(true);
        expect(body.namespaces).toEqual(["default"]);
        expect(body.schedule_policy_ref).toEqual({ name: "daily", uid: "p-1" });
        // The schedule update merges: a field left out keeps its value on the server. Removing such a field
        // is therefore planned as a replacement (cannotClear), never as this update; see the next tests.
        expect(body).not.toHaveProperty("csi_snapshot_class_name");
        expect(body.metadata).toEqual({
            name: "nightly",
            org_id: "default",
            uid: "u-1",
            labels: { team: "db" },
            ownership: { owner: "sub-admin" },
        });
        for (const k of [
            "backup_type",
            "backup_object_type",
            "cluster_ref",
            "resource_types",
            "direct_kdmp",
            "keep_cr_status",
            "include_filter",
            "exclude_filter",
            "cluster_scope",
            "policy_ref",
            "include_objects",
            "status",
            "backup_status",
        ]) {
            expect(body).not.toHaveProperty(k);
        }
    });

    test("a dropped reference is sent as an empty ObjectRef (detaches it on a merging update)", () => {
        const live = {
            ...liveSchedule,
            backup_schedule_info: {
                ...liveSchedule.backup_schedule_info,
                pre_exec_rule_ref: { name: "quiesce", uid: "r-1" },
            },
        };
        const body = m("BackupSchedule").updateBody(live, desired);
        expect(body.pre_exec_rule_ref).toEqual({});
        expect(body).not.toHaveProperty("post_exec_rule_ref"); // not set live: nothing to clear
    });

    test("explicit suspend false is sent (resume), and a renamed ref drops the old uid", () => {
        const live = { ...liveSchedule, backup_schedule_info: { ...liveSchedule.backup_schedule_info, suspend: true } };
        const body = m("BackupSchedule").updateBody(live, {
            ...desired,
            suspend: false,
            schedulePolicyRef: { name: "weekly" },
        });
        expect(body.suspend).toBe(false);
        expect(body.schedule_policy_ref).toEqual({ name: "weekly" });
    });

    test("nested kinds write the whole info block with secrets from the program", () => {
        const live = {
            metadata: { name: "c", org_id: "default", uid: "u" },
            cloud_credential_info: { type: "AWS", aws_config: {} },
        };
        const body = m("CloudCredential").updateBody(live, {
            name: "c",
            type: "AWS",
            awsConfig: { accessKey: "AK", secretKey: "SK" },
        });
        expect(body).toEqual({
            metadata: { name: "c", org_id: "default", uid: "u" },
            cloud_credential: { type: "AWS", aws_config: { access_key: "AK", secret_key: "SK" } },
        });
    });
});
