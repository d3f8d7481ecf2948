// Every PX-Backup field is written down in three places: the kinds table (what the provider does), the Args
// interface and `declare`d outputs of the resource class (what programs see), and schema.json (what other
// languages see). This test reads the class declarations with the TypeScript compiler and fails, naming the
// kind and field, when any of them disagrees with the table on presence, optional vs required, secret, or
// basic type (string/number/boolean/array/map/object), nested fields included.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { KINDS, KindName, KindSpec, OPTION_FIELDS, REPLACE_OPT_IN, metadataFields } from "../../../provider/kinds";
import { Fields, TypeSpec } from "../../../provider/wire";
import { createProgram } from "../../../tools/schema/generate";

type Shape =
    | { t: "string" | "number" | "boolean" | "map" | "any" }
    | { t: "array"; of: Shape }
    /** fields undefined: server-reported structure passed through as is (json), not compared inside. */
    | { t: "object"; fields?: Decls };
interface Decl {
    required: boolean;
    /** Optional in general but demanded in some cases (requiredWhen): a declaration may make it required. */
    mayRequire?: boolean;
    /** undefined: this source cannot say (Args interfaces carry no secret marker). */
    secret?: boolean;
    shape: Shape;
}
type Decls = Record<string, Decl>;

// ---- the kinds table -----------------------------------------------------------------------------------
function shapeOfSpec(t: TypeSpec): Shape {
    switch (t.kind) {
        case "string":
        case "enum":
            return { t: "string" };
        case "bool":
            return { t: "boolean" };
        case "int64":
            return { t: "number" };
        case "map":
            return { t: "map" };
        case "list":
            return { t: "array", of: shapeOfSpec(t.of) };
        case "object":
            return { t: "object", fields: declsOfFields(t.fields) };
        case "json":
            return { t: "object" };
    }
}
function declsOfFields(fields: Fields): Decls {
    const out: Decls = {};
    for (const [k, f] of Object.entries(fields)) {
        out[k] = { required: !!f.required, secret: !!f.secret, shape: shapeOfSpec(f.type) };
    }
    return out;
}

/** What the Args interface must declare: metadata, spec fields and the provider options the kind uses. */
function expectedArgs(spec: KindSpec): Decls {
    const options: Fields = {
        ...OPTION_FIELDS,
        ...spec.options,
        adoptExisting: { type: { kind: "bool" } },
        ...(spec.replaceDeletesBackups ? REPLACE_OPT_IN : {}),
    };
    // Only kinds with ready states or values applied in the background wait after a write.
    if (!spec.ready && !spec.appliedLater) delete options.waitTimeoutSeconds;
    const decls = declsOfFields({ ...metadataFields(spec.nameFormat), ...spec.fields, ...options });
    // The resource class fills the name in from the Pulumi resource name.
    decls.name = { ...decls.name, required: false };
    for (const rule of spec.crossRules ?? []) if (rule.requires) decls[rule.requires].mayRequire = true;
    return decls;
}

/** What state holds: every input the server reports back and the kind's outputs (options excluded). */
function expectedState(spec: KindSpec): Decls {
    return declsOfFields({ ...metadataFields(spec.nameFormat), ...spec.fields, ...spec.outputs });
}

// ---- the TypeScript declarations -----------------------------------------------------------------------
const program = createProgram();
const checker = program.getTypeChecker();
const resourcesFile = program.getSourceFile(path.resolve(__dirname, "../../../provider/resources.ts"))!;

const isWrapper = (t: ts.Type) => /^(Promise|OutputInstance|Output)$/.test(t.aliasSymbol?.name ?? t.symbol?.name ?? "");

