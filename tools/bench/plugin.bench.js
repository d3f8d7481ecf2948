// Provider plugin benchmark (run after `npm run build` and `npm run build:tools`, with Node >= 22):
//   BENCH=plugin node tools/bench/run.js
// Reports the plugin's start time (spawn until the port is printed: first and warm runs) and the PX-Backup
// requests per BackupSchedule operation through the plugin's gRPC interface next to the same operations
// through the dynamic path (the machinery in this process), counted by the simulator. Targets: warm start
// < 1000 ms; every operation makes exactly as many requests through both doors.
"use strict";
const path = require("path");
const { spawn } = require("child_process");
const { createRequire } = require("module");
const { createScheduleFoundation, startSimulatorProcess } = require("./simulator-process");

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin");
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = sdkRequire("@grpc/grpc-js");
const provrpc = sdkRequire("./proto/provider_grpc_pb");
const provproto = sdkRequire("./proto/provider_pb");
const { Struct } = sdkRequire("google-protobuf/google/protobuf/struct_pb");
const { Empty } = sdkRequire("google-protobuf/google/protobuf/empty_pb");
const { PxBackupClient } = require(path.join(bin, "provider/client.js"));
const { KindMachinery } = require(path.join(bin, "provider/machinery.js"));
const { KINDS } = require(path.join(bin, "provider/kinds.js"));
const { resolveSettings } = require(path.join(bin, "provider/settings.js"));

const STARTS = 6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function startPlugin() {
    const t0 = process.hrtime.bigint();
    const proc = spawn(process.execPath, [path.join(root, "plugin", "pulumi-resource-kube-backup")], {
        stdio: ["ignore", "pipe", "inherit"],
    });
    return new Promise((resolve, reject) => {
        let out = "";
        proc.stdout.on("data", (d) => {
            out += d;
            const m = /^(\d+)\n/.exec(out);
            if (m) resolve({ proc, port: Number(m[1]), ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        });
        proc.on("exit", (code) => reject(new Error(`plugin exited with ${code}`)));
    });
}

const stop = (proc) =>
    new Promise((r) => {
        proc.once("exit", r);
        proc.kill();
    });

function grpcClient(port) {
    const c = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = (method, req) =>
        new Promise((resolve, reject) => c[method](req, (e, res) => (e ? reject(e) : resolve(res))));
    const urn = "urn:pulumi:bench::bench::kube-backup:index:BackupSchedule::bench";
    const struct = (o) => Struct.fromJavaScript(o);
    return {
        close: () => c.close(),
        info: () => call("getPluginInfo", new Empty()),
        configure: (args) => call("configure", new provproto.ConfigureRequest().setArgs(struct(args))),
        check: async (news) => {
            const r = await call(
                "check",
                new provproto.CheckRequest().setUrn(urn).setOlds(struct({})).setNews(struct(news)),
            );
            return r.getInputs().toJavaScript();
        },
        create: async (props) => {
            const r = await call("create", new provproto.CreateRequest().setUrn(urn).setProperties(struct(props)));
            return { id: r.getId(), outs: r.getProperties().toJavaScript() };
        },
        diff: (id, olds, news) =>
            call("diff", new provproto.DiffRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news))),
        read: async (id, props) => {
            const r = await call(
                "read",
                new provproto.ReadRequest().setUrn(urn).setId(id).setProperties(struct(props)),
            );
            return r.getProperties().toJavaScript();
        },
        update: async (id, olds, news) => {
            const req = new provproto.UpdateRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news));
            return (await call("update", req)).getProperties().toJavaScript();
        },
        delete: (id, props) =>
            call("delete", new provproto.DeleteRequest().setUrn(urn).setId(id).setProperties(struct(props))),
    };
}

async function main() {
    const lines = [];
    // ---- start time ----------------------------------------------------------------------------------------
    const starts = [];
    for (let i = 0; i < STARTS; i++) {
        const p = await startPlugin();
        starts.push(p.ms);
        await stop(p.proc);
    }
    const warm = median(starts.slice(1));
    lines.push(`plugin start (spawn → port printed), ${STARTS} runs:`);
    lines.push(`  first ${starts[0].toFixed(0)} ms, warm median ${warm.toFixed(0)} ms (target < 1000 ms)`);

    // ---- requests per operation: gRPC vs dynamic path ------------------------------------------------------
    const sim = await startSimulatorProcess();
    await sim.setDelays({ deletePending: 0, clusterPending: 0, locationValidation: 0 });
    const raw = { url: sim.url, token: sim.token, pollIntervalMs: "25", pollMaxIntervalMs: "100" };
    const client = new PxBackupClient(resolveSettings((k) => raw[k]));
    const m = (k) => new KindMachinery(KINDS[k], () => client);
    await createScheduleFoundation(m);
    await client.generation(); // the dynamic provider's configure reads the version too
    await sim.takeRequests();

    const news = (name) => ({
        name,
        schedulePolicyRef: { name: "daily" },
        backupLocationRef: { name: "s3" },
        clusterRef: { name: "app" },
        namespaces: ["a"],
    });
    const count = async (fn) => {
        const t0 = process.hrtime.bigint();
        const result = await fn();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        return { result, requests: (await sim.takeRequests()).length, ms };
    };
    // Dynamic path.
    const s = m("BackupSchedule");
    const dIn = (await s.check({}, news("dyn"))).inputs;
    const dyn = {};
    dyn.create = await count(() => s.create(dIn));
    const { id: dId, outs: dOuts } = dyn.create.result;
    dyn.diff = await count(() => s.diff(dId, dOuts, dIn));
    dyn.read = await count(() => s.read(dId, dOuts));
    dyn.update = await count(() => s.update(dId, dOuts, { ...dIn, namespaces: ["a", "b"] }));
    dyn.delete = await count(() => s.delete(dId, dyn.update.result.outs));

    // Plugin over gRPC.
    const p = await startPlugin();
    const g = grpcClient(p.port);
    const plug = {};
    try {
        plug.configure = await count(() => g.configure({ ...raw }));
        const gIn = await g.check(news("plug"));
        plug.create = await count(() => g.create(gIn));
        const { id, outs } = plug.create.result;
        plug.diff = await count(() => g.diff(id, outs, gIn));
        plug.read = await count(() => g.read(id, outs));
        plug.update = await count(() => g.update(id, outs, { ...gIn, namespaces: ["a", "b"] }));
        plug.delete = await count(() => g.delete(id, plug.update.result));
    } finally {
        g.close();
        await stop(p.proc);
        client.close();
        await sim.stop();
    }
    lines.push(
        "PX-Backup requests per BackupSchedule operation: dynamic path | plugin gRPC (wall ms, no added latency):",
    );
    lines.push(
        `  configure  -  | ${plug.configure.requests}  (version read; the dynamic configure makes the same one)`,
    );
    let same = true;
    for (const op of ["diff", "read", "create", "update", "delete"]) {
        same &&= dyn[op].requests === plug[op].requests;
        lines.push(
            `  ${op.padEnd(8)} ${dyn[op].requests} | ${plug[op].requests}   (${dyn[op].ms.toFixed(0)} | ${plug[op].ms.toFixed(0)} ms)`,
        );
    }
    lines.push(`  same requests through both doors: ${same ? "yes" : "NO"}`);
    console.log(lines.join("\n"));
    if (!same || warm >= 1000) process.exitCode = 1;
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
