// `kube-backup` command line: list the backups stored in a bucket and restore etcd from them. S3 credentials come
// from the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, IRSA, ...), never from
// flags, so they do not show in process listings or shell history.
import * as fs from "fs";
import { parseArgs } from "util";
import { listStoredBackups, StoredBackup, StoredBackupsArgs } from "../components/catalog";
import { etcdNodeSteps, restoreEtcd } from "../components/restore";
import { restorePvc } from "../components/restore-pvc";
import { runBackupNow } from "../components/run";

export interface Io {
    out: (line: string) => void;
    err: (line: string) => void;
}

const USAGE = `usage:
  kube-backup list --bucket B [--prefix P] [--schedule S] [--cluster C] [--claim N] [--json] [S3 options]
  kube-backup restore etcd --bucket B [--prefix P] --schedule S [--cluster C] [--at <RFC 3339>|latest]
                           (--data-dir DIR | --download-only FILE) [--etcdutl PATH] [--rclone PATH]
                           [--name N --initial-cluster C --initial-advertise-peer-urls U] [S3 options]
  kube-backup restore pvc --namespace NS --schedule S --claim C --target-claim T [--at <RFC 3339>|latest]
                          [--overwrite] [--kubeconfig FILE] [--context NAME] [--timeout SECONDS]
  kube-backup run <cronjob> --namespace NS [--timeout SECONDS] [--kubeconfig FILE] [--context NAME]
S3 options: --endpoint URL  --region R  --path-style  --ca-bundle FILE  --insecure-skip-tls-verify
Credentials: the AWS SDK's default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...).
Encrypted backups: KUBE_BACKUP_ENCRYPTION_PASSWORD (and KUBE_BACKUP_ENCRYPTION_SALT); decrypted with rclone.`;

const OPTIONS = {
    bucket: { type: "string" },
    prefix: { type: "string" },
    schedule: { type: "string" },
    cluster: { type: "string" },
    claim: { type: "string" },
    json: { type: "boolean" },
    endpoint: { type: "string" },
    region: { type: "string" },
    "path-style": { type: "boolean" },
    "ca-bundle": { type: "string" },
    "insecure-skip-tls-verify": { type: "boolean" },
    at: { type: "string" },
    "data-dir": { type: "string" },
    "download-only": { type: "string" },
    etcdutl: { type: "string" },
    rclone: { type: "string" },
    name: { type: "string" },
    "initial-cluster": { type: "string" },
    "initial-advertise-peer-urls": { type: "string" },
    "initial-cluster-token": { type: "string" },
    namespace: { type: "string", short: "n" },
    timeout: { type: "string" },
    kubeconfig: { type: "string" },
    context: { type: "string" },
    "poll-ms": { type: "string" },
    "target-claim": { type: "string" },
    overwrite: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

function storeArgs(v: Values): StoredBackupsArgs {
    if (!v.bucket) throw new UsageError("--bucket is required");
    return {
        bucket: v.bucket,
        prefix: v.prefix,
        endpoint: v.endpoint,
        region: v.region,
        forcePathStyle: v["path-style"],
        caBundle: v["ca-bundle"] ? fs.readFileSync(v["ca-bundle"], "utf8") : undefined,
        insecureSkipTlsVerify: v["insecure-skip-tls-verify"],
        schedule: v.schedule,
        cluster: v.cluster,
        claim: v.claim,
    };
}

class UsageError extends Error {}

function table(rows: StoredBackup[]): string[] {
    const head = ["TIME", "STATE", "SIZE", "ENCRYPTION", "REVISION", "CLUSTER-ID", "SHA256", "KEY"];
    const body = rows.map((b) => [
        b.time,
        b.complete ? "complete" : "incomplete",
        String(b.size),
        b.encryption,
        b.etcdRevision !== undefined ? String(b.etcdRevision) : "-",
        b.etcdClusterId ?? "-",
        b.sha256 ? b.sha256.slice(0, 12) : "-",
        b.key,
    ]);
    const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    return [head, ...body].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]))).join("  "));
}

