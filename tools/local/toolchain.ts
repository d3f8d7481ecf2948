// Locates the tools built by tools/toolchain.sh (real etcd, MinIO, aws CLI, Pulumi engine, Kubernetes
// control plane) and builds a missing one on demand. Tests never fall back to anything else: a tool that
// cannot be built is an error naming the command to run.
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// The repository root: the nearest kube-backup package.json above this file (tools/local under ts-jest and ts-node,
// build/tools/local once compiled for the demo).
const repoRoot = (() => {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const pkg = path.join(dir, "package.json");
        if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "kube-backup") return dir;
    }
    throw new Error(`no kube-backup package.json above ${__dirname}`);
})();
const toolchainScript = path.join(repoRoot, "tools", "toolchain.sh");

/** Tool name → toolchain.sh part that builds it. */
const toolParts: Record<string, string> = {
    etcd: "etcd",
    etcdctl: "etcd",
    etcdutl: "etcd",
    aws: "aws",
    minio: "minio",
    pulumi: "pulumi",
    "pulumi-resource-pulumi-nodejs": "pulumi",
    "kube-apiserver": "kubernetes",
    "kube-controller-manager": "kubernetes",
    "kube-scheduler": "kubernetes",
    kubelet: "kubernetes",
    containerd: "containerd",
    "containerd-shim-runc-v2": "containerd",
    ctr: "containerd",
    runc: "runc",
};

export type ToolName = keyof typeof toolParts;

/** rclone (the S3 tool of the default tools image) lives in part "rclone"; its userland in part "userland". */
toolParts.rclone = "rclone";

/** `${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}`, the toolchain cache outside the repo. */
export function cacheDir(): string {
    return process.env.KUBE_BACKUP_CACHE || path.join(os.homedir(), ".cache", "kube-backup");
}

export function toolBinDir(): string {
    return path.join(cacheDir(), "bin");
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK); // follows the bin/ symlink, so a dangling one is "missing"
        return true;
    } catch {
        return false;
    }
}

/** Runs `toolchain.sh <parts...>` synchronously, streaming its output; throws if it fails. */
export function ensureToolchain(...parts: string[]): void {
    try {
        execFileSync("bash", [toolchainScript, ...parts], { stdio: "inherit", cwd: repoRoot });
    } catch (err) {
        throw new Error(
            `bash ${path.relative(repoRoot, toolchainScript)} ${parts.join(" ")} failed: ${(err as Error).message}`,
            { cause: err },
        );
    }
}

/** Absolute path of a built tool, building its toolchain part first if it is missing. */
export function toolPath(name: ToolName): string {
    const part = toolParts[name];
    if (!part) {
        throw new Error(`unknown tool '${name}': known tools are ${Object.keys(toolParts).join(", ")}`);
    }
    const file = path.join(toolBinDir(), name);
    if (isExecutable(file)) {
        return file;
    }
    const command = `bash tools/toolchain.sh ${part}`;
    try {
        ensureToolchain(part);
    } catch (err) {
        throw new Error(
            `tool '${name}' is not built and building it failed; run \`${command}\` to see why. ${(err as Error).message}`,
            { cause: err },
        );
    }
    if (!isExecutable(file)) {
        throw new Error(`tool '${name}' is still missing at ${file} after \`${command}\``);
    }
    return file;
}

/** The version of a toolchain part, as tools/toolchain.sh names its directory. */
function partVersion(part: string): string {
    const script = fs.readFileSync(toolchainScript, "utf8");
    const value = (name: string) => {
        const m = new RegExp(`^${name}=(\\S+)`, "m").exec(script);
        if (!m) throw new Error(`${name} is not set in ${toolchainScript}`);
        return m[1];
    };
    const busybox = () => value("BUSYBOX_VERSION").replace(/^\d+:/, "");
    if (part === "userland") return `${value("RCLONE_VERSION")}-busybox-${busybox()}`;
    if (part === "cni") return value("CNI_DEB_VERSION").replace(/~/g, "-");
    if (part === "images")
        return `r${value("IMAGES_RECIPE")}-rclone-${value("RCLONE_VERSION")}-etcd-${value("ETCD_VERSION")}-busybox-${busybox()}`;
    if (part === "language-yaml") return value("LANGUAGE_YAML_VERSION");
    if (part === "python") return `${value("PYTHON_PULUMI_VERSION")}-k8s${kubernetesProviderVersion()}`;
    if (part === "sdkgen") {
        // toolchain.sh's sdkgen_version: the schema and the generator's sources, hashed together.
        const files = ["schema.json", ...["main.go", "go.mod", "go.sum"].map((f) => path.join("tools", "sdkgen", f))];
        const hash = crypto.createHash("sha256").update(`r${value("SDKGEN_RECIPE")}\n`);
        for (const f of files) hash.update(fs.readFileSync(path.join(repoRoot, f)));
        return hash.digest("hex").slice(0, 12);
    }
    throw new Error(`no version rule for part ${part}`);
}

