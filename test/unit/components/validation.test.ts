// Every validation rule of every component, each with a bad value: a clear error naming the component, the
// property and the rule, raised while the program runs (so at `pulumi preview`). Values only known later are
// checked when known; unknown values at preview are not.
import { CLIENT_CRT, reset, value } from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import type * as C from "../../../components";
import * as v from "../../../components/validation";

let c: typeof C;
beforeAll(async () => {
    c = await import("../../../components");
});
beforeEach(() => reset());

const s3 = { bucket: { bucket: "backups" } };
const certs = { caCrt: "ca", clientCrt: CLIENT_CRT, clientKey: "key" };
const etcdBase = { schedule: "0 * * * *", certificates: certs, storage: s3 };
const pvcBase = { schedule: "0 * * * *", namespace: "apps", pvcNames: ["data"], storage: s3 };

type Case = [string, any, RegExp];

// The pod settings both schedules share.
const podCases: Case[] = [
    ["serviceAccountName", { serviceAccountName: "Bad_SA" }, /"serviceAccountName" must be a DNS-1123 subdomain/],
    [
        "serviceAccountName with createServiceAccount",
        { serviceAccountName: "sa", createServiceAccount: {} },
        /"createServiceAccount" must not be set together with "serviceAccountName"/,
    ],
    [
        "createServiceAccount.awsRoleArn",
        { createServiceAccount: { awsRoleArn: "role/backup" } },
        /"createServiceAccount.awsRoleArn" must be an IAM role ARN/,
    ],
    [
        "createServiceAccount.annotations",
        { createServiceAccount: { annotations: { "bad key": "x" } } },
        /"createServiceAccount.annotations" must have valid annotation keys/,
    ],
    [
        "podSecurityContext root",
        { podSecurityContext: { runAsUser: 0 } },
        /"podSecurityContext" must set runAsNonRoot to false when runAsUser is 0/,
    ],
    ["podSecurityContext fsGroup", { podSecurityContext: { fsGroup: -1 } }, /"podSecurityContext" must have fsGroup/],
    ["podSecurityContext type", { podSecurityContext: "restricted" }, /"podSecurityContext" must be an object/],
    [
        "containerSecurityContext privileged",
        { containerSecurityContext: { privileged: true } },
        /"containerSecurityContext" must not set privileged/,
    ],
    [
        "containerSecurityContext runAsUser",
        { containerSecurityContext: { runAsUser: 1.5 } },
        /"containerSecurityContext" must have runAsUser as an integer >= 0/,
    ],
    ["imagePullSecrets not a list", { imagePullSecrets: "regcred" }, /"imagePullSecrets" must be a plain list/],
    ["imagePullSecrets empty", { imagePullSecrets: [] }, /"imagePullSecrets" must be a non-empty list/],
    ["imagePullSecrets duplicate", { imagePullSecrets: ["a", "a"] }, /"imagePullSecrets" must not contain duplicates/],
    ["imagePullSecrets name", { imagePullSecrets: ["ok", "Not OK"] }, /"imagePullSecrets\[1\]" must be a DNS-1123/],
    ["priorityClassName", { priorityClassName: "High Priority" }, /"priorityClassName" must be a DNS-1123 subdomain/],
    [
        "resources quantity",
        { resources: { requests: { memory: "lots" } } },
        /"resources" must have Kubernetes quantities .* \(requests.memory is not one\)/,
    ],
    ["resources keys", { resources: { request: { cpu: "1" } } }, /"resources" must only have requests and limits/],
];

