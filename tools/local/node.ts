// A node for the local cluster, so Pods really run: containerd (its own root, state and socket under the node's
// directory) with runc and a bridge pod network, the default job images built by the toolchain imported under
// their exact names, kubelet registered as a control-plane node (label and taint), kube-scheduler, and pre-made
// hostPath PersistentVolumes of a default StorageClass so claims bind. Needs root, overlayfs and writable cgroups;
// startNode names the missing one. Logs go to the toolchain's log directory (logs/node-<id>/).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    CertificateAuthority,
    CertPair,
    ManagedProcess,
    freePort,
    httpRequest,
    runCommand,
    spawnProcess,
} from "./processes";
import { cacheDir, ensureToolchain, partDir, toolBinDir, toolPath } from "./toolchain";

/** What the node needs from the control plane (a subset of ClusterHandle, so cluster.ts can start a node). */
export interface NodeControlPlane {
    server: string;
    dir: string;
    ca: CertificateAuthority;
    kubeconfigPath: string;
    /** The admin client certificate (system:masters). */
    admin: CertPair;
    kubeconfigFor(user: CertPair): string;
    request<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export interface NodeHandle {
    /** The Node object's name. */
    name: string;
    /** The pod network's gateway, an address of this host: pods reach host servers that listen on it. */
    hostIp: string;
    podCidr: string;
    /** containerd's socket (for ctr). */
    containerdSocket: string;
    /** Where containerd, kubelet and kube-scheduler log. */
    logDir: string;
    /** Names of the images imported into containerd (the default job images and the pause image). */
    images: string[];
    /** The hostPath directory behind each pre-made PersistentVolume, by PV name. */
    volumes: Record<string, string>;
    /** Runs ctr against this node's containerd in the CRI namespace. */
    ctr(args: string[]): Promise<string>;
    stop(): Promise<void>;
}

/** The CRI namespace: images imported there are the ones kubelet sees. */
const CRI_NAMESPACE = "k8s.io";
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1";
export const LOCAL_STORAGE_CLASS = "kube-backup-local";
const CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane";
const CGROUP_V1_CONTROLLERS = ["cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer"];

/** Where checkNodeHost looks (the real host by default; tests point it at a fake tree). */
export interface NodeHostView {
    uid?: number;
    proc: string;
    cgroup: string;
}

/** Throws naming the kernel feature or privilege the node needs and this machine lacks. */
export function checkNodeHost(
    host: NodeHostView = { uid: process.getuid?.(), proc: "/proc", cgroup: "/sys/fs/cgroup" },
): void {
    if (host.uid !== 0) {
        throw new Error("the local node needs root: containers need namespaces, cgroups and mounts (run as uid 0)");
    }
    const filesystems = fs.readFileSync(path.join(host.proc, "filesystems"), "utf8");
    if (!/\boverlay\b/.test(filesystems)) {
        throw new Error(
            `the local node needs overlayfs (containerd's overlayfs snapshotter): 'overlay' is not in ${host.proc}/filesystems (modprobe overlay)`,
        );
    }
    if (fs.existsSync(path.join(host.cgroup, "cgroup.controllers"))) return; // cgroup v2: one writable hierarchy
    for (const c of CGROUP_V1_CONTROLLERS) {
        const dir = path.join(host.cgroup, c);
        if (!fs.existsSync(path.join(dir, "tasks"))) {
            throw new Error(
                `the local node needs the cgroup v1 controller '${c}' mounted at ${dir} (kubelet and runc)`,
            );
        }
        const probe = path.join(dir, `kube-backup-probe-${process.pid}`);
        try {
            fs.mkdirSync(probe);
            fs.rmdirSync(probe);
        } catch (err) {
            throw new Error(
                `the local node needs a writable cgroup v1 '${c}' hierarchy: mkdir ${probe}: ${String(err)}`,
                { cause: err },
            );
        }
    }
}

/** `root` in every cgroup hierarchy (one under cgroup v2; one per mounted controller, and name=systemd, under v1). */
function cgroupDirs(root: string): string[] {
    if (fs.existsSync("/sys/fs/cgroup/cgroup.controllers")) return [path.join("/sys/fs/cgroup", root)];
    return fs
        .readdirSync("/sys/fs/cgroup")
        .filter((c) => fs.existsSync(path.join("/sys/fs/cgroup", c, "cgroup.procs")))
        .map((c) => path.join("/sys/fs/cgroup", c, root));
}

/** Removes a cgroup tree bottom-up (a cgroup directory can only be removed once it has no children or tasks). */
function removeCgroupTree(dir: string): void {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return;
    }
    for (const e of entries) if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
    try {
        fs.rmdirSync(dir);
    } catch {
        // busy: a process is still in it; the caller reports leftovers
    }
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    return fs
        .readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .map((line) => unescape(line.split(" ")[4] ?? ""))
        .filter((m) => m === dir || m.startsWith(dir + "/"))
        .sort((a, b) => b.length - a.length);
}