/** `<cache>/<part>-<version>` of a part that keeps files out of bin/, building it first when it is missing. */
export function partDir(part: string): string {
    const dir = path.join(cacheDir(), `${part}-${partVersion(part)}`);
    if (!fs.existsSync(dir)) ensureToolchain(part);
    if (!fs.existsSync(dir))
        throw new Error(`part ${part} is still missing at ${dir} after \`bash tools/toolchain.sh ${part}\``);
    return dir;
}

/** pulumi-language-yaml, linked next to the built CLI (where the CLI looks for bundled language hosts). */
export function languageYamlHost(): string {
    partDir("language-yaml");
    const host = path.join(path.dirname(fs.realpathSync(toolPath("pulumi"))), "pulumi-language-yaml");
    if (!isExecutable(host)) ensureToolchain("language-yaml");
    if (!isExecutable(host)) throw new Error(`${host} is missing after \`bash tools/toolchain.sh language-yaml\``);
    return host;
}

/** The Python of part "python": a venv with the pip `pulumi` and `pulumi-kubernetes` SDKs. */
export function pythonExecutable(): string {
    return path.join(partDir("python"), "venv", "bin", "python");
}

/** The SDKs generated from the current schema.json by part "sdkgen": `<dir>/python` and `<dir>/go`. */
export function generatedSdkDir(): string {
    return partDir("sdkgen");
}

/** tools/sdkgen as built by part "sdkgen". */
export function sdkgenExecutable(): string {
    return path.join(partDir("sdkgen"), "sdkgen");
}

/**
 * The userland of the default tools image (docker.io/rclone/rclone: Alpine's busybox applets plus rclone), built
 * by part "userland": a directory holding busybox, one symlink per applet, and rclone, and nothing else. Checked on
 * every call, so a host tool that leaked in fails the test run loudly instead of making it pass.
 */
export function userlandDir(): string {
    const dir = path.join(cacheDir(), `userland-${partVersion("userland")}`, "userland");
    if (!fs.existsSync(dir)) ensureToolchain("userland");
    if (!fs.existsSync(dir))
        throw new Error(`the userland is still missing at ${dir} after \`bash tools/toolchain.sh userland\``);
    for (const name of fs.readdirSync(dir)) {
        if (name === "busybox") continue;
        const target = fs.readlinkSync(path.join(dir, name));
        if (target !== "busybox" && !(name === "rclone" && target.endsWith("/bin/rclone")))
            throw new Error(`${dir}/${name} is neither an applet symlink nor rclone: not the image's userland`);
    }
    const tar = spawnSync(path.join(dir, "tar"), ["--help"], { env: { PATH: dir }, encoding: "utf8" });
    if (!/BusyBox/.test(`${tar.stdout}${tar.stderr}`))
        throw new Error(`tar in ${dir} is not BusyBox's: ${tar.stdout}${tar.stderr}`);
    return dir;
}

/**
 * `root` for the Automation API's `PulumiCommand.get({ root })`, which runs `<root>/bin/pulumi`: the cache.
 * Inline programs need no language host (the engine talks to the Automation API process directly); directory
 * programs use `pulumi-language-nodejs`, the Go host as of sdk/v3 v3.60.0 (newer ones are not on the proxy).
 */
export function pulumiCommandRoot(): string {
    toolPath("pulumi");
    return cacheDir();
}

/** PULUMI_HOME inside the cache: the plugin cache where toolchain.sh installed pulumi-resource-kubernetes. */
export function pulumiHome(): string {
    return path.join(cacheDir(), "pulumi-home");
}

/**
 * Environment for running the real Pulumi engine offline: the built CLI (and the dynamic-provider host next to
 * it) first on PATH, then this process's Node, plugins only from the cache, no update check and no download attempts.
 */
export function toolchainEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    toolPath("pulumi");
    ensureKubernetesProvider();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) {
        if (v !== undefined) env[k] = v;
    }
    return {
        ...env,
        // The Node running this process comes next: programs and dynamic providers run on the Node the suite
        // was started with (tools/with-node.sh), not on whichever `node` PATH finds first.
        PATH: [toolBinDir(), path.dirname(process.execPath), env.PATH ?? ""].filter(Boolean).join(path.delimiter),
        PULUMI_HOME: pulumiHome(),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

/** The pulumi-resource-kubernetes version @pulumi/kubernetes asks the engine for. */
export function kubernetesProviderVersion(): string {
    // The same override toolchain.sh honours, so both name one version.
    if (process.env.KUBE_BACKUP_K8S_PROVIDER_VERSION) return process.env.KUBE_BACKUP_K8S_PROVIDER_VERSION;
    const pkg = require(path.join(repoRoot, "node_modules", "@pulumi", "kubernetes", "package.json"));
    return pkg.pulumi.version as string;
}

/** Makes sure the plugin cache holds pulumi-resource-kubernetes at exactly that version; returns its dir. */
export function ensureKubernetesProvider(): string {
    const dir = path.join(pulumiHome(), "plugins", `resource-kubernetes-v${kubernetesProviderVersion()}`);
    if (!fs.existsSync(dir)) {
        ensureToolchain("k8s-provider");
    }
    if (!fs.existsSync(dir)) {
        throw new Error(
            `pulumi-resource-kubernetes is not installed at ${dir} after \`bash tools/toolchain.sh k8s-provider\``,
        );
    }
    return dir;
}
