// `npm run demo`: the quickstart stack (root Pulumi.yaml → examples/quickstart) deployed with the real Pulumi
// engine on an embedded default: the PX-Backup simulator, MinIO and a local kube-apiserver +
// kube-controller-manager, all on loopback. Prints the stack outputs and what to try next, then
//   - interactive (stdin is a TTY, or --keep): keeps everything running until Ctrl-C / SIGTERM;
//   - otherwise (CI, pipes, --once): exits right away.
// Either way it destroys the stack and stops the servers before exiting, so the next run starts clean.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSimulator, SimulatorHandle } from "../simulator/server";
import { ClusterHandle, startCluster } from "../local/cluster";
import { MinioHandle, createCertificateAuthority, makeTempDir, startMinio } from "../local/processes";
import { E2eStack, createE2eStack, linkExampleInPlace, repoRoot } from "../engine/stack";
import { quickstartConfig } from "../engine/quickstart-config";

const STACK = "demo";
const BUCKET = "kube-backup-demo";

const log = (line = "") => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const shellQuote = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

let sim: SimulatorHandle | undefined;
let cluster: ClusterHandle | undefined;
let minio: MinioHandle | undefined;
let e2e: E2eStack | undefined;
let pkiDir: string | undefined;
let unlinkQuickstart: (() => void) | undefined;
let shuttingDown: Promise<void> | undefined;

/** Destroys the stack, then stops every server; idempotent (Ctrl-C during startup lands here too). */
function shutdown(code: number): Promise<void> {
    shuttingDown ??= (async () => {
        const t0 = Date.now();
        if (e2e) {
            log("\ndemo: destroying the quickstart stack ...");
            await e2e.dispose();
            fs.rmSync(path.join(repoRoot, `Pulumi.${STACK}.yaml`), { force: true });
            fs.rmSync(e2e.backendDir, { recursive: true, force: true });
        }
        log("demo: stopping the simulator, MinIO and the local Kubernetes API server ...");
        await Promise.allSettled([sim?.stop(), cluster?.stop(), minio?.stop()]);
        if (pkiDir) fs.rmSync(pkiDir, { recursive: true, force: true });
        unlinkQuickstart?.();
        log(`demo: stopped cleanly in ${seconds(t0)}.`);
        process.exit(code);
    })();
    return shuttingDown;
}

async function main(): Promise<void> {
    const once = process.argv.includes("--once") || (!process.stdin.isTTY && !process.argv.includes("--keep"));
    let interrupts = 0;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.on(signal, () => {
            if (++interrupts > 1) {
                log("demo: second interrupt, exiting without cleanup");
                process.exit(130);
            }
            void shutdown(signal === "SIGINT" ? 130 : 143);
        });
    }

    const t0 = Date.now();
    log(
        "demo: starting the PX-Backup simulator, MinIO and a local Kubernetes API server (etcd + kube-apiserver + kube-controller-manager) ...",
    );
    [sim, minio, cluster] = await Promise.all([startSimulator(), startMinio(), startCluster()]);
    await minio.createBucket(BUCKET);
    // etcd client certificates for the EtcdBackupSchedule's Secret (the local etcd itself needs none).
    pkiDir = makeTempDir("demo-etcd-pki");
    const etcdCa = createCertificateAuthority(pkiDir, "kube-backup demo etcd CA");
    const etcdClient = etcdCa.issue("etcd-client", { cn: "kube-backup-demo", client: true });
    log(
        `demo: servers ready in ${seconds(t0)}: PX-Backup ${sim.url}, S3 ${minio.endpoint}, Kubernetes ${cluster.server}`,
    );

    const t1 = Date.now();
    // examples/quickstart is its own npm project: link its node_modules to this checkout (as a user's install would).
    unlinkQuickstart = linkExampleInPlace(path.join(repoRoot, "examples", "quickstart"));
    e2e = await createE2eStack({
        program: repoRoot,
        inPlace: true,
        stackName: STACK,
        plugins: ["kubernetes"],
        backendDir: fs.mkdtempSync(path.join(os.tmpdir(), "kube-backup-demo-state-")),
        config: {
            ...quickstartConfig({ sim, cluster, minio, bucket: BUCKET, etcdCaPem: etcdCa.certPem, etcdClient }),
            appNamespaces: { value: JSON.stringify(["default"]) },
        },
    });
    log("demo: pulumi up (real engine, local file backend) ...\n");
    const result = await e2e.stack.up({
        onOutput: (s) => process.stdout.write(s),
        color: process.stdout.isTTY ? "always" : "never",
    });
    log(
        `\ndemo: pulumi up ${result.summary.result} in ${seconds(t1)}; ${JSON.stringify(result.summary.resourceChanges)}`,
    );
    log("\nStack outputs:");
    for (const [k, v] of Object.entries(result.outputs))
        log(`  ${k.padEnd(22)} ${v.secret ? "[secret]" : JSON.stringify(v.value)}`);

    const env = e2e.env;
    const exports = [
        "PATH",
        "PULUMI_HOME",
        "PULUMI_BACKEND_URL",
        "PULUMI_CONFIG_PASSPHRASE",
        "PULUMI_SKIP_UPDATE_CHECK",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
        "PULUMI_NODEJS_TRANSPILE_ONLY",
    ].map((k) => `  export ${k}=${shellQuote(env[k])}`);
    log(`
What to try next${once ? " (run `npm run demo` in a terminal to keep the servers up while you do)" : ", in another terminal"}:
${exports.join("\n")}
  export PX=${shellQuote(sim.url)} PX_TOKEN=${shellQuote(sim.token)}   # local simulator, throw-away token
  cd ${shellQuote(repoRoot)} && pulumi stack select ${STACK}

  # change values and see the plan: the CronJobs and the PX-Backup policy change in place
  pulumi config set schedule '30 1 * * *' && pulumi config set retention 3 && pulumi preview --diff

  # drift: change the PX-Backup schedule behind Pulumi's back, then let preview find it and up repair it
  curl -s -X PUT "$PX/v1/backupschedule" -H "Authorization: Bearer $PX_TOKEN" \\
    -d '{"metadata":{"name":"apps","org_id":"default"},"namespaces":["changed-out-of-band"]}'
  pulumi preview --refresh --diff
  pulumi up --refresh --yes
`);
    if (once) {
        await shutdown(0);
    } else {
        log("demo: servers are running; press Ctrl-C to destroy the stack and stop them.");
        await new Promise(() => undefined); // until a signal arrives
    }
}

main().catch(async (err) => {
    process.stderr.write(`demo: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await shutdown(1);
});
