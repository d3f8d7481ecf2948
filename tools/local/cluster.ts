// A local Kubernetes control plane for tests: etcd + kube-apiserver + kube-controller-manager on loopback,
// with its own CA, serving certificate, service-account signing keys and an admin kubeconfig. Without `node`
// there is no kubelet, scheduler or container runtime: objects are stored and controllers reconcile them
// (CronJob → Job → Pod objects, garbage collection, namespace deletion), but no Pod ever runs. With `node: true`
// a real node joins (./node.ts: containerd, runc, kubelet, kube-scheduler) and Pods run.
import * as fs from "fs";
import * as path from "path";
import {
    CertificateAuthority,
    CertPair,
    EtcdHandle,
    ManagedProcess,
    createCertificateAuthority,
    createRsaKeyPair,
    freePort,
    httpRequest,
    makeTempDir,
    spawnProcess,
    startEtcd,
} from "./processes";
import { NodeHandle, startNode } from "./node";
import { toolPath } from "./toolchain";

export interface KubeResponse<T = any> {
    status: number;
    body: T;
}

export interface ClusterHandle {
    /** https://127.0.0.1:PORT */
    server: string;
    kubeconfigPath: string;
    /** The admin kubeconfig (system:masters client certificate, embedded PEM data). */
    kubeconfig: string;
    ca: CertificateAuthority;
    admin: CertPair;
    etcd: EtcdHandle;
    dir: string;
    /** The node, when started with `node: true`. */
    node?: NodeHandle;
    /** Calls the API server as the admin user; JSON bodies in and out. Never throws on an HTTP status. */
    request<T = any>(method: string, apiPath: string, body?: unknown): Promise<KubeResponse<T>>;
    /** GETs an object as the admin user; throws with the status and body unless it is 200. */
    get<T = any>(apiPath: string): Promise<T>;
    /** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
    waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
    stop(): Promise<void>;
}

function b64(pem: string): string {
    return Buffer.from(pem).toString("base64");
}

export function renderKubeconfig(server: string, caPem: string, user: CertPair, name = "kube-backup-local"): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: ${name}`,
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${b64(caPem)}`,
        "users:",
        "- name: admin",
        "  user:",
        `    client-certificate-data: ${b64(user.certPem)}`,
        `    client-key-data: ${b64(user.keyPem)}`,
        "contexts:",
        `- name: ${name}`,
        "  context:",
        `    cluster: ${name}`,
        "    user: admin",
        `current-context: ${name}`,
        "",
    ].join("\n");
}

export async function startCluster(options: { readyTimeoutMs?: number; node?: boolean } = {}): Promise<ClusterHandle> {
    const apiserverBin = toolPath("kube-apiserver");
    const kcmBin = toolPath("kube-controller-manager");
    const dir = makeTempDir("cluster");
    const pki = path.join(dir, "pki");
    const ca = createCertificateAuthority(pki, "kube-backup local cluster CA");
    const serving = ca.issue("apiserver", {
        cn: "kube-apiserver",
        ips: ["127.0.0.1", "10.0.0.1"],
        dns: [
            "localhost",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
        ],
        server: true,
    });
    const admin = ca.issue("admin", { cn: "kube-backup-admin", org: "system:masters", client: true });
    const sa = createRsaKeyPair(pki, "service-account");

    const started: Array<{ stop(): Promise<void> }> = [];
    const stopAll = async () => {
        for (const p of started.reverse()) await p.stop();
        started.length = 0;
    };

    try {
        const etcd = await startEtcd({ dataDir: path.join(dir, "etcd") });
        started.push(etcd);

        const port = await freePort();
        const server = `https://127.0.0.1:${port}`;
        const tls = { ca: ca.certPem, cert: admin.certPem, key: admin.keyPem };
        const timeout = options.readyTimeoutMs ?? 120000;
        const apiserver: ManagedProcess = await spawnProcess({
            name: "kube-apiserver",
            command: apiserverBin,
            dir,
            args: [
                `--etcd-servers=${etcd.endpoint}`,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                `--secure-port=${port}`,
                `--cert-dir=${path.join(dir, "apiserver-certs")}`,
                `--tls-cert-file=${serving.certFile}`,
                `--tls-private-key-file=${serving.keyFile}`,
                `--client-ca-file=${ca.certFile}`,
                // Node: what a kubelet may read (its pods' Secrets, ConfigMaps, claims), as in a real cluster.
                "--authorization-mode=Node,RBAC",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                `--service-account-key-file=${sa.publicKeyFile}`,
                `--service-account-signing-key-file=${sa.privateKeyFile}`,
                // The `kubernetes` Service's endpoints would have to be a non-loopback address: nothing needs them here.
                "--endpoint-reconciler-type=none",
                "--profiling=false",
                // For a node's logs: its InternalIP (node names do not resolve), as the admin.
                "--kubelet-preferred-address-types=InternalIP",
                `--kubelet-client-certificate=${admin.certFile}`,
                `--kubelet-client-key=${admin.keyFile}`,
            ],
            readyTimeoutMs: timeout,
            ready: async () => (await httpRequest(`${server}/readyz`, { ...tls, timeoutMs: 3000 })).status === 200,
        });
        started.push(apiserver);

        const kubeconfig = renderKubeconfig(server, ca.certPem, admin);
        const kubeconfigPath = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

        const kcmPort = await freePort();
        const kcm = await spawnProcess({
            name: "kube-controller-manager",
            command: kcmBin,
            dir,
            args: [
                `--kubeconfig=${kubeconfigPath}`,
                `--authentication-kubeconfig=${kubeconfigPath}`,
                `--authorization-kubeconfig=${kubeconfigPath}`,
                "--bind-address=127.0.0.1",
                `--secure-port=${kcmPort}`,
                `--cert-dir=${path.join(dir, "kcm-certs")}`,
                "--controllers=*",
                "--leader-elect=false",
                `--service-account-private-key-file=${sa.privateKeyFile}`,
                `--root-ca-file=${ca.certFile}`,
                `--cluster-signing-cert-file=${ca.certFile}`,
                `--cluster-signing-key-file=${ca.keyFile}`,
                "--profiling=false",
            ],
            readyTimeoutMs: timeout,
            ready: async () =>
                (
                    await httpRequest(`https://127.0.0.1:${kcmPort}/healthz`, {
                        rejectUnauthorized: false,
                        timeoutMs: 3000,
                    })
                ).status === 200,
        });
        started.push(kcm);

        const request = async (method: string, apiPath: string, body?: unknown): Promise<KubeResponse> => {
            const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
            const res = await httpRequest(`${server}${apiPath}`, {
                ...tls,
                method,
                headers: { "Content-Type": "application/json", Accept: "application/json" },
                body: payload,
                timeoutMs: 15000,
            });
            let parsed: unknown = res.body;
            try {
                parsed = JSON.parse(res.body);
            } catch {
                // not JSON (e.g. plain-text errors): keep the text
            }
            return { status: res.status, body: parsed };
        };

        const get = async (apiPath: string) => {
            const r = await request("GET", apiPath);
            if (r.status !== 200) throw new Error(`GET ${apiPath} → ${r.status}: ${JSON.stringify(r.body)}`);
            return r.body;
        };

        const waitFor = async <T>(
            what: string,
            check: () => Promise<T | undefined | false>,
            timeoutMs = 60000,
        ): Promise<T> => {
            const deadline = Date.now() + timeoutMs;
            let lastError: unknown;
            for (;;) {
                try {
                    const value = await check();
                    if (value) return value;
                } catch (err) {
                    lastError = err;
                }
                if (Date.now() > deadline) {
                    throw new Error(
                        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}\n` +
                            `kube-controller-manager log:\n${kcm.logTail(30)}`,
                    );
                }
                await new Promise((r) => setTimeout(r, 250));
            }
        };

        let node: NodeHandle | undefined;
        if (options.node) {
            node = await startNode({
                server,
                dir,
                ca,
                admin,
                kubeconfigPath,
                kubeconfigFor: (user) => renderKubeconfig(server, ca.certPem, user),
                request,
            });
            started.push(node);
        }

        return {
            server,
            kubeconfigPath,
            kubeconfig,
            ca,
            admin,
            etcd,
            dir,
            node,
            request,
            get,
            waitFor,
            stop: async () => {
                await stopAll();
                fs.rmSync(dir, { recursive: true, force: true });
            },
        };
    } catch (err) {
        await stopAll();
        throw err;
    }
}