const etcdCases: Case[] = [
    ["name", { __name: "Etcd_Bad" }, /"name" must be a DNS-1123 label .* at most 52 characters/],
    ["name length", { __name: "e".repeat(53) }, /"name" must be a DNS-1123 label/],
    ["schedule syntax", { schedule: "61 * * * *" }, /"schedule" must be a valid cron expression/],
    [
        "schedule 6 fields",
        { schedule: "0 0 * * * *" },
        /"schedule" must be a standard 5-field cron expression .* it has 6 fields/,
    ],
    ["schedule TZ", { schedule: "TZ=UTC 0 * * * *" }, /"schedule" must not set TZ= inside the schedule/],
    ["schedule missing", { schedule: undefined }, /"schedule" is required/],
    ["timeZone", { timeZone: "Mars/Olympus" }, /"timeZone" must be an IANA time zone/],
    ["suspend", { suspend: "yes" }, /"suspend" must be a boolean/],
    [
        "startingDeadlineSeconds",
        { startingDeadlineSeconds: 0 },
        /"startingDeadlineSeconds" must be an integer between 10 and 86400/,
    ],
    ["activeDeadlineSeconds", { activeDeadlineSeconds: 10 }, /"activeDeadlineSeconds" must be an integer between 60/],
    ["backoffLimit", { backoffLimit: 7 }, /"backoffLimit" must be an integer between 0 and 6/],
    [
        "successfulJobsHistoryLimit",
        { successfulJobsHistoryLimit: -1 },
        /"successfulJobsHistoryLimit" must be an integer between 0 and 100/,
    ],
    [
        "failedJobsHistoryLimit",
        { failedJobsHistoryLimit: 0 },
        /"failedJobsHistoryLimit" must be an integer between 1 and 100/,
    ],
    ["labels", { labels: { "bad key!": "x" } }, /"labels" must have valid label keys/],
    ["labels value", { labels: { ok: "bad value!" } }, /"labels" must have valid label values/],
    ["namespace", { namespace: "Kube_System" }, /"namespace" must be a DNS-1123 label/],
    ["retention 0", { retention: 0 }, /"retention" must be an integer between 1 and 1000 \(got 0\)/],
    ["retention fraction", { retention: 2.5 }, /"retention" must be an integer/],
    [
        "endpoint list",
        { endpoint: "https://a:2379,https://b:2379" },
        /"endpoint" must be exactly one https:\/\/ or http:\/\/ URL/,
    ],
    ["endpoint scheme", { endpoint: "unix:///run/etcd.sock" }, /"endpoint" must be exactly one/],
    ["snapshotSizeLimit", { snapshotSizeLimit: "lots" }, /"snapshotSizeLimit" must be a byte quantity like "8Gi"/],
    ["snapshotSizeLimit small", { snapshotSizeLimit: "1Mi" }, /"snapshotSizeLimit" must be a byte quantity/],
    ["certsDir relative", { certsDir: "etc/kubernetes/pki" }, /"certsDir" must be an absolute path/],
    ["certsDir dotdot", { certsDir: "/etc/../root" }, /"certsDir" must be an absolute path without '..'/],
    [
        "certsDir without encryption",
        { certsDir: "/etc/kubernetes/pki" },
        /property "certsDir" requires "encryption" \(a Secret with the password\)/,
    ],
    ["encryption without secretName", { encryption: {} }, /property "encryption.secretName" is required/],
    [
        "encryption passwordKey",
        { encryption: { secretName: "k", passwordKey: "a b" } },
        /property "encryption.passwordKey" must be a Secret data key/,
    ],
    [
        "encryption saltKey",
        { encryption: { secretName: "k", saltKey: "" } },
        /property "encryption.saltKey" must be a Secret data key/,
    ],
    ["images.etcd unpinned", { images: { etcd: "etcd" } }, /"images.etcd" must be a pinned container image reference/],
    [
        "images.tools spaces",
        { images: { tools: "a b:1" } },
        /"images.tools" must be a pinned container image reference/,
    ],
    ["nodeSelector", { nodeSelector: { "a b": "" } }, /"nodeSelector" must have valid label keys/],
    ["hostNetwork", { hostNetwork: 1 }, /"hostNetwork" must be a boolean/],
    ["snapshotTimeoutSeconds", { snapshotTimeoutSeconds: 1 }, /"snapshotTimeoutSeconds" must be an integer between 5/],
    ["certificates missing", { certificates: undefined }, /"certificates" is required/],
    [
        "certificates both",
        { certificates: { ...certs, secretName: "x" } },
        /"certificates" must be either PEM values or a Secret reference, not both/,
    ],
    [
        "certificates neither",
        { certificates: {} },
        /"certificates" must be PEM values, a Secret reference or a BackupCredentials/,
    ],
    [
        "certificates.secretName",
        { certificates: { secretName: "Bad Name" } },
        /"certificates.secretName" must be a DNS-1123 subdomain/,
    ],
    [
        "certificates namespace",
        { certificates: { secretName: "x", namespace: "other" } },
        /"certificates" must be a Secret in the schedule's namespace "kube-system"/,
    ],
    [
        "certificates empty PEM",
        { certificates: { ...certs, clientKey: "" } },
        /"certificates.clientKey" must be a non-empty string \(got a secret value, not shown\)/,
    ],
    ["storage missing", { storage: undefined }, /"storage.bucket" is required/],
    [
        "bucket name",
        { storage: { bucket: { bucket: "Bad_Bucket" } } },
        /"storage.bucket.bucket" must be a valid S3 bucket name/,
    ],
    [
        "bucket IP",
        { storage: { bucket: { bucket: "192.168.0.1" } } },
        /"storage.bucket.bucket" must be a valid S3 bucket name/,
    ],
    ["bucket missing", { storage: { bucket: {} } }, /"storage.bucket.bucket" is required/],
    ["prefix", { storage: { ...s3, prefix: "a/../b" } }, /"storage.prefix" must be '\/'-separated segments/],
    ["prefix trailing slash", { storage: { ...s3, prefix: "a/" } }, /"storage.prefix" must be/],
    ["prefix empty", { storage: { ...s3, prefix: "" } }, /"storage.prefix" must be 1 to 512 characters/],
    [
        "endpoint URL",
        { storage: { bucket: { bucket: "bkt", endpoint: "minio:9000" } } },
        /"storage.bucket.endpoint" must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
        "endpoint credentials",
        { storage: { bucket: { bucket: "bkt", endpoint: "https://u:p@minio" } } },
        /"storage.bucket.endpoint" must not contain credentials/,
    ],
    [
        "endpoint query",
        { storage: { bucket: { bucket: "bkt", endpoint: "https://minio/?x=1" } } },
        /"storage.bucket.endpoint" must not contain a query/,
    ],
    [
        "region",
        { storage: { bucket: { bucket: "bkt", region: "EU West" } } },
        /"storage.bucket.region" must be a region name/,
    ],
    [
        "forcePathStyle",
        { storage: { bucket: { bucket: "bkt", forcePathStyle: "true" } } },
        /"storage.bucket.forcePathStyle" must be a boolean/,
    ],
    [
        "insecureSkipTlsVerify",
        { storage: { bucket: { bucket: "bkt", insecureSkipTlsVerify: "yes" } } },
        /"storage.bucket.insecureSkipTlsVerify" must be a boolean/,
    ],
    [
        "caBundle both",
        { storage: { bucket: { bucket: "bkt", caBundle: { secretName: "a", configMapName: "b" } } } },
        /"storage.bucket.caBundle" must name exactly one of secretName or configMapName/,
    ],
    [
        "caBundle neither",
        { storage: { bucket: { bucket: "bkt", caBundle: {} } } },
        /"storage.bucket.caBundle" must name exactly one/,
    ],
    [
        "caBundle secretName",
        { storage: { bucket: { bucket: "bkt", caBundle: { secretName: "A B" } } } },
        /"storage.bucket.caBundle.secretName" must be a DNS-1123 subdomain/,
    ],
    [
        "credentials secretName",
        { storage: { ...s3, credentials: { secretName: "A B" } } },
        /"storage.credentials.secretName" must be a DNS-1123 subdomain/,
    ],
    [
        "credentials namespace",
        { storage: { ...s3, credentials: { secretName: "s", namespace: "elsewhere" } } },
        /"storage.credentials" must be a Secret in the schedule's namespace "kube-system"/,
    ],
    [
        "credentials without s3",
        { storage: { ...s3, credentials: { s3Credentials: undefined } } },
        /"storage.credentials" must be a BackupCredentials created with s3 access keys/,
    ],
    ["hostCerts with certificates", { hostCerts: {} }, /"hostCerts" must not be set together with "certificates"/],
    [
        "hostCerts.dir",
        { certificates: undefined, hostCerts: { dir: "pki" } },
        /"hostCerts.dir" must be an absolute path/,
    ],
    [
        "hostCerts.caFile",
        { certificates: undefined, hostCerts: { caFile: "../ca.crt" } },
        /"hostCerts.caFile" must be a file name/,
    ],
    ["hostCerts.certFile", { certificates: undefined, hostCerts: { certFile: "a/b" } }, /"hostCerts.certFile" must be/],
    ["hostCerts.keyFile", { certificates: undefined, hostCerts: { keyFile: "" } }, /"hostCerts.keyFile" must be/],
    ["hostCerts not an object", { certificates: undefined, hostCerts: true }, /"hostCerts" must be an object/],
    [
        "certificates.clientCrt not a certificate",
        { certificates: { ...certs, clientCrt: "crt" } },
        /"certificates.clientCrt" must be a PEM X.509 certificate \(got a secret value, not shown\)/,
    ],
    ["affinity", { affinity: [] }, /"affinity" must be an object/],
    ["tolerations", { tolerations: { key: "x" } }, /"tolerations" must be a list/],
    ["clusterName", { clusterName: "prod.eu" }, /"clusterName" must be a DNS-1123 label/],
    ["images.tools latest", { images: { tools: "amazon/aws-cli:latest" } }, /"images.tools" must be a pinned/],
    ["images.etcd untagged", { images: { etcd: "registry:5000/etcd" } }, /"images.etcd" must be a pinned/],
    ...podCases,
];

