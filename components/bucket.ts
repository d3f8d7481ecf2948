// An S3 bucket made for backups: private, encrypted, TLS-only, versioned (a pruning credential deletes current
// versions only; noncurrent ones stay for noncurrentVersionExpirationDays as an undo), with lifecycle rules that
// clean up failed multipart uploads and expired delete markers. Age-based expiry of current objects is off unless
// asked for: it is never the retention (the schedules' count-based prune keeps the newest N), and after a long
// run of failures it would remove the last good backup. Schedules that use a bucket with expiry check their
// retention window against it. With an endpoint (an S3-compatible store behind an aws provider pointed at it),
// the AWS-only resources (public access block, default encryption, bucket policy) are skipped.
import type * as Aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { S3Location } from "./storage";
import * as v from "./validation";

// @pulumi/aws is an optional peer dependency: only BackupBucket needs it, so it is loaded on first construction
// and the rest of the package works (and type-checks: no aws type appears in the public typings) without it.
function loadAws(): typeof Aws {
    try {
        return require("@pulumi/aws");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        // Only the package itself missing; a broken install (a missing file inside it) keeps its own error.
        if (err?.code === "MODULE_NOT_FOUND" && /['"]@pulumi\/aws['"]/.test(String(err.message)))
            throw new Error("BackupBucket needs the optional peer dependency @pulumi/aws: npm install @pulumi/aws", {
                cause: e,
            });
        throw e;
    }
}

type LifecycleArgs = NonNullable<ConstructorParameters<typeof Aws.s3.BucketLifecycleConfiguration>[1]>;

export interface BackupBucketArgs {
    /** Exact bucket name. Default: auto-named from the resource name. */
    bucketName?: pulumi.Input<string>;
    /** Region (default: the provider's). */
    region?: pulumi.Input<string>;
    /** "AES256" (SSE-S3, default) or "aws:kms" with kmsKeyId. */
    encryption?: pulumi.Input<"AES256" | "aws:kms">;
    kmsKeyId?: pulumi.Input<string>;
    /**
     * Keep object versions, so deletes (the schedules' prune) can be undone for noncurrentVersionExpirationDays.
     * Default true. false creates no versioning configuration at all.
     */
    versioning?: pulumi.Input<boolean>;
    /**
     * Expiry of current objects, in days. Default: none. When set, every schedule using this bucket checks that it
     * exceeds its retention × the longest gap between its runs.
     */
    expirationDays?: pulumi.Input<number>;
    /** Noncurrent versions expire after this many days (versioned buckets); expired delete markers are removed. Default 30. */
    noncurrentVersionExpirationDays?: pulumi.Input<number>;
    /** Abort multipart uploads left by failed runs after this many days. Default 3. */
    abortIncompleteMultipartUploadDays?: pulumi.Input<number>;
    /** Write-once protection: default retention for new objects (forces versioning). */
    objectLock?: { mode: pulumi.Input<"GOVERNANCE" | "COMPLIANCE">; days: pulumi.Input<number> };
    /** Allow `pulumi destroy` to delete a non-empty bucket. Default false. */
    forceDestroy?: pulumi.Input<boolean>;
    tags?: pulumi.Input<Record<string, string>>;
    /**
     * For S3-compatible stores managed through an aws provider pointed at them: the endpoint, path-style and CA
     * settings the backup jobs should use to reach this bucket. AWS-only resources (public access block, default
     * encryption, bucket policy) are skipped; encryption and kmsKeyId must not be set.
     */
    endpoint?: pulumi.Input<string>;
    forcePathStyle?: pulumi.Input<boolean>;
    /** Key prefixes the backup jobs write (their storage.prefix): accessPolicyDocument grants exactly these. */
    accessPrefixes?: pulumi.Input<string>[];
}

/**
 * An S3 bucket for backups: public access blocked, SSE-S3 or KMS encryption, optional versioning and object lock,
 * age-based lifecycle expiry as a second line of defence, abort of incomplete multipart uploads, TLS-only policy.
 */
export class BackupBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    /** What the schedules need to reach this bucket (pass the BackupBucket itself as `storage.bucket`). */
    readonly location: S3Location;
    /** The lifecycle expiry of current objects, if any (schedules check their retention against it). */
    readonly expirationDays: pulumi.Output<number | undefined>;
    /** @internal The expiry as given (a plain value is checked against schedules at preview). */
    readonly lifecycleExpirationDays?: pulumi.Input<number>;
    /**
     * Least-privilege IAM policy (JSON) for the jobs' credential: list, get, put, delete (and abort uploads) under
     * accessPrefixes only; no version deletes, so pruned backups stay recoverable. Undefined without accessPrefixes.
     */
    readonly accessPolicyDocument: pulumi.Output<string | undefined>;

    constructor(name: string, args: BackupBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const aws = loadAws();
        super("kube-backup:index:BackupBucket", name, {}, opts);
        const val: v.Validator = new v.Validator(`BackupBucket "${name}"`);
        const bucketName = val.check("bucketName", args.bucketName, v.s3BucketName);
        const region = val.check("region", args.region, v.awsRegion);
        const encryption = val.check("encryption", args.encryption, v.oneOf("AES256", "aws:kms")) ?? "AES256";
        const s3Compatible = args.endpoint !== undefined;
        for (const [prop, given] of [
            ["encryption", args.encryption],
            ["kmsKeyId", args.kmsKeyId],
        ] as const)
            if (s3Compatible && given !== undefined)
                val.fail(
                    prop,
                    'must not be set together with "endpoint" (S3-compatible stores configure encryption themselves; the AWS default-encryption resource is skipped)',
                    given,
                );
        const prefixes = args.accessPrefixes;
        if (prefixes !== undefined) {
            if (pulumi.Output.isInstance(prefixes) || !Array.isArray(prefixes))
                val.fail("accessPrefixes", "must be a plain list of key prefixes", prefixes);
            val.check("accessPrefixes", prefixes, v.nonEmptyArray, v.uniqueItems);
            prefixes.forEach((x, i) => val.check(`accessPrefixes[${i}]`, x, v.s3Prefix));
        }
        const kmsKeyId = val.check("kmsKeyId", args.kmsKeyId, v.kmsKeyId);
        const expirationDays = val.check("expirationDays", args.expirationDays, v.integerIn(7, 36500));
        const noncurrentDays =
            val.check("noncurrentVersionExpirationDays", args.noncurrentVersionExpirationDays, v.integerIn(1, 36500)) ??
            30;
        const abortDays =
            val.check(
                "abortIncompleteMultipartUploadDays",
                args.abortIncompleteMultipartUploadDays,
                v.integerIn(1, 365),
            ) ?? 3;
        const endpoint = val.check("endpoint", args.endpoint, v.httpUrl);
        const forcePathStyle = val.check("forcePathStyle", args.forcePathStyle, v.isBoolean);
        const versioningOn = val.check("versioning", args.versioning, v.isBoolean);
        const forceDestroy = val.check("forceDestroy", args.forceDestroy, v.isBoolean) ?? false;
        let lock: { mode: pulumi.Input<string>; days: pulumi.Input<number> } | undefined;
        if (args.objectLock) {
            lock = {
                mode: val.required("objectLock.mode", args.objectLock.mode, v.oneOf("GOVERNANCE", "COMPLIANCE")),
                days: val.required("objectLock.days", args.objectLock.days, v.integerIn(1, 36500)),
            };
            if (args.versioning === false)
                val.fail(
                    "versioning",
                    "must not be false when objectLock is set (object lock needs versioning)",
                    false,
                );
        }
        const kmsChecked = val.relate(
            "kmsKeyId",
            [encryption, kmsKeyId],
            (e, k) =>
                e === "aws:kms" && !k
                    ? 'is required when encryption is "aws:kms"'
                    : e !== "aws:kms" && k
                      ? 'must only be set when encryption is "aws:kms"'
                      : undefined,
            kmsKeyId,
        );

        const p = { parent: this };
        const versioned = lock ? true : (versioningOn ?? true);
        const bucket = new aws.s3.Bucket(
            name,
            {
                bucket: bucketName,
                bucketPrefix: bucketName === undefined ? `${name.slice(0, 30)}-` : undefined,
                region,
                forceDestroy,
                objectLockEnabled: lock ? true : undefined,
                tags: args.tags,
            },
            p,
        );
        const common = { bucket: bucket.bucket, region };

        const publicAccess = s3Compatible
            ? undefined
            : new aws.s3.BucketPublicAccessBlock(
                  `${name}-public-access`,
                  {
                      ...common,
                      blockPublicAcls: true,
                      blockPublicPolicy: true,
                      ignorePublicAcls: true,
                      restrictPublicBuckets: true,
                  },
                  p,
              );
        if (!s3Compatible)
            new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-encryption`,
                {
                    ...common,
                    rules: [
                        {
                            applyServerSideEncryptionByDefault: {
                                sseAlgorithm: encryption,
                                // Older @pulumi/aws 7.x types want Input<string>; an unset key is simply not sent.
                                kmsMasterKeyId: kmsChecked as pulumi.Input<string> | undefined,
                            },
                            bucketKeyEnabled: pulumi.output(encryption).apply((e) => e === "aws:kms"),
                        },
                    ],
                },
                p,
            );
        // An unversioned bucket gets no versioning configuration: "Suspended" would only matter for a bucket that
        // was versioned before.
        const versioning = pulumi.output(versioned).apply((on) => on);
        const versioningResource =
            typeof versioned === "boolean" && !versioned
                ? undefined
                : new aws.s3.BucketVersioning(
                      `${name}-versioning`,
                      {
                          ...common,
                          versioningConfiguration: {
                              status: versioning.apply((on) => (on ? "Enabled" : "Suspended")),
                          },
                      },
                      p,
                  );
        const rules = pulumi.all([expirationDays, versioning]).apply(([days, on]) => [
            {
                id: "abort-incomplete-multipart-uploads",
                status: "Enabled",
                filter: {},
                abortIncompleteMultipartUpload: { daysAfterInitiation: abortDays },
            },
            ...(days === undefined
                ? []
                : [{ id: "current-version-expiration", status: "Enabled", filter: {}, expiration: { days } }]),
            ...(on
                ? [
                      {
                          id: "noncurrent-version-expiration",
                          status: "Enabled",
                          filter: {},
                          noncurrentVersionExpiration: { noncurrentDays },
                      },
                      {
                          id: "expired-delete-markers",
                          status: "Enabled",
                          filter: {},
                          expiration: { expiredObjectDeleteMarker: true },
                      },
                  ]
                : []),
        ]);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            { ...common, rules: rules as LifecycleArgs["rules"] },
            { parent: this, dependsOn: versioningResource ? [versioningResource] : [] },
        );
        if (!s3Compatible)
            new aws.s3.BucketPolicy(
                `${name}-tls-only`,
                {
                    ...common,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "DenyInsecureTransport",
                                Effect: "Deny",
                                Principal: "*",
                                Action: "s3:*",
                                Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                                Condition: { Bool: { "aws:SecureTransport": "false" } },
                            },
                        ],
                    }),
                },
                { parent: this, dependsOn: publicAccess ? [publicAccess] : [] },
            );
        if (lock) {
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-object-lock`,
                {
                    ...common,
                    objectLockEnabled: "Enabled",
                    rule: { defaultRetention: { mode: lock.mode, days: lock.days } },
                },
                { parent: this, dependsOn: versioningResource ? [versioningResource] : [] },
            );
        }

        this.bucketName = bucket.bucket;
        this.arn = bucket.arn;
        this.region = bucket.region;
        this.location = { bucket: bucket.bucket, region: bucket.region, endpoint, forcePathStyle };
        this.expirationDays = pulumi.output(expirationDays);
        this.lifecycleExpirationDays = expirationDays;
        this.accessPolicyDocument =
            prefixes === undefined
                ? pulumi.output(undefined)
                : pulumi
                      .all([bucket.arn, pulumi.all(prefixes), kmsChecked])
                      .apply(([arn, ps, kms]) => JSON.stringify(accessPolicy(arn, ps, kms)));
        this.registerOutputs({
            bucketName: this.bucketName,
            arn: this.arn,
            region: this.region,
            expirationDays: this.expirationDays,
            accessPolicyDocument: this.accessPolicyDocument,
        });
    }
}

/** List, get, put, delete and abort uploads under the given prefixes; no version operations, nothing else. */
function accessPolicy(arn: string, prefixes: string[], kmsKeyId: string | undefined) {
    const statements: object[] = [
        {
            Sid: "ListBackupPrefixes",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: arn,
            Condition: { StringLike: { "s3:prefix": prefixes.map((x) => `${x}/*`) } },
        },
        {
            Sid: "ReadWriteBackupObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            Resource: prefixes.map((x) => `${arn}/${x}/*`),
        },
    ];
    if (kmsKeyId)
        statements.push({
            Sid: "UseBucketKmsKey",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: kmsKeyId,
        });
    return { Version: "2012-10-17", Statement: statements };
}
