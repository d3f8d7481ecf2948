// Maps method + path to a contract operation, the way grpc-gateway v1 does: every route of the swagger is
// known (unimplemented ones answer 501), an unknown path is a plain-text 404 and a known path with the
// wrong method a plain-text 405. A release older than the contract swaps some templates (versions.ts).
import { ContractOperation, contractOperations } from "./contract";

export interface RouteMatch {
    op?: ContractOperation;
    params: Record<string, string>;
    /** 404 (no such path) or 405 (path exists, method does not) when op is undefined. */
    status?: 404 | 405;
}

interface CompiledRoute {
    op: ContractOperation;
    regex: RegExp;
    /** Literal segments win over parameters when several templates match. */
    literals: number;
}

export class Router {
    private readonly routes: CompiledRoute[];

    /** `overrides`: operationId → the path template this server release uses instead of the contract's. */
    constructor(overrides: Record<string, string> = {}) {
        this.routes = [...contractOperations().values()].map((contractOp) => {
            const template = overrides[contractOp.operationId];
            const op = template ? { ...contractOp, template } : contractOp;
            const segments = op.template.split("/").filter(Boolean);
            const source = segments
                .map((s) => (/^\{.+\}$/.test(s) ? "([^/]+)" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
                .join("/");
            return {
                op,
                regex: new RegExp(`^/${source}/?$`),
                literals: segments.filter((s) => !s.startsWith("{")).length,
            };
        });
    }

    match(method: string, path: string): RouteMatch {
        const candidates = this.routes.filter((r) => r.regex.test(path));
        if (candidates.length === 0) return { params: {}, status: 404 };
        const forMethod = candidates.filter((r) => r.op.method === method).sort((a, b) => b.literals - a.literals);
        if (forMethod.length === 0) return { params: {}, status: 405 };
        const route = forMethod[0];
        const values = route.regex.exec(path)!.slice(1);
        const params: Record<string, string> = {};
        const names = [...route.op.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        names.forEach((name, i) => (params[name] = decodeURIComponent(values[i] ?? "")));
        return { op: route.op, params };
    }
}
