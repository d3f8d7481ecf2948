// The gRPC server of the plugin. The Node SDK's provider server (`@pulumi/pulumi/provider` main) does the
// plumbing: handshake by printing the port, construct with the resource monitor, invoke, the CRUD RPCs over
// `provider.Provider`. It drops what Configure is given, though, its Read fails on an import (no prior
// properties) and its Diff does not say which inputs changed: those RPCs (and the config checks) are ours, set
// on an object whose prototype is the SDK's service implementation.
import { createRequire } from "module";
import * as pulumiProvider from "@pulumi/pulumi/provider";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as provprotoTypes from "@pulumi/pulumi/proto/provider_pb";
import { checkedValues, lookupFrom, SETTINGS, CONFIG_NAMESPACE } from "../settings";
import { configure, handler } from "../runtime";
import { kubeBackupProvider, secretOutputs } from "./provider";
import { kindOf, parseUrn } from "./tokens";
import { Props, toWire, unwrapProps } from "./values";

// The SDK's own copies: the service we extend is registered on its grpc module, with its message classes.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi"));
const grpc: typeof grpcTypes = sdkRequire("@grpc/grpc-js");
const provproto: typeof provprotoTypes = sdkRequire("./proto/provider_pb");
const structproto = sdkRequire("google-protobuf/google/protobuf/struct_pb");
const emptyproto = sdkRequire("google-protobuf/google/protobuf/empty_pb");

type Call<Req> = { request: Req };
type Callback<Res> = (err: unknown, res?: Res | null) => void;

const ENGINE_INPUTS = new Set(["version", "pluginDownloadURL"]);

/** Provider config from a Configure/CheckConfig request: `args` (typed, secrets wrapped) or the flat variables. */
function configOf(args: Props | undefined, variables?: Map<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    if (args && Object.keys(args).length) {
        for (const [k, v] of Object.entries(unwrapProps(args).values)) {
            // The engine's own provider inputs (version, download URL, __internal) are not settings.
            if (v === undefined || v === null || ENGINE_INPUTS.has(k) || k.startsWith("__")) continue;
            out[k] = typeof v === "string" ? v : JSON.stringify(v);
        }
    } else if (variables) {
        const prefix = `${CONFIG_NAMESPACE}:`;
        for (const [k, v] of variables) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    }
    return out;
}

const SETTING_KEYS = new Set<string>(SETTINGS.map((s) => s.key));
const SECRET_SETTINGS = ["token", "password", "clientKey"];

