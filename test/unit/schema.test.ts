// schema.json is generated from the TypeScript (test/schema/generate.ts); this fails when someone changes
// an args interface, output or JSDoc without running `npm run schema`.
import * as fs from "fs";
import * as path from "path";
import { generateSchema } from "../schema/generate";

const committed = JSON.parse(fs.readFileSync(path.join(__dirname, "../../schema.json"), "utf8"));
const generated = JSON.parse(JSON.stringify(generateSchema()));

test("schema.json matches the TypeScript declarations (run `npm run schema` to update)", () => {
    expect(committed).toEqual(generated);
});

test("the schema describes every public resource, component and function", () => {
    const exported = Object.keys(require("../../index"));
    const described = [...Object.keys(committed.resources), ...Object.keys(committed.functions)]
        .map((t) => t.split(":")[2]);
    const publicApi = exported.filter((name) => /^[A-Z]/.test(name) || /^(get|list)[A-Z]/.test(name))
        .filter((name) => typeof require("../../index")[name] === "function");
    for (const name of publicApi.filter((n) => /^(get|list)[A-Z]/.test(n))) expect(described).toContain(name);
    expect(described.length).toBeGreaterThan(0);
    for (const token of Object.keys(committed.resources)) {
        expect(committed.resources[token].description).not.toEqual("");
    }
});

test("every $ref inside the package points at a defined type or resource", () => {
    const refs: string[] = [];
    JSON.stringify(committed, (k, v) => { if (k === "$ref" && v.startsWith("#/")) refs.push(v); return v; });
    for (const ref of refs) {
        const [, section, token] = ref.split("/");
        expect(committed[section]).toHaveProperty([token]);
    }
});
