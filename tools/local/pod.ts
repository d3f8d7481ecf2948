// Runs the containers of a rendered pod spec as real local processes, the way the kubelet would: init containers
// in order, then the main container; env resolved in order with Kubernetes' $(VAR) expansion (also in command and
// args); secretKeyRef/fieldRef from the rendered Secrets and given field values; volumes as directories, with
// every env value, workingDir and mount path rewritten from the container path to its directory. Executables are
// what the default images ship: the shell containers (command "/bin/sh") run busybox's sh with PATH set to exactly
// the tools image's userland (busybox applets + rclone at the image's version, tools/toolchain.sh part "userland"),
// so no host GNU tool or aws CLI can make a test pass; the exec-form etcd containers get a PATH holding only
// etcdctl and etcdutl from the toolchain (the etcd image is distroless).
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { toolPath, userlandDir } from "./toolchain";

export interface ContainerRun {
    name: string;
    code: number | null;
    /** Wall time of the container, seconds. */
    seconds: number;
    stdout: string;
    stderr: string;
}

export interface PodResult {
    ok: boolean;
    runs: ContainerRun[];
    /** Text of every container's stdout+stderr, for assertions and failure messages. */
    log: string;
}

export interface RunPodOptions {
    /** Host directory for volumes the test provides (persistentVolumeClaim, hostPath), by volume name. */
    volumes?: Record<string, string>;
    /** Secret data by Secret name (for secretKeyRef and secret volumes). */
    secrets: Record<string, Record<string, string>>;
    /** fieldRef values by fieldPath. Default status.hostIP=127.0.0.1, metadata.namespace=default. */
    fields?: Record<string, string>;
    /** Called after a container exits 0 and before the next starts (to inject faults), with the volume dirs. */
    after?: (container: string, dirs: Record<string, string>) => void | Promise<void>;
    timeoutMs?: number;
    /** Directories searched before the image's PATH (fault injection: wrappers that shadow a tool). */
    pathPrepend?: string[];
    /** Replaces the shell image's userland as PATH (e.g. one without tar, for the preflight). */
    userland?: string;
    /** Run "/bin/sh" commands with this shell instead (e.g. "bash"; busybox sh is the default). */
    shell?: string;
    /** Measure peak RSS (KiB) of the process tree of this container (via /usr/bin/time is not available: polled). */
    sampleMemoryOf?: string;
    /** Environment the kubelet would add (e.g. KUBERNETES_SERVICE_HOST/PORT); the container's own env wins. */
    kubeletEnv?: Record<string, string>;
}

/** Kubernetes $(VAR) expansion: $$ is a literal $, $(NAME) becomes NAME's value when defined, else stays. */
export function expand(input: string, vars: Record<string, string>): string {
    let out = "";
    for (let i = 0; i < input.length; i++) {
        const ch = input[i];
        if (ch !== "$" || i + 1 >= input.length) {
            out += ch;
            continue;
        }
        const next = input[i + 1];
        if (next === "$") {
            out += "$";
            i++;
        } else if (next === "(") {
            const close = input.indexOf(")", i + 2);
            if (close < 0) {
                out += input.slice(i);
                break;
            }
            const name = input.slice(i + 2, close);
            out += name in vars ? vars[name] : input.slice(i, close + 1);
            i = close;
        } else {
            out += ch;
        }
    }
    return out;
}

/** A directory holding only etcdctl and etcdutl: the PATH of the exec-form etcd image containers. */
function etcdImageDir(scratch: string): string {
    const dir = path.join(scratch, "etcd-image");
    fs.mkdirSync(dir);
    for (const t of ["etcdctl", "etcdutl"] as const) fs.symlinkSync(toolPath(t), path.join(dir, t));
    return dir;
}

