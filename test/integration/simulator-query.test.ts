// Query parsing of the simulator against the grpc-gateway v1 rules: booleans as Go's strconv.ParseBool reads
// them (empty is an error), unknown keys ignored, and 400 for a key naming a message field or a map field
// without a sub-key.
import { contractValidator } from "../../tools/simulator/contract-validator";
import { decodeQuery, operation } from "../../tools/simulator/contract";
import { ApiError } from "../../tools/simulator/errors";
import { SimulatorHandle, startSimulator } from "../../tools/simulator/server";

const decode = (operationId: string, search: string) =>
    decodeQuery(operation(operationId), new URLSearchParams(search));
const rejection = (operationId: string, search: string): ApiError => {
    try {
        decode(operationId, search);
    } catch (e) {
        if (e instanceof ApiError) return e;
        throw e;
    }
    throw new Error(`?${search} was accepted`);
};

describe("booleans: Go strconv.ParseBool", () => {
    test.each(["1", "t", "T", "TRUE", "true", "True"])("%s is true", (v) => {
        expect(decode("CloudCredential_Inspect", `include_secrets=${v}`)).toEqual({ include_secrets: true });
    });
    test.each(["0", "f", "F", "FALSE", "false", "False"])("%s is false", (v) => {
        expect(decode("CloudCredential_Inspect", `include_secrets=${v}`)).toEqual({ include_secrets: false });
    });
    test.each(["", "yes", "no", "tRUE", "2", "on"])("%j is a 400 naming the parameter", (v) => {
        const e = rejection("CloudCredential_Inspect", `include_secrets=${encodeURIComponent(v)}`);
        expect(e.httpStatus).toBe(400);
        expect(e.message).toContain("include_secrets");
    });
    test("nested boolean parameters follow the same rule", () => {
        expect(decode("Backup_Enumerate", "enumerate_options.include_detailed_resources=T")).toEqual({
            enumerate_options: { include_detailed_resources: true },
        });
    });
    test("the strict validator accepts what the gateway accepts", () => {
        const v = contractValidator();
        expect(v.query("CloudCredential_Inspect", "include_secrets=True")).toBeUndefined();
        expect(v.query("CloudCredential_Inspect", "include_secrets=0")).toBeUndefined();
        expect(v.query("CloudCredential_Inspect", "include_secrets=yes")).toMatch(/include_secrets=yes/);
    });
});

describe("keys", () => {
    test("an unknown key is ignored", () => {
        expect(decode("Backup_Enumerate", "no_such_field=1&enumerate_options.max_objects=3")).toEqual({
            enumerate_options: { max_objects: "3" },
        });
    });
    test.each([
        ["Backup_Enumerate", "enumerate_options=x", "enumerate_options"],
        ["Backup_Enumerate", "enumerate_options.time_range=x", "enumerate_options.time_range"],
        ["Backup_Delete", "cluster_ref=x", "cluster_ref"],
    ])("%s ?%s: a message field is a 400", (op, search, key) => {
        const e = rejection(op, search);
        expect(e.httpStatus).toBe(400);
        expect(e.message).toContain(key);
    });
    test.each([
        ["Backup_Enumerate", "enumerate_options.labels=env", "enumerate_options.labels"],
        ["Backup_Enumerate", "labels=env", "labels"],
    ])("%s ?%s: a map field without a sub-key is a 400", (op, search, key) => {
        const e = rejection(op, search);
        expect(e.httpStatus).toBe(400);
        expect(e.message).toContain(key);
    });
    test("a map field with a sub-key is decoded", () => {
        expect(decode("Backup_Enumerate", "enumerate_options.labels%5Benv%5D=prod")).toEqual({
            enumerate_options: { labels: { env: "prod" } },
        });
    });
});

describe("over HTTP", () => {
    let sim: SimulatorHandle;
    beforeAll(async () => {
        sim = await startSimulator();
    });
    afterAll(() => sim.stop());
    const get = async (pathAndQuery: string) => {
        const res = await fetch(sim.url + pathAndQuery, { headers: { Authorization: `Bearer ${sim.token}` } });
        return { status: res.status, body: (await res.json()) as { code?: number; message?: string } };
    };
    test("True and 1 are accepted, an empty boolean and ?labels=env are 400 with code 3", async () => {
        expect((await get("/v1/backup/default?enumerate_options.include_detailed_resources=True")).status).toBe(200);
        expect((await get("/v1/cloudcredential/default?include_secrets=1")).status).toBe(200);
        const empty = await get("/v1/cloudcredential/default?include_secrets=");
        expect(empty.status).toBe(400);
        expect(empty.body.code).toBe(3);
        const map = await get("/v1/backup/default?enumerate_options.labels=env");
        expect(map.status).toBe(400);
        expect(map.body.message).toContain("enumerate_options.labels");
    });
});
