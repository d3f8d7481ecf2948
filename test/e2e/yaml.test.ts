// A YAML program (test/e2e/programs/yaml) through the real CLI, pulumi-language-yaml and the provider plugin
// pulumi-resource-kube-backup, against the validating PX-Backup simulator and a local kube-apiserver:
// up → empty preview → a change made out of band shows in preview --refresh → up --refresh repairs it → destroy.
// Bad input from YAML (an unknown token, a wrong type) is a clear preview error naming it.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import { createCertificateAuthority, makeTempDir, CertificateAuthority } from "../../tools/local/processes";
import { languageYamlHost } from "../../tools/local/toolchain";
import { startSimulator, SimulatorHandle } from "../../tools/simulator/server";
import { expectDeployedObjects, programConfig } from "../support/language-programs";
import { SimulatorClient } from "../support/simulator-client";
import {
    E2eStack,
    auditBackend,
    changes,
    createE2eStack,
    preview,
    stateResources,
    stepByName,
    up,
} from "../../tools/engine/stack";

jest.setTimeout(900_000);

const NS = "kube-backup-yaml";
const accessKey = `AKIAYAML${crypto.randomBytes(6).toString("hex").toUpperCase()}`;
const secretKey = crypto.randomBytes(24).toString("base64url");

let sim: SimulatorHandle;
let api: SimulatorClient;
let cluster: ClusterHandle;
let etcdCa: CertificateAuthority;
let etcdKey: string;
let e2e: E2eStack;

const scheduleInfo = () => sim.inspect("backupschedule", "app-schedule")?.backup_schedule_info;
const ourObjects = () => sim.dump().filter((o) => o.kind !== ("organization" as string));
const cronJobStatus = async (name: string) =>
    (await cluster.request("GET", `/apis/batch/v1/namespaces/${NS}/cronjobs/${name}`)).status;

beforeAll(async () => {
    languageYamlHost();
    [sim, cluster] = await Promise.all([
        startSimulator({ validateResponses: true, validateRequests: true }),
        startCluster(),
    ]);
    api = new SimulatorClient(sim.url, sim.token);
    etcdCa = createCertificateAuthority(makeTempDir("yaml-etcd-pki"), "yaml e2e etcd CA");
    const client = etcdCa.issue("backup-client", { cn: "kube-backup", client: true });
    etcdKey = client.keyPem;
    e2e = await createE2eStack({
        program: "yaml",
        plugins: ["kubernetes"],
        config: programConfig(sim, { accessKey, secretKey }, cluster.kubeconfig, {
            namespace: NS,
            caPem: etcdCa.certPem,
            certPem: client.certPem,
            keyPem: client.keyPem,
        }),
    });
}, 900_000);

afterAll(async () => {
    await e2e?.dispose();
    await Promise.all([sim?.stop(), cluster?.stop()]);
    if (etcdCa) fs.rmSync(etcdCa.dir, { recursive: true, force: true });
});

test("up creates the PX-Backup objects through the plugin and the etcd schedule's CronJob", async () => {
    const r = await up(e2e.stack);
    expect(r.summary.result).toBe("succeeded");
    const types = r.steps.filter((s) => s.op === "create").map((s) => s.type);
    expect(types).toContain("kube-backup:index:EtcdBackupSchedule");
    expect(types.some((t) => t.startsWith("pulumi-nodejs:dynamic"))).toBe(false);
    expect(r.outputs.scheduleId.value).toBe(expectDeployedObjects(sim, types, { accessKey, secretKey }));
    expect(r.outputs.scheduleNamespaces.value).toEqual(["app", "db"]);
    expect(await cronJobStatus(r.outputs.etcdCronJob.value)).toBe(200);
    // Secrets reach the state only encrypted, those passed through the component's construct included.
    expect(
        auditBackend(e2e.backendDir, {
            token: sim.token,
            accessKey,
            secretKey,
            etcdKey,
            kubeconfig: cluster.kubeconfig,
        }),
    ).toEqual([]);
    // No warning: the language host is the one next to the CLI, the plugin the one Pulumi.yaml names.
    expect(r.diagnostics).toEqual([]);
});

test("a second preview is empty", async () => {
    const p = await preview(e2e.stack, { expectNoChanges: true });
    expect(changes(p.steps)).toEqual([]);
});

