// CloudCredential: AWS (or S3-compatible) access keys; the server never returns them.
import { requiredWhen } from "../validation";
import { enm, metadataOutputs, obj, str } from "./common";
import type { KindSpec } from "./spec";

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
};
