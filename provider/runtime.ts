// What the serialized dynamic provider loads inside the Pulumi provider process (`require`d by name, see
// serialized.ts). Holds the process-wide connection settings from `configure` and one shared client, so
// every kind and every resource reuses the same keep-alive connections and token.
import { createHash } from "crypto";
import { PxBackupClient } from "./client";
import { PxBackupError } from "./errors";
import { KindName, kindSpec } from "./kinds";
import { KindMachinery } from "./machinery";
import {
    CONFIG_NAMESPACE,
    ConnectionSettings,
    RawLookup,
    checkedValues,
    lookupFrom,
    resolveSettings,
} from "./settings";

let lookup: RawLookup = lookupFrom(() => undefined);
let current: PxBackupClient | undefined;
const clients = new Map<string, PxBackupClient>();
const handlers = new Map<string, KindMachinery>();

/** The dynamic provider's `configure`: stack config namespace kube-backup, env vars as fallback; ranges checked. */
export async function configure(req: { config: { get(key: string): string | undefined } }): Promise<void> {
    const next = lookupFrom((key) => req.config.get(`${CONFIG_NAMESPACE}:${key}`));
    // Out-of-range values fail here, naming the setting; endpoint and credentials are checked on first use.
    checkedValues(next);
    lookup = next;
    current = undefined;
    let client: PxBackupClient;
    try {
        client = currentClient();
    } catch {
        return; // no endpoint or credentials yet: the first operation says what is missing
    }
    // The server's release decides the routes (provider/versions.ts): read it now, so an unsupported or
    // unreadable version fails here with its reason. An unreachable server does not fail configure (a
    // preview without changes needs no server); the first operation that needs it retries the read.
    try {
        await client.generation();
    } catch (e) {
        if (e instanceof PxBackupError && e.status === undefined) return;
        throw e;
    }
}

/** One client per distinct settings (keyed by a hash, so the token is not even a map key). */
export function clientFor(settings: ConnectionSettings): PxBackupClient {
    const key = createHash("sha256").update(JSON.stringify(settings)).digest("hex");
    let c = clients.get(key);
    if (!c) {
        c = new PxBackupClient(settings);
        clients.set(key, c);
    }
    return c;
}

/** The client for the configured settings, resolved once per configure (not per call). */
export function currentClient(): PxBackupClient {
    current ??= clientFor(resolveSettings(lookup));
    return current;
}

export function handler(kind: KindName | string): KindMachinery {
    let h = handlers.get(kind);
    if (!h) {
        h = new KindMachinery(kindSpec(kind), currentClient);
        handlers.set(kind, h);
    }
    return h;
}
