// Shared setup for provider integration tests: a real simulator in-process and provider machinery bound to
// a client with fast retry/poll settings.
import { PxBackupClient } from "../../../provider/client";
import { KINDS, KindName } from "../../../provider/kinds";
import { KindMachinery } from "../../../provider/machinery";
import { ConnectionSettings, resolveSettings } from "../../../provider/settings";
import { SimulatorHandle, startSimulator } from "../../../tools/simulator/server";

export interface Harness {
    sim: SimulatorHandle;
    client: PxBackupClient;
    settings: ConnectionSettings;
    m: (kind: KindName) => KindMachinery;
    /** Violations a test provoked on purpose (their error text), not counted by stopHarness. */
    expectedViolations: Set<string>;
}

/**
 * One release of each API generation the provider supports (provider/versions.ts): suites run once per entry,
 * on a simulator that routes the way that release does.
 */
export const SERVER_VERSIONS = ["2.8.3", "2.9.1", "2.10.1"] as const;

export function fastSettings(url: string, token: string, extra: Record<string, string> = {}): ConnectionSettings {
    const raw: Record<string, string> = {
        url,
        token,
        retryBaseDelayMs: "5",
        retryMaxDelayMs: "2000",
        pollIntervalMs: "10",
        pollMaxIntervalMs: "50",
        requestTimeoutMs: "5000",
        ...extra,
    };
    return resolveSettings((k) => raw[k]);
}

/**
 * The simulator checks every request and response against the swagger (strict: a field the contract does not
 * define is a 400, which a real server would silently drop), so a provider request that drifts fails its test.
 */
export async function startHarness(opts: Parameters<typeof startSimulator>[0] = {}): Promise<Harness> {
    const sim = await startSimulator({ validateResponses: true, validateRequests: true, ...opts });
    const settings = fastSettings(sim.url, sim.token);
    const client = new PxBackupClient(settings);
    const machines = new Map<KindName, KindMachinery>();
    return {
        sim,
        client,
        settings,
        expectedViolations: new Set(),
        m: (kind) => {
            if (!machines.has(kind)) machines.set(kind, new KindMachinery(KINDS[kind], () => client));
            return machines.get(kind)!;
        },
    };
}

/** Stops the simulator; fails the suite if any request or response broke the contract along the way. */
export async function stopHarness(h: Harness | undefined): Promise<void> {
    if (!h) return;
    h.client.close();
    await h.sim.stop();
    const violations = h.sim.contractViolations.filter((v) => !h.expectedViolations.has(v.errors));
    if (violations.length) {
        throw new Error(
            `contract violations: ${violations.map((v) => `${v.operationId} ${v.direction}: ${v.errors}`).join("\n")}`,
        );
    }
}

/** check + create, as the engine does; fails the test on check failures. */
export async function createChecked(h: Harness, kind: KindName, news: Record<string, unknown>) {
    const c = await h.m(kind).check({}, news);
    if (c.failures.length) throw new Error(`check failed: ${JSON.stringify(c.failures)}`);
    const r = await h.m(kind).create(c.inputs);
    return { inputs: c.inputs, id: r.id, outs: r.outs };
}

/** Credential, location, policy and cluster a schedule needs. */
export async function foundation(h: Harness) {
    await createChecked(h, "CloudCredential", {
        name: "creds",
        type: "AWS",
        awsConfig: { accessKey: "AKIA1", secretKey: "s3cr3t-key" },
    });
    await createChecked(h, "BackupLocation", {
        name: "s3",
        type: "S3",
        path: "bucket",
        cloudCredentialRef: { name: "creds" },
        s3Config: { region: "us-east-1", endpoint: "http://127.0.0.1:9000" },
    });
    await createChecked(h, "SchedulePolicy", { name: "daily", daily: { time: "2:00AM", retain: 7 } });
    await createChecked(h, "SchedulePolicy", { name: "hourly", interval: { minutes: 60, retain: 24 } });
    await createChecked(h, "Cluster", { name: "app", kubeconfig: "apiVersion: v1\nkind: Config\n" });
}

export const scheduleInputs = (extra: Record<string, unknown> = {}) => ({
    name: "nightly",
    schedulePolicyRef: { name: "daily" },
    backupLocationRef: { name: "s3" },
    clusterRef: { name: "app" },
    namespaces: ["default", "db"],
    reclaimPolicy: "Delete",
    labels: { team: "db" },
    ...extra,
});
