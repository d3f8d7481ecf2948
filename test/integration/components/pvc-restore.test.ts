// PvcRestore: the Job's script run in the tools image's userland (busybox applets + rclone) against MinIO, on a
// backup made by PvcBackupSchedule's own rendered job. Byte-identical restore with owners, modes and symlinks;
// a non-empty claim, a corrupt object and an incomplete backup are refused with nothing extracted.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MinioHandle, startMinio } from "../../../tools/local/processes";
import { runPod } from "../../../tools/local/pod";
import { podOf, render } from "./render";

jest.setTimeout(600_000);

let minio: MinioHandle;
let tmp: string;
let key: string;
const BUCKET = "pvc-restore";
const secrets = () => ({ s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } });
const storage = () => ({
    bucket: { bucket: BUCKET, endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
    credentials: { secretName: "s3" },
});

function makeVolume(dir: string): void {
    fs.mkdirSync(path.join(dir, "a/b"), { recursive: true });
    fs.mkdirSync(path.join(dir, "private"), { mode: 0o700 });
    fs.writeFileSync(path.join(dir, "a/b/random.bin"), crypto.randomBytes(1024 * 1024 + 7));
    fs.writeFileSync(path.join(dir, "a/text.txt"), "hello\n".repeat(1000));
    fs.writeFileSync(path.join(dir, "empty"), "");
    fs.writeFileSync(path.join(dir, "private/secret"), "s");
    fs.symlinkSync("a/text.txt", path.join(dir, "link"));
    fs.symlinkSync("/nonexistent/target", path.join(dir, "dangling"));
    fs.chmodSync(path.join(dir, "a/text.txt"), 0o640);
    fs.chmodSync(path.join(dir, "private/secret"), 0o600);
    fs.chmodSync(path.join(dir, "empty"), 0o4755); // setuid survives only with FSETID-like privileges
    fs.chownSync(path.join(dir, "a/text.txt"), 1234, 2345);
    fs.chownSync(path.join(dir, "private"), 999, 999);
    fs.utimesSync(path.join(dir, "a/text.txt"), new Date("2020-01-02T03:04:05Z"), new Date("2020-01-02T03:04:05Z"));
}

/** Every entry: type, mode, owner, mtime (files, whole seconds as tar keeps them), content hash or link target. */
function manifest(dir: string): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
        for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
            const r = path.join(rel, name);
            const st = fs.lstatSync(path.join(dir, r));
            const own = `${st.uid}:${st.gid}`;
            // Symlink owners are not compared: busybox tar does not lchown the links it extracts.
            if (st.isSymbolicLink()) out.push(`L ${r} -> ${fs.readlinkSync(path.join(dir, r))}`);
            else if (st.isDirectory()) {
                out.push(`D ${r} ${(st.mode & 0o7777).toString(8)} ${own}`);
                walk(r);
            } else {
                const h = crypto
                    .createHash("sha256")
                    .update(fs.readFileSync(path.join(dir, r)))
                    .digest("hex");
                out.push(`F ${r} ${(st.mode & 0o7777).toString(8)} ${own} ${Math.floor(st.mtimeMs / 1000)} ${h}`);
            }
        }
    };
    walk("");
    return out;
}

async function restoreJob(name: string, k: string, overwrite?: boolean) {
    const r = await render((c) => {
        new c.PvcRestore(name, {
            namespace: "shop",
            claimName: "data-restored",
            key: k,
            storage: storage(),
            overwrite,
        });
    });
    return podOf({ spec: { jobTemplate: { spec: r.jobs[name].spec } } });
}

let src: string;
beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-pvc-restore-it-"));
    minio = await startMinio();
    await minio.createBucket(BUCKET);
    src = path.join(tmp, "src");
    fs.mkdirSync(src);
    makeVolume(src);
    const r = await render((c) => {
        new c.PvcBackupSchedule("app", {
            schedule: "0 3 * * *",
            namespace: "shop",
            pvcNames: ["data"],
            storage: { ...storage(), prefix: "app" },
        });
    });
    const res = await runPod(podOf(r.cronJobs["app-data"]), { secrets: secrets(), volumes: { data: src } });
    if (!res.ok) throw new Error(res.log);
    key = /uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(res.log)![1];
});

afterAll(async () => {
    await minio?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
});

test("restores byte-identical into an empty claim: contents, modes, numeric owners, mtimes, symlinks", async () => {
    const target = fs.mkdtempSync(path.join(tmp, "target-"));
    fs.mkdirSync(path.join(target, "lost+found")); // a fresh ext4 volume's: the claim still counts as empty
    const res = await runPod(await restoreJob("restore-ok", key), { secrets: secrets(), volumes: { data: target } });
    expect(res.log).toContain(`verified s3://${BUCKET}/${key}`);
    expect(res.ok).toBe(true);
    fs.rmdirSync(path.join(target, "lost+found"));
    // The claim's root takes the archive's "." entry (mode and owner of the source root) like any tar extract.
    expect(manifest(target)).toEqual(manifest(src));
    expect(manifest(src)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^F a\/text.txt 640 1234:2345 1577934245 /)]),
    );
});

