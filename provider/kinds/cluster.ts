// Cluster: an application cluster registered by kubeconfig; create waits until it is Online.
import { bool, enm, metadataOutputs, obj, ref, str } from "./common";
import type { KindSpec } from "./spec";

export const CLUSTER: KindSpec = {
    name: "Cluster",
    basePath: "/v1/cluster",
    responseKey: "cluster",
    listKey: "clusters",
    infoKey: "clusterInfo",
    nameFormat: "objectName",
    inspectQuery: { include_secrets: "false" },
    fields: {
        kubeconfig: {
            type: str("nonEmpty"),
            required: true,
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
    // An update without a secret keeps the stored one (clients cannot read secrets back to resend them).
    cannotClear: ["kubeconfig", "pxConfig"],
    options: {
        deleteRestores: {
            type: bool,
            description: "on delete, also remove the restore records made to this cluster",
        },
        deleteAllClusterBackups: {
            type: bool,
            description: "on delete, also delete every backup of this cluster (needs a PX-Backup super admin)",
        },
    },
    deleteQuery: (p) => ({
        delete_restores: p.deleteRestores === true ? "true" : undefined,
        delete_all_cluster_backups: p.deleteAllClusterBackups === true ? "true" : undefined,
    }),
    ready: {
        statusPath: "clusterInfo.status.status",
        reasonPath: "clusterInfo.status.reason",
        success: ["Online", "Success"],
        failure: ["Failed"],
        absentIsReady: true,
        defaultTimeoutSeconds: 600,
    },
};