describe("EtcdBackupSchedule rejects", () => {
    test.each(etcdCases)("%s", (_label, patch, err) => {
        const { __name, ...rest } = patch;
        const make = () => new c.EtcdBackupSchedule(__name ?? "etcd", { ...etcdBase, ...rest });
        expect(make).toThrow(err);
        expect(make).toThrow(new RegExp(`^EtcdBackupSchedule "${__name ?? "etcd"}": property "`));
    });
});

const pvcCases: Case[] = [
    ["namespace missing", { namespace: undefined }, /"namespace" is required/],
    ["strategy", { strategy: "rsync" }, /"strategy" must be one of "tar", "snapshot", "custom"/],
    ["retention", { retention: -1 }, /"retention" must be an integer between 1 and 1000/],
    ["readOnly", { readOnly: "true" }, /"readOnly" must be a boolean/],
    ["clusterName", { clusterName: "Prod" }, /"clusterName" must be a DNS-1123 label/],
    ["failOnChangedFiles", { failOnChangedFiles: "yes" }, /"failOnChangedFiles" must be a boolean/],
    ["image latest", { image: "alpine:latest" }, /"image" must be a pinned container image reference/],
    [
        "failOnChangedFiles with custom",
        { strategy: "custom", command: ["pg_dump"], failOnChangedFiles: true },
        /"failOnChangedFiles" only applies to strategy "tar"/,
    ],
    [
        "clusterName with snapshot",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "c", clusterName: "prod" },
        /"clusterName" only applies to strategies "tar" and "custom"/,
    ],
    [
        "selector labels",
        {
            pvcNames: undefined,
            strategy: "snapshot",
            storage: undefined,
            volumeSnapshotClass: "c",
            selector: { "x y": "1" },
        },
        /"selector" must have valid label keys/,
    ],
    ["coScheduleWith", { coScheduleWith: { app: "a b" } }, /"coScheduleWith" must have valid label values/],
    ["statefulSet", { statefulSet: "DB" }, /"statefulSet" must be a DNS-1123 label/],
    [
        "statefulSet with coScheduleWith",
        { statefulSet: "db", coScheduleWith: { app: "db" } },
        /"statefulSet" must not be set together with "coScheduleWith"/,
    ],
    [
        "claim not of the StatefulSet",
        { pvcNames: ["data-db-0", "data-web-1"], statefulSet: "db" },
        /"pvcNames" item 1 must be a claim of "statefulSet" "db" \("<template>-db-<ordinal>"\)/,
    ],
    ["claim without template", { pvcNames: ["db-0"], statefulSet: "db" }, /"pvcNames" item 0 must be a claim of/],
    ["accessMode", { accessMode: "RWO" }, /"accessMode" must be one of "ReadWriteOnce", "ReadWriteOncePod"/],
    [
        "ReadWriteOncePod with tar",
        { accessMode: "ReadWriteOncePod" },
        /"accessMode" "ReadWriteOncePod" cannot be backed up with strategy "tar": the claim can be mounted by one pod only/,
    ],
    [
        "ReadWriteOncePod with statefulSet",
        { accessMode: "ReadWriteOncePod", pvcNames: ["data-db-0"], statefulSet: "db" },
        /"accessMode" "ReadWriteOncePod" conflicts with "statefulSet"/,
    ],
    [
        "ReadWriteOncePod with affinity",
        { accessMode: "ReadWriteOncePod", affinity: { podAffinity: {} } },
        /"accessMode" "ReadWriteOncePod" conflicts with "affinity"/,
    ],
    [
        "ReadWriteOnce without placement",
        { accessMode: "ReadWriteOnce" },
        /"accessMode" "ReadWriteOnce" needs statefulSet, coScheduleWith or affinity/,
    ],
    [
        "statefulSet with snapshot",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "c", statefulSet: "db" },
        /"statefulSet" only applies to strategies "tar" and "custom"/,
    ],
    ["readAllFiles", { readAllFiles: "yes" }, /"readAllFiles" must be a boolean/],
    [
        "readAllFiles with snapshot",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "c", readAllFiles: true },
        /"readAllFiles" only applies to strategies "tar" and "custom"/,
    ],
    ...podCases,
    ["nodeSelector", { nodeSelector: { "-bad": "" } }, /"nodeSelector" must have valid label keys/],
    ["pvcNames empty", { pvcNames: [] }, /"pvcNames" must be a non-empty list/],
    ["pvcNames duplicate", { pvcNames: ["a", "a"] }, /"pvcNames" must not contain duplicates/],
    ["pvcNames invalid", { pvcNames: ["ok", "Not_OK"] }, /"pvcNames" item 1 must be a DNS-1123 subdomain/],
    ["pvcNames Output", { pvcNames: pulumi.output(["a"]) }, /"pvcNames" must be a plain list of names/],
    [
        "pvcNames job name length",
        { pvcNames: ["p".repeat(60)] },
        /"pvcNames" must give CronJob names "<name>-<claim>" that are DNS-1123 labels of at most 52/,
    ],
    [
        "neither names nor selector",
        { pvcNames: undefined },
        /"pvcNames" or selector must be given, not both and not neither/,
    ],
    ["both names and selector", { selector: { a: "b" } }, /"pvcNames" or selector must be given, not both/],
    ["selector with tar", { pvcNames: undefined, selector: { a: "b" } }, /"selector" requires strategy "snapshot"/],
    ["snapshot without class", { strategy: "snapshot", storage: undefined }, /"volumeSnapshotClass" is required/],
    [
        "snapshot class name",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "Bad Class" },
        /"volumeSnapshotClass" must be a DNS-1123 subdomain/,
    ],
    [
        "snapshot with storage",
        { strategy: "snapshot", volumeSnapshotClass: "c" },
        /"storage" must not be set with strategy "snapshot"/,
    ],
    [
        "snapshot with command",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "c", command: ["x"] },
        /"command" and compression only apply/,
    ],
    [
        "snapshot image",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "c", image: "kubectl" },
        /"image" must be a pinned container image reference/,
    ],
    ["maxArchiveSize", { maxArchiveSize: "1Pi" }, /"maxArchiveSize" must be a byte quantity like "8Gi"/],
    ["maxArchiveSize too large", { maxArchiveSize: "51Ti" }, /"maxArchiveSize" must be a byte quantity/],
    [
        "maxArchiveSize with snapshot",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "c", maxArchiveSize: "1Ti" },
        /"maxArchiveSize" only applies to strategies "tar" and "custom"/,
    ],
    ["class with tar", { volumeSnapshotClass: "c" }, /"volumeSnapshotClass" only applies to strategy "snapshot"/],
    [
        "encryption with snapshot",
        { strategy: "snapshot", storage: undefined, volumeSnapshotClass: "c", encryption: { secretName: "k" } },
        /property "encryption" only applies to strategies "tar" and "custom"/,
    ],
    [
        "encryption secret name",
        { encryption: { secretName: "Bad_Name" } },
        /"encryption.secretName" must be a DNS-1123/,
    ],
    ["command with tar", { command: ["x"] }, /"command" only applies to strategy "custom"/],
    ["compression", { compression: "bzip2" }, /"compression" must be one of "gzip", "zstd", "none"/],
    ["custom without command", { strategy: "custom" }, /"command" is required for strategy "custom"/],
    ["custom empty command", { strategy: "custom", command: [] }, /"command" must be a non-empty list/],
    ["custom non-string argv", { strategy: "custom", command: ["x", 1] }, /"command" item 1 must be a string/],
    [
        "custom extension",
        { strategy: "custom", command: ["x"], extension: "sql" },
        /"extension" must be like ".sql.gz"/,
    ],
    [
        "custom extension vs compression",
        { strategy: "custom", command: ["x"], extension: ".sql", compression: "zstd", image: "r.example/pg:1" },
        /"extension" must end with .zst when compression is "zstd"/,
    ],
    [
        "zstd with the default tools image (busybox has no zstd)",
        { compression: "zstd" },
        /property "compression" "zstd" needs an "image" with a zstd binary: the default tools image docker.io\/rclone\/rclone:1.76.0/,
    ],
    [
        "zstd for custom with the default tools image",
        { strategy: "custom", command: ["x"], extension: ".sql.zst", compression: "zstd" },
        /property "compression" "zstd" needs an "image"/,
    ],
    ["image", { image: "busybox" }, /"image" must be a pinned container image reference/],
    ["storage missing", { storage: undefined }, /"storage.bucket" is required/],
    [
        "prefix when namespace is an Output",
        { namespace: pulumi.output("apps") },
        /"storage.prefix" is required when namespace is not a plain string/,
    ],
];

