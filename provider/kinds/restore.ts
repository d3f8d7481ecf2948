// Restore: restores a Backup to a cluster; create waits for Success or PartialSuccess. A restore is a one-off
// action: every input is fixed once it started (a change replaces the restore, i.e. restores again), only
// labels and ownership change in place (PUT /v1/restore takes metadata only), and delete removes the
// restore record, never what was restored.
import {
    REF,
    bool,
    enm,
    int,
    list,
    metadataOutputs,
    obj,
    ref,
    resourceInfo,
    statusOutputs,
    str,
    stringMap,
} from "./common";
import type { KindSpec } from "./spec";
import type { TypeSpec } from "../wire";

const namespaceMap: TypeSpec = { kind: "map", keyFormat: "dns1123Label", valueFormat: "dns1123Label" };

export const RESTORE: KindSpec = {
    name: "Restore",
    basePath: "/v1/restore",
    responseKey: "restore",
    listKey: "restores",
    infoKey: "restore_info",
    nameFormat: "dns1123Subdomain",
    fields: {
        backupRef: ref({ required: true, immutable: true, description: "the backup to restore" }),
        clusterRef: ref({ required: true, immutable: true, description: "the cluster to restore to" }),
        namespaceMapping: {
            type: namespaceMap,
            immutable: true,
            description: "source namespace → target namespace; unmapped namespaces restore under their own name",
        },
        storageClassMapping: {
            type: stringMap,
            immutable: true,
            description: "source storage class → target storage class",
        },
        replacePolicy: {
            type: enm(["Retain", "Delete"]),
            immutable: true,
            serverDefault: true,
            description:
                "what happens to resources that already exist on the target: Retain keeps them, Delete replaces them",
        },
        includeResources: {
            type: list(resourceInfo),
            immutable: true,
            description: "restore only these resources of the backup",
        },
        // Not echoed by the server (RestoreInfo has no such field): state keeps what was applied.
        excludeResources: {
            type: list(resourceInfo),
            immutable: true,
            trackApplied: true,
            description: "resources of the backup not to restore",
        },
        includeOptionalResourceTypes: {
            type: list(str("nonEmpty")),
            immutable: true,
            description: "optional resource types to restore as well (e.g. Job)",
        },
        backupObjectType: {
            type: enm(["All", "VirtualMachine"], { wrapped: true }),
            immutable: true,
            serverDefault: true,
        },
        targetNamespacePrefix: { type: str(), immutable: true, description: "prefix of the restored namespaces" },
        rancherProjectMapping: { type: stringMap, immutable: true },
        rancherProjectNameMapping: { type: stringMap, immutable: true },
        virtualMachineRestoreOptions: {
            type: obj({ skipMacMasking: { type: bool }, skipVmRestart: { type: bool } }),
            immutable: true,
        },
    },
    outputs: {
        ...metadataOutputs,
        ...statusOutputs("restore_info"),
        backupLocationRef: { type: REF, wire: "restore_info.backup_location_ref" },
        totalSize: { type: int(), wire: "restore_info.total_size" },
        resourceCount: { type: int(), wire: "restore_info.resource_count" },
        restoredResourceCount: { type: int(), wire: "restore_info.restored_resource_count" },
        storkVersion: { type: str(), wire: "restore_info.stork_version" },
    },
    updateWire: [],
    ready: {
        statusPath: "restore_info.status.status",
        reasonPath: "restore_info.status.reason",
        // Retained: finished, and replacePolicy Retain kept every resource that already existed.
        success: ["Success", "PartialSuccess", "Retained"],
        failure: ["Failed", "Aborted"],
        absentIsReady: false,
        defaultTimeoutSeconds: 3600,
    },
};
