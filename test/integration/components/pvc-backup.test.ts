// PvcBackupSchedule (tar and custom strategies) against a real MinIO, running the exact container the component
// renders in the rclone image's userland (busybox sh and applets plus rclone, nothing else on PATH); plus hostile
// values rejected or passed safely.
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MinioHandle, runCommand, startMinio } from "../../../tools/local/processes";
import { userlandDir } from "../../../tools/local/toolchain";
import { components, podOf, render } from "./render";
import { runPod } from "../../../tools/local/pod";

jest.setTimeout(600_000);

let minio: MinioHandle;
let tmp: string;
const BUCKET = "pvc-backups";

beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-pvc-it-"));
    minio = await startMinio();
    await minio.createBucket(BUCKET);
});
afterAll(async () => {
    await minio?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
});

async function keys(prefix: string): Promise<string[]> {
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

async function download(key: string, dir: string): Promise<string> {
    const file = path.join(dir, path.basename(key));
    await minio.aws(["s3", "cp", `s3://${BUCKET}/${key}`, file, "--only-show-errors"]);
    return file;
}

/** A claim's worth of awkward content: nested dirs, empty files and dirs, a symlink, odd names, binary data. */
function makeVolume(dir: string): void {
    fs.mkdirSync(path.join(dir, "a/b/c"), { recursive: true });
    fs.mkdirSync(path.join(dir, "empty-dir"));
    fs.writeFileSync(path.join(dir, "a/b/c/random.bin"), crypto.randomBytes(3 * 1024 * 1024 + 17));
    fs.writeFileSync(path.join(dir, "a/text.txt"), "hello\n".repeat(10000));
    fs.writeFileSync(path.join(dir, "empty"), "");
    fs.writeFileSync(path.join(dir, "with space 'quote' \"dq\" $(touch pwned) ;.txt"), "odd name");
    fs.writeFileSync(path.join(dir, "ünïcødé.txt"), "utf8");
    fs.symlinkSync("a/text.txt", path.join(dir, "link"));
    fs.chmodSync(path.join(dir, "a/text.txt"), 0o640);
}

/** Every entry with its type, mode and content hash (or link target). */
function manifest(dir: string): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
        for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
            const r = path.join(rel, name);
            const st = fs.lstatSync(path.join(dir, r));
            if (st.isSymbolicLink()) out.push(`L ${r} -> ${fs.readlinkSync(path.join(dir, r))}`);
            else if (st.isDirectory()) {
                out.push(`D ${r} ${(st.mode & 0o7777).toString(8)}`);
                walk(r);
            } else
                out.push(
                    `F ${r} ${(st.mode & 0o7777).toString(8)} ${crypto
                        .createHash("sha256")
                        .update(fs.readFileSync(path.join(dir, r)))
                        .digest("hex")}`,
                );
        }
    };
    walk("");
    return out;
}

/** A copy of a userland directory (its symlinks) plus one host tool: a custom image that has that tool too. */
function withTool(userland: string, tool: string): string {
    const dir = fs.mkdtempSync(path.join(tmp, "image-"));
    for (const name of fs.readdirSync(userland)) {
        fs.symlinkSync(fs.realpathSync(path.join(userland, name)), path.join(dir, name));
    }
    const host = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find((f) => fs.existsSync(f));
    if (!host) throw new Error(`no host ${tool} to add to the test image`);
    fs.symlinkSync(host, path.join(dir, tool));
    return dir;
}

