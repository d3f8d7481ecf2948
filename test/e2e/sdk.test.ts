// The SDKs generated from schema.json (toolchain part sdkgen: tools/sdkgen on pkg/v3 codegen at the CLI's version)
// and the language hosts other languages run on: the Python SDK pip-installs from its folder and exposes every
// schema token, the Go SDK compiles and vets offline in a consumer module, a bad schema is refused by name, and
// pulumi-language-yaml runs a YAML program through the real CLI.
import * as fs from "fs";
import * as path from "path";
import { makeTempDir, runCommand } from "../../tools/local/processes";
import {
    generatedSdkDir,
    languageYamlHost,
    pythonExecutable,
    sdkgenExecutable,
    toolchainEnv,
    toolPath,
} from "../../tools/local/toolchain";

jest.setTimeout(900_000);

const repoRoot = path.resolve(__dirname, "..", "..");
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8"));
const names = (section: Record<string, unknown>) => Object.keys(section).map((t) => t.split(":")[2]);
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

let tmp: string;
beforeAll(() => {
    tmp = makeTempDir("sdk-e2e");
});
afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("the Python SDK installs with pip from its folder and has every resource and function of schema.json", async () => {
    const python = pythonExecutable();
    // A copy: pip builds in the tree, and the generated folder in the cache stays as generated.
    const sdk = path.join(tmp, "python-sdk");
    fs.cpSync(path.join(generatedSdkDir(), "python"), sdk, { recursive: true });
    // Offline: no index, no build isolation (setuptools comes from the venv).
    await runCommand(
        python,
        ["-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--force-reinstall", sdk],
        { timeoutMs: 180_000, env: { PIP_DISABLE_PIP_VERSION_CHECK: "1" } },
    );
    const probe = [
        "import importlib.metadata, json, sys",
        "import pulumi_kube_backup as kb",
        "spec = json.loads(sys.argv[1])",
        "plugin = json.load(open(kb.__path__[0] + '/pulumi-plugin.json'))",
        "print(json.dumps({",
        "  'version': importlib.metadata.version('pulumi_kube_backup'),",
        "  'plugin': plugin,",
        "  'missingResources': [r for r in spec['resources'] if not isinstance(getattr(kb, r, None), type)],",
        "  'missingFunctions': [f for f in spec['functions'] if not callable(getattr(kb, f, None))],",
        "}))",
    ].join("\n");
    const spec = { resources: names(schema.resources), functions: names(schema.functions).map(snake) };
    const { stdout } = await runCommand(python, ["-c", probe, JSON.stringify(spec)], { cwd: tmp });
    const result = JSON.parse(stdout);
    expect(result.version).toBe(schema.version);
    // The engine asks for the plugin of exactly the schema's version.
    expect(result.plugin).toEqual({ resource: true, name: "kube-backup", version: schema.version });
    expect(result.missingResources).toEqual([]);
    expect(result.missingFunctions).toEqual([]);
    expect(spec.resources).toContain("BackupSchedule");
});

