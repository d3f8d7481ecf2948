// The schedule as a native resource of the kube-backup provider plugin (what a YAML, Python or Go program
// declares), not the TypeScript dynamic resource: its token is kube-backup:index:BackupSchedule and the default
// provider takes kube-backup:url and kube-backup:token from the stack config.
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const schedule = new pulumi.CustomResource("kube-backup:index:BackupSchedule", "nightly", {
    name: "nightly",
    schedulePolicyRef: { name: "t-policy" },
    backupLocationRef: { name: "t-loc" },
    clusterRef: { name: "t-cluster" },
    namespaces: ["app"],
    // Set to a bad value by a test to see the preview-time error.
    reclaimPolicy: config.get("reclaimPolicy") ?? "Delete",
    backupType: "Normal",
    includeResources: [{ name: "cfg", namespace: "app", kind: "ConfigMap", version: "v1" }],
    labelSelectors: { tier: "db" },
    parallelBackup: true,
    labels: { team: "platform" },
});

export const id = schedule.id;
