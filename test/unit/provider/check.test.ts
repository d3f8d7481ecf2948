// Every check rule with a bad value: one failure per property, naming the property and the rule; values
// unknown at preview are tolerated.
import { PxBackupClient } from "../../../provider/client";
import { KINDS, KindName } from "../../../provider/kinds";
import { KindMachinery } from "../../../provider/machinery";
import { UNKNOWN } from "../../../provider/wire";

const noClient = () => {
    throw new Error("check must not call the server");
};
const m = (k: KindName) => new KindMachinery(KINDS[k], noClient as () => PxBackupClient);

const ref = (name: string) => ({ name });
const valid: Record<KindName, Record<string, unknown>> = {
    BackupSchedule: {
        name: "nightly",
        schedulePolicyRef: ref("daily"),
        backupLocationRef: ref("s3"),
        clusterRef: ref("app"),
        namespaces: ["default"],
    },
    Backup: { name: "once", backupLocationRef: ref("s3"), clusterRef: ref("app") },
    SchedulePolicy: { name: "daily", daily: { time: "2:00AM", retain: 7 } },
    BackupLocation: {
        name: "s3",
        type: "S3",
        path: "bucket",
        cloudCredentialRef: ref("creds"),
        s3Config: { region: "us-east-1", endpoint: "http://minio:9000" },
    },
    CloudCredential: { name: "creds", type: "AWS", awsConfig: { accessKey: "AK", secretKey: "SK" } },
    Cluster: { name: "app", kubeconfig: "apiVersion: v1" },
    Rule: { name: "quiesce", rules: [{ podSelector: { app: "db" }, actions: [{ value: "sync" }] }] },
    Restore: { name: "again", backupRef: ref("once"), clusterRef: ref("app"), namespaceMapping: { web: "web-copy" } },
};

test.each(Object.keys(valid) as KindName[])(
    "%s: a valid input has no failures and gets orgId default",
    async (kind) => {
        const r = await m(kind).check({}, valid[kind]);
        expect(r.failures).toEqual([]);
        expect(r.inputs.orgId).toBe("default");
    },
);

