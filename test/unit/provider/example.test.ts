// examples/px-backup-schedule under Pulumi mocks: the stack builds credential, location, policy, cluster and
// schedule from nothing, wired by reference, with the S3 keys and kubeconfig passed as secrets.
import * as pulumi from "@pulumi/pulumi";

// The example depends on the published `kube-backup`; here it is the package source, no build or install needed.
jest.mock("kube-backup", () => jest.requireActual("../../../provider"), { virtual: true });

const registered: pulumi.runtime.MockResourceArgs[] = [];

beforeAll(() => {
    pulumi.runtime.setAllConfig(
        {
            "px-backup-schedule:bucket": "team-backups",
            "px-backup-schedule:namespaces": JSON.stringify(["db", "web"]),
            "px-backup-schedule:secretKey": "example-secret-key",
        },
        ["px-backup-schedule:secretKey"],
    );
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push(args);
                return {
                    id: `default/${args.inputs.name}/uid-${args.name}`,
                    state: { ...args.inputs, uid: `uid-${args.name}` },
                };
            },
            call: () => ({}),
        },
        "px-backup-schedule",
        "test",
        false,
    );
});

test("the example declares the whole chain, wired by name and uid", async () => {
    const stack = await import("../../../examples/px-backup-schedule/index");
    await new Promise<void>((resolve) => stack.scheduleUid.apply(() => resolve()));
    await new Promise((r) => setTimeout(r, 200));
    const byType = Object.fromEntries(registered.map((r) => [r.type.split(":").pop(), r]));
    expect(Object.keys(byType).sort()).toEqual([
        "BackupLocation",
        "BackupSchedule",
        "CloudCredential",
        "Cluster",
        "SchedulePolicy",
    ]);
    expect(byType.BackupLocation.inputs).toMatchObject({
        type: "S3",
        path: "team-backups",
        cloudCredentialRef: { name: "s3-keys", uid: "uid-s3-keys" },
    });
    expect(byType.SchedulePolicy.inputs).toMatchObject({ daily: { time: "2:00AM", retain: 7 } });
    expect(byType.BackupSchedule.inputs).toMatchObject({
        namespaces: ["db", "web"],
        schedulePolicyRef: { name: "nightly", uid: "uid-nightly" },
        backupLocationRef: { name: "s3-backups", uid: "uid-s3-backups" },
        clusterRef: { name: "app-cluster", uid: "uid-app-cluster" },
    });
    // Registered as secrets: the engine receives the secret envelope, not a plain value.
    const SECRET_SIG = "4dabf18193072939515e22adb298388d";
    expect(byType.CloudCredential.inputs.awsConfig).toEqual({
        [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
        value: { accessKey: "minioadmin", secretKey: "example-secret-key" },
    });
    expect(byType.Cluster.inputs.kubeconfig[SECRET_SIG]).toBe("1b47061264138c4ac30d75fd1eb44270");
    for (const r of registered) expect(r.inputs.__provider).not.toContain("example-secret-key");
});
