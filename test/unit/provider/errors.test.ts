// Error classification: which server answers mean "the object is gone" and which mean "it already exists".
import * as http from "http";
import type { AddressInfo } from "net";
import { PxBackupClient } from "../../../provider/client";
import { PxBackupError, PxBackupErrorDetails } from "../../../provider/errors";
import { resolveSettings } from "../../../provider/settings";

const err = (d: Partial<PxBackupErrorDetails>) => new PxBackupError({ method: "GET", path: "/v1/cluster/o/c", ...d });

describe("isNotFound", () => {
    test.each<[string, Partial<PxBackupErrorDetails>, boolean]>([
        [
            "JSON 404 with code 5",
            { status: 404, code: 5, serverMessage: "failed to retrieve cluster [c]: object not found" },
            true,
        ],
        ["JSON code 5 whatever the text", { status: 404, code: 5, serverMessage: "gone" }, true],
        [
            "JSON 500 with code 2 and 'object not found'",
            { status: 500, code: 2, serverMessage: "failed to get backup: object not found" },
            true,
        ],
        ["JSON 404 with code 2 and 'Not Found' text", { status: 404, code: 2, serverMessage: "rule Not Found" }, true],
        ["JSON 500 with code 2 and another text", { status: 500, code: 2, serverMessage: "backup is in use" }, false],
        [
            "JSON 500 with code 13 and 'not found' text",
            { status: 500, code: 13, serverMessage: "object not found" },
            false,
        ],
        ["plain-text 404 of an unknown route", { status: 404, serverMessage: "Not Found" }, false],
        ["plain-text 404 saying 'object not found'", { status: 404, serverMessage: "object not found" }, false],
        ["plain-text 500 saying 'object not found'", { status: 500, serverMessage: "object not found" }, false],
        ["connection error", { transportCode: "ECONNRESET", serverMessage: "socket hang up" }, false],
    ])("%s", (_what, details, expected) => {
        expect(err(details).isNotFound).toBe(expected);
    });
});

describe("isAlreadyExists", () => {
    test.each<[string, Partial<PxBackupErrorDetails>, boolean]>([
        ["JSON 409 with code 6", { status: 409, code: 6, serverMessage: "object already exists" }, true],
        [
            "JSON 500 with code 2 and 'already exists' text",
            { status: 500, code: 2, serverMessage: "x already exists" },
            true,
        ],
        ["plain 409 without a code", { status: 409, serverMessage: "Conflict" }, true],
        ["JSON 409 with code 10 (Aborted)", { status: 409, code: 10, serverMessage: "operation aborted" }, false],
        [
            "JSON 409 Aborted even with 'already exists' text",
            { status: 409, code: 10, serverMessage: "already exists, aborted" },
            false,
        ],
        ["JSON 500 with code 2 and another text", { status: 500, code: 2, serverMessage: "backup is in use" }, false],
    ])("%s", (_what, details, expected) => {
        expect(err(details).isAlreadyExists).toBe(expected);
    });
});

describe("through the client: the body decides, not the status", () => {
    let server: http.Server;
    let client: PxBackupClient;
    const replies: Record<string, [number, string, string]> = {
        "/json-code-2": [
            500,
            "application/json",
            JSON.stringify({ error: "x: object not found", code: 2, message: "x: object not found" }),
        ],
        "/json-code-5": [404, "application/json", JSON.stringify({ error: "gone", code: 5, message: "gone" })],
        "/plain-404": [404, "text/plain", "Not Found\n"],
        "/plain-404-text": [404, "text/plain", "object not found\n"],
    };
    beforeAll(async () => {
        server = http.createServer((req, res) => {
            const [status, type, body] = replies[req.url ?? ""] ?? [200, "application/json", "{}"];
            res.writeHead(status, { "Content-Type": type }).end(body);
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        const port = (server.address() as AddressInfo).port;
        client = new PxBackupClient(
            resolveSettings((k) => ({ url: `http://127.0.0.1:${port}`, token: "t", maxRetries: "0" })[k as string]),
        );
    });
    afterAll(async () => {
        client.close();
        await new Promise((r) => server.close(r));
    });
    test.each([
        ["/json-code-2", true],
        ["/json-code-5", true],
        ["/plain-404", false],
        ["/plain-404-text", false],
    ])("GET %s → isNotFound %s", async (path, expected) => {
        const e = await client.get(path).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(PxBackupError);
        expect((e as PxBackupError).isNotFound).toBe(expected);
    });
});
