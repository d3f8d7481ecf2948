// A dynamic resource whose provider, running in pulumi-resource-pulumi-nodejs, reports where it runs and whether
// it can load kube-backup's provider runtime the way the package's serialized providers do.
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const probe: pulumi.dynamic.ResourceProvider = {
    async create(inputs) {
        return { id: "probe", outs: { ...inputs, ...where() } };
    },
    async diff(_id, olds, news) {
        return { changes: olds.label !== news.label };
    },
    async update(_id, _olds, news) {
        return { outs: { ...news, ...where() } };
    },
};

function where() {
    return {
        packageName: require("kube-backup/package.json").name,
        runtimeModule: require.resolve("kube-backup/provider/runtime"),
        providerCwd: process.cwd(),
        pulumiSdk: require("@pulumi/pulumi/package.json").version,
    };
}

class Probe extends pulumi.dynamic.Resource {
    declare readonly label: pulumi.Output<string>;
    declare readonly packageName: pulumi.Output<string>;
    declare readonly runtimeModule: pulumi.Output<string>;
    declare readonly providerCwd: pulumi.Output<string>;
    declare readonly pulumiSdk: pulumi.Output<string>;
    constructor(name: string, args: { label: pulumi.Input<string>; secretInput: pulumi.Input<string> }) {
        super(probe, name, {
            ...args,
            packageName: undefined,
            runtimeModule: undefined,
            providerCwd: undefined,
            pulumiSdk: undefined,
        });
    }
}

const p = new Probe("probe", { label: config.require("label"), secretInput: config.requireSecret("probeSecret") });

export const label = p.label;
export const packageName = p.packageName;
export const runtimeModule = p.runtimeModule;
export const providerCwd = p.providerCwd;
export const pulumiSdk = p.pulumiSdk;
