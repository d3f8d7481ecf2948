// Opt-in Kubernetes Events: what events: true renders (least-privilege RBAC, a projected token for the backup
// container only), that nothing of it exists by default, and the preview-time errors.
import { CLIENT_CRT, plain, reset, settle } from "./mocks";
import * as c from "../../../components";

const storage = { bucket: { bucket: "backups" }, credentials: { secretName: "s3" } };
const certificates = { caCrt: "ca", clientCrt: CLIENT_CRT, clientKey: "key" };

async function resources(build: () => void): Promise<{ type: string; name: string; inputs: any }[]> {
    reset();
    build();
    return (await settle()).map((r) => ({ type: r.type, name: r.name, inputs: plain(r.inputs) }));
}

const byType = (rs: { type: string; inputs: any }[], suffix: string) => rs.filter((r) => r.type.endsWith(suffix));

test.each([
    [
        "PvcBackupSchedule",
        () =>
            new c.PvcBackupSchedule("n", {
                schedule: "0 3 * * *",
                namespace: "db",
                pvcNames: ["pg"],
                storage,
                events: true,
            }),
        "n-pg",
    ],
    [
        "EtcdBackupSchedule",
        () =>
            new c.EtcdBackupSchedule("n", {
                schedule: "0 3 * * *",
                namespace: "db",
                certificates,
                storage,
                events: true,
            }),
        "n",
    ],
])(
    "%s events: true: a Role for creating events only, its binding, a projected token in the backup container",
    async (_, build, cronJob) => {
        const rs = await resources(build);
        const [role] = byType(rs, ":Role");
        expect(role.inputs).toMatchObject({
            metadata: { name: "n-events", namespace: "db" },
            rules: [{ apiGroups: [""], resources: ["events"], verbs: ["create"] }],
        });
        const [binding] = byType(rs, ":RoleBinding");
        expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "n", namespace: "db" }]);
        expect(byType(rs, ":ServiceAccount").map((r) => r.inputs.metadata.name)).toEqual(["n"]);
        const cj = byType(rs, ":CronJob").find((r) => r.inputs.metadata.name === cronJob)!;
        const pod = cj.inputs.spec.jobTemplate.spec.template.spec;
        expect(pod.serviceAccountName).toBe("n");
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.volumes).toContainEqual({
            name: "events-token",
            projected: {
                sources: [
                    { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                    { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                ],
            },
        });
        const withToken = [...(pod.initContainers ?? []), ...pod.containers].filter((ct: any) =>
            (ct.volumeMounts ?? []).some((m: any) => m.name === "events-token"),
        );
        expect(withToken.map((ct: any) => ct.name)).toEqual([pod.containers[0].name]);
        const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        expect(env).toMatchObject({
            BACKUP_EVENTS_DIR: "/var/run/kube-backup/events",
            BACKUP_EVENT_CRONJOB: cronJob,
            BACKUP_EVENT_NAMESPACE: { fieldRef: { fieldPath: "metadata.namespace" } },
            BACKUP_EVENT_POD: { fieldRef: { fieldPath: "metadata.name" } },
        });
    },
);

test("by default no Role, no service account, no token and no event variables", async () => {
    const rs = await resources(() => {
        new c.PvcBackupSchedule("n", { schedule: "0 3 * * *", namespace: "db", pvcNames: ["pg"], storage });
        new c.EtcdBackupSchedule("e", { schedule: "0 3 * * *", namespace: "db", certificates, storage });
    });
    expect(byType(rs, ":Role")).toEqual([]);
    expect(byType(rs, ":ServiceAccount")).toEqual([]);
    for (const cj of byType(rs, ":CronJob")) {
        const pod = cj.inputs.spec.jobTemplate.spec.template.spec;
        expect(pod.volumes.map((v: any) => v.name)).not.toContain("events-token");
        for (const ct of pod.containers) expect(ct.env.map((e: any) => e.name)).not.toContain("BACKUP_EVENTS_DIR");
    }
});

test("bad events input: a non-boolean, and events with the snapshot strategy, name the property", () => {
    expect(
        () =>
            new c.PvcBackupSchedule("x", {
                schedule: "0 3 * * *",
                namespace: "db",
                pvcNames: ["pg"],
                storage,
                events: "yes" as unknown as boolean,
            }),
    ).toThrow(/property "events"/);
    expect(
        () =>
            new c.PvcBackupSchedule("y", {
                schedule: "0 3 * * *",
                namespace: "db",
                pvcNames: ["pg"],
                strategy: "snapshot",
                volumeSnapshotClass: "csi",
                events: true,
            }),
    ).toThrow(/property "events" only applies to strategy "tar" or "custom"/);
});
