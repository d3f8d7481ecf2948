// Large data: the stream part size derived from maxArchiveSize fits 10,000 parts, and the snapshot emptyDir is bounded.
import { partSizeFor } from "../../../components/pvc";
import { plain, reset, settle } from "./mocks";
import * as c from "../../../components";

const MiB = 2 ** 20;

test.each(["1Gi", "156Gi", "500Gi", "5Ti", "5497558138880", "50Ti"])(
    "maxArchiveSize %s: 10,000 parts of the derived size hold it, with at least 16 MiB parts",
    (size) => {
        const part = partSizeFor(size);
        expect(part).toMatch(/^\d+M$/);
        const partBytes = parseInt(part, 10) * MiB;
        expect(partBytes).toBeGreaterThanOrEqual(16 * MiB);
        const bytes = { Gi: 2 ** 30, Ti: 2 ** 40 }[size.slice(-2) as "Gi" | "Ti"] ?? 1;
        expect(10000 * partBytes).toBeGreaterThanOrEqual(parseFloat(size) * bytes * 1.05);
    },
);

test("5 TiB needs parts of at least 525 MiB", () => {
    expect(partSizeFor("5Ti")).toBe("552M");
});

async function render(build: () => void): Promise<any[]> {
    reset();
    build();
    return (await settle()).filter((r) => r.type === "kubernetes:batch/v1:CronJob").map((r) => plain(r.inputs));
}

test("PVC: maxArchiveSize sets BACKUP_CHUNK_SIZE; without it the script's 16 MiB default applies", async () => {
    const cjs = await render(() => {
        for (const [name, maxArchiveSize] of [
            ["big", "5Ti"],
            ["small", undefined],
        ])
            new c.PvcBackupSchedule(name!, {
                schedule: "0 3 * * *",
                namespace: "db",
                pvcNames: ["pg"],
                maxArchiveSize,
                storage: { bucket: { bucket: "pvc-backups" } },
            });
    });
    const env = (cj: any) =>
        cj.spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    const withSize = cjs.find((cj) => cj.metadata.name === "big-pg");
    const without = cjs.find((cj) => cj.metadata.name === "small-pg");
    expect(env(withSize).find((e) => e.name === "BACKUP_CHUNK_SIZE")?.value).toBe("552M");
    expect(env(without).find((e) => e.name === "BACKUP_CHUNK_SIZE")).toBeUndefined();
});

test("etcd: the snapshot emptyDir has a sizeLimit, 10Gi by default", async () => {
    const etcd = await render(() => {
        for (const [name, snapshotSizeLimit] of [
            ["a", undefined],
            ["b", "20Gi"],
        ])
            new c.EtcdBackupSchedule(name!, {
                schedule: "0 * * * *",
                certificates: { secretName: "etcd-client" },
                snapshotSizeLimit,
                storage: { bucket: { bucket: "etcd-backups" } },
            });
    });
    const work = (cj: any) => cj.spec.jobTemplate.spec.template.spec.volumes.find((v: any) => v.name === "work");
    const def = etcd.find((cj) => cj.metadata.name === "a");
    const set = etcd.find((cj) => cj.metadata.name === "b");
    expect(work(def)).toEqual({ name: "work", emptyDir: { sizeLimit: "10Gi" } });
    expect(work(set)).toEqual({ name: "work", emptyDir: { sizeLimit: "20Gi" } });
});
