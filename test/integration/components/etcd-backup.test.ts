// EtcdBackupSchedule against a real etcd (client-certificate TLS) and a real MinIO, running the exact containers
// the component renders (etcdctl/etcdutl exec form with only those two on PATH, then the shell script in the
// rclone image's userland: busybox applets and rclone, nothing else).
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    createCertificateAuthority,
    EtcdHandle,
    freePort,
    MinioHandle,
    runCommand,
    startEtcd,
    startMinio,
} from "../../../tools/local/processes";
import { toolPath, userlandDir } from "../../../tools/local/toolchain";
import { podOf, render, Rendered } from "./render";
import { runPod } from "../../../tools/local/pod";

jest.setTimeout(600_000);

let etcd: EtcdHandle;
let minio: MinioHandle;
let tmp: string;
const BUCKET = "etcd-backups";

beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-etcd-it-"));
    [etcd, minio] = await Promise.all([startEtcd({ tls: true }), startMinio()]);
    await minio.createBucket(BUCKET);
});
afterAll(async () => {
    await Promise.all([etcd?.stop(), minio?.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
});

async function etcdctl(...args: string[]): Promise<string> {
    return (await runCommand(toolPath("etcdctl"), [...etcd.etcdctlArgs, ...args])).stdout;
}

async function keys(prefix = ""): Promise<string[]> {
    const out = await minio.aws([
        "s3api",
        "list-objects-v2",
        "--bucket",
        BUCKET,
        "--prefix",
        prefix,
        "--query",
        "Contents[].[Key]",
        "--output",
        "text",
    ]);
    return out
        .split("\n")
        .filter((k) => k && k !== "None")
        .sort();
}

async function download(key: string): Promise<Buffer> {
    const file = path.join(tmp, crypto.randomBytes(6).toString("hex"));
    await minio.aws(["s3", "cp", `s3://${BUCKET}/${key}`, file, "--only-show-errors"]);
    return fs.readFileSync(file);
}

async function put(key: string, body = "x"): Promise<void> {
    await minio.aws(["s3", "cp", "-", `s3://${BUCKET}/${key}`, "--only-show-errors"], { input: body });
}

interface Schedule {
    name: string;
    prefix?: string;
    clusterName?: string;
    retention?: number;
    certsDir?: string;
    endpoint?: string;
    s3Endpoint?: string;
    bucket?: string;
    /** Encrypt with this password (and salt); certsDir always encrypts. */
    encryption?: { password: string; salt?: string };
}

const CERTS_KEY = { password: "certs-dir password", salt: "certs-dir salt" };

async function renderSchedule(s: Schedule): Promise<Rendered & { pod: any }> {
    const r = await render((c) => {
        new c.EtcdBackupSchedule(s.name, {
            schedule: "*/10 * * * *",
            retention: s.retention,
            endpoint: s.endpoint ?? etcd.endpoint,
            certificates: { caCrt: etcd.caPem!, clientCrt: etcd.certPem!, clientKey: etcd.keyPem! },
            certsDir: s.certsDir,
            snapshotTimeoutSeconds: 15,
            clusterName: s.clusterName,
            encryption:
                (s.encryption ?? (s.certsDir ? CERTS_KEY : undefined)) &&
                ({ secretName: "enc", saltKey: "salt" } as const),
            storage: {
                bucket: {
                    bucket: s.bucket ?? BUCKET,
                    endpoint: s.s3Endpoint ?? minio.endpoint,
                    region: minio.region,
                    forcePathStyle: true,
                },
                prefix: s.prefix,
                credentials: { secretName: "s3" },
            },
        });
    });
    r.secrets.s3 = { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey };
    const enc = s.encryption ?? (s.certsDir ? CERTS_KEY : undefined);
    if (enc) r.secrets.enc = { password: enc.password, salt: enc.salt ?? "" };
    return { ...r, pod: podOf(r.cronJobs[s.name]) };
}

/** Reads an object as a restore does: rclone (the toolchain's, the image's version) with a crypt remote. */
async function decrypt(key: string, enc: { password: string; salt?: string }): Promise<Buffer> {
    const rclone = path.join(userlandDir(), "rclone");
    const obscure = async (p: string) =>
        (await runCommand(rclone, ["obscure", "-"], { input: p + "\n" })).stdout.trim();
    const file = path.join(tmp, crypto.randomBytes(6).toString("hex"));
    await runCommand(rclone, ["copyto", `dec:${key}`, file], {
        env: {
            RCLONE_CONFIG: path.join(tmp, "no-rclone.conf"),
            RCLONE_CONFIG_S3_TYPE: "s3",
            RCLONE_CONFIG_S3_PROVIDER: "Other",
            RCLONE_CONFIG_S3_ENDPOINT: minio.endpoint,
            RCLONE_CONFIG_S3_REGION: minio.region,
            RCLONE_CONFIG_S3_ACCESS_KEY_ID: minio.accessKey,
            RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: minio.secretKey,
            RCLONE_CONFIG_S3_FORCE_PATH_STYLE: "true",
            RCLONE_CONFIG_DEC_TYPE: "crypt",
            RCLONE_CONFIG_DEC_REMOTE: `s3:${BUCKET}`,
            RCLONE_CONFIG_DEC_FILENAME_ENCRYPTION: "off",
            RCLONE_CONFIG_DEC_DIRECTORY_NAME_ENCRYPTION: "false",
            RCLONE_CONFIG_DEC_SUFFIX: "none",
            RCLONE_CONFIG_DEC_PASSWORD: await obscure(enc.password),
            ...(enc.salt ? { RCLONE_CONFIG_DEC_PASSWORD2: await obscure(enc.salt) } : {}),
        },
    });
    return fs.readFileSync(file);
}

/** A directory holding one executable shell script `name`, to put before the tools on the pod's PATH. */
function wrapper(name: string, body: string): string {
    const dir = fs.mkdtempSync(path.join(tmp, `wrap-${name}-`));
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return dir;
}

function uploadedKey(log: string): string {
    const m = /uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(log);
    if (!m) throw new Error(`no upload in log:\n${log}`);
    return m[1];
}

test("a snapshot lands with its sha256 marker and recorded revision, and restores to a working etcd", async () => {
    await etcdctl("put", "/registry/answer", "forty-two");
    await etcdctl("put", "/registry/other", "value");
    const status = JSON.parse(await etcdctl("endpoint", "status", "-w", "json"))[0].Status;
    const certs = fs.mkdtempSync(path.join(tmp, "pki-"));
    fs.writeFileSync(path.join(certs, "ca.key"), "not really a key");
    const { pod, secrets } = await renderSchedule({ name: "etcd-one", prefix: "one", certsDir: certs });
    const res = await runPod(pod, { secrets, volumes: { "certs-dir": certs } });
    expect(res.log).toContain("etcd snapshot verified");
    expect(res.ok).toBe(true);
    // Nothing secret reaches the job's logs.
    for (const secret of [minio.secretKey, etcd.keyPem!.split("\n")[1]]) expect(res.log).not.toContain(secret);
    const key = uploadedKey(res.log);
    // Cluster (the stack name by default: "unit" under the mocks) and schedule name the object.
    expect(key).toMatch(/^one\/unit\.etcd-one-\d{8}T\d{6}Z-[0-9a-f]{8}\.db$/);
    expect(await keys("one/")).toEqual([key, `${key}.extra.tar.gz`, `${key}.sha256`].sort());

    // The marker is sha256sum -c compatible and covers the snapshot and the certs archive.
    const dl = fs.mkdtempSync(path.join(tmp, "dl-"));
    const base = path.basename(key);
    // certsDir makes the run encrypt (rclone crypt): the stored objects are not the plaintext, and the key
    // with the password gives it back byte for byte.
    const raw = await download(key);
    const rawExtra = await download(`${key}.extra.tar.gz`);
    fs.writeFileSync(path.join(dl, base), await decrypt(key, CERTS_KEY));
    fs.writeFileSync(path.join(dl, `${base}.extra.tar.gz`), await decrypt(`${key}.extra.tar.gz`, CERTS_KEY));
    expect(raw.subarray(0, 8).toString()).toBe("RCLONE\x00\x00");
    expect(raw.includes(fs.readFileSync(path.join(dl, base)).subarray(0, 4096))).toBe(false);
    expect(rawExtra.subarray(0, 8).toString()).toBe("RCLONE\x00\x00");
    const markerHead = JSON.parse(
        await minio.aws(["s3api", "head-object", "--bucket", BUCKET, "--key", `${key}.sha256`]),
    );
    expect(markerHead.Metadata["kube-backup-encryption"]).toBe("rclone-crypt");
    fs.writeFileSync(path.join(dl, `${base}.sha256`), await download(`${key}.sha256`));
    await runCommand("sha256sum", ["-c", `${base}.sha256`], { cwd: dl });
    expect((await runCommand("tar", ["-tzf", `${base}.extra.tar.gz`], { cwd: dl })).stdout).toContain("./ca.key");

    // Recorded metadata equals what etcdutl reports for the same file, and the server's revision at that time.
    const head = JSON.parse(await minio.aws(["s3api", "head-object", "--bucket", BUCKET, "--key", key]));
    const st = JSON.parse(
        (await runCommand(toolPath("etcdutl"), ["snapshot", "status", path.join(dl, base), "-w", "json"])).stdout,
    );
    expect(Number(head.Metadata["etcd-revision"])).toBe(st.revision);
    // The cluster ID, compared as text (it does not fit a JS number).
    const clusterId = /"cluster_id":(\d+)/.exec(await etcdctl("endpoint", "status", "-w", "json"))![1];
    expect(head.Metadata["etcd-cluster-id"]).toBe(clusterId);
    expect(st.revision).toBe(status.header.revision);
    const file = fs.readFileSync(path.join(dl, base));
    expect(head.Metadata["etcd-integrity-sha256"]).toBe(file.subarray(file.length - 32).toString("hex"));
    expect(fs.readFileSync(path.join(dl, `${base}.sha256`), "utf8").split("\n")[0]).toBe(
        `${crypto.createHash("sha256").update(file).digest("hex")}  ${base}`,
    );
    expect(head.ContentLength).toBeGreaterThan(file.length); // crypt's header and per-block tags

    // Restore into a fresh data dir and serve it: the keys are back.
    const dataDir = path.join(tmp, "restored");
    await runCommand(toolPath("etcdutl"), ["snapshot", "restore", path.join(dl, base), "--data-dir", dataDir]);
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

test("retention keeps exactly N complete backups after N+3 runs and never touches other keys", async () => {
    const N = 3;
    const outside = [
        "ret-other/unit.etcd-ret-20200101T000000Z.db", // same shape, other prefix
        "ret/unit.etcd-ret-notes.txt", // inside the prefix, not a backup name
        "ret/unit.etcd-ret-2-20200101T000000Z.db", // another schedule whose name starts like ours
        "ret/unit.etcd-ret-2-20200101T000000Z.db.sha256",
        "ret/other.etcd-ret-20200101T000000Z.db", // the same schedule name in another cluster
        "ret/other.etcd-ret-20200101T000000Z.db.sha256",
        "ret/etcd-ret-20200101T000000Z.db", // the same schedule name without a cluster
        "ret/etcd-ret-20200101T000000Z.db.sha256",
        "ret/unit.etcd-ret-20200101T000000Z-00000000.db.orig", // our shape, but not our extension
        "ret/unit.etcd-ret-20200101T000000Z.db", // our name without a run ID (another key shape)
        "ret/unit.etcd-ret-20200101T000000Z.db.sha256",
        "retention/unit.etcd-ret-20200101T000000Z.db",
    ];
    for (const k of outside) await put(k);
    await put("ret/unit.etcd-ret-20200101T000000Z-00000000.db"); // leftover of a failed run: no marker, older than every backup
    const certs = fs.mkdtempSync(path.join(tmp, "pki-"));
    fs.writeFileSync(path.join(certs, "f"), "x");
    const { pod, secrets } = await renderSchedule({ name: "etcd-ret", prefix: "ret", retention: N, certsDir: certs });
    const made: string[] = [];
    for (let i = 0; i < N + 3; i++) {
        await etcdctl("put", `/run/${i}`, String(i));
        const res = await runPod(pod, { secrets, volumes: { "certs-dir": certs } });
        expect(res.log).toContain("done:");
        expect(res.ok).toBe(true);
        made.push(uploadedKey(res.log));
        await new Promise((r) => setTimeout(r, 1000)); // one-second key resolution; real schedules are minutes apart
    }
    const kept = made.slice(-N);
    const expected = [...outside, ...kept.flatMap((k) => [k, `${k}.sha256`, `${k}.extra.tar.gz`])].sort();
    expect(await keys("ret")).toEqual(expected);
});

test("two stacks (cluster names) on one bucket with the default prefixes each keep exactly their N", async () => {
    const runs: Record<string, string[]> = { east: [], west: [] };
    const pods = {
        east: await renderSchedule({ name: "etcd-shared", clusterName: "east", retention: 2 }),
        west: await renderSchedule({ name: "etcd-shared", clusterName: "west", retention: 3 }),
    };
    for (let i = 0; i < 4; i++) {
        for (const c of ["east", "west"] as const) {
            const res = await runPod(pods[c].pod, { secrets: pods[c].secrets });
            expect(res.log).toContain("done:");
            expect(res.ok).toBe(true);
            runs[c].push(uploadedKey(res.log));
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    for (const k of runs.east) expect(k).toMatch(/^east\/etcd\/east\.etcd-shared-\d{8}T\d{6}Z-[0-9a-f]{8}\.db$/);
    expect(await keys("east/")).toEqual(
        runs.east
            .slice(-2)
            .flatMap((k) => [k, `${k}.sha256`])
            .sort(),
    );
    expect(await keys("west/")).toEqual(
        runs.west
            .slice(-3)
            .flatMap((k) => [k, `${k}.sha256`])
            .sort(),
    );
});

test("a failed certs archive keeps the verified snapshot and its marker, fails the run and prunes nothing", async () => {
    const certs = fs.mkdtempSync(path.join(tmp, "pki-"));
    fs.writeFileSync(path.join(certs, "ca.key"), "not really a key");
    const { pod, secrets } = await renderSchedule({ name: "etcd-comp", prefix: "comp", retention: 1, certsDir: certs });
    const first = await runPod(pod, { secrets, volumes: { "certs-dir": certs } });
    expect(first.ok).toBe(true);
    const k1 = uploadedKey(first.log);
    // A tar that fails (an unreadable directory, say): the companion cannot be made.
    const noTar = wrapper("tar", 'echo "tar: cannot read: Permission denied" >&2; exit 1');
    const res = await runPod(pod, { secrets, volumes: { "certs-dir": certs }, pathPrepend: [noTar] });
    expect(res.ok).toBe(false);
    expect(res.runs[2]).toMatchObject({ name: "upload", code: 1 });
    const k2 = uploadedKey(res.log);
    expect(res.log).toContain(`is complete and kept, nothing pruned`);
    expect(await keys("comp/")).toEqual([k1, `${k1}.extra.tar.gz`, `${k1}.sha256`, k2, `${k2}.sha256`].sort());
    // The kept marker covers exactly the snapshot, which is intact.
    const snap = await decrypt(k2, CERTS_KEY);
    expect((await download(`${k2}.sha256`)).toString()).toBe(
        `${crypto.createHash("sha256").update(snap).digest("hex")}  ${path.basename(k2)}\n`,
    );
});

test("a revision the parser cannot read is a warning: the snapshot is uploaded without it", async () => {
    const { pod, secrets } = await renderSchedule({ name: "etcd-norev", prefix: "norev" });
    // od fails whenever it is asked to seek (the bbolt page reads); every other use works.
    const od = wrapper("od", 'for a in "$@"; do [ "$a" = -j ] && exit 1; done; exec busybox od "$@"');
    const res = await runPod(pod, { secrets, pathPrepend: [od] });
    expect(res.log).toContain("WARNING: cannot read the etcd revision");
    expect(res.ok).toBe(true);
    const key = uploadedKey(res.log);
    const head = JSON.parse(await minio.aws(["s3api", "head-object", "--bucket", BUCKET, "--key", key]));
    expect(head.Metadata["etcd-revision"]).toBeUndefined();
    expect(head.Metadata["etcd-integrity-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(await keys("norev/")).toEqual([key, `${key}.sha256`]);
});

describe("failed runs exit non-zero and delete nothing", () => {
    let pod: any;
    let secrets: Rendered["secrets"];
    let before: string[];
    beforeAll(async () => {
        ({ pod, secrets } = await renderSchedule({ name: "etcd-fail", prefix: "fail", retention: 1 }));
        for (let i = 0; i < 2; i++) {
            const res = await runPod(pod, { secrets });
            expect(res.ok).toBe(true);
            await new Promise((r) => setTimeout(r, 1000));
        }
        // retention 1 with an old complete backup planted: a successful run would delete it.
        await put("fail/unit.etcd-fail-20200101T000000Z-00000000.db");
        await put("fail/unit.etcd-fail-20200101T000000Z-00000000.db.sha256");
        before = await keys("fail/");
        expect(before).toHaveLength(4);
    });
    afterEach(async () => expect(await keys("fail/")).toEqual(before));

    test("S3 endpoint down", async () => {
        const r = await renderSchedule({
            name: "etcd-fail",
            prefix: "fail",
            retention: 1,
            s3Endpoint: `http://127.0.0.1:${await freePort()}`,
        });
        const res = await runPod(r.pod, { secrets: r.secrets });
        expect(res.ok).toBe(false);
        expect(res.runs.map((x) => [x.name, x.code === 0])).toEqual([
            ["snapshot", true],
            ["verify", true],
            ["upload", false],
        ]);
        expect(res.log).toContain("FAILED: upload of fail/unit.etcd-fail-");
    });

    test("bucket missing", async () => {
        const r = await renderSchedule({ name: "etcd-fail", prefix: "fail", retention: 1, bucket: "no-such-bucket" });
        const res = await runPod(r.pod, { secrets: r.secrets });
        expect(res.ok).toBe(false);
        expect(res.runs[2]).toMatchObject({ name: "upload" });
        expect(res.runs[2].code).not.toBe(0);
    });

    test("etcd down", async () => {
        const r = await renderSchedule({
            name: "etcd-fail",
            prefix: "fail",
            retention: 1,
            endpoint: `https://127.0.0.1:${await freePort()}`,
        });
        const started = Date.now();
        const res = await runPod(r.pod, { secrets: r.secrets, timeoutMs: 120000 });
        expect(res.ok).toBe(false);
        expect(res.runs.map((x) => x.name)).toEqual(["snapshot"]);
        expect(res.runs[0].code).not.toBe(0);
        expect(Date.now() - started).toBeLessThan(100000); // etcdctl gave up by itself (command timeout)
    });

    test("client certificate from another CA", async () => {
        const rogue = createCertificateAuthority(fs.mkdtempSync(path.join(tmp, "rogue-"))).issue("client", {
            cn: "intruder",
            client: true,
        });
        const s = {
            ...secrets,
            "etcd-fail-etcd": { ...secrets["etcd-fail-etcd"], "client.crt": rogue.certPem, "client.key": rogue.keyPem },
        };
        const res = await runPod(pod, { secrets: s, timeoutMs: 120000 });
        expect(res.ok).toBe(false);
        expect(res.runs.map((x) => x.name)).toEqual(["snapshot"]);
    });

    test("snapshot corrupted in the middle (a flipped byte)", async () => {
        const res = await runPod(pod, {
            secrets,
            after: (name, dirs) => {
                if (name !== "snapshot") return;
                const f = path.join(dirs.work, "snapshot.db");
                const buf = fs.readFileSync(f);
                buf[Math.floor(buf.length / 2)] ^= 0xff;
                fs.writeFileSync(f, buf);
            },
        });
        expect(res.ok).toBe(false);
        // etcdutl's message depends on which page the byte lands in (a hash mismatch, or a broken bucket such as
        // `nil bucket: "alarm"`), and a byte in a page bbolt's check does not read passes it: then the upload's
        // check of etcd's integrity trailer fails the run. Either way nothing is stored (afterEach).
        if (res.runs.length === 2) {
            expect(res.runs.map((x) => x.name)).toEqual(["snapshot", "verify"]);
            expect(res.log).toMatch(/--- verify \(exit [1-9]\d*\)/);
        } else {
            expect(res.runs.map((x) => [x.name, x.code === 0])).toEqual([
                ["snapshot", true],
                ["verify", true],
                ["upload", false],
            ]);
            expect(res.log).toMatch(/FAILED: \S+ is corrupt: content sha256 \w+ does not match its integrity hash/);
        }
    });

    test("snapshot truncated", async () => {
        const res = await runPod(pod, {
            secrets,
            after: (name, dirs) => {
                if (name !== "snapshot") return;
                const f = path.join(dirs.work, "snapshot.db");
                fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
            },
        });
        expect(res.ok).toBe(false);
    });
});
