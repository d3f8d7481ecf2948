// The declarative table of PX-Backup object kinds. Each kind is data: its inputs (with wire names,
// immutability, secrets), its server-reported outputs, its API paths and envelope keys, and its async
// states. The generic machinery (machinery.ts) does check/diff/create/read/update/delete for all of them.
import { CrossRule, exactlyOneOf, requiredWhen } from "./validation";
import { Fields, FieldSpec, StringFormat, TypeSpec } from "./wire";

export type KindName =
    "BackupSchedule" | "Backup" | "SchedulePolicy" | "BackupLocation" | "CloudCredential" | "Cluster" | "Rule";

export interface ReadyStates {
    /** Wire path of the status inside the object, e.g. backup_info.status.status. */
    statusPath: string;
    reasonPath: string;
    success: readonly string[];
    failure: readonly string[];
    /** The object is usable while the server reports no status at all. */
    absentIsReady: boolean;
    defaultTimeoutSeconds: number;
}

export interface KindSpec {
    name: KindName;
    /** Collection path, e.g. /v1/backupschedule; items are `${basePath}/${org}/${name}`. */
    basePath: string;
    /** Key of the object in create/inspect responses. */
    responseKey: string;
    /** Key of the enumerate list. */
    listKey: string;
    /** Key of the spec inside the returned object. */
    infoKey: string;
    /** Key of the spec inside create/update requests; undefined when the request is flat. */
    requestKey?: string;
    /** Spec inputs (wire names relative to the spec). */
    fields: Fields;
    crossRules?: CrossRule[];
    /** Server-reported outputs (wire names relative to the whole object). */
    outputs: Fields;
    /** Wire keys of the spec a whole-object PUT may carry (never bulk selectors or create-only fields). */
    updateWire: readonly string[];
    /** Inputs the create request does not take; applied by a PUT right after create when set. */
    createViaUpdate?: readonly string[];
    /** Inputs kept as applied (not as read): the server rewrites them but they cannot drift. */
    ready?: ReadyStates;
    /** Name rule for this kind. */
    nameFormat: "dns1123Subdomain" | "dns1123Label";
    /** Query for inspect (e.g. include_secrets=false, include_validation_state). */
    inspectQuery?: Record<string, string>;
    /** Extra DELETE query built from the stored outputs. */
    deleteQuery?: (props: Record<string, any>) => Record<string, string | undefined>;
    /** Custom update (Backup: only metadata, credential ref and share can change). */
    customUpdate?: "backup";
}

// ---- type helpers --------------------------------------------------------------------------------------
const str = (format?: StringFormat): TypeSpec => ({ kind: "string", format });
const bool: TypeSpec = { kind: "bool" };
const int = (min?: number, max?: number): TypeSpec => ({ kind: "int64", min, max });
const enm = (values: readonly string[], extra: { wrapped?: boolean; readWrapped?: boolean } = {}): TypeSpec => ({
    kind: "enum",
    values,
    ...extra,
});
const list = (of: TypeSpec): TypeSpec => ({ kind: "list", of });
const obj = (fields: Fields): TypeSpec => ({ kind: "object", fields });
const json: TypeSpec = { kind: "json" };
const labelMap: TypeSpec = { kind: "map", keyFormat: "labelKey", valueFormat: "labelValue" };
const stringMap: TypeSpec = { kind: "map", keyFormat: "nonEmpty", valueFormat: "nonEmpty" };

/** ObjectRef {name, uid}: the server fills in the uid when only the name is given. */
export const REF: TypeSpec = {
    kind: "object",
    ref: true,
    fields: {
        name: { type: str("dns1123Subdomain"), required: true, description: "name of the referenced object" },
        uid: {
            type: str("uid"),
            serverDefault: true,
            description: "uid of the referenced object (resolved by the server when omitted)",
        },
    },
};
const ref = (extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: REF, ...extra });

