// The resource graph each component registers, under Pulumi mocks: kinds, names, parents, Secret refs,
// CronJob spec fields, bucket settings, outputs.
import { CLIENT_CRT, CLIENT_CRT_EXPIRY, isSecret, parentType, plain, reset, settle, value } from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import type * as C from "../../../components";

let c: typeof C;
beforeAll(async () => {
    c = await import("../../../components");
});
beforeEach(() => reset());

const storage = {
    bucket: { bucket: "backups", endpoint: "http://minio.minio:9000", forcePathStyle: true, region: "us-east-1" },
};
const certs = { caCrt: "CA-PEM", clientCrt: CLIENT_CRT, clientKey: "KEY-PEM" };

function byType(rs: Awaited<ReturnType<typeof settle>>, type: string) {
    return rs.filter((r) => r.type === type);
}
function env(container: any): Record<string, any> {
    return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe("EtcdBackupSchedule", () => {
    test("registers a CronJob with control-plane scheduling, exec-form etcd containers and the shared script", async () => {
        const s = new c.EtcdBackupSchedule("etcd-prod", {
            schedule: "0 */6 * * *",
            timeZone: "Europe/Berlin",
            certificates: certs,
            storage: { ...storage, prefix: "clusters/prod" },
        });
        const rs = await settle();
        expect(rs.map((r) => r.type).sort()).toEqual([
            "kube-backup:index:BackupCredentials",
            "kube-backup:index:EtcdBackupSchedule",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:Secret",
        ]);
        const [cj] = byType(rs, "kubernetes:batch/v1:CronJob");
        expect(parentType(cj)).toBe("kube-backup:index:EtcdBackupSchedule");
        const [secret] = byType(rs, "kubernetes:core/v1:Secret");
        expect(parentType(secret)).toBe("kube-backup:index:BackupCredentials");
        expect(secret.inputs.metadata).toMatchObject({ name: "etcd-prod-etcd", namespace: "kube-system" });
        // stringData reaches the engine as a secret (ciphertext in state), keys and values intact inside.
        expect(isSecret(secret.inputs.stringData)).toBe(true);
        expect(plain(secret.inputs.stringData)).toEqual({
            "ca.crt": "CA-PEM",
            "client.crt": CLIENT_CRT,
            "client.key": "KEY-PEM",
        });

        const m = plain(cj.inputs);
        expect(m.metadata).toMatchObject({ name: "etcd-prod", namespace: "kube-system" });
        // Owned by the stack: hand edits are taken back on `up --refresh` rather than failing on an SSA conflict.
        expect(m.metadata.annotations).toEqual({ "pulumi.com/patchForce": "true" });
        expect(m.spec).toMatchObject({
            schedule: "0 */6 * * *",
            timeZone: "Europe/Berlin",
            suspend: false,
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 5,
        });
        expect(m.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 3600 });
        const pod = m.spec.jobTemplate.spec.template.spec;
        expect(pod.restartPolicy).toBe("Never");
        // Any control-plane node: kubeadm/Talos label "", k3s/RKE2 "true", older clusters only "master".
        expect(pod.nodeSelector).toBeUndefined();
        expect(pod.affinity).toEqual({
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                        { matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }] },
                        { matchExpressions: [{ key: "node-role.kubernetes.io/master", operator: "Exists" }] },
                    ],
                },
            },
        });
        expect(pod.tolerations).toEqual([
            { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
            { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
            { key: "node-role.kubernetes.io/etcd", operator: "Exists", effect: "NoExecute" },
            { key: "CriticalAddonsOnly", operator: "Exists" },
        ]);
        expect(pod.hostNetwork).toBe(false);
        const [snap, verify] = pod.initContainers;
        expect(snap).toMatchObject({
            name: "snapshot",
            image: c.DEFAULT_ETCD_IMAGE,
            command: ["etcdctl"],
            args: ["snapshot", "save", "$(SNAPSHOT_FILE)"],
        });
        expect(env(snap).ETCDCTL_ENDPOINTS).toBe("https://$(HOST_IP):2379");
        expect(env(snap).HOST_IP).toEqual({ fieldRef: { fieldPath: "status.hostIP" } });
        expect(verify).toMatchObject({
            name: "verify",
            command: ["etcdutl"],
            args: ["snapshot", "status", "$(SNAPSHOT_FILE)", "--write-out=json"],
        });
        expect(verify.volumeMounts).toEqual([{ name: "work", mountPath: "/backup", readOnly: true }]);
        // No container of the etcd image runs a shell.
        for (const ic of pod.initContainers) expect(ic.command.join(" ")).not.toMatch(/\bsh\b/);
        const [upload] = pod.containers;
        expect(upload.command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
        expect(env(upload)).toMatchObject({
            BACKUP_NAME: "unit.etcd-prod",
            BACKUP_EXT: ".db",
            BACKUP_KEEP: "5",
            BACKUP_SOURCE: "file",
            BACKUP_ETCD_SNAPSHOT: "true",
            BACKUP_BUCKET: "backups",
            BACKUP_PREFIX: "clusters/prod",
            S3_ENDPOINT_URL: "http://minio.minio:9000",
            S3_FORCE_PATH_STYLE: "true",
            S3_REGION: "us-east-1",
        });
        const vol = pod.volumes.find((v: any) => v.name === "etcd-client");
        expect(vol.secret).toMatchObject({ secretName: "etcd-prod-etcd", defaultMode: 0o440 });

        expect(await value(s.cronJobName)).toBe("etcd-prod");
        expect(await value(s.namespace)).toBe("kube-system");
        expect(await value(s.bucket)).toBe("backups");
        expect(await value(s.prefix)).toBe("clusters/prod");
        expect(await value(s.etcdSecretName)).toBe("etcd-prod-etcd");
        // The client certificate's expiry, read from the PEM, as a plain (non-secret) output.
        expect(await value(s.clientCertificateExpiry)).toBe(CLIENT_CRT_EXPIRY);
        expect(await (s.clientCertificateExpiry as any).isSecret).toBe(false);
        expect(await value(s.serviceAccountName)).toBeUndefined();
        expect(s).not.toHaveProperty("nextRunTime");
    });

    test("uses an existing Secret, overrides scheduling and images, and backs up a certs directory", async () => {
        new c.EtcdBackupSchedule("etcd-b", {
            schedule: "@daily",
            namespace: "backup",
            retention: 9,
            suspend: true,
            endpoint: "https://10.0.0.5:2379",
            certificates: { secretName: "etcd-certs", caKey: "ca.pem", certKey: "c.pem", keyKey: "k.pem" },
            certsDir: "/etc/kubernetes/pki",
            encryption: { secretName: "etcd-key" },
            nodeSelector: { "node-role.kubernetes.io/master": "" },
            tolerations: [{ operator: "Exists" }],
            hostNetwork: true,
            images: { etcd: "registry.k8s.io/etcd:3.6.5-0", tools: "example.com/tools:1.0" },
            backoffLimit: 0,
            startingDeadlineSeconds: 120,
            activeDeadlineSeconds: 900,
            storage: {
                bucket: { bucket: "b-1" },
                credentials: { secretName: "s3", accessKeyIdKey: "id", secretAccessKeyKey: "key" },
            },
            resources: { limits: { memory: "256Mi" } },
        });
        const rs = await settle();
        expect(byType(rs, "kubernetes:core/v1:Secret")).toHaveLength(0);
        const m = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs);
        expect(m.spec).toMatchObject({ schedule: "@daily", suspend: true, startingDeadlineSeconds: 120 });
        expect(m.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 900 });
        const pod = m.spec.jobTemplate.spec.template.spec;
        expect(pod).toMatchObject({
            hostNetwork: true,
            nodeSelector: { "node-role.kubernetes.io/master": "" },
            tolerations: [{ operator: "Exists" }],
        });
        expect(pod.volumes.find((v: any) => v.name === "etcd-client").secret.items).toEqual([
            { key: "ca.pem", path: "ca.crt" },
            { key: "c.pem", path: "client.crt" },
            { key: "k.pem", path: "client.key" },
        ]);
        expect(pod.volumes.find((v: any) => v.name === "certs-dir").hostPath).toEqual({
            path: "/etc/kubernetes/pki",
            type: "Directory",
        });
        expect(pod.initContainers[0].image).toBe("registry.k8s.io/etcd:3.6.5-0");
        expect(env(pod.initContainers[0]).ETCDCTL_ENDPOINTS).toBe("https://10.0.0.5:2379");
        const up = pod.containers[0];
        expect(up.image).toBe("example.com/tools:1.0");
        expect(up.resources).toEqual({ limits: { memory: "256Mi" } });
        expect(env(up)).toMatchObject({
            BACKUP_KEEP: "9",
            BACKUP_PREFIX: "unit/etcd",
            BACKUP_EXTRA_DIR: "/host/certs",
            AWS_ACCESS_KEY_ID: { secretKeyRef: { name: "s3", key: "id", optional: false } },
            AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: "s3", key: "key", optional: false } },
        });
        expect(up.volumeMounts).toContainEqual({ name: "certs-dir", mountPath: "/host/certs", readOnly: true });
    });

    test("accepts a BackupBucket and a BackupCredentials, and reports the certificate expiry of a secret PEM", async () => {
        const bucket = new c.BackupBucket("bk", { bucketName: "my-backups", region: "eu-west-1" });
        const creds = new c.BackupCredentials("bk", {
            namespace: "kube-system",
            s3: { accessKeyId: "AKIA", secretAccessKey: pulumi.secret("s3cr3t"), caBundle: "CA" },
            etcd: { ...certs, clientCrt: pulumi.secret(CLIENT_CRT) },
        });
        const s = new c.EtcdBackupSchedule("etcd-c", {
            schedule: "5 4 * * *",
            suspend: true,
            certificates: creds,
            storage: { bucket, credentials: creds },
        });
        const rs = await settle();
        const cj = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs);
        const pod = cj.spec.jobTemplate.spec.template.spec;
        expect(env(pod.containers[0])).toMatchObject({
            BACKUP_BUCKET: "my-backups",
            S3_REGION: "eu-west-1",
            S3_CA_BUNDLE: "/etc/kube-backup/s3-ca/ca.crt",
            AWS_ACCESS_KEY_ID: { secretKeyRef: { name: "bk-s3", key: "AWS_ACCESS_KEY_ID", optional: false } },
        });
        expect(pod.volumes).toContainEqual({
            name: "s3-ca",
            secret: { secretName: "bk-s3", items: [{ key: "ca.crt", path: "ca.crt" }] },
        });
        expect(pod.volumes.find((v: any) => v.name === "etcd-client").secret.secretName).toBe("bk-etcd");
        expect(await value(s.clientCertificateExpiry)).toBe(CLIENT_CRT_EXPIRY);
        expect(await (s.clientCertificateExpiry as any).isSecret).toBe(false);
        expect(await value(creds.etcdClientCertificateExpiry!)).toBe(CLIENT_CRT_EXPIRY);
        expect(await value(s.s3SecretName)).toBe("bk-s3");
    });
});