test("a non-empty claim is refused unless overwrite, and nothing is extracted", async () => {
    const target = fs.mkdtempSync(path.join(tmp, "busy-"));
    fs.writeFileSync(path.join(target, "keep.txt"), "existing");
    const res = await runPod(await restoreJob("restore-busy", key), { secrets: secrets(), volumes: { data: target } });
    expect(res.ok).toBe(false);
    expect(res.log).toContain("FAILED: the claim is not empty: refusing to restore over existing data");
    expect(fs.readdirSync(target)).toEqual(["keep.txt"]);
    const forced = await runPod(await restoreJob("restore-force", key, true), {
        secrets: secrets(),
        volumes: { data: target },
    });
    expect(forced.ok).toBe(true);
    expect(fs.readFileSync(path.join(target, "a/text.txt"), "utf8")).toBe("hello\n".repeat(1000));
    expect(fs.readFileSync(path.join(target, "keep.txt"), "utf8")).toBe("existing");
});

test("a corrupt object and an incomplete backup are refused before extracting", async () => {
    const base = path.basename(key);
    const file = path.join(tmp, "obj");
    await minio.aws(["s3", "cp", `s3://${BUCKET}/${key}`, file, "--only-show-errors"]);
    const bytes = fs.readFileSync(file);
    bytes[100] ^= 0xff;
    fs.writeFileSync(file, bytes);
    await minio.aws(["s3", "cp", file, `s3://${BUCKET}/bad/${base}`, "--only-show-errors"]);
    await minio.aws([
        "s3",
        "cp",
        `s3://${BUCKET}/${key}.sha256`,
        `s3://${BUCKET}/bad/${base}.sha256`,
        "--only-show-errors",
    ]);
    await minio.aws(["s3", "cp", `s3://${BUCKET}/${key}`, `s3://${BUCKET}/incomplete/${base}`, "--only-show-errors"]);
    for (const [prefix, cause] of [
        ["bad", `s3://${BUCKET}/bad/${base} is corrupt: sha256`],
        ["incomplete", `no marker s3://${BUCKET}/incomplete/${base}.sha256: the backup is incomplete`],
    ]) {
        const target = fs.mkdtempSync(path.join(tmp, `${prefix}-`));
        const res = await runPod(await restoreJob(`restore-${prefix}`, `${prefix}/${base}`), {
            secrets: secrets(),
            volumes: { data: target },
        });
        expect(res.ok).toBe(false);
        expect(res.log).toContain(`FAILED: ${cause}`);
        expect(fs.readdirSync(target)).toEqual([]);
    }
});

test("an encrypted backup (rclone crypt) is decrypted, verified and restored; a wrong password is refused", async () => {
    const password = "correct horse battery staple";
    const r = await render((c) => {
        new c.PvcBackupSchedule("sealed", {
            schedule: "0 3 * * *",
            namespace: "shop",
            pvcNames: ["data"],
            encryption: { secretName: "backup-key" },
            storage: { ...storage(), prefix: "sealed" },
        });
    });
    const made = await runPod(podOf(r.cronJobs["sealed-data"]), {
        secrets: { ...secrets(), "backup-key": { password } },
        volumes: { data: src },
    });
    expect(made.ok).toBe(true);
    const sealed = /uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(made.log)![1];
    const job = await render((c) => {
        new c.PvcRestore("unseal", {
            namespace: "shop",
            claimName: "data-restored",
            key: sealed,
            storage: storage(),
            encryption: { secretName: "backup-key" },
        });
    });
    const pod = podOf({ spec: { jobTemplate: { spec: job.jobs.unseal.spec } } });
    const wrongTarget = fs.mkdtempSync(path.join(tmp, "wrong-"));
    const wrong = await runPod(pod, {
        secrets: { ...secrets(), "backup-key": { password: "not the password" } },
        volumes: { data: wrongTarget },
    });
    expect(wrong.ok).toBe(false);
    expect(wrong.log).toContain(
        `FAILED: s3://${BUCKET}/${sealed} could not be decrypted: wrong encryption password or salt`,
    );
    expect(wrong.log).not.toContain("not the password");
    expect(fs.readdirSync(wrongTarget)).toEqual([]);
    const target = fs.mkdtempSync(path.join(tmp, "unsealed-"));
    const ok = await runPod(pod, { secrets: { ...secrets(), "backup-key": { password } }, volumes: { data: target } });
    expect(ok.log).toContain("verified");
    expect(ok.ok).toBe(true);
    expect(manifest(target)).toEqual(manifest(src));
});
