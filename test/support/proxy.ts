// A tiny HTTP proxy for tests: CONNECT tunnels (what a client does for an https target) and absolute-URI
// forwarding (plain http targets). It records what passed through it, so a test can prove the proxy was used.
import * as http from "http";
import * as net from "net";
import type { AddressInfo } from "net";

export interface TestProxy {
    url: string;
    /** "CONNECT host:port" per tunnel, "GET http://host:port/path" per forwarded request. */
    seen: string[];
    /** Proxy-Authorization headers received. */
    auth: string[];
    stop(): Promise<void>;
}

export async function startProxy(): Promise<TestProxy> {
    const seen: string[] = [];
    const auth: string[] = [];
    const sockets = new Set<net.Socket>();
    const server = http.createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        if (req.headers["proxy-authorization"]) auth.push(String(req.headers["proxy-authorization"]));
        const target = new URL(req.url ?? "/");
        const headers = { ...req.headers };
        delete headers["proxy-authorization"];
        const upstream = http.request(
            {
                host: target.hostname,
                port: target.port,
                path: target.pathname + target.search,
                method: req.method,
                headers,
            },
            (up) => {
                res.writeHead(up.statusCode ?? 502, up.headers);
                up.pipe(res);
            },
        );
        upstream.on("error", () => res.destroy());
        req.pipe(upstream);
    });
    server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        seen.push(`CONNECT ${req.url}`);
        if (req.headers["proxy-authorization"]) auth.push(String(req.headers["proxy-authorization"]));
        const [host, port] = (req.url ?? "").split(":");
        const upstream = net.connect(Number(port), host, () => {
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            if (head.length) upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
        });
        for (const s of [upstream, client]) {
            sockets.add(s);
            s.on("close", () => sockets.delete(s));
            s.on("error", () => s.destroy());
        }
    });
    server.on("connection", (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        auth,
        stop: () =>
            new Promise<void>((r) => {
                for (const s of sockets) s.destroy();
                server.close(() => r());
            }),
    };
}