test("the Go SDK compiles and vets offline in a consumer module", async () => {
    const sdk = path.join(generatedSdkDir(), "go");
    const sdkModule = /^module\s+(\S+)/m.exec(fs.readFileSync(path.join(sdk, "go.mod"), "utf8"))![1];
    const dir = path.join(tmp, "go-consumer");
    fs.mkdirSync(dir);
    fs.writeFileSync(
        path.join(dir, "go.mod"),
        `module example.com/consumer\n\ngo 1.24\n\nrequire ${sdkModule} v0.0.0\n\nreplace ${sdkModule} => ${sdk}\n`,
    );
    fs.copyFileSync(path.join(sdk, "go.sum"), path.join(dir, "go.sum"));
    fs.writeFileSync(
        path.join(dir, "main.go"),
        [
            "package main",
            "",
            "import (",
            `\t"${sdkModule}/kubebackup"`,
            '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
            ")",
            "",
            "func main() {",
            "\tpulumi.Run(func(ctx *pulumi.Context) error {",
            '\t\tpolicy, err := kubebackup.NewSchedulePolicy(ctx, "hourly", &kubebackup.SchedulePolicyArgs{',
            '\t\t\tName: pulumi.String("hourly"),',
            "\t\t})",
            "\t\tif err != nil {",
            "\t\t\treturn err",
            "\t\t}",
            '\t\tctx.Export("policy", policy.ID())',
            "\t\treturn nil",
            "\t})",
            "}",
            "",
        ].join("\n"),
    );
    // GOPROXY=off: every module must already be in the module cache (toolchain.sh filled it for the SDK's go.sum).
    // The same build flags as toolchain.sh, so the packages compiled for the CLI are reused.
    const env = {
        GOPROXY: "off",
        GOFLAGS: "-mod=mod -trimpath -buildvcs=false",
        GOWORK: "off",
        GOTOOLCHAIN: "local",
        CGO_ENABLED: "0",
    };
    await runCommand("go", ["mod", "tidy"], { cwd: dir, env, timeoutMs: 120_000 });
    await runCommand("nice", ["-n", "10", "go", "build", "-o", path.join(dir, "consumer"), "."], {
        cwd: dir,
        env,
        timeoutMs: 540_000,
    });
    expect(fs.statSync(path.join(dir, "consumer")).size).toBeGreaterThan(0);
    await runCommand("go", ["vet", "."], { cwd: dir, env, timeoutMs: 300_000 });
});

test("sdkgen refuses a schema with a dangling type reference, naming the reference", async () => {
    const bad = structuredClone(schema);
    const policy = bad.resources["kube-backup:index:SchedulePolicy"];
    policy.inputProperties.name = { $ref: "#/types/kube-backup:index:NoSuchType" };
    const file = path.join(tmp, "bad-schema.json");
    fs.writeFileSync(file, JSON.stringify(bad));
    const k8s = `kubernetes=${path.join(generatedSdkDir(), "kubernetes-schema.json")}`;
    const out = path.join(tmp, "bad-out");
    const run = runCommand(sdkgenExecutable(), ["-schema", file, "-out", out, "-dep", k8s], { cwd: tmp });
    await expect(run).rejects.toThrow(/kube-backup:index:NoSuchType/);
    expect(fs.existsSync(out)).toBe(false);
});

test("pulumi-language-yaml runs a YAML program through the CLI: config in, outputs out, secrets kept secret", async () => {
    languageYamlHost();
    const dir = path.join(tmp, "yaml-probe");
    fs.mkdirSync(path.join(dir, "state"), { recursive: true });
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        [
            "name: yaml-probe",
            "runtime: yaml",
            "config:",
            "  greeting:",
            "    type: string",
            "  token:",
            "    type: string",
            "    secret: true",
            "variables:",
            "  shout:",
            "    fn::join:",
            '      - ""',
            "      - - ${greeting}",
            '        - "!"',
            "outputs:",
            "  shout: ${shout}",
            "  token: ${token}",
            "",
        ].join("\n"),
    );
    const env = {
        ...toolchainEnv(),
        PULUMI_BACKEND_URL: `file://${dir}/state`,
        PULUMI_CONFIG_PASSPHRASE: "yaml-probe",
    };
    const pulumi = (args: string[]) =>
        runCommand(toolPath("pulumi"), [...args, "--non-interactive"], { cwd: dir, env, timeoutMs: 180_000 });
    await pulumi(["stack", "init", "dev"]);
    await pulumi(["config", "set", "greeting", "hello"]);
    await pulumi(["config", "set", "--secret", "token", "yaml-secret-value"]);
    const up = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(up.stdout + up.stderr).not.toContain("yaml-secret-value");
    expect(up.stdout + up.stderr).not.toMatch(/from \$PATH/);
    const outputs = JSON.parse((await pulumi(["stack", "output", "--json"])).stdout);
    expect(outputs).toEqual({ shout: "hello!", token: "[secret]" });
    await pulumi(["preview", "--expect-no-changes"]);
    await pulumi(["destroy", "--yes", "--skip-preview"]);
});
