// The basics every other e2e test relies on, through the real CLI: a directory program runs, the dynamic
// provider host is found and resolves `kube-backup` from the program directory (as in a consumer's project),
// a second preview is empty, secret config is encrypted in state, and destroy empties the stack.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import {
    E2eStack,
    auditBackend,
    changes,
    countCiphertexts,
    createE2eStack,
    findPlaintextSecrets,
    preview,
    pulumiVersion,
    repoRoot,
    stateFile,
    stateResources,
    unmarkedSecrets,
    up,
} from "../../tools/engine/stack";

jest.setTimeout(300_000);

const SECRET = "probe-secret-value-8c1f0e6a";
let e2e: E2eStack;

beforeAll(async () => {
    e2e = await createE2eStack({
        program: "engine",
        config: { label: { value: "first" }, probeSecret: { value: SECRET, secret: true } },
    });
});

afterAll(async () => {
    await e2e?.dispose();
});

test("the built CLI is the version of the SDK", async () => {
    const version = await e2e.stack.workspace.pulumiVersion;
    expect(version).toBe(pulumiVersion);
});

test("preview plans the stack and the dynamic resource", async () => {
    const p = await preview(e2e.stack);
    expect(p.changeSummary).toEqual({ create: 2 });
    expect(changes(p.steps)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^create pulumi-nodejs:dynamic:Resource::probe/)]),
    );
});

test("up runs the dynamic provider in the program directory and it resolves kube-backup", async () => {
    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    expect(r.outputs.packageName.value).toBe("kube-backup");
    expect(fs.realpathSync(r.outputs.providerCwd.value)).toBe(fs.realpathSync(e2e.workDir));
    expect(fs.realpathSync(r.outputs.runtimeModule.value)).toBe(path.join(repoRoot, "bin", "provider", "runtime.js"));
    expect(r.outputs.pulumiSdk.value).toBe(pulumiVersion);
});

test("a second preview reports no changes", async () => {
    const p = await preview(e2e.stack, { expectNoChanges: true });
    expect(changes(p.steps)).toEqual([]);
});

test("secret config is encrypted in every file of the backend and marked secret in the export", async () => {
    expect(auditBackend(e2e.backendDir, { probeSecret: SECRET })).toEqual([]);
    expect(countCiphertexts(stateFile(e2e))).toBeGreaterThan(0);
    // Self-check of the audit: the decrypted export does contain the value, only inside secret envelopes.
    const exported = JSON.stringify(await e2e.stack.exportStack());
    expect(findPlaintextSecrets(exported, { probeSecret: SECRET }).length).toBeGreaterThan(0);
    expect(unmarkedSecrets(exported, { probeSecret: SECRET })).toEqual([]);
});

test("an edit updates in place", async () => {
    await e2e.stack.setConfig("label", { value: "second-label-7f3a9c" });
    const r = await up(e2e.stack);
    // The default dynamic provider receives the whole stack config, so any config edit updates it too.
    expect(changes(r.steps)).toEqual([
        expect.stringMatching(/^update pulumi:providers:pulumi-nodejs::default/),
        expect.stringMatching(/^update pulumi-nodejs:dynamic:Resource::probe/),
    ]);
    expect(r.outputs.label.value).toBe("second-label-7f3a9c");
    // The audit can fail: a value stored without secret marking is found in the state file and in the export.
    expect(auditBackend(e2e.backendDir, { label: "second-label-7f3a9c" })).toEqual(
        expect.arrayContaining([
            expect.stringMatching(
                /^\.pulumi\/stacks\/.*: label at \$\.checkpoint\.latest\.resources\[\d+\]\.outputs\.label$/,
            ),
        ]),
    );
    expect(
        unmarkedSecrets(JSON.stringify(await e2e.stack.exportStack()), { label: "second-label-7f3a9c" }),
    ).not.toEqual([]);
});

test("destroy leaves nothing in the stack", async () => {
    await e2e.stack.destroy();
    const left = (await stateResources(e2e.stack)).filter((r) => r.type !== "pulumi:pulumi:Stack");
    expect(left).toEqual([]);
});

// An inline program (Automation API `program:`) runs in this process and the engine talks to it over --client,
// so it needs no pulumi-language-nodejs; its dynamic providers still run in pulumi-resource-pulumi-nodejs with
// cwd = the workspace's workDir, which is why the harness points workDir at a dir whose node_modules has kube-backup.
const inlineProbe: pulumi.dynamic.ResourceProvider = {
    async create(inputs) {
        return {
            id: "inline-probe",
            outs: { ...inputs, packageName: require("kube-backup/package.json").name, providerCwd: process.cwd() },
        };
    },
};

class InlineProbe extends pulumi.dynamic.Resource {
    declare readonly packageName: pulumi.Output<string>;
    declare readonly providerCwd: pulumi.Output<string>;
    constructor(name: string) {
        super(inlineProbe, name, { label: "inline", packageName: undefined, providerCwd: undefined });
    }
}

describe("inline program", () => {
    let inline: E2eStack | undefined;
    afterAll(async () => {
        await inline?.dispose();
    });

    test("runs in the test process; its dynamic provider resolves kube-backup from the workDir", async () => {
        inline = await createE2eStack({
            program: "engine",
            stackName: "inline",
            inline: async () => {
                const r = new InlineProbe("inline-probe");
                return { packageName: r.packageName, providerCwd: r.providerCwd };
            },
        });
        const r = await up(inline.stack);
        expect(r.outputs.packageName.value).toBe("kube-backup");
        expect(fs.realpathSync(r.outputs.providerCwd.value)).toBe(fs.realpathSync(inline.workDir));
        const p = await preview(inline.stack, { expectNoChanges: true });
        expect(changes(p.steps)).toEqual([]);
        await inline.stack.destroy();
        expect((await stateResources(inline.stack)).filter((x) => x.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});
