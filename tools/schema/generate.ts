// Generates the Pulumi package schema (schema.json) from the package's TypeScript: every exported
// dynamic resource, component and get/list function, with their args interfaces, outputs and JSDoc.
// `npm run schema` rewrites schema.json; test/unit/schema.test.ts fails when the two drift apart.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const root = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
// References point at the Kubernetes and AWS schemas of the releases the package is developed against (exact
// devDependency versions), not at whatever node_modules holds: the floor test run installs other releases.
const k8sVersion: string = pkg.devDependencies["@pulumi/kubernetes"];
const awsVersion: string = pkg.devDependencies["@pulumi/aws"];

type Spec = Record<string, any>;
const ANY: Spec = { $ref: "pulumi.json#/Any" };
const token = (name: string) => `${pkg.name}:index:${name}`;

const entry = path.join(root, "index.ts");

/** The package's sources as the compiler sees them (also read by test/unit/provider/declarations.test.ts). */
export function createProgram(): ts.Program {
    return ts.createProgram([entry], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
}

export function generateSchema(): Spec {
    const program = createProgram();
    const checker = program.getTypeChecker();
    const types: Spec = {};
    const resources: Spec = {};
    const functions: Spec = {};

    const isOurs = (decl: ts.Node) => {
        const file = path.resolve(decl.getSourceFile().fileName);
        return file.startsWith(root + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);
    };
    // The JSDoc text as written: TypeScript's own reading ends a comment at anything that looks like a tag, so
    // "(or @hourly/@daily)" would cut it short. Only the package's real tags (@secret, @internal) are dropped.
    const docOf = (symbol: ts.Symbol | undefined) => {
        const decl = symbol?.declarations?.[0];
        const jsDoc = decl && ts.getJSDocCommentsAndTags(decl).filter(ts.isJSDoc).pop();
        if (!jsDoc) return symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() : "";
        return jsDoc
            .getText()
            .replace(/^\/\*\*|\*\/$/g, "")
            .split("\n")
            .map((l) => l.replace(/^\s*\* ?/, "").trimEnd())
            .join("\n")
            .replace(/(^|\s)@(secret|internal)\b[^\n]*/g, "")
            .trim();
    };
    const hasTag = (symbol: ts.Symbol, tag: string) => symbol.getJsDocTags().some((t) => t.name === tag);
    const heritage = (decl: ts.ClassDeclaration) =>
        (decl.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText()));
    const resourceKind = (decl: ts.ClassDeclaration): "custom" | "component" | undefined => {
        const bases = heritage(decl);
        if (bases.some((b) => /ComponentResource$/.test(b))) return "component";
        if (bases.some((b) => /(dynamic\.Resource|CustomResource)$/.test(b))) return "custom";
        const base = bases[0] && resolveClass(bases[0], decl);
        return base ? resourceKind(base) : undefined;
    };
    function resolveClass(name: string, at: ts.Node): ts.ClassDeclaration | undefined {
        const sym = checker.getSymbolsInScope(at.getSourceFile(), ts.SymbolFlags.Class).find((s) => s.name === name);
        const target = sym && (sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
        const decl = target?.declarations?.find(ts.isClassDeclaration);
        return decl && isOurs(decl) ? decl : undefined;
    }

    // External SDK types map onto the referenced package's schema.
    function externalRef(text: string): Spec | undefined {
        const k8s = /^(?:k8s|kubernetes)\.types\.(?:input|output)\.([a-z0-9]+)\.([a-z0-9]+)\.(\w+)$/.exec(text);
        if (k8s) {
            const group = k8s[1] === "core" ? "core" : k8s[1];
            return { $ref: `/kubernetes/v${k8sVersion}/schema.json#/types/kubernetes:${group}/${k8s[2]}:${k8s[3]}` };
        }
        const k8sRes = /^(?:k8s|kubernetes)\.([a-z0-9]+)\.([a-z0-9]+)\.(\w+)$/.exec(text);
        if (k8sRes)
            return {
                $ref: `/kubernetes/v${k8sVersion}/schema.json#/resources/kubernetes:${k8sRes[1]}/${k8sRes[2]}:${k8sRes[3]}`,
            };
        const aws = /^aws\.([a-z0-9]+)\.(\w+)$/.exec(text);
        if (aws) return { $ref: `/aws/v${awsVersion}/schema.json#/resources/aws:${aws[1]}/${aws[2]}:${aws[2]}` };
        if (/^(?:pulumi\.)?(?:ProviderResource|Resource|CustomResource)$/.test(text)) return ANY;
        return undefined;
    }

    function literalUnion(node: ts.UnionTypeNode): (string | number)[] | undefined {
        const values: (string | number)[] = [];
        for (const t of node.types) {
            if (!ts.isLiteralTypeNode(t)) return undefined;
            if (ts.isStringLiteral(t.literal)) values.push(t.literal.text);
            else if (ts.isNumericLiteral(t.literal)) values.push(Number(t.literal.text));
            else return undefined;
        }
        return values;
    }

    // Type parameters in scope (generic aliases such as `In<T>` and generic interfaces), each bound to the
    // argument node written at the use site together with that site's own bindings.
    type Env = Map<string, { node: ts.TypeNode; env: Env }>;
    const bind = (
        params: readonly ts.TypeParameterDeclaration[] | undefined,
        args: readonly ts.TypeNode[],
        env: Env,
    ): Env => {
        const out: Env = new Map();
        (params ?? []).forEach((p, i) => {
            const n = args[i] ?? p.default;
            if (n) out.set(p.name.text, { node: n, env });
        });
        return out;
    };

    function toSpec(node: ts.TypeNode | undefined, nameHint: string, env: Env = new Map()): Spec {
        if (!node) return ANY;
        if (ts.isParenthesizedTypeNode(node)) return toSpec(node.type, nameHint, env);
        switch (node.kind) {
            case ts.SyntaxKind.StringKeyword:
                return { type: "string" };
            case ts.SyntaxKind.NumberKeyword:
                return { type: "number" };
            case ts.SyntaxKind.BooleanKeyword:
                return { type: "boolean" };
            case ts.SyntaxKind.AnyKeyword:
            case ts.SyntaxKind.UnknownKeyword:
                return ANY;
        }
        if (ts.isLiteralTypeNode(node)) {
            if (ts.isStringLiteral(node.literal)) return { type: "string" };
            if (ts.isNumericLiteral(node.literal)) return { type: "number" };
            return { type: "boolean" };
        }
        if (ts.isArrayTypeNode(node)) return { type: "array", items: toSpec(node.elementType, nameHint, env) };
        if (ts.isUnionTypeNode(node)) {
            const kept = node.types.filter(
                (t) =>
                    t.kind !== ts.SyntaxKind.UndefinedKeyword &&
                    !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword),
            );
            if (kept.length === 1) return toSpec(kept[0], nameHint, env);
            const values = literalUnion(ts.factory.createUnionTypeNode(kept));
            if (values) {
                const id = token(nameHint);
                types[id] = {
                    type: typeof values[0] === "number" ? "number" : "string",
                    enum: values.map((value) => ({ value })),
                };
                return { $ref: `#/types/${id}` };
            }
            return { oneOf: kept.map((t, i) => toSpec(t, `${nameHint}${i}`, env)) };
        }
        if (ts.isIntersectionTypeNode(node)) {
            // `A & { b }`: one named object type with the properties of every part (index signatures dropped).
            const merged: Spec = { type: "object", properties: {} };
            const required: string[] = [];
            for (const part of node.types) {
                const spec = toSpec(part, nameHint, env);
                const obj = spec.$ref?.startsWith("#/types/") ? types[spec.$ref.slice(8)] : spec;
                if (obj?.properties) Object.assign(merged.properties, obj.properties);
                if (obj?.required) required.push(...obj.required);
            }
            if (required.length) merged.required = [...new Set(required)];
            const id = token(nameHint);
            types[id] = merged;
            return { $ref: `#/types/${id}` };
        }
        if (ts.isTypeLiteralNode(node)) {
            const index = node.members.find(ts.isIndexSignatureDeclaration);
            if (index) return { type: "object", additionalProperties: toSpec(index.type, nameHint, env) };
            // Pulumi schemas name every object type: an inline literal becomes a type named after its place.
            const id = token(nameHint);
            types[id] = objectType(node.members, nameHint, env);
            return { $ref: `#/types/${id}` };
        }
        if (ts.isTypeReferenceNode(node)) {
            const text = node.typeName.getText();
            const args = node.typeArguments ?? ts.factory.createNodeArray<ts.TypeNode>();
            const param = env.get(text);
            if (param) return toSpec(param.node, nameHint, param.env);
            if (/^(?:pulumi\.)?(Input|Output|Promise|Partial|Required|Readonly)$/.test(text))
                return toSpec(args[0], nameHint, env);
            if (text === "Array" || text === "ReadonlyArray")
                return { type: "array", items: toSpec(args[0], nameHint, env) };
            if (text === "Record") return { type: "object", additionalProperties: toSpec(args[1], nameHint, env) };
            const ext = externalRef(text);
            if (ext) return ext;
            let sym = checker.getSymbolAtLocation(node.typeName);
            if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
            const decl = sym?.declarations?.[0];
            if (decl && isOurs(decl)) {
                if (ts.isClassDeclaration(decl) && resourceKind(decl))
                    return { $ref: `#/resources/${token(sym!.name)}` };
                if (ts.isTypeAliasDeclaration(decl)) {
                    const aliasEnv = bind(decl.typeParameters, args, env);
                    return toSpec(decl.type, decl.typeParameters?.length ? nameHint : sym!.name, aliasEnv);
                }
                if (ts.isInterfaceDeclaration(decl)) {
                    const typeName = sym!.name + args.map((a) => a.getText().replace(/\W/g, "")).join("");
                    const id = token(typeName);
                    if (!types[id]) {
                        types[id] = { type: "object" }; // placeholder breaks recursion
                        const ifaceEnv = bind(decl.typeParameters, args, env);
                        types[id] = {
                            ...objectType(interfaceMembers(decl), typeName, ifaceEnv),
                            description: docOf(sym) || undefined,
                        };
                    }
                    return { $ref: `#/types/${id}` };
                }
                if (ts.isEnumDeclaration(decl)) {
                    const id = token(sym!.name);
                    types[id] = {
                        type: "string",
                        enum: decl.members.map((m) => ({
                            name: m.name.getText(),
                            value:
                                m.initializer && ts.isStringLiteral(m.initializer)
                                    ? m.initializer.text
                                    : m.name.getText(),
                        })),
                    };
                    return { $ref: `#/types/${id}` };
                }
            }
            throw new Error(`schema: cannot map type '${text}' (${nameHint}); teach tools/schema/generate.ts about it`);
        }
        throw new Error(`schema: unsupported type syntax '${node.getText()}' (${nameHint})`);
    }

    /** Whether a type accepts eventual values (pulumi Input/Output, or an alias such as `In<T>`). */
    function isEventual(node: ts.TypeNode, env: Env): boolean {
        if (ts.isParenthesizedTypeNode(node)) return isEventual(node.type, env);
        if (ts.isUnionTypeNode(node)) return node.types.some((t) => isEventual(t, env));
        if (!ts.isTypeReferenceNode(node)) return false;
        const text = node.typeName.getText();
        const param = env.get(text);
        if (param) return isEventual(param.node, param.env);
        if (/^(?:pulumi\.)?(Input|Output)$/.test(text)) return true;
        let sym = checker.getSymbolAtLocation(node.typeName);
        if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
        const decl = sym?.declarations?.[0];
        if (decl && ts.isTypeAliasDeclaration(decl) && decl.typeParameters?.length) {
            return isEventual(decl.type, bind(decl.typeParameters, node.typeArguments ?? [], env));
        }
        return false;
    }

    /** A named type made for a property (an inline object or enum) takes the property's description. */
    function describeType(spec: Spec) {
        const ref: string | undefined = spec.$ref ?? spec.items?.$ref ?? spec.additionalProperties?.$ref;
        if (!ref?.startsWith("#/types/") || !spec.description) return;
        const t = types[ref.slice("#/types/".length)];
        if (t && !t.description) t.description = spec.description;
    }

    function interfaceMembers(decl: ts.InterfaceDeclaration): ts.TypeElement[] {
        const own = [...decl.members];
        for (const h of decl.heritageClauses ?? []) {
            for (const t of h.types) {
                let sym = checker.getSymbolAtLocation(t.expression);
                if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
                const base = sym?.declarations?.find(ts.isInterfaceDeclaration);
                if (base)
                    own.push(
                        ...interfaceMembers(base).filter(
                            (m) => !own.some((o) => o.name?.getText() === m.name?.getText()),
                        ),
                    );
            }
        }
        return own;
    }

    function objectType(members: readonly ts.TypeElement[], owner: string, env: Env = new Map()): Spec {
        const properties: Spec = {};
        const required: string[] = [];
        for (const m of members) {
            if (!ts.isPropertySignature(m) || !m.name) continue;
            const name = m.name.getText().replace(/^["']|["']$/g, "");
            const sym = (m as any).symbol as ts.Symbol | undefined;
            // Like the typings (stripInternal): @internal members are not part of the package's interface.
            if (sym && hasTag(sym, "internal")) continue;
            const spec: Spec = { ...toSpec(m.type, owner + name[0].toUpperCase() + name.slice(1), env) };
            const description = docOf(sym);
            if (description) spec.description = description;
            if (sym && hasTag(sym, "secret")) spec.secret = true;
            // A component input typed without Input<...> is read when the component is constructed: it must be
            // a known value in every language (`plain`).
            if (plainContext && m.type && !isEventual(m.type, env)) spec.plain = true;
            describeType(spec);
            properties[name] = spec;
            if (!m.questionToken) required.push(name);
        }
        return { type: "object", properties, ...(required.length ? { required } : {}) };
    }

    let plainContext = false;

    function argsOf(decl: ts.ClassDeclaration, name: string): Spec {
        const ctor = decl.members.find(ts.isConstructorDeclaration);
        const param = ctor?.parameters.find((p) => p.name.getText() === "args") ?? ctor?.parameters[1];
        if (!param) return { type: "object", properties: {} };
        return resolveObject(param.type, `${name}Args`);
    }

    function resolveObject(node: ts.TypeNode | undefined, hint: string): Spec {
        const spec = toSpec(node, hint);
        if (spec.$ref?.startsWith("#/types/")) {
            const id = spec.$ref.slice("#/types/".length);
            const obj = types[id];
            delete types[id]; // args objects live on the resource, not as shared types
            return obj;
        }
        return spec;
    }

    /** The class and its base classes declared in this package's sources, derived first. */
    function classChain(decl: ts.ClassDeclaration): ts.ClassDeclaration[] {
        const chain = [decl];
        for (let c: ts.ClassDeclaration | undefined = decl; c;) {
            const heritage: ts.HeritageClause | undefined = c.heritageClauses?.find(
                (h) => h.token === ts.SyntaxKind.ExtendsKeyword,
            );
            const base: ts.ExpressionWithTypeArguments | undefined = heritage?.types[0];
            const sym: ts.Symbol | undefined = base && checker.getTypeAtLocation(base.expression).getSymbol();
            c = sym?.declarations?.find(
                (d: ts.Declaration): d is ts.ClassDeclaration =>
                    ts.isClassDeclaration(d) && !d.getSourceFile().isDeclarationFile,
            );
            if (c) chain.push(c);
        }
        return chain;
    }

    function outputsOf(decl: ts.ClassDeclaration, name: string, custom: boolean): Spec {
        const properties: Spec = {};
        const required: string[] = [];
        // Inherited outputs too: every PX-Backup kind gets `name`, `orgId` and `uid` from its base class, and
        // programs in other languages reference objects through them.
        for (const m of classChain(decl).flatMap((c) => [...c.members])) {
            if (!ts.isPropertyDeclaration(m) || !m.type) continue;
            if (
                m.modifiers?.some(
                    (x) =>
                        x.kind === ts.SyntaxKind.PrivateKeyword ||
                        x.kind === ts.SyntaxKind.ProtectedKeyword ||
                        x.kind === ts.SyntaxKind.StaticKeyword,
                )
            )
                continue;
            if (!/^(?:pulumi\.)?Output$/.test((m.type as ts.TypeReferenceNode).typeName?.getText?.() ?? "")) continue;
            // A custom resource's provider serves only its `declare`d outputs; others (`ref`) are computed in the
            // TypeScript class and do not exist for a program in another language.
            if (custom && !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword)) continue;
            const prop = m.name.getText();
            const sym = (m as any).symbol as ts.Symbol | undefined;
            const spec: Spec = { ...toSpec(m.type, `${name}${prop[0].toUpperCase()}${prop.slice(1)}`) };
            const description = docOf(sym);
            if (description) spec.description = description;
            if (sym && hasTag(sym, "secret")) spec.secret = true;
            describeType(spec);
            properties[prop] = spec;
            // `Output<T | undefined>` may be absent, so it is not a required output either.
            const arg = (m.type as ts.TypeReferenceNode).typeArguments?.[0];
            const optional =
                arg && ts.isUnionTypeNode(arg) && arg.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword);
            if (!m.questionToken && !optional) required.push(prop);
        }
        return { properties, required };
    }

    const entrySym = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    const exported = checker
        .getExportsOfModule(entrySym)
        .map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s))
        .sort((a, b) => a.name.localeCompare(b.name));
    for (const sym of exported) {
        const decl = sym.declarations?.[0];
        if (!decl || !isOurs(decl)) continue;
        if (ts.isClassDeclaration(decl)) {
            const kind = resourceKind(decl);
            if (!kind || decl.modifiers?.some((m) => m.kind === ts.SyntaxKind.AbstractKeyword)) continue;
            plainContext = kind === "component";
            const inputs = argsOf(decl, sym.name);
            plainContext = false;
            const outs = outputsOf(decl, sym.name, kind !== "component");
            resources[token(sym.name)] = {
                description: docOf(sym),
                ...(kind === "component" ? { isComponent: true } : {}),
                inputProperties: inputs.properties ?? {},
                ...(inputs.required ? { requiredInputs: inputs.required } : {}),
                properties: outs.properties,
                required: outs.required,
            };
        } else if (
            ts.isFunctionDeclaration(decl) &&
            /^(get|list)[A-Z]/.test(sym.name) &&
            !sym.name.endsWith("Output")
        ) {
            const fnName = sym.name;
            const inputs = resolveObject(decl.parameters[0]?.type, `${fnName[0].toUpperCase()}${fnName.slice(1)}Args`);
            let outputs = resolveObject(decl.type, `${fnName[0].toUpperCase()}${fnName.slice(1)}Result`);
            // Schema function results are objects; a list function's array is described as its `items`.
            if (outputs.type === "array")
                outputs = { type: "object", properties: { items: outputs }, required: ["items"] };
            functions[token(fnName)] = { description: docOf(sym), inputs, outputs };
        }
    }

    markProviderSecrets(resources);
    describeFromKinds(resources);
    shareDescriptions(resources, functions);
    describeRest(resources, functions, types);
    const settings = providerSettings();
    return {
        name: pkg.name,
        displayName: "kube-backup",
        version: pkg.version,
        description: pkg.description,
        keywords: ["pulumi", "kubernetes", "backup", "etcd", "px-backup", "category/cloud"],
        license: pkg.license,
        config: { variables: settings },
        provider: {
            description:
                "The kube-backup provider: the PX-Backup endpoint and credentials, and how it retries and polls. " +
                "Every setting falls back to its PXBACKUP_* environment variable.",
            inputProperties: settings,
            properties: settings,
        },
        resources,
        functions,
        types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b))),
        // SDK names: the TypeScript package is this one (dynamic resources); the generated Python, Go and .NET
        // SDKs talk to the plugin (docs/provider-plugin.md).
        language: {
            nodejs: { packageName: pkg.name, dependencies: pkg.dependencies },
            python: {
                packageName: "pulumi_kube_backup",
                requires: { pulumi: ">=3.248.0,<4.0.0" },
                pyproject: { enabled: true },
            },
            go: { importBasePath: GO_IMPORT_PATH, generateResourceContainerTypes: true },
            csharp: { packageReferences: { Pulumi: "3.*" } },
        },
    };
}

