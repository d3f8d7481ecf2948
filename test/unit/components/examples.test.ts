// The example stacks build under mocks with their documented config, and register what their README promises.
import { CLIENT_CRT, plain, reset, settle, value } from "./mocks";
import * as pulumi from "@pulumi/pulumi";

jest.mock("kube-backup", () => jest.requireActual("../../../components"), { virtual: true });

beforeEach(() => reset());

function config(values: Record<string, string>, secrets: string[]) {
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(values).map(([k, v]) => [`kube-backup:${k}`, v])),
        secrets.map((k) => `kube-backup:${k}`),
    );
}

test("examples/etcd-backup builds one etcd CronJob with its Secrets", async () => {
    config(
        {
            schedule: "0 */6 * * *",
            timeZone: "Etc/UTC",
            retention: "5",
            bucket: "etcd-backups",
            prefix: "clusters/dev",
            s3Endpoint: "http://minio.minio.svc:9000",
            createBucket: "false",
            s3AccessKeyId: "id",
            s3SecretAccessKey: "secret",
            etcdCaCrt: "ca",
            etcdClientCrt: CLIENT_CRT,
            etcdClientKey: "key",
        },
        ["s3AccessKeyId", "s3SecretAccessKey", "etcdCaCrt", "etcdClientCrt", "etcdClientKey"],
    );
    let ex: any;
    jest.isolateModules(() => {
        ex = require("../../../examples/etcd-backup/index");
    });
    const rs = await settle();
    expect(
        rs
            .filter((r) => r.type === "kubernetes:core/v1:Secret")
            .map((r) => plain(r.inputs).metadata.name)
            .sort(),
    ).toEqual(["etcd-backup-etcd", "etcd-backup-s3"]);
    const cj = plain(rs.find((r) => r.type === "kubernetes:batch/v1:CronJob")!.inputs);
    expect(cj.spec.schedule).toBe("0 */6 * * *");
    expect(await value(ex.cronJob)).toBe("etcd-backup");
    expect(await value(ex.backupPrefix)).toBe("clusters/dev");
});

test("examples/pvc-backup builds archive and snapshot CronJobs", async () => {
    config(
        {
            namespace: "shop",
            claims: '["data-postgres-0"]',
            appLabel: "postgres",
            bucket: "pvc-backups",
            s3Endpoint: "http://minio.minio.svc:9000",
            volumeSnapshotClass: "csi-snapclass",
            s3AccessKeyId: "id",
            s3SecretAccessKey: "secret",
        },
        ["s3AccessKeyId", "s3SecretAccessKey"],
    );
    let ex: any;
    jest.isolateModules(() => {
        ex = require("../../../examples/pvc-backup/index");
    });
    await settle();
    expect(await value(ex.archiveCronJobs)).toEqual(["nightly-data-postgres-0"]);
    expect(await value(ex.snapshotCronJobs)).toEqual(["hourly"]);
    expect(await value(ex.archivePrefix)).toBe("apps/shop");
});
