// The engine toolchain itself: the CLI and the kubernetes plugin match the npm packages exactly, and the real
// CLI runs a directory program through the Go pulumi-language-nodejs (sdk/v3 v3.60.0, see toolchain.sh) (config, secrets, a dynamic provider).
import * as fs from "fs";
import * as path from "path";
import { makeTempDir, runCommand } from "../../tools/local/processes";
import { kubernetesProviderVersion, toolchainEnv, toolPath } from "../../tools/local/toolchain";

jest.setTimeout(300000);

const repoRoot = path.resolve(__dirname, "..", "..");

describe("Pulumi toolchain", () => {
    let dir: string;
    let env: Record<string, string>;
    const pulumi = (args: string[]) =>
        runCommand(toolPath("pulumi"), [...args, "--non-interactive"], { cwd: dir, env, timeoutMs: 180000 });

    beforeAll(() => {
        dir = makeTempDir("toolchain-e2e");
        env = {
            ...toolchainEnv(),
            PULUMI_BACKEND_URL: `file://${dir}/state`,
            PULUMI_CONFIG_PASSPHRASE: "toolchain-test",
            NODE_PATH: path.join(repoRoot, "node_modules"),
        };
        fs.mkdirSync(path.join(dir, "state"));
    });
    afterAll(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("has the CLI version of the @pulumi/pulumi npm package", async () => {
        const npmVersion = require(path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json")).version;
        const { stdout } = await runCommand(toolPath("pulumi"), ["version"], { env });
        expect(stdout.trim()).toBe(`v${npmVersion}`);
    });

    it("has pulumi-resource-kubernetes in the plugin cache at the @pulumi/kubernetes version", async () => {
        const { stdout } = await runCommand(toolPath("pulumi"), ["plugin", "ls", "--json"], { env });
        const plugins = JSON.parse(stdout) as Array<{ name: string; kind: string; version: string }>;
        expect(plugins).toContainEqual(
            expect.objectContaining({ name: "kubernetes", kind: "resource", version: kubernetesProviderVersion() }),
        );
    });

    it("runs a directory program: up, an empty preview, destroy", async () => {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: toolchain-probe\nruntime: nodejs\n");
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "toolchain-probe", main: "index.js" }));
        fs.writeFileSync(
            path.join(dir, "index.js"),
            [
                'const pulumi = require("@pulumi/pulumi");',
                "const config = new pulumi.Config();",
                "const provider = { async create(inputs) { return { id: 'probe-1', outs: { greeting: inputs.greeting } }; } };",
                "class Probe extends pulumi.dynamic.Resource { constructor(name, args) { super(provider, name, { greeting: args.greeting }, {}); } }",
                "const probe = new Probe('probe', { greeting: config.require('greeting') });",
                "exports.greeting = probe.greeting;",
                "exports.token = config.requireSecret('token');",
                "exports.node = process.version;",
            ].join("\n"),
        );
        await pulumi(["stack", "init", "dev"]);
        await pulumi(["config", "set", "greeting", "hello"]);
        await pulumi(["config", "set", "--secret", "token", "not-in-plain-text"]);

        const up = await pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toMatch(/\+ 2 created/);
        expect(up.stdout + up.stderr).not.toContain("not-in-plain-text");
        // Plugins come from next to the CLI and the plugin cache, not ambiently from PATH.
        expect(up.stdout + up.stderr).not.toMatch(/from \$PATH/);
        const outputs = JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"])).stdout);
        // The program ran on the Node this suite runs on (the toolchain's, under npm test), not the host's.
        expect(outputs).toEqual({ greeting: "hello", token: "not-in-plain-text", node: process.version });

        const preview = await pulumi(["preview", "--refresh", "--expect-no-changes"]);
        expect(preview.stdout).toMatch(/2 unchanged/);

        const destroy = await pulumi(["destroy", "--yes", "--skip-preview"]);
        expect(destroy.stdout).toMatch(/- 2 deleted/);
        const state = JSON.parse((await pulumi(["stack", "export"])).stdout);
        expect(state.deployment.resources ?? []).toEqual([]);
    });
});