const s3 = () => ({
    bucket: { bucket: BUCKET, endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
    credentials: { secretName: "s3" },
});

for (const compression of ["gzip", "zstd"] as const) {
    test(`tar (${compression}) backup restores byte-identical and keeps N per claim`, async () => {
        const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
        makeVolume(vol);
        // zstd needs an image of the user's choice (busybox has no zstd compressor): here the rclone userland
        // plus the host's zstd, standing for such an image.
        const userland = compression === "zstd" ? withTool(userlandDir(), "zstd") : undefined;
        const { cronJobs } = await render((c) => {
            new c.PvcBackupSchedule("app", {
                schedule: "0 3 * * *",
                namespace: "shop",
                pvcNames: ["data"],
                compression,
                retention: 2,
                image: compression === "zstd" ? "registry.example/tools-with-zstd:1.0" : undefined,
                storage: { ...s3(), prefix: `tar-${compression}` },
            });
        });
        const pod = podOf(cronJobs["app-data"]);
        const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };
        const made: string[] = [];
        for (let i = 0; i < 4; i++) {
            fs.writeFileSync(path.join(vol, "run.txt"), String(i));
            const res = await runPod(pod, { secrets, volumes: { data: vol }, userland });
            expect(res.log).toContain("done:");
            expect(res.ok).toBe(true);
            made.push(/uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(res.log)![1]);
            await new Promise((r) => setTimeout(r, 1000));
        }
        expect(fs.existsSync(path.join(vol, "pwned"))).toBe(false);
        const ext = compression === "gzip" ? ".tar.gz" : ".tar.zst";
        for (const k of made)
            expect(k).toMatch(new RegExp(`^tar-${compression}/unit\\.app\\.data-\\d{8}T\\d{6}Z-[0-9a-f]{8}\\${ext}$`));
        expect(await keys(`tar-${compression}/`)).toEqual(
            made
                .slice(-2)
                .flatMap((k) => [k, `${k}.sha256`])
                .sort(),
        );

        const dl = fs.mkdtempSync(path.join(tmp, "dl-"));
        const archive = await download(made[3], dl);
        await download(`${made[3]}.sha256`, dl);
        await runCommand("sha256sum", ["-c", `${path.basename(archive)}.sha256`], { cwd: dl });
        const out = fs.mkdtempSync(path.join(tmp, "restore-"));
        await runCommand("tar", [
            "-C",
            out,
            compression === "gzip" ? "-xzpf" : "--zstd",
            ...(compression === "zstd" ? ["-xpf"] : []),
            archive,
        ]);
        expect(manifest(out)).toEqual(manifest(vol));
    });
}

test("encrypted tar archive: the stored object is not the plaintext; rclone with the key restores it byte-identical", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    makeVolume(vol);
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule("sealed", {
            schedule: "0 3 * * *",
            namespace: "shop",
            pvcNames: ["data"],
            encryption: { secretName: "backup-key" },
            storage: { ...s3(), prefix: "sealed" },
        });
    });
    const password = "correct horse battery staple";
    const secrets = {
        s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey },
        "backup-key": { password },
    };
    const res = await runPod(podOf(cronJobs["sealed-data"]), { secrets, volumes: { data: vol } });
    expect(res.ok).toBe(true);
    expect(res.log).toContain("encrypted true");
    expect(res.log).not.toContain(password);
    const key = /uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(res.log)![1];
    expect(await keys("sealed/")).toEqual([key, `${key}.sha256`]);
    const dl = fs.mkdtempSync(path.join(tmp, "dl-"));
    const raw = fs.readFileSync(await download(key, dl));
    expect(raw.subarray(0, 8).toString()).toBe("RCLONE\x00\x00");
    // Restore as documented: rclone cat through a crypt remote, check the marker, untar.
    const rclone = path.join(userlandDir(), "rclone");
    const obscured = (await runCommand(rclone, ["obscure", "-"], { input: `${password}\n` })).stdout.trim();
    const env = {
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
        RCLONE_CONFIG_DEC_PASSWORD: obscured,
    };
    const plain = path.join(dl, "plain", path.basename(key));
    fs.mkdirSync(path.dirname(plain));
    await runCommand(rclone, ["copyto", `dec:${key}`, plain], { env });
    await runCommand(rclone, ["copyto", `s3:${BUCKET}/${key}.sha256`, `${plain}.sha256`], { env });
    await runCommand("sha256sum", ["-c", `${path.basename(key)}.sha256`], { cwd: path.dirname(plain) });
    expect(raw.includes(fs.readFileSync(plain).subarray(0, 4096))).toBe(false);
    const out = fs.mkdtempSync(path.join(tmp, "restore-"));
    await runCommand("tar", ["--numeric-owner", "-C", out, "-xzpf", plain]);
    expect(manifest(out)).toEqual(manifest(vol));
    // A wrong password does not decrypt.
    const wrong = (await runCommand(rclone, ["obscure", "-"], { input: "wrong\n" })).stdout.trim();
    await expect(
        runCommand(rclone, ["cat", `dec:${key}`], { env: { ...env, RCLONE_CONFIG_DEC_PASSWORD: wrong } }),
    ).rejects.toThrow();
});

