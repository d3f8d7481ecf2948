// The local control plane the e2e tier deploys to: the API server stores objects and kube-controller-manager
// really reconciles them (service accounts, Job → Pod, garbage collection, foreground deletion, namespaces).
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import { httpRequest } from "../../tools/local/processes";

jest.setTimeout(300000);

describe("local Kubernetes control plane", () => {
    let cluster: ClusterHandle;
    const ns = "kb-cluster-test";

    beforeAll(async () => {
        cluster = await startCluster();
    });
    afterAll(async () => {
        await cluster?.stop();
    });

    const cronJob = {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "etcd-backup" },
        spec: {
            schedule: "0 3 * * *",
            jobTemplate: {
                spec: {
                    backoffLimit: 0,
                    template: {
                        spec: {
                            restartPolicy: "Never",
                            containers: [
                                { name: "backup", image: "busybox:1.36", command: ["sh", "-c", "echo backup"] },
                            ],
                        },
                    },
                },
            },
        },
    };

    it("serves an admin kubeconfig on loopback with a stamped version", async () => {
        expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(cluster.kubeconfig).toContain(`server: ${cluster.server}`);
        const version = await cluster.request("GET", "/version");
        expect(version.status).toBe(200);
        expect(version.body.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
        expect(version.body.major).toBe("1");
    });

    it("treats a request without a client certificate as anonymous and forbids it", async () => {
        const res = await httpRequest(`${cluster.server}/api/v1/namespaces`, { ca: cluster.ca.certPem });
        expect(res.status).toBe(403);
        expect(JSON.parse(res.body).message).toContain("system:anonymous");
    });

    it("creates a namespace and its default service account (serviceaccount controller)", async () => {
        const created = await cluster.request("POST", "/api/v1/namespaces", { metadata: { name: ns } });
        expect(created.status).toBe(201);
        await cluster.waitFor(
            "the default ServiceAccount",
            async () =>
                (await cluster.request("GET", `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200,
        );
    });

    it("runs a Job created from a CronJob and garbage-collects it with the CronJob", async () => {
        const cj = await cluster.request("POST", `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob);
        expect(cj.status).toBe(201);
        // What `kubectl create job --from=cronjob/etcd-backup` sends.
        const job = await cluster.request("POST", `/apis/batch/v1/namespaces/${ns}/jobs`, {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: {
                name: "etcd-backup-manual",
                annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
                ownerReferences: [
                    {
                        apiVersion: "batch/v1",
                        kind: "CronJob",
                        name: "etcd-backup",
                        uid: cj.body.metadata.uid,
                        controller: true,
                    },
                ],
            },
            spec: cj.body.spec.jobTemplate.spec,
        });
        expect(job.status).toBe(201);

        // The job controller creates the Pod (it stays Pending: there is no kubelet) and counts it active.
        const pods = await cluster.waitFor("the Job's Pod", async () => {
            const list = await cluster.request(
                "GET",
                `/api/v1/namespaces/${ns}/pods?labelSelector=job-name%3Detcd-backup-manual`,
            );
            return list.body.items?.length ? list.body.items : undefined;
        });
        expect(pods[0].metadata.ownerReferences[0]).toMatchObject({
            kind: "Job",
            name: "etcd-backup-manual",
            controller: true,
        });
        await cluster.waitFor(
            "Job status.active=1",
            async () =>
                (await cluster.request("GET", `/apis/batch/v1/namespaces/${ns}/jobs/etcd-backup-manual`)).body.status
                    ?.active === 1,
        );

        const del = await cluster.request("DELETE", `/apis/batch/v1/namespaces/${ns}/cronjobs/etcd-backup`, {
            kind: "DeleteOptions",
            apiVersion: "v1",
            propagationPolicy: "Background",
        });
        expect([200, 202]).toContain(del.status);
        await cluster.waitFor(
            "the garbage collector to delete the Job",
            async () =>
                (await cluster.request("GET", `/apis/batch/v1/namespaces/${ns}/jobs/etcd-backup-manual`)).status ===
                404,
        );
    });

    it("completes a foreground deletion (what pulumi-kubernetes uses) once the GC removed the dependents", async () => {
        const cj = await cluster.request("POST", `/apis/batch/v1/namespaces/${ns}/cronjobs`, {
            ...cronJob,
            metadata: { name: "foreground" },
        });
        expect(cj.status).toBe(201);
        const job = await cluster.request("POST", `/apis/batch/v1/namespaces/${ns}/jobs`, {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: {
                name: "foreground-dependent",
                ownerReferences: [
                    {
                        apiVersion: "batch/v1",
                        kind: "CronJob",
                        name: "foreground",
                        uid: cj.body.metadata.uid,
                        controller: true,
                        blockOwnerDeletion: true,
                    },
                ],
            },
            spec: cj.body.spec.jobTemplate.spec,
        });
        expect(job.status).toBe(201);
        const del = await cluster.request("DELETE", `/apis/batch/v1/namespaces/${ns}/cronjobs/foreground`, {
            kind: "DeleteOptions",
            apiVersion: "v1",
            propagationPolicy: "Foreground",
        });
        expect([200, 202]).toContain(del.status);
        // The API server only marks the owner; the garbage collector must delete the dependent and drop the finalizer.
        expect({
            finalizers: del.body.metadata?.finalizers,
            deleting: Boolean(del.body.metadata?.deletionTimestamp),
        }).toEqual({
            finalizers: ["foregroundDeletion"],
            deleting: true,
        });
        await cluster.waitFor(
            "the garbage collector to delete the dependent Job",
            async () =>
                (await cluster.request("GET", `/apis/batch/v1/namespaces/${ns}/jobs/foreground-dependent`)).status ===
                404,
        );
        await cluster.waitFor(
            "the foregroundDeletion finalizer to be removed",
            async () =>
                (await cluster.request("GET", `/apis/batch/v1/namespaces/${ns}/cronjobs/foreground`)).status === 404,
        );
    });

    it("deletes a namespace and everything in it (namespace controller)", async () => {
        const del = await cluster.request("DELETE", `/api/v1/namespaces/${ns}`);
        expect([200, 202]).toContain(del.status);
        await cluster.waitFor(
            "the namespace to leave Terminating",
            async () => (await cluster.request("GET", `/api/v1/namespaces/${ns}`)).status === 404,
            120000,
        );
    });
});
