// schema.json checked by the real CLI (`pulumi schema check`: the schema spec plus the binder, which resolves
// every $ref, including the kubernetes types through pulumi-resource-kubernetes's own schema).
// `pulumi package gen-sdk --language nodejs` cannot run here: code generation is delegated to the language host
// (GeneratePackage), which the offline toolchain's host does not implement.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { engineEnv, kubernetesPluginVersion, repoRoot } from "../../tools/engine/stack";
import { toolPath } from "../../tools/local/toolchain";

jest.setTimeout(120_000);

const run = promisify(execFile);
let dir: string;
let env: Record<string, string>;
let schemaText: string;

/** `pulumi schema check <file>`: exit status and combined output (the CLI prints errors but may exit 0). */
async function schemaCheck(file: string): Promise<{ ok: boolean; output: string }> {
    try {
        const r = await run(toolPath("pulumi"), ["schema", "check", file], { env });
        return { ok: !/error/i.test(r.stdout + r.stderr), output: r.stdout + r.stderr };
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? e.message}` };
    }
}

beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-e2e-schema-"));
    env = engineEnv(path.join(dir, "state"));
    // The refs name the SDK's kubernetes version; the plugin cache holds the version the toolchain could build.
    const version = kubernetesPluginVersion();
    schemaText = fs
        .readFileSync(path.join(repoRoot, "schema.json"), "utf8")
        .replace(/\/kubernetes\/v[0-9.]+\//g, `/kubernetes/v${version}/`);
});

afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

test("schema.json is a valid Pulumi package schema, kubernetes refs included", async () => {
    expect(JSON.parse(schemaText).resources["kube-backup:index:EtcdBackupSchedule"]).toBeDefined();
    const file = path.join(dir, "schema.json");
    fs.writeFileSync(file, schemaText);
    const r = await schemaCheck(file);
    expect(r.output).toBe("");
    expect(r.ok).toBe(true);
});

test("the check fails on a broken copy (a ref to a type that does not exist)", async () => {
    const broken = schemaText.replace(/kubernetes:core\/v1:Toleration/g, "kubernetes:core/v1:NoSuchType");
    expect(broken).not.toBe(schemaText);
    const file = path.join(dir, "broken.json");
    fs.writeFileSync(file, broken);
    const r = await schemaCheck(file);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/NoSuchType/);
});

test("the CLI gets the same schema from the plugin (GetSchema), and it passes the check too", async () => {
    // Built bin/ is what the launcher runs (npx tsc -p tsconfig.json before the e2e tier).
    const launcher = path.join(repoRoot, "plugin", "pulumi-resource-kube-backup");
    const r = await run(toolPath("pulumi"), ["package", "get-schema", launcher], { env, maxBuffer: 64 << 20 });
    const served = JSON.parse(r.stdout);
    // The CLI re-serializes: key order and empty lists (omitted) are its own; the content must be ours.
    const dropEmpty = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(dropEmpty)
            : v && typeof v === "object"
              ? Object.fromEntries(
                    Object.entries(v)
                        .filter(([, x]) => !(Array.isArray(x) && x.length === 0))
                        .map(([k, x]) => [k, dropEmpty(x)]),
                )
              : v;
    const committed = JSON.parse(fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8"));
    expect(dropEmpty(served)).toEqual(dropEmpty(committed));
    const version = kubernetesPluginVersion();
    const file = path.join(dir, "served.json");
    fs.writeFileSync(file, r.stdout.replace(/\/kubernetes\/v[0-9.]+\//g, `/kubernetes/v${version}/`));
    const check = await schemaCheck(file);
    expect(check.output).toBe("");
    expect(check.ok).toBe(true);
});