describe("BackupCredentials", () => {
    test("stores every value as a Pulumi secret, marks data/stringData secret, and outputs the refs", async () => {
        const cr = new c.BackupCredentials("creds", {
            namespace: "apps",
            s3: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "tok" },
        });
        const rs = await settle();
        const secrets = byType(rs, "kubernetes:core/v1:Secret");
        expect(secrets).toHaveLength(1);
        expect(parentType(secrets[0])).toBe("kube-backup:index:BackupCredentials");
        const sd = secrets[0].inputs.stringData;
        expect(isSecret(sd)).toBe(true);
        expect(plain(sd)).toEqual({
            AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
            AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI",
            AWS_SESSION_TOKEN: "tok",
        });
        expect(JSON.stringify(secrets[0].inputs.metadata)).not.toContain("wJalrXUtnFEMI");
        expect(cr.s3Credentials).toBeDefined();
        expect(await value(cr.s3Credentials!.secretName)).toBe("creds-s3");
        expect(cr.s3Credentials!.sessionTokenKey).toBe("AWS_SESSION_TOKEN");
        expect(cr.etcdClientSecret).toBeUndefined();
    });
});

describe("PvcBackupSchedule", () => {
    test("tar: one CronJob per claim, read-only mount, co-scheduling affinity, streamed tar producer", async () => {
        const s = new c.PvcBackupSchedule("app", {
            schedule: "30 2 * * *",
            namespace: "shop",
            pvcNames: ["data-db-0", "uploads"],
            compression: "zstd",
            image: "registry.example/tools-zstd:1.0",
            coScheduleWith: { app: "db" },
            storage: { ...storage, credentials: { secretName: "s3" } },
        });
        const rs = await settle();
        const cjs = byType(rs, "kubernetes:batch/v1:CronJob");
        expect(cjs.map((r) => r.name)).toEqual(["app-data-db-0", "app-uploads"]);
        for (const r of cjs) expect(parentType(r)).toBe("kube-backup:index:PvcBackupSchedule");
        const m = plain(cjs[0].inputs);
        expect(m.spec).toMatchObject({ concurrencyPolicy: "Forbid", schedule: "30 2 * * *" });
        expect(m.metadata.annotations).toEqual({ "pulumi.com/patchForce": "true" });
        const pod = m.spec.jobTemplate.spec.template.spec;
        expect(pod.volumes[0]).toEqual({
            name: "data",
            persistentVolumeClaim: { claimName: "data-db-0", readOnly: true },
        });
        expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
            {
                labelSelector: { matchLabels: { app: "db" } },
                topologyKey: "kubernetes.io/hostname",
                namespaces: ["shop"],
            },
        ]);
        const ct = pod.containers[0];
        expect(ct.args).toEqual(["tar", "--numeric-owner", "-C", "$(BACKUP_DATA_DIR)", "-cf", "-", "."]);
        expect(ct.volumeMounts[0]).toEqual({ name: "data", mountPath: "/data", readOnly: true });
        expect(env(ct)).toMatchObject({
            BACKUP_NAME: "unit.app.data-db-0",
            BACKUP_EXT: ".tar.zst",
            BACKUP_KEEP: "7",
            BACKUP_SOURCE: "stream",
            BACKUP_COMPRESSION: "zstd",
            BACKUP_PREFIX: "unit/pvc/shop/app",
        });
        expect(await value(s.cronJobNames)).toEqual(["app-data-db-0", "app-uploads"]);
        expect(await value(s.prefix)).toBe("unit/pvc/shop/app");
    });

    test("clusterName names the objects and the default prefix", async () => {
        const s = new c.PvcBackupSchedule("app", {
            schedule: "@daily",
            namespace: "shop",
            pvcNames: ["data"],
            clusterName: "prod-eu1",
            storage: { bucket: { bucket: "bkt" } },
        });
        const [cj] = (await settle()).filter((r) => r.type === "kubernetes:batch/v1:CronJob");
        const ct = plain(cj.inputs).spec.jobTemplate.spec.template.spec.containers[0];
        expect(env(ct)).toMatchObject({ BACKUP_NAME: "prod-eu1.app.data", BACKUP_PREFIX: "prod-eu1/pvc/shop/app" });
        expect(await value(s.prefix)).toBe("prod-eu1/pvc/shop/app");
    });

    test("custom: the user command is passed as argv, never inside the script", async () => {
        new c.PvcBackupSchedule("pg", {
            schedule: "0 1 * * *",
            namespace: "db",
            pvcNames: ["pgdata"],
            strategy: "custom",
            command: ["pg_dumpall", "--host=$(PGHOST)", "it's"],
            compression: "gzip",
            extension: ".sql.gz",
            readOnly: false,
            storage,
        });
        const rs = await settle();
        const ct = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs).spec.jobTemplate.spec.template.spec
            .containers[0];
        expect(ct.args).toEqual(["pg_dumpall", "--host=$(PGHOST)", "it's"]);
        expect(ct.command[2]).not.toContain("pg_dumpall");
        expect(env(ct)).toMatchObject({ BACKUP_EXT: ".sql.gz", BACKUP_COMPRESSION: "gzip" });
    });

    test("snapshot: one CronJob with a least-privilege ServiceAccount, Role and RoleBinding", async () => {
        new c.PvcBackupSchedule("snaps", {
            schedule: "0 * * * *",
            namespace: "shop",
            selector: { backup: "yes" },
            strategy: "snapshot",
            volumeSnapshotClass: "csi-snapclass",
            retention: 3,
        });
        const rs = await settle();
        expect(rs.map((r) => r.type).sort()).toEqual([
            "kube-backup:index:PvcBackupSchedule",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:rbac.authorization.k8s.io/v1:Role",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        ]);
        const role = plain(byType(rs, "kubernetes:rbac.authorization.k8s.io/v1:Role")[0].inputs);
        expect(role.rules).toEqual([
            {
                apiGroups: ["snapshot.storage.k8s.io"],
                resources: ["volumesnapshots"],
                verbs: ["create", "get", "list", "watch", "delete"],
            },
            { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list"] },
        ]);
        const pod = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs).spec.jobTemplate.spec.template.spec;
        expect(pod.serviceAccountName).toBe("snaps");
        expect(env(pod.containers[0])).toMatchObject({
            BACKUP_SELECTOR: "backup=yes",
            BACKUP_SNAPSHOT_CLASS: "csi-snapclass",
            BACKUP_KEEP: "3",
        });
    });
});

