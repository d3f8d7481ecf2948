// Convergence on every field, generated from the kinds table: for each kind a fully populated object is created
// on the simulator (strict contract checks on), its diff is empty and a read gives the same state; then each
// field in turn is removed from the program, and one update (or, where the server cannot clear the field, one
// replacement) makes the next diff empty and leaves the server object without a value. Fields the server
// defaults are left as they are when removed; fields a kind requires are refused by check, naming them.
import { KINDS, KindName } from "../../../provider/kinds";
import { getPath, wireName } from "../../../provider/wire";
import type { KindName as SimKind } from "../../../tools/simulator/store";
import { Harness, SERVER_VERSIONS, createChecked, foundation, startHarness, stopHarness } from "./harness";

type Props = Record<string, unknown>;

const rule = (value: string) => ({ podSelector: { app: "db" }, actions: [{ value, background: true }] });
const selection = {
    backupLocationRef: { name: "s3" },
    clusterRef: { name: "app" },
    namespaces: ["default", "db"],
    labelSelectors: { tier: "data" },
    nsLabelSelectors: "team=db",
    advancedResourceLabelSelector: "app in (db)",
    includeResources: [{ name: "cfg", namespace: "db", kind: "ConfigMap", version: "v1" }],
    resourceTypes: ["ConfigMap", "Secret"],
    excludeResourceTypes: ["Event"],
    preExecRuleRef: { name: "pre" },
    postExecRuleRef: { name: "post" },
    backupType: "Normal",
    backupObjectType: "All",
    skipVmAutoExecRules: true,
    directKdmp: true,
    keepCrStatus: true,
    volumeSnapshotClassMapping: { csi: "snap" },
    csiSnapshotClassName: "csi-snap",
    volumeResourceOnlyPolicyRef: { name: "vrop", uid: "6f1c1f2e-0000-4000-8000-000000000001" },
};
const meta = { labels: { team: "db" } };

/** Every input of every kind, set (one object per kind; BackupLocation also as NFS for nfsConfig). */
const FULL: Record<KindName, Props[]> = {
    BackupSchedule: [
        {
            ...meta,
            ...selection,
            schedulePolicyRef: { name: "daily" },
            reclaimPolicy: "Retain",
            suspend: true,
            parallelBackup: true,
        },
    ],
    Backup: [
        {
            ...meta,
            // Replacing a backup deletes it: the table replaces on purpose.
            allowReplaceDeletingBackups: true,
            ...selection,
            cloudCredentialRef: { name: "creds" },
            backupShare: {
                groups: [{ id: "ops", access: "View" }],
                collaborators: [{ id: "u1", access: "FullAccess" }],
            },
        },
    ],
    SchedulePolicy: [
        {
            ...meta,
            interval: { minutes: 30, retain: 5, incrementalCount: { count: 2 } },
            forObjectLock: true,
            autoDelete: true,
            supportsAdvancedFeatures: true,
        },
        { ...meta, daily: { time: "2:00AM", retain: 7, incrementalCount: { count: 1 } } },
        {
            ...meta,
            weekly: { day: "Sunday", time: "3:30PM", retain: 4, incrementalCount: { count: 1 }, biWeekly: true },
        },
        { ...meta, monthly: { date: 15, time: "1:00AM", retain: 12, incrementalCount: { count: 1 } } },
    ],
    BackupLocation: [
        {
            ...meta,
            type: "S3",
            path: "bucket-full",
            encryptionKey: "k3y",
            cloudCredentialRef: { name: "creds" },
            validateCloudCredential: true,
            s3Config: {
                endpoint: "http://127.0.0.1:9000",
                region: "eu-west-1",
                disableSsl: true,
                storageClass: "STANDARD",
            },
        },
        {
            ...meta,
            type: "NFS",
            path: "/exports",
            nfsConfig: { serverAddr: "nfs.local", subPath: "pb", mountOption: "vers=4" },
        },
    ],
    CloudCredential: [
        { ...meta, type: "AWS", awsConfig: { accessKey: "AK", secretKey: "SK" } },
        {
            ...meta,
            type: "Azure",
            azureConfig: {
                accountName: "acct",
                accountKey: "key",
                clientId: "cid",
                clientSecret: "csecret",
                tenantId: "tid",
                subscriptionId: "sid",
            },
        },
        { ...meta, type: "Google", googleConfig: { projectId: "proj", jsonKey: '{"type":"service_account"}' } },
        { ...meta, type: "IBM", ibmConfig: { apiKey: "ibm-key" } },
        { ...meta, type: "Rancher", rancherConfig: { endpoint: "https://rancher.example.com", token: "tok" } },
    ],
    Cluster: [
        {
            ...meta,
            kubeconfig: "apiVersion: v1\nkind: Config\n",
            pxConfig: { accessToken: "px-token" },
            cloudCredentialRef: { name: "creds" },
            platformCredentialRef: { name: "creds" },
            provider: "AWS",
        },
    ],
    Rule: [{ ...meta, rules: [rule("sync")] }],
    Restore: [
        {
            ...meta,
            backupRef: { name: "once" },
            clusterRef: { name: "app" },
            namespaceMapping: { default: "restored" },
            storageClassMapping: { gp2: "gp3" },
            replacePolicy: "Retain",
            includeResources: [{ name: "cfg", namespace: "default", kind: "ConfigMap", version: "v1" }],
            excludeResources: [{ name: "tmp", namespace: "default", kind: "ConfigMap", version: "v1" }],
            includeOptionalResourceTypes: ["Job"],
            backupObjectType: "All",
            targetNamespacePrefix: "dr-",
            rancherProjectMapping: { p1: "p2" },
            rancherProjectNameMapping: { one: "two" },
            virtualMachineRestoreOptions: { skipMacMasking: true, skipVmRestart: true },
        },
    ],
};