test("two schedules of one claim with one prefix each keep exactly their N", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    fs.writeFileSync(path.join(vol, "f"), crypto.randomBytes(10000));
    const { cronJobs } = await render((c) => {
        for (const [name, retention] of [
            ["hourly", 2],
            ["daily", 3],
        ] as const)
            new c.PvcBackupSchedule(name, {
                schedule: "0 3 * * *",
                namespace: "shop",
                pvcNames: ["data"],
                retention,
                storage: { ...s3(), prefix: "shared-claim" },
            });
    });
    const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };
    const made: Record<string, string[]> = { hourly: [], daily: [] };
    for (let i = 0; i < 4; i++) {
        for (const name of ["hourly", "daily"]) {
            const res = await runPod(podOf(cronJobs[`${name}-data`]), { secrets, volumes: { data: vol } });
            expect(res.log).toContain("done:");
            expect(res.ok).toBe(true);
            made[name].push(/uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(res.log)![1]);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    expect(made.hourly[0]).toMatch(/^shared-claim\/unit\.hourly\.data-/);
    expect(await keys("shared-claim/")).toEqual(
        [...made.hourly.slice(-2), ...made.daily.slice(-3)].flatMap((k) => [k, `${k}.sha256`]).sort(),
    );
});

test("two stacks (cluster names) on one bucket with the default prefix each keep exactly their N", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    fs.writeFileSync(path.join(vol, "f"), crypto.randomBytes(10000));
    const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };
    const pods: Record<string, any> = {};
    for (const [clusterName, retention] of [
        ["blue", 2],
        ["green", 3],
    ] as const) {
        const { cronJobs } = await render((c) => {
            new c.PvcBackupSchedule("app", {
                schedule: "0 3 * * *",
                namespace: "shop",
                pvcNames: ["data"],
                retention,
                clusterName,
                storage: s3(),
            });
        });
        pods[clusterName] = podOf(cronJobs["app-data"]);
    }
    const made: Record<string, string[]> = { blue: [], green: [] };
    for (let i = 0; i < 4; i++) {
        for (const c of ["blue", "green"]) {
            const res = await runPod(pods[c], { secrets, volumes: { data: vol } });
            expect(res.ok).toBe(true);
            made[c].push(/uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(res.log)![1]);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    expect(made.blue[0]).toMatch(/^blue\/pvc\/shop\/app\/blue\.app\.data-/);
    expect(await keys("blue/")).toEqual(
        made.blue
            .slice(-2)
            .flatMap((k) => [k, `${k}.sha256`])
            .sort(),
    );
    expect(await keys("green/")).toEqual(
        made.green
            .slice(-3)
            .flatMap((k) => [k, `${k}.sha256`])
            .sort(),
    );
});

