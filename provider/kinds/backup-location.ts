// BackupLocation: an S3 bucket, Azure/Google container or NFS export; create waits until it validates.
import type { CrossRule } from "../validation";
import { requiredWhen } from "../validation";
import { bool, enm, metadataOutputs, obj, ref, statusOutputs, str } from "./common";
import type { KindSpec } from "./spec";

const AZURE_ONLY = ["azureEnvironment", "azureResourceGroupName"];

/** The config block of another location type would be sent and ignored (or refused) by the server. */
const configMatchesType: CrossRule = (input) => {
    const type = input.type;
    if (typeof type !== "string") return undefined;
    if (type === "NFS" && input.s3Config !== undefined)
        return { property: "s3Config", reason: "must not be set when type is NFS (set nfsConfig)" };
    if (type !== "NFS" && input.nfsConfig !== undefined)
        return { property: "nfsConfig", reason: `must not be set when type is ${type} (only for NFS)` };
    const s3 = (input.s3Config ?? {}) as Record<string, unknown>;
    const azureKey = AZURE_ONLY.find((k) => s3[k] !== undefined);
    if (type !== "Azure" && azureKey)
        return { property: `s3Config.${azureKey}`, reason: `must not be set when type is ${type} (only for Azure)` };
    return undefined;
};

export const BACKUP_LOCATION: KindSpec = {
    name: "BackupLocation",
    basePath: "/v1/backuplocation",
    responseKey: "backup_location",
    listKey: "backup_locations",
    infoKey: "backup_location_info",
    requestKey: "backup_location",
    nameFormat: "objectName",
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
                azureEnvironment: {
                    type: enm(["AZURE_GLOBAL", "AZURE_CHINA"], { wrapped: true }),
                    description: "Azure cloud of the storage account (type Azure)",
                },
                azureResourceGroupName: {
                    type: str("nonEmpty"),
                    description: "resource group of the storage account (type Azure)",
                },
            }),
            description: "object store settings (types S3, Azure, Google)",
        },
        nfsConfig: {
            type: obj({
                serverAddr: { type: str("nonEmpty"), required: true },
                subPath: { type: str() },
                mountOption: { type: str() },
            }),
            description: "NFS server and options (type NFS)",
        },
    },
    crossRules: [
        requiredWhen("type", "S3", "cloudCredentialRef"),
        requiredWhen("type", "Azure", "cloudCredentialRef"),
        requiredWhen("type", "Google", "cloudCredentialRef"),
        requiredWhen("type", "S3", "s3Config"),
        requiredWhen("type", "NFS", "nfsConfig"),
        configMatchesType,
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
        // After a failed validation (bucket fixed, credential corrected) the next update validates again.
        retriggerPath: "/v1/backuplocation/validate",
    },
};