/** Shape of `Input<T>` or a plain type: undefined, promises and outputs dropped; `T | undefined` is optional. */
function shapeOfType(type: ts.Type): { shape: Shape; optional: boolean } {
    const parts = type.isUnion() ? type.types : [type];
    const optional = parts.some((p) => p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null));
    const kept = parts.filter((p) => !(p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) && !isWrapper(p));
    const all = (flag: ts.TypeFlags) => kept.length > 0 && kept.every((p) => p.flags & flag);
    if (kept.some((p) => p.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return { shape: { t: "any" }, optional };
    if (all(ts.TypeFlags.StringLike)) return { shape: { t: "string" }, optional };
    if (all(ts.TypeFlags.NumberLike)) return { shape: { t: "number" }, optional };
    if (all(ts.TypeFlags.BooleanLike)) return { shape: { t: "boolean" }, optional };
    if (kept.length === 1 && checker.isArrayType(kept[0])) {
        const [element] = checker.getTypeArguments(kept[0] as ts.TypeReference);
        return { shape: { t: "array", of: shapeOfType(element).shape }, optional };
    }
    if (kept.length === 1 && kept[0].flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) {
        const props = checker.getPropertiesOfType(kept[0]);
        if (props.length === 0 && checker.getIndexInfoOfType(kept[0], ts.IndexKind.String))
            return { shape: { t: "map" }, optional };
        return { shape: { t: "object", fields: declsOfProperties(props) }, optional };
    }
    throw new Error(`cannot classify type ${checker.typeToString(type)}`);
}
function declsOfProperties(props: readonly ts.Symbol[]): Decls {
    const out: Decls = {};
    for (const p of props) {
        const { shape, optional } = shapeOfType(checker.getTypeOfSymbol(p));
        out[p.name] = { required: !(p.flags & ts.SymbolFlags.Optional) && !optional, shape, ...secretTag(p) };
    }
    return out;
}
const secretTag = (p: ts.Symbol) => ({ secret: p.getJsDocTags().some((t) => t.name === "secret") });

function resourceClass(kind: KindName): ts.ClassDeclaration {
    const decl = resourcesFile.statements.find((s) => ts.isClassDeclaration(s) && s.name?.text === kind);
    if (!decl) throw new Error(`provider/resources.ts has no class ${kind}`);
    return decl as ts.ClassDeclaration;
}

/** Properties of the class's `args` constructor parameter (inherited interfaces included). */
function argsOf(kind: KindName): Decls {
    const ctor = resourceClass(kind).members.find(ts.isConstructorDeclaration)!;
    const param = ctor.parameters.find((p) => p.name.getText() === "args")!;
    const decls = declsOfProperties(checker.getPropertiesOfType(checker.getTypeAtLocation(param)));
    // Interfaces have no secret marker: the resource class takes secrets from the table.
    for (const d of Object.values(decls)) delete d.secret;
    return decls;
}

/** The `declare readonly x: pulumi.Output<T>` properties of the class and its bases (state the engine sets). */
function outputsOf(kind: KindName): Decls {
    const out: Decls = {};
    const instance = checker.getTypeAtLocation(resourceClass(kind));
    for (const p of checker.getPropertiesOfType(instance)) {
        const d = p.valueDeclaration;
        if (!d || !ts.isPropertyDeclaration(d) || !d.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword))
            continue;
        const ref = d.type && ts.isTypeReferenceNode(d.type) ? d.type : undefined;
        if (!ref || !/^(pulumi\.)?Output$/.test(ref.typeName.getText()) || !ref.typeArguments) continue;
        const { shape, optional } = shapeOfType(checker.getTypeFromTypeNode(ref.typeArguments[0]));
        out[p.name] = { required: !optional, shape, ...secretTag(p) };
    }
    return out;
}

// ---- schema.json ---------------------------------------------------------------------------------------
interface SchemaProp {
    type?: string;
    $ref?: string;
    items?: SchemaProp;
    additionalProperties?: SchemaProp;
    properties?: Record<string, SchemaProp>;
    required?: string[];
    enum?: unknown[];
    secret?: boolean;
}
const schema: { resources: Record<string, Record<string, unknown>>; types: Record<string, SchemaProp> } = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, "../../../schema.json"), "utf8"),
);

