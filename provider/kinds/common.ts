// Building blocks shared by the kinds: type shorthands, object references, metadata and provider-option
// inputs, and the backup selection fields BackupSchedule and Backup have in common.
import type { Fields, FieldSpec, StringFormat, TypeSpec } from "../wire";
import type { KindSpec } from "./spec";

// ---- type helpers --------------------------------------------------------------------------------------
export const str = (format?: StringFormat): TypeSpec => ({ kind: "string", format });
export const bool: TypeSpec = { kind: "bool" };
export const int = (min?: number, max?: number): TypeSpec => ({ kind: "int64", min, max });
export const enm = (values: readonly string[], extra: { wrapped?: boolean; readWrapped?: boolean } = {}): TypeSpec => ({
    kind: "enum",
    values,
    ...extra,
});
export const list = (of: TypeSpec): TypeSpec => ({ kind: "list", of });
export const obj = (fields: Fields): TypeSpec => ({ kind: "object", fields });
export const json: TypeSpec = { kind: "json" };
export const labelMap: TypeSpec = { kind: "map", keyFormat: "labelKey", valueFormat: "labelValue" };
export const stringMap: TypeSpec = { kind: "map", keyFormat: "nonEmpty", valueFormat: "nonEmpty" };

/** ObjectRef {name, uid}: the server fills in the uid when only the name is given. */
export const REF: TypeSpec = {
    kind: "object",
    ref: true,
    fields: {
        name: { type: str("objectName"), required: true, description: "name of the referenced object" },
        uid: {
            type: str("uid"),
            serverDefault: true,
            description: "uid of the referenced object (resolved by the server when omitted)",
        },
    },
};
export const ref = (extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: REF, ...extra });

const ownershipAccess = ["Read", "Write", "Admin"] as const;
export const accessConfig = (values: readonly string[]): TypeSpec =>
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

/** The opt-in of kinds whose replacement deletes backups (`replaceDeletesBackups`); never sent to the server. */
export const REPLACE_OPT_IN: Fields = {
    allowReplaceDeletingBackups: {
        type: bool,
        description: "let a change that replaces the object go ahead although the replacement deletes backups",
    },
};

export const metadataOutputs: Fields = {
    createTime: { type: str(), wire: "metadata.create_time" },
    lastUpdateTime: { type: str(), wire: "metadata.last_update_time" },
};

export const statusOutputs = (prefix: string): Fields => ({
    status: { type: str(), wire: `${prefix}.status.status` },
    statusReason: { type: str(), wire: `${prefix}.status.reason` },
});

export const resourceInfo = obj({
    name: { type: str("nonEmpty"), required: true },
    namespace: { type: str("dns1123Label"), description: "empty for cluster-scoped resources" },
    group: { type: str(), description: "API group; empty for the core group" },
    kind: { type: str("nonEmpty"), required: true },
    version: { type: str("nonEmpty"), required: true },
});

/** Selection fields shared by BackupSchedule and Backup (immutable for a Backup, which is taken once). */
export function selectionFields(immutable: boolean): Fields {
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
