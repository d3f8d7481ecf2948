// The local node: kubelet, containerd and runc run Pods for the local control plane, in the images the toolchain
// builds (imported under the default images' names), on a control-plane node, with claims bound to local volumes.
import { DEFAULT_ETCD_IMAGE, DEFAULT_TOOLS_IMAGE } from "../../components/etcd";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import { PAUSE_IMAGE } from "../../tools/local/node";

jest.setTimeout(900_000);

let cluster: ClusterHandle;

beforeAll(async () => {
    cluster = await startCluster({ node: true });
});

afterAll(async () => {
    await cluster?.stop();
});

const get = (apiPath: string) => cluster.get(apiPath);
const create = async (apiPath: string, body: unknown) => {
    const r = await cluster.request("POST", apiPath, body);
    if (r.status !== 201) throw new Error(`POST ${apiPath} → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
};

async function podLog(ns: string, name: string): Promise<string> {
    const r = await cluster.request("GET", `/api/v1/namespaces/${ns}/pods/${name}/log`);
    return typeof r.body === "string" ? r.body : JSON.stringify(r.body);
}

async function waitForPhase(ns: string, name: string, phases: string[], timeoutMs = 120000) {
    return cluster.waitFor(
        `pod ${ns}/${name} in ${phases.join("/")}`,
        async () => {
            const pod = await get(`/api/v1/namespaces/${ns}/pods/${name}`);
            return phases.includes(pod.status?.phase) ? pod : undefined;
        },
        timeoutMs,
    );
}

test("the node registers Ready as a control-plane node, tainted, with the images built here", async () => {
    const node = cluster.node!;
    const obj = await get(`/api/v1/nodes/${node.name}`);
    expect(obj.metadata.labels["node-role.kubernetes.io/control-plane"]).toBe("");
    expect(obj.spec.taints).toEqual(
        expect.arrayContaining([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]),
    );
    expect(obj.status.conditions.find((c: { type: string }) => c.type === "Ready").status).toBe("True");
    // Exactly the names the components render, so their manifests run unchanged.
    expect(node.images.sort()).toEqual([DEFAULT_TOOLS_IMAGE, DEFAULT_ETCD_IMAGE, PAUSE_IMAGE].sort());
});

test("a pod of the tools image is scheduled, runs as its user on the pod network and exits 0", async () => {
    const ns = "node-smoke";
    await create("/api/v1/namespaces", { metadata: { name: ns } });
    await create(`/api/v1/namespaces/${ns}/pods`, {
        metadata: { name: "hello" },
        spec: {
            restartPolicy: "Never",
            tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
            securityContext: { runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true },
            containers: [
                {
                    name: "main",
                    image: DEFAULT_TOOLS_IMAGE,
                    command: ["/bin/sh", "-c", "rclone version | head -n 1; id -u; ip -4 addr show eth0 | grep inet"],
                },
            ],
        },
    });
    const pod = await waitForPhase(ns, "hello", ["Succeeded", "Failed"]);
    const log = await podLog(ns, "hello");
    expect({ phase: pod.status.phase, log }).toEqual({
        phase: "Succeeded",
        log: expect.stringContaining("rclone v1.76.0"),
    });
    expect(log).toContain("65532");
    expect(pod.spec.nodeName).toBe(cluster.node!.name);
    expect(pod.status.podIP.split(".").slice(0, 3).join(".")).toBe(
        cluster.node!.hostIp.split(".").slice(0, 3).join("."),
    );
});
