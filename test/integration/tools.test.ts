// The real servers the other tiers build on: etcd with mutual TLS, MinIO with SSE-S3, the real aws CLI.
import * as fs from "fs";
import * as path from "path";
import { EtcdHandle, MinioHandle, makeTempDir, runCommand, startEtcd, startMinio } from "../../tools/local/processes";
import { toolPath } from "../../tools/local/toolchain";

jest.setTimeout(300000);

describe("etcd with mutual TLS", () => {
    let etcd: EtcdHandle;
    const etcdctl = (args: string[], flags: string[]) =>
        runCommand(toolPath("etcdctl"), ["--dial-timeout=2s", "--command-timeout=4s", ...flags, ...args], {
            timeoutMs: 20000,
        });

    beforeAll(async () => {
        etcd = await startEtcd({ tls: true });
    });
    afterAll(async () => {
        await etcd?.stop();
    });

    it("stores and returns a key for a client with a certificate from its CA", async () => {
        expect(etcd.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(etcd.keyPem).toContain("PRIVATE KEY");
        await etcdctl(["put", "/kube-backup/probe", "hello"], etcd.etcdctlArgs);
        const { stdout } = await etcdctl(["get", "/kube-backup/probe", "--print-value-only"], etcd.etcdctlArgs);
        expect(stdout.trim()).toBe("hello");
    });

    it("rejects a plain-http client", async () => {
        const plain = etcd.endpoint.replace("https://", "http://");
        await expect(etcdctl(["get", "/kube-backup/probe"], [`--endpoints=${plain}`])).rejects.toThrow();
        // ...while the same server still answers a client with the certificate.
        await expect(
            etcdctl(["get", "/kube-backup/probe", "--print-value-only"], etcd.etcdctlArgs),
        ).resolves.toMatchObject({ stdout: "hello\n" });
    });

    it("rejects a TLS client without a client certificate", async () => {
        await expect(
            etcdctl(["get", "/kube-backup/probe"], [`--endpoints=${etcd.endpoint}`, `--cacert=${etcd.caFile}`]),
        ).rejects.toThrow();
        await expect(
            etcdctl(["get", "/kube-backup/probe", "--print-value-only"], etcd.etcdctlArgs),
        ).resolves.toMatchObject({ stdout: "hello\n" });
    });

    it("takes a snapshot that etcdutl can read", async () => {
        const dir = makeTempDir("snapshot");
        try {
            const file = path.join(dir, "etcd.db");
            await etcdctl(["snapshot", "save", file], etcd.etcdctlArgs);
            const { stdout } = await runCommand(toolPath("etcdutl"), ["snapshot", "status", file, "--write-out=json"]);
            expect(JSON.parse(stdout).totalKey).toBeGreaterThan(0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("MinIO with the aws CLI", () => {
    let minio: MinioHandle;
    let dir: string;

    beforeAll(async () => {
        minio = await startMinio();
        dir = makeTempDir("s3-files");
    });
    afterAll(async () => {
        await minio?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("puts, lists and gets an object", async () => {
        await minio.createBucket("backups");
        const src = path.join(dir, "snapshot.db");
        fs.writeFileSync(src, Buffer.alloc(256 * 1024, 7));
        await minio.aws(["s3", "cp", src, "s3://backups/etcd/snapshot.db"]);
        const listing = await minio.aws(["s3", "ls", "s3://backups/etcd/"]);
        expect(listing).toMatch(/262144 snapshot\.db/);
        const back = path.join(dir, "back.db");
        await minio.aws(["s3", "cp", "s3://backups/etcd/snapshot.db", back]);
        expect(fs.readFileSync(back).equals(fs.readFileSync(src))).toBe(true);
    });

    it("encrypts with SSE-S3", async () => {
        await minio.createBucket("encrypted");
        const src = path.join(dir, "secret.txt");
        fs.writeFileSync(src, "payload");
        const put = JSON.parse(
            await minio.aws([
                "s3api",
                "put-object",
                "--bucket",
                "encrypted",
                "--key",
                "k",
                "--body",
                src,
                "--server-side-encryption",
                "AES256",
            ]),
        );
        expect(put.ServerSideEncryption).toBe("AES256");
        const head = JSON.parse(await minio.aws(["s3api", "head-object", "--bucket", "encrypted", "--key", "k"]));
        expect(head.ServerSideEncryption).toBe("AES256");
    });

    it("rejects a wrong secret key", async () => {
        const awsCli = toolPath("aws");
        await expect(
            runCommand(awsCli, ["--endpoint-url", minio.endpoint, "s3", "ls", "s3://backups/"], {
                env: { ...minio.awsEnv(), AWS_SECRET_ACCESS_KEY: "not-the-secret" },
            }),
        ).rejects.toThrow(/SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId/);
    });
});
