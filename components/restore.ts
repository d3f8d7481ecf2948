// etcd restore from the catalog: choose the newest complete backup at or before a time, download it, verify it
// (the marker's SHA-256, etcd's 32-byte SHA-256 trailer and the recorded integrity hash, `etcdutl snapshot
// status`), then `etcdutl snapshot restore` into a scratch directory next to the target and move it into place,
// so a refusal at any step writes nothing to the target.
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { Readable } from "stream";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { listStoredBackups, StoredBackup, StoredBackupsArgs } from "./catalog";
import { describeS3Error, s3Client } from "./s3client";

export interface RestoreEtcdOptions extends StoredBackupsArgs {
    schedule: string;
    /** RFC 3339 time or "latest" (default): the newest complete backup at or before it is restored. */
    at?: string;
    /** Target data directory: must not exist or be empty. */
    dataDir?: string;
    /** Instead of restoring, write the verified snapshot file here (must not exist): k3s/RKE2 restore from a file. */
    downloadOnly?: string;
    /** etcdutl binary. Default: "etcdutl" on PATH. */
    etcdutl?: string;
    /** Passed to `etcdutl snapshot restore` (a member of a multi-member cluster needs them). */
    name?: string;
    initialCluster?: string;
    initialAdvertisePeerUrls?: string;
    initialClusterToken?: string;
    /** Encrypted backups (rclone crypt): the schedule's encryption password and salt (if it has one). */
    encryptionPassword?: string;
    encryptionSalt?: string;
    /** rclone binary for decryption. Default: "rclone" on PATH. */
    rclone?: string;
}

export interface RestoreEtcdResult {
    backup: StoredBackup;
    /** The restored data directory, or the verified snapshot file with downloadOnly. */
    target: string;
    revision?: number;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile(cmd, args, { maxBuffer: 16 << 20, env }, (err, stdout, stderr) => {
            if (err) {
                const e = err as NodeJS.ErrnoException;
                reject(
                    new Error(
                        e.code === "ENOENT"
                            ? `${cmd} not found: install it or pass its path`
                            : `${path.basename(cmd)} ${args[0]} ${args[1] ?? ""} failed: ${(stderr || err.message).trim()}`,
                    ),
                );
            } else resolve(stdout);
        });
        if (input !== undefined) child.stdin?.end(input);
    });
}

/**
 * Decrypts an rclone-crypt file (the job's `crypt` remote: file names kept, no suffix) with rclone itself, over a
 * local directory, so the format is exactly the one the job wrote. The password reaches rclone only obscured,
 * through the environment.
 */
async function decrypt(rclone: string, encrypted: string, out: string, password: string, salt?: string) {
    const obscure = async (p: string) => (await run(rclone, ["obscure", "-"], undefined, p + "\n")).trim();
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        RCLONE_CONFIG: path.join(path.dirname(out), "no-rclone.conf"),
        RCLONE_CONFIG_KBDEC_TYPE: "crypt",
        RCLONE_CONFIG_KBDEC_REMOTE: path.dirname(encrypted),
        RCLONE_CONFIG_KBDEC_FILENAME_ENCRYPTION: "off",
        RCLONE_CONFIG_KBDEC_DIRECTORY_NAME_ENCRYPTION: "false",
        RCLONE_CONFIG_KBDEC_SUFFIX: "none",
        RCLONE_CONFIG_KBDEC_PASSWORD: await obscure(password),
    };
    if (salt) env.RCLONE_CONFIG_KBDEC_PASSWORD2 = await obscure(salt);
    try {
        await run(rclone, ["copyto", `kbdec:${path.basename(encrypted)}`, out], env);
    } catch (e) {
        if (/authenticate|bad password/i.test((e as Error).message))
            throw new Error(
                "decryption failed: wrong encryption password or salt (rclone could not authenticate the data)",
                {
                    cause: e,
                },
            );
        throw e;
    }
}

/** Parses --at: "latest"/undefined → no bound, else an RFC 3339 time. */
export function parseAt(at: string | undefined): Date | undefined {
    if (at === undefined || at === "latest") return undefined;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(at))
        throw new Error(`--at must be an RFC 3339 time (e.g. 2026-01-31T02:00:00Z) or "latest", got "${at}"`);
    const d = new Date(at);
    if (isNaN(d.getTime())) throw new Error(`--at is not a valid time: "${at}"`);
    return d;
}