describe("BackupBucket", () => {
    test("private, encrypted, TLS-only, lifecycle safety net and multipart abort", async () => {
        const b = new c.BackupBucket("bb", { bucketName: "team-backups", region: "eu-central-1", expirationDays: 120 });
        const rs = await settle();
        for (const r of rs.filter((r) => r.type.startsWith("aws:")))
            expect(parentType(r)).toBe("kube-backup:index:BackupBucket");
        const one = (t: string) => plain(byType(rs, t)[0].inputs);
        expect(one("aws:s3/bucket:Bucket")).toMatchObject({
            bucket: "team-backups",
            region: "eu-central-1",
            forceDestroy: false,
        });
        expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")).toMatchObject({
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(
            one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules[0],
        ).toMatchObject({
            applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
            bucketKeyEnabled: false,
        });
        expect(one("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration.status).toBe("Enabled");
        const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules;
        expect(rules).toContainEqual(
            expect.objectContaining({ abortIncompleteMultipartUpload: { daysAfterInitiation: 3 } }),
        );
        expect(rules).toContainEqual(expect.objectContaining({ expiration: { days: 120 } }));
        expect(await value(b.expirationDays)).toBe(120);
        const policy = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy").policy);
        expect(policy.Statement[0]).toMatchObject({
            Effect: "Deny",
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
            Resource: ["arn:aws:s3:::team-backups", "arn:aws:s3:::team-backups/*"],
        });
        expect(byType(rs, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).toHaveLength(0);
        expect(await value(b.bucketName)).toBe("team-backups");
        expect(await value(b.location.bucket)).toBe("team-backups");
    });

    test("KMS encryption and object lock force versioning", async () => {
        const key = "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234";
        new c.BackupBucket("locked", {
            encryption: "aws:kms",
            kmsKeyId: key,
            objectLock: { mode: "COMPLIANCE", days: 30 },
        });
        const rs = await settle();
        const one = (t: string) => plain(byType(rs, t)[0].inputs);
        expect(one("aws:s3/bucket:Bucket")).toMatchObject({ objectLockEnabled: true, bucketPrefix: "locked-" });
        expect(
            one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules[0],
        ).toMatchObject({
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key },
            bucketKeyEnabled: true,
        });
        expect(one("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration.status).toBe("Enabled");
        expect(one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).toMatchObject({
            objectLockEnabled: "Enabled",
            rule: { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
        });
    });
});

describe("pod settings", () => {
    test("a created ServiceAccount carries the IRSA annotation; pull secrets, priority and placement pass through", async () => {
        const s = new c.EtcdBackupSchedule("etcd-irsa", {
            schedule: "0 * * * *",
            certificates: { secretName: "etcd-client" },
            storage,
            createServiceAccount: {
                awsRoleArn: "arn:aws:iam::123456789012:role/etcd-backup",
                annotations: { "example.com/team": "ops" },
            },
            imagePullSecrets: ["regcred", "mirror"],
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
            tolerations: [{ operator: "Exists" }],
            podSecurityContext: { fsGroup: 2000 },
            containerSecurityContext: { readOnlyRootFilesystem: false },
            resources: { limits: { memory: "1Gi" } },
        });
        const rs = await settle();
        const [sa] = byType(rs, "kubernetes:core/v1:ServiceAccount");
        expect(parentType(sa)).toBe("kube-backup:index:EtcdBackupSchedule");
        expect(plain(sa.inputs).metadata).toEqual({
            name: "etcd-irsa",
            namespace: "kube-system",
            annotations: {
                "example.com/team": "ops",
                "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/etcd-backup",
            },
        });
        const pod = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs).spec.jobTemplate.spec.template.spec;
        expect(pod).toMatchObject({
            serviceAccountName: "etcd-irsa",
            automountServiceAccountToken: false,
            imagePullSecrets: [{ name: "regcred" }, { name: "mirror" }],
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            // A given affinity replaces the control-plane default (the caller places the pod).
            affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
            tolerations: [{ operator: "Exists" }],
        });
        // Merged over the defaults: only the given fields change.
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, fsGroup: 2000 });
        expect(pod.containers[0].securityContext).toMatchObject({
            readOnlyRootFilesystem: false,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
        });
        expect(pod.containers[0].resources).toEqual({ limits: { memory: "1Gi" } });
        expect(await value(s.serviceAccountName)).toBe("etcd-irsa");
        expect(await value(s.clientCertificateExpiry)).toBeUndefined();
    });

    test("an existing ServiceAccount is used as given, and the snapshot job's Role is bound to it", async () => {
        const s = new c.PvcBackupSchedule("snaps", {
            schedule: "0 * * * *",
            namespace: "shop",
            pvcNames: ["a"],
            strategy: "snapshot",
            volumeSnapshotClass: "csi",
            serviceAccountName: "snapshotter",
        });
        const rs = await settle();
        expect(byType(rs, "kubernetes:core/v1:ServiceAccount")).toHaveLength(0);
        const binding = plain(byType(rs, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")[0].inputs);
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "snapshotter", namespace: "shop" }]);
        const pod = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs).spec.jobTemplate.spec.template.spec;
        expect(pod.serviceAccountName).toBe("snapshotter");
        expect(pod.automountServiceAccountToken).toBe(true);
        expect(await value(s.serviceAccountName)).toBe("snapshotter");
    });
});