test("a failing run in the same second as a complete backup neither overwrites nor deletes it", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    fs.writeFileSync(path.join(vol, "f"), crypto.randomBytes(100000));
    // Every run sees the same second: the key's timestamp alone would collide.
    const clock = fs.mkdtempSync(path.join(tmp, "clock-"));
    fs.writeFileSync(
        path.join(clock, "date"),
        '#!/bin/sh\nif [ "$*" = "-u +%Y%m%dT%H%M%SZ" ]; then echo 20260101T000000Z; else exec busybox date "$@"; fi\n',
        { mode: 0o755 },
    );
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule("same", {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["pg"],
            strategy: "custom",
            // Relative paths: the working directory is the mounted claim.
            command: ["sh", "-c", "cat f && [ ! -e fail ]"],
            storage: { ...s3(), prefix: "same-second" },
        });
    });
    const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };
    const pod = podOf(cronJobs["same-pg"]);
    const good = await runPod(pod, { secrets, volumes: { data: vol }, pathPrepend: [clock] });
    expect(good.ok).toBe(true);
    const key = /uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(good.log)![1];
    fs.writeFileSync(path.join(vol, "fail"), "");
    const bad = await runPod(pod, { secrets, volumes: { data: vol }, pathPrepend: [clock] });
    expect(bad.ok).toBe(false);
    expect(await keys("same-second/")).toEqual([key, `${key}.sha256`]);
    expect(bad.log).toContain("source stage of same-second/unit.same.pg-20260101T000000Z-");
    const dl = fs.mkdtempSync(path.join(tmp, "dl-"));
    expect(fs.readFileSync(await download(key, dl))).toEqual(fs.readFileSync(path.join(vol, "f")));
});

describe("tar of a live volume: files changing while read", () => {
    let vol: string;
    let writer: ChildProcess;
    // busybox tar archives a growing file as it was when its header was written and exits 0; GNU tar (a custom
    // image) exits 1 with "file changed as we read it". This tar is busybox's, then reports exactly that.
    let gnuLike: string;
    beforeAll(() => {
        gnuLike = fs.mkdtempSync(path.join(tmp, "gnu-tar-"));
        fs.writeFileSync(
            path.join(gnuLike, "tar"),
            '#!/bin/sh\nbusybox tar "$@" || exit $?\necho "tar: ./growing.log: file changed as we read it" >&2\nexit 1\n',
            { mode: 0o755 },
        );
        vol = fs.mkdtempSync(path.join(tmp, "live-"));
        fs.writeFileSync(path.join(vol, "growing.log"), crypto.randomBytes(30 * 1024 * 1024));
        // Appends while the backups run, so GNU tar sees the file change under it (exit 1).
        writer = spawn("sh", ["-c", 'while :; do echo x >> "$0"; done', path.join(vol, "growing.log")], {
            stdio: "ignore",
        });
    });
    afterAll(() => writer.kill());
    const secrets = () => ({ s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } });

    test("by default a logged warning: the archive is kept, with numeric owners", async () => {
        const { cronJobs } = await render((c) => {
            new c.PvcBackupSchedule("live", {
                schedule: "0 3 * * *",
                namespace: "db",
                pvcNames: ["logs"],
                storage: { ...s3(), prefix: "live-warn" },
            });
        });
        const res = await runPod(podOf(cronJobs["live-logs"]), {
            secrets: secrets(),
            volumes: { data: vol },
            pathPrepend: [gnuLike],
        });
        expect(res.log).toContain("file changed as we read it");
        expect(res.log).toContain("WARNING: tar exited with status 1");
        expect(res.ok).toBe(true);
        const [key] = (await keys("live-warn/")).filter((k) => k.endsWith(".tar.gz"));
        const dl = fs.mkdtempSync(path.join(tmp, "dl-"));
        // busybox tar stores numeric IDs (and names); restores extract with --numeric-owner (docs/backup-jobs.md).
        const listing = (await runCommand("tar", ["--numeric-owner", "-tvzf", await download(key, dl)])).stdout;
        // Owned by root here: with names the listing would say root/root.
        expect(listing).toMatch(/ 0\/0 .* \.\/growing\.log/);
    });

    test("with failOnChangedFiles the run fails and leaves no object", async () => {
        const { cronJobs } = await render((c) => {
            new c.PvcBackupSchedule("strict", {
                schedule: "0 3 * * *",
                namespace: "db",
                pvcNames: ["logs"],
                failOnChangedFiles: true,
                storage: { ...s3(), prefix: "live-strict" },
            });
        });
        const res = await runPod(podOf(cronJobs["strict-logs"]), {
            secrets: secrets(),
            volumes: { data: vol },
            pathPrepend: [gnuLike],
        });
        expect(res.log).toContain("file changed as we read it");
        expect(res.ok).toBe(false);
        expect(res.log).toMatch(/source stage of \S+ exited with status 1/);
        expect(await keys("live-strict/")).toEqual([]);
    });
});

