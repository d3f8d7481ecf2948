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
