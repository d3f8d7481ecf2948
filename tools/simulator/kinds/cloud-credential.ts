// Cloud credentials: one config block per provider type; secret fields only with include_secrets.
import { invalid } from "../errors";
import { Wire } from "../store";
import { KindSpec, applyMetadataUpdate, keepSecrets } from "./spec";

const CREDENTIAL_CONFIG: Record<string, [block: string, required: string[]]> = {
    AWS: ["aws_config", ["access_key", "secret_key"]],
    Azure: ["azure_config", ["account_name", "account_key"]],
    Google: ["google_config", ["project_id", "json_key"]],
    IBM: ["ibm_config", ["api_key"]],
    Rancher: ["rancher_config", ["endpoint", "token"]],
};

function validateCredential(info: Wire): void {
    const config = CREDENTIAL_CONFIG[info.type];
    if (!config) throw invalid(`cloud_credential.type must be one of ${Object.keys(CREDENTIAL_CONFIG).join(", ")}`);
    const [block, required] = config;
    for (const field of required) {
        if (!info[block]?.[field])
            throw invalid(`cloud_credential.${block}.${field} is required for type ${info.type}`);
    }
}

export const cloudCredential: KindSpec = {
    kind: "cloudcredential",
    label: "cloud credential",
    ops: {
        create: "CloudCredential_Create",
        update: "CloudCredential_Update",
        enumerate: "CloudCredential_Enumerate",
        inspect: "CloudCredential_Inspect",
        delete: "CloudCredential_Delete",
        ownership: "CloudCredential_UpdateOwnership",
    },
    responseKey: "cloud_credential",
    listKey: "cloud_credentials",
    infoKey: "cloud_credential_info",
    objectDef: "CloudCredentialObject",
    paginated: true,
    refs: [],
    secrets: [
        "aws_config.secret_key",
        "azure_config.account_key",
        "azure_config.client_secret",
        "azure_config.client_id",
        "azure_config.tenant_id",
        "azure_config.subscription_id",
        "google_config.json_key",
        "ibm_config.api_key",
        "rancher_config.token",
    ],
    build: (req) => ({ ...(req.cloud_credential ?? {}) }),
    validate: validateCredential,
    update(obj, req) {
        const info = { ...(req.cloud_credential ?? {}) };
        keepSecrets(cloudCredential, obj.info, info);
        validateCredential(info);
        obj.info = info;
        applyMetadataUpdate(obj, req.metadata);
    },
    deleted: () => "now",
};