/** Picks the newest complete backup at or before `at`; errors name what is missing. */
export function pickBackup(
    all: StoredBackup[],
    o: { schedule: string; cluster?: string; at?: string },
    where: string,
): StoredBackup {
    const at = parseAt(o.at);
    const mine = all.filter((b) => b.schedule === o.schedule && (o.cluster === undefined || b.cluster === o.cluster));
    if (mine.length === 0) throw new Error(`unknown schedule "${o.schedule}": no backups of it under ${where}`);
    const clusters = [...new Set(mine.map((b) => b.cluster))];
    if (clusters.length > 1)
        throw new Error(
            `schedule "${o.schedule}" has backups of several clusters (${clusters.join(", ")}): pass --cluster`,
        );
    const complete = mine.filter((b) => b.complete);
    if (complete.length === 0) throw new Error(`schedule "${o.schedule}" has no complete backup under ${where}`);
    const chosen = complete.find((b) => at === undefined || new Date(b.time).getTime() <= at.getTime());
    if (!chosen)
        throw new Error(
            `no complete backup of "${o.schedule}" at or before ${o.at}: the oldest is ${complete[complete.length - 1].time}`,
        );
    return chosen;
}

function checkTarget(dataDir: string): void {
    if (!fs.existsSync(dataDir)) return;
    const st = fs.statSync(dataDir);
    if (!st.isDirectory()) throw new Error(`data dir ${dataDir} exists and is not a directory`);
    if (fs.readdirSync(dataDir).length > 0)
        throw new Error(`data dir ${dataDir} is not empty: refusing to restore over existing data`);
}

/** Verifies a downloaded etcd snapshot file against the catalog entry. */
export async function verifySnapshot(file: string, b: StoredBackup, etcdutl: string): Promise<number | undefined> {
    const size = fs.statSync(file).size;
    const hash = crypto.createHash("sha256");
    const body = crypto.createHash("sha256");
    // The trailer is the SHA-256 of everything before it.
    const fd = fs.openSync(file, "r");
    try {
        const buf = Buffer.alloc(1 << 20);
        let pos = 0;
        while (pos < size) {
            const n = fs.readSync(fd, buf, 0, buf.length, pos);
            if (n <= 0) break;
            const chunk = buf.subarray(0, n);
            hash.update(chunk);
            const bodyEnd = Math.max(0, Math.min(n, size - 32 - pos));
            if (bodyEnd > 0) body.update(chunk.subarray(0, bodyEnd));
            pos += n;
        }
    } finally {
        fs.closeSync(fd);
    }
    const sha = hash.digest("hex");
    if (sha !== b.sha256)
        throw new Error(`${b.key} is corrupt: its SHA-256 ${sha} differs from the marker's ${b.sha256}`);
    if (size < 32 + 512 || (size - 32) % 512 !== 0)
        throw new Error(`${b.key} is not an etcd snapshot with an integrity trailer (${size} bytes): truncated?`);
    const trailer = Buffer.alloc(32);
    const tfd = fs.openSync(file, "r");
    try {
        fs.readSync(tfd, trailer, 0, 32, size - 32);
    } finally {
        fs.closeSync(tfd);
    }
    if (body.digest("hex") !== trailer.toString("hex"))
        throw new Error(`${b.key} fails etcd's integrity check: the content does not match its SHA-256 trailer`);
    if (b.etcdIntegritySha256 && b.etcdIntegritySha256 !== trailer.toString("hex"))
        throw new Error(`${b.key}: the integrity hash recorded at backup time differs from the file's trailer`);
    const st = JSON.parse(await run(etcdutl, ["snapshot", "status", file, "-w", "json"])) as { revision?: number };
    if (b.etcdRevision !== undefined && st.revision !== b.etcdRevision)
        throw new Error(`${b.key}: revision ${st.revision} differs from the recorded ${b.etcdRevision}`);
    return st.revision;
}