test("a schedule changed out of band shows in preview --refresh and up --refresh repairs it", async () => {
    await api.ok("BackupSchedule_Update", {
        body: {
            metadata: { name: "app-schedule", org_id: "default" },
            namespaces: ["tampered"],
            reclaim_policy: "Retain",
        },
    });
    expect(scheduleInfo().namespaces).toEqual(["tampered"]);

    const p = await preview(e2e.stack, { refresh: true });
    const planned = p.steps.filter((s) => s.op !== "refresh");
    const step = stepByName(planned, "schedule");
    expect(step?.op).toBe("update");
    // The plugin's diff names the changed inputs. Old inputs: what read found on the server; new: the program's.
    expect([...step!.diffs].sort()).toEqual(["namespaces", "reclaimPolicy"]);
    expect(step?.oldInputs?.namespaces).toEqual(["tampered"]);
    expect(step?.oldInputs?.reclaimPolicy).toBe("Retain");
    expect(step?.newInputs?.namespaces).toEqual(["app", "db"]);
    expect(step?.newInputs?.reclaimPolicy).toBe("Delete");
    expect(changes(planned)).toHaveLength(1);
    expect(scheduleInfo().namespaces).toEqual(["tampered"]); // preview changed nothing

    const r = await up(e2e.stack, { refresh: true });
    expect(r.summary.result).toBe("succeeded");
    expect(scheduleInfo().namespaces).toEqual(["app", "db"]);
    expect(scheduleInfo().reclaim_policy).toBe("Delete");
    await preview(e2e.stack, { refresh: true, expectNoChanges: true });
});

test("destroy removes the PX-Backup objects, the CronJob and the state", async () => {
    const cronJob = (await e2e.stack.outputs()).etcdCronJob.value;
    const r = await e2e.stack.destroy();
    expect(r.summary.result).toBe("succeeded");
    sim.settle();
    expect(ourObjects().map((o) => `${o.kind}/${o.object.metadata.name}`)).toEqual([]);
    expect(await cronJobStatus(cronJob)).toBe(404);
    expect((await stateResources(e2e.stack)).filter((x) => x.type !== "pulumi:pulumi:Stack")).toEqual([]);
    expect(sim.contractViolations).toEqual([]);
});

describe("bad input from a YAML program", () => {
    /** A one-resource YAML program next to the main one's plugin setting; returns the preview's error text. */
    async function previewError(name: string, resource: string[]): Promise<string> {
        const main = fs.readFileSync(path.join(__dirname, "programs", "yaml", "Pulumi.yaml"), "utf8");
        const plugins = /^plugins:\n(?: .*\n)+/m.exec(main)![0];
        const bad = await createE2eStack({
            program: "yaml",
            stackName: name,
            config: { "kube-backup:url": { value: sim.url }, "kube-backup:token": { value: sim.token, secret: true } },
        });
        try {
            fs.writeFileSync(
                path.join(bad.workDir, "Pulumi.yaml"),
                [`name: kube-backup-yaml`, "runtime: yaml", plugins.trimEnd(), "resources:", ...resource, ""].join(
                    "\n",
                ),
            );
            const err = await preview(bad.stack).then(
                () => undefined,
                (e: Error) => e,
            );
            expect(err).toBeDefined();
            return err!.message;
        } finally {
            await bad.dispose();
        }
    }

    test("an unknown token is an error naming it, not a crash of the plugin", async () => {
        const msg = await previewError("unknown-token", [
            "  thing:",
            "    type: kube-backup:index:NoSuchKind",
            "    properties:",
            "      name: x",
        ]);
        expect(msg).toMatch(/kube-backup:index:NoSuchKind/);
        expect(msg).not.toMatch(/panic|SIGSEGV|unhandled|TypeError/i);
    });

    test("a wrong type is an error naming the property", async () => {
        const msg = await previewError("wrong-type", [
            "  policy:",
            "    type: kube-backup:index:SchedulePolicy",
            "    properties:",
            "      interval:",
            "        minutes: often",
            "        retain: 5",
        ]);
        expect(msg).toMatch(/minutes/);
        expect(msg).not.toMatch(/panic|SIGSEGV|unhandled|TypeError/i);
        expect(ourObjects()).toEqual([]);
    });
});
