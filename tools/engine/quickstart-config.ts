// Stack config of the root quickstart (examples/quickstart) against the local servers: one definition for the
// demo and the e2e test, so a new config key of the quickstart is added in one place.
import type { ConfigMap } from "@pulumi/pulumi/automation";

export interface QuickstartServers {
    sim: { url: string; token: string };
    cluster: { kubeconfig: string; etcd: { endpoint: string } };
    minio: { endpoint: string; accessKey: string; secretKey: string };
    bucket: string;
    etcdCaPem: string;
    etcdClient: { certPem: string; keyPem: string };
}

export function quickstartConfig(s: QuickstartServers): ConfigMap {
    return {
        "kube-backup:url": { value: s.sim.url },
        "kube-backup:token": { value: s.sim.token, secret: true },
        kubeconfig: { value: s.cluster.kubeconfig, secret: true },
        s3Endpoint: { value: s.minio.endpoint },
        bucket: { value: s.bucket },
        s3AccessKey: { value: s.minio.accessKey, secret: true },
        s3SecretKey: { value: s.minio.secretKey, secret: true },
        etcdEndpoint: { value: s.cluster.etcd.endpoint },
        etcdCa: { value: s.etcdCaPem },
        etcdCert: { value: s.etcdClient.certPem },
        etcdKey: { value: s.etcdClient.keyPem, secret: true },
    };
}
