// Kubernetes Secrets for S3 access keys and etcd client certificates, built from Pulumi secrets. Values are
// wrapped in pulumi.secret before they reach the Secret, and the Secret's data/stringData are marked as secret
// outputs, so state and logs only ever hold ciphertext.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { X509Certificate } from "crypto";
import { S3CaBundleRef, S3CredentialsRef } from "./storage";
import * as v from "./validation";

export interface S3AccessKeys {
    /** S3 access key id. @secret */
    accessKeyId: pulumi.Input<string>;
    /** S3 secret access key. @secret */
    secretAccessKey: pulumi.Input<string>;
    /** Temporary-credentials session token. @secret */
    sessionToken?: pulumi.Input<string>;
    /** PEM CA bundle for an endpoint with a private CA (stored in the same Secret under "ca.crt"). */
    caBundle?: pulumi.Input<string>;
}

export interface EtcdClientCertificates {
    /** PEM of the etcd CA (e.g. /etc/kubernetes/pki/etcd/ca.crt). */
    caCrt: pulumi.Input<string>;
    /** PEM client certificate the etcd server accepts (e.g. apiserver-etcd-client.crt). */
    clientCrt: pulumi.Input<string>;
    /** PEM private key of that client certificate (e.g. apiserver-etcd-client.key). @secret */
    clientKey: pulumi.Input<string>;
}

/** An existing Secret with etcd client certificates. */
export interface EtcdClientSecretRef {
    secretName: pulumi.Input<string>;
    namespace?: pulumi.Input<string>;
    /** Keys in the Secret. Defaults "ca.crt", "client.crt", "client.key". */
    caKey?: pulumi.Input<string>;
    certKey?: pulumi.Input<string>;
    keyKey?: pulumi.Input<string>;
}

export interface BackupCredentialsArgs {
    /** Namespace of the Secrets (the schedules that use them must run there). */
    namespace: pulumi.Input<string>;
    s3?: S3AccessKeys;
    etcd?: EtcdClientCertificates;
    labels?: pulumi.Input<Record<string, string>>;
}

const SECRET_OUTPUTS = ["data", "stringData"];

/**
 * Kubernetes Secrets for S3 access keys and etcd client certificates, built from Pulumi secrets; outputs the
 * Secret references that EtcdBackupSchedule and PvcBackupSchedule take.
 */
export class BackupCredentials extends pulumi.ComponentResource {
    /** Reference to the S3 Secret (keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY[, AWS_SESSION_TOKEN]). */
    readonly s3Credentials?: S3CredentialsRef;
    /** Reference to the CA bundle stored with the S3 keys, when one was given. */
    readonly s3CaBundle?: S3CaBundleRef;
    /** Reference to the etcd client certificate Secret (keys ca.crt, client.crt, client.key). */
    readonly etcdClientSecret?: EtcdClientSecretRef;
    readonly s3SecretName?: pulumi.Output<string>;
    readonly etcdSecretName?: pulumi.Output<string>;
    /** Expiry (ISO 8601, UTC) of the etcd client certificate: renew the Secret before then. Not secret. */
    readonly etcdClientCertificateExpiry?: pulumi.Output<string>;

    constructor(name: string, args: BackupCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-backup:index:BackupCredentials", name, {}, opts);
        const val: v.Validator = new v.Validator(`BackupCredentials "${name}"`);
        val.check("name", name, v.dnsLabel(56));
        const namespace = val.required("namespace", args.namespace, v.dnsLabel());
        if (!args.s3 && !args.etcd) val.fail("s3", "or etcd must be given (nothing to store)", undefined);
        const labels = pulumi.output(val.check("labels", args.labels, v.labelMap) ?? {}).apply((l) => ({
            ...l,
            "app.kubernetes.io/name": "kube-backup",
        }));
        const secretOpts: pulumi.CustomResourceOptions = { parent: this, additionalSecretOutputs: SECRET_OUTPUTS };

        if (args.s3) {
            const stringData: Record<string, pulumi.Input<string>> = {
                AWS_ACCESS_KEY_ID: pulumi.secret(val.secret("s3.accessKeyId", args.s3.accessKeyId, v.nonEmptyString)),
                AWS_SECRET_ACCESS_KEY: pulumi.secret(
                    val.secret("s3.secretAccessKey", args.s3.secretAccessKey, v.nonEmptyString),
                ),
            };
            if (args.s3.sessionToken !== undefined) stringData.AWS_SESSION_TOKEN = pulumi.secret(args.s3.sessionToken);
            if (args.s3.caBundle !== undefined) stringData["ca.crt"] = pulumi.secret(args.s3.caBundle);
            const secret = new k8s.core.v1.Secret(
                `${name}-s3`,
                { metadata: { name: `${name}-s3`, namespace, labels }, type: "Opaque", stringData },
                secretOpts,
            );
            this.s3SecretName = secret.metadata.name;
            this.s3Credentials = {
                secretName: secret.metadata.name,
                namespace: secret.metadata.namespace,
                accessKeyIdKey: "AWS_ACCESS_KEY_ID",
                secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY",
                sessionTokenKey: args.s3.sessionToken !== undefined ? "AWS_SESSION_TOKEN" : undefined,
            };
            if (args.s3.caBundle !== undefined) this.s3CaBundle = { secretName: secret.metadata.name, key: "ca.crt" };
        }

        if (args.etcd) {
            const clientCrt = val.secret("etcd.clientCrt", args.etcd.clientCrt, v.nonEmptyString, v.pemCertificate);
            const secret = new k8s.core.v1.Secret(
                `${name}-etcd`,
                {
                    metadata: { name: `${name}-etcd`, namespace, labels },
                    type: "Opaque",
                    stringData: {
                        "ca.crt": pulumi.secret(val.secret("etcd.caCrt", args.etcd.caCrt, v.nonEmptyString)),
                        "client.crt": pulumi.secret(clientCrt),
                        "client.key": pulumi.secret(
                            val.secret("etcd.clientKey", args.etcd.clientKey, v.nonEmptyString),
                        ),
                    },
                },
                secretOpts,
            );
            this.etcdSecretName = secret.metadata.name;
            this.etcdClientSecret = { secretName: secret.metadata.name, namespace: secret.metadata.namespace };
            // A certificate's expiry is public information: only the date leaves the secret, never the key.
            this.etcdClientCertificateExpiry = pulumi.unsecret(
                pulumi.output(clientCrt).apply((pem) => new Date(new X509Certificate(pem).validTo).toISOString()),
            );
        }

        this.registerOutputs({
            s3SecretName: this.s3SecretName,
            etcdSecretName: this.etcdSecretName,
            etcdClientCertificateExpiry: this.etcdClientCertificateExpiry,
        });
    }
}
