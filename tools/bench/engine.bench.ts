// Engine bench: PX-Backup resources through the real Pulumi CLI against the empty-component floor, side by side
// in one run. For each N: `up` (create), a no-op `preview`, and `refresh` of N SchedulePolicies (simulator
// without latency, in this process) and of N empty components; prints the times and the ratios
// (targets: preview <= 1.5x, up <= 2x; refresh printed).
// Run: BENCH=engine npm run bench   (BENCH_ENGINE_N=30,100 for a subset)
import { startSimulator } from "../simulator/server";
import { E2eStack, createE2eStack, preview, refresh, up } from "../engine/stack";

const SIZES = (process.env.BENCH_ENGINE_N ?? "30,100,300").split(",").map(Number);

interface Times {
    up: number;
    preview: number;
    refresh: number;
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e9;
}

async function measure(e2e: E2eStack, expected: number): Promise<Times> {
    const upTime = await seconds(async () => {
        const r = await up(e2e.stack);
        const created = r.summary.resourceChanges?.create ?? 0;
        if (created !== expected) throw new Error(`up created ${created}, expected ${expected}`);
    });
    const previewTime = await seconds(() => preview(e2e.stack, { expectNoChanges: true }));
    const refreshTime = await seconds(() => refresh(e2e.stack, { expectNoChanges: true }));
    return { up: upTime, preview: previewTime, refresh: refreshTime };
}

async function main(): Promise<void> {
    const sim = await startSimulator();
    const rows: Array<{ n: number; px: Times; empty: Times }> = [];
    try {
        for (const n of SIZES) {
            const stacks: Record<string, E2eStack> = {};
            const times: Record<string, Times> = {};
            // Alternate which side runs first per size, so neither always gets the warmer machine.
            const order = rows.length % 2 === 0 ? ["px", "empty"] : ["empty", "px"];
            for (const mode of order) {
                stacks[mode] = await createE2eStack({
                    program: "scale",
                    stackName: `${mode}-${n}`,
                    config: {
                        count: { value: String(n) },
                        mode: { value: mode },
                        "kube-backup:url": { value: sim.url },
                        "kube-backup:token": { value: sim.token, secret: true },
                    },
                });
                try {
                    times[mode] = await measure(stacks[mode], n + 1);
                } finally {
                    await stacks[mode].dispose();
                }
                sim.reset();
            }
            rows.push({ n, px: times.px, empty: times.empty });
            const r = rows[rows.length - 1];
            console.log(
                `N=${n}: ` +
                    (["preview", "up", "refresh"] as const)
                        .map(
                            (k) =>
                                `${k} ${r.px[k].toFixed(1)}s vs ${r.empty[k].toFixed(1)}s (${(r.px[k] / r.empty[k]).toFixed(2)}x)`,
                        )
                        .join(", "),
            );
        }
    } finally {
        await sim.stop();
    }
    console.log("\n| N | preview px / empty | ratio | up px / empty | ratio | refresh px / empty | ratio |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const { n, px, empty } of rows) {
        const cell = (k: keyof Times) =>
            `${px[k].toFixed(1)} s / ${empty[k].toFixed(1)} s | ${(px[k] / empty[k]).toFixed(2)}x`;
        console.log(`| ${n} | ${cell("preview")} | ${cell("up")} | ${cell("refresh")} |`);
    }
    const big = rows[rows.length - 1];
    if (big) {
        const p = big.px.preview / big.empty.preview;
        const u = big.px.up / big.empty.up;
        console.log(
            `\nN=${big.n}: preview ${p.toFixed(2)}x (target <= 1.5x: ${p <= 1.5 ? "met" : "MISSED"}), ` +
                `up ${u.toFixed(2)}x (target <= 2x: ${u <= 2 ? "met" : "MISSED"})`,
        );
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
