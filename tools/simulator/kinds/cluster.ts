// Clusters: base64 kubeconfig, Pending → Online, asynchronous delete.
import { ADMIN_GROUP } from "../auth";
import { ApiError, Code, invalid } from "../errors";
import { StoredObject, Wire } from "../store";
import { kindSpec } from "./index";
import { KindSpec, applyMetadataUpdate, keepSecrets, outcomeFor, pendingDelete } from "./spec";

const CLUSTER_CREATE_FIELDS = [
    "px_config",
    "kubeconfig",
    "cloud_credential",
    "cloud_credential_ref",
    "platform_credential_ref",
    "teleport_cluster_id",
    "tenant_id",
    "service_token",
    "provider",
];

function validateCluster(info: Wire): void {
    if (!info.kubeconfig) throw invalid("kubeconfig is required (base64-encoded kubeconfig)");
    const text = Buffer.from(info.kubeconfig, "base64").toString("utf8");
    if (!/^[A-Za-z0-9+/=\s]+$/.test(info.kubeconfig) || !/apiVersion|clusters/.test(text)) {
        throw invalid("kubeconfig must be a base64-encoded kubeconfig");
    }
}

const clusterPendingDelete = pendingDelete((o) => (o.info.status = { status: "DeletePending" }));

export const cluster: KindSpec = {
    kind: "cluster",
    label: "cluster",
    ops: {
        create: "Cluster_Create",
        update: "Cluster_Update",
        enumerate: "Cluster_Enumerate",
        enumeratePost: "Cluster_Enumerate2",
        inspect: "Cluster_Inspect",
        delete: "Cluster_Delete",
    },
    responseKey: "cluster",
    listKey: "clusters",
    infoKey: "clusterInfo",
    objectDef: "ClusterObject",
    paginated: true,
    refs: [
        { field: "cloud_credential_ref", kind: "cloudcredential", twin: "cloud_credential" },
        { field: "platform_credential_ref", kind: "cloudcredential" },
    ],
    secrets: ["kubeconfig", "px_config.access_token", "service_token"],
    blocksReferencedDeletion: true,
    build(req) {
        const info: Wire = {};
        for (const f of CLUSTER_CREATE_FIELDS) if (req[f] !== undefined) info[f] = req[f];
        return info;
    },
    validate: validateCluster,
    update(obj, req) {
        const info: Wire = {
            ...obj.info,
            kubeconfig: req.kubeconfig,
            px_config: req.px_config,
            cloud_credential_ref: req.cloud_credential_ref,
            platform_credential_ref: req.platform_credential_ref,
            cloud_credential: req.cloud_credential,
        };
        keepSecrets(cluster, obj.info, info);
        validateCluster(info);
        obj.info = info;
        applyMetadataUpdate(obj, req.metadata);
    },
    created(obj, ctx) {
        obj.info.status = { status: "Pending" };
        ctx.store.schedule(obj, [
            [
                ctx.delays.clusterPending,
                (o) => {
                    const outcome = outcomeFor(ctx, o, ctx.outcomes.cluster);
                    o.info.status = { status: outcome.status, reason: outcome.reason ?? "" };
                    if (outcome.status === "Online") {
                        o.info.stork_version = "25.3.0";
                        o.info.k8s_version = "v1.31.4";
                    }
                },
            ],
        ]);
    },
    deleted(obj, ctx, query = {}) {
        if (query.delete_all_cluster_backups === true && !ctx.caller.groups.includes(ADMIN_GROUP)) {
            throw new ApiError(Code.PermissionDenied, "delete_all_cluster_backups needs a super admin");
        }
        const ofCluster = (o: StoredObject) => o.info.cluster_ref?.uid === obj.metadata.uid && !o.deleting;
        // The restore records made to this cluster (the restored workloads are the cluster's, gone with it).
        if (query.delete_restores === true) {
            for (const r of ctx.store.list("restore", obj.metadata.org_id).filter(ofCluster)) ctx.store.remove(r);
        }
        // Every backup taken of this cluster, deleted the way a backup delete does.
        if (query.delete_all_cluster_backups === true) {
            for (const b of ctx.store.list("backup", obj.metadata.org_id).filter(ofCluster)) {
                b.deleting = true;
                kindSpec("backup").deleted(b, ctx);
            }
        }
        if (query.delete_restores === true) obj.info.delete_restores = true;
        if (query.delete_all_cluster_backups === true) obj.info.delete_all_cluster_backups = true;
        clusterPendingDelete(obj, ctx);
    },
    status: (o) => o.info.status?.status,
    existsSuffix: (o) => ` with status: ${o.info.status?.status ?? "Pending"}`,
};
