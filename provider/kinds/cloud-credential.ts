// CloudCredential: AWS (or S3-compatible) keys, Azure, Google, IBM or Rancher credentials. Each type has one
// config block; the whole block is secret (sent to the server, kept in state only as a hash), since the
// server never returns the keys.
import type { CrossRule } from "../validation";
import { requiredWhen } from "../validation";
import { enm, metadataOutputs, obj, str } from "./common";
import type { KindSpec } from "./spec";
import type { FieldSpec } from "../wire";

/** The config block each credential type takes. */
export const CREDENTIAL_BLOCKS = {
    AWS: "awsConfig",
    Azure: "azureConfig",
    Google: "googleConfig",
    IBM: "ibmConfig",
    Rancher: "rancherConfig",
} as const;

const block = (fields: Parameters<typeof obj>[0], description: string): FieldSpec => ({
    type: obj(fields),
    secret: true,
    description: `${description}; stored only as a hash`,
});

/** Exactly the block of the type: another type's block would be sent and silently dropped or mixed. */
const onlyTheTypesBlock: CrossRule = (input) => {
    const type = input.type as keyof typeof CREDENTIAL_BLOCKS | undefined;
    const own = type ? CREDENTIAL_BLOCKS[type] : undefined;
    const others = Object.values(CREDENTIAL_BLOCKS).filter((b) => b !== own && input[b] !== undefined);
    if (!others.length || !own) return undefined;
    return { property: others[0], reason: `must not be set when type is ${type} (set ${own} instead)` };
};

export const CLOUD_CREDENTIAL: KindSpec = {
    name: "CloudCredential",
    basePath: "/v1/cloudcredential",
    responseKey: "cloud_credential",
    listKey: "cloud_credentials",
    infoKey: "cloud_credential_info",
    requestKey: "cloud_credential",
    nameFormat: "objectName",
    inspectQuery: { include_secrets: "false" },
    fields: {
        type: {
            type: enm(Object.keys(CREDENTIAL_BLOCKS)),
            required: true,
            immutable: true,
            description: "credential type; set the matching config block",
        },
        awsConfig: block(
            {
                accessKey: { type: str("nonEmpty"), required: true },
                secretKey: { type: str("nonEmpty"), required: true },
            },
            "AWS (or S3-compatible) access key pair",
        ),
        azureConfig: block(
            {
                accountName: { type: str("nonEmpty"), required: true, description: "storage account name" },
                accountKey: { type: str("nonEmpty"), required: true, description: "storage account key" },
                clientId: { type: str("nonEmpty"), description: "service principal (for AKS clusters)" },
                clientSecret: { type: str("nonEmpty") },
                tenantId: { type: str("nonEmpty") },
                subscriptionId: { type: str("nonEmpty") },
            },
            "Azure storage account key, and optionally a service principal",
        ),
        googleConfig: block(
            {
                projectId: { type: str("nonEmpty"), required: true },
                jsonKey: {
                    type: str("jsonObject"),
                    required: true,
                    description: "service account key file (JSON text)",
                },
            },
            "Google Cloud project and service account key",
        ),
        ibmConfig: block({ apiKey: { type: str("nonEmpty"), required: true } }, "IBM Cloud API key"),
        rancherConfig: block(
            {
                endpoint: { type: str("url"), required: true, description: "Rancher server URL" },
                token: { type: str("nonEmpty"), required: true, description: "Rancher API token" },
            },
            "Rancher server and API token",
        ),
    },
    crossRules: [
        ...Object.entries(CREDENTIAL_BLOCKS).map(([type, b]) => requiredWhen("type", type, b)),
        onlyTheTypesBlock,
    ],
    outputs: { ...metadataOutputs },
    updateWire: ["type", "aws_config", "azure_config", "google_config", "ibm_config", "rancher_config"],
};