export const GO_IMPORT_PATH = "github.com/kube-backup/kube-backup/sdk/go/kubebackup";

const sentence = (t: string) => t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");

/** Provider configuration (kube-backup:*) from the settings table, secrets marked. */
function providerSettings(): Spec {
    const { SETTINGS, SETTING_RANGES } = require(path.join(root, "provider/settings"));
    const secret = new Set(["token", "password", "clientKey"]);
    const out: Spec = {};
    for (const s of SETTINGS as { key: string; env: string; doc: string }[]) {
        const type = s.key in SETTING_RANGES ? "integer" : s.key === "insecureSkipVerify" ? "boolean" : "string";
        out[s.key] = {
            type,
            description: `${sentence(s.doc)} Environment variable: ${s.env}.`,
            ...(secret.has(s.key) ? { secret: true } : {}),
        };
    }
    return out;
}

/** Field descriptions of the kinds table, where the TypeScript has no JSDoc. */
function describeFromKinds(resources: Spec) {
    const { KINDS, OPTION_FIELDS, metadataFields } = require(path.join(root, "provider/kinds"));
    for (const [kind, spec] of Object.entries<any>(KINDS)) {
        const resource = resources[token(kind)];
        if (!resource) continue;
        const fields = { ...metadataFields(spec.nameFormat), ...spec.fields, ...OPTION_FIELDS, ...spec.options };
        for (const [key, f] of Object.entries<any>(fields)) {
            if (!f.description) continue;
            for (const section of [resource.inputProperties, resource.properties]) {
                if (section[key] && !section[key].description) section[key].description = sentence(f.description);
            }
        }
    }
}