const ownershipAccess = ["Read", "Write", "Admin"] as const;
const accessConfig = (values: readonly string[]): TypeSpec =>
    list(
        obj({
            id: {
                type: str("nonEmpty"),
                required: true,
                description: 'group id, or user id (token `sub`); "*" means all',
            },
            access: { type: enm(values), required: true },
        }),
    );

/** Metadata inputs every kind has (wire names relative to `metadata`). */
export function metadataFields(nameFormat: KindSpec["nameFormat"]): Fields {
    return {
        orgId: {
            type: str("dns1123Subdomain"),
            wire: "org_id",
            immutable: true,
            description: "organization (default `default`)",
        },
        name: {
            type: str(nameFormat),
            required: true,
            immutable: true,
            description: "object name (defaults to the Pulumi resource name)",
        },
        uid: {
            type: str("uid"),
            immutable: true,
            serverDefault: true,
            description: "uid to create the object with (generated when omitted)",
        },
        owner: { type: str("nonEmpty"), serverDefault: true, description: "deprecated metadata.owner" },
        labels: { type: labelMap, description: "labels of the object" },
        ownership: {
            type: obj({
                owner: {
                    type: str("nonEmpty"),
                    serverDefault: true,
                    description: "owner user id (set by the server from the caller)",
                },
                groups: { type: accessConfig(ownershipAccess) },
                collaborators: { type: accessConfig(ownershipAccess) },
                public: { type: obj({ type: { type: enm(ownershipAccess), required: true } }) },
            }),
            // Managed only when the program sets it: the server always reports at least the owner.
            serverDefault: true,
            description: "who may read, change or administer the object (left as is when unset)",
        },
    };
}

/** Provider behaviour inputs (never sent to the server). */
export const OPTION_FIELDS: Fields = {
    waitTimeoutSeconds: { type: int(1), description: "how long create waits for the object to become ready" },
    deleteTimeoutSeconds: {
        type: int(1),
        description: "how long delete waits until the server no longer returns the object",
    },
};
export const DEFAULT_DELETE_TIMEOUT_SECONDS = 600;

const metadataOutputs: Fields = {
    createTime: { type: str(), wire: "metadata.create_time" },
    lastUpdateTime: { type: str(), wire: "metadata.last_update_time" },
};

const resourceInfo = obj({
    name: { type: str("nonEmpty"), required: true },
    namespace: { type: str("dns1123Label"), description: "empty for cluster-scoped resources" },
    group: { type: str(), description: "API group; empty for the core group" },
    kind: { type: str("nonEmpty"), required: true },
    version: { type: str("nonEmpty"), required: true },
});

/** Selection fields shared by BackupSchedule and Backup. */
function selectionFields(immutable: boolean): Fields {
    const f = (type: TypeSpec, extra: Partial<FieldSpec> = {}): FieldSpec => ({
        type,
        ...(immutable ? { immutable: true, trackApplied: true } : {}),
        ...extra,
    });
    return {
        backupLocationRef: { ...ref({ required: true }), ...(immutable ? { immutable: true } : {}) },
        clusterRef: ref({ required: true, immutable: true }),
        namespaces: f(list(str("dns1123Label"))),
        labelSelectors: f(labelMap),
        nsLabelSelectors: f(str()),
        advancedResourceLabelSelector: f(str()),
        includeResources: f(list(resourceInfo)),
        resourceTypes: { type: list(str("nonEmpty")), immutable: true, ...(immutable ? { trackApplied: true } : {}) },
        excludeResourceTypes: {
            type: list(str("nonEmpty")),
            immutable: true,
            ...(immutable ? { trackApplied: true } : {}),
        },
        preExecRuleRef: { ...ref(), ...(immutable ? { immutable: true } : {}) },
        postExecRuleRef: { ...ref(), ...(immutable ? { immutable: true } : {}) },
        backupType: { type: enm(["Generic", "Normal"], { readWrapped: true }), immutable: true, serverDefault: true },
        backupObjectType: {
            type: enm(["All", "VirtualMachine"], { wrapped: true }),
            immutable: true,
            serverDefault: true,
        },
        skipVmAutoExecRules: f(bool),
        directKdmp: { type: bool, immutable: true },
        keepCrStatus: { type: bool, immutable: true },
        volumeSnapshotClassMapping: f(stringMap),
        csiSnapshotClassName: f(str()),
        volumeResourceOnlyPolicyRef: { ...ref(), ...(immutable ? { immutable: true } : {}) },
    };
}

