// `npm run simulator`: the PX-Backup simulator as a standalone process.
//   PORT            listen port (default 10001)
//   HOST            bind address (default 127.0.0.1)
//   PXBACKUP_TOKEN  bearer token to accept (default: a generated development token, printed)
//   SIMULATOR_DELAY_MS  base delay of asynchronous states (default 1000; 0 = immediate)
//   SIMULATOR_QUIET=1   do not print one line per request
//   SIMULATOR_STRICT=1  refuse requests outside the contract and check every response (validateRequests/Responses)
//   SIMULATOR_RUN_SCHEDULES=1  a new backup schedule runs its first backup at once
//   SIMULATOR_SERVER_VERSION   PX-Backup release to play, e.g. 2.9.3 (default 2.10.1; also --server-version)
import { startSimulator } from "./server";

function serverVersionArg(): string | undefined {
    const args = process.argv.slice(2);
    const i = args.findIndex((a) => a === "--server-version" || a.startsWith("--server-version="));
    if (i < 0) return undefined;
    return args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
}

async function main(): Promise<void> {
    const port = Number(process.env.PORT ?? 10001);
    const base = Number(process.env.SIMULATOR_DELAY_MS ?? 1000);
    const quiet = process.env.SIMULATOR_QUIET === "1";
    const sim = await startSimulator({
        port,
        host: process.env.HOST ?? "127.0.0.1",
        token: process.env.PXBACKUP_TOKEN || undefined,
        delays: {
            backupPending: base,
            backupInProgress: 2 * base,
            deletePending: base,
            backupDeleting: base,
            clusterPending: base,
            locationValidation: base,
            scheduleSuspend: base,
            restorePending: base,
            restoreInProgress: 2 * base,
        },
        validateRequests: process.env.SIMULATOR_STRICT === "1",
        validateResponses: process.env.SIMULATOR_STRICT === "1",
        runSchedules: process.env.SIMULATOR_RUN_SCHEDULES === "1",
        serverVersion: serverVersionArg() ?? process.env.SIMULATOR_SERVER_VERSION ?? undefined,
        log: quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
    });
    console.log(
        [
            `PX-Backup simulator (PX-Backup ${sim.serverVersion}) listening on ${sim.url}`,
            `  PXBACKUP_API_URL=${sim.url}`,
            process.env.PXBACKUP_TOKEN
                ? "  bearer token: from PXBACKUP_TOKEN"
                : `  development token (PXBACKUP_TOKEN): ${sim.token}`,
            `  Keycloak: PXBACKUP_AUTH_URL=${sim.authUrl} PXBACKUP_CLIENT_ID=${sim.clientId} (user admin / password admin)`,
            `  control API: ${sim.url}/__simulator/ (faults, requests, delays, settle, reset; see tools/simulator/server.ts)`,
        ].join("\n"),
    );

    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: stopping`);
        sim.stop().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
    console.error(`simulator failed to start: ${(err as Error).message}`);
    process.exit(1);
});
