// The dynamic provider object that Pulumi serializes into every resource's state (`__provider`). It holds
// no code of ours, no settings and no path: each method `require`s the package's compiled runtime module in
// the provider process and delegates to it, so the text stays a few hundred bytes and contains no token.
//
// Module resolution (the provider process runs in the Pulumi program directory): `kube-backup/provider/runtime`
// is resolved as a module of that directory would resolve it, through package.json `exports`
// ("./provider/runtime" -> "./bin/provider/runtime.js"):
//   - the kube-backup package installed in the program (an npm dependency, or the `file:../..` link of our
//     examples), found in the directory's node_modules;
//   - or the package itself, when the program directory is the kube-backup package (a program at the
//     repository root), by Node's self-reference of a package by its own name.
// Nothing else: a path of the machine that ran the program would break the stack anywhere else. When neither
// resolves, the error says what to install.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { KindName } from "./kinds";

// One object per kind: Pulumi serializes a provider object once and reuses the text for every resource.
const providers = new Map<KindName, dynamic.ResourceProvider>();

export function dynamicProvider(kind: KindName): dynamic.ResourceProvider {
    let p = providers.get(kind);
    if (!p) {
        p = serializable(kind);
        providers.set(kind, p);
    }
    return p;
}

function serializable(kind: KindName): dynamic.ResourceProvider {
    const load = (): typeof import("./runtime") => {
        const dir = process.cwd();
        // A require of a (not necessarily existing) file in the program directory: its node_modules, and the
        // package's self-reference when the directory is kube-backup itself.
        const programRequire = require("module").createRequire(require("path").join(dir, "index.js"));
        try {
            return programRequire("kube-backup/provider/runtime");
        } catch (e) {
            const err = e as NodeJS.ErrnoException | undefined;
            if (err?.code !== "MODULE_NOT_FOUND" || !String(err.message).includes("kube-backup/provider/runtime"))
                throw e;
            throw new Error(
                `cannot load kube-backup/provider/runtime from the Pulumi program directory ${dir}: ` +
                    "the program's node_modules must contain the kube-backup package (npm install kube-backup)",
                { cause: e },
            );
        }
    };
    return {
        configure: (req) => load().configure(req),
        check: (olds, news) => load().handler(kind).check(olds, news),
        diff: (id, olds, news) => load().handler(kind).diff(id, olds, news),
        create: (inputs) => load().handler(kind).create(inputs),
        read: (id, props) => load().handler(kind).read(id, props),
        update: (id, olds, news) => load().handler(kind).update(id, olds, news),
        delete: (id, props) => load().handler(kind).delete(id, props),
    };
}