// [kind, property patch, failing property, reason fragment]
const bad: [KindName, Record<string, unknown>, string, string][] = [
    // metadata (shared by every kind)
    ["BackupSchedule", { name: undefined }, "name", "is required"],
    ["BackupSchedule", { name: "Nightly_Backup" }, "name", "DNS-1123 subdomain"],
    ["BackupSchedule", { name: "a".repeat(254) }, "name", "at most 253"],
    ["BackupSchedule", { orgId: "Org/1" }, "orgId", "DNS-1123"],
    ["BackupSchedule", { uid: "a/b" }, "uid", "not a valid uid"],
    ["BackupSchedule", { labels: { "bad key!": "x" } }, "labels.bad key!", "label key"],
    ["BackupSchedule", { labels: { env: "not valid!" } }, "labels.env", "label value"],
    ["BackupSchedule", { labels: { "Bad_Prefix/x": "y" } }, "labels.Bad_Prefix/x", "invalid prefix"],
    ["BackupSchedule", { labels: { env: 3 } }, "labels.env", "must be a string"],
    [
        "BackupSchedule",
        { ownership: { groups: [{ id: "ops", access: "Owner" }] } },
        "ownership.groups[0].access",
        "one of Read, Write, Admin",
    ],
    [
        "BackupSchedule",
        { ownership: { collaborators: [{ access: "Read" }] } },
        "ownership.collaborators[0].id",
        "is required",
    ],
    [
        "BackupSchedule",
        { ownership: { public: { type: "Everyone" } } },
        "ownership.public.type",
        "one of Read, Write, Admin",
    ],
    ["BackupSchedule", { deleteTimeoutSeconds: 0 }, "deleteTimeoutSeconds", "at least 1"],
    ["BackupSchedule", { deleteTimeoutSeconds: 1.5 }, "deleteTimeoutSeconds", "integer"],
    ["BackupSchedule", { adoptExisting: "yes" }, "adoptExisting", "true or false"],
    // schedule
    ["BackupSchedule", { schedulePolicyRef: undefined }, "schedulePolicyRef", "is required"],
    ["BackupSchedule", { backupLocationRef: undefined }, "backupLocationRef", "is required"],
    ["BackupSchedule", { clusterRef: undefined }, "clusterRef", "is required"],
    ["BackupSchedule", { clusterRef: { uid: "u1" } }, "clusterRef.name", "is required"],
    ["BackupSchedule", { clusterRef: { name: "app/cluster" } }, "clusterRef.name", "must not contain '/'"],
    ["BackupSchedule", { clusterRef: { name: " " } }, "clusterRef.name", "must not be empty"],
    ["BackupSchedule", { preExecRuleRef: { name: "r", uid: "has space" } }, "preExecRuleRef.uid", "not a valid uid"],
    ["BackupSchedule", { reclaimPolicy: "Keep" }, "reclaimPolicy", "one of Delete, Retain"],
    ["BackupSchedule", { backupType: "Full" }, "backupType", "one of Generic, Normal"],
    ["BackupSchedule", { backupObjectType: "NS" }, "backupObjectType", "one of All, VirtualMachine"],
    ["BackupSchedule", { suspend: "true" }, "suspend", "true or false"],
    ["BackupSchedule", { directKdmp: 1 }, "directKdmp", "true or false"],
    ["BackupSchedule", { namespaces: ["ok", "Not_OK"] }, "namespaces[1]", "DNS-1123 label"],
    ["BackupSchedule", { namespaces: "default" }, "namespaces", "must be a list"],
    ["BackupSchedule", { resourceTypes: [""] }, "resourceTypes[0]", "must not be empty"],
    ["BackupSchedule", { excludeResourceTypes: ["Secret", " "] }, "excludeResourceTypes[1]", "must not be empty"],
    ["BackupSchedule", { labelSelectors: { app: "a b" } }, "labelSelectors.app", "label value"],
    [
        "BackupSchedule",
        { includeResources: [{ name: "db", kind: "Deployment" }] },
        "includeResources[0].version",
        "is required",
    ],
    [
        "BackupSchedule",
        { includeResources: [{ namespace: "ns", kind: "Deployment", version: "v1" }] },
        "includeResources[0].name",
        "is required",
    ],
    [
        "BackupSchedule",
        { includeResources: [{ name: "db", version: "v1" }] },
        "includeResources[0].kind",
        "is required",
    ],
    [
        "BackupSchedule",
        { includeResources: [{ name: "db", namespace: "Bad NS", kind: "Deployment", version: "v1" }] },
        "includeResources[0].namespace",
        "DNS-1123 label",
    ],
    [
        "BackupSchedule",
        { volumeSnapshotClassMapping: { "csi.driver": "" } },
        "volumeSnapshotClassMapping.csi.driver",
        "must not be empty",
    ],
    ["BackupSchedule", { nsLabelSelectors: 5 }, "nsLabelSelectors", "must be a string"],
    // backup
    [
        "Backup",
        { backupShare: { groups: [{ id: "ops", access: "Read" }] } },
        "backupShare.groups[0].access",
        "one of View, Restorable, FullAccess",
    ],
    [
        "Backup",
        { backupShare: { collaborators: [{ id: "", access: "View" }] } },
        "backupShare.collaborators[0].id",
        "is required",
    ],
    ["Backup", { waitTimeoutSeconds: -5 }, "waitTimeoutSeconds", "at least 1"],
    ["Backup", { cloudCredentialRef: { name: "" } }, "cloudCredentialRef.name", "is required"],
    // schedule policy
    ["SchedulePolicy", { daily: undefined }, "interval", "exactly one of interval, daily, weekly, monthly"],
    [
        "SchedulePolicy",
        { interval: { minutes: 30 } },
        "daily",
        "exactly one of interval, daily, weekly, monthly must be set, got interval and daily",
    ],
    ["SchedulePolicy", { daily: { time: "25:00" } }, "daily.time", "12-hour time"],
    ["SchedulePolicy", { daily: { time: "2:00AM", retain: 0 } }, "daily.retain", "at least 1"],
    [
        "SchedulePolicy",
        { daily: { time: "2:00AM", incrementalCount: { count: -1 } } },
        "daily.incrementalCount.count",
        "at least 0",
    ],
    ["SchedulePolicy", { daily: undefined, interval: { minutes: 0 } }, "interval.minutes", "at least 1"],
    ["SchedulePolicy", { daily: undefined, interval: {} }, "interval.minutes", "is required"],
    ["SchedulePolicy", { daily: undefined, weekly: { day: "Funday", time: "1:00PM" } }, "weekly.day", "day name"],
    ["SchedulePolicy", { daily: undefined, weekly: { day: "Mon", time: "13:00" } }, "weekly.time", "12-hour time"],
    ["SchedulePolicy", { daily: undefined, monthly: { date: 32, time: "1:00AM" } }, "monthly.date", "at most 31"],
    ["SchedulePolicy", { forObjectLock: "no" }, "forObjectLock", "true or false"],
    // backup location
    ["BackupLocation", { type: "FTP" }, "type", "one of S3, Azure, Google, NFS"],
    ["BackupLocation", { path: "" }, "path", "is required"],
    ["BackupLocation", { cloudCredentialRef: undefined }, "cloudCredentialRef", "is required when type is S3"],
    ["BackupLocation", { s3Config: undefined }, "s3Config", "is required when type is S3"],
    ["BackupLocation", { s3Config: { endpoint: "http://" } }, "s3Config.endpoint", "URL"],
    ["BackupLocation", { s3Config: { sseType: "AES" } }, "s3Config.sseType", "one of SSE_S3, SSE_KMS"],
    [
        "BackupLocation",
        { type: "NFS", cloudCredentialRef: undefined, s3Config: undefined },
        "nfsConfig",
        "is required when type is NFS",
    ],
    ["BackupLocation", { encryptionKey: "" }, "encryptionKey", "must not be empty"],
    [
        "BackupLocation",
        { type: "Azure", cloudCredentialRef: undefined, s3Config: undefined },
        "cloudCredentialRef",
        "is required when type is Azure",
    ],
    [
        "BackupLocation",
        { type: "Google", cloudCredentialRef: undefined, s3Config: undefined },
        "cloudCredentialRef",
        "is required when type is Google",
    ],
    [
        "BackupLocation",
        { type: "Azure", s3Config: { azureEnvironment: "AZURE_MARS" } },
        "s3Config.azureEnvironment",
        "one of AZURE_GLOBAL, AZURE_CHINA",
    ],
    [
        "BackupLocation",
        { s3Config: { region: "us-east-1", azureEnvironment: "AZURE_GLOBAL" } },
        "s3Config.azureEnvironment",
        "must not be set when type is S3 (only for Azure)",
    ],
    [
        "BackupLocation",
        { type: "NFS", cloudCredentialRef: undefined, nfsConfig: { serverAddr: "nfs.local" } },
        "s3Config",
        "must not be set when type is NFS",
    ],
    [
        "BackupLocation",
        { nfsConfig: { serverAddr: "nfs.local" } },
        "nfsConfig",
        "must not be set when type is S3 (only for NFS)",
    ],
    // cloud credential
    ["CloudCredential", { type: "GCP" }, "type", "one of AWS, Azure, Google, IBM, Rancher"],
    ["CloudCredential", { type: "Azure", awsConfig: undefined }, "azureConfig", "is required when type is Azure"],
    [
        "CloudCredential",
        { type: "Azure", awsConfig: undefined, azureConfig: { accountName: "acct" } },
        "azureConfig.accountKey",
        "is required",
    ],
    [
        "CloudCredential",
        { type: "Azure", azureConfig: { accountName: "acct", accountKey: "k" } },
        "awsConfig",
        "must not be set when type is Azure (set azureConfig instead)",
    ],
    ["CloudCredential", { type: "Google", awsConfig: undefined }, "googleConfig", "is required when type is Google"],
    [
        "CloudCredential",
        { type: "Google", awsConfig: undefined, googleConfig: { projectId: "p", jsonKey: "{not json" } },
        "googleConfig.jsonKey",
        "JSON text of an object",
    ],
    [
        "CloudCredential",
        { type: "Google", awsConfig: undefined, googleConfig: { projectId: "p", jsonKey: "[1]" } },
        "googleConfig.jsonKey",
        "JSON text of an object",
    ],
    ["CloudCredential", { type: "IBM", awsConfig: undefined, ibmConfig: {} }, "ibmConfig.apiKey", "is required"],
    [
        "CloudCredential",
        { type: "Rancher", awsConfig: undefined, rancherConfig: { endpoint: "https://rancher.example" } },
        "rancherConfig.token",
        "is required",
    ],
    [
        "CloudCredential",
        { type: "Rancher", awsConfig: undefined, rancherConfig: { endpoint: "http://", token: "t" } },
        "rancherConfig.endpoint",
        "must be a URL",
    ],
    ["CloudCredential", { awsConfig: undefined }, "awsConfig", "is required when type is AWS"],
    ["CloudCredential", { awsConfig: { accessKey: "AK" } }, "awsConfig.secretKey", "is required"],
    // cluster
    ["Cluster", { kubeconfig: " " }, "kubeconfig", "must not be empty"],
    ["Cluster", { provider: "DigitalOcean" }, "provider", "one of AWS, Azure, Google, IBM, Rancher"],
    ["Cluster", { cloudCredentialRef: { name: "a/b" } }, "cloudCredentialRef.name", "must not contain '/'"],
    ["Cluster", { name: "prod/eu" }, "name", "must not contain '/'"],
    ["Backup", { name: "Manual_Backup" }, "name", "DNS-1123 subdomain"],
    // rule
    ["Rule", { rules: [] }, "rules", "is required"],
    ["Rule", { rules: [{ podSelector: { app: "db" }, actions: [] }] }, "rules[0].actions", "is required"],
    [
        "Rule",
        { rules: [{ podSelector: { app: "db" }, actions: [{ value: "" }] }] },
        "rules[0].actions[0].value",
        "is required",
    ],
    ["Rule", { rules: [{ actions: [{ value: "x" }] }] }, "rules[0].podSelector", "is required"],
    [
        "Rule",
        { rules: [{ podSelector: { app: "db" }, actions: [{ value: "x", background: "no" }] }] },
        "rules[0].actions[0].background",
        "true or false",
    ],
    // restore
    ["Restore", { backupRef: undefined }, "backupRef", "is required"],
    ["Restore", { clusterRef: undefined }, "clusterRef", "is required"],
    ["Restore", { backupRef: { uid: "u1" } }, "backupRef.name", "is required"],
    ["Restore", { name: "Restore_1" }, "name", "DNS-1123 subdomain"],
    ["Restore", { namespaceMapping: { web: "Web Copy" } }, "namespaceMapping.web", "DNS-1123 label"],
    ["Restore", { namespaceMapping: { "Bad NS": "web" } }, "namespaceMapping.Bad NS", "DNS-1123 label"],
    ["Restore", { storageClassMapping: { standard: "" } }, "storageClassMapping.standard", "must not be empty"],
    ["Restore", { replacePolicy: "Overwrite" }, "replacePolicy", "one of Retain, Delete"],
    ["Restore", { backupObjectType: "Namespace" }, "backupObjectType", "one of All, VirtualMachine"],
    [
        "Restore",
        { includeResources: [{ name: "db", kind: "Deployment" }] },
        "includeResources[0].version",
        "is required",
    ],
    ["Restore", { excludeResources: [{ name: "db", version: "v1" }] }, "excludeResources[0].kind", "is required"],
    ["Restore", { includeOptionalResourceTypes: [""] }, "includeOptionalResourceTypes[0]", "must not be empty"],
    [
        "Restore",
        { virtualMachineRestoreOptions: { skipVmRestart: "yes" } },
        "virtualMachineRestoreOptions.skipVmRestart",
        "true or false",
    ],
    ["Restore", { waitTimeoutSeconds: 0 }, "waitTimeoutSeconds", "at least 1"],
];

