// The PX-Backup swagger contract, loaded once, and the proto-JSON codec the simulator derives from it.
// The codec mirrors grpc-gateway v1 + golang jsonpb (see docs/px-backup-api.md#wire-format): requests accept proto or
// lowerCamel names, enum names or numbers, 64-bit integers as numbers or strings, null = unset, unknown keys
// ignored; responses are snake_case with zero values omitted. Because decoding walks the contract's own
// schemas, a field the contract does not define can never reach the store.
import * as fs from "fs";
import * as path from "path";
import { invalid } from "./errors";

export interface SwaggerSchema {
    type?: string;
    format?: string;
    enum?: string[];
    properties?: Record<string, SwaggerSchema>;
    items?: SwaggerSchema;
    additionalProperties?: SwaggerSchema | boolean;
    $ref?: string;
    [key: string]: unknown;
}

export interface SwaggerParameter {
    name: string;
    in: "path" | "query" | "body" | "header";
    required?: boolean;
    type?: string;
    format?: string;
    enum?: string[];
    items?: SwaggerSchema;
    schema?: SwaggerSchema;
    collectionFormat?: string;
}

export interface SwaggerOperation {
    operationId: string;
    parameters?: SwaggerParameter[];
    responses: Record<string, { schema?: SwaggerSchema }>;
}

export interface Swagger {
    paths: Record<string, Record<string, SwaggerOperation>>;
    definitions: Record<string, SwaggerSchema>;
}

export const CONTRACT_FILE = "px-backup-api.swagger.json";

/** Works from the TypeScript sources (ts-jest, ts-node) and from the compiled copy in build/tools/simulator. */
export function contractPath(): string {
    const candidates = [
        path.join(__dirname, CONTRACT_FILE),
        path.resolve(__dirname, "../../../tools/simulator", CONTRACT_FILE),
    ];
    const found = candidates.find((p) => fs.existsSync(p));
    if (!found) throw new Error(`PX-Backup swagger contract not found; looked in: ${candidates.join(", ")}`);
    return found;
}

let cached: Swagger | undefined;
export function loadContract(): Swagger {
    if (!cached) cached = JSON.parse(fs.readFileSync(contractPath(), "utf8")) as Swagger;
    return cached;
}

export interface ContractOperation {
    method: string; // upper case
    template: string; // e.g. /v1/backup/{org_id}/{name}
    operationId: string;
    pathParams: string[];
    query: Map<string, SwaggerParameter>;
    bodySchema?: SwaggerSchema;
    responseSchema?: SwaggerSchema;
}

let operations: Map<string, ContractOperation> | undefined;
/** Every operation of the contract keyed by operationId. */
export function contractOperations(): Map<string, ContractOperation> {
    if (operations) return operations;
    operations = new Map();
    for (const [template, methods] of Object.entries(loadContract().paths)) {
        for (const [method, op] of Object.entries(methods)) {
            const params = op.parameters ?? [];
            operations.set(op.operationId, {
                method: method.toUpperCase(),
                template,
                operationId: op.operationId,
                pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
                query: new Map(params.filter((p) => p.in === "query").map((p) => [p.name, p])),
                bodySchema: params.find((p) => p.in === "body")?.schema,
                responseSchema: op.responses["200"]?.schema,
            });
        }
    }
    return operations;
}

export function operation(operationId: string): ContractOperation {
    const op = contractOperations().get(operationId);
    if (!op) throw new Error(`operation ${operationId} is not in the PX-Backup contract`);
    return op;
}

