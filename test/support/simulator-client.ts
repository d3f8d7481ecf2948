// A test client for the PX-Backup simulator that addresses operations by contract operationId and checks
// every request it sends and every response it gets against the swagger (strict: no undeclared fields, no
// zero values in 200 responses, runtimeError bodies for JSON errors). Tests use `exercised` to prove that
// each implemented operation was covered.
import { contractValidator, ContractValidator } from "../../tools/simulator/contract-validator";
import { operation } from "../../tools/simulator/contract";

export interface CallOptions {
    params?: Record<string, string>;
    query?: Record<string, string | string[] | number | boolean>;
    body?: unknown;
    /** Bearer token; null sends no Authorization header. Default: the client's token. */
    token?: string | null;
    /** Skip request validation (to send deliberately invalid requests). */
    invalidRequest?: boolean;
}

export interface CallResult {
    status: number;
    headers: Headers;
    /** Parsed JSON, or the raw text when the body is not JSON. */
    body: any;
    text: string;
}

let shared: ContractValidator | undefined;
export function sharedValidator(): ContractValidator {
    return (shared ??= contractValidator());
}

export class SimulatorClient {
    readonly exercised = new Set<string>();
    readonly validator = sharedValidator();

    constructor(
        readonly baseUrl: string,
        readonly token: string,
    ) {}

    path(operationId: string, params: Record<string, string> = {}): string {
        return operation(operationId).template.replace(/\{([^}]+)\}/g, (_, name: string) => {
            if (params[name] === undefined) throw new Error(`${operationId}: missing path parameter ${name}`);
            return encodeURIComponent(params[name]);
        });
    }

    async call(operationId: string, opts: CallOptions = {}): Promise<CallResult> {
        const op = operation(operationId);
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(opts.query ?? {})) {
            for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
        }
        if (!opts.invalidRequest) {
            const queryErrors = this.validator.query(operationId, search);
            if (queryErrors) throw new Error(`${operationId} request query violates the contract: ${queryErrors}`);
            if (op.bodySchema) {
                const bodyErrors = this.validator.request(operationId, opts.body ?? {});
                if (bodyErrors) throw new Error(`${operationId} request body violates the contract: ${bodyErrors}`);
            }
        }
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        const token = opts.token === undefined ? this.token : opts.token;
        if (token) headers.Authorization = `Bearer ${token}`;
        const qs = search.toString();
        const res = await fetch(`${this.baseUrl}${this.path(operationId, opts.params)}${qs ? `?${qs}` : ""}`, {
            method: op.method,
            headers,
            body: op.bodySchema ? JSON.stringify(opts.body ?? {}) : undefined,
        });
        const text = await res.text();
        let body: unknown = text;
        if ((res.headers.get("content-type") ?? "").includes("application/json")) body = JSON.parse(text);
        if (res.status === 200) {
            const errors = this.validator.response(operationId, body);
            if (errors) throw new Error(`${operationId} response violates the contract: ${errors}\n${text}`);
            this.exercised.add(operationId);
        } else if (typeof body === "object") {
            const errors = this.validator.error(body);
            if (errors) throw new Error(`${operationId} error body is not a runtimeError: ${errors}\n${text}`);
        }
        return { status: res.status, headers: res.headers, body, text };
    }

    /** Calls and insists on HTTP 200. */
    async ok(operationId: string, opts: CallOptions = {}): Promise<any> {
        const res = await this.call(operationId, opts);
        if (res.status !== 200) throw new Error(`${operationId} → HTTP ${res.status}: ${res.text}`);
        return res.body;
    }
}

/** Request bodies for a complete object graph, using only contract fields. */
export const ORG = "default";
export const KUBECONFIG_B64 = Buffer.from(
    "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: https://127.0.0.1:6443}\ncontexts: []\nusers: []\n",
).toString("base64");

export const requests = {
    cloudCredential: (name: string) => ({
        metadata: { name, org_id: ORG },
        cloud_credential: { type: "AWS", aws_config: { access_key: "AKIAEXAMPLE", secret_key: "secret-key-value" } },
    }),
    backupLocation: (name: string, credential: string) => ({
        metadata: { name, org_id: ORG },
        backup_location: {
            type: "S3",
            path: "backups-bucket",
            encryption_key: "encryption-key-value",
            validate_cloud_credential: true,
            cloud_credential_ref: { name: credential },
            s3_config: { endpoint: "http://127.0.0.1:9000", region: "us-east-1", disable_ssl: true },
        },
    }),
    schedulePolicy: (name: string) => ({
        metadata: { name, org_id: ORG },
        schedule_policy: { interval: { minutes: "15", retain: "5", incremental_count: { count: "2" } } },
    }),
    cluster: (name: string) => ({ metadata: { name, org_id: ORG }, kubeconfig: KUBECONFIG_B64 }),
    rule: (name: string) => ({
        metadata: { name, org_id: ORG },
        rules_info: {
            rules: [
                { pod_selector: { app: "db" }, actions: [{ value: "sync", run_in_single_pod: true }], container: "db" },
            ],
        },
    }),
    backupSchedule: (name: string, refs: { policy: string; location: string; cluster: string; rule?: string }) => ({
        metadata: { name, org_id: ORG, labels: { team: "platform" } },
        schedule_policy_ref: { name: refs.policy },
        backup_location_ref: { name: refs.location },
        cluster_ref: { name: refs.cluster },
        ...(refs.rule ? { pre_exec_rule_ref: { name: refs.rule } } : {}),
        namespaces: ["app"],
        reclaim_policy: "Delete",
        backup_type: "Normal",
        include_resources: [{ name: "cfg", namespace: "app", kind: "ConfigMap", version: "v1" }],
        label_selectors: { tier: "db" },
        parallel_backup: true,
    }),
    backup: (name: string, refs: { location: string; cluster: string }) => ({
        metadata: { name, org_id: ORG, labels: { kind: "manual" } },
        backup_location_ref: { name: refs.location },
        cluster_ref: { name: refs.cluster },
        namespaces: ["app", "db"],
        backup_type: "Normal",
        backup_object_type: { type: "All" },
    }),
};

/** Creates credential, location, policy, cluster and rule named after `prefix`; returns their names. */
export async function seed(client: SimulatorClient, prefix = "t") {
    const names = {
        credential: `${prefix}-cred`,
        location: `${prefix}-loc`,
        policy: `${prefix}-policy`,
        cluster: `${prefix}-cluster`,
        rule: `${prefix}-rule`,
    };
    await client.ok("CloudCredential_Create", { body: requests.cloudCredential(names.credential) });
    await client.ok("BackupLocation_Create", { body: requests.backupLocation(names.location, names.credential) });
    await client.ok("SchedulePolicy_Create", { body: requests.schedulePolicy(names.policy) });
    await client.ok("Cluster_Create", { body: requests.cluster(names.cluster) });
    await client.ok("Rules_Create", { body: requests.rule(names.rule) });
    return names;
}