test("prune falls back to per-key deletes when the store refuses the batch delete", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    fs.writeFileSync(path.join(vol, "f"), crypto.randomBytes(10000));
    // A store that refuses the batch delete (as MissingContentMD5 stores refuse DeleteObjects); every other call
    // goes through to the real rclone.
    const shim = fs.mkdtempSync(path.join(tmp, "rclone-"));
    fs.writeFileSync(
        path.join(shim, "rclone"),
        `#!/bin/sh
if [ "$1" = delete ]; then
  echo "ERROR : Attempt 1/1 failed with 1 errors and: MissingContentMD5: Missing required header for this request: Content-MD5" >&2
  exit 1
fi
exec ${path.join(userlandDir(), "rclone")} "$@"
`,
        { mode: 0o755 },
    );
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule("md5", {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["pg"],
            retention: 1,
            storage: { ...s3(), prefix: "no-multi-delete" },
        });
    });
    const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
        const res = await runPod(podOf(cronJobs["md5-pg"]), { secrets, volumes: { data: vol }, pathPrepend: [shim] });
        expect(res.log).toContain("done:");
        expect(res.ok).toBe(true);
        if (i > 0) expect(res.log).toContain("deleting key by key");
        made.push(/uploaded s3:\/\/[^/]+\/(\S+) \(/.exec(res.log)![1]);
        await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await keys("no-multi-delete/")).toEqual([made[2], `${made[2]}.sha256`]);
});

test("preflight: an image without tar fails before any side effect, naming tar", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    fs.writeFileSync(path.join(vol, "f"), "x");
    const noTar = fs.mkdtempSync(path.join(tmp, "no-tar-"));
    for (const name of fs.readdirSync(userlandDir()))
        if (name !== "tar") fs.symlinkSync(fs.realpathSync(path.join(userlandDir(), name)), path.join(noTar, name));
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule("pre", {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["pg"],
            storage: { ...s3(), prefix: "preflight" },
        });
    });
    const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };
    const res = await runPod(podOf(cronJobs["pre-pg"]), { secrets, volumes: { data: vol }, userland: noTar });
    expect(res.ok).toBe(false);
    expect(res.runs[0].code).not.toBe(0);
    expect(res.log).toContain("preflight: 'tar' is not in this image");
    expect(res.log).not.toContain("uploaded");
    expect(await keys("preflight/")).toEqual([]);
});

test("custom: a producer failing half-way fails the run and leaves no object", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule("dump", {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["pg"],
            strategy: "custom",
            command: ["sh", "-c", "head -c 1000000 /dev/urandom; exit 3"],
            storage: { ...s3(), prefix: "custom-fail" },
        });
    });
    const res = await runPod(podOf(cronJobs["dump-pg"]), {
        secrets: { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } },
        volumes: { data: vol },
    });
    expect(res.ok).toBe(false);
    expect(res.log).toMatch(
        /source stage of custom-fail\/unit\.dump\.pg-\S+ exited with status 3|upload of custom-fail\/unit\.dump\.pg-\S+ failed/,
    );
    expect(await keys("custom-fail/")).toEqual([]);
});

