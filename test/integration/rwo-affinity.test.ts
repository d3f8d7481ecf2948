// ReadWriteOnce placement against a real API server: the StatefulSet controller creates a 3-replica
// StatefulSet's Pods and claims, and the pod affinity PvcBackupSchedule renders for each claim must select
// exactly the one Pod that mounts that claim (the API server evaluates the label selector).
import { plain, reset, settle } from "../unit/components/mocks";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import type * as C from "../../components";

jest.setTimeout(300000);

const NS = "kb-rwo";
let cluster: ClusterHandle;
let c: typeof C;

beforeAll(async () => {
    c = await import("../../components");
    cluster = await startCluster();
    const ns = await cluster.request("POST", "/api/v1/namespaces", { metadata: { name: NS } });
    expect(ns.status).toBe(201);
    const sts = await cluster.request("POST", `/apis/apps/v1/namespaces/${NS}/statefulsets`, {
        metadata: { name: "db" },
        spec: {
            replicas: 3,
            // Without a kubelet no Pod becomes Ready; Parallel lets the controller create all three at once.
            podManagementPolicy: "Parallel",
            serviceName: "db",
            selector: { matchLabels: { app: "db" } },
            template: {
                metadata: { labels: { app: "db" } },
                spec: {
                    containers: [
                        {
                            name: "db",
                            image: "registry.example/db:1",
                            volumeMounts: [{ name: "data", mountPath: "/var/lib/db" }],
                        },
                    ],
                },
            },
            volumeClaimTemplates: [
                {
                    metadata: { name: "data" },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
                },
            ],
        },
    });
    expect(sts.status).toBe(201);
    await cluster.waitFor("the StatefulSet's three Pods", async () => {
        const pods = await cluster.request("GET", `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Ddb`);
        return pods.body.items?.length === 3;
    });
});

afterAll(async () => {
    await cluster?.stop();
});

async function podsMatching(matchLabels: Record<string, string>): Promise<any[]> {
    const selector = Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    const r = await cluster.request(
        "GET",
        `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(selector)}`,
    );
    expect(r.status).toBe(200);
    return r.body.items;
}

test("each claim's backup pod affinity selects exactly the Pod that mounts that claim", async () => {
    const claims = (await cluster.request("GET", `/api/v1/namespaces/${NS}/persistentvolumeclaims`)).body.items
        .map((p: any) => p.metadata.name)
        .sort();
    expect(claims).toEqual(["data-db-0", "data-db-1", "data-db-2"]);

    reset();
    new c.PvcBackupSchedule("bk", {
        schedule: "0 3 * * *",
        namespace: NS,
        pvcNames: claims,
        statefulSet: "db",
        accessMode: "ReadWriteOnce",
        storage: { bucket: { bucket: "backups" } },
    });
    const cronJobs = (await settle())
        .filter((r) => r.type === "kubernetes:batch/v1:CronJob")
        .map((r) => plain(r.inputs));
    expect(cronJobs).toHaveLength(3);
    for (const cj of cronJobs) {
        const pod = cj.spec.jobTemplate.spec.template.spec;
        const claim = pod.volumes.find((v: any) => v.name === "data").persistentVolumeClaim.claimName;
        const [term, ...more] = pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution;
        expect(more).toEqual([]);
        expect(term.topologyKey).toBe("kubernetes.io/hostname");
        expect(term.namespaces).toEqual([NS]);
        const selected = await podsMatching(term.labelSelector.matchLabels);
        expect(selected.map((p) => p.metadata.name)).toHaveLength(1);
        const mounted = selected[0].spec.volumes
            .filter((v: any) => v.persistentVolumeClaim)
            .map((v: any) => v.persistentVolumeClaim.claimName);
        expect({ claim, mountedBy: selected[0].metadata.name, mounts: mounted }).toEqual({
            claim,
            mountedBy: selected[0].metadata.name,
            mounts: [claim],
        });
    }
});

test("one label selector for every claim (the StatefulSet's own labels) would select all three Pods", async () => {
    expect(await podsMatching({ app: "db" })).toHaveLength(3);
});
