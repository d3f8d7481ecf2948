// Resource registration under Pulumi mocks: type tokens, seeded outputs, secrets, and the serialized
// dynamic provider (small, no token, loads the runtime module by package name).
import * as pulumi from "@pulumi/pulumi";

const TOKEN = "tok-3f9c1e7a-unit-secret-value";
const registered: pulumi.runtime.MockResourceArgs[] = [];

beforeAll(() => {
    process.env.PXBACKUP_TOKEN = TOKEN;
    process.env.PXBACKUP_API_URL = "http://127.0.0.1:1";
    pulumi.runtime.setAllConfig({ "kube-backup:token": TOKEN, "kube-backup:url": "http://127.0.0.1:1" }, [
        "kube-backup:token",
    ]);
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push(args);
                return { id: `default/${args.inputs.name}/uid-1`, state: { ...args.inputs, uid: "uid-1" } };
            },
            call: () => ({}),
        },
        "kube-backup-unit",
        "test",
        false,
    );
});

afterAll(() => {
    delete process.env.PXBACKUP_TOKEN;
    delete process.env.PXBACKUP_API_URL;
});

const outputOf = <T>(o: pulumi.Output<T>) =>
    new Promise<T>((resolve) =>
        o.apply((v) => {
            resolve(v);
            return v;
        }),
    );

describe("PX-Backup resources under mocks", () => {
    let px: typeof import("../../../provider");
    beforeAll(async () => {
        px = await import("../../../provider");
    });

    afterAll(async () => {
        // Let every pending registration (provider serialization) finish before jest tears down.
        await new Promise((r) => setTimeout(r, 500));
    });

    test("registers every kind with a kube-backup type token, defaults name, seeds outputs", async () => {
        const cred = new px.CloudCredential("creds", {
            type: "AWS",
            awsConfig: { accessKey: "AKIAUNIT", secretKey: "unit-secret-key" },
        });
        const loc = new px.BackupLocation("loc", {
            type: "S3",
            path: "bucket",
            cloudCredentialRef: cred.ref,
            s3Config: { region: "us-east-1" },
        });
        const pol = new px.SchedulePolicy("nightly", { daily: { time: "2:00AM", retain: 7 } });
        const cl = new px.Cluster("app", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
        const sched = new px.BackupSchedule("sched", {
            schedulePolicyRef: pol.ref,
            backupLocationRef: loc.ref,
            clusterRef: cl.ref,
            namespaces: ["default"],
            suspend: true,
        });
        new px.Rule("rule", { rules: [{ podSelector: { app: "db" }, actions: [{ value: "sync" }] }] });
        new px.Backup("once", { backupLocationRef: loc.ref, clusterRef: cl.ref, namespaces: ["default"] });
        expect(await outputOf(sched.uid)).toBe("uid-1");
        expect(await outputOf(sched.name)).toBe("sched");
        expect(await outputOf(sched.ref)).toEqual({ name: "sched", uid: "uid-1" });
        const types = registered.map((r) => r.type).sort();
        expect(types).toEqual([
            "pulumi-nodejs:dynamic/kube-backup:Backup",
            "pulumi-nodejs:dynamic/kube-backup:BackupLocation",
            "pulumi-nodejs:dynamic/kube-backup:BackupSchedule",
            "pulumi-nodejs:dynamic/kube-backup:CloudCredential",
            "pulumi-nodejs:dynamic/kube-backup:Cluster",
            "pulumi-nodejs:dynamic/kube-backup:Rule",
            "pulumi-nodejs:dynamic/kube-backup:SchedulePolicy",
        ]);
        const s = registered.find((r) => r.type.endsWith(":BackupSchedule"))!;
        // Outputs are seeded (registered as output properties) so the engine reports them back; a `declare`d
        // property that was not seeded would stay undefined on the object.
        for (const k of ["uid", "status", "backupStatuses", "suspendedBy", "createTime", "lastUpdateTime"]) {
            expect(pulumi.Output.isInstance((sched as any)[k])).toBe(true);
        }
        expect(await outputOf(sched.status)).toBeUndefined();
        expect(s.inputs.schedulePolicyRef).toEqual({ name: "nightly", uid: "uid-1" });
        expect(s.inputs.suspend).toBe(true);
    });

    test("serialized provider is small, holds no token and requires the runtime module by package name", () => {
        expect(registered.length).toBeGreaterThanOrEqual(7);
        for (const r of registered) {
            const text = r.inputs.__provider as string;
            expect(typeof text).toBe("string");
            expect(Buffer.byteLength(text)).toBeLessThan(4096);
            expect(text).not.toContain(TOKEN);
            expect(text).toContain('programRequire("kube-backup/provider/runtime")');
            // No code of ours is inlined: the machinery lives in the required module.
            expect(text).not.toContain("mergeForWrite");
            expect(text).not.toContain("axios");
        }
    });

    test("secret inputs are wrapped as secrets before registration", async () => {
        const c = new px.CloudCredential("creds2", { type: "AWS", awsConfig: { accessKey: "A", secretKey: "S" } });
        const k = new px.Cluster("cl2", { kubeconfig: "apiVersion: v1" });
        const p = new px.SchedulePolicy("p2", { interval: { minutes: 15 } });
        expect(await pulumi.isSecret((c as any).awsConfig)).toBe(true);
        expect(await pulumi.isSecret((k as any).kubeconfig)).toBe(true);
        expect(await pulumi.isSecret((p as any).interval)).toBe(false);
        await outputOf(c.urn);
        await outputOf(k.urn);
        await outputOf(p.urn);
    });

    test.each([
        ["Azure", { azureConfig: { accountName: "acct", accountKey: "az-unit-key" } }],
        ["Google", { googleConfig: { projectId: "p", jsonKey: '{"private_key":"gk-unit"}' } }],
        ["IBM", { ibmConfig: { apiKey: "ibm-unit-key" } }],
        ["Rancher", { rancherConfig: { endpoint: "https://rancher.example", token: "rch-unit-token" } }],
    ] as const)("%s credential block is a secret input and its hash a secret output", async (type, block) => {
        const c = new px.CloudCredential(`cred-${type}`, { type, ...block });
        const key = Object.keys(block)[0];
        expect(await pulumi.isSecret((c as any)[key])).toBe(true);
        await outputOf(c.urn);
        const reg = registered.find((r) => r.name === `cred-${type}`)!;
        expect(reg.inputs[key]).toBeDefined();
    });
});
