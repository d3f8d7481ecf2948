// Benchmarks of the components' backup jobs, run as real processes (the rendered containers via the integration
// tier's pod runner in the default tools image's userland: busybox applets + rclone; a real MinIO and etcd), each
// measured against a baseline in the same process and userland, median of BENCH_ROUNDS (default 5) runs:
//   1. PVC tar backup of 1 GiB of mixed data: throughput ratio to `tar | gzip > /dev/null`     (target >= 0.9)
//   2. peak RSS of the upload step (whole backup container): 1 GiB, and its ratio to 100 MiB    (< 96 MiB, <= 1.1)
//   3. etcd snapshot+verify+upload time vs bare `etcdctl snapshot save` + one `rclone copyto`  (target <= 1.2)
// Run: BENCH=components npm run bench   (BENCH_GIB=0.25 BENCH_ETCD_MB=128 for a quicker, smaller run)
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { runCommand, startEtcd, startMinio } from "../local/processes";
import { toolPath, userlandDir } from "../local/toolchain";
import { podOf, render } from "../../test/integration/components/render";
import { runPod } from "../local/pod";

const MiB = 1024 * 1024;
const BIG = Math.round(Number(process.env.BENCH_GIB ?? "1") * 1024) * MiB;
const SMALL = 100 * MiB;
const ETCD_MB = Number(process.env.BENCH_ETCD_MB ?? "512");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "5");

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Mixed content: a third random (incompressible), a third text-like, a third zeros; small, medium, large files. */
function makeData(dir: string, total: number): void {
    fs.mkdirSync(dir, { recursive: true });
    const words = "backup etcd volume snapshot kubernetes retention verify upload prune stream archive ".split(" ");
    const text = Buffer.from(
        Array.from({ length: 200000 }, (_, i) => words[(i * 7919) % words.length] + (i % 13 === 0 ? "\n" : " ")).join(
            "",
        ),
    );
    let written = 0;
    let n = 0;
    const sizes = [4 * 1024, 64 * 1024, 256 * 1024, 1 * MiB, 8 * MiB, 32 * MiB];
    while (written < total) {
        const size = Math.min(sizes[n % sizes.length], total - written);
        const kind = n % 3;
        const sub = path.join(dir, `d${n % 17}`);
        fs.mkdirSync(sub, { recursive: true });
        const fd = fs.openSync(path.join(sub, `f${n}.${["bin", "txt", "zero"][kind]}`), "w");
        for (let left = size; left > 0;) {
            const chunk = Math.min(left, 4 * MiB);
            const buf =
                kind === 0
                    ? crypto.randomBytes(chunk)
                    : kind === 1
                      ? Buffer.concat(Array(Math.ceil(chunk / text.length)).fill(text)).subarray(0, chunk)
                      : Buffer.alloc(chunk);
            fs.writeSync(fd, buf);
            left -= chunk;
        }
        fs.closeSync(fd);
        written += size;
        n++;
    }
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
    const t = process.hrtime.bigint();
    const r = await fn();
    return [Number(process.hrtime.bigint() - t) / 1e9, r];
}

function etcdPut(
    endpoint: string,
    tls: { ca: string; cert: string; key: string },
    key: string,
    value: Buffer,
): Promise<void> {
    const body = JSON.stringify({ key: Buffer.from(key).toString("base64"), value: value.toString("base64") });
    return new Promise((resolve, reject) => {
        const req = https.request(
            `${endpoint}/v3/kv/put`,
            { method: "POST", ...tls, headers: { "content-type": "application/json" } },
            (res) => {
                res.resume();
                res.on("end", () =>
                    res.statusCode === 200 ? resolve() : reject(new Error(`put ${key}: HTTP ${res.statusCode}`)),
                );
            },
        );
        req.on("error", reject);
        req.end(body);
    });
}

