// The catalog: what a schedule actually has in its bucket, read from the store itself (the object layout of
// docs/backup-jobs.md), never from Pulumi state. A backup is complete only when its `.sha256` marker exists and
// lists the object, exactly the rule retention applies.
import * as pulumi from "@pulumi/pulumi";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { describeS3Error, S3Access, s3Client } from "./s3client";

export interface StoredBackupsArgs extends S3Access {
    /** Key prefix of the schedule (the schedule's `storage.prefix`, e.g. "prod/etcd"). Default: bucket root. */
    prefix?: string;
    /** Only this schedule's backups (the schedule's resource name). */
    schedule?: string;
    /** Only this cluster's backups (the schedule's `clusterName`, default the stack name). */
    cluster?: string;
    /** PVC schedules: only this claim's backups. */
    claim?: string;
}

export interface StoredBackup {
    /** Object key of the backup. */
    key: string;
    cluster: string;
    schedule: string;
    /** PVC backups: the claim. */
    claim?: string;
    /** When the run started (UTC, from the key, not from the store's clock), RFC 3339. */
    time: string;
    /** The run's 8-hex-digit ID. */
    runId: string;
    /** Object size in bytes as stored (ciphertext when encrypted). */
    size: number;
    /** SHA-256 (hex) of the backup's content as the marker lists it; absent when incomplete. */
    sha256?: string;
    /** The marker `<key>.sha256` exists and lists this object: the backup counts and may be restored. */
    complete: boolean;
    /** "rclone-crypt" when the object is client-side encrypted, else "none". */
    encryption: "none" | "rclone-crypt";
    /** etcd snapshots: the revision and the cluster ID (decimal text) recorded at backup time, when known. */
    etcdRevision?: number;
    etcdClusterId?: string;
    /** etcd snapshots: SHA-256 trailer (hex) recorded at backup time, when known. */
    etcdIntegritySha256?: string;
    /** Companion objects (the etcd `certsDir` archive) listed in the marker. */
    companions: string[];
}

const STAMP = /^(.+)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([0-9a-f]{8})(\.[A-Za-z0-9._-]+)$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CRYPT_MAGIC = Buffer.from("RCLONE\0\0", "latin1");

interface Parsed {
    cluster: string;
    schedule: string;
    claim?: string;
    time: string;
    runId: string;
}

/** Splits a backup object's file name into its identity and time; undefined when it is not a backup name. */
export function parseBackupName(base: string): Parsed | undefined {
    const m = STAMP.exec(base);
    if (!m) return undefined;
    const [, name, y, mo, d, h, mi, s, runId] = m;
    const parts = name.split(".");
    if (parts.length < 2 || !LABEL.test(parts[0]) || !LABEL.test(parts[1])) return undefined;
    const claim = parts.length > 2 ? parts.slice(2).join(".") : undefined;
    return { cluster: parts[0], schedule: parts[1], claim, time: `${y}-${mo}-${d}T${h}:${mi}:${s}Z`, runId };
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await r.Body!.transformToString("utf8")) ?? "";
}

async function startsWithCryptMagic(s3: S3Client, bucket: string, key: string, size: number): Promise<boolean> {
    if (size < CRYPT_MAGIC.length) return false;
    const r = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${CRYPT_MAGIC.length - 1}` }),
    );
    return Buffer.from(await r.Body!.transformToByteArray()).equals(CRYPT_MAGIC);
}

/** Parses a sha256sum-format marker into file name → hex digest. */
export function parseMarker(text: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of text.split("\n")) {
        const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
        if (m) out.set(m[2], m[1]);
    }
    return out;
}

/**
 * Lists the backups stored under a bucket and prefix (optionally of one cluster, schedule and claim), newest
 * first. Reads the store: complete means the marker exists and lists the object. Objects that are not backup
 * names (other tools' files, keys of older versions without a run ID) are not listed.
 */
export async function listStoredBackups(args: StoredBackupsArgs): Promise<StoredBackup[]> {
    if (!args.bucket) throw new Error("listStoredBackups: bucket is required");
    const prefix = (args.prefix ?? "").replace(/^\/+|\/+$/g, "");
    const s3 = s3Client(args);
    try {
        const listPrefix = prefix ? `${prefix}/` : "";
        const objects = new Map<string, number>();
        let token: string | undefined;
        do {
            const page = await s3.send(
                new ListObjectsV2Command({ Bucket: args.bucket, Prefix: listPrefix, ContinuationToken: token }),
            );
            for (const o of page.Contents ?? []) {
                // Only keys directly under the prefix: a deeper key belongs to another (nested) prefix.
                if (o.Key && !o.Key.slice(listPrefix.length).includes("/")) objects.set(o.Key, o.Size ?? 0);
            }
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);

        const out: StoredBackup[] = [];
        for (const [key, size] of objects) {
            if (key.endsWith(".sha256")) continue;
            if (key.endsWith(".extra.tar.gz") && objects.has(key.slice(0, -".extra.tar.gz".length))) continue;
            const base = key.slice(listPrefix.length);
            const p = parseBackupName(base);
            if (!p) continue;
            if (args.schedule !== undefined && p.schedule !== args.schedule) continue;
            if (args.cluster !== undefined && p.cluster !== args.cluster) continue;
            if (args.claim !== undefined && p.claim !== args.claim) continue;
            const b: StoredBackup = { key, ...p, size, complete: false, encryption: "none", companions: [] };
            if (b.claim === undefined) delete b.claim;
            let markerEncryption: string | undefined;
            if (objects.has(`${key}.sha256`)) {
                const listed = parseMarker(await readText(s3, args.bucket, `${key}.sha256`));
                const sha = listed.get(base);
                if (sha) {
                    b.complete = true;
                    b.sha256 = sha;
                    for (const name of listed.keys()) if (name !== base) b.companions.push(listPrefix + name);
                }
                const mh = await s3.send(new HeadObjectCommand({ Bucket: args.bucket, Key: `${key}.sha256` }));
                markerEncryption = mh.Metadata?.["kube-backup-encryption"];
            }
            const head = await s3.send(new HeadObjectCommand({ Bucket: args.bucket, Key: key }));
            const md = head.Metadata ?? {};
            if (md["etcd-revision"] && /^\d+$/.test(md["etcd-revision"])) b.etcdRevision = Number(md["etcd-revision"]);
            if (md["etcd-cluster-id"]) b.etcdClusterId = md["etcd-cluster-id"];
            if (md["etcd-integrity-sha256"]) b.etcdIntegritySha256 = md["etcd-integrity-sha256"];
            // The content tells the truth even when no metadata says so (an rclone crypt file starts with its magic).
            const encrypted =
                markerEncryption === "rclone-crypt" || (await startsWithCryptMagic(s3, args.bucket, key, size));
            b.encryption = encrypted ? "rclone-crypt" : "none";
            out.push(b);
        }
        return out.sort((a, b) => (a.time === b.time ? b.runId.localeCompare(a.runId) : b.time.localeCompare(a.time)));
    } catch (e) {
        throw describeS3Error(e, args.bucket);
    } finally {
        s3.destroy();
    }
}

type Inputs<T> = pulumi.Input<{ [K in keyof T]: pulumi.Input<T[K]> }>;

/**
 * listStoredBackups with Pulumi inputs. Credentials may be secrets; the listing holds none (keys, times, sizes,
 * digests, metadata), so it is not marked secret.
 */
export function listStoredBackupsOutput(args: Inputs<StoredBackupsArgs>): pulumi.Output<StoredBackup[]> {
    return pulumi.unsecret(pulumi.output(args).apply((a) => listStoredBackups(a as StoredBackupsArgs)));
}