function shapeOfSchema(p: SchemaProp): Shape {
    if (p.$ref?.startsWith("#/types/")) return shapeOfSchema(schema.types[p.$ref.slice("#/types/".length)]);
    if (p.$ref === "pulumi.json#/Any") return { t: "any" };
    if (p.type === "array") return { t: "array", of: shapeOfSchema(p.items!) };
    if (p.type === "object" && p.additionalProperties) return { t: "map" };
    if (p.type === "object") return { t: "object", fields: declsOfSchema(p.properties ?? {}, p.required ?? []) };
    if (p.type === "integer") return { t: "number" };
    if (p.type === "string" || p.type === "number" || p.type === "boolean") return { t: p.type };
    throw new Error(`cannot classify schema ${JSON.stringify(p)}`);
}
function declsOfSchema(props: Record<string, SchemaProp>, required: string[]): Decls {
    const out: Decls = {};
    for (const [k, p] of Object.entries(props)) {
        out[k] = { required: required.includes(k), secret: !!p.secret, shape: shapeOfSchema(p) };
    }
    return out;
}
function schemaOf(kind: KindName): { inputs: Decls; outputs: Decls } {
    const r = schema.resources[`kube-backup:index:${kind}`];
    if (!r) throw new Error(`schema.json has no resource ${kind}`);
    const props = (k: string) => (r[k] ?? {}) as Record<string, SchemaProp>;
    return {
        inputs: declsOfSchema(props("inputProperties"), (r.requiredInputs ?? []) as string[]),
        // Output presence is not optionality in the schema: compare shapes and secrets only.
        outputs: declsOfSchema(props("properties"), Object.keys(props("properties"))),
    };
}

// ---- comparison ----------------------------------------------------------------------------------------
const describe_ = (s: Shape): string => (s.t === "array" ? `array of ${describe_(s.of)}` : s.t);

interface Rules {
    /** Every expected field must be declared (else only declared ones are checked). */
    complete: boolean;
    /** Optionality must match exactly; otherwise only "required in the table ⇒ declared required". */
    exactRequired: boolean;
}

/** Differences between the table's view and a declaration, one line each, naming kind, field path and where. */
function compareDecls(at: string, where: string, expected: Decls, actual: Decls, rules: Rules): string[] {
    const problems: string[] = [];
    for (const [k, e] of Object.entries(expected)) {
        const a = actual[k];
        const name = `${at}.${k}`;
        if (!a) {
            if (rules.complete) problems.push(`${name}: in the kinds table, missing from ${where}`);
            continue;
        }
        const requiredOk = rules.exactRequired
            ? e.required === a.required || (!!e.mayRequire && a.required)
            : !e.required || a.required;
        if (!requiredOk)
            problems.push(
                `${name}: ${e.required ? "required" : "optional"} in the kinds table, ` +
                    `${a.required ? "required" : "optional"} in ${where}`,
            );
        if (a.secret !== undefined && e.secret !== a.secret)
            problems.push(`${name}: ${e.secret ? "secret" : "not secret"} in the kinds table, not so in ${where}`);
        problems.push(...compareShapes(name, where, e.shape, a.shape, rules));
    }
    for (const k of Object.keys(actual)) {
        if (!(k in expected)) problems.push(`${at}.${k}: in ${where}, not in the kinds table`);
    }
    return problems;
}

function compareShapes(at: string, where: string, e: Shape, a: Shape, rules: Rules): string[] {
    // Server-reported structure (json) is opaque: any declared shape is a refinement of it.
    if (e.t === "object" && !e.fields) return [];
    if (e.t !== a.t) return [`${at}: ${describe_(e)} in the kinds table, ${describe_(a)} in ${where}`];
    if (e.t === "array" && a.t === "array") return compareShapes(`${at}[]`, where, e.of, a.of, rules);
    if (e.t === "object" && a.t === "object" && a.fields) return compareDecls(at, where, e.fields!, a.fields, rules);
    return [];
}

