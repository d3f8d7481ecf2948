// @pulumi/aws is an optional peer dependency: without it the package loads and every other component works, and
// only constructing a BackupBucket fails, with an error that says what to install. The real "not installed"
// case (an npm project without @pulumi/aws) is covered by test/integration/package.test.ts.
import { reset, settle } from "./mocks";
import type * as Kb from "../../../index";

// What resolving @pulumi/aws fails with; a factory that throws leaves nothing in the registry, so every
// require runs it again (and counts).
let mockLoads = 0;
let mockFailure: Error;
jest.mock(
    "@pulumi/aws",
    () => {
        mockLoads++;
        throw mockFailure;
    },
    { virtual: true },
);

function notFound(request: string): Error {
    const e: NodeJS.ErrnoException = new Error(`Cannot find module '${request}' from 'components/bucket.ts'`);
    e.code = "MODULE_NOT_FOUND";
    return e;
}

let kb: typeof Kb;
beforeAll(async () => {
    mockFailure = notFound("@pulumi/aws");
    kb = await import("../../../index");
});
beforeEach(() => {
    reset();
    mockLoads = 0;
    mockFailure = notFound("@pulumi/aws");
});

test("the package loads without @pulumi/aws and does not try to load it", async () => {
    for (const name of ["BackupBucket", "BackupCredentials", "EtcdBackupSchedule", "PvcBackupSchedule", "Backup"]) {
        expect({ name, type: typeof (kb as Record<string, unknown>)[name] }).toEqual({ name, type: "function" });
    }
    expect(mockLoads).toBe(0);
});

test("the Kubernetes components work without @pulumi/aws", async () => {
    const creds = new kb.BackupCredentials("c", {
        namespace: "apps",
        s3: { accessKeyId: "AKIA", secretAccessKey: "s3cr3t" },
    });
    new kb.PvcBackupSchedule("p", {
        namespace: "apps",
        schedule: "0 3 * * *",
        pvcNames: ["data"],
        storage: { bucket: { bucket: "backups", region: "us-east-1" }, credentials: creds },
    });
    const types = (await settle()).map((r) => r.type);
    expect(types).toContain("kube-backup:index:PvcBackupSchedule");
    expect(types).toContain("kubernetes:batch/v1:CronJob");
    expect(types.filter((t) => t.startsWith("aws:"))).toEqual([]);
    expect(mockLoads).toBe(0);
});

test("constructing a BackupBucket says to install the optional peer, and registers nothing", async () => {
    let thrown: Error | undefined;
    try {
        new kb.BackupBucket("bb", { bucketName: "team-backups" });
    } catch (e) {
        thrown = e as Error;
    }
    expect(thrown?.message).toBe(
        "BackupBucket needs the optional peer dependency @pulumi/aws: npm install @pulumi/aws",
    );
    expect(thrown?.cause).toBe(mockFailure); // the resolution failure stays reachable for debugging
    expect(mockLoads).toBe(1);
    expect(await settle()).toEqual([]);
});

test("a broken @pulumi/aws install keeps its own error (a file inside it is missing)", () => {
    mockFailure = notFound("./s3/bucket");
    expect(() => new kb.BackupBucket("bb", {})).toThrow(mockFailure);
    const boom = new TypeError("aws init failed");
    mockFailure = boom;
    expect(() => new kb.BackupBucket("bb", {})).toThrow(boom);
    expect(mockLoads).toBe(2);
});
