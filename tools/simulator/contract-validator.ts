// Validates JSON bodies and query strings against the PX-Backup swagger with ajv, so neither the simulator
// nor a client can drift from the contract. Swagger 2.0 is not JSON Schema: this module converts what
// differs (definitions refs, `x-nullable`, `format: int64/uint64` on strings, int32/double/byte formats,
// query parameters with `collectionFormat`) and, in strict mode (default), forbids properties the contract
// does not define — the real server ignores unknown fields, which is exactly why they must be caught here.
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { SwaggerSchema, loadContract, operation, parseGoBool, refName, zeroFieldPaths } from "./contract";

export interface ContractValidator {
    /** Errors of a request body for an operation, or undefined when valid. */
    request(operationId: string, body: unknown): string | undefined;
    /** Errors of a 200 response body (including zero values that jsonpb would have omitted), or undefined. */
    response(operationId: string, body: unknown): string | undefined;
    /** Errors of an error response body (runtimeError), or undefined. */
    error(body: unknown): string | undefined;
    /** Errors of a query string for an operation (unknown keys, types, enums, formats), or undefined. */
    query(operationId: string, search: URLSearchParams | string): string | undefined;
    /** Errors of a value against `#/definitions/<name>`, or undefined. */
    definition(name: string, value: unknown): string | undefined;
}

const INT = /^-?\d+$/;
const UINT = /^\d+$/;

/** Swagger 2.0 schema → JSON Schema draft-07 (strict: no properties beyond the contract). */
function convert(schema: unknown, strict: boolean): unknown {
    if (Array.isArray(schema)) return schema.map((s) => convert(s, strict));
    if (!schema || typeof schema !== "object") return schema;
    const src = schema as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(src)) {
        if (
            key.startsWith("x-") ||
            key === "collectionFormat" ||
            key === "title" ||
            key === "description" ||
            key === "default"
        )
            continue;
        if (key === "$ref") out.$ref = `px#/definitions/${refName(String(value))}`;
        else if (key === "properties" || key === "definitions") {
            out[key] = Object.fromEntries(
                Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(v, strict)]),
            );
        } else out[key] = convert(value, strict);
    }
    if (strict && src.type === "object" && src.additionalProperties === undefined) out.additionalProperties = false;
    if (src["x-nullable"] === true && typeof out.type === "string") out.type = [out.type, "null"];
    return out;
}

/** Paths of values jsonpb (EmitDefaults=false) would not emit; with a schema, map values are exempt and
 * 64-bit "0" / enum value 0 count as zero. */
export function zeroValuePaths(value: unknown, schema?: SwaggerSchema): string[] {
    return zeroFieldPaths(value, schema);
}

export function contractValidator(opts: { strict?: boolean } = {}): ContractValidator {
    const strict = opts.strict ?? true;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv, ["date-time", "byte"]);
    ajv.addFormat("int64", { type: "string", validate: (s: string) => INT.test(s) });
    ajv.addFormat("uint64", { type: "string", validate: (s: string) => UINT.test(s) });
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
    ajv.addFormat("double", { type: "number", validate: () => true });
    ajv.addFormat("float", { type: "number", validate: () => true });
    ajv.addSchema({ $id: "px", definitions: convert(loadContract().definitions, strict) as object });

    const compiled = new Map<string, ValidateFunction>();
    const compile = (schema: SwaggerSchema | undefined, key: string): ValidateFunction => {
        let fn = compiled.get(key);
        if (!fn) {
            fn = ajv.compile(schema ? (convert(schema, strict) as object) : {});
            compiled.set(key, fn);
        }
        return fn;
    };
    const run = (fn: ValidateFunction, value: unknown) =>
        fn(value) ? undefined : ajv.errorsText(fn.errors, { dataVar: "body" });

    return {
        request(operationId, body) {
            const op = operation(operationId);
            if (!op.bodySchema)
                return body === undefined || (typeof body === "object" && body && Object.keys(body).length === 0)
                    ? undefined
                    : `${operationId} takes no body`;
            return run(compile(op.bodySchema, `req:${operationId}`), body);
        },
        response(operationId, body) {
            const op = operation(operationId);
            const schemaErrors = run(compile(op.responseSchema, `res:${operationId}`), body);
            const zeros = zeroValuePaths(body, op.responseSchema);
            const zeroErrors = zeros.length ? `zero values a jsonpb server omits: ${zeros.join(", ")}` : undefined;
            return [schemaErrors, zeroErrors].filter(Boolean).join("; ") || undefined;
        },
        error(body) {
            return run(compile({ $ref: "#/definitions/runtimeError" }, "runtimeError"), body);
        },
        query(operationId, search) {
            const op = operation(operationId);
            const params = typeof search === "string" ? new URLSearchParams(search) : search;
            const errors: string[] = [];
            for (const key of new Set(params.keys())) {
                const values = params.getAll(key);
                const map = /^(.*)\[(.+)\]$/.exec(key);
                if (map) {
                    if (!/(^|\.)labels$/.test(map[1])) errors.push(`${key}: map parameter not in the contract`);
                    continue;
                }
                const param = op.query.get(key);
                if (!param) {
                    errors.push(`${key}: not a query parameter of ${operationId}`);
                    continue;
                }
                if (param.type !== "array" && values.length > 1) errors.push(`${key}: repeated but not an array`);
                const itemSchema = param.type === "array" ? (param.items ?? {}) : (param as unknown as SwaggerSchema);
                const fn = compile(
                    { type: itemSchema.type, format: itemSchema.format, enum: itemSchema.enum },
                    `q:${operationId}:${key}`,
                );
                for (const raw of values) {
                    const value =
                        itemSchema.type === "boolean"
                            ? (parseGoBool(raw) ?? raw)
                            : itemSchema.type === "integer" || itemSchema.type === "number"
                              ? Number(raw)
                              : raw;
                    const err = run(fn, value);
                    if (err) errors.push(`${key}=${raw}: ${err}`);
                }
            }
            return errors.length ? errors.join("; ") : undefined;
        },
        definition(name, value) {
            return run(compile({ $ref: `#/definitions/${name}` }, `def:${name}`), value);
        },
    };
}
