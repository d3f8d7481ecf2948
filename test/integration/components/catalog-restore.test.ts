// The catalog and the etcd restore against a real etcd (client-certificate TLS) and a real MinIO, with backups
// made by the exact containers EtcdBackupSchedule renders: list → restore → an etcd started on the restored data
// serves what was written before the backup; bad input is refused with nothing written to the target.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EtcdHandle, MinioHandle, runCommand, startEtcd, startMinio } from "../../../tools/local/processes";
import { toolPath } from "../../../tools/local/toolchain";
import { runPod } from "../../../tools/local/pod";
import { podOf, render } from "./render";
import { listStoredBackups, StoredBackup } from "../../../components/catalog";
import { main } from "../../../cli/main";

jest.setTimeout(600_000);

let etcd: EtcdHandle;
let minio: MinioHandle;
let tmp: string;
const BUCKET = "catalog";
const savedEnv = { ...process.env };
let good: string; // key of the complete backup of etcd-a
let clusterId: string;
let revisionAtBackup: number;

async function etcdctl(...args: string[]): Promise<string> {
    return (await runCommand(toolPath("etcdctl"), [...etcd.etcdctlArgs, ...args])).stdout;
}

const ENC = { password: "correct horse battery staple", salt: "pepper" };

async function backup(name: string, prefix: string, encrypted = false): Promise<string> {
    const r = await render((c) => {
        new c.EtcdBackupSchedule(name, {
            schedule: "0 * * * *",
            endpoint: etcd.endpoint,
            certificates: { caCrt: etcd.caPem!, clientCrt: etcd.certPem!, clientKey: etcd.keyPem! },
            snapshotTimeoutSeconds: 15,
            encryption: encrypted ? { secretName: "enc", saltKey: "salt" } : undefined,
            storage: {
                bucket: { bucket: BUCKET, endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
                prefix,
                credentials: { secretName: "s3" },
            },
        });
    });
    r.secrets.s3 = { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey };
    r.secrets.enc = ENC;
    const res = await runPod(podOf(r.cronJobs[name]), { secrets: r.secrets });
    if (!res.ok) throw new Error(`backup run failed:\n${res.log}`);
    return /uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(res.log)![1];
}

const s3 = () => ({
    bucket: BUCKET,
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

const s3Flags = () => ["--bucket", BUCKET, "--endpoint", minio.endpoint, "--region", minio.region, "--path-style"];

/** Everything under dir (names only), to prove a refused restore wrote nothing next to or into the target. */
function tree(dir: string): string[] {
    return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-catalog-it-"));
    [etcd, minio] = await Promise.all([startEtcd({ tls: true }), startMinio()]);
    await minio.createBucket(BUCKET);
    // The command line takes credentials from the SDK's default chain only.
    Object.assign(process.env, minio.awsEnv());
    await etcdctl("put", "/registry/answer", "forty-two");
    revisionAtBackup = JSON.parse(await etcdctl("endpoint", "status", "-w", "json"))[0].Status.header.revision;
    clusterId = /"cluster_id":(\d+)/.exec(await etcdctl("endpoint", "status", "-w", "json"))![1];
    good = await backup("etcd-a", "cat");
    await etcdctl("put", "/registry/answer", "changed-after-backup");
    await new Promise((r) => setTimeout(r, 1100)); // keys have one-second resolution
    // A second run whose marker never got written (an interrupted run): incomplete, never restored.
    const interrupted = await backup("etcd-a", "cat");
    await minio.aws(["s3", "rm", `s3://${BUCKET}/${interrupted}.sha256`, "--only-show-errors"]);
    // Another schedule under the same prefix.
    await backup("etcd-b", "cat");
    // An encrypted backup (rclone crypt) under its own prefix.
    await backup("etcd-a", "enc", true);
});

afterAll(async () => {
    process.env = savedEnv;
    await Promise.all([etcd?.stop(), minio?.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
});

test("listStoredBackups: newest first, complete only with a marker listing it, other schedules not listed", async () => {
    const rows = await listStoredBackups({ ...s3(), prefix: "cat", schedule: "etcd-a" });
    expect(rows.map((r) => r.complete)).toEqual([false, true]);
    const [incomplete, complete] = rows;
    expect(complete.key).toBe(good);
    expect(incomplete.time >= complete.time).toBe(true);
    expect(incomplete.sha256).toBeUndefined();
    const file = path.join(tmp, "good.db");
    await minio.aws(["s3", "cp", `s3://${BUCKET}/${good}`, file, "--only-show-errors"]);
    const sha = (await runCommand("sha256sum", [file])).stdout.split(" ")[0];
    const bytes = fs.readFileSync(file);
    expect(complete).toEqual<StoredBackup>({
        key: good,
        cluster: "unit",
        schedule: "etcd-a",
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        runId: expect.stringMatching(/^[0-9a-f]{8}$/),
        size: bytes.length,
        sha256: sha,
        complete: true,
        encryption: "none",
        etcdRevision: revisionAtBackup,
        etcdClusterId: clusterId,
        etcdIntegritySha256: bytes.subarray(bytes.length - 32).toString("hex"),
        companions: [],
    });
    // The key's time is the run's UTC time.
    expect(good).toContain(complete.time.replace(/[-:]/g, ""));
    const all = await listStoredBackups({ ...s3(), prefix: "cat" });
    expect(all.map((r) => r.schedule).sort()).toEqual(["etcd-a", "etcd-a", "etcd-b"]);
});

test("kube-backup list prints the schedule's backups with their state", async () => {
    const r = await cli("list", ...s3Flags(), "--prefix", "cat", "--schedule", "etcd-a");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^TIME\s+STATE\s+SIZE\s+ENCRYPTION\s+REVISION\s+CLUSTER-ID\s+SHA256\s+KEY$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain("incomplete");
    expect(lines[2]).toMatch(new RegExp(` complete .* ${revisionAtBackup} +${clusterId} .*${good}$`));
    expect(r.out).not.toContain("etcd-b");
    const json = await cli("list", ...s3Flags(), "--prefix", "cat", "--json");
    expect(JSON.parse(json.out)).toHaveLength(3);
});

test("restore etcd latest: the newest complete backup, verified, restored; an etcd on it serves the key", async () => {
    const dataDir = path.join(tmp, "restore-ok", "member-data");
    const r = await cli(
        "restore",
        "etcd",
        ...s3Flags(),
        "--prefix",
        "cat",
        "--schedule",
        "etcd-a",
        "--at",
        "latest",
        "--data-dir",
        dataDir,
        "--etcdutl",
        toolPath("etcdutl"),
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`chosen: s3://${BUCKET}/${good}`);
    expect(r.out).toContain("verified: sha256");
    expect(r.out).toContain("kubeadm");
    expect(r.out).toContain("k3s");
    // Only the data dir itself remains: the scratch directory is gone.
    expect(fs.readdirSync(path.dirname(dataDir))).toEqual(["member-data"]);
    const restored = await startEtcd({ dataDir });
    try {
        const got = await runCommand(toolPath("etcdctl"), [
            ...restored.etcdctlArgs,
            "get",
            "/registry/answer",
            "--print-value-only",
        ]);
        expect(got.stdout.trim()).toBe("forty-two");
    } finally {
        await restored.stop();
    }
});

test("--at picks the newest complete backup at or before the time; --download-only writes the verified file", async () => {
    const [complete] = (await listStoredBackups({ ...s3(), prefix: "cat", schedule: "etcd-a" })).filter(
        (b) => b.complete,
    );
    const file = path.join(tmp, "at", "snapshot.db");
    const ok = await cli(
        "restore",
        "etcd",
        ...s3Flags(),
        "--prefix",
        "cat",
        "--schedule",
        "etcd-a",
        "--at",
        complete.time,
        "--download-only",
        file,
        "--etcdutl",
        toolPath("etcdutl"),
    );
    expect(ok.code).toBe(0);
    expect((await runCommand("sha256sum", [file])).stdout.split(" ")[0]).toBe(complete.sha256);
    const before = new Date(new Date(complete.time).getTime() - 1000).toISOString();
    const dir = path.join(tmp, "at-before");
    const r = await cli(
        "restore",
        "etcd",
        ...s3Flags(),
        "--prefix",
        "cat",
        "--schedule",
        "etcd-a",
        "--at",
        before,
        "--data-dir",
        path.join(dir, "data"),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(`no complete backup of "etcd-a" at or before ${before}`);
    expect(tree(dir)).toEqual([]);
});

describe("refusals name the cause and write nothing to the target", () => {
    async function refused(prefix: string, extra: string[] = [], dataDir = path.join(tmp, `refuse-${prefix}`, "d")) {
        const r = await cli(
            "restore",
            "etcd",
            ...s3Flags(),
            "--prefix",
            prefix,
            "--schedule",
            "etcd-a",
            "--data-dir",
            dataDir,
            "--etcdutl",
            toolPath("etcdutl"),
            ...extra,
        );
        expect(r.code).toBe(1);
        expect(r.out).not.toContain("restored into");
        return { ...r, parent: path.dirname(dataDir) };
    }

    /** Copies the good backup under another prefix, with its content replaced by `mutate(content)`. */
    async function copyWith(prefix: string, mutate: (b: Buffer) => Buffer, rewriteMarker: boolean): Promise<void> {
        const base = path.basename(good);
        const src = path.join(tmp, `${prefix}-src.db`);
        await minio.aws(["s3", "cp", `s3://${BUCKET}/${good}`, src, "--only-show-errors"]);
        const bad = mutate(fs.readFileSync(src));
        fs.writeFileSync(src, bad);
        await minio.aws(["s3", "cp", src, `s3://${BUCKET}/${prefix}/${base}`, "--only-show-errors"]);
        let marker = await minio.aws(["s3", "cp", `s3://${BUCKET}/${good}.sha256`, "-"]);
        if (rewriteMarker) marker = (await runCommand("sha256sum", [src])).stdout.split(" ")[0] + `  ${base}\n`;
        await minio.aws(["s3", "cp", "-", `s3://${BUCKET}/${prefix}/${base}.sha256`, "--only-show-errors"], {
            input: marker,
        });
    }

    test("an unknown schedule", async () => {
        const r = await cli(
            "restore",
            "etcd",
            ...s3Flags(),
            "--prefix",
            "cat",
            "--schedule",
            "nope",
            "--data-dir",
            path.join(tmp, "u", "d"),
        );
        expect(r.code).toBe(1);
        expect(r.err).toContain(`unknown schedule "nope": no backups of it under s3://${BUCKET}/cat`);
        expect(tree(path.join(tmp, "u"))).toEqual([]);
    });

    test("wrong credentials", async () => {
        process.env.AWS_SECRET_ACCESS_KEY = "wrong-secret-value";
        try {
            const r = await refused("cat");
            expect(r.err).toContain(`S3 refused the credentials for bucket "${BUCKET}" (SignatureDoesNotMatch)`);
            expect(r.err).not.toContain("wrong-secret-value");
            expect(tree(r.parent)).toEqual([]);
        } finally {
            process.env.AWS_SECRET_ACCESS_KEY = minio.secretKey;
        }
        await expect(
            listStoredBackups({ ...s3(), prefix: "cat", credentials: { accessKeyId: "nobody", secretAccessKey: "x" } }),
        ).rejects.toThrow(`S3 refused the credentials for bucket "${BUCKET}" (InvalidAccessKeyId)`);
    });

    test("a corrupt object (one flipped byte): its SHA-256 differs from the marker's", async () => {
        await copyWith(
            "corrupt",
            (b) => {
                b[4096] ^= 0xff;
                return b;
            },
            false,
        );
        const r = await refused("corrupt");
        expect(r.err).toMatch(/is corrupt: its SHA-256 [0-9a-f]{64} differs from the marker's [0-9a-f]{64}/);
        expect(tree(r.parent)).toEqual([]);
    });

    test("a truncated object, even with a marker that matches it: etcd's integrity trailer refuses it", async () => {
        await copyWith("truncated", (b) => b.subarray(0, b.length - 4096), true);
        const r = await refused("truncated");
        expect(r.err).toContain("fails etcd's integrity check: the content does not match its SHA-256 trailer");
        expect(tree(r.parent)).toEqual([]);
    });

    test("a non-empty data dir", async () => {
        const dataDir = path.join(tmp, "nonempty", "d");
        fs.mkdirSync(dataDir, { recursive: true });
        fs.writeFileSync(path.join(dataDir, "keep"), "x");
        const r = await refused("cat", [], dataDir);
        expect(r.err).toContain(`data dir ${dataDir} is not empty: refusing to restore over existing data`);
        expect(tree(path.dirname(dataDir))).toEqual(["d", "d/keep"]);
    });

    test("a schedule with only incomplete backups", async () => {
        await minio.aws([
            "s3",
            "cp",
            `s3://${BUCKET}/${good}`,
            `s3://${BUCKET}/inc/${path.basename(good)}`,
            "--only-show-errors",
        ]);
        const r = await refused("inc");
        expect(r.err).toContain(`schedule "etcd-a" has no complete backup under s3://${BUCKET}/inc`);
        expect(tree(r.parent)).toEqual([]);
    });
});

describe("encrypted backups (rclone crypt)", () => {
    const args = (dataDir: string) => [
        "restore",
        "etcd",
        ...s3Flags(),
        "--prefix",
        "enc",
        "--schedule",
        "etcd-a",
        "--data-dir",
        dataDir,
        "--etcdutl",
        toolPath("etcdutl"),
        "--rclone",
        toolPath("rclone"),
    ];
    afterEach(() => {
        delete process.env.KUBE_BACKUP_ENCRYPTION_PASSWORD;
        delete process.env.KUBE_BACKUP_ENCRYPTION_SALT;
    });

    test("listed as complete and encrypted", async () => {
        const [b] = await listStoredBackups({ ...s3(), prefix: "enc" });
        expect(b).toMatchObject({ schedule: "etcd-a", complete: true, encryption: "rclone-crypt" });
    });

    test("refused without the password and with a wrong one, nothing written", async () => {
        const dir = path.join(tmp, "enc-refused");
        const none = await cli(...args(path.join(dir, "d")));
        expect(none.code).toBe(1);
        expect(none.err).toContain("is encrypted (rclone-crypt): give the schedule's encryption password");
        process.env.KUBE_BACKUP_ENCRYPTION_PASSWORD = "wrong password";
        process.env.KUBE_BACKUP_ENCRYPTION_SALT = ENC.salt;
        const wrong = await cli(...args(path.join(dir, "d")));
        expect(wrong.code).toBe(1);
        expect(wrong.err).toContain("decryption failed: wrong encryption password or salt");
        expect(wrong.err + wrong.out).not.toContain("wrong password");
        expect(tree(dir)).toEqual([]);
    });

    test("decrypted with rclone, verified against the plaintext marker, restored and served", async () => {
        process.env.KUBE_BACKUP_ENCRYPTION_PASSWORD = ENC.password;
        process.env.KUBE_BACKUP_ENCRYPTION_SALT = ENC.salt;
        const dataDir = path.join(tmp, "enc-ok", "d");
        const r = await cli(...args(dataDir));
        expect(r.err).toBe("");
        expect(r.code).toBe(0);
        expect(r.out).toContain("decrypted with rclone");
        const restored = await startEtcd({ dataDir });
        try {
            const got = await runCommand(toolPath("etcdctl"), [
                ...restored.etcdctlArgs,
                "get",
                "/registry/answer",
                "--print-value-only",
            ]);
            expect(got.stdout.trim()).toBe("changed-after-backup");
        } finally {
            await restored.stop();
        }
    });
});
