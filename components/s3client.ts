// The one S3 client of the Node-side tools (catalog, restore): built from the same location fields as a schedule's
// `storage.bucket` input, with credentials given explicitly or found by the AWS SDK's default chain (environment,
// shared files, IRSA, instance roles).
import * as https from "https";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";

/** Where the bucket is and how to reach it. */
export interface S3Access {
    bucket: string;
    /** Endpoint URL for non-AWS stores, e.g. "https://minio.example:9000". Default: AWS. */
    endpoint?: string;
    /** Default: AWS_REGION / AWS_DEFAULT_REGION, else "us-east-1". */
    region?: string;
    /** Path-style addressing (bucket in the path), which most MinIO/Ceph setups need. */
    forcePathStyle?: boolean;
    /** PEM CA bundle (the text, not a file name) for endpoints with a private CA. */
    caBundle?: string;
    /** Skip TLS verification of the endpoint. Explicit opt-in only; prefer caBundle. */
    insecureSkipTlsVerify?: boolean;
    /** Access keys; omit to use the SDK's default credential chain. */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** @internal */
export function s3Client(a: S3Access): S3Client {
    const agent =
        a.caBundle || a.insecureSkipTlsVerify
            ? new https.Agent({ ca: a.caBundle, rejectUnauthorized: !a.insecureSkipTlsVerify, keepAlive: true })
            : undefined;
    return new S3Client({
        endpoint: a.endpoint,
        region: a.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
        forcePathStyle: a.forcePathStyle,
        credentials: a.credentials,
        // Several S3-compatible stores reject the SDK's default CRC checksums (the backup script makes the
        // same choice for the aws CLI when an endpoint is set).
        requestChecksumCalculation: a.endpoint ? "WHEN_REQUIRED" : undefined,
        responseChecksumValidation: a.endpoint ? "WHEN_REQUIRED" : undefined,
        requestHandler: agent ? { httpsAgent: agent } : undefined,
        maxAttempts: 3,
    });
}

/** An S3 failure as a sentence naming the cause (never the credentials themselves). */
export function describeS3Error(e: unknown, bucket: string): Error {
    if (e instanceof S3ServiceException) {
        const code = e.name;
        if (["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken"].includes(code))
            return new Error(`S3 refused the credentials for bucket "${bucket}" (${code}): check the access keys`);
        if (code === "NoSuchBucket") return new Error(`S3 bucket "${bucket}" does not exist`);
        return new Error(`S3 request on bucket "${bucket}" failed: ${code}: ${e.message}`);
    }
    const err = e as NodeJS.ErrnoException;
    if (err && err.code) return new Error(`cannot reach the S3 endpoint for bucket "${bucket}": ${err.code}`);
    return e instanceof Error ? e : new Error(String(e));
}
