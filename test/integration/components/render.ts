// Renders components under Pulumi mocks and hands back what the cluster would get: CronJob pod specs and the
// Secrets' data. The processes that then run these specs (pod.ts) are real; only the rendering is mocked.
import { plain, reset, settle } from "../../unit/components/mocks";
import type * as C from "../../../components";

export interface Rendered {
    cronJobs: Record<string, any>;
    /** Jobs (PvcRestore) by name. */
    jobs: Record<string, any>;
    secrets: Record<string, Record<string, string>>;
    /** Every other resource's type and inputs (ServiceAccounts, Roles, RoleBindings, ...). */
    others: { type: string; name: string; inputs: any }[];
}

export async function components(): Promise<typeof C> {
    return import("../../../components");
}

/** Builds components with `build`, then returns their CronJobs (by name) and Secrets (by name). */
export async function render(build: (c: typeof C) => void): Promise<Rendered> {
    reset();
    build(await components());
    const rs = await settle();
    const cronJobs: Record<string, any> = {};
    const jobs: Record<string, any> = {};
    const secrets: Record<string, Record<string, string>> = {};
    const others: Rendered["others"] = [];
    for (const r of rs) {
        if (!["kubernetes:batch/v1:CronJob", "kubernetes:batch/v1:Job", "kubernetes:core/v1:Secret"].includes(r.type))
            others.push({ type: r.type, name: r.name, inputs: plain(r.inputs) });
        if (r.type === "kubernetes:batch/v1:CronJob") cronJobs[r.name] = plain(r.inputs);
        if (r.type === "kubernetes:batch/v1:Job") jobs[r.name] = plain(r.inputs);
        if (r.type === "kubernetes:core/v1:Secret") secrets[plain(r.inputs).metadata.name] = plain(r.inputs).stringData;
    }
    return { cronJobs, jobs, secrets, others };
}

export function podOf(cronJob: any): any {
    return cronJob.spec.jobTemplate.spec.template.spec;
}
