// What a PVC archive keeps beyond contents: the default image's busybox tar drops extended attributes; the
// documented custom-image path (strategy "custom" with GNU tar --xattrs) keeps them. The "custom image" here is
// the default userland with `tar` replaced by the host's GNU tar, run by the same pod runner and script.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MinioHandle, startMinio } from "../../../tools/local/processes";
import { userlandDir } from "../../../tools/local/toolchain";
import { podOf, render } from "./render";
import { runPod } from "../../../tools/local/pod";

jest.setTimeout(300_000);

const BUCKET = "xattrs";
const GNU_TAR = "/usr/bin/tar";
let minio: MinioHandle;
let tmp: string;

/** A ustar header block (POSIX field layout, octal numbers, checksum over the block with spaces in its field). */
function header(name: string, type: string, size: number): Buffer {
    const b = Buffer.alloc(512);
    const put = (s: string, off: number, len: number) => b.write(s, off, len, "latin1");
    const oct = (n: number, len: number) => n.toString(8).padStart(len - 1, "0") + "\0";
    put(name, 0, 100);
    put(oct(0o644, 8), 100, 8);
    put(oct(0, 8), 108, 8);
    put(oct(0, 8), 116, 8);
    put(oct(size, 12), 124, 12);
    put(oct(1767225600, 12), 136, 12);
    put(" ".repeat(8), 148, 8);
    put(type, 156, 1);
    put("ustar\0" + "00", 257, 8);
    let sum = 0;
    for (const x of b) sum += x;
    put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    return b;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

/** A pax archive of one file carrying a user.* extended attribute (GNU tar's SCHILY.xattr record). */
function archiveWithXattr(name: string, content: string, attr: string, value: string): Buffer {
    const body = ` SCHILY.xattr.${attr}=${value}\n`;
    let len = body.length + 2;
    while (`${len}${body}`.length !== len) len++;
    const record = Buffer.from(`${len}${body}`, "latin1");
    const data = Buffer.from(content);
    return Buffer.concat([
        header(`PaxHeaders/${name}`, "x", record.length),
        pad(record),
        header(name, "0", data.length),
        pad(data),
        Buffer.alloc(1024),
    ]);
}

/** The xattr records GNU tar stores for the files of a directory (what a GNU tar restore would set). */
function xattrRecords(dir: string): string[] {
    const tar = execFileSync(GNU_TAR, ["--xattrs", "--xattrs-include=*", "-C", dir, "-cf", "-", "."]);
    return tar.toString("latin1").match(/SCHILY\.xattr\.user\.[a-z]+=[a-z0-9]+/g) ?? [];
}

/** Downloads the schedule's one archive and extracts it with GNU tar, restoring xattrs when the archive has them. */
async function restoreWithGnuTar(prefix: string): Promise<string> {
    const listing = await minio.aws(["s3", "ls", `s3://${BUCKET}/${prefix}/`]);
    const key = listing
        .split("\n")
        .find((l) => l.endsWith(".tar.gz"))!
        .split(/\s+/)
        .pop()!;
    const file = path.join(tmp, key);
    await minio.aws(["s3", "cp", `s3://${BUCKET}/${prefix}/${key}`, file, "--only-show-errors"]);
    const out = fs.mkdtempSync(path.join(tmp, "restored-"));
    execFileSync(GNU_TAR, ["--xattrs", "--xattrs-include=*", "--numeric-owner", "-xzpf", file, "-C", out]);
    return out;
}

beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-xattrs-"));
    minio = await startMinio();
    await minio.createBucket(BUCKET);
});
afterAll(async () => {
    await minio?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
});

