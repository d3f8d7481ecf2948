// Every pod the components render, checked against the Pod Security Standards (the rules the API server's
// PodSecurity admission enforces, written out here). Defaults must pass `restricted`; the documented opt-in
// exceptions (etcd host access, reading files of any owner) must break exactly the rules they are documented to
// break, and still pass `baseline` where documented.
import { CLIENT_CRT, plain, reset, settle } from "./mocks";
import type * as C from "../../../components";

let c: typeof C;
beforeAll(async () => {
    c = await import("../../../components");
});
beforeEach(() => reset());

type Level = "baseline" | "restricted";
const BASELINE_CAPS = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
const RESTRICTED_VOLUMES = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
];

/** The rules of a Pod Security level a pod spec breaks, each named with the container or volume concerned. */
function podSecurityViolations(spec: any, level: Level): string[] {
    const out: string[] = [];
    const psc = spec.securityContext ?? {};
    const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const where = (ct: any) => ` (container "${ct.name}")`;
    // baseline
    for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[f] === true) out.push(`host namespaces: ${f}`);
    for (const vol of spec.volumes ?? []) if (vol.hostPath) out.push(`hostPath volumes (volume "${vol.name}")`);
    if (psc.seccompProfile?.type === "Unconfined") out.push("seccomp: Unconfined");
    if (psc.seLinuxOptions?.user || psc.seLinuxOptions?.role) out.push("SELinux options");
    for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.includes(s.name)) out.push(`sysctls: ${s.name}`);
    for (const ct of containers) {
        const sc = ct.securityContext ?? {};
        if (sc.privileged === true) out.push(`privileged${where(ct)}`);
        for (const cap of sc.capabilities?.add ?? [])
            if (!BASELINE_CAPS.includes(cap)) out.push(`capabilities: adds ${cap}${where(ct)}`);
        for (const p of ct.ports ?? []) if (p.hostPort) out.push(`host ports${where(ct)}`);
        if (sc.procMount && sc.procMount !== "Default") out.push(`procMount${where(ct)}`);
        if (sc.seccompProfile?.type === "Unconfined") out.push(`seccomp: Unconfined${where(ct)}`);
        if (sc.seLinuxOptions?.user || sc.seLinuxOptions?.role) out.push(`SELinux options${where(ct)}`);
    }
    if (level === "baseline") return out;
    // restricted
    for (const vol of spec.volumes ?? []) {
        const type = Object.keys(vol).find((k) => k !== "name")!;
        if (!RESTRICTED_VOLUMES.includes(type)) out.push(`volume types: ${type} (volume "${vol.name}")`);
    }
    if (psc.runAsUser === 0) out.push("runAsUser: 0 (pod)");
    for (const ct of containers) {
        const sc = ct.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) out.push(`allowPrivilegeEscalation${where(ct)}`);
        const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
        if (nonRoot !== true) out.push(`runAsNonRoot${where(ct)}`);
        if (sc.runAsUser === 0) out.push(`runAsUser: 0${where(ct)}`);
        const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`seccomp: not set${where(ct)}`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`capabilities: must drop ALL${where(ct)}`);
        for (const cap of sc.capabilities?.add ?? [])
            if (cap !== "NET_BIND_SERVICE") out.push(`capabilities: adds ${cap} (restricted)${where(ct)}`);
    }
    return out;
}

async function pods(): Promise<{ name: string; spec: any }[]> {
    const rs = await settle();
    return rs
        .filter((r) => r.type === "kubernetes:batch/v1:CronJob")
        .map((r) => {
            const m = plain(r.inputs);
            return { name: m.metadata.name, spec: m.spec.jobTemplate.spec.template.spec };
        });
}

const s3 = { bucket: { bucket: "backups", endpoint: "https://s3.local:9000", forcePathStyle: true } };
const certs = { caCrt: "ca", clientCrt: CLIENT_CRT, clientKey: "key" };
const base = { schedule: "0 * * * *" };

const restricted: [string, () => void][] = [
    [
        "etcd with certificate values",
        () => new c.EtcdBackupSchedule("etcd", { ...base, certificates: certs, storage: s3 }),
    ],
    [
        "etcd with a Secret, IRSA service account, pull secret, priority class, custom resources",
        () =>
            new c.EtcdBackupSchedule("etcd", {
                ...base,
                certificates: { secretName: "etcd-client" },
                storage: s3,
                createServiceAccount: { awsRoleArn: "arn:aws:iam::123456789012:role/etcd-backup" },
                imagePullSecrets: ["regcred"],
                priorityClassName: "system-cluster-critical",
                resources: { requests: { cpu: "200m", memory: "256Mi" } },
            }),
    ],
    [
        "pvc tar of a StatefulSet's claims",
        () =>
            new c.PvcBackupSchedule("app", {
                ...base,
                namespace: "shop",
                pvcNames: ["data-db-0", "data-db-1"],
                statefulSet: "db",
                accessMode: "ReadWriteOnce",
                storage: s3,
            }),
    ],
    [
        "pvc custom as the files' owner",
        () =>
            new c.PvcBackupSchedule("pg", {
                ...base,
                namespace: "db",
                pvcNames: ["pg"],
                strategy: "custom",
                command: ["pg_dumpall"],
                podSecurityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999 },
                storage: s3,
            }),
    ],
    [
        "pvc snapshot",
        () =>
            new c.PvcBackupSchedule("snap", {
                ...base,
                namespace: "shop",
                selector: { backup: "true" },
                strategy: "snapshot",
                volumeSnapshotClass: "csi",
                serviceAccountName: "snapshotter",
            }),
    ],
];