test.each(bad)("%s %j fails on %s (%s)", async (kind, patch, property, reason) => {
    const r = await m(kind).check({}, { ...valid[kind], ...patch });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].property).toBe(property);
    expect(r.failures[0].reason).toContain(reason);
});

test("a rejected secret value never appears in the failure", async () => {
    const r = await m("CloudCredential").check(
        {},
        { name: "r", type: "Rancher", rancherConfig: { endpoint: "http://tok-9f8e7d@", token: "tok-9f8e7d" } },
    );
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].property).toBe("rancherConfig.endpoint");
    expect(JSON.stringify(r.failures)).not.toContain("tok-9f8e7d");
});

test("one failure per property, several properties at once", async () => {
    const r = await m("BackupSchedule").check(
        {},
        {
            name: "Bad Name",
            schedulePolicyRef: undefined,
            reclaimPolicy: "x",
            namespaces: ["A", "B"],
            labels: { "!": "x" },
        },
    );
    const props = r.failures.map((f) => f.property.split(/[.[]/)[0]).sort();
    expect(props).toEqual([
        "backupLocationRef",
        "clusterRef",
        "labels",
        "name",
        "namespaces",
        "reclaimPolicy",
        "schedulePolicyRef",
    ]);
    expect(r.failures.find((f) => f.property.startsWith("namespaces"))!.property).toBe("namespaces[0]");
});

test("values unknown at preview are skipped, at any depth", async () => {
    const r = await m("BackupSchedule").check(
        {},
        {
            name: UNKNOWN,
            schedulePolicyRef: UNKNOWN,
            backupLocationRef: { name: UNKNOWN, uid: UNKNOWN },
            clusterRef: { name: "app", uid: UNKNOWN },
            namespaces: [UNKNOWN, "ok"],
            labels: { env: UNKNOWN },
            reclaimPolicy: UNKNOWN,
            includeResources: [{ name: UNKNOWN, kind: "Deployment", version: UNKNOWN }],
        },
    );
    expect(r.failures).toEqual([]);
    const p = await m("SchedulePolicy").check({}, { name: "p", daily: UNKNOWN });
    expect(p.failures).toEqual([]);
    const l = await m("BackupLocation").check({}, { name: "l", type: UNKNOWN, path: "b" });
    expect(l.failures).toEqual([]);
});

test("check never calls the server and keeps the program's values", async () => {
    const r = await m("BackupSchedule").check({}, { ...valid.BackupSchedule, orgId: "team-a", suspend: false });
    expect(r.inputs).toMatchObject({ orgId: "team-a", suspend: false, namespaces: ["default"] });
});

test.each([
    ["SchedulePolicy", { name: "Daily Policy_1", daily: { time: "2:00AM" } }],
    ["Rule", { name: "Pre-Exec MySQL", rules: [{ podSelector: { app: "db" }, actions: [{ value: "sync" }] }] }],
    ["Cluster", { name: "Prod_EU", kubeconfig: "apiVersion: v1" }],
    ["CloudCredential", { name: "AWS Prod", type: "AWS", awsConfig: { accessKey: "a", secretKey: "b" } }],
    ["BackupLocation", { name: "S3 Bucket", type: "NFS", path: "/x", nfsConfig: { serverAddr: "nfs" } }],
    [
        "BackupSchedule",
        {
            name: "nightly",
            schedulePolicyRef: { name: "Daily Policy_1" },
            backupLocationRef: { name: "S3 Bucket" },
            clusterRef: { name: "Prod_EU" },
        },
    ],
] as [KindName, Record<string, unknown>][])(
    "%s: names the server takes as they are (only backups and schedules become Kubernetes names)",
    async (kind, inputs) => {
        expect((await m(kind).check({}, inputs)).failures).toEqual([]);
    },
);