/** A resource's input and output of the same name describe the same thing: each takes the other's text. */
function shareDescriptions(resources: Spec, functions: Spec) {
    const pairs = [
        ...Object.values<any>(resources).map((r) => [r.inputProperties, r.properties]),
        ...Object.values<any>(functions).map((f) => [f.inputs.properties, f.outputs.properties]),
    ];
    for (const [a, b] of pairs) {
        for (const k of Object.keys(a ?? {})) {
            if (!b?.[k]) continue;
            if (!a[k].description && b[k].description) a[k].description = b[k].description;
            if (!b[k].description && a[k].description) b[k].description = a[k].description;
        }
    }
}

/** What JSDoc and the kinds table leave undescribed: the shared glossary (tools/schema/descriptions.ts). */
function describeRest(resources: Spec, functions: Spec, types: Spec) {
    const { PROPERTY_DOCS, TYPE_DOCS } = require("./descriptions");
    const fill = (props: Spec | undefined, owner: string) => {
        for (const [k, v] of Object.entries<any>(props ?? {})) {
            v.description ??= PROPERTY_DOCS[`${owner}.${k}`] ?? PROPERTY_DOCS[k];
            const ref: string | undefined = v.$ref ?? v.items?.$ref ?? v.additionalProperties?.$ref;
            const t = ref?.startsWith("#/types/") ? types[ref.slice(8)] : undefined;
            if (t && !t.description && v.description) t.description = v.description;
        }
    };
    for (const [tok, r] of Object.entries<any>(resources)) {
        const name = tok.split(":")[2];
        fill(r.inputProperties, name);
        fill(r.properties, name);
    }
    for (const [tok, f] of Object.entries<any>(functions)) {
        const name = tok.split(":")[2];
        fill(f.inputs.properties, name);
        fill(f.outputs.properties, name);
    }
    // Types in a stable order, twice: a type's properties can describe types they refer to.
    for (let pass = 0; pass < 2; pass++) {
        for (const [tok, t] of Object.entries<any>(types).sort(([a], [b]) => a.localeCompare(b))) {
            const name = tok.split(":")[2];
            t.description ??= TYPE_DOCS[name];
            if (!t.description && t.enum)
                t.description = `One of ${t.enum.map((e: Spec) => JSON.stringify(e.value)).join(", ")}.`;
            fill(t.properties, name);
        }
    }
}

// The PX-Backup kinds table is the one place that says which fields are secret.
function markProviderSecrets(resources: Spec) {
    const { KINDS } = require(path.join(root, "provider/kinds"));
    for (const [kind, spec] of Object.entries<any>(KINDS)) {
        const resource = resources[token(kind)];
        if (!resource) continue;
        for (const [field, f] of Object.entries<any>(spec.fields)) {
            if (!f.secret) continue;
            for (const section of [resource.inputProperties, resource.properties]) {
                if (section[field]) section[field].secret = true;
            }
        }
    }
}

export function renderSchema(): string {
    return JSON.stringify(generateSchema(), (_, v) => (v === undefined ? undefined : v), 2) + "\n";
}

if (require.main === module) {
    fs.writeFileSync(path.join(root, "schema.json"), renderSchema());
    console.log(`wrote ${path.join(root, "schema.json")}`);
}
