// BackupCredentials as a remote component: the engine asks the kube-backup plugin to construct it (the path
// every non-TypeScript program takes), with this program's Kubernetes provider passed along.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const provider = new k8s.Provider(
    "local",
    { kubeconfig: config.requireSecret("kubeconfig") },
    { version: config.get("kubernetesProviderVersion") },
);

const creds = new pulumi.ComponentResource(
    "kube-backup:index:BackupCredentials",
    "creds",
    {
        namespace: config.get("namespace") ?? "default",
        s3: { accessKeyId: config.requireSecret("accessKey"), secretAccessKey: config.requireSecret("secretKey") },
        // Outputs the engine fills in from the construct response.
        s3SecretName: undefined,
    },
    { providers: { kubernetes: provider } },
    true,
) as pulumi.ComponentResource & { s3SecretName: pulumi.Output<string> };

export const s3SecretName = creds.s3SecretName;