test.each(restricted)("%s: every pod meets the restricted profile", async (_label, build) => {
    build();
    const ps = await pods();
    expect(ps.length).toBeGreaterThan(0);
    for (const p of ps)
        expect({ pod: p.name, broken: podSecurityViolations(p.spec, "restricted") }).toEqual({
            pod: p.name,
            broken: [],
        });
});

// The documented exceptions: opt-in only, and exactly these rules.
const exceptions: [string, () => void, string[], Level | undefined][] = [
    [
        "etcd hostCerts: read-only hostPath (privileged level), UID 0 without capabilities",
        () => new c.EtcdBackupSchedule("etcd", { ...base, hostCerts: {}, storage: s3 }),
        [
            'hostPath volumes (volume "etcd-client")',
            'volume types: hostPath (volume "etcd-client")',
            ...["snapshot", "verify", "upload"].flatMap((n) => [
                `runAsNonRoot (container "${n}")`,
                `runAsUser: 0 (container "${n}")`,
            ]),
        ],
        undefined,
    ],
    [
        "etcd certsDir",
        () =>
            new c.EtcdBackupSchedule("etcd", {
                ...base,
                certificates: certs,
                certsDir: "/etc/kubernetes/pki",
                encryption: { secretName: "etcd-key" },
                storage: s3,
            }),
        [
            'hostPath volumes (volume "certs-dir")',
            'volume types: hostPath (volume "certs-dir")',
            ...["snapshot", "verify", "upload"].flatMap((n) => [
                `runAsNonRoot (container "${n}")`,
                `runAsUser: 0 (container "${n}")`,
            ]),
        ],
        undefined,
    ],
    [
        "etcd hostNetwork (privileged level)",
        () => new c.EtcdBackupSchedule("etcd", { ...base, certificates: certs, hostNetwork: true, storage: s3 }),
        ["host namespaces: hostNetwork"],
        undefined,
    ],
    [
        "pvc readAllFiles: UID 0 with DAC_OVERRIDE only (meets baseline)",
        () =>
            new c.PvcBackupSchedule("app", {
                ...base,
                namespace: "shop",
                pvcNames: ["files"],
                readAllFiles: true,
                storage: s3,
            }),
        [
            'runAsNonRoot (container "backup")',
            'runAsUser: 0 (container "backup")',
            'capabilities: adds DAC_OVERRIDE (restricted) (container "backup")',
        ],
        "baseline",
    ],
];

test.each(exceptions)("%s: breaks exactly its documented rules", async (_label, build, broken, passes) => {
    build();
    const [p, ...rest] = await pods();
    expect(rest).toEqual([]);
    expect(podSecurityViolations(p.spec, "restricted")).toEqual(broken);
    if (passes === "baseline") expect(podSecurityViolations(p.spec, "baseline")).toEqual([]);
});

test("the checker names the rule a pod breaks", async () => {
    new c.PvcBackupSchedule("app", { ...base, namespace: "shop", pvcNames: ["x"], storage: s3 });
    const [{ spec }] = await pods();
    expect(podSecurityViolations(spec, "restricted")).toEqual([]);
    const broken = (mutate: (s: any) => void) => {
        const copy = JSON.parse(JSON.stringify(spec));
        mutate(copy);
        return podSecurityViolations(copy, "restricted");
    };
    const ct = (s: any) => s.containers[0].securityContext;
    expect(broken((s) => (s.hostPID = true))).toEqual(["host namespaces: hostPID"]);
    expect(broken((s) => (ct(s).privileged = true))).toEqual(['privileged (container "backup")']);
    expect(broken((s) => delete ct(s).allowPrivilegeEscalation)).toEqual([
        'allowPrivilegeEscalation (container "backup")',
    ]);
    expect(broken((s) => (ct(s).capabilities = { drop: ["NET_RAW"] }))).toEqual([
        'capabilities: must drop ALL (container "backup")',
    ]);
    expect(broken((s) => (ct(s).capabilities.add = ["SYS_ADMIN"]))).toEqual([
        'capabilities: adds SYS_ADMIN (container "backup")',
        'capabilities: adds SYS_ADMIN (restricted) (container "backup")',
    ]);
    expect(
        broken((s) => {
            delete s.securityContext.runAsNonRoot;
            delete ct(s).runAsNonRoot;
        }),
    ).toEqual(['runAsNonRoot (container "backup")']);
    expect(broken((s) => delete s.securityContext.seccompProfile)).toEqual(['seccomp: not set (container "backup")']);
    expect(broken((s) => (ct(s).seccompProfile = { type: "Unconfined" }))).toEqual([
        'seccomp: Unconfined (container "backup")',
        'seccomp: not set (container "backup")',
    ]);
    expect(broken((s) => s.volumes.push({ name: "h", hostPath: { path: "/" } }))).toEqual([
        'hostPath volumes (volume "h")',
        'volume types: hostPath (volume "h")',
    ]);
    expect(broken((s) => s.volumes.push({ name: "n", nfs: { server: "x", path: "/" } }))).toEqual([
        'volume types: nfs (volume "n")',
    ]);
});

test("defaults: non-root UID 65532, seccomp RuntimeDefault, read-only root filesystem with a /tmp emptyDir", async () => {
    new c.EtcdBackupSchedule("etcd", { ...base, certificates: certs, storage: s3 });
    const [{ spec }] = await pods();
    expect(spec.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        fsGroup: 65532,
        seccompProfile: { type: "RuntimeDefault" },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
    for (const ct of [...spec.initContainers, ...spec.containers]) {
        expect(ct.securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
        });
        expect(ct.resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
    }
    const upload = spec.containers[0];
    expect(upload.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(upload.env).toEqual(
        expect.arrayContaining([
            { name: "HOME", value: "/tmp" },
            { name: "TMPDIR", value: "/tmp" },
        ]),
    );
    expect(spec.volumes).toContainEqual({ name: "tmp", emptyDir: {} });
});