/** PIDs whose command line mentions `needle` (the shims started for this node's containerd). */
function pidsMentioning(needle: string): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) pids.push(Number(entry));
        } catch {
            // exited meanwhile
        }
    }
    return pids;
}

export async function startNode(cp: NodeControlPlane, options: { readyTimeoutMs?: number } = {}): Promise<NodeHandle> {
    checkNodeHost();
    ensureToolchain("kubernetes", "containerd", "runc", "cni", "images");
    const kubelet = toolPath("kubelet");
    const scheduler = toolPath("kube-scheduler");
    const containerd = toolPath("containerd");
    const ctrBin = toolPath("ctr");
    const runc = toolPath("runc");
    const cniDir = path.join(partDir("cni"), "cni");
    const imagesDir = path.join(partDir("images"), "oci");

    const id = crypto.randomBytes(3).toString("hex");
    const name = `kube-backup-node-${id}`;
    const dir = path.join(cp.dir, "node");
    const logDir = path.join(cacheDir(), "logs", `node-${id}`);
    fs.mkdirSync(dir, { recursive: true });
    await reapOrphanedNodes(path.dirname(logDir));
    pruneOldLogs(path.dirname(logDir));
    fs.mkdirSync(logDir, { recursive: true });
    const timeout = options.readyTimeoutMs ?? 180000;
    const env = { PATH: `${toolBinDir()}:${process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"}` };

    // A /24 of 10.100-199.x.0 per node, on a bridge of its own: nodes of parallel test workers do not collide,
    // and neither do networks this host already routes.
    const routes = (await runCommand("ip", ["-4", "route", "show"])).stdout;
    let prefix: string;
    do prefix = `10.${100 + crypto.randomInt(100)}.${crypto.randomInt(256)}.`;
    while (routes.split("\n").some((r) => r.startsWith(prefix)));
    const podCidr = `${prefix}0/24`;
    const hostIp = `${prefix}1`;
    const bridge = `kbk${id}`;
    const cgroupRoot = `/kube-backup-${id}`;
    const sock = path.join(dir, "containerd.sock");

    const started: Array<{ stop(): Promise<void> }> = [];
    // What to release if this process dies without stop(): the next startNode reaps it (reapOrphanedNodes).
    const state: NodeState = { ownerPid: process.pid, dir, sock, cgroupRoot };
    const stateFile = path.join(logDir, STATE_FILE);
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const ctr = async (args: string[]) =>
        (await runCommand(ctrBin, ["-a", sock, "-n", CRI_NAMESPACE, ...args], { env, timeoutMs: 120000 })).stdout;

    const teardown = async () => {
        const leftovers: string[] = [];
        // kubelet and the scheduler first, so nothing restarts the containers being removed.
        const procs = started.splice(0).reverse();
        const ctd = procs.find((p) => (p as ManagedProcess).name === "containerd");
        for (const p of procs) if (p !== ctd) await p.stop();
        if (ctd && (ctd as ManagedProcess).running()) {
            try {
                const tasks = (await ctr(["tasks", "ls", "-q"])).split("\n").filter(Boolean);
                for (const t of tasks) await ctr(["tasks", "kill", "-s", "SIGKILL", t]).catch(() => undefined);
                for (const t of tasks) await ctr(["tasks", "delete", "-f", t]).catch(() => undefined);
            } catch (err) {
                leftovers.push(`containers: ${String(err)}`);
            }
            await ctd.stop();
        }
        leftovers.push(...(await releaseNode(state)));
        fs.rmSync(stateFile, { force: true });
        if (leftovers.length) process.stderr.write(`local node ${name}: left behind:\n${leftovers.join("\n")}\n`);
    };

    try {
        // The bridge exists before any pod, so host servers can listen on its address from the start.
        await runCommand("ip", ["link", "add", "name", bridge, "type", "bridge"]).catch((err) => {
            throw new Error(`the local node needs Linux bridges (CNI bridge plugin): ${String(err)}`, { cause: err });
        });
        state.bridge = bridge;
        fs.writeFileSync(stateFile, JSON.stringify(state));
        await runCommand("ip", ["addr", "add", `${hostIp}/24`, "dev", bridge]);
        await runCommand("ip", ["link", "set", bridge, "up"]);

        fs.mkdirSync(path.join(dir, "cni-conf"), { recursive: true });
        fs.writeFileSync(
            path.join(dir, "cni-conf", "10-kube-backup.conflist"),
            JSON.stringify({
                cniVersion: "1.0.0",
                name: "kube-backup",
                plugins: [
                    {
                        type: "bridge",
                        bridge,
                        isGateway: true,
                        // No masquerade (it needs iptables): pods only talk to this host.
                        ipMasq: false,
                        hairpinMode: true,
                        ipam: {
                            type: "host-local",
                            ranges: [[{ subnet: podCidr, gateway: hostIp }]],
                            routes: [{ dst: "0.0.0.0/0" }],
                            dataDir: path.join(dir, "cni-ipam"),
                        },
                    },
                ],
            }),
        );
        const toml = (s: string) => JSON.stringify(s);
        fs.writeFileSync(
            path.join(dir, "containerd.toml"),
            [
                "version = 2",
                `root = ${toml(path.join(dir, "containerd", "root"))}`,
                `state = ${toml(path.join(dir, "containerd", "state"))}`,
                'disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",',
                '  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]',
                "[grpc]",
                `  address = ${toml(sock)}`,
                '[plugins."io.containerd.internal.v1.opt"]',
                `  path = ${toml(path.join(dir, "containerd", "opt"))}`,
                '[plugins."io.containerd.grpc.v1.cri"]',
                `  sandbox_image = ${toml(PAUSE_IMAGE)}`,
                "  netns_mounts_under_state_dir = true",
                // Lowering oom_score_adj (kubelet asks -998 for sandboxes) needs CAP_SYS_RESOURCE in the initial user
                // namespace; sandboxed machines deny it (EACCES on /proc/self/oom_score_adj): cap it at containerd's own.
                "  restrict_oom_score_adj = true",
                '  [plugins."io.containerd.grpc.v1.cri".containerd]',
                '    snapshotter = "overlayfs"',
                '    default_runtime_name = "runc"',
                '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
                '      runtime_type = "io.containerd.runc.v2"',
                '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
                `        BinaryName = ${toml(runc)}`,
                `        Root = ${toml(path.join(dir, "runc"))}`,
                "        SystemdCgroup = false",
                '  [plugins."io.containerd.grpc.v1.cri".cni]',
                `    bin_dir = ${toml(cniDir)}`,
                `    conf_dir = ${toml(path.join(dir, "cni-conf"))}`,
                "",
            ].join("\n"),
        );
        const containerdProc = await spawnProcess({
            name: "containerd",
            command: containerd,
            args: ["--config", path.join(dir, "containerd.toml")],
            env,
            dir: logDir,
            cwd: dir,
            readyTimeoutMs: timeout,
            ready: async () => fs.existsSync(sock) && (await ctr(["version"]).then(() => true)),
        });
        started.push(containerdProc);

        const images: string[] = [];
        for (const f of fs.readdirSync(imagesDir).sort()) {
            const out = await ctr(["images", "import", path.join(imagesDir, f)]);
            const m = /unpacking (\S+)/.exec(out);
            if (!m) throw new Error(`ctr images import ${f} named no image: ${out}`);
            images.push(m[1]);
        }

        // The node's client certificate: the Node authorizer and the NodeRestriction rules know it by this name.
        const pki = path.join(dir, "pki");
        fs.mkdirSync(pki, { recursive: true });
        const cert = cp.ca.issue(`kubelet-${id}`, { cn: `system:node:${name}`, org: "system:nodes", client: true });
        const kubeconfig = path.join(dir, "kubelet.kubeconfig");
        fs.writeFileSync(kubeconfig, cp.kubeconfigFor(cert), { mode: 0o600 });
        // kubelet requires its cgroup root to exist in every hierarchy already.
        for (const d of cgroupDirs(cgroupRoot)) fs.mkdirSync(d, { recursive: true });
        const [port, healthzPort] = [await freePort(), await freePort()];
        const config = {
            apiVersion: "kubelet.config.k8s.io/v1beta1",
            kind: "KubeletConfiguration",
            // cgroup v1 is what these machines have: kubelet ≥ 1.35 refuses it unless told not to.
            failCgroupV1: false,
            cgroupDriver: "cgroupfs",
            // Its own cgroup root, so parallel nodes' pods never share kubepods.
            cgroupRoot,
            failSwapOn: false,
            cpuManagerPolicy: "none",
            containerRuntimeEndpoint: `unix://${sock}`,
            authentication: {
                anonymous: { enabled: false },
                webhook: { enabled: false },
                x509: { clientCAFile: cp.ca.certFile },
            },
            authorization: { mode: "AlwaysAllow" },
            // On the bridge: the API server reaches it there (logs), and it is the node's InternalIP, so
            // status.hostIP (the etcd job's default endpoint host) is an address pods can reach.
            address: hostIp,
            port,
            readOnlyPort: 0,
            healthzBindAddress: "127.0.0.1",
            healthzPort,
            registerWithTaints: [{ key: CONTROL_PLANE_ROLE, effect: "NoSchedule" }],
            // A shared test machine's disk and memory are not this node's: never evict, never collect images.
            evictionHard: {
                "memory.available": "1Mi",
                "nodefs.available": "1%",
                "imagefs.available": "1%",
                "nodefs.inodesFree": "1%",
            },
            imageGCHighThresholdPercent: 100,
            imageGCLowThresholdPercent: 99,
            podLogsDir: path.join(dir, "pod-logs"),
            volumePluginDir: path.join(dir, "volume-plugins"),
            syncFrequency: "5s",
            resolvConf: "/etc/resolv.conf",
            serializeImagePulls: false,
        };
        fs.writeFileSync(path.join(dir, "kubelet.json"), JSON.stringify(config, null, 2));
        const kubeletProc = await spawnProcess({
            name: "kubelet",
            command: kubelet,
            args: [
                `--config=${path.join(dir, "kubelet.json")}`,
                `--kubeconfig=${kubeconfig}`,
                `--root-dir=${path.join(dir, "kubelet")}`,
                `--hostname-override=${name}`,
                `--node-ip=${hostIp}`,
            ],
            env,
            dir: logDir,
            cwd: dir,
            readyTimeoutMs: timeout,
            ready: async () => {
                const res = await cp.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
                    "GET",
                    `/api/v1/nodes/${name}`,
                );
                return !!res.body.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
            },
        });
        started.push(kubeletProc);

        // kubelet may not set node-role labels itself (--node-labels refuses kubernetes.io names): label as an admin.
        const patched = await httpRequest(`${cp.server}/api/v1/nodes/${name}`, {
            ...adminTls(cp),
            method: "PATCH",
            headers: { "Content-Type": "application/merge-patch+json" },
            body: Buffer.from(JSON.stringify({ metadata: { labels: { [CONTROL_PLANE_ROLE]: "" } } })),
            timeoutMs: 15000,
        });
        if (patched.status !== 200) throw new Error(`labelling node ${name} failed: ${patched.status} ${patched.body}`);

        const schedulerPort = await freePort();
        const schedulerProc = await spawnProcess({
            name: "kube-scheduler",
            command: scheduler,
            args: [
                `--kubeconfig=${cp.kubeconfigPath}`,
                `--authentication-kubeconfig=${cp.kubeconfigPath}`,
                `--authorization-kubeconfig=${cp.kubeconfigPath}`,
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                `--secure-port=${schedulerPort}`,
                `--cert-dir=${path.join(dir, "scheduler-certs")}`,
                "--profiling=false",
            ],
            dir: logDir,
            cwd: dir,
            readyTimeoutMs: timeout,
            ready: async () =>
                (
                    await httpRequest(`https://127.0.0.1:${schedulerPort}/healthz`, {
                        rejectUnauthorized: false,
                        timeoutMs: 3000,
                    })
                ).status === 200,
        });
        started.push(schedulerProc);

        const volumes = await createLocalVolumes(cp, path.join(dir, "volumes"), name);
        return {
            name,
            hostIp,
            podCidr,
            containerdSocket: sock,
            logDir,
            images,
            volumes,
            ctr,
            stop: teardown,
        };
    } catch (err) {
        await teardown();
        throw err;
    }
}

