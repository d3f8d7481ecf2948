// Fault injection, in-process and over the /__simulator control API, and the request log tests count with.
import { SimulatorHandle, startSimulator } from "../../tools/simulator/server";
import { ORG, SimulatorClient, requests } from "../support/simulator-client";

let sim: SimulatorHandle;
let client: SimulatorClient;

beforeAll(async () => {
    sim = await startSimulator({ validateResponses: true });
    client = new SimulatorClient(sim.url, sim.token);
});
afterEach(() => {
    expect(sim.contractViolations).toEqual([]);
    sim.reset();
});
afterAll(async () => {
    await sim.stop();
});

const createPolicy = (name: string) => client.call("SchedulePolicy_Create", { body: requests.schedulePolicy(name) });
const policies = () => sim.store.list("schedulepolicy").map((o) => o.metadata.name);

test("N next requests fail with 503 (gRPC Unavailable body), then the request succeeds; the log counts all", async () => {
    sim.faults.failNext(2, 503, { method: "POST", path: "/v1/schedulepolicy" });
    const first = await createPolicy("p");
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ error: "simulated fault: HTTP 503", code: 14, message: "simulated fault: HTTP 503" });
    expect((await createPolicy("p")).status).toBe(503);
    expect((await createPolicy("p")).status).toBe(200);
    expect(policies()).toEqual(["p"]);
    const log = sim.requests.filter({ operationId: "SchedulePolicy_Create" });
    expect(log.map((r) => [r.status, r.fault, r.applied])).toEqual([
        [503, "status", false],
        [503, "status", false],
        [200, undefined, true],
    ]);
    expect(sim.requests.countByOperation()).toEqual({ SchedulePolicy_Create: 3 });
    expect(sim.faults.list()).toEqual([]); // exhausted rules disappear
});

test("500, 504 and 502 (plain text, as from a proxy) do not touch the store", async () => {
    const expected: Array<[number, number | string]> = [
        [500, 13],
        [504, 4],
        [502, "Bad Gateway\n"],
    ];
    for (const [status, code] of expected) {
        sim.faults.failNext(1, status);
        const res = await createPolicy("p");
        expect(res.status).toBe(status);
        if (typeof code === "number") expect(res.body.code).toBe(code);
        else expect(res.text).toBe(code);
    }
    expect(policies()).toEqual([]);
});

