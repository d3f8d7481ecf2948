// Property values as the engine sends them over gRPC (google.protobuf.Struct → JSON): secrets arrive wrapped in
// the engine's secret signature object and must leave wrapped, unknowns are a sentinel string (which the
// machinery already understands, wire.ts UNKNOWN).
type Json = unknown;
export type Props = Record<string, Json>;

/** The engine's special-value signature key, and its value for a secret. */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecret(v: Json): v is { [SIG]: string; value: Json } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG] === SECRET_SIG;
}

export function secret(value: Json): Json {
    return isSecret(value) ? value : { [SIG]: SECRET_SIG, value };
}

/** The value with every secret wrapper removed (deeply), and whether there was one. */
export function unwrap(v: Json): { value: Json; secret: boolean } {
    if (isSecret(v)) return { value: unwrap(v.value).value, secret: true };
    if (Array.isArray(v)) {
        const items = v.map(unwrap);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof v === "object" && v !== null) {
        let found = false;
        const out: Props = {};
        for (const [k, x] of Object.entries(v)) {
            const u = unwrap(x);
            out[k] = u.value;
            found ||= u.secret;
        }
        return { value: out, secret: found };
    }
    return { value: v, secret: false };
}

/** Top-level properties without secret wrappers, and the keys that held a secret anywhere inside. */
export function unwrapProps(props: Props | undefined): { values: Props; secretKeys: Set<string> } {
    const values: Props = {};
    const secretKeys = new Set<string>();
    for (const [k, v] of Object.entries(props ?? {})) {
        const u = unwrap(v);
        values[k] = u.value;
        if (u.secret) secretKeys.add(k);
    }
    return { values, secretKeys };
}

/**
 * Props as the engine may receive them: undefined values dropped (a Struct cannot hold them), and the given keys
 * wrapped as secrets when present.
 */
export function toWire(props: Props, secretKeys: Iterable<string> = []): Props {
    const out = JSON.parse(JSON.stringify(props ?? {})) as Props;
    for (const k of secretKeys) if (out[k] !== undefined && out[k] !== null) out[k] = secret(out[k]);
    return out;
}
