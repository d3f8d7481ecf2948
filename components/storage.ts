// Where backups go: any S3-compatible store. Resolves a schedule's `storage` input (a BackupBucket or an existing
// bucket, plus credentials) into the environment, volumes and mounts of the backup container. User values reach
// the scripts only as environment variables (see scripts.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CronExpressionParser } from "cron-parser";
import * as v from "./validation";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** A Secret holding S3 access keys (BackupCredentials produces one). Omit to use ambient credentials (IRSA, pod identity). */
export interface S3CredentialsRef {
    secretName: pulumi.Input<string>;
    /** Namespace of the Secret, used to check it matches the schedule's namespace. */
    namespace?: pulumi.Input<string>;
    accessKeyIdKey?: pulumi.Input<string>;
    secretAccessKeyKey?: pulumi.Input<string>;
    /** Optional key holding a session token. */
    sessionTokenKey?: pulumi.Input<string>;
}

/** A PEM CA bundle for S3 endpoints with a private CA: a key of a Secret or a ConfigMap. */
export interface S3CaBundleRef {
    secretName?: pulumi.Input<string>;
    configMapName?: pulumi.Input<string>;
    /** Key in the Secret/ConfigMap. Default "ca.crt". */
    key?: pulumi.Input<string>;
}

/** An existing bucket on any S3-compatible endpoint (AWS, MinIO, Ceph RGW, ...). */
export interface S3Location {
    bucket: pulumi.Input<string>;
    /** Endpoint URL for non-AWS stores, e.g. "https://minio.example:9000". Default: AWS. */
    endpoint?: pulumi.Input<string>;
    region?: pulumi.Input<string>;
    /** Path-style addressing (bucket in the path), which most MinIO/Ceph setups need. Default false. */
    forcePathStyle?: pulumi.Input<boolean>;
    caBundle?: S3CaBundleRef;
    /** Skip TLS verification of the endpoint. Explicit opt-in only; prefer caBundle. Default false. */
    insecureSkipTlsVerify?: pulumi.Input<boolean>;
}

/** Anything that carries an S3Location (a BackupBucket). */
export interface S3LocationSource {
    location: S3Location;
    /** @internal The bucket's lifecycle expiry as given, checked against each schedule's retention window. */
    lifecycleExpirationDays?: pulumi.Input<number>;
}

/** What a schedule's retention spans, to check it against the bucket's expiry. */
export interface RetentionWindow {
    retention: pulumi.Input<number>;
    schedule: pulumi.Input<string>;
    timeZone: pulumi.Input<string>;
}

const MACROS: Record<string, string> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

/** The longest gap between two runs of a schedule over the coming year, in days. */
export function longestGapDays(schedule: string, timeZone: string, from = new Date()): number {
    const it = CronExpressionParser.parse(MACROS[schedule.trim()] ?? schedule, { tz: timeZone, currentDate: from });
    const end = from.getTime() + 400 * 86400_000;
    let prev = it.next().getTime();
    let gap = 0;
    // Bounded: a per-minute schedule never reaches the end date, but its long gaps (if any) come within a day.
    for (let i = 0; i < 5000 && prev < end; i++) {
        const next = it.next().getTime();
        gap = Math.max(gap, next - prev);
        prev = next;
    }
    return gap / 86400_000;
}

/** Anything that carries S3 credentials (a BackupCredentials). */
export interface S3CredentialsSource {
    s3Credentials?: S3CredentialsRef;
    s3CaBundle?: S3CaBundleRef;
}

export interface BackupStorage {
    /** A BackupBucket, or an existing bucket on any S3-compatible endpoint. */
    bucket: S3Location | S3LocationSource;
    /** Key prefix that scopes this schedule's backups and its retention (e.g. "prod-eu1/etcd"). */
    prefix?: pulumi.Input<string>;
    /** A BackupCredentials or a Secret reference. Omit for ambient credentials. */
    credentials?: S3CredentialsRef | S3CredentialsSource;
}

export const CA_MOUNT = "/etc/kube-backup/s3-ca";

/**
 * Client-side encryption of the backup objects with rclone `crypt` (NaCl secretbox, scrypt-derived key): the
 * password, and optionally a salt (rclone's "password2"), are keys of a Secret in the schedule's namespace. Object
 * names stay readable (retention works on them); the contents are unreadable without the password. Restoring
 * needs the same password and salt (docs/backup-jobs.md#encryption).
 */