test("busybox tar (default image) drops xattrs; GNU tar --xattrs in a custom image keeps them", async () => {
    expect(execFileSync(GNU_TAR, ["--version"]).toString()).toMatch(/GNU tar/);
    const vol = fs.mkdtempSync(path.join(tmp, "vol-"));
    const src = path.join(tmp, "src.tar");
    fs.writeFileSync(src, archiveWithXattr("labelled", "payload\n", "user.kb", "v1"));
    execFileSync(GNU_TAR, ["--xattrs", "--xattrs-include=*", "-xf", src, "-C", vol]);
    expect(xattrRecords(vol)).toEqual(["SCHILY.xattr.user.kb=v1"]);

    // The custom image: the default userland (busybox applets + rclone) with GNU tar as `tar`.
    const custom = fs.mkdtempSync(path.join(tmp, "userland-"));
    for (const name of fs.readdirSync(userlandDir())) {
        const target = name === "tar" ? GNU_TAR : fs.realpathSync(path.join(userlandDir(), name));
        fs.symlinkSync(target, path.join(custom, name));
    }

    const storage = (prefix: string) => ({
        bucket: { bucket: BUCKET, endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
        credentials: { secretName: "s3" },
        prefix,
    });
    const { cronJobs } = await render((c) => {
        new c.PvcBackupSchedule("plain", {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["data"],
            storage: storage("plain"),
        });
        new c.PvcBackupSchedule("gnu", {
            schedule: "0 3 * * *",
            namespace: "db",
            pvcNames: ["data"],
            strategy: "custom",
            image: "registry.example.com/tools-gnu-tar:1.0",
            // $(BACKUP_DATA_DIR): the claim's mount (/data), expanded by Kubernetes (here by the pod runner).
            command: ["tar", "--xattrs", "--xattrs-include=*", "--acls", "--sparse", "--numeric-owner"].concat([
                "-C",
                "$(BACKUP_DATA_DIR)",
                "-cf",
                "-",
                ".",
            ]),
            compression: "gzip",
            extension: ".tar.gz",
            storage: storage("gnu"),
        });
    });
    const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };

    const plain = await runPod(podOf(cronJobs["plain-data"]), { secrets, volumes: { data: vol } });
    expect(plain.log).toContain("done:");
    const fromBusybox = await restoreWithGnuTar("plain");
    expect(fs.readFileSync(path.join(fromBusybox, "labelled"), "utf8")).toBe("payload\n");
    expect(xattrRecords(fromBusybox)).toEqual([]);

    const gnu = await runPod(podOf(cronJobs["gnu-data"]), { secrets, volumes: { data: vol }, userland: custom });
    expect(gnu.log).toContain("done:");
    const fromGnu = await restoreWithGnuTar("gnu");
    expect(fs.readFileSync(path.join(fromGnu, "labelled"), "utf8")).toBe("payload\n");
    expect(xattrRecords(fromGnu)).toEqual(["SCHILY.xattr.user.kb=v1"]);

    // PvcRestore's own Job: in the custom image (GNU tar) it restores the xattr; in the default one it cannot.
    const key = (await minio.aws(["s3", "ls", "--recursive", `s3://${BUCKET}/gnu/`]))
        .split("\n")
        .map((l) => l.split(/\s+/).pop()!)
        .find((k) => k.endsWith(".tar.gz"))!;
    const restoreInto = async (name: string, userland?: string) => {
        const r = await render((c) => {
            new c.PvcRestore(name, { namespace: "db", claimName: "data", key, storage: storage("gnu") });
        });
        const target = fs.mkdtempSync(path.join(tmp, `${name}-`));
        const pod = podOf({ spec: { jobTemplate: { spec: r.jobs[name].spec } } });
        const res = await runPod(pod, { secrets, volumes: { data: target }, ...(userland ? { userland } : {}) });
        expect(res.log).toContain("done: restored");
        expect(fs.readFileSync(path.join(target, "labelled"), "utf8")).toBe("payload\n");
        return target;
    };
    expect(xattrRecords(await restoreInto("restore-gnu", custom))).toEqual(["SCHILY.xattr.user.kb=v1"]);
    expect(xattrRecords(await restoreInto("restore-busybox"))).toEqual([]);
});
