// Retries against injected faults (429 with Retry-After, 502/503, dropped connections): the final outcome is
// right and no object is duplicated; a POST is retried only after a GET shows it did not land. Plus
// authentication: token exchange, and errors that never carry the token.
import { PxBackupClient } from "../../../provider/client";
import { PxBackupError } from "../../../provider/errors";
import { resolveSettings } from "../../../provider/settings";
import { Harness, createChecked, fastSettings, foundation, scheduleInputs, startHarness, stopHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
    h = await startHarness();
    await foundation(h);
});
afterAll(() => stopHarness(h));
afterEach(() => h.sim.faults.clear());

const schedulesNamed = (name: string) =>
    h.sim.dump().filter((o) => o.kind === "backupschedule" && o.object.metadata.name === name);
const ops = (method: string, path: string) =>
    h.sim.requests.all().filter((r: any) => r.method === method && r.path.startsWith(path));

test("429 with Retry-After on reads: waits as told, then succeeds", async () => {
    const { id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "throttled" }));
    h.sim.faults.rateLimitNext(2, 1, { method: "GET", path: "/v1/backupschedule/default/throttled" });
    const t0 = Date.now();
    const r = await h.m("BackupSchedule").read(id, outs);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(r.props.uid).toBe(outs.uid);
});

test("503 and 502 (text/plain) on update: retried, applied once, outcome correct", async () => {
    const { inputs, id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "flaky-put" }));
    h.sim.faults.failNext(2, 503, { method: "PUT", path: "/v1/backupschedule" });
    h.sim.faults.failNext(1, 502, { method: "GET", path: "/v1/backupschedule/default/flaky-put" });
    const u = await h.m("BackupSchedule").update(id, outs, { ...inputs, namespaces: ["db"] });
    expect(u.outs.namespaces).toEqual(["db"]);
    expect(h.sim.inspect("backupschedule", "flaky-put")!.backup_schedule_info.namespaces).toEqual(["db"]);
});

test("POST failing with 503 (not applied): probe shows it did not land, retried once, one object", async () => {
    h.sim.requests.clear();
    h.sim.faults.failNext(2, 503, { method: "POST", path: "/v1/backupschedule" });
    const { outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "post-503" }));
    expect(schedulesNamed("post-503")).toHaveLength(1);
    expect(outs.uid).toBe(schedulesNamed("post-503")[0].object.metadata.uid);
    // 3 POSTs (2 failed), each retry preceded by a GET probe that found nothing.
    expect(ops("POST", "/v1/backupschedule")).toHaveLength(3);
    expect(ops("GET", "/v1/backupschedule/default/post-503")).toHaveLength(2);
});

test("POST whose response is lost after it was applied: the probe finds it, no second POST, no duplicate", async () => {
    h.sim.requests.clear();
    h.sim.faults.dropNext(1, "after", { method: "POST", path: "/v1/backupschedule" });
    const { outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "lost-response" }));
    expect(schedulesNamed("lost-response")).toHaveLength(1);
    expect(outs.uid).toBe(schedulesNamed("lost-response")[0].object.metadata.uid);
    expect(ops("POST", "/v1/backupschedule")).toHaveLength(1);
});

test("POST dropped before it was applied: probe finds nothing, POST retried, one object", async () => {
    h.sim.requests.clear();
    h.sim.faults.dropNext(1, "before", { method: "POST", path: "/v1/backupschedule" });
    await createChecked(h, "BackupSchedule", scheduleInputs({ name: "dropped-before" }));
    expect(schedulesNamed("dropped-before")).toHaveLength(1);
    expect(ops("POST", "/v1/backupschedule")).toHaveLength(2);
});

test("dropped connections and 429 on delete: deleted once, gone", async () => {
    const { id, outs } = await createChecked(h, "BackupSchedule", scheduleInputs({ name: "drop-delete" }));
    h.sim.faults.dropNext(1, "after", { method: "DELETE", path: "/v1/backupschedule/default/drop-delete" });
    h.sim.faults.rateLimitNext(1, 0, { method: "GET", path: "/v1/backupschedule/default/drop-delete" });
    await h.m("BackupSchedule").delete(id, outs);
    expect(schedulesNamed("drop-delete")).toHaveLength(0);
});

test("retries are bounded: persistent 503 fails with method, path, status and the server's message", async () => {
    h.sim.faults.failNext(-1, 503, { method: "GET", path: "/v1/backupschedule/default/" });
    const err = await h
        .m("BackupSchedule")
        .read("default/x/u", { name: "x", orgId: "default", uid: "u" })
        .catch((e) => e);
    expect(err).toBeInstanceOf(PxBackupError);
    expect(err.message).toMatch(/^PX-Backup GET \/v1\/backupschedule\/default\/x failed: HTTP 503 \(code 14\)/);
    expect(err.status).toBe(503);
    expect(h.client.stats.retries).toBeGreaterThanOrEqual(5);
});