describe("etcd hostCerts", () => {
    test("reads kubeadm's etcd client certificates from the node by default", async () => {
        const s = new c.EtcdBackupSchedule("etcd-host", { schedule: "0 * * * *", hostCerts: {}, storage });
        const rs = await settle();
        expect(byType(rs, "kubernetes:core/v1:Secret")).toHaveLength(0);
        const pod = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs).spec.jobTemplate.spec.template.spec;
        expect(pod.volumes.find((v: any) => v.name === "etcd-client")).toEqual({
            name: "etcd-client",
            hostPath: { path: "/etc/kubernetes/pki/etcd", type: "Directory" },
        });
        const snap = pod.initContainers[0];
        expect(snap.volumeMounts).toContainEqual({
            name: "etcd-client",
            mountPath: "/etc/etcd-client",
            readOnly: true,
        });
        expect(env(snap)).toMatchObject({
            ETCDCTL_CACERT: "/etc/etcd-client/ca.crt",
            ETCDCTL_CERT: "/etc/etcd-client/healthcheck-client.crt",
            ETCDCTL_KEY: "/etc/etcd-client/healthcheck-client.key",
        });
        for (const ct of [...pod.initContainers, ...pod.containers])
            expect(ct.securityContext).toMatchObject({
                runAsUser: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
            });
        expect(await value(s.etcdSecretName)).toBeUndefined();
        expect(await value(s.clientCertificateExpiry)).toBeUndefined();
    });

    test("k3s / RKE2 layout: another directory and file names", async () => {
        new c.EtcdBackupSchedule("etcd-k3s", {
            schedule: "0 * * * *",
            hostCerts: {
                dir: "/var/lib/rancher/k3s/server/tls/etcd",
                caFile: "server-ca.crt",
                certFile: "client.crt",
                keyFile: "client.key",
            },
            storage,
        });
        const rs = await settle();
        const pod = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs).spec.jobTemplate.spec.template.spec;
        expect(pod.volumes.find((v: any) => v.name === "etcd-client").hostPath.path).toBe(
            "/var/lib/rancher/k3s/server/tls/etcd",
        );
        expect(env(pod.initContainers[0])).toMatchObject({
            ETCDCTL_CACERT: "/etc/etcd-client/server-ca.crt",
            ETCDCTL_CERT: "/etc/etcd-client/client.crt",
            ETCDCTL_KEY: "/etc/etcd-client/client.key",
        });
    });
});