const SIM_KIND: Record<KindName, SimKind> = {
    BackupSchedule: "backupschedule",
    Backup: "backup",
    SchedulePolicy: "schedulepolicy",
    BackupLocation: "backuplocation",
    CloudCredential: "cloudcredential",
    Cluster: "cluster",
    Rule: "rule",
    Restore: "restore",
};
const slug = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function rows(): Array<[KindName, string, number]> {
    const out: Array<[KindName, string, number]> = [];
    for (const kind of Object.keys(FULL) as KindName[]) {
        const seen = new Set<string>();
        FULL[kind].forEach((full, variant) => {
            for (const key of Object.keys(full)) {
                if (seen.has(key) || key === "allowReplaceDeletingBackups") continue;
                seen.add(key);
                out.push([kind, key, variant]);
            }
        });
    }
    return out;
}

test("the table covers every input of every kind", () => {
    for (const kind of Object.keys(KINDS) as KindName[]) {
        const covered = new Set(FULL[kind].flatMap((f) => Object.keys(f)));
        const missing = ["labels", ...Object.keys(KINDS[kind].fields)].filter((k) => !covered.has(k));
        expect({ kind, missing }).toEqual({ kind, missing: [] });
    }
});

describe.each(SERVER_VERSIONS)("PX-Backup %s", (serverVersion) => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness({ serverVersion });
        await foundation(h);
        await createChecked(h, "Rule", { name: "pre", rules: [rule("pre")] });
        await createChecked(h, "Rule", { name: "post", rules: [rule("post")] });
        // What the Restore rows restore.
        await createChecked(h, "Backup", {
            name: "once",
            backupLocationRef: { name: "s3" },
            clusterRef: { name: "app" },
            namespaces: ["default"],
        });
    });
    afterAll(() => stopHarness(h));

    const machinery = (kind: KindName) => h.m(kind);
    const noChange = { changes: false, replaces: [], deleteBeforeReplace: false };

    test.each(rows())("%s: remove %s", async (kind, key, variant) => {
        const m = machinery(kind);
        const spec = KINDS[kind];
        const name = `${slug(kind).slice(1)}${slug(key)}`.slice(0, 60);
        const full = { ...FULL[kind][variant], name };
        const created = await createChecked(h, kind, full);
        expect(await m.diff(created.id, created.outs, created.inputs)).toEqual(noChange);
        const read = await m.read(created.id, created.outs);
        expect(await m.diff(created.id, read.props, created.inputs)).toEqual(noChange);

        const without: Props = { ...full };
        delete without[key];
        const f = key === "labels" ? m.metadata.labels : spec.fields[key];
        const checked = await m.check(created.inputs, without);
        if (checked.failures.length) {
            // Required by the kind (or by another field's value): refused at preview, naming it.
            // (exactly-one-of rules name the group: "one of interval, daily, weekly, monthly")
            expect(checked.failures.filter((x) => x.property === key || x.reason.includes(key))).not.toEqual([]);
            await m.delete(created.id, created.outs);
            return;
        }
        const d = await m.diff(created.id, read.props, checked.inputs);
        if (f.serverDefault) {
            // Left as the server has it (documented per field): no change planned.
            expect(d).toEqual(noChange);
            await m.delete(created.id, created.outs);
            return;
        }
        expect(d.changes).toBe(true);
        const replace = !!f.immutable || (spec.cannotClear ?? []).includes(key);
        expect(d.replaces).toEqual(replace ? [key] : []);
        let id = created.id;
        let outs: Props;
        if (replace) {
            await m.delete(created.id, read.props);
            ({ id, outs } = await m.create(checked.inputs));
        } else {
            outs = (await m.update(created.id, read.props, checked.inputs)).outs;
        }
        expect(await m.diff(id, outs, checked.inputs)).toEqual(noChange);
        const again = await m.read(id, outs);
        expect(await m.diff(id, again.props, checked.inputs)).toEqual(noChange);
        // The server object has no value for the field (secrets included: the simulator shows them).
        const wire = h.sim.inspect(SIM_KIND[kind], name)!;
        const where = key === "labels" ? wire.metadata : wire[spec.infoKey];
        const value = getPath(where, key === "labels" ? "labels" : wireName(key, f));
        expect({ key, value }).toEqual({ key, value: undefined });
        await m.delete(id, outs);
    });
});
