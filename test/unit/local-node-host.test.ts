// The local node's host check names the missing privilege or kernel feature (tools/local/node.ts), here against
// fake /proc and /sys/fs/cgroup trees.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkNodeHost } from "../../tools/local/node";

let root: string;

const host = (over: { uid?: number; filesystems?: string; controllers?: string[]; v2?: boolean } = {}) => {
    const proc = path.join(root, "proc");
    const cgroup = path.join(root, "cgroup");
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(proc, { recursive: true });
    fs.mkdirSync(cgroup, { recursive: true });
    fs.writeFileSync(path.join(proc, "filesystems"), over.filesystems ?? "nodev\ttmpfs\n\text4\nnodev\toverlay\n");
    if (over.v2) fs.writeFileSync(path.join(cgroup, "cgroup.controllers"), "cpu memory pids\n");
    for (const c of over.controllers ?? ["cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer"]) {
        fs.mkdirSync(path.join(cgroup, c));
        fs.writeFileSync(path.join(cgroup, c, "tasks"), "");
    }
    return { uid: over.uid ?? 0, proc, cgroup };
};

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "kb-node-host-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test("a host with root, overlayfs and every cgroup v1 controller passes", () => {
    expect(() => checkNodeHost(host())).not.toThrow();
});

test("cgroup v2 needs no per-controller hierarchies", () => {
    expect(() => checkNodeHost(host({ v2: true, controllers: [] }))).not.toThrow();
});

test("not root: names root", () => {
    expect(() => checkNodeHost(host({ uid: 1000 }))).toThrow(/needs root/);
});

test("no overlay in /proc/filesystems: names overlayfs", () => {
    expect(() => checkNodeHost(host({ filesystems: "nodev\ttmpfs\n\text4\n" }))).toThrow(
        /needs overlayfs.*'overlay' is not in .*filesystems/,
    );
});

test("a cgroup v1 controller that is not mounted: names it", () => {
    expect(() =>
        checkNodeHost(host({ controllers: ["cpu", "cpuacct", "cpuset", "pids", "devices", "freezer"] })),
    ).toThrow(/cgroup v1 controller 'memory' mounted at .*cgroup\/memory/);
});