export interface BackupEncryption {
    secretName: pulumi.Input<string>;
    /** Key holding the password. Default "password". */
    passwordKey?: pulumi.Input<string>;
    /** Key holding the salt (rclone crypt password2). Optional: without it rclone's built-in salt is used. */
    saltKey?: pulumi.Input<string>;
}

const secretKey: v.Rule<string> = (k) =>
    /^[-._a-zA-Z0-9]{1,253}$/.test(k) ? undefined : "must be a Secret data key ([-._a-zA-Z0-9], 1-253 characters)";

/** Validates an `encryption` input and renders the env that hands the password to the job script. */
export function resolveEncryption(val: v.Validator, enc: BackupEncryption | undefined): EnvVar[] {
    if (enc === undefined) return [];
    val.check("encryption", enc, v.plainObject);
    const secretName = val.required("encryption.secretName", enc.secretName, v.dnsSubdomain);
    const passwordKey = val.check("encryption.passwordKey", enc.passwordKey, secretKey) ?? "password";
    const env: EnvVar[] = [
        { name: "BACKUP_ENCRYPTION_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: passwordKey } } },
    ];
    const saltKey = val.check("encryption.saltKey", enc.saltKey, secretKey);
    if (saltKey !== undefined)
        env.push({ name: "BACKUP_ENCRYPTION_SALT", valueFrom: { secretKeyRef: { name: secretName, key: saltKey } } });
    return env;
}

/**
 * The cluster a schedule's backups belong to: the `clusterName` input, else the Pulumi stack name made into a
 * DNS-1123 label (lower case, other characters as "-"). It is part of every object name and of the default
 * prefixes, so two stacks writing to one bucket never see (or prune) each other's backups.
 */
export function resolveClusterName(
    val: v.Validator,
    clusterName: pulumi.Input<string> | undefined,
): pulumi.Input<string> {
    if (clusterName !== undefined) return val.check("clusterName", clusterName, v.dnsLabel())!;
    const stack = pulumi
        .getStack()
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .slice(0, 63)
        .replace(/^-+|-+$/g, "");
    return stack || "default";
}

export interface ResolvedStorage {
    bucket: pulumi.Input<string>;
    prefix: pulumi.Input<string>;
    env: EnvVar[];
    volumes: Volume[];
    mounts: VolumeMount[];
}

function isSource(b: S3Location | S3LocationSource): b is S3LocationSource {
    return typeof (b as S3LocationSource).location === "object" && (b as S3LocationSource).location !== null;
}

function isCredentialsSource(c: S3CredentialsRef | S3CredentialsSource): c is S3CredentialsSource {
    return !("secretName" in c);
}

/** Validates a schedule's storage input and renders it for the backup container. */
export function resolveStorage(
    val: v.Validator,
    storage: BackupStorage | undefined,
    defaultPrefix: pulumi.Input<string>,
    namespace: pulumi.Input<string>,
    window?: RetentionWindow,
): ResolvedStorage {
    if (!storage || !storage.bucket)
        val.fail("storage.bucket", "is required (a BackupBucket or { bucket, endpoint?, ... })", storage);
    const loc = isSource(storage.bucket) ? storage.bucket.location : storage.bucket;
    let bucket = val.required("storage.bucket.bucket", loc.bucket, v.s3BucketName);
    const expiry = isSource(storage.bucket) ? storage.bucket.lifecycleExpirationDays : undefined;
    if (window && expiry !== undefined) {
        // The lifecycle rule counts days since upload; the oldest backup retention keeps is up to
        // retention × the longest gap between runs old (plus a day for the run itself).
        bucket = val.relate(
            "retention",
            [window.retention, window.schedule, window.timeZone, expiry],
            (r: number, sc: string, tz: string, e: number | undefined) => {
                if (e === undefined) return undefined;
                const days = Math.ceil(r * longestGapDays(sc, tz)) + 1;
                return days >= e
                    ? `keeps ${r} backups of a schedule whose runs are up to ${Math.round(longestGapDays(sc, tz) * 10) / 10} days apart (${days} days), but the bucket's "expirationDays" is ${e}: its lifecycle rule would delete backups that retention keeps`
                    : undefined;
            },
            bucket,
        );
    }
    const prefix = val.check("storage.prefix", storage.prefix, v.s3Prefix) ?? defaultPrefix;
    const endpoint = val.check("storage.bucket.endpoint", loc.endpoint, v.httpUrl);
    const region = val.check("storage.bucket.region", loc.region, v.awsRegion);
    const pathStyle = val.check("storage.bucket.forcePathStyle", loc.forcePathStyle, v.isBoolean);
    const insecure = val.check("storage.bucket.insecureSkipTlsVerify", loc.insecureSkipTlsVerify, v.isBoolean);

    let creds: S3CredentialsRef | undefined;
    let ca = loc.caBundle;
    if (storage.credentials) {
        if (isCredentialsSource(storage.credentials)) {
            creds = storage.credentials.s3Credentials;
            ca = ca ?? storage.credentials.s3CaBundle;
            if (!creds)
                val.fail(
                    "storage.credentials",
                    "must be a BackupCredentials created with s3 access keys",
                    "no s3 keys",
                );
        } else {
            creds = storage.credentials;
        }
    }

    const env: EnvVar[] = [
        { name: "BACKUP_BUCKET", value: bucket },
        { name: "BACKUP_PREFIX", value: prefix },
    ];
    if (endpoint !== undefined) env.push({ name: "S3_ENDPOINT_URL", value: endpoint });
    if (region !== undefined)
        env.push({ name: "S3_REGION", value: region }, { name: "AWS_DEFAULT_REGION", value: region });
    if (pathStyle !== undefined)
        env.push({ name: "S3_FORCE_PATH_STYLE", value: pulumi.output(pathStyle).apply((b) => String(b)) });
    if (insecure !== undefined)
        env.push({ name: "S3_INSECURE_SKIP_TLS_VERIFY", value: pulumi.output(insecure).apply((b) => String(b)) });

    if (creds) {
        let secretName = val.required("storage.credentials.secretName", creds.secretName, v.dnsSubdomain);
        if (creds.namespace !== undefined) {
            secretName = val.relate(
                "storage.credentials",
                [creds.namespace, namespace],
                (cn, sn) => (cn !== sn ? `must be a Secret in the schedule's namespace "${sn}"` : undefined),
                secretName,
            );
        }
        const ref = (key: pulumi.Input<string>, optional = false) => ({
            secretKeyRef: { name: secretName, key, optional },
        });
        env.push(
            { name: "AWS_ACCESS_KEY_ID", valueFrom: ref(creds.accessKeyIdKey ?? "AWS_ACCESS_KEY_ID") },
            { name: "AWS_SECRET_ACCESS_KEY", valueFrom: ref(creds.secretAccessKeyKey ?? "AWS_SECRET_ACCESS_KEY") },
        );
        if (creds.sessionTokenKey) env.push({ name: "AWS_SESSION_TOKEN", valueFrom: ref(creds.sessionTokenKey, true) });
    }

    const volumes: Volume[] = [];
    const mounts: VolumeMount[] = [];
    if (ca) {
        if (!!ca.secretName === !!ca.configMapName) {
            val.fail("storage.bucket.caBundle", "must name exactly one of secretName or configMapName", ca);
        }
        const items = [{ key: ca.key ?? "ca.crt", path: "ca.crt" }];
        volumes.push(
            ca.secretName
                ? {
                      name: "s3-ca",
                      secret: {
                          secretName: val.check("storage.bucket.caBundle.secretName", ca.secretName, v.dnsSubdomain)!,
                          items,
                      },
                  }
                : {
                      name: "s3-ca",
                      configMap: {
                          name: val.check("storage.bucket.caBundle.configMapName", ca.configMapName, v.dnsSubdomain)!,
                          items,
                      },
                  },
        );
        mounts.push({ name: "s3-ca", mountPath: CA_MOUNT, readOnly: true });
        env.push({ name: "S3_CA_BUNDLE", value: `${CA_MOUNT}/ca.crt` });
    }
    return { bucket, prefix, env, volumes, mounts };
}

/** The S3 credentials Secret name a storage input refers to, if any. */
export function s3SecretName(storage: BackupStorage): pulumi.Input<string> | undefined {
    const c = storage.credentials;
    if (!c) return undefined;
    return "secretName" in c ? c.secretName : c.s3Credentials?.secretName;
}
