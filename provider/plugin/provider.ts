// The provider the plugin serves, in the shape of the Node SDK's `provider.Provider` (its server does the gRPC
// plumbing; server.ts overrides the RPCs it gets wrong for us). Custom resources go to the same per-kind
// machinery the dynamic provider uses (runtime.handler: one implementation, two front doors); components are
// constructed in this process; functions are the package's own.
import * as fs from "fs";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import type * as Components from "../../components";
import type * as Functions from "../functions";
import { KINDS } from "../kinds";
import { CREATE_SEED, createSeedOf, ResourceInitError } from "../machinery";
import { currentClient, handler } from "../runtime";
import { componentOf, functionOf, kindOf, parseUrn } from "./tokens";
import { Props, toWire, unwrapProps } from "./values";

const packageRoot = path.resolve(__dirname, "../../..");

export const version: string = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")).version;

let schemaText: string | undefined;
/** schema.json of the package, as shipped (read once). */
export function schema(): string {
    schemaText ??= fs.readFileSync(path.join(packageRoot, "schema.json"), "utf8");
    return schemaText;
}

/** The outputs the engine must keep secret: the kind's secret fields and the hashes derived from them. */
export function secretOutputs(kind: ReturnType<typeof kindOf>): string[] {
    const keys = Object.entries(KINDS[kind].fields)
        .filter(([, f]) => f.secret)
        .map(([k]) => k);
    return keys.length ? ["secretHashes", ...keys] : [];
}

/** A failure that left the object in place, its state with secrets wrapped (the SDK sends it as init failure). */
function wireInitError(e: unknown, secrets: string[]): unknown {
    if (!(e instanceof ResourceInitError)) return e;
    return new ResourceInitError(e.message, e.id, toWire(e.properties, secrets), e.reasons);
}

// Components and functions load the Kubernetes, AWS and full Pulumi SDKs: required on first use, so the plugin
// starts (and serves the PX-Backup kinds) without them.
type Ctor = new (name: string, args: Props, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;
type Fn = (args: Props, conn?: Functions.Connection) => Promise<unknown>;
const components = () => require("../../components") as typeof Components;
const functions = () => require("../functions") as typeof Functions;

/** The declared outputs of a component (schema.json), read off the constructed instance. */
function componentState(type: string, c: pulumi.ComponentResource): pulumi.Inputs {
    const declared = JSON.parse(schema()).resources[type]?.properties ?? {};
    const state: pulumi.Inputs = {};
    for (const k of Object.keys(declared)) {
        const v = (c as unknown as Record<string, unknown>)[k];
        if (v !== undefined) state[k] = v as pulumi.Input<unknown>;
    }
    return state;
}

export const kubeBackupProvider: provider.Provider = {
    version,
    getSchema: async () => schema(),

    async check(urn, olds, news) {
        const { type, name, project, stack } = parseUrn(urn);
        const kind = kindOf(type);
        const given = unwrapProps(news);
        const inputs = { ...given.values };
        // What the TypeScript resource classes add: the object name defaults to the resource name, and the
        // create seed makes interrupted creates recognisable.
        if (inputs.name === undefined) inputs.name = name;
        inputs[CREATE_SEED] ??= createSeedOf(project, stack, kind, name);
        const r = await handler(kind).check(unwrapProps(olds).values, inputs);
        return { inputs: toWire(r.inputs, [...given.secretKeys, ...secretOutputs(kind)]), failures: r.failures };
    },

    async create(urn, inputs) {
        const kind = kindOf(parseUrn(urn).type);
        const secrets = secretOutputs(kind);
        try {
            const r = await handler(kind).create(unwrapProps(inputs).values);
            return { id: r.id, outs: toWire(r.outs, secrets) };
        } catch (e) {
            throw wireInitError(e, secrets);
        }
    },

    async update(id, urn, olds, news) {
        const kind = kindOf(parseUrn(urn).type);
        const secrets = secretOutputs(kind);
        try {
            const r = await handler(kind).update(id, unwrapProps(olds).values, unwrapProps(news).values);
            return { outs: toWire(r.outs, secrets) };
        } catch (e) {
            throw wireInitError(e, secrets);
        }
    },

    async delete(id, urn, props) {
        await handler(kindOf(parseUrn(urn).type)).delete(id, unwrapProps(props).values);
    },

    async construct(name, type, inputs, options) {
        const cls = (components() as unknown as Record<string, Ctor>)[componentOf(type)];
        let c: pulumi.ComponentResource;
        try {
            c = new cls(name, inputs, options);
        } catch (e) {
            // Same message as in a TypeScript program, and the engine shows which property it is about.
            const { InputError } =
                require("../../components/validation") as typeof import("../../components/validation");
            const { InputPropertyError } = require("@pulumi/pulumi/errors") as typeof import("@pulumi/pulumi/errors");
            if (e instanceof InputError) throw new InputPropertyError({ propertyPath: e.property, reason: e.message });
            throw e;
        }
        return { urn: c.urn, state: componentState(type, c) };
    },

    async invoke(tok, args) {
        const fn = functionOf(tok);
        const px = functions() as unknown as Record<string, Fn>;
        const values = unwrapProps(args).values;
        // PX-Backup functions use the configured connection; the component functions take their access in args.
        const result =
            fn in px
                ? await px[fn](values, currentClient())
                : await (components() as unknown as Record<string, Fn>)[fn](values);
        // A schema function returns an object: a list is returned as its `items`.
        return { outputs: toWire(Array.isArray(result) ? { items: result } : (result as Props)) };
    },
};
