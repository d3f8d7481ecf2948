// The simulator's own control REST API under /__simulator/ (documented in server.ts). It is not part of the
// PX-Backup contract: no bearer token, no faults, not recorded in the request log.
import { Delays, Outcomes } from "./kinds";
import { FaultRule } from "./faults";
import type { SimulatorHandle } from "./server";

export const CONTROL_PREFIX = "/__simulator/";

type Reply = [status: number, body: unknown];

export function control(handle: SimulatorHandle, method: string, path: string, body: Record<string, unknown>): Reply {
    const route = `${method} ${path.slice(CONTROL_PREFIX.length - 1).replace(/\/$/, "")}`;
    const faultId = /^DELETE \/faults\/(\d+)$/.exec(route);
    if (faultId)
        return handle.faults.remove(Number(faultId[1])) ? [200, {}] : [404, { error: `no fault ${faultId[1]}` }];
    const run = /^POST \/schedules\/([^/]+)\/run$/.exec(route);
    if (run) {
        try {
            return [200, { backup: handle.runSchedule(decodeURIComponent(run[1])) }];
        } catch (err) {
            return [404, { error: (err as Error).message }];
        }
    }
    switch (route) {
        case "GET /health":
            return [200, { ok: true }];
        case "GET /faults":
            return [200, { faults: handle.faults.list(), latency_ms: handle.faults.globalLatencyMs }];
        case "POST /faults": {
            const rule = body as unknown as FaultRule;
            if (!["status", "rateLimit", "dropBefore", "dropAfter", "latency"].includes(rule.kind)) {
                return [400, { error: "kind must be one of status, rateLimit, dropBefore, dropAfter, latency" }];
            }
            return [200, { id: handle.faults.add(rule) }];
        }
        case "DELETE /faults":
            handle.faults.clear();
            return [200, {}];
        case "PUT /latency":
            handle.faults.latency(Number(body.ms ?? 0));
            return [200, { latency_ms: handle.faults.globalLatencyMs }];
        case "GET /requests":
            return [200, { requests: handle.requests.all(), by_operation: handle.requests.countByOperation() }];
        case "DELETE /requests":
            handle.requests.clear();
            return [200, {}];
        case "GET /delays":
            return [200, handle.delays];
        case "PUT /delays":
            handle.setDelays(body as Partial<Delays>);
            return [200, handle.delays];
        case "GET /version":
            return [200, { version: handle.serverVersion }];
        case "PUT /version":
            try {
                handle.setServerVersion(String(body.version ?? ""));
            } catch (err) {
                return [400, { error: (err as Error).message }];
            }
            return [200, { version: handle.serverVersion }];
        case "PUT /outcomes":
            handle.setOutcomes(body as Partial<Outcomes>);
            return [200, handle.outcomes];
        case "POST /settle":
            handle.settle();
            return [200, {}];
        case "POST /reset":
            handle.reset();
            return [200, {}];
        case "POST /tokens":
            return [200, { token: handle.issueToken(body) }];
        case "GET /objects":
            return [200, { objects: handle.dump() }];
        default:
            return [404, { error: `unknown control route ${route}` }];
    }
}