async function main(): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-bench-"));
    const [minio, etcd] = await Promise.all([startMinio(), startEtcd({ tls: true })]);
    const results: Record<string, unknown> = {};
    try {
        await minio.createBucket("bench");
        const s3 = {
            bucket: { bucket: "bench", endpoint: minio.endpoint, region: minio.region, forcePathStyle: true },
            credentials: { secretName: "s3" },
        };
        const secrets = { s3: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey } };

        // --- 1 & 2: PVC tar backup -------------------------------------------------------------------------
        const big = path.join(tmp, "big");
        const small = path.join(tmp, "small");
        console.error(`generating ${BIG / MiB} MiB and ${SMALL / MiB} MiB of mixed data ...`);
        makeData(big, BIG);
        makeData(small, SMALL);
        const { cronJobs } = await render((c) => {
            new c.PvcBackupSchedule("bench", {
                schedule: "0 * * * *",
                namespace: "bench",
                pvcNames: ["data"],
                retention: 100,
                storage: { ...s3, prefix: "pvc" },
            });
        });
        const pod = podOf(cronJobs["bench-data"]);
        // The same busybox tar and gzip the job runs, so the ratio measures the job's own overhead.
        const userland = userlandDir();
        const baseline = () =>
            runCommand(path.join(userland, "sh"), ["-c", 'tar -C "$1" -cf - . | gzip > /dev/null', "sh", big], {
                env: { PATH: userland },
                timeoutMs: 3600_000,
            });
        // Memory sampling reads every process's /proc status each 20 ms (several ms per sample on a busy machine):
        // the timed rounds run without it, the memory rounds with it.
        const ours = (dir: string, sample: boolean) =>
            runPod(pod, {
                secrets,
                volumes: { data: dir },
                sampleMemoryOf: sample ? "backup" : undefined,
                timeoutMs: 3600_000,
            }).then((r) => {
                if (!r.ok) throw new Error(`backup failed:\n${r.log}`);
                return r;
            });
        const tBase: number[] = [];
        const tOurs: number[] = [];
        const memBig: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
            tBase.push((await timed(baseline))[0]);
            const [t] = await timed(() => ours(big, false));
            tOurs.push(t);
            console.error(`round ${i + 1}: baseline ${tBase[i].toFixed(1)} s, backup ${t.toFixed(1)} s`);
        }
        const memSmall: number[] = [];
        for (let i = 0; i < ROUNDS; i++) memBig.push((await ours(big, true)).peakRssKiB!);
        for (let i = 0; i < ROUNDS; i++) memSmall.push((await ours(small, true)).peakRssKiB!);
        const medBase = median(tBase);
        const medOurs = median(tOurs);
        results.pvcTar = {
            dataMiB: BIG / MiB,
            baselineSeconds: tBase,
            backupSeconds: tOurs,
            baselineMiBps: +(BIG / MiB / medBase).toFixed(1),
            backupMiBps: +(BIG / MiB / medOurs).toFixed(1),
            throughputRatio: +(medBase / medOurs).toFixed(3),
            target: ">= 0.9",
        };
        results.uploadMemory = {
            peakMiB_big: +(median(memBig) / 1024).toFixed(1),
            peakMiB_100MiB: +(median(memSmall) / 1024).toFixed(1),
            bigToSmallRatio: +(median(memBig) / median(memSmall)).toFixed(3),
            measured:
                "peak RSS of the whole backup container (busybox sh, tar, gzip, tee, sha256sum, rclone), polled every 20 ms",
            target: "< 96 MiB, ratio <= 1.1",
        };
        fs.rmSync(big, { recursive: true, force: true });
        fs.rmSync(small, { recursive: true, force: true });

        // --- 3: etcd snapshot + verify + upload ----------------------------------------------------------------
        console.error(`loading ${ETCD_MB} MiB into etcd ...`);
        const tls = { ca: etcd.caPem!, cert: etcd.certPem!, key: etcd.keyPem! };
        for (let i = 0; i < ETCD_MB; i += 4) {
            await Promise.all(
                [0, 1, 2, 3].map((j) => etcdPut(etcd.endpoint, tls, `/bench/${i + j}`, crypto.randomBytes(MiB))),
            );
        }
        const r = await render((c) => {
            new c.EtcdBackupSchedule("etcd-bench", {
                schedule: "0 * * * *",
                retention: 100,
                endpoint: etcd.endpoint,
                certificates: { caCrt: etcd.caPem!, clientCrt: etcd.certPem!, clientKey: etcd.keyPem! },
                storage: { ...s3, prefix: "etcd" },
            });
        });
        r.secrets.s3 = secrets.s3;
        const etcdPod = podOf(r.cronJobs["etcd-bench"]);
        const bare = async () => {
            const f = path.join(tmp, "bare.db");
            fs.rmSync(f, { force: true });
            await runCommand(toolPath("etcdctl"), [...etcd.etcdctlArgs, "snapshot", "save", f], {
                timeoutMs: 3600_000,
            });
            await runCommand(path.join(userlandDir(), "rclone"), ["copyto", f, "bench:bench/bare.db"], {
                env: {
                    RCLONE_CONFIG: path.join(tmp, "no-rclone.conf"),
                    RCLONE_CONFIG_BENCH_TYPE: "s3",
                    RCLONE_CONFIG_BENCH_PROVIDER: "Other",
                    RCLONE_CONFIG_BENCH_ENDPOINT: minio.endpoint,
                    RCLONE_CONFIG_BENCH_REGION: minio.region,
                    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: "true",
                    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: minio.accessKey,
                    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: minio.secretKey,
                },
                timeoutMs: 3600_000,
            });
        };
        const tBare: number[] = [];
        const tEtcd: number[] = [];
        const steps: Record<string, number>[] = [];
        let size = 0;
        for (let i = 0; i < ROUNDS; i++) {
            tBare.push((await timed(bare))[0]);
            size = fs.statSync(path.join(tmp, "bare.db")).size;
            const [t, res] = await timed(() => runPod(etcdPod, { secrets: r.secrets, timeoutMs: 3600_000 }));
            if (!res.ok) throw new Error(`etcd backup failed:\n${res.log}`);
            tEtcd.push(t);
            steps.push(Object.fromEntries(res.runs.map((x) => [x.name, +x.seconds.toFixed(2)])));
            console.error(`round ${i + 1}: bare ${tBare[i].toFixed(1)} s, backup ${t.toFixed(1)} s`);
            await new Promise((x) => setTimeout(x, 1000));
        }
        results.etcd = {
            snapshotMiB: +(size / MiB).toFixed(1),
            bareSeconds: tBare,
            backupSeconds: tEtcd,
            backupStepSeconds: steps,
            timeRatio: +(median(tEtcd) / median(tBare)).toFixed(3),
            target: "<= 1.2",
        };
    } finally {
        await Promise.all([minio.stop(), etcd.stop()]);
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    const pick = (k: string, f: string) => (results[k] as Record<string, number> | undefined)?.[f];
    console.error(
        `ratios (median of ${ROUNDS}): pvc tar throughput ${pick("pvcTar", "throughputRatio")} (>= 0.9) | ` +
            `upload peak RSS ${pick("uploadMemory", "peakMiB_big")} MiB (< 96), big/100MiB ${pick("uploadMemory", "bigToSmallRatio")} (<= 1.1) | ` +
            `etcd time ${pick("etcd", "timeRatio")} (<= 1.2)`,
    );
    console.log(
        JSON.stringify(
            {
                bench: "components",
                rounds: ROUNDS,
                cpus: os.cpus().length,
                loadavg: os.loadavg().map((l) => +l.toFixed(2)),
                ...results,
            },
            null,
            2,
        ),
    );
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
