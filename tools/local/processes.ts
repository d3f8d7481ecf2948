// Real servers for the integration and e2e tiers: etcd (optionally with mutual TLS) and MinIO, started on free
// loopback ports with readiness checks, their logs in a temp dir (shown when they fail), stopped for sure.
import { execFile, execFileSync, spawn, ChildProcess } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { toolPath } from "./toolchain";

// ---------------------------------------------------------------------------------------------------------------
// Generic process management

export interface SpawnOptions {
    /** Short name used in log file names and error messages. */
    name: string;
    command: string;
    args: string[];
    env?: Record<string, string>;
    cwd?: string;
    /** Directory for the log file; a new temp dir by default. */
    dir?: string;
    /** Resolves true once the server answers; thrown errors count as "not yet". */
    ready: () => Promise<boolean>;
    readyTimeoutMs?: number;
}

export interface ManagedProcess {
    name: string;
    pid: number;
    /** Temp directory owned by this process (log file, and data/certs the starter put there). */
    dir: string;
    logFile: string;
    /** The last `lines` lines of the combined stdout/stderr. */
    logTail(lines?: number): string;
    /** True while the process has not exited. */
    running(): boolean;
    /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. Idempotent. */
    stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    // Last resort when a test forgets stop(): never leave servers behind the test run.
    process.on("exit", () => {
        for (const child of live) {
            try {
                child.kill("SIGKILL");
            } catch {
                // already gone
            }
        }
    });
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export function makeTempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `kube-backup-${prefix}-`));
}

function tail(file: string, lines: number): string {
    try {
        const text = fs.readFileSync(file, "utf8");
        return text.split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

/** Starts a process with its output in `<dir>/<name>.log` and waits until `ready()`; throws with the log if not. */
export async function spawnProcess(options: SpawnOptions): Promise<ManagedProcess> {
    installExitHook();
    const dir = options.dir ?? makeTempDir(options.name);
    const logFile = path.join(dir, `${options.name}.log`);
    const fd = fs.openSync(logFile, "a");
    const child = spawn(options.command, options.args, {
        cwd: options.cwd ?? dir,
        env: { ...(process.env as Record<string, string>), ...options.env },
        stdio: ["ignore", fd, fd],
    });
    fs.closeSync(fd);
    live.add(child);

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    let stopping = false;
    const exited = new Promise<void>((resolve) => {
        child.once("exit", (code, signal) => {
            exit = { code, signal };
            live.delete(child);
            resolve();
        });
        child.once("error", (err) => {
            spawnError = err;
            exit = exit ?? { code: null, signal: null };
            live.delete(child);
            resolve();
        });
    });

    const logTail = (lines = 60) => tail(logFile, lines);
    const describe = () => `${options.command} ${options.args.join(" ")}`;

    const stop = async () => {
        if (exit) return;
        stopping = true;
        child.kill("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        const killed = await Promise.race([
            exited.then(() => true),
            new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10000))),
        ]);
        clearTimeout(timer);
        if (!killed) {
            child.kill("SIGKILL");
            await exited;
        }
    };

    const handle: ManagedProcess = {
        name: options.name,
        pid: child.pid ?? -1,
        dir,
        logFile,
        logTail,
        running: () => !exit,
        stop: async () => {
            const crashed = exit && !stopping;
            await stop();
            if (crashed) {
                // It died while a test was using it: show why before the test's own failure message.
                process.stderr.write(
                    `${options.name} had exited (${JSON.stringify(exit)}) before stop(); log ${logFile}:\n${logTail()}\n`,
                );
            }
        },
    };

    const timeoutMs = options.readyTimeoutMs ?? 60000;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        if (exit) {
            throw new Error(
                `${options.name} exited before it was ready (${spawnError ? spawnError.message : JSON.stringify(exit)}).\n` +
                    `command: ${describe()}\nlog ${logFile}:\n${logTail()}`,
            );
        }
        try {
            if (await options.ready()) break;
        } catch (err) {
            lastError = err;
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(
                `${options.name} was not ready after ${timeoutMs} ms (last check: ${String(lastError ?? "not ready")}).\n` +
                    `command: ${describe()}\nlog ${logFile}:\n${logTail()}`,
            );
        }
        await sleep(150);
    }
    return handle;
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; the caller binds it soon after). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address() as net.AddressInfo;
            server.close(() => resolve(address.port));
        });
    });
}