export function refName(ref: string): string {
    return ref.replace(/^#\/definitions\//, "");
}

export function definition(name: string): SwaggerSchema {
    const def = loadContract().definitions[name];
    if (!def) throw new Error(`definition ${name} is not in the PX-Backup contract`);
    return def;
}

// Enums whose proto numbers are not their position in the swagger list.
const ENUM_NUMBER_OVERRIDES: Record<string, Record<number, string>> = {
    SortOptionSortOrderTypeType: { [-1]: "Descending", 2: "" },
    ClusterInfoProvider: { 999: "Other", 6: "" },
};

function enumName(defName: string | undefined, values: string[], raw: unknown, where: string): string {
    if (typeof raw === "string") {
        if (values.includes(raw)) return raw;
        if (/^-?\d+$/.test(raw)) return enumName(defName, values, Number(raw), where);
    } else if (typeof raw === "number" && Number.isInteger(raw)) {
        const override = defName ? ENUM_NUMBER_OVERRIDES[defName]?.[raw] : undefined;
        if (override) return override;
        if (override === undefined && raw >= 0 && raw < values.length) return values[raw];
    }
    throw invalid(
        `invalid value ${JSON.stringify(raw)} for enum ${defName ?? "field"} at ${where}: expected one of ${values.join(", ")}`,
    );
}

const INT64 = new Set(["int64", "uint64"]);
const lowerCamel = (s: string) => s.replace(/_([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

function resolve(schema: SwaggerSchema): { schema: SwaggerSchema; name?: string } {
    if (schema.$ref) {
        const name = refName(schema.$ref);
        return { schema: definition(name), name };
    }
    return { schema };
}

/**
 * Decodes a request value against a contract schema into canonical proto-JSON: proto field names, enum names,
 * 64-bit integers as decimal strings. Throws InvalidArgument (HTTP 400) naming the field on a type mismatch.
 * Returns undefined for null/unset.
 */
export function decodeValue(schemaIn: SwaggerSchema, value: unknown, where: string): unknown {
    if (value === null || value === undefined) return undefined;
    const { schema, name } = resolve(schemaIn);
    if (schema.enum) return enumName(name, schema.enum, value, where);
    if (schema.properties) {
        if (typeof value !== "object" || Array.isArray(value)) throw invalid(`${where}: expected a JSON object`);
        const out: Record<string, unknown> = {};
        const byName = new Map<string, string>();
        for (const key of Object.keys(schema.properties)) {
            byName.set(key, key);
            byName.set(lowerCamel(key), key);
        }
        for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
            const prop = byName.get(key);
            if (!prop) continue; // jsonpb with AllowUnknownFields: unknown keys are ignored
            const decoded = decodeValue(schema.properties[prop], raw, where ? `${where}.${prop}` : prop);
            if (decoded !== undefined) out[prop] = decoded;
        }
        return out;
    }
    if (schema.type === "object") {
        if (typeof value !== "object" || Array.isArray(value)) throw invalid(`${where}: expected a JSON object`);
        const valueSchema = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
        const out: Record<string, unknown> = {};
        for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
            out[key] = valueSchema ? (decodeValue(valueSchema, raw, `${where}[${key}]`) ?? zeroOf(valueSchema)) : raw;
        }
        return out;
    }
    if (schema.type === "array") {
        if (!Array.isArray(value)) throw invalid(`${where}: expected a JSON array`);
        return value.map(
            (item, i) => decodeValue(schema.items ?? {}, item, `${where}[${i}]`) ?? zeroOf(schema.items ?? {}),
        );
    }
    if (schema.type === "string" && schema.format && INT64.has(schema.format)) {
        const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
        if (typeof text !== "string" || !/^-?\d+$/.test(text))
            throw invalid(`${where}: expected a 64-bit integer, got ${JSON.stringify(value)}`);
        if (schema.format === "uint64" && text.startsWith("-"))
            throw invalid(`${where}: expected an unsigned integer, got ${text}`);
        return String(BigInt(text));
    }
    if (schema.type === "string") {
        if (typeof value !== "string") throw invalid(`${where}: expected a string, got ${JSON.stringify(value)}`);
        if (schema.format === "date-time" && Number.isNaN(Date.parse(value)))
            throw invalid(`${where}: bad RFC 3339 timestamp ${JSON.stringify(value)}`);
        return value;
    }
    if (schema.type === "boolean") {
        if (typeof value !== "boolean") throw invalid(`${where}: expected a boolean, got ${JSON.stringify(value)}`);
        return value;
    }
    if (schema.type === "integer" || schema.type === "number") {
        if (typeof value !== "number") throw invalid(`${where}: expected a number, got ${JSON.stringify(value)}`);
        return value;
    }
    return value;
}

function zeroOf(schema: SwaggerSchema): unknown {
    const { schema: s } = resolve(schema);
    if (s.enum) return s.enum[0];
    if (s.properties || s.type === "object") return {};
    if (s.type === "array") return [];
    if (s.type === "boolean") return false;
    if (s.type === "integer" || s.type === "number") return 0;
    if (s.format && INT64.has(s.format)) return "0";
    return "";
}

/** Decodes a JSON request body (already parsed) against the operation's body schema. */
export function decodeBody(op: ContractOperation, body: unknown): Record<string, unknown> {
    if (!op.bodySchema) return {};
    return (decodeValue(op.bodySchema, body ?? {}, "") as Record<string, unknown> | undefined) ?? {};
}

/** Map fields reachable from query strings (`labels[k]=v`); the contract lists no map parameters. */
const MAP_FIELD = /(^|\.)labels$/;

/**
 * Decodes query parameters per the operation's declared parameters: dotted names nest
 * (`enumerate_options.max_objects`), repeated keys build arrays, `labels[k]=v` fills maps. Unknown keys are
 * ignored, like the gateway does; message fields and map fields without a key are refused (InvalidArgument).
 */
export function decodeQuery(op: ContractOperation, params: URLSearchParams): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const set = (dotted: string, value: unknown) => {
        const parts = dotted.split(".");
        let node = out;
        for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
        node[parts[parts.length - 1]] = value;
    };
    for (const key of new Set(params.keys())) {
        const values = params.getAll(key);
        const refused = refusedQueryKey(op, key);
        if (refused) throw invalid(refused);
        const mapMatch = /^(.*)\[(.+)\]$/.exec(key);
        if (mapMatch) {
            // Map fields are not listed as swagger parameters; the gateway accepts them for map-typed fields.
            if (MAP_FIELD.test(mapMatch[1])) {
                const parts = mapMatch[1].split(".");
                let node = out;
                for (const part of parts) node = (node[part] ??= {}) as Record<string, unknown>;
                node[mapMatch[2]] = values[values.length - 1];
            }
            continue;
        }
        const param = op.query.get(key);
        if (!param) continue;
        if (param.type === "array") {
            set(
                key,
                values.map((v, i) => decodeScalar(param.items ?? {}, v, `${key}[${i}]`)),
            );
        } else {
            set(key, decodeScalar(param as unknown as SwaggerSchema, values[values.length - 1], key));
        }
    }
    return out;
}

/**
 * Why the v1 gateway answers 400 for a query key, or undefined. Unknown keys are only logged there, but a key
 * that names a message field (a prefix of a parameter, e.g. `cluster_ref`) or a map field without a sub-key
 * (`labels=env`) is a known field of the wrong shape.
 */
export function refusedQueryKey(op: ContractOperation, key: string): string | undefined {
    if (/\[.+\]$/.test(key) || op.query.has(key)) return undefined;
    if (MAP_FIELD.test(key)) return `${key}: a map field needs a key, as in ${key}[<key>]=<value>`;
    for (const name of op.query.keys()) {
        if (name.startsWith(`${key}.`)) return `${key}: a message field cannot take a value, set its fields (${name})`;
    }
    return undefined;
}

/** Go's strconv.ParseBool, which the gateway uses for boolean query values (an empty value is an error). */
export function parseGoBool(text: string): boolean | undefined {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
    return undefined;
}

function decodeScalar(schema: SwaggerSchema, text: string, where: string): unknown {
    const { schema: s, name } = resolve(schema);
    if (s.enum) return enumName(name, s.enum, text, where);
    if (s.type === "boolean") {
        const b = parseGoBool(text);
        if (b === undefined) throw invalid(`${where}: parsing ${JSON.stringify(text)} as a boolean: invalid syntax`);
        return b;
    }
    return decodeValue(s, text, where);
}

/** True for what jsonpb (EmitDefaults=false) leaves out of a response, judged without a schema. */
function isZero(value: unknown): boolean {
    if (value === undefined || value === null || value === false || value === "" || value === 0) return true;
    if (Array.isArray(value)) return value.length === 0;
    if (typeof value === "object") return Object.keys(value as object).length === 0;
    return false;
}

/** The zero value of a scalar field per its schema: "0" for 64-bit strings, the first name for enums. */
function isZeroFor(schema: SwaggerSchema | undefined, value: unknown): boolean {
    if (isZero(value)) return true;
    if (!schema) return false;
    const { schema: s } = resolve(schema);
    if (s.enum) return value === s.enum[0];
    if (s.format && INT64.has(s.format)) return value === "0";
    return false;
}

/**
 * Prunes zero values as jsonpb (EmitDefaults=false) does: unset/zero fields and empty lists/maps/messages are
 * left out; list items and map values are kept as they are (jsonpb writes them even when zero). With the
 * response schema, 64-bit "0" and enum value 0 count as zero too. Nested messages that end up empty are
 * dropped (the simulator never needs to say "set but empty"); the root stays.
 */
export function omitZero(value: unknown, schema?: SwaggerSchema): unknown {
    const s = schema ? resolve(schema).schema : undefined;
    if (Array.isArray(value))
        return value.map((item) => (item && typeof item === "object" ? omitZero(item, s?.items) : item));
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        const isMap = s ? !s.properties && typeof s.additionalProperties === "object" : false;
        for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
            const fieldSchema = isMap ? (s!.additionalProperties as SwaggerSchema) : s?.properties?.[key];
            if (isMap) {
                if (raw !== undefined) out[key] = raw && typeof raw === "object" ? omitZero(raw, fieldSchema) : raw;
                continue;
            }
            const pruned = omitZero(raw, fieldSchema);
            if (!isZeroFor(fieldSchema, pruned)) out[key] = pruned;
        }
        return out;
    }
    return value;
}

