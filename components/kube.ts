// The one Kubernetes client of the Node-side tools (status, on-demand runs): JSON over HTTPS with the credentials
// of a kubeconfig (client certificate, bearer token or token file, exec credential plugins) or of the pod it runs
// in. Small on purpose: this CommonJS library cannot load the ESM-only @kubernetes/client-node.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { load } from "js-yaml";

export interface KubeAccess {
    /** Kubeconfig text. Default: $KUBECONFIG (first file), ~/.kube/config, else the pod's service account. */
    kubeconfig?: string;
    /** Context name. Default: the kubeconfig's current-context. */
    context?: string;
}

interface Named<T> {
    name: string;
    [k: string]: unknown;
    cluster?: T;
    user?: T;
    context?: T;
}
type Fields = Record<string, unknown>;

export class KubeError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
        this.name = "KubeError";
    }
}

/** @internal */
export class KubeClient {
    private readonly agent: https.Agent;
    constructor(
        readonly server: string,
        tls: https.AgentOptions,
        private readonly token: () => string | undefined,
    ) {
        this.agent = new https.Agent({ ...tls, keepAlive: false });
    }

    request<T>(method: string, apiPath: string, body?: unknown, contentType = "application/json"): Promise<T> {
        const url = new URL(apiPath, this.server);
        const data = body === undefined ? undefined : JSON.stringify(body);
        const token = this.token();
        return new Promise((resolve, reject) => {
            const req = https.request(
                url,
                {
                    method,
                    agent: this.agent,
                    headers: {
                        Accept: "application/json",
                        ...(data ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) } : {}),
                        ...(token ? { Authorization: `Bearer ${token}` } : {}),
                    },
                    timeout: 30_000,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        const status = res.statusCode ?? 0;
                        if (status >= 200 && status < 300) return resolve(JSON.parse(text) as T);
                        let message = text.slice(0, 300);
                        try {
                            message = (JSON.parse(text) as { message?: string }).message ?? message;
                        } catch {
                            // not a Status object
                        }
                        reject(new KubeError(status, `${method} ${url.pathname}: ${status} ${message}`));
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
            req.on("error", (e) =>
                reject(new Error(`cannot reach the Kubernetes API server ${this.server}: ${e.message}`)),
            );
            if (data) req.write(data);
            req.end();
        });
    }

    get<T>(apiPath: string): Promise<T> {
        return this.request<T>("GET", apiPath);
    }
}

function pick<T>(list: unknown, name: string, what: string): T {
    const found = ((list as Named<T>[] | undefined) ?? []).find((x) => x.name === name);
    if (!found) throw new Error(`kubeconfig: no ${what} named "${name}"`);
    return (found[what] ?? {}) as T;
}

function fileOrData(f: Fields, dataKey: string, fileKey: string, base: string): Buffer | undefined {
    if (typeof f[dataKey] === "string") return Buffer.from(f[dataKey] as string, "base64");
    if (typeof f[fileKey] === "string") return fs.readFileSync(path.resolve(base, f[fileKey] as string));
    return undefined;
}

/** Runs a client-go exec credential plugin (EKS, GKE, OIDC logins) and returns its status. */
function execCredential(exec: Fields): Fields {
    const env = { ...process.env };
    for (const e of (exec.env as { name: string; value: string }[] | null) ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({
        apiVersion: exec.apiVersion,
        kind: "ExecCredential",
        spec: { interactive: false },
    });
    const out = execFileSync(exec.command as string, (exec.args as string[] | null) ?? [], {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return ((JSON.parse(out) as { status?: Fields }).status ?? {}) as Fields;
}

/**
 * A client for a kubeconfig, or for the pod's own service account when there is none.
 * @internal
 */
export function kubeClient(a: KubeAccess = {}): KubeClient {
    let text = a.kubeconfig;
    let base = process.cwd();
    if (text === undefined) {
        const file =
            (process.env.KUBECONFIG ?? "").split(path.delimiter).find((f) => f && fs.existsSync(f)) ??
            path.join(os.homedir(), ".kube", "config");
        if (fs.existsSync(file)) {
            text = fs.readFileSync(file, "utf8");
            base = path.dirname(file);
        }
    }
    if (text === undefined) {
        const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
        const host = process.env.KUBERNETES_SERVICE_HOST;
        if (!host || !fs.existsSync(`${sa}/token`))
            throw new Error("no kubeconfig ($KUBECONFIG, ~/.kube/config) and not running in a pod");
        const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
        return new KubeClient(
            `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
            { ca: fs.readFileSync(`${sa}/ca.crt`) },
            () => fs.readFileSync(`${sa}/token`, "utf8").trim(),
        );
    }
    const cfg = (load(text) ?? {}) as Fields;
    const contextName = a.context ?? (cfg["current-context"] as string | undefined);
    if (!contextName) throw new Error("kubeconfig: no current-context (pass a context)");
    const ctx = pick<Fields>(cfg.contexts, contextName, "context");
    const cluster = pick<Fields>(cfg.clusters, ctx.cluster as string, "cluster");
    const user = ctx.user ? pick<Fields>(cfg.users, ctx.user as string, "user") : {};
    if (typeof cluster.server !== "string" || !cluster.server.startsWith("https://"))
        throw new Error(`kubeconfig: cluster "${ctx.cluster}" needs an https:// server`);
    const tls: https.AgentOptions = {
        ca: fileOrData(cluster, "certificate-authority-data", "certificate-authority", base),
        rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
        servername: typeof cluster["tls-server-name"] === "string" ? cluster["tls-server-name"] : undefined,
        cert: fileOrData(user, "client-certificate-data", "client-certificate", base),
        key: fileOrData(user, "client-key-data", "client-key", base),
    };
    let token = (): string | undefined =>
        typeof user.token === "string"
            ? user.token
            : typeof user.tokenFile === "string"
              ? fs.readFileSync(path.resolve(base, user.tokenFile), "utf8").trim()
              : undefined;
    if (user.exec && typeof user.exec === "object") {
        const st = execCredential(user.exec as Fields);
        if (typeof st.clientCertificateData === "string") tls.cert = st.clientCertificateData;
        if (typeof st.clientKeyData === "string") tls.key = st.clientKeyData;
        if (typeof st.token === "string") token = () => st.token as string;
    }
    return new KubeClient(cluster.server, tls, token);
}
