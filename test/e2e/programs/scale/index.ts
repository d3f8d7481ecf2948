// config `count` resources of one `mode`: "px" = PX-Backup SchedulePolicies (dynamic provider), "empty" = empty
// component resources, the engine's own per-resource cost with no provider at all.
import * as pulumi from "@pulumi/pulumi";
import * as kb from "kube-backup";

const config = new pulumi.Config();
const count = config.requireNumber("count");
const mode = config.require("mode");

class Empty extends pulumi.ComponentResource {
    constructor(name: string) {
        super("bench:index:Empty", name);
        this.registerOutputs({});
    }
}

for (let i = 0; i < count; i++) {
    if (mode === "px") new kb.SchedulePolicy(`policy-${i}`, { interval: { minutes: 15 + (i % 100), retain: 3 } });
    else new Empty(`empty-${i}`);
}
