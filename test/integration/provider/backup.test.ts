// Backup: create waits for Success/PartialSuccess; Failed/Aborted and timeouts are errors carrying the
// server's reason, in the shape that keeps the created resource in state; share changes in place.
import { ResourceInitError } from "../../../provider/machinery";
import { Harness, createChecked, foundation, startHarness, stopHarness, SERVER_VERSIONS } from "./harness";

describe.each(SERVER_VERSIONS)("PX-Backup %s", (serverVersion) => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness({ serverVersion, delays: { backupPending: 30, backupInProgress: 60 } });
        await foundation(h);
    });
    afterAll(() => stopHarness(h));

    const backupInputs = (name: string, extra: Record<string, unknown> = {}) => ({
        name,
        backupLocationRef: { name: "s3" },
        clusterRef: { name: "app" },
        namespaces: ["db"],
        labels: { kind: "manual" },
        ...extra,
    });

    test("create waits until Success and reports the server's outputs; second diff empty", async () => {
        const t0 = Date.now();
        const { inputs, id, outs } = await createChecked(h, "Backup", backupInputs("b-ok"));
        expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
        expect(outs.status).toBe("Success");
        expect(outs.namespaces).toEqual(["db"]);
        expect(outs.clusterRef.name).toBe("app");
        expect((await h.m("Backup").diff(id, outs, inputs)).changes).toBe(false);
        const r = await h.m("Backup").read(id, outs);
        expect(r.props.status).toBe("Success");
        expect((await h.m("Backup").diff(id, r.props, inputs)).changes).toBe(false);
    });

    test("PartialSuccess counts as done", async () => {
        h.sim.setOutcomes({ byName: { "b-partial": { status: "PartialSuccess", reason: "1 volume skipped" } } });
        const { outs } = await createChecked(h, "Backup", backupInputs("b-partial"));
        expect(outs.status).toBe("PartialSuccess");
        expect(outs.statusReason).toBe("1 volume skipped");
    });

    test.each(["Failed", "Aborted"])(
        "%s is an error with the server's reason; the resource stays in state",
        async (status) => {
            const name = `b-${status.toLowerCase()}`;
            h.sim.setOutcomes({ byName: { [name]: { status, reason: "volume snapshot timed out" } } });
            const c = await h.m("Backup").check({}, { ...backupInputs(name), __provider: "serialized-provider" });
            const err = await h
                .m("Backup")
                .create(c.inputs)
                .catch((e) => e);
            expect(err).toBeInstanceOf(ResourceInitError);
            expect(err.message).toBe(
                `Backup "${name}" ended in status ${status}: volume snapshot timed out (a failed backup is not ` +
                    "retried in place: take a new one with `pulumi up --replace <urn>` or under another name)",
            );
            expect(err.id).toMatch(new RegExp(`^default/${name}/`));
            expect(err.properties).toMatchObject({
                name,
                status,
                statusReason: "volume snapshot timed out",
                __provider: "serialized-provider",
            });
            expect(err.reasons).toEqual([err.message]);
            // The next `up` updates the resource kept in state: it fails again, never reports success.
            const again = await h
                .m("Backup")
                .update(err.id, err.properties, c.inputs)
                .catch((e) => e);
            expect(again).toBeInstanceOf(ResourceInitError);
            expect(again.message).toBe(err.message);
            expect(again.properties).toMatchObject({ status, __provider: "serialized-provider" });
            // It is there and deletable with the properties kept in state.
            expect(h.sim.inspect("backup", name)).toBeDefined();
            await h.m("Backup").delete(err.id, err.properties);
            expect(h.sim.inspect("backup", name)).toBeUndefined();
        },
    );

    test("a backup that never finishes: bounded by waitTimeoutSeconds, kept in state", async () => {
        h.sim.setDelays({ backupInProgress: -1 });
        try {
            const c = await h.m("Backup").check({}, { ...backupInputs("b-stuck"), waitTimeoutSeconds: 1 });
            const t0 = Date.now();
            const err = await h
                .m("Backup")
                .create(c.inputs)
                .catch((e) => e);
            expect(Date.now() - t0).toBeLessThan(3000);
            expect(err).toBeInstanceOf(ResourceInitError);
            expect(err.message).toMatch(
                /Backup "b-stuck" did not become ready within 1s \(last status (Pending|InProgress)\).*waitTimeoutSeconds/,
            );
            expect(err.properties.name).toBe("b-stuck");
            expect(["Pending", "InProgress"]).toContain(err.properties.status);
            // The next `up` waits for it again (here it finishes while the update waits) and then succeeds.
            const update = h.m("Backup").update(err.id, err.properties, c.inputs);
            setTimeout(() => h.sim.settle(), 150);
            const { outs } = await update;
            expect(outs.status).toBe("Success");
            expect(await h.m("Backup").diff(err.id, outs, c.inputs)).toMatchObject({ changes: false });
        } finally {
            h.sim.setDelays({ backupInProgress: 60 });
            h.sim.settle();
        }
    });

    test("labels and share change in place via PUT /v1/backup and /v1/backup/updatebackupshare", async () => {
        const share = {
            groups: [{ id: "ops", access: "Restorable" }],
            collaborators: [{ id: "user-2", access: "View" }],
        };
        const { inputs, id, outs } = await createChecked(h, "Backup", backupInputs("b-share", { backupShare: share }));
        expect(outs.backupShare).toEqual(share);
        const next = {
            ...inputs,
            labels: { kind: "manual", keep: "yes" },
            backupShare: { groups: [{ id: "ops", access: "FullAccess" }] },
        };
        expect(await h.m("Backup").diff(id, outs, next)).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        h.sim.requests.clear();
        const u = await h.m("Backup").update(id, outs, next);
        expect(h.sim.requests.count({ method: "PUT", path: "/v1/backup/updatebackupshare" })).toBe(1);
        expect(h.sim.requests.count({ method: "PUT", path: "^/v1/backup$" })).toBe(1);
        expect(u.outs.labels).toEqual({ kind: "manual", keep: "yes" });
        expect(u.outs.backupShare).toEqual({ groups: [{ id: "ops", access: "FullAccess" }] });
        expect(u.outs.uid).toBe(outs.uid);
        expect((await h.m("Backup").diff(id, u.outs, next)).changes).toBe(false);
        // Anything else about a backup is immutable (and replacing it needs the opt-in, tested below).
        const moved = { ...next, namespaces: ["default"], allowReplaceDeletingBackups: true };
        expect((await h.m("Backup").diff(id, u.outs, moved)).replaces).toEqual(["namespaces"]);
    });

    test("cloudCredentialRef is not in the create body: applied by PUT /v1/backup after create, next diff empty", async () => {
        await createChecked(h, "CloudCredential", {
            name: "creds-other",
            type: "AWS",
            awsConfig: { accessKey: "AKIA2", secretKey: "other-key" },
        });
        h.sim.requests.clear();
        const { inputs, id, outs } = await createChecked(
            h,
            "Backup",
            backupInputs("b-cred", { cloudCredentialRef: { name: "creds-other" } }),
        );
        // The create request has no such field (a real server drops it); the update that has it follows.
        expect(h.sim.requests.filter({ operationId: "Backup_Create" })).toHaveLength(1);
        expect(h.sim.requests.count({ operationId: "Backup_Update" })).toBe(1);
        expect(h.sim.info("backup", "b-cred")?.cloud_credential_ref?.name).toBe("creds-other");
        expect(outs.cloudCredentialRef.name).toBe("creds-other");
        expect((await h.m("Backup").diff(id, outs, inputs)).changes).toBe(false);
        const r = await h.m("Backup").read(id, outs);
        expect((await h.m("Backup").diff(id, r.props, inputs)).changes).toBe(false);
    });

    test("a change that would replace a Backup (deleting it) fails at preview unless opted in", async () => {
        const { inputs, id, outs } = await createChecked(h, "Backup", backupInputs("b-replace"));
        const changed = { ...inputs, namespaces: ["other"] };
        await expect(h.m("Backup").diff(id, outs, changed)).rejects.toThrow(
            'Backup "b-replace": changing namespaces replaces it, and the backup and its data are deleted and a new backup is taken. Set allowReplaceDeletingBackups: true',
        );
        expect(await h.m("Backup").diff(id, outs, { ...changed, allowReplaceDeletingBackups: true })).toEqual({
            changes: true,
            replaces: ["namespaces"],
            deleteBeforeReplace: true,
        });
        expect(h.sim.inspect("backup", "b-replace")).toBeDefined(); // nothing was touched
        await h.m("Backup").delete(id, outs);
    });

    test("backup delete passes the cluster and waits through DeletePending/Deleting until gone", async () => {
        const { id, outs } = await createChecked(h, "Backup", backupInputs("b-delete"));
        h.sim.setDelays({ deletePending: 50, backupDeleting: 50 });
        try {
            h.sim.requests.clear();
            await h.m("Backup").delete(id, outs);
            expect(h.sim.inspect("backup", "b-delete")).toBeUndefined();
            const del = h.sim.requests.filter({ method: "DELETE" })[0];
            expect(del.query).toContain(`uid=${outs.uid}`);
            expect(del.query).toContain("cluster_ref.name=app");
        } finally {
            h.sim.setDelays({ deletePending: 0, backupDeleting: 0 });
        }
    });

    test("backup location that fails validation is an error with the reason, kept in state", async () => {
        h.sim.setOutcomes({
            byName: { "bad-bucket": { status: "ValidationFailed", reason: "bucket does not exist" } },
        });
        h.sim.setDelays({ locationValidation: 30 });
        try {
            const err = await h
                .m("BackupLocation")
                .create({
                    name: "bad-bucket",
                    orgId: "default",
                    type: "S3",
                    path: "nope",
                    cloudCredentialRef: { name: "creds" },
                    s3Config: { region: "x" },
                })
                .catch((e) => e);
            expect(err).toBeInstanceOf(ResourceInitError);
            expect(err.message).toBe(
                'BackupLocation "bad-bucket" ended in status ValidationFailed: bucket does not exist',
            );
            expect(err.properties.secretHashes).toEqual({});
            const inputs = {
                name: "bad-bucket",
                orgId: "default",
                type: "S3",
                path: "nope",
                cloudCredentialRef: { name: "creds" },
                s3Config: { region: "x" },
            };
            // Next `up`, nothing fixed: the update fails with the reason instead of reporting success.
            await expect(h.m("BackupLocation").update(err.id, err.properties, inputs)).rejects.toThrow(
                'BackupLocation "bad-bucket" ended in status ValidationFailed: bucket does not exist',
            );
            // The bucket is created: the next update validates again and succeeds.
            h.sim.setOutcomes({ byName: { "bad-bucket": { status: "Valid" } } });
            const { outs } = await h.m("BackupLocation").update(err.id, err.properties, inputs);
            expect(outs.status).toBe("Valid");
            await h.m("BackupLocation").delete(err.id, outs);
        } finally {
            h.sim.setDelays({ locationValidation: 0 });
        }
    });

    test("a cluster that failed to come online: the next update fails with the reason too", async () => {
        h.sim.setOutcomes({ byName: { "bad-cluster": { status: "Failed", reason: "cannot reach the API server" } } });
        const inputs = { name: "bad-cluster", orgId: "default", kubeconfig: "apiVersion: v1\nkind: Config\n" };
        const err = await h
            .m("Cluster")
            .create(inputs)
            .catch((e) => e);
        expect(err).toBeInstanceOf(ResourceInitError);
        const again = await h
            .m("Cluster")
            .update(err.id, err.properties, inputs)
            .catch((e) => e);
        expect(again).toBeInstanceOf(ResourceInitError);
        expect(again.message).toBe('Cluster "bad-cluster" ended in status Failed: cannot reach the API server');
        await h.m("Cluster").delete(err.id, err.properties);
    });

    test("functions: getBackup and listBackups with status and cluster filters, all pages", async () => {
        const { getBackup, listBackups } = await import("../../../provider/functions");
        h.sim.setOutcomes({ byName: { "b-list-failed": { status: "Failed", reason: "boom" } } });
        for (const n of ["b-list-1", "b-list-2", "b-list-3"]) await createChecked(h, "Backup", backupInputs(n));
        await h
            .m("Backup")
            .create((await h.m("Backup").check({}, backupInputs("b-list-failed"))).inputs)
            .catch(() => undefined);
        const ok = await listBackups(
            { nameFilter: "b-list-", status: ["Success"], pageSize: 2, clusterNameFilter: "app" },
            h.client,
        );
        expect(ok.map((b) => b.name).sort()).toEqual(["b-list-1", "b-list-2", "b-list-3"]);
        // maxObjects caps the result, whatever the page size.
        const capped = await listBackups({ nameFilter: "b-list-", status: ["Success"], maxObjects: 2 }, h.client);
        expect(capped).toHaveLength(2);
        const cappedPaged = await listBackups({ nameFilter: "b-list-", maxObjects: 3, pageSize: 2 }, h.client);
        expect(cappedPaged).toHaveLength(3);
        const failed = await listBackups({ nameFilter: "b-list-", status: ["Failed"] }, h.client);
        expect(failed.map((b) => [b.name, b.status, b.statusReason])).toEqual([["b-list-failed", "Failed", "boom"]]);
        const one = await getBackup({ name: "b-list-2" }, h.client);
        expect(one).toMatchObject({
            name: "b-list-2",
            status: "Success",
            namespaces: ["db"],
            clusterRef: { name: "app" },
        });
    });
});