test("429 carries Retry-After and ResourceExhausted", async () => {
    sim.faults.rateLimitNext(1, 2, { operationId: "SchedulePolicy_Enumerate" });
    const limited = await client.call("SchedulePolicy_Enumerate", { params: { org_id: ORG } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.body.code).toBe(8);
    expect((await client.call("SchedulePolicy_Enumerate", { params: { org_id: ORG } })).status).toBe(200);
});

test("dropped before applying: the connection dies and nothing was created", async () => {
    sim.faults.dropNext(1, "before", { method: "POST" });
    await expect(createPolicy("p")).rejects.toThrow();
    expect(policies()).toEqual([]);
    expect(sim.requests.all().map((r) => [r.status, r.fault, r.applied])).toEqual([[0, "dropBefore", false]]);
    expect((await createPolicy("p")).status).toBe(200);
});

test("dropped after applying: the response is lost but the object exists, so a blind retry gets 409", async () => {
    sim.faults.dropNext(1, "after", { operationId: "SchedulePolicy_Create" });
    await expect(createPolicy("p")).rejects.toThrow();
    expect(policies()).toEqual(["p"]);
    expect(sim.requests.all().map((r) => [r.status, r.fault, r.applied])).toEqual([[0, "dropAfter", true]]);
    // A client must look before re-sending a POST whose response it lost:
    expect((await client.call("SchedulePolicy_Inspect", { params: { org_id: ORG, name: "p" } })).status).toBe(200);
    expect((await createPolicy("p")).status).toBe(409);
    expect(policies()).toEqual(["p"]);
});

test("latency: global and per rule; a rule with times -1 lasts until removed", async () => {
    // Durations are measured server-side (request log), which is what the injected latency adds to.
    const lastDuration = () => sim.requests.all().slice(-1)[0].durationMs;
    sim.faults.latency(120);
    const t = Date.now();
    expect((await client.call("Health_Status")).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(115);
    expect(lastDuration()).toBeGreaterThanOrEqual(115);
    sim.faults.latency(0);

    const id = sim.faults.add({ kind: "latency", latencyMs: 80, times: -1, path: "^/v1/schedulepolicy/[^/]+$" });
    for (let i = 0; i < 3; i++) {
        await client.call("SchedulePolicy_Enumerate", { params: { org_id: ORG } });
        expect(lastDuration()).toBeGreaterThanOrEqual(75);
    }
    await client.call("Health_Status");
    expect(lastDuration()).toBeLessThan(75); // other paths unaffected
    expect(sim.faults.list()).toEqual([expect.objectContaining({ id, hits: 3, times: -1 })]);
    expect(sim.faults.remove(id)).toBe(true);
    expect(sim.faults.list()).toEqual([]);
});

test("latency delays requests concurrently, not one after another", async () => {
    sim.faults.latency(200);
    const t = Date.now();
    const results = await Promise.all(Array.from({ length: 16 }, () => client.call("Health_Status")));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(Date.now() - t).toBeLessThan(1600); // serialised it would take 3.2 s
    expect(sim.requests.all().every((r) => r.durationMs >= 195)).toBe(true);
});

test("the Keycloak endpoint can be faulted too", async () => {
    sim.faults.failNext(1, 503, { operationId: "Keycloak_Token" });
    const form = new URLSearchParams({
        grant_type: "password",
        client_id: "pxcentral",
        username: "admin",
        password: "admin",
    }).toString();
    const post = () =>
        fetch(`${sim.authUrl}/auth/realms/master/protocol/openid-connect/token`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: form,
        });
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(200);
});

describe("control API", () => {
    const control = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${sim.url}/__simulator/${path}`, {
            method,
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await (res.json() as Promise<any>) };
    };

    test("faults are added, listed and cleared over HTTP; control calls are neither faulted nor logged", async () => {
        const added = await control("POST", "faults", {
            kind: "status",
            status: 503,
            times: 2,
            method: "POST",
            path: "/v1/schedulepolicy",
        });
        expect(added.status).toBe(200);
        expect((await control("GET", "faults")).body.faults).toEqual([
            expect.objectContaining({ id: added.body.id, kind: "status", status: 503, times: 2 }),
        ]);
        expect((await control("GET", "health")).status).toBe(200); // not faulted
        expect((await createPolicy("p")).status).toBe(503);
        expect((await control("DELETE", `faults/${added.body.id}`)).status).toBe(200);
        expect((await createPolicy("p")).status).toBe(200);

        await control("POST", "faults", { kind: "rateLimit", retryAfterSeconds: 3, times: -1 });
        expect((await client.call("Health_Status")).status).toBe(429);
        expect((await control("DELETE", "faults")).status).toBe(200);
        expect((await client.call("Health_Status")).status).toBe(200);

        await control("POST", "faults", { kind: "dropAfter", operationId: "SchedulePolicy_Delete" });
        await expect(client.call("SchedulePolicy_Delete", { params: { org_id: ORG, name: "p" } })).rejects.toThrow();
        expect(policies()).toEqual([]); // applied, response lost

        expect((await control("PUT", "latency", { ms: 60 })).body).toEqual({ latency_ms: 60 });
        const t = Date.now();
        await client.call("Health_Status");
        expect(Date.now() - t).toBeGreaterThanOrEqual(55);

        const log = (await control("GET", "requests")).body;
        expect(log.by_operation).toEqual({ SchedulePolicy_Create: 2, Health_Status: 3, SchedulePolicy_Delete: 1 });
        expect(log.requests.every((r: any) => !r.path.startsWith("/__simulator"))).toBe(true);
        await control("DELETE", "requests");
        expect((await control("GET", "requests")).body.requests).toEqual([]);
        expect((await control("POST", "faults", { kind: "bogus" })).status).toBe(400);
    });

    test("tokens, objects and reset", async () => {
        const { token } = (await control("POST", "tokens", { sub: "ci-user" })).body;
        const ci = new SimulatorClient(sim.url, token);
        await ci.ok("CloudCredential_Create", { body: requests.cloudCredential("c") });
        const objects = (await control("GET", "objects")).body.objects;
        expect(objects).toEqual([
            {
                kind: "cloudcredential",
                object: expect.objectContaining({ metadata: expect.objectContaining({ name: "c", owner: "ci-user" }) }),
            },
        ]);
        expect(objects[0].object.cloud_credential_info.aws_config.secret_key).toBe("secret-key-value"); // debugging view includes secrets
        expect((await control("POST", "reset")).status).toBe(200);
        expect(sim.store.all()).toEqual([]);
        expect((await control("GET", "nope")).status).toBe(404);
    });
});