describe("ReadWriteOnce placement", () => {
    test("each StatefulSet claim's backup pod has affinity to exactly the pod with that ordinal", async () => {
        new c.PvcBackupSchedule("app", {
            schedule: "0 * * * *",
            namespace: "shop",
            pvcNames: ["data-db-0", "data-db-1", "logs-db-12"],
            statefulSet: "db",
            accessMode: "ReadWriteOnce",
            storage,
        });
        const rs = await settle();
        const terms = byType(rs, "kubernetes:batch/v1:CronJob").map(
            (r) =>
                plain(r.inputs).spec.jobTemplate.spec.template.spec.affinity.podAffinity
                    .requiredDuringSchedulingIgnoredDuringExecution,
        );
        expect(terms).toEqual(
            ["db-0", "db-1", "db-12"].map((pod) => [
                {
                    labelSelector: { matchLabels: { "statefulset.kubernetes.io/pod-name": pod } },
                    topologyKey: "kubernetes.io/hostname",
                    namespaces: ["shop"],
                },
            ]),
        );
    });

    test("the co-scheduling term is added to the caller's own affinity", async () => {
        new c.PvcBackupSchedule("app", {
            schedule: "0 * * * *",
            namespace: "shop",
            pvcNames: ["uploads"],
            coScheduleWith: { app: "web" },
            affinity: {
                nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] },
                podAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { labelSelector: { matchLabels: { x: "y" } }, topologyKey: "zone" },
                    ],
                },
            },
            storage,
        });
        const rs = await settle();
        const aff = plain(byType(rs, "kubernetes:batch/v1:CronJob")[0].inputs).spec.jobTemplate.spec.template.spec
            .affinity;
        expect(aff.nodeAffinity).toEqual({ preferredDuringSchedulingIgnoredDuringExecution: [] });
        expect(aff.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
            { labelSelector: { matchLabels: { x: "y" } }, topologyKey: "zone" },
            {
                labelSelector: { matchLabels: { app: "web" } },
                topologyKey: "kubernetes.io/hostname",
                namespaces: ["shop"],
            },
        ]);
    });
});

