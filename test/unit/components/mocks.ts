// Pulumi mocks for component tests: records every registered resource with its inputs and URN. Import this
// module before the components (it calls setMocks at load time).
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    inputs: any;
    urn: string;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const registered: { type: string; name: string; inputs: any }[] = [];

pulumi.runtime.setMocks(
    {
        newResource(args) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            const state: any = { ...args.inputs };
            if (args.type === "aws:s3/bucket:Bucket") {
                const b = args.inputs.bucket ?? `${args.inputs.bucketPrefix ?? args.name}abc123`;
                Object.assign(state, {
                    bucket: b,
                    arn: `arn:aws:s3:::${b}`,
                    region: args.inputs.region ?? "eu-west-1",
                });
            }
            return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
    },
    "kube-backup",
    "unit",
    false,
);

/** Resolves an Output in tests (rejects when the Output failed). */
export function value<T>(o: pulumi.Input<T>): Promise<T> {
    return (pulumi.output(o) as any).promise();
}

/** Waits until the mock engine has seen every pending registration, then lists resources with URNs. */
export async function settle(): Promise<Registered[]> {
    await new Promise((r) => setTimeout(r, 50));
    const monitor = (pulumi.runtime as any).getMonitor();
    const urns: string[] = Array.from(monitor.resources.keys());
    return registered.map((r) => ({
        ...r,
        urn: urns.find((u) => u.endsWith(`::${r.name}`) && u.split("::")[2].split("$").pop() === r.type) ?? "",
    }));
}

export function reset(): void {
    registered.length = 0;
    (pulumi.runtime as any).getMonitor().resources.clear();
}

/** Parent type of a resource, from its URN ("...::parent$child::name"). */
export function parentType(r: Registered): string | undefined {
    const chain = r.urn.split("::")[2].split("$");
    return chain.length > 1 ? chain[chain.length - 2] : undefined;
}

export function isSecret(v: any): boolean {
    return typeof v === "object" && v !== null && v["4dabf18193072939515e22adb298388d"] === SECRET_SIG;
}

/** Deep copy with secrets unwrapped (for schema validation and script extraction). */
export function plain(v: any): any {
    if (isSecret(v)) return plain(v.value);
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
}

/** A real client certificate (its key was discarded), valid until CLIENT_CRT_EXPIRY. */
export const CLIENT_CRT = require("fs").readFileSync(
    require("path").join(__dirname, "fixtures/etcd-client.crt"),
    "utf8",
);
export const CLIENT_CRT_EXPIRY = "2036-11-27T17:22:38.000Z";