test("hostile values in the custom command are passed to the program as literal argv", async () => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    const marker = path.join(tmp, `pwned-${crypto.randomBytes(4).toString("hex")}`);
    const hostile = `$(touch ${marker}) \`touch ${marker}\` 'single' "double" ; rm -rf / #`;
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule("odd", {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["pg"],
            strategy: "custom",
            extension: ".txt",
            command: ["printf", "%s", hostile],
            storage: { ...s3(), prefix: "hostile" },
        });
    });
    const res = await runPod(podOf(cronJobs["odd-pg"]), {
        secrets: { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } },
        volumes: { data: vol },
    });
    expect(res.ok).toBe(true);
    const [key] = (await keys("hostile/")).filter((k) => k.endsWith(".txt"));
    const dl = fs.mkdtempSync(path.join(tmp, "dl-"));
    expect(fs.readFileSync(await download(key, dl), "utf8")).toBe(hostile);
    expect(fs.existsSync(marker)).toBe(false);
});

test("hostile prefixes and names are rejected before anything runs", async () => {
    const c = await components();
    const base = { schedule: "0 3 * * *", namespace: "db", pvcNames: ["pg"] };
    for (const prefix of [
        "a b",
        "x/$(touch /tmp/pwned)",
        'q"uote',
        "it's",
        "../up",
        "/abs",
        "a//b",
        "semi;colon",
        "back`tick`",
    ]) {
        expect(() => new c.PvcBackupSchedule("n", { ...base, storage: { ...s3(), prefix } })).toThrow(
            /property "storage.prefix" must be/,
        );
    }
    for (const name of ["Upper", "sp ace", "$(x)", "a;b", "quo'te"]) {
        expect(() => new c.PvcBackupSchedule("n", { ...base, pvcNames: [name], storage: s3() })).toThrow(
            /property "pvcNames" item 0 must be a DNS-1123 subdomain/,
        );
        expect(() => new c.PvcBackupSchedule(name, { ...base, storage: s3() })).toThrow(
            /property "name" must be a DNS-1123 label/,
        );
    }
    expect(() => new c.PvcBackupSchedule("n", { ...base, storage: { ...s3(), bucket: { bucket: "b$(x)" } } })).toThrow(
        /property "storage.bucket.bucket" must be a valid S3 bucket name/,
    );
});

// A custom image's /bin/sh may be bash (pipefail: only the producer is wrapped) or dash (no pipefail: every stage
// records its exit status); both paths of the stream must complete a good run, fail a failing or empty producer.
test.each([
    ["bash", "/bin/bash"],
    ["dash", "/bin/dash"],
])("under %s (a custom image's /bin/sh) a good run completes, a failing or empty producer fails", async (sh, shell) => {
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    fs.writeFileSync(path.join(vol, "f"), crypto.randomBytes(100000));
    const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };
    const custom = (script: string) => ({
        schedule: "0 3 * * *",
        namespace: "db",
        pvcNames: ["pg"],
        strategy: "custom" as const,
        command: ["sh", "-c", script],
        storage: { ...s3(), prefix: sh },
    });
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule(sh, {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["ok"],
            storage: { ...s3(), prefix: sh },
        });
        new c.PvcBackupSchedule(`${sh}fail`, custom("head -c 100000 /dev/urandom; exit 4"));
        new c.PvcBackupSchedule(`${sh}empty`, custom("true"));
    });
    const run = (name: string) => runPod(podOf(cronJobs[name]), { secrets, volumes: { data: vol }, shell });
    const good = await run(`${sh}-ok`);
    expect(good.log).toContain("done:");
    expect(good.ok).toBe(true);
    const bad = await run(`${sh}fail-pg`);
    expect(bad.ok).toBe(false);
    expect(bad.log).toMatch(/source stage of \S+ exited with status 4/);
    const empty = await run(`${sh}empty-pg`);
    expect(empty.ok).toBe(false);
    expect(empty.log).toMatch(/FAILED: \S+ is empty/);
    const left = await keys(`${sh}/`);
    expect(left).toHaveLength(2);
    for (const k of left) expect(k).toMatch(new RegExp(`^${sh}/unit\\.${sh}\\.ok-`));
});
