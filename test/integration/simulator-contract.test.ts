// The contract machinery itself: the validator must reject what a jsonpb server would never send (so the
// route tests can fail), the router must know every contract route, the codec must canonicalise like jsonpb,
// and the CLI must start, serve and stop cleanly.
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { contractPath, contractOperations, decodeValue, omitZero, timestamp } from "../../tools/simulator/contract";
import { contractValidator, zeroValuePaths } from "../../tools/simulator/contract-validator";
import { Router } from "../../tools/simulator/router";
import { ApiError } from "../../tools/simulator/errors";

const validator = contractValidator();
const policy = (info: unknown) => ({
    schedule_policy: {
        metadata: { name: "p", uid: "u", org_id: "default", create_time: "2026-01-01T00:00:00Z" },
        schedule_policy_info: info,
    },
});

test("the vendored contract is byte-identical to the reference swagger (px-backup-api HEAD 44a089a0)", () => {
    const sha = crypto.createHash("sha256").update(fs.readFileSync(contractPath())).digest("hex");
    expect(sha).toBe("4cbe96770ad2b1bffe8ed3cf1f7ccd3294d4f84c4a8071cdf571ff1fc15bfed2");
});

describe("validator rejects drift", () => {
    test("accepts a canonical response", () => {
        expect(
            validator.response("SchedulePolicy_Inspect", policy({ interval: { minutes: "15", retain: "5" } })),
        ).toBeUndefined();
    });

    test.each([
        ["a 64-bit integer as a JSON number", policy({ interval: { minutes: 15 } }), /must be string/],
        [
            "a property the contract does not define",
            policy({ interval: { minutes: "15", every: "day" } }),
            /must NOT have additional properties/,
        ],
        ["a camelCase name", { schedulePolicy: {} }, /must NOT have additional properties/],
        [
            "a zero value jsonpb omits",
            policy({ for_object_lock: false }),
            /zero values a jsonpb server omits: schedule_policy\.schedule_policy_info\.for_object_lock/,
        ],
        ["an empty list", policy({ backup_schedule: [] }), /zero values/],
        [
            "a bad timestamp",
            { schedule_policy: { metadata: { create_time: "yesterday" } } },
            /must match format "date-time"/,
        ],
        ["a bad uint64", { backup_schedules: [], total_count: "-1" }, /must match format "uint64"/],
    ])("rejects %s", (_what, body, message) => {
        const op = "total_count" in (body as object) ? "BackupSchedule_Enumerate" : "SchedulePolicy_Inspect";
        expect(validator.response(op, body)).toMatch(message);
    });

    test("enums must be names from the contract", () => {
        const sched = { backup_schedule: { backup_schedule_info: { reclaim_policy: "Delete" } } };
        expect(validator.response("BackupSchedule_Inspect", sched)).toBeUndefined();
        expect(
            validator.response("BackupSchedule_Inspect", {
                backup_schedule: { backup_schedule_info: { reclaim_policy: 1 } },
            }),
        ).toMatch(/must be equal to one of the allowed values/);
        expect(validator.request("BackupSchedule_Create", { backup_type: { type: "Normal" } })).toMatch(
            /must be string/,
        ); // bare in requests
    });

    test("error bodies must be runtimeError", () => {
        expect(validator.error(new ApiError(5, "x: object not found").body())).toBeUndefined();
        expect(validator.error({ error: "x", code: "5" })).toMatch(/code must be integer/);
        expect(validator.error({ status: 404 })).toMatch(/additional properties/);
    });

    test("query strings: declared parameters only, typed", () => {
        expect(
            validator.query(
                "Backup_Enumerate",
                "enumerate_options.max_objects=10&enumerate_options.status=Success&enumerate_options.status=Failed&enumerate_options.sort_option.sortBy.type=Name&labels[a]=b",
            ),
        ).toBeUndefined();
        expect(validator.query("Backup_Enumerate", "max_objects=10")).toMatch(/not a query parameter/);
        expect(validator.query("Backup_Enumerate", "enumerate_options.max_objects=ten")).toMatch(/uint64/);
        expect(validator.query("Backup_Enumerate", "enumerate_options.include_detailed_resources=yes")).toMatch(
            /boolean/,
        );
        expect(validator.query("Backup_Enumerate", "enumerate_options.sort_option.sortBy.type=Size2")).toMatch(
            /allowed values/,
        );
        expect(validator.query("Backup_Inspect", "uid=a&uid=b")).toMatch(/repeated/);
    });

    test("zeroValuePaths finds nested zero values but not the empty root; by schema, map values are exempt", () => {
        expect(zeroValuePaths({})).toEqual([]);
        expect(zeroValuePaths({ a: { b: "", c: [{ d: false }], e: {} } })).toEqual(["a.b", "a.c[0].d", "a.e"]);
        const response = {
            schedule_policy: {
                metadata: { name: "p", labels: { empty: "" } },
                schedule_policy_info: { interval: { minutes: "0" } },
            },
        };
        expect(validator.response("SchedulePolicy_Inspect", response)).toBe(
            "zero values a jsonpb server omits: schedule_policy.schedule_policy_info.interval.minutes",
        );
    });
});