const STATE_FILE = "node-state.json";

interface NodeState {
    ownerPid: number;
    dir: string;
    sock: string;
    cgroupRoot: string;
    bridge?: string;
}

function killAll(pids: number[]): void {
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // gone
        }
    }
}

/** PIDs in a cgroup tree (the containers' processes, wherever their shim went). */
function cgroupPids(dir: string): number[] {
    const pids: number[] = [];
    const walk = (d: string) => {
        try {
            for (const line of fs.readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n"))
                if (/^\d+$/.test(line)) pids.push(Number(line));
            for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
        } catch {
            // removed meanwhile
        }
    };
    walk(dir);
    return pids;
}

/**
 * Releases what a node holds on the host once containerd is gone: its shims (their command line names its
 * socket) and every process left in its cgroups, its mounts, its bridge, its cgroup tree and its directory.
 * Returns what could not be released.
 */
async function releaseNode(st: NodeState): Promise<string[]> {
    const leftovers: string[] = [];
    killAll(pidsMentioning(st.sock));
    const cgroups = cgroupDirs(st.cgroupRoot).filter((x) => fs.existsSync(x));
    for (let attempt = 0; attempt < 20; attempt++) {
        const pids = [...new Set(cgroups.flatMap(cgroupPids))];
        if (!pids.length) break;
        killAll(pids);
        await new Promise((r) => setTimeout(r, 100));
    }
    for (const m of mountsUnder(st.dir)) {
        await runCommand("umount", ["-l", m]).catch((err) => leftovers.push(`umount ${m}: ${String(err)}`));
    }
    if (st.bridge) await runCommand("ip", ["link", "del", st.bridge]).catch(() => undefined);
    for (const d of cgroups) {
        removeCgroupTree(d);
        if (fs.existsSync(d)) leftovers.push(`cgroup ${d} still has processes`);
    }
    fs.rmSync(st.dir, { recursive: true, force: true });
    return leftovers;
}

/** Releases the nodes of test processes that died without stop() (killed by a timeout, SIGKILL, a crash). */
async function reapOrphanedNodes(logsDir: string): Promise<void> {
    for (const name of fs.existsSync(logsDir) ? fs.readdirSync(logsDir) : []) {
        const file = path.join(logsDir, name, STATE_FILE);
        let st: NodeState;
        try {
            st = JSON.parse(fs.readFileSync(file, "utf8")) as NodeState;
        } catch {
            continue;
        }
        let alive = true;
        try {
            process.kill(st.ownerPid, 0);
        } catch {
            alive = false;
        }
        if (alive) continue;
        // containerd and kubelet were children of the dead process (killed with it by processes.ts's exit hook,
        // or orphaned): stop whatever still names this node's socket or directory first.
        killAll([...pidsMentioning(st.sock), ...pidsMentioning(st.dir)]);
        const leftovers = await releaseNode(st);
        fs.rmSync(file, { force: true });
        process.stderr.write(
            `local node: released the orphaned ${name} of dead process ${st.ownerPid}` +
                (leftovers.length ? `; left behind:\n${leftovers.join("\n")}` : "") +
                "\n",
        );
    }
}

/** Keeps the log directories of the last day's nodes: a failed run's logs stay readable, old ones go. */
function pruneOldLogs(logsDir: string): void {
    const cutoff = Date.now() - 24 * 3600 * 1000;
    for (const name of fs.existsSync(logsDir) ? fs.readdirSync(logsDir) : []) {
        const d = path.join(logsDir, name);
        if (/^node-[0-9a-f]{6}$/.test(name) && fs.statSync(d).mtimeMs < cutoff)
            fs.rmSync(d, { recursive: true, force: true });
    }
}

function adminTls(cp: NodeControlPlane): { ca: string; cert: string; key: string } {
    return { ca: cp.ca.certPem, cert: cp.admin.certPem, key: cp.admin.keyPem };
}

/**
 * A default StorageClass without a provisioner and `count` hostPath PersistentVolumes of it, each a world-writable
 * directory (hostPath volumes ignore fsGroup, and the job pods run as non-root), pinned to this node.
 */
async function createLocalVolumes(
    cp: NodeControlPlane,
    root: string,
    nodeName: string,
    count = 6,
): Promise<Record<string, string>> {
    const must = async (what: string, p: Promise<{ status: number; body: unknown }>) => {
        const res = await p;
        if (res.status >= 300 && res.status !== 409) {
            throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
        }
    };
    await must(
        `creating StorageClass ${LOCAL_STORAGE_CLASS}`,
        cp.request("POST", "/apis/storage.k8s.io/v1/storageclasses", {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: {
                name: LOCAL_STORAGE_CLASS,
                annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
            },
            provisioner: "kubernetes.io/no-provisioner",
            volumeBindingMode: "Immediate",
            reclaimPolicy: "Retain",
        }),
    );
    const volumes: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
        const pvName = `${nodeName}-pv${i}`;
        const hostDir = path.join(root, `pv${i}`);
        fs.mkdirSync(hostDir, { recursive: true });
        fs.chmodSync(hostDir, 0o777);
        await must(
            `creating PersistentVolume ${pvName}`,
            cp.request("POST", "/api/v1/persistentvolumes", {
                apiVersion: "v1",
                kind: "PersistentVolume",
                metadata: { name: pvName },
                spec: {
                    capacity: { storage: "1Gi" },
                    accessModes: ["ReadWriteOnce"],
                    persistentVolumeReclaimPolicy: "Retain",
                    storageClassName: LOCAL_STORAGE_CLASS,
                    hostPath: { path: hostDir, type: "Directory" },
                    nodeAffinity: {
                        required: {
                            nodeSelectorTerms: [
                                {
                                    matchExpressions: [
                                        { key: "kubernetes.io/hostname", operator: "In", values: [nodeName] },
                                    ],
                                },
                            ],
                        },
                    },
                },
            }),
        );
        volumes[pvName] = hostDir;
    }
    return volumes;
}