describe("BackupBucket defaults and modes", () => {
    const lifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
    test("new buckets: versioned, no expiry of current objects, noncurrent versions and expired delete markers cleaned", async () => {
        const b = new c.BackupBucket("bb", { bucketName: "team-backups" });
        const rs = await settle();
        expect(plain(byType(rs, "aws:s3/bucketVersioning:BucketVersioning")[0].inputs).versioningConfiguration).toEqual(
            {
                status: "Enabled",
            },
        );
        expect(plain(byType(rs, lifecycle)[0].inputs).rules).toEqual([
            {
                id: "abort-incomplete-multipart-uploads",
                status: "Enabled",
                filter: {},
                abortIncompleteMultipartUpload: { daysAfterInitiation: 3 },
            },
            {
                id: "noncurrent-version-expiration",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: 30 },
            },
            {
                id: "expired-delete-markers",
                status: "Enabled",
                filter: {},
                expiration: { expiredObjectDeleteMarker: true },
            },
        ]);
        expect(await value(b.expirationDays)).toBeUndefined();
        expect(await value(b.accessPolicyDocument)).toBeUndefined();
    });

    test("versioning: false creates no versioning configuration and no version rules", async () => {
        new c.BackupBucket("bb", { bucketName: "team-backups", versioning: false });
        const rs = await settle();
        expect(byType(rs, "aws:s3/bucketVersioning:BucketVersioning")).toHaveLength(0);
        expect(plain(byType(rs, lifecycle)[0].inputs).rules.map((r: any) => r.id)).toEqual([
            "abort-incomplete-multipart-uploads",
        ]);
    });

    test("an endpoint (S3-compatible store) skips the AWS-only resources", async () => {
        const b = new c.BackupBucket("bb", {
            bucketName: "minio-backups",
            endpoint: "https://minio.example:9000",
            forcePathStyle: true,
        });
        const rs = await settle();
        expect(
            rs
                .filter((r) => r.type.startsWith("aws:"))
                .map((r) => r.type)
                .sort(),
        ).toEqual([
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketVersioning:BucketVersioning",
        ]);
        expect(await value(b.location.endpoint)).toBe("https://minio.example:9000");
    });

    test("accessPolicyDocument grants list/get/put/delete under the given prefixes only", async () => {
        const key = "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234";
        const b = new c.BackupBucket("bb", {
            bucketName: "team-backups",
            encryption: "aws:kms",
            kmsKeyId: key,
            accessPrefixes: ["clusters/prod/etcd", "pvc/shop"],
        });
        await settle();
        expect(JSON.parse((await value(b.accessPolicyDocument))!)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ListBackupPrefixes",
                    Effect: "Allow",
                    Action: "s3:ListBucket",
                    Resource: "arn:aws:s3:::team-backups",
                    Condition: { StringLike: { "s3:prefix": ["clusters/prod/etcd/*", "pvc/shop/*"] } },
                },
                {
                    Sid: "ReadWriteBackupObjects",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                    Resource: [
                        "arn:aws:s3:::team-backups/clusters/prod/etcd/*",
                        "arn:aws:s3:::team-backups/pvc/shop/*",
                    ],
                },
                {
                    Sid: "UseBucketKmsKey",
                    Effect: "Allow",
                    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: key,
                },
            ],
        });
    });

    test("a schedule whose retention window outlasts the bucket's expiry is rejected, naming both", async () => {
        const bucket = new c.BackupBucket("bb", { bucketName: "team-backups", expirationDays: 400 });
        // 24 monthly backups span about two years.
        expect(
            () =>
                new c.PvcBackupSchedule("monthly", {
                    schedule: "@monthly",
                    namespace: "apps",
                    pvcNames: ["data"],
                    retention: 24,
                    storage: { bucket },
                }),
        ).toThrow(
            /PvcBackupSchedule "monthly": property "retention" keeps 24 backups of a schedule whose runs are up to 31 days apart \(\d+ days\), but the bucket's "expirationDays" is 400/,
        );
        expect(
            () =>
                new c.EtcdBackupSchedule("hourly", {
                    schedule: "0 * * * *",
                    retention: 1000,
                    certificates: certs,
                    storage: { bucket: new c.BackupBucket("short", { bucketName: "short-lived", expirationDays: 30 }) },
                }),
        ).toThrow(/property "retention" keeps 1000 backups .* \(43 days\), but the bucket's "expirationDays" is 30/);
        // 7 daily backups fit easily.
        const ok = new c.PvcBackupSchedule("daily", {
            schedule: "@daily",
            namespace: "apps",
            pvcNames: ["data"],
            retention: 7,
            storage: { bucket },
        });
        await settle();
        expect(await value(ok.bucket)).toBe("team-backups");
    });
});