/** Downloads, verifies and restores an etcd snapshot into dataDir. */
export async function restoreEtcd(
    o: RestoreEtcdOptions,
    log: (line: string) => void = () => {},
): Promise<RestoreEtcdResult> {
    if (!o.dataDir === !o.downloadOnly) throw new Error("give exactly one of --data-dir and --download-only");
    const target = path.resolve((o.dataDir ?? o.downloadOnly)!);
    if (o.dataDir) checkTarget(target);
    else if (fs.existsSync(target)) throw new Error(`${target} exists: refusing to overwrite it`);
    parseAt(o.at);
    const where = `s3://${o.bucket}/${(o.prefix ?? "").replace(/^\/+|\/+$/g, "")}`;
    const all = await listStoredBackups({ ...o, schedule: o.schedule });
    const b = pickBackup(all, o, where);
    log(`chosen: s3://${o.bucket}/${b.key} (${b.time}, ${b.size} bytes, revision ${b.etcdRevision ?? "unknown"})`);
    if (b.encryption !== "none" && !o.encryptionPassword)
        throw new Error(
            `${b.key} is encrypted (${b.encryption}): give the schedule's encryption password ` +
                "(KUBE_BACKUP_ENCRYPTION_PASSWORD, and KUBE_BACKUP_ENCRYPTION_SALT if it has a salt)",
        );
    const parent = path.dirname(target);
    fs.mkdirSync(parent, { recursive: true });
    const scratch = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.kube-backup-`));
    try {
        const file = path.join(scratch, "snapshot.db");
        const s3 = s3Client(o);
        try {
            const r = await s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: b.key }));
            const dest = b.encryption === "none" ? file : path.join(scratch, "encrypted", path.basename(b.key));
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            await pipeline(r.Body as Readable, fs.createWriteStream(dest, { mode: 0o600 }));
        } catch (e) {
            throw describeS3Error(e, o.bucket);
        } finally {
            s3.destroy();
        }
        if (b.encryption !== "none") {
            const encrypted = path.join(scratch, "encrypted", path.basename(b.key));
            await decrypt(o.rclone ?? "rclone", encrypted, file, o.encryptionPassword!, o.encryptionSalt);
            log("decrypted with rclone");
        }
        const etcdutl = o.etcdutl ?? "etcdutl";
        const revision = await verifySnapshot(file, b, etcdutl);
        log(`verified: sha256 ${b.sha256} (marker), etcd integrity trailer, revision ${revision}`);
        if (o.downloadOnly) {
            if (fs.existsSync(target)) throw new Error(`${target} exists: refusing to overwrite it`);
            fs.renameSync(file, target);
            log(`verified snapshot written to ${target}`);
            return { backup: b, target, revision };
        }
        const restored = path.join(scratch, "data");
        const extra: string[] = [];
        if (o.name) extra.push("--name", o.name);
        if (o.initialCluster) extra.push("--initial-cluster", o.initialCluster);
        if (o.initialAdvertisePeerUrls) extra.push("--initial-advertise-peer-urls", o.initialAdvertisePeerUrls);
        if (o.initialClusterToken) extra.push("--initial-cluster-token", o.initialClusterToken);
        await run(etcdutl, ["snapshot", "restore", file, "--data-dir", restored, ...extra]);
        // Re-check just before moving: another process may have written to the target meanwhile.
        checkTarget(target);
        if (fs.existsSync(target)) fs.rmdirSync(target);
        fs.renameSync(restored, target);
        log(`restored into ${target}`);
        return { backup: b, target, revision };
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** What to do on the node after the data directory is restored. */
export function etcdNodeSteps(dataDir: string): string {
    return [
        "Next steps on the control-plane node (one member; for several, restore each with --name/--initial-cluster):",
        "",
        "kubeadm (static pod etcd):",
        "  1. mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests/kube-apiserver.yaml /root/  (stops both)",
        `  2. mv /var/lib/etcd /var/lib/etcd.old && mv ${dataDir} /var/lib/etcd  (or point the manifest's data dir at it)`,
        "  3. move the two manifests back; the kubelet starts etcd, then the API server",
        "  4. kubectl get nodes; restart kubelets, controllers and schedulers if they hold stale watches",
        "",
        "k3s / RKE2 (embedded etcd): they restore from their own snapshot file instead of a data dir:",
        "  systemctl stop k3s   (or rke2-server)",
        "  k3s server --cluster-reset --cluster-reset-restore-path=<the downloaded .db>   (rke2 server ... the same)",
        "  systemctl start k3s  (or rke2-server); other servers: remove their db dir and rejoin",
        "  Use `kube-backup restore etcd --download-only FILE` to get the verified .db for this.",
    ].join("\n");
}
