// Provider benchmark against the simulator with 25 ms injected latency (run after `npm run build`):
//   node tools/bench/provider.bench.js
// Reports HTTP requests per operation (targets: diff 0, read 1, create <= 2, update <= 3, delete <= 2 plus polls)
// and the time to read 500 schedules at concurrency 16 as a ratio to raw keep-alive GETs of the same
// objects, measured in this process (target <= 1.2).
"use strict";
const http = require("http");
const path = require("path");
const bin = path.resolve(__dirname, "../../bin");
const { PxBackupClient } = require(path.join(bin, "provider/client.js"));
const { KindMachinery } = require(path.join(bin, "provider/machinery.js"));
const { KINDS } = require(path.join(bin, "provider/kinds.js"));
const { resolveSettings } = require(path.join(bin, "provider/settings.js"));

const LATENCY_MS = 25;
const OBJECTS = 500;
const CONCURRENCY = 16;
const ROUNDS = 5;

async function pool(items, n, fn) {
    let next = 0;
    await Promise.all(
        Array.from({ length: n }, async () => {
            while (next < items.length) {
                const i = next++;
                await fn(items[i], i);
            }
        }),
    );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { createScheduleFoundation, startSimulatorProcess } = require("./simulator-process");

async function main() {
    const sim = await startSimulatorProcess();
    // Async states settle at once unless a measurement sets them (the CLI defaults to visible delays).
    await sim.setDelays({
        backupPending: 0,
        backupInProgress: 0,
        deletePending: 0,
        backupDeleting: 0,
        clusterPending: 0,
        locationValidation: 0,
    });
    const raw = {
        url: sim.url,
        token: sim.token,
        pollIntervalMs: "25",
        pollMaxIntervalMs: "100",
        maxSockets: String(CONCURRENCY),
    };
    const client = new PxBackupClient(resolveSettings((k) => raw[k]));
    const m = (k) => new KindMachinery(KINDS[k], () => client);
    const counted = async (fn) => {
        const before = client.stats.requests;
        const t0 = process.hrtime.bigint();
        const result = await fn();
        return { result, requests: client.stats.requests - before, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    const lines = [];
    try {
        // Foundation without latency (setup, not measured).
        await createScheduleFoundation(m);
        await sim.latency(LATENCY_MS);

        // ---- requests per operation (BackupSchedule) -------------------------------------------------------
        const s = m("BackupSchedule");
        const inputs = (
            await s.check(
                {},
                {
                    name: "bench",
                    schedulePolicyRef: { name: "daily" },
                    backupLocationRef: { name: "s3" },
                    clusterRef: { name: "app" },
                    namespaces: ["a"],
                },
            )
        ).inputs;
        const create = await counted(() => s.create(inputs));
        const { id, outs } = create.result;
        const diff = await counted(() => s.diff(id, outs, inputs));
        const read = await counted(() => s.read(id, outs));
        const update = await counted(() => s.update(id, outs, { ...inputs, namespaces: ["a", "b"] }));
        const del = await counted(() => s.delete(id, update.result.outs));
        const b = m("Backup");
        const bInputs = (
            await b.check({}, { name: "bench-backup", backupLocationRef: { name: "s3" }, clusterRef: { name: "app" } })
        ).inputs;
        await sim.setDelays({ backupPending: 50, backupInProgress: 100 });
        const bCreate = await counted(() => b.create(bInputs));
        await sim.setDelays({ backupPending: 0, backupInProgress: 0 });
        lines.push(`requests per BackupSchedule operation (latency ${LATENCY_MS} ms):`);
        lines.push(`  diff   ${diff.requests}   (target 0)`);
        lines.push(`  read   ${read.requests}   (target 1)   ${read.ms.toFixed(0)} ms`);
        lines.push(`  create ${create.requests}   (target <= 2) ${create.ms.toFixed(0)} ms`);
        lines.push(`  update ${update.requests}   (target <= 3) ${update.ms.toFixed(0)} ms`);
        lines.push(`  delete ${del.requests}   (target <= 2 + polls: DELETE + GET until 404) ${del.ms.toFixed(0)} ms`);
        lines.push(
            `  Backup create ${bCreate.requests} (POST + ${bCreate.requests - 1} status polls over ${bCreate.ms.toFixed(0)} ms of async states)`,
        );

        // ---- 500 reads at concurrency 16 vs raw keep-alive GETs -------------------------------------------
        await sim.latency(0);
        const objs = [];
        await pool(
            Array.from({ length: OBJECTS }, (_, i) => i),
            CONCURRENCY,
            async (i) => {
                const r = await s.create({ ...inputs, name: `sched-${i}` });
                objs.push(r);
            },
        );
        await sim.latency(LATENCY_MS);
        const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
        const u = new URL(sim.url);
        const rawGet = (p) =>
            new Promise((resolve, reject) => {
                const req = http.request(
                    {
                        host: u.hostname,
                        port: u.port,
                        path: p,
                        agent,
                        headers: { Authorization: `Bearer ${sim.token}`, Accept: "application/json" },
                    },
                    (res) => {
                        let body = "";
                        res.setEncoding("utf8");
                        res.on("data", (c) => {
                            body += c;
                        });
                        res.on("end", () =>
                            res.statusCode === 200
                                ? resolve(JSON.parse(body))
                                : reject(new Error(`HTTP ${res.statusCode}`)),
                        );
                    },
                );
                req.on("error", reject);
                req.end();
            });
        // CPU time of this (client) process is reported too: on a loaded machine the wall-clock ratio is
        // dominated by CPU starvation, the CPU figures show what the provider adds per read.
        const cpu = { base: [], prov: [] };
        const timed = async (bucket, fn) => {
            const c0 = process.cpuUsage();
            const t0 = process.hrtime.bigint();
            await fn();
            const c = process.cpuUsage(c0);
            cpu[bucket].push((c.user + c.system) / 1000);
            return Number(process.hrtime.bigint() - t0) / 1e6;
        };
        const baselineRun = () =>
            timed("base", () =>
                pool(objs, CONCURRENCY, (o) => rawGet(`/v1/backupschedule/default/${o.outs.name}?uid=${o.outs.uid}`)),
            );
        const providerRun = () => timed("prov", () => pool(objs, CONCURRENCY, (o) => s.read(o.id, o.outs)));
        await baselineRun(); // warm both connection pools and the JIT
        await providerRun();
        cpu.base.length = 0;
        cpu.prov.length = 0;
        const base = [],
            prov = [];
        const before = client.stats.requests;
        for (let r = 0; r < ROUNDS; r++) {
            base.push(await baselineRun());
            prov.push(await providerRun());
        }
        const perRead = (client.stats.requests - before) / (ROUNDS * OBJECTS);
        const mb = median(base),
            mp = median(prov);
        lines.push(
            `read ${OBJECTS} schedules, concurrency ${CONCURRENCY}, latency ${LATENCY_MS} ms (median of ${ROUNDS}):`,
        );
        lines.push(`  raw keep-alive GETs  ${mb.toFixed(0)} ms`);
        lines.push(`  provider read        ${mp.toFixed(0)} ms   (${perRead.toFixed(2)} requests per read)`);
        lines.push(`  ratio                ${(mp / mb).toFixed(3)}   (target <= 1.2)`);
        lines.push(`  client CPU: raw ${median(cpu.base).toFixed(0)} ms, provider ${median(cpu.prov).toFixed(0)} ms`);
        lines.push(
            `  ideal at this latency: ${Math.ceil(OBJECTS / CONCURRENCY) * LATENCY_MS} ms; load average ${require("os").loadavg()[0].toFixed(1)}`,
        );
        agent.destroy();
    } finally {
        client.close();
        await sim.stop();
    }
    console.log(lines.join("\n"));
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
