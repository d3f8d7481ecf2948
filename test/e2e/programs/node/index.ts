// The quickstart's backup components against a local cluster whose node runs the pods: a StatefulSet writes a
// claim, an EtcdBackupSchedule snapshots an etcd with client-certificate TLS and a PvcBackupSchedule backs the
// claim up, both to an existing bucket on MinIO. The namespace enforces the `restricted` Pod Security level and the
// node is a tainted control-plane node, so the StatefulSet and the PVC schedule tolerate that taint (the etcd
// schedule does by default). The edit steps break `s3SecretKey` (a failing run) and lower `podSecurityLevel` to
// baseline, which a PVC restore needs (it runs as UID 0 to restore owners and modes).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";

const config = new pulumi.Config();
const provider = new k8s.Provider(
    "local",
    { kubeconfig: config.requireSecret("kubeconfig") },
    { version: config.get("kubernetesProviderVersion") },
);
const opts = { providers: [provider] };

const ns = new k8s.core.v1.Namespace(
    "backups",
    {
        metadata: {
            name: config.require("namespace"),
            labels: {
                "pod-security.kubernetes.io/enforce": config.get("podSecurityLevel") ?? "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    },
    { provider },
);
const namespace = ns.metadata.name;
const controlPlane = [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }];
const restricted = {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

// The application: writes its data once (a text file, a nested file, 1 MiB of random bytes), then serves.
const db = new k8s.apps.v1.StatefulSet(
    "db",
    {
        metadata: { name: "db", namespace },
        spec: {
            serviceName: "db",
            replicas: 1,
            selector: { matchLabels: { app: "db" } },
            template: {
                metadata: { labels: { app: "db" } },
                spec: {
                    tolerations: controlPlane,
                    securityContext: { runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 },
                    containers: [
                        {
                            name: "db",
                            image: config.require("toolsImage"),
                            command: [
                                "/bin/sh",
                                "-c",
                                "[ -f /data/.written ] || { echo hello > /data/greeting.txt && mkdir -p /data/sub && " +
                                    "date > /data/sub/created && head -c 1048576 /dev/urandom > /data/blob.bin && " +
                                    "touch /data/.written; }; exec sleep 100000",
                            ],
                            volumeMounts: [{ name: "data", mountPath: "/data" }],
                            readinessProbe: { exec: { command: ["test", "-f", "/data/.written"] }, periodSeconds: 1 },
                            securityContext: restricted,
                        },
                    ],
                },
            },
            volumeClaimTemplates: [
                {
                    metadata: { name: "data" },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Mi" } } },
                },
            ],
        },
    },
    { provider },
);

const credentials = new kb.BackupCredentials(
    "minio",
    {
        namespace,
        s3: { accessKeyId: config.requireSecret("s3AccessKey"), secretAccessKey: config.requireSecret("s3SecretKey") },
    },
    opts,
);
const bucket = {
    bucket: config.require("bucket"),
    endpoint: config.require("s3Endpoint"),
    region: "us-east-1",
    forcePathStyle: true,
};

const etcd = new kb.EtcdBackupSchedule(
    "etcd",
    {
        namespace,
        schedule: "0 2 * * *",
        suspend: true, // the tests run Jobs by hand; a scheduled run would change the counts
        retention: 2,
        endpoint: config.require("etcdEndpoint"),
        certificates: {
            caCrt: config.require("etcdCa"),
            clientCrt: config.require("etcdCert"),
            clientKey: config.requireSecret("etcdKey"),
        },
        storage: { bucket, prefix: "node/etcd", credentials },
    },
    opts,
);

const volumes = new kb.PvcBackupSchedule(
    "data",
    {
        namespace,
        schedule: "15 1 * * *",
        suspend: true, // the tests run Jobs by hand; a scheduled run would change the counts
        pvcNames: ["data-db-0"],
        compression: "gzip",
        retention: 2,
        storage: { bucket, prefix: "node/pvc", credentials },
        tolerations: controlPlane,
    },
    { ...opts, dependsOn: [db] },
);

// kubeadm's way: the client certificate read from the node (read-only hostPath and UID 0: only the privileged
// level admits hostPath volumes).
const hostCertsDir = config.get("etcdHostCertsDir");
let etcdHostCronJob: pulumi.Output<string> | undefined;
if (hostCertsDir) {
    const hostNs = new k8s.core.v1.Namespace(
        "host-certs",
        {
            metadata: {
                name: `${config.require("namespace")}-host`,
                labels: { "pod-security.kubernetes.io/enforce": "privileged" },
            },
        },
        { provider },
    );
    const hostCredentials = new kb.BackupCredentials(
        "minio-host",
        {
            namespace: hostNs.metadata.name,
            s3: {
                accessKeyId: config.requireSecret("s3AccessKey"),
                secretAccessKey: config.requireSecret("s3SecretKey"),
            },
        },
        opts,
    );
    etcdHostCronJob = new kb.EtcdBackupSchedule(
        "etcd-host",
        {
            namespace: hostNs.metadata.name,
            schedule: "0 3 * * *",
            suspend: true, // the tests run Jobs by hand; a scheduled run would change the counts
            retention: 2,
            endpoint: config.require("etcdEndpoint"),
            hostCerts: { dir: hostCertsDir, caFile: "ca.crt", certFile: "client.crt", keyFile: "client.key" },
            storage: { bucket, prefix: "node/etcd-host", credentials: hostCredentials },
        },
        opts,
    ).cronJobName;
}

// The component restore path: a PvcRestore Job (tolerating the control-plane taint) of the backup the test picks
// into a new claim, once the test sets `restoreKey`.
const restoreKey = config.get("restoreKey");
if (restoreKey) {
    const claim = new k8s.core.v1.PersistentVolumeClaim(
        "restored-by-component",
        {
            metadata: { name: "restored-by-component", namespace },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Mi" } } },
        },
        { provider },
    );
    new kb.PvcRestore(
        "restore-data",
        {
            namespace,
            claimName: claim.metadata.name,
            key: restoreKey,
            storage: { bucket, credentials },
            tolerations: controlPlane,
        },
        { ...opts, dependsOn: [claim] },
    );
}

export const etcdCronJob = etcd.cronJobName;
export const etcdHostCronJobName = etcdHostCronJob;
export const pvcCronJobs = volumes.cronJobNames;
export const backupNamespace = namespace;