const statusOutputs = (prefix: string): Fields => ({
    status: { type: str(), wire: `${prefix}.status.status` },
    statusReason: { type: str(), wire: `${prefix}.status.reason` },
});

const incremental = { type: obj({ count: { type: int(0) } }) };
const retain = { type: int(1), serverDefault: true };

export const KINDS: Record<KindName, KindSpec> = {
    BackupSchedule: {
        name: "BackupSchedule",
        basePath: "/v1/backupschedule",
        responseKey: "backup_schedule",
        listKey: "backup_schedules",
        infoKey: "backup_schedule_info",
        nameFormat: "dns1123Subdomain",
        fields: {
            schedulePolicyRef: ref({ required: true }),
            ...selectionFields(false),
            reclaimPolicy: { type: enm(["Delete", "Retain"]), serverDefault: true },
            suspend: {
                type: bool,
                serverDefault: true,
                emitZero: true,
                description: "pause the schedule; left as is when unset",
            },
            parallelBackup: { type: bool },
        },
        outputs: {
            ...metadataOutputs,
            status: { type: json, wire: "backup_schedule_info.status" },
            suspendedBy: { type: str(), wire: "backup_schedule_info.suspended_by.source" },
            backupStatuses: { type: json, wire: "backup_schedule_info.backup_status" },
            storkVersion: { type: str(), wire: "backup_schedule_info.stork_version" },
            missingNamespaces: { type: list(str()), wire: "backup_schedule_info.missing_namespaces" },
        },
        // BackupScheduleUpdateRequest fields minus bulk selectors and deprecated string twins: `cluster_ref`,
        // `resource_types`, `exclude_resource_types`, `backup_type`, `direct_kdmp`, `keep_cr_status` are not in
        // the update message (hence immutable), and `backup_object_type` there is a bulk selector.
        updateWire: [
            "reclaim_policy",
            "namespaces",
            "label_selectors",
            "suspend",
            "include_resources",
            "csi_snapshot_class_name",
            "schedule_policy_ref",
            "backup_location_ref",
            "pre_exec_rule_ref",
            "post_exec_rule_ref",
            "volume_snapshot_class_mapping",
            "skip_vm_auto_exec_rules",
            "parallel_backup",
            "advanced_resource_label_selector",
            "volume_resource_only_policy_ref",
            "ns_label_selectors",
        ],
        createViaUpdate: ["suspend"],
    },
    Backup: {
        name: "Backup",
        basePath: "/v1/backup",
        responseKey: "backup",
        listKey: "backups",
        infoKey: "backup_info",
        nameFormat: "dns1123Subdomain",
        fields: {
            ...selectionFields(true),
            cloudCredentialRef: ref({
                serverDefault: true,
                description: "credential used to reach the backup data (copied from the location when unset)",
            }),
            backupShare: {
                type: obj({
                    groups: { type: accessConfig(["View", "Restorable", "FullAccess"]) },
                    collaborators: { type: accessConfig(["View", "Restorable", "FullAccess"]) },
                }),
                wire: "backup_share",
                description: "who may view or restore the backup; changed in place",
            },
        },
        outputs: {
            ...metadataOutputs,
            ...statusOutputs("backup_info"),
            stage: { type: str(), wire: "backup_info.stage" },
            backupPath: { type: str(), wire: "backup_info.backup_path" },
            totalSize: { type: int(), wire: "backup_info.total_size" },
            resourceCount: { type: int(), wire: "backup_info.resource_count" },
            failedResourceCount: { type: int(), wire: "backup_info.failed_resource_count" },
            crName: { type: str(), wire: "backup_info.cr_name" },
            crUid: { type: str(), wire: "backup_info.cr_uid" },
            storkVersion: { type: str(), wire: "backup_info.stork_version" },
            completionTime: { type: str(), wire: "backup_info.completion_time_info.total_completion_time" },
            backupSchedule: { type: json, wire: "backup_info.backup_schedule" },
        },
        updateWire: [],
        createViaUpdate: ["backupShare"],
        ready: {
            statusPath: "backup_info.status.status",
            reasonPath: "backup_info.status.reason",
            success: ["Success", "PartialSuccess"],
            failure: ["Failed", "Aborted", "CloudBackupMissing"],
            absentIsReady: false,
            defaultTimeoutSeconds: 3600,
        },
        deleteQuery: (p) => ({ "cluster_ref.name": p.clusterRef?.name, "cluster_ref.uid": p.clusterRef?.uid }),
        customUpdate: "backup",
    },
    SchedulePolicy: {
        name: "SchedulePolicy",
        basePath: "/v1/schedulepolicy",
        responseKey: "schedule_policy",
        listKey: "schedule_policies",
        infoKey: "schedule_policy_info",
        requestKey: "schedule_policy",
        nameFormat: "dns1123Subdomain",
        fields: {
            interval: {
                type: obj({ minutes: { type: int(1), required: true }, retain, incrementalCount: incremental }),
            },
            daily: {
                type: obj({
                    time: { type: str("kitchenTime"), required: true },
                    retain,
                    incrementalCount: incremental,
                }),
            },
            weekly: {
                type: obj({
                    day: { type: str("weekdays"), required: true },
                    time: { type: str("kitchenTime"), required: true },
                    retain,
                    incrementalCount: incremental,
                    biWeekly: { type: bool },
                }),
            },
            monthly: {
                type: obj({
                    date: { type: int(1, 31), required: true },
                    time: { type: str("kitchenTime"), required: true },
                    retain,
                    incrementalCount: incremental,
                }),
            },
            forObjectLock: { type: bool, immutable: true },
            autoDelete: { type: bool },
            supportsAdvancedFeatures: { type: bool },
        },
        crossRules: [exactlyOneOf(["interval", "daily", "weekly", "monthly"])],
        outputs: {
            ...metadataOutputs,
            backupSchedules: { type: list(str()), wire: "schedule_policy_info.backup_schedule" },
        },
        updateWire: [
            "interval",
            "daily",
            "weekly",
            "monthly",
            "for_object_lock",
            "auto_delete",
            "supports_advanced_features",
        ],
    },
    BackupLocation: {
        name: "BackupLocation",
        basePath: "/v1/backuplocation",
        responseKey: "backup_location",
        listKey: "backup_locations",
        infoKey: "backup_location_info",
        requestKey: "backup_location",
        nameFormat: "dns1123Subdomain",
        fields: {
            type: { type: enm(["S3", "Azure", "Google", "NFS"]), required: true, immutable: true },
            path: {
                type: str("nonEmpty"),
                required: true,
                immutable: true,
                description: "bucket (S3), container, or NFS export path",
            },
            encryptionKey: { type: str("nonEmpty"), secret: true, immutable: true },
            cloudCredentialRef: ref(),
            validateCloudCredential: { type: bool, trackApplied: true },
            s3Config: {
                type: obj({
                    endpoint: { type: str("url") },
                    region: { type: str("nonEmpty") },
                    disableSsl: { type: bool },
                    disablePathStyle: { type: bool },
                    storageClass: { type: str() },
                    sseType: { type: enm(["SSE_S3", "SSE_KMS"]) },
                }),
            },
            nfsConfig: {
                type: obj({
                    serverAddr: { type: str("nonEmpty"), required: true },
                    subPath: { type: str() },
                    mountOption: { type: str() },
                }),
            },
        },
        crossRules: [
            requiredWhen("type", "S3", "cloudCredentialRef"),
            requiredWhen("type", "S3", "s3Config"),
            requiredWhen("type", "NFS", "nfsConfig"),
        ],
        outputs: {
            ...metadataOutputs,
            ...statusOutputs("backup_location_info"),
            objectLockEnabled: { type: bool, wire: "backup_location_info.object_lock_enabled" },
        },
        updateWire: [
            "type",
            "path",
            "encryption_key",
            "cloud_credential_ref",
            "validate_cloud_credential",
            "s3_config",
            "nfs_config",
        ],
        ready: {
            statusPath: "backup_location_info.status.status",
            reasonPath: "backup_location_info.status.reason",
            success: ["Valid", "LimitedAvailability"],
            failure: ["ValidationFailed"],
            absentIsReady: true,
            defaultTimeoutSeconds: 300,
        },
    },
    CloudCredential: {
        name: "CloudCredential",
        basePath: "/v1/cloudcredential",
        responseKey: "cloud_credential",
        listKey: "cloud_credentials",
        infoKey: "cloud_credential_info",
        requestKey: "cloud_credential",
        nameFormat: "dns1123Subdomain",
        inspectQuery: { include_secrets: "false" },
        fields: {
            type: {
                type: enm(["AWS"]),
                required: true,
                immutable: true,
                description: "credential type (AWS keys are supported)",
            },
            awsConfig: {
                type: obj({
                    accessKey: { type: str("nonEmpty"), required: true },
                    secretKey: { type: str("nonEmpty"), required: true },
                }),
                secret: true,
                description: "AWS (or S3-compatible) access key pair; stored only as a hash",
            },
        },
        crossRules: [requiredWhen("type", "AWS", "awsConfig")],
        outputs: { ...metadataOutputs },
        updateWire: ["type", "aws_config"],
    },
    Cluster: {
        name: "Cluster",
        basePath: "/v1/cluster",
        responseKey: "cluster",
        listKey: "clusters",
        infoKey: "clusterInfo",
        nameFormat: "dns1123Subdomain",
        inspectQuery: { include_secrets: "false" },
        fields: {
            kubeconfig: {
                type: str("nonEmpty"),
                secret: true,
                encodeValue: (v) => Buffer.from(v, "utf8").toString("base64"),
                description: "kubeconfig text of the application cluster (sent base64-encoded)",
            },
            pxConfig: { type: obj({ accessToken: { type: str("nonEmpty") } }), secret: true },
            cloudCredentialRef: ref(),
            platformCredentialRef: ref(),
            provider: { type: enm(["AWS", "Azure", "Google", "IBM", "Rancher"]), immutable: true, trackApplied: true },
        },
        outputs: {
            ...metadataOutputs,
            status: { type: str(), wire: "clusterInfo.status.status" },
            statusReason: { type: str(), wire: "clusterInfo.status.reason" },
            storkVersion: { type: str(), wire: "clusterInfo.stork_version" },
            k8sVersion: { type: str(), wire: "clusterInfo.k8s_version" },
        },
        updateWire: ["px_config", "kubeconfig", "cloud_credential_ref", "platform_credential_ref"],
        ready: {
            statusPath: "clusterInfo.status.status",
            reasonPath: "clusterInfo.status.reason",
            success: ["Online", "Success"],
            failure: ["Failed"],
            absentIsReady: true,
            defaultTimeoutSeconds: 600,
        },
    },
    Rule: {
        name: "Rule",
        basePath: "/v1/rule",
        responseKey: "rule",
        listKey: "rules",
        infoKey: "rules_info",
        requestKey: "rules_info",
        nameFormat: "dns1123Subdomain",
        fields: {
            rules: {
                type: list(
                    obj({
                        podSelector: { type: labelMap, required: true },
                        actions: {
                            type: list(
                                obj({
                                    background: { type: bool },
                                    runInSinglePod: { type: bool },
                                    value: { type: str("nonEmpty"), required: true },
                                }),
                            ),
                            required: true,
                        },
                        container: { type: str() },
                    }),
                ),
                required: true,
            },
        },
        outputs: { ...metadataOutputs },
        updateWire: ["rules"],
    },
};

export function kindSpec(name: string): KindSpec {
    const k = (KINDS as Record<string, KindSpec | undefined>)[name];
    if (!k) throw new Error(`unknown PX-Backup kind ${name}`);
    return k;
}
