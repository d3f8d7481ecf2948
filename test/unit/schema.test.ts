// schema.json is generated from the TypeScript (tools/schema/generate.ts); this fails when someone changes
// an args interface, output or JSDoc without running `npm run schema`.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { generateSchema } from "../../tools/schema/generate";

const committed = JSON.parse(fs.readFileSync(path.join(__dirname, "../../schema.json"), "utf8"));
const generated = JSON.parse(JSON.stringify(generateSchema()));
const api: Record<string, unknown> = require("../../index");
const described = (section: "resources" | "functions") => Object.keys(committed[section]).map((t) => t.split(":")[2]);

test("schema.json matches the TypeScript declarations (run `npm run schema` to update)", () => {
    expect(committed).toEqual(generated);
});

test("every exported resource and component class is in the schema, with a description", () => {
    const classes = Object.entries(api)
        .filter(
            ([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof pulumi.Resource,
        )
        .map(([name]) => name)
        .filter((name) => !/^PxBackupResource$/.test(name)); // abstract base
    expect(classes.length).toBeGreaterThanOrEqual(11);
    expect(described("resources").sort()).toEqual(classes.sort());
    for (const [token, spec] of Object.entries<any>(committed.resources)) {
        expect({ token, description: spec.description }).toEqual({ token, description: expect.stringMatching(/\w/) });
    }
});

test("every exported get/list function is in the schema (Output variants are implied)", () => {
    const functions = Object.keys(api).filter(
        (n) => /^(get|list)[A-Z]/.test(n) && !n.endsWith("Output") && typeof api[n] === "function",
    );
    expect(described("functions").sort()).toEqual(functions.sort());
});

test("secret inputs are marked secret", () => {
    const cred = committed.resources["kube-backup:index:CloudCredential"].inputProperties;
    expect(cred.awsConfig.secret).toBe(true);
});

test("every $ref inside the package points at a defined type or resource", () => {
    const refs: string[] = [];
    JSON.stringify(committed, (k, v) => {
        if (k === "$ref" && v.startsWith("#/")) refs.push(v);
        return v;
    });
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
        const [, section, token] = ref.split("/");
        expect(committed[section]).toHaveProperty([token]);
    }
});

test("every property of every resource, function and type has a description, and so does every type", () => {
    const missing: string[] = [];
    const visit = (where: string, props: Record<string, { description?: string }> | undefined) => {
        for (const [k, v] of Object.entries(props ?? {})) if (!v.description?.trim()) missing.push(`${where}.${k}`);
    };
    for (const [t, r] of Object.entries<any>(committed.resources)) {
        visit(`${t} input`, r.inputProperties);
        visit(`${t} output`, r.properties);
    }
    for (const [t, f] of Object.entries<any>(committed.functions)) {
        visit(`${t} args`, f.inputs.properties);
        visit(`${t} result`, f.outputs.properties);
    }
    for (const [t, ty] of Object.entries<any>(committed.types)) {
        visit(t, ty.properties);
        if (!ty.description?.trim()) missing.push(`type ${t}`);
    }
    visit("config", committed.config.variables);
    expect(missing).toEqual([]);
});

test("JSDoc text that looks like a tag stays in the description (the cron macros of `schedule`)", () => {
    const schedule = committed.resources["kube-backup:index:EtcdBackupSchedule"].inputProperties.schedule;
    expect(schedule.description).toContain("@hourly/@daily/@weekly/@monthly/@yearly)");
    const secretKey = committed.types["kube-backup:index:S3AccessKeys"].properties.secretAccessKey;
    expect(secretKey).toMatchObject({ secret: true });
    expect(secretKey.description).not.toContain("@secret");
});

test("config declares every kube-backup setting, the credentials secret; the provider takes the same inputs", () => {
    const { SETTINGS } = require("../../provider/settings");
    const vars = committed.config.variables;
    expect(Object.keys(vars).sort()).toEqual(SETTINGS.map((s: { key: string }) => s.key).sort());
    for (const k of ["token", "password", "clientKey"]) expect(vars[k].secret).toBe(true);
    expect(vars.url.secret).toBeUndefined();
    expect(vars.maxRetries.type).toBe("integer");
    expect(committed.provider.inputProperties).toEqual(vars);
});

test("component inputs read at construction are plain; Input-typed ones are not; custom resources have none", () => {
    const pvc = committed.resources["kube-backup:index:PvcBackupSchedule"].inputProperties;
    expect(pvc.pvcNames.plain).toBe(true);
    expect(pvc.strategy.plain).toBe(true);
    expect(pvc.namespace.plain).toBeUndefined();
    expect(committed.resources["kube-backup:index:EtcdBackupSchedule"].inputProperties.storage.plain).toBe(true);
    for (const [t, r] of Object.entries<any>(committed.resources)) {
        if (r.isComponent) continue;
        expect({ t, plain: Object.keys(r.inputProperties).filter((k) => r.inputProperties[k].plain) }).toEqual({
            t,
            plain: [],
        });
    }
});

test("language sections name the SDK packages", () => {
    expect(committed.language.python.packageName).toBe("pulumi_kube_backup");
    expect(committed.language.go.importBasePath).toBe("github.com/kube-backup/kube-backup/sdk/go/kubebackup");
    expect(committed.language.nodejs.packageName).toBe("kube-backup");
    expect(committed.language.csharp).toBeDefined();
});
