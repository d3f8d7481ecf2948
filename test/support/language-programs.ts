// What the e2e programs in other languages (YAML, Python, Go) share: a project file that runs this checkout's
// provider plugin, the stack config they all read, and the environment of an Automation API inline program.
import * as fs from "fs";
import * as path from "path";
import { engineEnv, repoRoot } from "../../tools/engine/stack";
import type { SimulatorHandle } from "../../tools/simulator/server";
import { toolPath } from "../../tools/local/toolchain";

export type ProgramConfig = Record<string, { value: string; secret?: boolean }>;

/** Pulumi.yaml of a project whose `kube-backup` provider is the plugin of this checkout. */
export function writePluginProject(dir: string, name: string, runtime: string): void {
    const lines = [`name: ${name}`, `runtime: ${runtime}`, "plugins:", "  providers:", "    - name: kube-backup"];
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        [...lines, `      path: ${path.join(repoRoot, "plugin")}`, ""].join("\n"),
    );
}

/**
 * The config every program reads: the simulator connection and the S3 credential of the PX-Backup objects, and,
 * for the programs that also deploy an EtcdBackupSchedule, its namespace and etcd client certificate.
 */
export function programConfig(
    sim: { url: string; token: string },
    s3: { accessKey: string; secretKey: string },
    kubeconfig: string,
    etcd?: { namespace: string; caPem: string; certPem: string; keyPem: string },
): ProgramConfig {
    return {
        "kube-backup:url": { value: sim.url },
        "kube-backup:token": { value: sim.token, secret: true },
        "kube-backup:pollIntervalMs": { value: "50" },
        accessKey: { value: s3.accessKey, secret: true },
        secretKey: { value: s3.secretKey, secret: true },
        kubeconfig: { value: kubeconfig, secret: true },
        bucket: { value: "px-backups" },
        s3Endpoint: { value: "http://127.0.0.1:9000" },
        ...(etcd
            ? {
                  namespace: { value: etcd.namespace },
                  etcdCa: { value: etcd.caPem },
                  etcdCert: { value: etcd.certPem },
                  etcdKey: { value: etcd.keyPem, secret: true },
              }
            : {}),
    };
}

/** The environment of an inline program (Python, Go): the engine's, the work dir, the CLI root and the config. */
export function inlineProgramEnv(backendDir: string, workDir: string, config: ProgramConfig): Record<string, string> {
    const base = engineEnv(backendDir);
    return {
        ...base,
        // The plugin is a Node script: the Node of this suite runs it.
        PATH: [path.dirname(process.execPath), base.PATH].join(path.delimiter),
        KB_WORK_DIR: workDir,
        KB_PULUMI_ROOT: path.dirname(path.dirname(fs.realpathSync(toolPath("pulumi")))),
        KB_CONFIG: JSON.stringify(config),
    };
}

/**
 * Asserts what every program's first `up` leaves on the simulator: the credential, location, policy, cluster and
 * schedule created through the plugin (`createdTypes`), the schedule wired to the others by uid, the S3 keys
 * delivered. Returns the schedule's resource id, which the program exports as `scheduleId`.
 */
export function expectDeployedObjects(
    sim: Pick<SimulatorHandle, "inspect">,
    createdTypes: string[],
    s3: { accessKey: string; secretKey: string },
): string {
    for (const kind of ["CloudCredential", "BackupLocation", "SchedulePolicy", "Cluster", "BackupSchedule"]) {
        expect(createdTypes).toContain(`kube-backup:index:${kind}`);
    }
    const info = sim.inspect("backupschedule", "app-schedule")?.backup_schedule_info;
    expect(info.namespaces).toEqual(["app", "db"]);
    expect(info.schedule_policy_ref.uid).toBe(sim.inspect("schedulepolicy", "every-interval")?.metadata.uid);
    expect(info.backup_location_ref.uid).toBe(sim.inspect("backuplocation", "s3-location")?.metadata.uid);
    const cred = sim.inspect("cloudcredential", "s3-credential")?.cloud_credential_info;
    expect(cred.aws_config).toEqual(expect.objectContaining({ access_key: s3.accessKey, secret_key: s3.secretKey }));
    return `default/app-schedule/${sim.inspect("backupschedule", "app-schedule")?.metadata.uid}`;
}
