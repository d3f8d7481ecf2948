// The simulator in its own process for the benches (run `npm run build:tools` first), like a real PX-Backup
// server: its CPU must not share the event loop of the client being measured.
"use strict";
const path = require("path");
const { spawn } = require("child_process");
const net = require("net");

async function freePort() {
    return new Promise((resolve) => {
        const srv = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

async function startSimulatorProcess() {
    const port = await freePort();
    const token = `bench-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, [path.resolve(__dirname, "../../build/tools/simulator/main.js")], {
        env: { ...process.env, PORT: String(port), PXBACKUP_TOKEN: token },
        stdio: ["ignore", "pipe", "inherit"],
    });
    const url = `http://127.0.0.1:${port}`;
    const control = async (method, p, body) => {
        const res = await fetch(`${url}/__simulator/${p}`, {
            method,
            headers: { "Content-Type": "application/json" },
            body: body && JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`simulator control ${method} ${p}: HTTP ${res.status}`);
        return res.json();
    };
    for (let i = 0; ; i++) {
        try {
            await control("GET", "health");
            break;
        } catch (e) {
            if (i > 100 || child.exitCode !== null)
                throw new Error(`simulator did not start: ${e.message}`, { cause: e });
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    return {
        url,
        token,
        latency: (ms) => control("PUT", "latency", { ms }),
        setDelays: (d) => control("PUT", "delays", d),
        /** Requests the server received since the last call (the log is cleared). */
        takeRequests: async () => {
            const { requests } = await control("GET", "requests");
            await control("DELETE", "requests");
            return requests;
        },
        stop: () =>
            new Promise((r) => {
                child.once("exit", r);
                child.kill();
            }),
    };
}

/**
 * The objects a BackupSchedule refers to (credential, location, policy, cluster), created through `machinery(kind)`
 * (a KindMachinery): setup for the schedule benches, not measured.
 */
async function createScheduleFoundation(machinery) {
    const setup = async (kind, inputs) => machinery(kind).create((await machinery(kind).check({}, inputs)).inputs);
    await setup("CloudCredential", { name: "creds", type: "AWS", awsConfig: { accessKey: "A", secretKey: "S" } });
    await setup("BackupLocation", {
        name: "s3",
        type: "S3",
        path: "b",
        cloudCredentialRef: { name: "creds" },
        s3Config: { region: "r" },
    });
    await setup("SchedulePolicy", { name: "daily", daily: { time: "2:00AM" } });
    await setup("Cluster", { name: "app", kubeconfig: "apiVersion: v1" });
}

module.exports = { startSimulatorProcess, createScheduleFoundation };
