// The catalog: what a schedule actually has in its bucket, read from the store itself (the object layout of
// docs/backup-jobs.md), never from Pulumi state. A backup is complete only when its `.sha256` marker exists and
// lists the object, exactly the rule retention applies.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { KubeAccess, KubeError, kubeClient } from "./kube";
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

export interface StoredSnapshotsArgs extends KubeAccess {
    /** Namespace of the schedule (and of its claims and VolumeSnapshots). */
    namespace: string;
    /** The schedule's resource name (the PvcBackupSchedule with strategy "snapshot"). */
    schedule: string;
    /** Only this claim's snapshots. */
    claim?: string;
}

export interface StoredSnapshot {
    /** VolumeSnapshot name. */
    name: string;
    namespace: string;
    schedule: string;
    /** The claim it was taken of. */
    claim: string;
    /** When the run made it (UTC, from its name), RFC 3339. */
    time: string;
    /** status.readyToUse: the snapshot counts (retention keeps N of these) and may be restored. */
    complete: boolean;
    /** status.restoreSize (a quantity such as "10Gi"), when the driver reports it. */
    restoreSize?: string;
    /** status.boundVolumeSnapshotContentName, when bound. */
    contentName?: string;
    /** status.error.message, when the snapshotter reports one. */
    error?: string;
}

const L_SCHEDULE = "backup.kube-backup.io/schedule";
const L_PVC = "backup.kube-backup.io/pvc";
const A_PVC_NAME = "backup.kube-backup.io/pvc-name";

/** The claim's label value as the snapshot job writes it: the name, or "sha256-" + 40 hex digits when longer than 63. */
export function claimKey(claim: string): string {
    return claim.length <= 63
        ? claim
        : `sha256-${crypto.createHash("sha256").update(claim).digest("hex").slice(0, 40)}`;
}

interface VolumeSnapshot {
    metadata: {
        name: string;
        namespace: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    spec?: { source?: { persistentVolumeClaimName?: string } };
    status?: {
        readyToUse?: boolean;
        restoreSize?: string;
        boundVolumeSnapshotContentName?: string;
        error?: { message?: string };
    };
}

/**
 * Lists the VolumeSnapshots a snapshot-strategy schedule made (by its labels, in its namespace), newest first.
 * Complete means readyToUse, the rule retention applies. Reads the cluster, never Pulumi state.
 */
export async function listStoredSnapshots(args: StoredSnapshotsArgs): Promise<StoredSnapshot[]> {
    if (!args.namespace) throw new Error("listStoredSnapshots: namespace is required");
    if (!args.schedule) throw new Error("listStoredSnapshots: schedule is required");
    let selector = `${L_SCHEDULE}=${args.schedule}`;
    if (args.claim !== undefined) selector += `,${L_PVC}=${claimKey(args.claim)}`;
    const kube = kubeClient(args);
    let list: { items?: VolumeSnapshot[] };
    try {
        list = await kube.get(
            `/apis/snapshot.storage.k8s.io/v1/namespaces/${encodeURIComponent(args.namespace)}/volumesnapshots` +
                `?labelSelector=${encodeURIComponent(selector)}`,
        );
    } catch (e) {
        if (e instanceof KubeError && e.status === 404)
            throw new Error(
                "listStoredSnapshots: the cluster has no VolumeSnapshot API (snapshot.storage.k8s.io/v1): install the CSI snapshot CRDs",
                { cause: e },
            );
        throw e;
    }
    const out: StoredSnapshot[] = [];
    for (const s of list.items ?? []) {
        const key = s.metadata.labels?.[L_PVC] ?? "";
        const m = /-(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z$/.exec(s.metadata.name);
        if (!m || !s.metadata.name.startsWith(`${args.schedule}-${key}-`)) continue;
        const [, y, mo, d, h, mi, sec] = m;
        const snap: StoredSnapshot = {
            name: s.metadata.name,
            namespace: s.metadata.namespace,
            schedule: args.schedule,
            claim: s.metadata.annotations?.[A_PVC_NAME] ?? s.spec?.source?.persistentVolumeClaimName ?? key,
            time: `${y}-${mo}-${d}T${h}:${mi}:${sec}Z`,
            complete: s.status?.readyToUse === true,
        };
        if (s.status?.restoreSize) snap.restoreSize = s.status.restoreSize;
        if (s.status?.boundVolumeSnapshotContentName) snap.contentName = s.status.boundVolumeSnapshotContentName;
        if (s.status?.error?.message) snap.error = s.status.error.message;
        out.push(snap);
    }
    return out.sort((a, b) => (a.time === b.time ? a.name.localeCompare(b.name) : b.time.localeCompare(a.time)));
}

/** listStoredSnapshots with Pulumi inputs; the kubeconfig may be a secret, the listing holds none. */
export function listStoredSnapshotsOutput(args: Inputs<StoredSnapshotsArgs>): pulumi.Output<StoredSnapshot[]> {
    return pulumi.unsecret(pulumi.output(args).apply((a) => listStoredSnapshots(a as StoredSnapshotsArgs)));
}