describe("PvcBackupSchedule rejects", () => {
    test.each(pvcCases)("%s", (_label, patch, err) => {
        const make = () => new c.PvcBackupSchedule("app", { ...pvcBase, ...patch });
        expect(make).toThrow(err);
        expect(make).toThrow(/^PvcBackupSchedule "app": property "/);
    });
});

const credCases: Case[] = [
    ["name", { __name: "Creds!" }, /"name" must be a DNS-1123 label/],
    ["namespace", { namespace: "" }, /"namespace" must be a DNS-1123 label/],
    ["nothing to store", { s3: undefined }, /"s3" or etcd must be given/],
    [
        "s3.accessKeyId",
        { s3: { accessKeyId: " ", secretAccessKey: "x" } },
        /"s3.accessKeyId" must be a non-empty string \(got a secret value, not shown\)/,
    ],
    [
        "s3.secretAccessKey",
        { s3: { accessKeyId: "x", secretAccessKey: "" } },
        /"s3.secretAccessKey" must be a non-empty string/,
    ],
    ["etcd.caCrt", { etcd: { ...certs, caCrt: "" } }, /"etcd.caCrt" must be a non-empty string/],
    ["etcd.clientCrt", { etcd: { ...certs, clientCrt: "" } }, /"etcd.clientCrt" must be a non-empty string/],
    [
        "etcd.clientCrt not PEM",
        { etcd: { ...certs, clientCrt: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" } },
        /"etcd.clientCrt" must be a PEM X.509 certificate/,
    ],
    ["etcd.clientKey", { etcd: { ...certs, clientKey: undefined } }, /"etcd.clientKey" is required/],
    ["labels", { labels: { "": "x" } }, /"labels" must have valid label keys/],
];

describe("BackupCredentials rejects", () => {
    test.each(credCases)("%s", (_label, patch, err) => {
        const { __name, ...rest } = patch;
        const make = () =>
            new c.BackupCredentials(__name ?? "creds", {
                namespace: "apps",
                s3: { accessKeyId: "a", secretAccessKey: "b" },
                ...rest,
            });
        expect(make).toThrow(err);
    });
    test("a secret value in a broken rule is never echoed", () => {
        expect(
            () =>
                new c.BackupCredentials("creds", {
                    namespace: "apps",
                    s3: { accessKeyId: "AKIA-NOT-SHOWN  ".slice(14), secretAccessKey: "x" },
                }),
        ).toThrow(/not shown/);
        try {
            new c.BackupCredentials("creds", { namespace: "apps", etcd: { ...certs, clientKey: "" } });
        } catch (e) {
            expect(String(e)).not.toContain('got ""');
        }
    });
});

const bucketCases: Case[] = [
    ["bucketName", { bucketName: "UPPER" }, /"bucketName" must be a valid S3 bucket name/],
    ["bucketName dots", { bucketName: "a..b" }, /"bucketName" must be a valid S3 bucket name/],
    ["region", { region: "eu_west_1" }, /"region" must be a region name/],
    ["encryption", { encryption: "DES" }, /"encryption" must be one of "AES256", "aws:kms"/],
    [
        "kmsKeyId format",
        { encryption: "aws:kms", kmsKeyId: "my key" },
        /"kmsKeyId" must be a KMS key ARN, key id or alias/,
    ],
    ["kmsKeyId required", { encryption: "aws:kms" }, /"kmsKeyId" is required when encryption is "aws:kms"/],
    ["kmsKeyId without kms", { kmsKeyId: "alias/backups" }, /"kmsKeyId" must only be set when encryption is "aws:kms"/],
    ["expirationDays", { expirationDays: 3 }, /"expirationDays" must be an integer between 7 and 36500/],
    [
        "noncurrentVersionExpirationDays",
        { noncurrentVersionExpirationDays: 0 },
        /"noncurrentVersionExpirationDays" must be an integer between 1/,
    ],
    [
        "abortIncompleteMultipartUploadDays",
        { abortIncompleteMultipartUploadDays: 0 },
        /"abortIncompleteMultipartUploadDays" must be an integer between 1 and 365/,
    ],
    ["endpoint", { endpoint: "s3.local" }, /"endpoint" must be an http:\/\/ or https:\/\/ URL/],
    ["forcePathStyle", { forcePathStyle: 1 }, /"forcePathStyle" must be a boolean/],
    ["versioning", { versioning: "on" }, /"versioning" must be a boolean/],
    ["forceDestroy", { forceDestroy: "no" }, /"forceDestroy" must be a boolean/],
    [
        "objectLock.mode",
        { objectLock: { mode: "STRICT", days: 1 } },
        /"objectLock.mode" must be one of "GOVERNANCE", "COMPLIANCE"/,
    ],
    [
        "objectLock.days",
        { objectLock: { mode: "GOVERNANCE", days: 0 } },
        /"objectLock.days" must be an integer between 1/,
    ],
    [
        "objectLock without versioning",
        { versioning: false, objectLock: { mode: "GOVERNANCE", days: 1 } },
        /"versioning" must not be false when objectLock is set/,
    ],
    [
        "encryption with endpoint",
        { endpoint: "https://minio:9000", encryption: "AES256" },
        /"encryption" must not be set together with "endpoint"/,
    ],
    [
        "kmsKeyId with endpoint",
        { endpoint: "https://minio:9000", kmsKeyId: "alias/x" },
        /"kmsKeyId" must not be set together with "endpoint"/,
    ],
    ["accessPrefixes not a list", { accessPrefixes: "etcd" }, /"accessPrefixes" must be a plain list/],
    ["accessPrefixes empty", { accessPrefixes: [] }, /"accessPrefixes" must be a non-empty list/],
    ["accessPrefixes item", { accessPrefixes: ["etcd", "a//b"] }, /"accessPrefixes\[1\]" must be '\/'-separated/],
];

describe("BackupBucket rejects", () => {
    test.each(bucketCases)("%s", (_label, patch, err) => {
        expect(() => new c.BackupBucket("bb", patch)).toThrow(err);
        expect(() => new c.BackupBucket("bb", patch)).toThrow(/^BackupBucket "bb": property "/);
    });
});

describe("values known later", () => {
    /** The rejection of an Output, with its internal promises handled (they reject with the same error). */
    async function rejection(o: pulumi.Input<unknown>): Promise<unknown> {
        const out = o as any;
        for (const p of [out.isKnown, out.isSecret, out.allResources?.()]) if (p?.catch) p.catch(() => undefined);
        return out.promise().then(
            () => undefined,
            (e: unknown) => e,
        );
    }

    test("an Output is checked when it resolves, and the error names the property", async () => {
        const val = new v.Validator(`EtcdBackupSchedule "x"`);
        expect(String(await rejection(val.check("retention", pulumi.output(0), v.integerIn(1))))).toMatch(
            /EtcdBackupSchedule "x": property "retention" must be an integer >= 1 \(got 0\)/,
        );
        await expect(
            value(val.check("retention", pulumi.output(3), v.integerIn(1)) as pulumi.Output<number>),
        ).resolves.toBe(3);
    });

    test("a rule across Outputs fails the value it is folded into", async () => {
        const val = new v.Validator(`BackupBucket "b"`);
        const carrier = val.relate(
            "kmsKeyId",
            [pulumi.output("aws:kms"), pulumi.output(undefined)],
            (e, k) => (e === "aws:kms" && !k ? "is required" : undefined),
            pulumi.output("x"),
        );
        expect(String(await rejection(carrier))).toMatch(/BackupBucket "b": property "kmsKeyId" is required/);
        const fine = val.relate(
            "kmsKeyId",
            [pulumi.output("AES256"), pulumi.output(undefined)],
            (e, k) => (e === "aws:kms" && !k ? "is required" : undefined),
            pulumi.output("x"),
        );
        await expect(value(fine)).resolves.toBe("x");
    });

    test("a secret known later is checked without echoing it", async () => {
        const val = new v.Validator(`BackupCredentials "c"`);
        const err = String(await rejection(val.secret("s3.secretAccessKey", pulumi.secret("  "), v.nonEmptyString)));
        expect(err).toMatch(
            /property "s3.secretAccessKey" must be a non-empty string \(got a secret value, not shown\)/,
        );
    });

    test("unknown values at preview are not judged", async () => {
        const unknown = new (pulumi.Output as any)(
            new Set(),
            Promise.resolve(undefined),
            Promise.resolve(false),
            Promise.resolve(false),
            Promise.resolve(new Set()),
        );
        const val = new v.Validator("X");
        let ran = false;
        const out = val.check<number>("retention", unknown, (n) => {
            ran = true;
            return v.integerIn(1)(n);
        }) as pulumi.Output<number>;
        expect(await (out as any).isKnown).toBe(false);
        expect(ran).toBe(false);
    });
});

describe("rules on their own", () => {
    test.each([
        [v.s3Prefix, "ok/prefix-1/x_y.z", "a b"],
        [v.s3BucketName, "my-backups.eu", "-bad"],
        [v.httpUrl, "https://minio:9000", "ftp://x"],
        [v.etcdEndpoint, "https://$(HOST_IP):2379", "https://a,https://b"],
        [v.imageRef, "registry.k8s.io/etcd:3.6.5-0", "etcd"],
        [v.imageRef, "registry.k8s.io/etcd:3.6.5-0", "registry.k8s.io/etcd:latest"],
        [v.imageRef, "localhost:5000/tools:1.2", "localhost:5000/tools"],
        [v.imageRef, "tools:latest@sha256:" + "a".repeat(64), "tools:latest"],
        [v.cronSchedule, "*/5 * * * *", "* * *"],
        [v.cronSchedule, "@hourly", "@every 5m"],
        [v.ianaTimeZone, "America/New_York", "Nowhere/City"],
        [v.dnsSubdomain, "a.b-c", "A"],
        [v.kmsKeyId, "alias/x", "x y"],
        [v.absolutePath, "/etc/kubernetes/pki", "/etc/$(x)"],
    ] as [v.Rule<any>, string, string][])("accepts %p's good value and rejects the bad one", (rule, good, bad) => {
        expect(rule(good)).toBeUndefined();
        expect(rule(bad)).toMatch(/^must /);
    });
});
