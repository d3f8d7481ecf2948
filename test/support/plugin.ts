// Starts the real provider plugin process (plugin/pulumi-resource-kube-backup, over the compiled bin/) and talks
// gRPC to it with the SDK's generated ResourceProvider client, as the engine would.
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

export const repoRoot = path.resolve(__dirname, "../..");
export const launcher = path.join(repoRoot, "plugin", "pulumi-resource-kube-backup");

export const SECRET = (value: unknown) => ({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    value,
});
export const isSecretValue = (v: unknown) =>
    typeof v === "object" &&
    v !== null &&
    (v as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] !== undefined;

type Props = Record<string, unknown>;

export interface PluginHandle {
    proc: ChildProcess;
    port: number;
    /** Milliseconds from spawn until the port was printed. */
    startMs: number;
    client: provrpc.ResourceProviderClient;
    stderr: () => string;
    call<Req, Res>(method: string, req: Req): Promise<Res>;
    stop(): Promise<void>;
}

/** Spawns the plugin with the Node running the tests and waits for its port. */
export async function startPlugin(env: NodeJS.ProcessEnv = {}): Promise<PluginHandle> {
    const t0 = Date.now();
    const proc = spawn(process.execPath, [launcher], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        proc.stdout!.on("data", (d) => {
            out += d;
            const line = out.split("\n")[0];
            if (out.includes("\n") && /^\d+$/.test(line.trim())) resolve(Number(line.trim()));
        });
        proc.on("exit", (code) => reject(new Error(`plugin exited with ${code} before printing its port: ${err}`)));
    });
    const startMs = Date.now() - t0;
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        proc,
        port,
        startMs,
        client,
        stderr: () => err,
        call<Req, Res>(method: string, req: Req): Promise<Res> {
            return new Promise((resolve, reject) => {
                type Unary = (req: Req, cb: (e: grpc.ServiceError | null, res: Res) => void) => void;
                const fn = (client as unknown as Record<string, Unary>)[method].bind(client);
                fn(req, (e: grpc.ServiceError | null, res: Res) => (e ? reject(e) : resolve(res)));
            });
        },
        async stop() {
            client.close();
            if (proc.exitCode === null) {
                const exited = new Promise((r) => proc.once("exit", r));
                proc.kill();
                await exited;
            }
        },
    };
}

export const struct = (p: Props) => Struct.fromJavaScript(p as Record<string, never>);
export const js = (s: Struct | undefined) => (s ? (s.toJavaScript() as Props) : {});

export const urnOf = (type: string, name: string) => `urn:pulumi:test::plugin-test::${type}::${name}`;

/** Typed wrappers over the RPCs the tests use. */
export function rpc(p: PluginHandle) {
    return {
        info: () => p.call<Empty, plugproto.PluginInfo>("getPluginInfo", new Empty()),
        schema: async () => {
            const r = await p.call<provproto.GetSchemaRequest, provproto.GetSchemaResponse>(
                "getSchema",
                new provproto.GetSchemaRequest(),
            );
            return r.getSchema();
        },
        configure: (args: Props) => {
            const req = new provproto.ConfigureRequest();
            req.setArgs(struct(args));
            req.setAcceptsecrets(true);
            return p.call<provproto.ConfigureRequest, provproto.ConfigureResponse>("configure", req);
        },
        checkConfig: async (news: Props) => {
            const req = new provproto.CheckRequest();
            req.setUrn(urnOf("pulumi:providers:kube-backup", "default"));
            req.setOlds(struct({}));
            req.setNews(struct(news));
            const r = await p.call<provproto.CheckRequest, provproto.CheckResponse>("checkConfig", req);
            return { inputs: js(r.getInputs()), failures: r.getFailuresList().map((f) => f.toObject()) };
        },
        check: async (type: string, name: string, news: Props, olds: Props = {}) => {
            const req = new provproto.CheckRequest();
            req.setUrn(urnOf(type, name));
            req.setOlds(struct(olds));
            req.setNews(struct(news));
            const r = await p.call<provproto.CheckRequest, provproto.CheckResponse>("check", req);
            return { inputs: js(r.getInputs()), failures: r.getFailuresList().map((f) => f.toObject()) };
        },
        diff: async (type: string, name: string, id: string, olds: Props, news: Props) => {
            const req = new provproto.DiffRequest();
            req.setUrn(urnOf(type, name));
            req.setId(id);
            req.setOlds(struct(olds));
            req.setNews(struct(news));
            const r = await p.call<provproto.DiffRequest, provproto.DiffResponse>("diff", req);
            return { changes: r.getChanges(), replaces: r.getReplacesList(), diffs: r.getDiffsList() };
        },
        create: async (type: string, name: string, props: Props) => {
            const req = new provproto.CreateRequest();
            req.setUrn(urnOf(type, name));
            req.setProperties(struct(props));
            const r = await p.call<provproto.CreateRequest, provproto.CreateResponse>("create", req);
            return { id: r.getId(), outs: js(r.getProperties()) };
        },
        read: async (type: string, name: string, id: string, props?: Props) => {
            const req = new provproto.ReadRequest();
            req.setUrn(urnOf(type, name));
            req.setId(id);
            if (props) req.setProperties(struct(props));
            const r = await p.call<provproto.ReadRequest, provproto.ReadResponse>("read", req);
            return { id: r.getId(), props: js(r.getProperties()), inputs: js(r.getInputs()) };
        },
        update: async (type: string, name: string, id: string, olds: Props, news: Props) => {
            const req = new provproto.UpdateRequest();
            req.setUrn(urnOf(type, name));
            req.setId(id);
            req.setOlds(struct(olds));
            req.setNews(struct(news));
            const r = await p.call<provproto.UpdateRequest, provproto.UpdateResponse>("update", req);
            return { outs: js(r.getProperties()) };
        },
        delete: async (type: string, name: string, id: string, props: Props) => {
            const req = new provproto.DeleteRequest();
            req.setUrn(urnOf(type, name));
            req.setId(id);
            req.setProperties(struct(props));
            await p.call<provproto.DeleteRequest, Empty>("delete", req);
        },
        invoke: async (tok: string, args: Props) => {
            const req = new provproto.InvokeRequest();
            req.setTok(tok);
            req.setArgs(struct(args));
            const r = await p.call<provproto.InvokeRequest, provproto.InvokeResponse>("invoke", req);
            return { ret: js(r.getReturn()), failures: r.getFailuresList().map((f) => f.toObject()) };
        },
    };
}