/**
 * Paths of fields a jsonpb server would not have emitted (zero values, empty lists/maps/messages), judged by
 * the schema like omitZero. Map values and list items are exempt; the root may be empty.
 */
export function zeroFieldPaths(value: unknown, schema?: SwaggerSchema, path = ""): string[] {
    const s = schema ? resolve(schema).schema : undefined;
    if (Array.isArray(value)) {
        return value.flatMap((item, i) =>
            item && typeof item === "object" ? zeroFieldPaths(item, s?.items, `${path}[${i}]`) : [],
        );
    }
    if (!value || typeof value !== "object") return [];
    const isMap = s ? !s.properties && typeof s.additionalProperties === "object" : false;
    const out: string[] = [];
    for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
        const fieldSchema = isMap ? (s!.additionalProperties as SwaggerSchema) : s?.properties?.[key];
        const here = isMap ? `${path}[${key}]` : path ? `${path}.${key}` : key;
        if (!isMap && isZeroFor(fieldSchema, raw)) out.push(here);
        else out.push(...zeroFieldPaths(raw, fieldSchema, here));
    }
    return out;
}

/** RFC 3339 in UTC the way protobuf's Timestamp marshals it (no fraction when it is zero). */
export function timestamp(ms: number): string {
    return new Date(ms).toISOString().replace(".000Z", "Z");
}