/**
 * Runs `start` up to three times when the process lost a port race ("address already in use"), since
 * free ports are picked before the server binds them and parallel test workers pick too.
 */
async function withPortRetry<T>(start: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await start();
        } catch (err) {
            if (attempt >= 3 || !/address already in use/i.test(String((err as Error).message))) throw err;
        }
    }
}

export interface HttpResult {
    status: number;
    body: string;
}

/** One HTTP(S) request with a timeout; TLS options (ca/cert/key) are passed to https.request. */
export function httpRequest(
    url: string,
    options: https.RequestOptions & { body?: string | Buffer; timeoutMs?: number } = {},
): Promise<HttpResult> {
    const { body, timeoutMs = 5000, ...requestOptions } = options;
    const lib = url.startsWith("https:") ? https : http;
    // An explicit length: without it node sends e.g. DELETE bodies chunked, and the Kubernetes API server ignores them.
    const headers = { ...(requestOptions.headers as Record<string, string> | undefined) };
    if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
        const req = lib.request(url, { agent: false, ...requestOptions, headers, timeout: timeoutMs }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
        req.on("error", reject);
        req.end(body);
    });
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function runCommand(
    command: string,
    args: string[],
    options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = execFile(
            command,
            args,
            {
                env: { ...(process.env as Record<string, string>), ...options.env },
                cwd: options.cwd,
                timeout: options.timeoutMs ?? 60000,
                maxBuffer: 64 * 1024 * 1024,
            },
            (err, stdout, stderr) => {
                if (err) {
                    const e = new Error(
                        `${path.basename(command)} ${args.join(" ")} failed: ${err.message}\n${stderr}${stdout}`,
                    );
                    Object.assign(e, { stdout, stderr, code: (err as NodeJS.ErrnoException).code });
                    reject(e);
                } else {
                    resolve({ stdout, stderr });
                }
            },
        );
        if (options.input !== undefined) child.stdin?.end(options.input);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Certificates (openssl CLI): one CA per test server, leaf certificates for servers and clients

export interface CertPair {
    certFile: string;
    keyFile: string;
    certPem: string;
    keyPem: string;
}

export interface CertificateAuthority extends CertPair {
    dir: string;
    /** Issues a certificate signed by this CA; `ips`/`dns` become subjectAltNames. */
    issue(
        name: string,
        options: { cn: string; org?: string; ips?: string[]; dns?: string[]; server?: boolean; client?: boolean },
    ): CertPair;
}

function openssl(args: string[], cwd: string): void {
    try {
        execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        const e = err as { stderr?: Buffer; message: string };
        throw new Error(
            `openssl ${args.join(" ")} failed (is the openssl package installed?): ${e.stderr?.toString() ?? e.message}`,
            { cause: err },
        );
    }
}

function readPair(dir: string, name: string): CertPair {
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    return { certFile, keyFile, certPem: fs.readFileSync(certFile, "utf8"), keyPem: fs.readFileSync(keyFile, "utf8") };
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Creates a throwaway CA (valid 2 days) in `dir`. */
export function createCertificateAuthority(dir: string, cn = "kube-backup test CA"): CertificateAuthority {
    fs.mkdirSync(dir, { recursive: true });
    openssl(["req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", `/CN=${cn}`], dir);
    const ca = readPair(dir, "ca");
    return {
        ...ca,
        dir,
        issue(name, o) {
            const subject = `/CN=${o.cn}${o.org ? `/O=${o.org}` : ""}`;
            openssl(["req", "-new", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir);
            const usages = [o.server ? "serverAuth" : "", o.client ? "clientAuth" : ""].filter(Boolean);
            const sans = [...(o.ips ?? []).map((ip) => `IP:${ip}`), ...(o.dns ?? []).map((d) => `DNS:${d}`)];
            const ext = [
                "basicConstraints=CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment",
                `extendedKeyUsage=${usages.join(",") || "clientAuth"}`,
                ...(sans.length ? [`subjectAltName=${sans.join(",")}`] : []),
            ];
            fs.writeFileSync(path.join(dir, `${name}.ext`), ext.join("\n") + "\n");
            openssl(
                [
                    "x509",
                    "-req",
                    "-in",
                    `${name}.csr`,
                    "-CA",
                    "ca.crt",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-out",
                    `${name}.crt`,
                    "-extfile",
                    `${name}.ext`,
                ],
                dir,
            );
            return readPair(dir, name);
        },
    };
}

/** An RSA key pair (e.g. for service-account token signing): returns the private and public key files. */
export function createRsaKeyPair(dir: string, name: string): { privateKeyFile: string; publicKeyFile: string } {
    const privateKeyFile = path.join(dir, `${name}.key`);
    const publicKeyFile = path.join(dir, `${name}.pub`);
    openssl(["genrsa", "-out", privateKeyFile, "2048"], dir);
    openssl(["rsa", "-in", privateKeyFile, "-pubout", "-out", publicKeyFile], dir);
    return { privateKeyFile, publicKeyFile };
}

// ---------------------------------------------------------------------------------------------------------------
// etcd

export interface EtcdHandle {
    /** Client URL, https:// when started with tls. */
    endpoint: string;
    dataDir: string;
    /** CA, client certificate and key for mutual TLS (undefined without tls). */
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    caPem?: string;
    certPem?: string;
    keyPem?: string;
    /** etcdctl flags that reach this server (endpoint and, with tls, the client certificate). */
    etcdctlArgs: string[];
    process: ManagedProcess;
    stop(): Promise<void>;
}

/** `host`: the address to listen on (default 127.0.0.1), e.g. a local node's bridge address that pods reach. */
export async function startEtcd(options: { tls?: boolean; dataDir?: string; host?: string } = {}): Promise<EtcdHandle> {
    const host = options.host ?? "127.0.0.1";
    const etcd = toolPath("etcd");
    const dir = makeTempDir("etcd");
    const dataDir = options.dataDir ?? path.join(dir, "data");
    let tls: { ca: CertificateAuthority; server: CertPair; client: CertPair } | undefined;
    if (options.tls) {
        const ca = createCertificateAuthority(path.join(dir, "pki"), "kube-backup etcd test CA");
        tls = {
            ca,
            server: ca.issue("server", {
                cn: "etcd-server",
                ips: [...new Set(["127.0.0.1", host])],
                dns: ["localhost"],
                server: true,
                client: true,
            }),
            client: ca.issue("client", { cn: "kube-backup-client", client: true }),
        };
    }
    return withPortRetry(async () => {
        const [clientPort, peerPort] = [await freePort(), await freePort()];
        const scheme = tls ? "https" : "http";
        const endpoint = `${scheme}://${host}:${clientPort}`;
        const peer = `http://127.0.0.1:${peerPort}`;
        const args = [
            "--name",
            "default",
            "--data-dir",
            dataDir,
            "--listen-client-urls",
            endpoint,
            "--advertise-client-urls",
            endpoint,
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--initial-cluster",
            `default=${peer}`,
            "--log-outputs",
            "stderr",
        ];
        if (tls) {
            args.push(
                "--cert-file",
                tls.server.certFile,
                "--key-file",
                tls.server.keyFile,
                "--trusted-ca-file",
                tls.ca.certFile,
                "--client-cert-auth",
            );
        }
        const tlsOptions = tls ? { ca: tls.ca.certPem, cert: tls.client.certPem, key: tls.client.keyPem } : {};
        const proc = await spawnProcess({
            name: "etcd",
            command: etcd,
            args,
            dir,
            ready: async () => {
                const res = await httpRequest(`${endpoint}/health`, { ...tlsOptions, timeoutMs: 2000 });
                return res.status === 200 && JSON.parse(res.body).health === "true";
            },
        });
        const etcdctlArgs = [`--endpoints=${endpoint}`];
        if (tls)
            etcdctlArgs.push(
                `--cacert=${tls.ca.certFile}`,
                `--cert=${tls.client.certFile}`,
                `--key=${tls.client.keyFile}`,
            );
        return {
            endpoint,
            dataDir,
            caFile: tls?.ca.certFile,
            certFile: tls?.client.certFile,
            keyFile: tls?.client.keyFile,
            caPem: tls?.ca.certPem,
            certPem: tls?.client.certPem,
            keyPem: tls?.client.keyPem,
            etcdctlArgs,
            process: proc,
            stop: async () => {
                await proc.stop();
                fs.rmSync(dir, { recursive: true, force: true });
            },
        };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// MinIO (S3) and the aws CLI

export interface MinioHandle {
    /** S3 endpoint URL (path-style), e.g. http://127.0.0.1:PORT */
    endpoint: string;
    accessKey: string;
    secretKey: string;
    region: string;
    dataDir: string;
    process: ManagedProcess;
    /** Environment for the aws CLI (credentials, region, no config files or metadata lookups). */
    awsEnv(): Record<string, string>;
    /** Runs the real aws CLI against this server (adds --endpoint-url); resolves with stdout. */
    aws(args: string[], options?: { input?: string }): Promise<string>;
    /** Creates a bucket; `objectLock` creates it with object lock (and so versioning) enabled. */
    createBucket(name: string, options?: { objectLock?: boolean }): Promise<void>;
    stop(): Promise<void>;
}

/** `host`: the address to listen on (default 127.0.0.1), e.g. a local node's bridge address that pods reach. */
export async function startMinio(options: { host?: string } = {}): Promise<MinioHandle> {
    const host = options.host ?? "127.0.0.1";
    const minio = toolPath("minio");
    const awsCli = toolPath("aws");
    const dir = makeTempDir("minio");
    const dataDir = path.join(dir, "data");
    fs.mkdirSync(dataDir);
    const accessKey = `kbtest${crypto.randomBytes(4).toString("hex")}`;
    const secretKey = crypto.randomBytes(18).toString("base64url");
    const region = "us-east-1";
    return withPortRetry(async () => {
        const [apiPort, consolePort] = [await freePort(), await freePort()];
        const endpoint = `http://${host}:${apiPort}`;
        const proc = await spawnProcess({
            name: "minio",
            command: minio,
            args: [
                "server",
                dataDir,
                "--address",
                `${host}:${apiPort}`,
                "--console-address",
                `127.0.0.1:${consolePort}`,
            ],
            dir,
            env: {
                MINIO_ROOT_USER: accessKey,
                MINIO_ROOT_PASSWORD: secretKey,
                MINIO_SITE_REGION: region,
                // Built-in static KMS key: without any KMS, SSE-S3 and PutBucketEncryption fail with ErrKMSNotConfigured.
                MINIO_KMS_SECRET_KEY: `kube-backup-test:${crypto.randomBytes(32).toString("base64")}`,
                MINIO_BROWSER: "off",
                MINIO_UPDATE: "off",
            },
            ready: async () =>
                (await httpRequest(`${endpoint}/minio/health/ready`, { timeoutMs: 2000 })).status === 200,
        });
        const awsEnv = () => ({
            AWS_ACCESS_KEY_ID: accessKey,
            AWS_SECRET_ACCESS_KEY: secretKey,
            AWS_DEFAULT_REGION: region,
            AWS_CONFIG_FILE: path.join(dir, "aws-config-none"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws-credentials-none"),
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_PAGER: "",
        });
        const aws = async (args: string[], options: { input?: string } = {}) =>
            (await runCommand(awsCli, ["--endpoint-url", endpoint, ...args], { env: awsEnv(), input: options.input }))
                .stdout;
        return {
            endpoint,
            accessKey,
            secretKey,
            region,
            dataDir,
            process: proc,
            awsEnv,
            aws,
            createBucket: async (name, options = {}) => {
                await aws([
                    "s3api",
                    "create-bucket",
                    "--bucket",
                    name,
                    ...(options.objectLock ? ["--object-lock-enabled-for-bucket"] : []),
                ]);
            },
            stop: async () => {
                await proc.stop();
                fs.rmSync(dir, { recursive: true, force: true });
            },
        };
    });
}