describe("codec (jsonpb rules)", () => {
    const schema = { $ref: "#/definitions/EnumerateOptions" };
    test("decodes lowerCamel, numbers for 64-bit fields, enum numbers incl. Descending = -1; drops unknown keys and null", () => {
        expect(
            decodeValue(
                schema,
                {
                    maxObjects: 10,
                    objectIndex: "5",
                    nameFilter: null,
                    bogus: 1,
                    sortOption: { sortOrder: { type: -1 }, sortBy: { type: 2 } },
                },
                "",
            ),
        ).toEqual({
            max_objects: "10",
            object_index: "5",
            sort_option: { sortOrder: { type: "Descending" }, sortBy: { type: "Name" } },
        });
    });
    test("rejects wrong types with the field path", () => {
        expect(() => decodeValue(schema, { max_objects: -1 }, "enumerate_options")).toThrow(
            /enumerate_options\.max_objects: expected an unsigned integer/,
        );
        expect(() => decodeValue(schema, { sort_option: { sortOrder: { type: 2 } } }, "")).toThrow(
            /invalid value 2 for enum SortOptionSortOrderTypeType/,
        );
        expect(() => decodeValue(schema, { owners: "me" }, "")).toThrow(/owners: expected a JSON array/);
    });
    test("omitZero prunes like EmitDefaults=false, by schema; map values and list items stay; timestamps drop a zero fraction", () => {
        expect(omitZero({ a: false, b: "", e: [], f: {}, g: { h: 0 }, i: "x", j: ["", "y"] })).toEqual({
            i: "x",
            j: ["", "y"],
        });
        expect(
            omitZero(
                { interval: { minutes: "0", retain: "5" }, weekly: { day: "" } },
                { $ref: "#/definitions/SchedulePolicyInfo" },
            ),
        ).toEqual({ interval: { retain: "5" } });
        expect(
            omitZero(
                { reclaim_policy: "Invalid", suspend: false, label_selectors: { a: "" } },
                { $ref: "#/definitions/BackupScheduleInfo" },
            ),
        ).toEqual({ label_selectors: { a: "" } });
        // A name that happens to be "0" or "Invalid" is a string, not a zero value.
        expect(
            omitZero(
                { metadata: { name: "0", labels: { empty: "" } } },
                { $ref: "#/definitions/SchedulePolicyObject" },
            ),
        ).toEqual({ metadata: { name: "0", labels: { empty: "" } } });
        expect(timestamp(Date.UTC(2026, 0, 1))).toBe("2026-01-01T00:00:00Z");
        expect(timestamp(Date.UTC(2026, 0, 1, 0, 0, 0, 5))).toBe("2026-01-01T00:00:00.005Z");
    });
});

test("the router resolves every contract route to its operation; 404 and 405 otherwise", () => {
    const router = new Router();
    for (const op of contractOperations().values()) {
        const concrete = op.template.replace(/\{[^}]+\}/g, (m) => `x-${m.slice(1, -1)}`);
        const match = router.match(op.method, concrete);
        expect({ id: op.operationId, got: match.op?.operationId }).toEqual({ id: op.operationId, got: op.operationId });
        for (const name of op.pathParams) expect(match.params[name]).toBe(`x-${name}`);
    }
    expect(contractOperations().size).toBeGreaterThan(100);
    expect(router.match("GET", "/v1/backup/updatebackupshare/extra/segments").status).toBe(404);
    expect(router.match("DELETE", "/v1/backup").status).toBe(405);
    expect(router.match("GET", "/v1/backup/my%20org/b%2F1").params).toEqual({ org_id: "my org", name: "b/1" });
});

test("`npm run simulator` entry: starts on PORT, accepts PXBACKUP_TOKEN, strict mode, stops cleanly on SIGTERM", async () => {
    const root = path.resolve(__dirname, "../..");
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/simulator/main.ts"], {
        cwd: root,
        env: {
            ...process.env,
            PORT: "0",
            PXBACKUP_TOKEN: "cli-test-token",
            SIMULATOR_DELAY_MS: "0",
            SIMULATOR_STRICT: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    try {
        const url = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${out}`)), 30000);
            child.stdout.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /listening on (http:\/\/\S+)[\s\S]*control API/.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(m[1]);
                }
            });
            child.on("exit", (code) => reject(new Error(`simulator exited with ${code}:\n${out}`)));
        });
        expect(out).toMatch(/bearer token: from PXBACKUP_TOKEN/);
        expect(out).not.toMatch(/cli-test-token/); // the token is never printed when it came from the environment
        const ok = await fetch(`${url}/v1/schedulepolicy/default`, {
            headers: { Authorization: "Bearer cli-test-token" },
        });
        expect(ok.status).toBe(200);
        const denied = await fetch(`${url}/v1/schedulepolicy/default`, { headers: { Authorization: "Bearer other" } });
        expect(denied.status).toBe(401);
        const strict = await fetch(`${url}/v1/backupschedule/default?max_objects=1`, {
            headers: { Authorization: "Bearer cli-test-token" },
        });
        expect(strict.status).toBe(400); // SIMULATOR_STRICT=1: parameters outside the contract are refused
        await new Promise((r) => setTimeout(r, 50));
        expect(out).toMatch(/GET \/v1\/schedulepolicy\/default → 200/);
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        child.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(out).toMatch(/SIGTERM: stopping/);
    } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
    }
}, 60000);