test("server errors carry code and message; the token appears in no error", async () => {
    const e = await h
        .m("BackupSchedule")
        .create({ ...scheduleInputs({ name: "bad-ref" }), orgId: "default", clusterRef: { name: "no-such-cluster" } })
        .catch((x) => x);
    expect(e).toBeInstanceOf(PxBackupError);
    expect(e.status).toBe(404);
    expect(e.message).toContain("no-such-cluster");
    expect(JSON.stringify({ ...e, message: e.message, stack: e.stack })).not.toContain(h.sim.token);
    const bad = new PxBackupClient(fastSettings(h.sim.url, "not-a-valid-token-4711"));
    const e401 = await bad.get("/v1/backupschedule/default").catch((x) => x);
    bad.close();
    expect(e401.status).toBe(401);
    expect(e401.message).toMatch(/GET \/v1\/backupschedule\/default failed: HTTP 401/);
    expect(JSON.stringify({ ...e401, message: e401.message, stack: e401.stack })).not.toContain(
        "not-a-valid-token-4711",
    );
    const down = new PxBackupClient(fastSettings("http://127.0.0.1:1", h.sim.token, { maxRetries: "1" }));
    const econn = await down.get("/v1/health").catch((x) => x);
    down.close();
    expect(econn.message).toMatch(/connection error ECONNREFUSED/);
    expect(JSON.stringify({ ...econn, message: econn.message, stack: econn.stack })).not.toContain(h.sim.token);
});

test("the harness simulator validates requests: a field the contract does not define is a 400", async () => {
    const e = await h.client
        .post("/v1/schedulepolicy", { metadata: { name: "strict", org_id: "default" }, no_such_field: 1 })
        .catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.serverMessage).toMatch(/request violates the PX-Backup contract/);
    expect(h.sim.inspect("schedulepolicy", "strict")).toBeUndefined();
    for (const v of h.sim.contractViolations) h.expectedViolations.add(v.errors);
});

test("token endpoint failures are retried once per loop, never nested inside the API call's retries", async () => {
    const raw: Record<string, string> = {
        url: h.sim.url,
        username: "admin",
        password: "nope",
        authUrl: h.sim.authUrl,
        retryBaseDelayMs: "1",
        retryMaxDelayMs: "5",
        maxRetries: "2",
    };
    // A Keycloak 401 (wrong password) is final: one token request, no API request.
    const wrong = new PxBackupClient(resolveSettings((k) => raw[k]));
    const e = await wrong.get("/v1/backupschedule/default").catch((x) => x);
    expect(e.message).toMatch(/token request: .* failed: HTTP 401/);
    expect(wrong.stats.tokenRequests).toBe(1);
    expect(wrong.stats.requests).toBe(0);
    wrong.close();
    // A Keycloak that keeps answering 503: maxRetries + 1 token requests in all, not (maxRetries + 1)².
    h.sim.faults.failNext(50, 503, { path: "/auth/" });
    try {
        const down = new PxBackupClient(
            resolveSettings((k) => (({ ...raw, password: "admin" }) as Record<string, string>)[k]),
        );
        const e2 = await down.get("/v1/backupschedule/default").catch((x) => x);
        expect(e2.message).toMatch(/token request: .* failed: HTTP 503/);
        expect(down.stats.tokenRequests).toBe(3);
        down.close();
    } finally {
        h.sim.faults.clear();
    }
});

test("username/password are exchanged for a token at the Keycloak endpoint, once, and re-fetched on 401", async () => {
    const raw: Record<string, string> = {
        url: h.sim.url.replace(/^http:\/\//, "") + "/",
        username: "admin",
        password: "admin",
        authUrl: h.sim.authUrl,
        retryBaseDelayMs: "5",
    };
    const c = new PxBackupClient(resolveSettings((k) => raw[k]));
    expect(c.baseUrl).toBe(h.sim.url);
    await c.get("/v1/backupschedule/default");
    await c.get("/v1/schedulepolicy/default");
    expect(c.stats.tokenRequests).toBe(1);
    const wrong = new PxBackupClient(
        resolveSettings((k) => (({ ...raw, password: "nope" }) as Record<string, string>)[k]),
    );
    const e = await wrong.get("/v1/backupschedule/default").catch((x) => x);
    expect(e.message).toMatch(
        /token request: PX-Backup POST \/auth\/realms\/master\/protocol\/openid-connect\/token failed: HTTP 401/,
    );
    expect(e.message).not.toContain("nope");
    c.close();
    wrong.close();
});