/** All disagreements for one kind, given its table entry (tests pass mutated copies to prove this fails). */
function checkKind(kind: KindName, spec: KindSpec): string[] {
    const args = expectedArgs(spec);
    const state = expectedState(spec);
    // Secret inputs never come back from the server: a class must not declare them as outputs.
    const readable = Object.fromEntries(Object.entries(state).filter(([, d]) => !d.secret));
    const s = schemaOf(kind);
    return [
        ...compareDecls(kind, "the Args interface", args, argsOf(kind), { complete: true, exactRequired: true }),
        ...compareDecls(kind, "schema.json inputs", args, s.inputs, { complete: true, exactRequired: true }),
        ...compareDecls(kind, "the class outputs", readable, outputsOf(kind), {
            complete: true,
            exactRequired: false,
        }),
        ...compareDecls(kind, "schema.json outputs", readable, s.outputs, { complete: false, exactRequired: false }),
    ];
}

const kinds = Object.keys(KINDS) as KindName[];

test.each(kinds)("%s: kinds table, Args interface, class outputs and schema.json agree", (kind) => {
    expect(checkKind(kind, KINDS[kind])).toEqual([]);
});

describe("the comparison catches a table that disagrees", () => {
    const mutated = (change: (fields: Fields) => void): KindSpec => {
        const fields: Fields = { ...KINDS.Backup.fields };
        change(fields);
        return { ...KINDS.Backup, fields };
    };

    test("a field the declarations lack", () => {
        const spec = mutated((f) => (f.retentionDays = { type: { kind: "int64" } }));
        expect(checkKind("Backup", spec)).toEqual(
            expect.arrayContaining([
                "Backup.retentionDays: in the kinds table, missing from the Args interface",
                "Backup.retentionDays: in the kinds table, missing from schema.json inputs",
                "Backup.retentionDays: in the kinds table, missing from the class outputs",
            ]),
        );
    });

    test("a declared field the table lacks", () => {
        const spec = mutated((f) => delete f.backupShare);
        expect(checkKind("Backup", spec)).toEqual(
            expect.arrayContaining([
                "Backup.backupShare: in the Args interface, not in the kinds table",
                "Backup.backupShare: in the class outputs, not in the kinds table",
            ]),
        );
    });

    test("required vs optional, also nested", () => {
        const spec = mutated((f) => {
            f.namespaces = { ...f.namespaces, required: true };
            f.clusterRef = { ...f.clusterRef, required: false };
        });
        expect(checkKind("Backup", spec)).toEqual(
            expect.arrayContaining([
                "Backup.namespaces: required in the kinds table, optional in the Args interface",
                "Backup.namespaces: required in the kinds table, optional in the class outputs",
                "Backup.clusterRef: optional in the kinds table, required in the Args interface",
            ]),
        );
        const share = KINDS.Backup.fields.backupShare.type;
        if (share.kind !== "object") throw new Error("backupShare is an object");
        const nested = mutated(
            (f) =>
                (f.backupShare = {
                    ...f.backupShare,
                    type: { ...share, fields: { ...share.fields, groups: { ...share.fields.groups, required: true } } },
                }),
        );
        expect(checkKind("Backup", nested)).toContain(
            "Backup.backupShare.groups: required in the kinds table, optional in the Args interface",
        );
    });

    test("secret flags", () => {
        const spec = mutated((f) => (f.cloudCredentialRef = { ...f.cloudCredentialRef, secret: true }));
        expect(checkKind("Backup", spec)).toEqual(
            expect.arrayContaining([
                "Backup.cloudCredentialRef: secret in the kinds table, not so in schema.json inputs",
                // A secret is never read back, so declaring it as an output is wrong too.
                "Backup.cloudCredentialRef: in the class outputs, not in the kinds table",
            ]),
        );
    });

    test("basic types, also inside lists", () => {
        const spec = mutated((f) => {
            f.directKdmp = { ...f.directKdmp, type: { kind: "string" } };
            f.namespaces = { ...f.namespaces, type: { kind: "list", of: { kind: "int64" } } };
        });
        expect(checkKind("Backup", spec)).toEqual(
            expect.arrayContaining([
                "Backup.directKdmp: string in the kinds table, boolean in the Args interface",
                "Backup.directKdmp: string in the kinds table, boolean in schema.json inputs",
                "Backup.namespaces[]: number in the kinds table, string in the Args interface",
                "Backup.namespaces[]: number in the kinds table, string in the class outputs",
            ]),
        );
    });
});