export async function runPod(pod: any, opts: RunPodOptions): Promise<PodResult & { peakRssKiB?: number }> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kb-pod-"));
    const dirs: Record<string, string> = {};
    for (const vol of pod.volumes ?? []) {
        const dir = path.join(scratch, `vol-${vol.name}`);
        if (vol.emptyDir) fs.mkdirSync(dir);
        else if (vol.secret || vol.configMap) {
            const srcName = vol.secret ? vol.secret.secretName : vol.configMap.name;
            const data = opts.secrets[srcName];
            if (!data) throw new Error(`pod mounts Secret/ConfigMap "${srcName}", which the test did not provide`);
            fs.mkdirSync(dir);
            const items = (vol.secret ?? vol.configMap).items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
            for (const it of items) {
                if (!(it.key in data)) throw new Error(`Secret "${srcName}" has no key "${it.key}"`);
                fs.writeFileSync(path.join(dir, it.path), data[it.key], { mode: 0o400 });
            }
        } else if (opts.volumes?.[vol.name]) {
            dirs[vol.name] = opts.volumes[vol.name];
            continue;
        } else throw new Error(`no host directory for volume "${vol.name}"`);
        dirs[vol.name] = dir;
    }
    const fields = { "status.hostIP": "127.0.0.1", "metadata.namespace": "default", ...opts.fields };
    const userland = opts.userland ?? userlandDir();
    const etcdImage = etcdImageDir(scratch);
    const runs: ContainerRun[] = [];
    let peakRssKiB: number | undefined;
    try {
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
            const mounts: [string, string][] = (c.volumeMounts ?? []).map((m: any) => [m.mountPath, dirs[m.name]]);
            const remap = (v: string) => {
                for (const [mp, dir] of mounts) if (v === mp || v.startsWith(mp + "/")) return dir + v.slice(mp.length);
                return v;
            };
            const vars: Record<string, string> = {};
            for (const e of c.env ?? []) {
                if (e.value !== undefined) vars[e.name] = expand(remap(String(e.value)), vars);
                else if (e.valueFrom?.secretKeyRef) {
                    const { name, key, optional } = e.valueFrom.secretKeyRef;
                    const val = opts.secrets[name]?.[key];
                    if (val === undefined && !optional)
                        throw new Error(`env ${e.name}: Secret "${name}" key "${key}" not provided`);
                    if (val !== undefined) vars[e.name] = val;
                } else if (e.valueFrom?.fieldRef)
                    vars[e.name] = fields[e.valueFrom.fieldRef.fieldPath as keyof typeof fields];
                else throw new Error(`env ${e.name}: unsupported source`);
            }
            const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a: string) => expand(a, vars));
            const shellImage = argv[0] === "/bin/sh";
            const imagePath = shellImage ? userland : etcdImage;
            if (!shellImage && !["etcdctl", "etcdutl"].includes(argv[0]))
                throw new Error(`container ${c.name}: no image userland known for command ${argv[0]}`);
            const exe = shellImage ? (opts.shell ?? path.join(userland, "sh")) : path.join(etcdImage, argv[0]);
            const env = {
                PATH: [...(opts.pathPrepend ?? []), imagePath].join(":"),
                HOME: scratch,
                TMPDIR: scratch,
                AWS_EC2_METADATA_DISABLED: "true",
                AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, "no-credentials"),
                ...opts.kubeletEnv,
                ...vars,
            };
            const started = process.hrtime.bigint();
            const run = await exec(
                exe,
                argv.slice(1),
                env,
                c.workingDir ? remap(c.workingDir) : scratch,
                opts.timeoutMs ?? 120000,
                c.name === opts.sampleMemoryOf,
            );
            runs.push({
                name: c.name,
                code: run.code,
                seconds: Number(process.hrtime.bigint() - started) / 1e9,
                stdout: run.stdout,
                stderr: run.stderr,
            });
            if (run.peakRssKiB !== undefined) peakRssKiB = run.peakRssKiB;
            if (run.code !== 0) break;
            await opts.after?.(c.name, dirs);
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
    const ok =
        runs.length === (pod.initContainers ?? []).length + pod.containers.length && runs.every((r) => r.code === 0);
    const log = runs.map((r) => `--- ${r.name} (exit ${r.code})\n${r.stdout}${r.stderr}`).join("\n");
    return { ok, runs, log, peakRssKiB };
}

function exec(
    cmd: string,
    args: string[],
    env: Record<string, string>,
    cwd: string,
    timeoutMs: number,
    sample: boolean,
) {
    return new Promise<{ code: number | null; stdout: string; stderr: string; peakRssKiB?: number }>(
        (resolve, reject) => {
            const child = spawn(cmd, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            let peak = 0;
            const sampler = sample ? setInterval(() => (peak = Math.max(peak, treeRssKiB(child.pid!))), 20) : undefined;
            const timer = setTimeout(() => {
                try {
                    process.kill(-child.pid!, "SIGKILL");
                } catch {
                    /* already gone */
                }
            }, timeoutMs);
            child.on("error", reject);
            child.on("close", (code, signal) => {
                clearTimeout(timer);
                if (sampler) clearInterval(sampler);
                resolve({ code: code ?? (signal ? 128 : null), stdout, stderr, peakRssKiB: sample ? peak : undefined });
            });
        },
    );
}

/** Sum of VmRSS over a process and its descendants (Linux /proc). */
export function treeRssKiB(root: number): number {
    const children = new Map<number, number[]>();
    const rss = new Map<number, number>();
    for (const d of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const status = fs.readFileSync(`/proc/${d}/status`, "utf8");
            const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
            rss.set(Number(d), Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
            children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
        } catch {
            /* process exited */
        }
    }
    let total = 0;
    const stack = [root];
    while (stack.length) {
        const p = stack.pop()!;
        total += rss.get(p) ?? 0;
        stack.push(...(children.get(p) ?? []));
    }
    return total;
}
