// `npm run bench`: every benchmark, one after the other (they measure wall time, so never in parallel).
// BENCH=provider, BENCH=plugin, BENCH=components or BENCH=engine runs one.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "../..");
const benches = {
    provider: ["node", ["tools/bench/provider.bench.js"]],
    plugin: ["node", ["tools/bench/plugin.bench.js"]],
    components: [
        "npx",
        ["ts-node", "--transpile-only", "--project", "tools/tsconfig.json", "tools/bench/components.bench.ts"],
    ],
    engine: ["npx", ["ts-node", "--transpile-only", "--project", "tools/tsconfig.json", "tools/bench/engine.bench.ts"]],
};
const selected = process.env.BENCH ? process.env.BENCH.split(",") : Object.keys(benches);
let failed = 0;
for (const name of selected) {
    if (!benches[name]) throw new Error(`unknown bench '${name}' (known: ${Object.keys(benches).join(", ")})`);
    const [cmd, args] = benches[name];
    console.log(`\n=== bench: ${name} ===`);
    const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
    if (r.status !== 0) {
        failed++;
        console.error(`bench ${name} failed (exit ${r.status})`);
    }
}
process.exitCode = failed ? 1 : 0;
