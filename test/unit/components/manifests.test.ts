// The Kubernetes manifests the components render, validated against the Kubernetes OpenAPI schema of a current
// release (v1.36.3, extracted by fixtures/extract-k8s-openapi.js). Objects that declare properties reject unknown
// ones, so a misspelled field fails too.
import { CLIENT_CRT, plain, reset, settle } from "./mocks";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as path from "path";
import type * as C from "../../../components";
import { BACKUP_SCRIPT, SNAPSHOT_SCRIPT } from "../../../components/scripts";

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/k8s-openapi-v1.36.3.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const inRange = (bits: number) => (n: number) => Number.isInteger(n) && n >= -(2 ** (bits - 1)) && n < 2 ** (bits - 1);
ajv.addFormat("int32", { type: "number", validate: inRange(32) });
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat("double", { type: "number", validate: () => true });
ajv.addFormat("int-or-string", true);
ajv.addSchema({ $id: "k8s", definitions: fixture.definitions });

function validate(manifest: any): string[] {
    const key = `${manifest.apiVersion}/${manifest.kind}`;
    const root = fixture.roots[key];
    if (!root) throw new Error(`no schema for ${key}`);
    const check = ajv.getSchema(`k8s#/definitions/${root}`)!;
    return check(manifest)
        ? []
        : check.errors!.map((e) => `${key} ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

let c: typeof C;
beforeAll(async () => {
    c = await import("../../../components");
});
beforeEach(() => reset());

async function manifests(): Promise<any[]> {
    const rs = await settle();
    return rs.filter((r) => r.type.startsWith("kubernetes:")).map((r) => plain(r.inputs));
}

const s3 = {
    bucket: {
        bucket: "backups",
        endpoint: "https://s3.local:9000",
        forcePathStyle: true,
        caBundle: { configMapName: "ca" },
    },
    credentials: { secretName: "s3" },
};
const certs = { caCrt: "ca", clientCrt: CLIENT_CRT, clientKey: "key" };

const scenarios: [string, () => void][] = [
    [
        "etcd with certificate values and a certs directory",
        () =>
            new c.EtcdBackupSchedule("etcd", {
                schedule: "0 * * * *",
                certificates: certs,
                certsDir: "/etc/kubernetes/pki",
                encryption: { secretName: "etcd-key" },
                storage: s3,
                resources: { requests: { cpu: "100m", memory: "64Mi" } },
            }),
    ],
    [
        "etcd with an existing Secret, host network, custom tolerations",
        () =>
            new c.EtcdBackupSchedule("etcd", {
                schedule: "@daily",
                timeZone: "Asia/Tokyo",
                suspend: true,
                hostNetwork: true,
                endpoint: "https://127.0.0.1:2379",
                tolerations: [
                    { key: "dedicated", operator: "Equal", value: "infra", effect: "NoExecute", tolerationSeconds: 30 },
                ],
                certificates: { secretName: "etcd-client" },
                storage: { bucket: { bucket: "b-1" } },
            }),
    ],
    [
        "credentials with S3 keys and etcd certificates",
        () =>
            new c.BackupCredentials("creds", {
                namespace: "ops",
                s3: { accessKeyId: "a", secretAccessKey: "b", sessionToken: "t", caBundle: "pem" },
                etcd: certs,
                labels: { team: "ops" },
            }),
    ],
    [
        "pvc tar with co-scheduling",
        () =>
            new c.PvcBackupSchedule("app", {
                schedule: "15 1 * * 1-5",
                namespace: "shop",
                pvcNames: ["data-0", "data-1"],
                coScheduleWith: { app: "db" },
                storage: s3,
            }),
    ],
    [
        "etcd with hostCerts, a created IRSA ServiceAccount, pull secrets, priority and security overrides",
        () =>
            new c.EtcdBackupSchedule("etcd", {
                schedule: "0 * * * *",
                hostCerts: { dir: "/var/lib/rancher/rke2/server/tls/etcd", caFile: "server-ca.crt" },
                storage: s3,
                createServiceAccount: { awsRoleArn: "arn:aws:iam::123456789012:role/backup" },
                imagePullSecrets: ["regcred"],
                priorityClassName: "system-cluster-critical",
                podSecurityContext: { fsGroup: 1000 },
                containerSecurityContext: { readOnlyRootFilesystem: true },
            }),
    ],
    [
        "pvc tar of StatefulSet claims, with affinity, readAllFiles and an existing ServiceAccount",
        () =>
            new c.PvcBackupSchedule("app", {
                schedule: "15 1 * * *",
                namespace: "shop",
                pvcNames: ["data-db-0", "data-db-1"],
                statefulSet: "db",
                accessMode: "ReadWriteOnce",
                readAllFiles: true,
                serviceAccountName: "backup",
                affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
                tolerations: [{ operator: "Exists" }],
                storage: s3,
            }),
    ],
    [
        "pvc custom",
        () =>
            new c.PvcBackupSchedule("pg", {
                schedule: "0 2 * * *",
                namespace: "db",
                pvcNames: ["pg"],
                strategy: "custom",
                command: ["pg_dumpall"],
                image: "docker.io/library/postgres:17.6",
                compression: "zstd",
                extension: ".sql.zst",
                readOnly: false,
                storage: s3,
            }),
    ],
    [
        "pvc snapshot by selector",
        () =>
            new c.PvcBackupSchedule("snap", {
                schedule: "0 */4 * * *",
                namespace: "shop",
                selector: { backup: "true" },
                strategy: "snapshot",
                volumeSnapshotClass: "csi-snap",
            }),
    ],
];

test.each(scenarios)("%s: every manifest is valid for Kubernetes v1.36", async (_label, build) => {
    build();
    const ms = await manifests();
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) expect(validate(m)).toEqual([]);
});

test("the schema check fails on a misspelled field and a wrong type", async () => {
    new c.EtcdBackupSchedule("etcd", { schedule: "0 * * * *", certificates: certs, storage: s3 });
    const [cj] = (await manifests()).filter((m) => m.kind === "CronJob");
    expect(validate(cj)).toEqual([]);
    const typo = JSON.parse(JSON.stringify(cj));
    typo.spec.startingDeadline = typo.spec.startingDeadlineSeconds;
    expect(validate(typo).join("\n")).toMatch(/additionalProperty.*startingDeadline/);
    const wrong = JSON.parse(JSON.stringify(cj));
    wrong.spec.jobTemplate.spec.backoffLimit = "1";
    expect(validate(wrong).join("\n")).toMatch(/backoffLimit must be integer/);
    const big = JSON.parse(JSON.stringify(cj));
    big.spec.jobTemplate.spec.template.spec.containers[0].env.push({
        name: "X",
        valueFrom: { secretKeyRef: { key: "k" }, fieldRef: 3 },
    });
    expect(validate(big).length).toBeGreaterThan(0);
});

test("scripts hold no kubelet $(VAR) reference to a defined variable and no $$ (kubelet would rewrite them)", () => {
    for (const script of [BACKUP_SCRIPT, SNAPSHOT_SCRIPT]) {
        expect(script).not.toContain("$$");
        const refs = [...script.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]);
        expect(refs).toEqual([]);
    }
});
