// TLS of the one client against a real HTTPS server with certificates made by openssl: verification is on
// by default, a CA bundle (PEM text or file) makes a private CA trusted, insecureSkipVerify turns checks
// off, and a client certificate/key pair is presented for mutual TLS. Behind a proxy (HTTPS_PROXY), the same
// TLS goes through a CONNECT tunnel of a real local proxy, and NO_PROXY bypasses it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { PxBackupClient } from "../../../provider/client";
import { resolveSettings } from "../../../provider/settings";
import { startSimulator } from "../../../tools/simulator/server";
import { startProxy } from "../../support/proxy";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-tls-"));
const f = (n: string) => path.join(dir, n);
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

let server: https.Server;
let url: string;
const seenClientCerts: string[] = [];

beforeAll(async () => {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=kb-test-ca",
    );
    fs.writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
    for (const who of ["server", "client"]) {
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            `${who}.key`,
            "-out",
            `${who}.csr`,
            "-subj",
            `/CN=${who}`,
        );
        openssl(
            "x509",
            "-req",
            "-in",
            `${who}.csr`,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            `${who}.pem`,
            "-days",
            "1",
            "-extfile",
            "san.ext",
        );
    }
    server = https.createServer(
        {
            key: fs.readFileSync(f("server.key")),
            cert: fs.readFileSync(f("server.pem")),
            ca: fs.readFileSync(f("ca.pem")),
            requestCert: true,
            rejectUnauthorized: false,
        },
        (req, res) => {
            const peer = (req.socket as import("tls").TLSSocket).getPeerCertificate();
            seenClientCerts.push(String(peer?.subject?.CN ?? ""));
            res.setHeader("Content-Type", "application/json");
            res.end(JSON.stringify({ version: { major: "2", minor: "10" } }));
        },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (extra: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    new PxBackupClient(
        resolveSettings((k) => (({ url, token: "t", maxRetries: "0", ...extra }) as Record<string, string>)[k]),
        env,
    );

test("verification is on by default: an unknown CA is refused, and not retried", async () => {
    const c = client({ maxRetries: "5" });
    await expect(c.get("/v1/version")).rejects.toThrow(
        /GET \/v1\/version failed: connection error SELF_SIGNED_CERT_IN_CHAIN/,
    );
    expect(c.stats.requests).toBe(1);
    c.close();
});

test("a CA bundle as PEM text or as a file path makes the server trusted", async () => {
    for (const caBundle of [fs.readFileSync(f("ca.pem"), "utf8"), f("ca.pem")]) {
        const c = client({ caBundle });
        expect(await c.get("/v1/version")).toEqual({ version: { major: "2", minor: "10" } });
        c.close();
    }
});

test("a CA bundle is added to the system roots, not put in their place", async () => {
    const bundle = fs.readFileSync(f("ca.pem"), "utf8");
    const c = client({ caBundle: bundle });
    const ca = (c as unknown as { httpsAgent: https.Agent }).httpsAgent.options.ca;
    c.close();
    expect(Array.isArray(ca)).toBe(true);
    expect(tls.rootCertificates.length).toBeGreaterThan(10);
    expect(ca).toEqual(expect.arrayContaining([...tls.rootCertificates, bundle]));
    // Without a bundle Node's own default store applies (which also honours NODE_EXTRA_CA_CERTS).
    const plain = client({});
    expect((plain as unknown as { httpsAgent: https.Agent }).httpsAgent.options.ca).toBeUndefined();
    plain.close();
});

test("insecureSkipVerify disables verification", async () => {
    const c = client({ insecureSkipVerify: "true" });
    expect((await c.get("/v1/version")).version.major).toBe("2");
    c.close();
});

test("client certificate and key are presented (mutual TLS)", async () => {
    seenClientCerts.length = 0;
    const c = client({
        caBundle: f("ca.pem"),
        clientCert: f("client.pem"),
        clientKey: fs.readFileSync(f("client.key"), "utf8"),
    });
    await c.get("/v1/version");
    c.close();
    expect(seenClientCerts).toEqual(["client"]);
});

describe("proxy environment", () => {
    test("HTTPS_PROXY: the request goes through a CONNECT tunnel, with the CA bundle and client certificate end to end", async () => {
        const proxy = await startProxy();
        try {
            seenClientCerts.length = 0;
            const port = new URL(url).port;
            const c = client(
                { caBundle: f("ca.pem"), clientCert: f("client.pem"), clientKey: f("client.key") },
                { HTTPS_PROXY: proxy.url },
            );
            expect(await c.get("/v1/version")).toEqual({ version: { major: "2", minor: "10" } });
            expect(await c.get("/v1/version")).toEqual({ version: { major: "2", minor: "10" } });
            c.close();
            expect(proxy.seen[0]).toBe(`CONNECT 127.0.0.1:${port}`);
            expect(proxy.seen.every((s) => s.startsWith("CONNECT"))).toBe(true); // never the request in the clear
            expect(seenClientCerts).toEqual(["client", "client"]);
            // Verification still applies through the tunnel: without the CA the server is refused.
            const untrusted = client({}, { https_proxy: proxy.url });
            await expect(untrusted.get("/v1/version")).rejects.toThrow(/SELF_SIGNED_CERT_IN_CHAIN/);
            untrusted.close();
        } finally {
            await proxy.stop();
        }
    });

    test("HTTP_PROXY for a plain-http server (with proxy credentials); NO_PROXY bypasses the proxy", async () => {
        const proxy = await startProxy();
        const sim = await startSimulator();
        try {
            const port = new URL(sim.url).port;
            const mk = (env: NodeJS.ProcessEnv) =>
                new PxBackupClient(
                    resolveSettings(
                        (k) => (({ url: sim.url, token: sim.token, maxRetries: "0" }) as Record<string, string>)[k],
                    ),
                    env,
                );
            const via = mk({ HTTP_PROXY: proxy.url.replace("http://", "http://user:p%40ss@") });
            expect((await via.get("/v1/version")).version.major).toBe("2");
            via.close();
            expect(proxy.seen).toEqual([`GET http://127.0.0.1:${port}/v1/version`]);
            expect(proxy.auth).toEqual([`Basic ${Buffer.from("user:p@ss").toString("base64")}`]);
            for (const noProxy of ["127.0.0.1", `127.0.0.1:${port}`, "*", "localhost,127.0.0.1"]) {
                const direct = mk({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy });
                expect((await direct.get("/v1/version")).version.major).toBe("2");
                direct.close();
            }
            expect(proxy.seen).toHaveLength(1);
        } finally {
            await sim.stop();
            await proxy.stop();
        }
    });
});