function failure(property: string, reason: string): provprotoTypes.CheckFailure {
    const f = new provproto.CheckFailure();
    f.setProperty(property);
    f.setReason(reason);
    return f;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The RPCs the plugin answers itself; everything else is the SDK server's. */
const overrides = {
    async configure(call: Call<provprotoTypes.ConfigureRequest>, callback: Callback<provprotoTypes.ConfigureResponse>) {
        try {
            const req = call.request;
            const cfg = configOf(req.getArgs()?.toJavaScript(), new Map(req.getVariablesMap().entries()));
            await configure({ config: { get: (key) => cfg[key.slice(CONFIG_NAMESPACE.length + 1)] } });
            const resp = new provproto.ConfigureResponse();
            resp.setAcceptsecrets(true);
            resp.setAcceptresources(true);
            resp.setAcceptoutputs(true);
            callback(undefined, resp);
        } catch (e) {
            callback({ code: grpc.status.INVALID_ARGUMENT, details: errorMessage(e) });
        }
    },

    checkConfig(call: Call<provprotoTypes.CheckRequest>, callback: Callback<provprotoTypes.CheckResponse>) {
        const news = call.request.getNews()?.toJavaScript() ?? {};
        const resp = new provproto.CheckResponse();
        const failures: provprotoTypes.CheckFailure[] = [];
        const cfg = configOf(news);
        for (const k of Object.keys(cfg)) {
            if (!SETTING_KEYS.has(k))
                failures.push(failure(k, `${CONFIG_NAMESPACE}:${k} is not a kube-backup setting`));
        }
        try {
            // Ranges and formats only: endpoint and credentials may come from the environment of the plugin.
            checkedValues(lookupFrom((k) => cfg[k]));
        } catch (e) {
            const m = /^kube-backup:(\w+)/.exec(errorMessage(e));
            failures.push(failure(m?.[1] ?? "", errorMessage(e)));
        }
        resp.setInputs(structproto.Struct.fromJavaScript(toWire(news, SECRET_SETTINGS)));
        resp.setFailuresList(failures);
        callback(undefined, resp);
    },

    diffConfig(call: Call<provprotoTypes.DiffRequest>, callback: Callback<provprotoTypes.DiffResponse>) {
        const olds = configOf(call.request.getOldInputs()?.toJavaScript() ?? call.request.getOlds()?.toJavaScript());
        const news = configOf(call.request.getNews()?.toJavaScript());
        const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => olds[k] !== news[k]);
        const resp = new provproto.DiffResponse();
        // Settings change how the provider connects, never which objects exist: no replacement.
        resp.setChanges(
            changed.length
                ? provproto.DiffResponse.DiffChanges.DIFF_SOME
                : provproto.DiffResponse.DiffChanges.DIFF_NONE,
        );
        resp.setDiffsList(changed);
        callback(undefined, resp);
    },

    // The SDK's Diff reports only whether something changed; the keys let the CLI show which inputs did.
    async diff(call: Call<provprotoTypes.DiffRequest>, callback: Callback<provprotoTypes.DiffResponse>) {
        try {
            const req = call.request;
            const kind = kindOf(parseUrn(req.getUrn()).type);
            const olds = unwrapProps(req.getOlds()?.toJavaScript()).values;
            const news = unwrapProps(req.getNews()?.toJavaScript()).values;
            const m = handler(kind);
            const d = await m.diff(req.getId(), olds, news);
            const resp = new provproto.DiffResponse();
            resp.setChanges(
                d.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE,
            );
            if (d.changes) resp.setDiffsList(m.changedInputs(olds, news));
            resp.setReplacesList(d.replaces ?? []);
            resp.setDeletebeforereplace(d.deleteBeforeReplace ?? false);
            callback(undefined, resp);
        } catch (e) {
            callback({ code: grpc.status.UNKNOWN, details: errorMessage(e) });
        }
    },

    async read(call: Call<provprotoTypes.ReadRequest>, callback: Callback<provprotoTypes.ReadResponse>) {
        try {
            const req = call.request;
            const kind = kindOf(parseUrn(req.getUrn()).type);
            // An import (`pulumi import`, `get`) has no prior properties: the id alone names the object.
            const props = unwrapProps(req.getProperties()?.toJavaScript()).values;
            const r = await handler(kind).read(req.getId(), props);
            const resp = new provproto.ReadResponse();
            resp.setId(r.id);
            resp.setProperties(structproto.Struct.fromJavaScript(toWire(r.props, secretOutputs(kind))));
            if (r.inputs) resp.setInputs(structproto.Struct.fromJavaScript(toWire(r.inputs)));
            callback(undefined, resp);
        } catch (e) {
            callback({ code: grpc.status.UNKNOWN, details: errorMessage(e) });
        }
    },

    cancel(_call: Call<unknown>, callback: Callback<unknown>) {
        callback(undefined, new emptyproto.Empty());
    },
};

/** Starts the server (the SDK prints the port for the engine) with our RPCs in front of the SDK's. */
export async function serve(args: string[]): Promise<void> {
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, implementation) {
        grpc.Server.prototype.addService = addService;
        const front = Object.assign(Object.create(implementation), overrides);
        return addService.call(this, service, front);
    };
    try {
        await pulumiProvider.main(kubeBackupProvider, args);
    } finally {
        grpc.Server.prototype.addService = addService;
    }
}
