// The dynamic provider object that Pulumi serializes into every resource's state (`__provider`). It holds
// no code of ours and no settings: each method `require`s the package's compiled runtime module in the
// provider process and delegates to it, so the text stays a few hundred bytes and contains no token.
//
// Module resolution rule (the provider process runs in the Pulumi program directory; the serialized code is
// compiled by require-from-string with that directory's node_modules as its search path):
//   1. `require("kube-backup/provider/runtime")`: the kube-backup package installed in the program
//      (npm dependency, or `file:../..` symlink in our examples) through package.json `exports`
//      ("./provider/runtime" -> "./bin/provider/runtime.js"). This keeps working when the stack is moved or built
//      on another machine, because no path is baked in.
//   2. Only if that package is not resolvable there (e.g. a program inside this repository, which cannot
//      require itself by name from a file-less module), the absolute path of the runtime module that
//      created the resource, captured as a plain string when the program ran.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as path from "path";
import type { KindName } from "./kinds";

const RUNTIME_PATH = path.join(__dirname, "runtime");

export function dynamicProvider(kind: KindName): dynamic.ResourceProvider {
    const fallback = RUNTIME_PATH;
    const load = (): typeof import("./runtime") => {
        try {
            return require("kube-backup/provider/runtime");
        } catch (e) {
            const err = e as NodeJS.ErrnoException | undefined;
            if (err?.code !== "MODULE_NOT_FOUND" || !String(err.message).includes("kube-backup/provider/runtime"))
                throw e;
            return require(fallback);
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
