// listStoredBackupsOutput from a stack through the real engine, against a real MinIO: the listing is a stack
// output, the secret key given as secret config never appears in plain text in the backend.
import * as crypto from "crypto";
import { auditBackend, createE2eStack, E2eStack, up } from "../../tools/engine/stack";
import { MinioHandle, startMinio } from "../../tools/local/processes";

jest.setTimeout(300_000);

let minio: MinioHandle;
let e2e: E2eStack;
const BUCKET = "e2e-catalog";

async function put(key: string, body: string | Buffer, metadata?: string): Promise<void> {
    const args = ["s3", "cp", "-", `s3://${BUCKET}/${key}`, "--only-show-errors"];
    if (metadata) args.push("--metadata", metadata);
    await minio.aws(args, { input: body.toString("latin1") });
}

const sha = (b: string) => crypto.createHash("sha256").update(b, "latin1").digest("hex");

beforeAll(async () => {
    minio = await startMinio();
    await minio.createBucket(BUCKET);
    const older = "prod.etcd-20260101T020000Z-0a1b2c3d.db";
    const newer = "prod.etcd-20260102T020000Z-4e5f6a7b.db";
    await put(`cat/${older}`, "older snapshot", "etcd-revision=41,etcd-cluster-id=12345678901234567890");
    await put(`cat/${older}.sha256`, `${sha("older snapshot")}  ${older}\n`);
    await put(`cat/${newer}`, "interrupted run"); // no marker: incomplete
    await put("cat/prod.other-20260103T020000Z-00000000.db", "another schedule");
    e2e = await createE2eStack({
        program: "catalog",
        config: {
            bucket: { value: BUCKET },
            prefix: { value: "cat" },
            schedule: { value: "etcd" },
            endpoint: { value: minio.endpoint },
            region: { value: minio.region },
            accessKeyId: { value: minio.accessKey },
            secretAccessKey: { value: minio.secretKey, secret: true },
        },
    });
});

afterAll(async () => {
    await e2e?.dispose();
    await minio?.stop();
});

test("a stack lists the schedule's stored backups, newest first, with completeness and etcd metadata", async () => {
    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    expect(r.outputs.keys.value).toEqual([
        "cat/prod.etcd-20260102T020000Z-4e5f6a7b.db",
        "cat/prod.etcd-20260101T020000Z-0a1b2c3d.db",
    ]);
    expect(r.outputs.complete.value).toEqual([false, true]);
    expect(r.outputs.revisions.value).toEqual([null, 41]);
    expect(r.outputs.newest.secret).toBe(false);
    expect(r.outputs.newest.value).toMatchObject({ complete: false, time: "2026-01-02T02:00:00Z", encryption: "none" });
    const outputs = await e2e.stack.outputs();
    expect(outputs.keys.value).toHaveLength(2);
    expect(auditBackend(e2e.backendDir, { secretAccessKey: minio.secretKey })).toEqual([]);
});