/** Runs the command line; resolves with the exit code (0 ok, 1 refused/failed, 2 usage). */
export async function main(argv: string[], io: Io): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
        io.err(`kube-backup: ${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    const { values: v, positionals: pos } = parsed;
    if (v.help || pos.length === 0) {
        (v.help ? io.out : io.err)(USAGE);
        return v.help ? 0 : 2;
    }
    try {
        if (pos[0] === "list" && pos.length === 1) {
            const rows = await listStoredBackups(storeArgs(v));
            if (v.json) io.out(JSON.stringify(rows, null, 2));
            else if (rows.length === 0) io.out(`no backups under s3://${v.bucket}/${v.prefix ?? ""}`);
            else for (const line of table(rows)) io.out(line);
            return 0;
        }
        if (pos[0] === "restore" && pos[1] === "etcd" && pos.length === 2) {
            if (!v.schedule) throw new UsageError("--schedule is required");
            const r = await restoreEtcd(
                {
                    ...storeArgs(v),
                    schedule: v.schedule,
                    at: v.at,
                    dataDir: v["data-dir"],
                    downloadOnly: v["download-only"],
                    etcdutl: v.etcdutl,
                    rclone: v.rclone,
                    // Secrets from the environment only (never flags: process lists, shell history).
                    encryptionPassword: process.env.KUBE_BACKUP_ENCRYPTION_PASSWORD || undefined,
                    encryptionSalt: process.env.KUBE_BACKUP_ENCRYPTION_SALT || undefined,
                    name: v.name,
                    initialCluster: v["initial-cluster"],
                    initialAdvertisePeerUrls: v["initial-advertise-peer-urls"],
                    initialClusterToken: v["initial-cluster-token"],
                },
                io.out,
            );
            if (v["data-dir"]) io.out(`\n${etcdNodeSteps(r.target)}`);
            return 0;
        }
        const num = (flag: string, val: string | undefined) => {
            if (val === undefined) return undefined;
            if (!/^[1-9][0-9]*$/.test(val)) throw new UsageError(`--${flag} must be a positive integer`);
            return Number(val);
        };
        if (pos[0] === "restore" && pos[1] === "pvc" && pos.length === 2) {
            for (const f of ["namespace", "schedule", "claim", "target-claim"] as const)
                if (!v[f]) throw new UsageError(`--${f} is required`);
            const r = await restorePvc(
                {
                    namespace: v.namespace!,
                    schedule: v.schedule!,
                    claim: v.claim!,
                    targetClaim: v["target-claim"]!,
                    at: v.at,
                    overwrite: v.overwrite,
                    kubeconfig: v.kubeconfig ? fs.readFileSync(v.kubeconfig, "utf8") : undefined,
                    context: v.context,
                    timeoutSeconds: num("timeout", v.timeout),
                    pollMs: num("poll-ms", v["poll-ms"]),
                    storage: {
                        endpoint: v.endpoint,
                        region: v.region,
                        forcePathStyle: v["path-style"],
                        caBundle: v["ca-bundle"] ? fs.readFileSync(v["ca-bundle"], "utf8") : undefined,
                        insecureSkipTlsVerify: v["insecure-skip-tls-verify"],
                    },
                },
                io.out,
            );
            if (r.succeeded) {
                io.out(`job ${r.job} completed: ${r.key} restored into claim ${v["target-claim"]}`);
                return 0;
            }
            io.err(
                `kube-backup: restore job ${v.namespace}/${r.job} failed: ${r.reason ?? "unknown reason"}` +
                    `${r.message ? `: ${r.message}` : ""} (logs: kubectl -n ${v.namespace} logs job/${r.job})`,
            );
            return 1;
        }
        if (pos[0] === "run" && pos.length === 2) {
            if (!v.namespace) throw new UsageError("--namespace is required");
            const r = await runBackupNow(
                {
                    namespace: v.namespace,
                    cronJob: pos[1],
                    kubeconfig: v.kubeconfig ? fs.readFileSync(v.kubeconfig, "utf8") : undefined,
                    context: v.context,
                    timeoutSeconds: num("timeout", v.timeout),
                    pollMs: num("poll-ms", v["poll-ms"]),
                },
                io.out,
            );
            if (r.succeeded) {
                io.out(`job ${r.job} completed`);
                return 0;
            }
            io.err(
                `kube-backup: job ${v.namespace}/${r.job} failed: ${r.reason ?? "unknown reason"}` +
                    `${r.message ? `: ${r.message}` : ""} (logs: kubectl -n ${v.namespace} logs job/${r.job})`,
            );
            return 1;
        }
        throw new UsageError(`unknown command "${pos.join(" ")}"`);
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`kube-backup: ${e.message}\n${USAGE}`);
            return 2;
        }
        io.err(`kube-backup: ${(e as Error).message}`);
        return 1;
    }
}
