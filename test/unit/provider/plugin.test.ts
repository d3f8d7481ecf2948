// The provider plugin's wire helpers and token table, without a process: secret wrappers in and out, unknowns
// left to the machinery, URNs, and the clear refusals for tokens it does not serve.
import { UNKNOWN } from "../../../provider/wire";
import { componentOf, functionOf, kindOf, parseUrn } from "../../../provider/plugin/tokens";
import { SECRET_SIG, SIG, isSecret, secret, toWire, unwrap, unwrapProps } from "../../../provider/plugin/values";

const wrapped = (value: unknown) => ({ [SIG]: SECRET_SIG, value });

test("unwrap removes secret wrappers at any depth and says whether there was one", () => {
    expect(unwrap(wrapped("t0k"))).toEqual({ value: "t0k", secret: true });
    expect(unwrap({ a: [1, wrapped({ b: 2 })] })).toEqual({ value: { a: [1, { b: 2 }] }, secret: true });
    expect(unwrap({ a: [1, 2] })).toEqual({ value: { a: [1, 2] }, secret: false });
    expect(unwrap(UNKNOWN)).toEqual({ value: UNKNOWN, secret: false });
});

test("unwrapProps names the top-level keys that held a secret; toWire wraps them again and drops undefined", () => {
    const { values, secretKeys } = unwrapProps({ awsConfig: { accessKey: "A", secretKey: wrapped("S") }, name: "n" });
    expect(values).toEqual({ awsConfig: { accessKey: "A", secretKey: "S" }, name: "n" });
    expect([...secretKeys]).toEqual(["awsConfig"]);
    const wire = toWire({ ...values, gone: undefined, secretHashes: { awsConfig: "sha256:x" } }, [
        ...secretKeys,
        "secretHashes",
        "absent",
    ]);
    expect(wire).toEqual({
        awsConfig: wrapped({ accessKey: "A", secretKey: "S" }),
        name: "n",
        secretHashes: wrapped({ awsConfig: "sha256:x" }),
    });
    expect(isSecret(secret(wire.awsConfig))).toBe(true);
    expect(secret(wire.awsConfig)).toBe(wire.awsConfig); // never wrapped twice
});

test("parseUrn: stack, project, the type without parents, the name", () => {
    expect(parseUrn("urn:pulumi:dev::proj::kube-backup:index:BackupSchedule::nightly")).toEqual({
        stack: "dev",
        project: "proj",
        type: "kube-backup:index:BackupSchedule",
        name: "nightly",
    });
    expect(parseUrn("urn:pulumi:dev::proj::my:index:Parent$kube-backup:index:Rule::a::b").type).toBe(
        "kube-backup:index:Rule",
    );
    expect(parseUrn("urn:pulumi:dev::proj::my:index:Parent$kube-backup:index:Rule::a::b").name).toBe("a::b");
});

test("tokens: kinds, components and functions; anything else is refused with the list of what is served", () => {
    expect(kindOf("kube-backup:index:BackupSchedule")).toBe("BackupSchedule");
    expect(componentOf("kube-backup:index:EtcdBackupSchedule")).toBe("EtcdBackupSchedule");
    expect(functionOf("kube-backup:index:listBackups")).toBe("listBackups");
    expect(() => kindOf("kube-backup:index:EtcdBackupSchedule")).toThrow(/as a custom resource \(it is a component\)/);
    expect(() => kindOf("kube-backup:other:BackupSchedule")).toThrow(/does not serve the resource type/);
    expect(() => kindOf("kube-backup:index:toString")).toThrow(/does not serve/);
    expect(() => componentOf("kube-backup:index:BackupSchedule")).toThrow(/its components are .*PvcRestore/);
    expect(() => functionOf("kube-backup:index:deleteEverything")).toThrow(/its functions are .*getBackup/);
});
