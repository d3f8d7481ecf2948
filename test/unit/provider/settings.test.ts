// Connection settings: stack config (namespace kube-backup) wins over environment variables; clear errors;
// URL normalisation and query encoding of the one client.
import { encodeQuery, normaliseBaseUrl, proxyFor, PxBackupClient } from "../../../provider/client";
import { SETTINGS, lookupFrom, resolveSettings, settingsFromEnv } from "../../../provider/settings";
import { configure, currentClient } from "../../../provider/runtime";

test("config wins over env; env fills the rest; defaults", () => {
    const config: Record<string, string> = { url: "px.example:10001", token: "from-config" };
    const env = {
        PXBACKUP_API_URL: "http://env:1",
        PXBACKUP_TOKEN: "from-env",
        PXBACKUP_MAX_RETRIES: "2",
        PXBACKUP_INSECURE_SKIP_VERIFY: "true",
    };
    const s = resolveSettings(lookupFrom((k) => config[k], env));
    expect(s).toMatchObject({
        url: "px.example:10001",
        token: "from-config",
        maxRetries: 2,
        insecureSkipVerify: true,
        clientId: "pxcentral",
        realm: "master",
        requestTimeoutMs: 30000,
    });
    expect(settingsFromEnv(env)).toMatchObject({ url: "http://env:1", token: "from-env" });
});

test("every setting has a config key and a PXBACKUP_ environment variable", () => {
    expect(SETTINGS.map((s) => s.env).every((e) => e.startsWith("PXBACKUP_"))).toBe(true);
    expect(SETTINGS.map((s) => s.key)).toEqual(
        expect.arrayContaining([
            "url",
            "token",
            "username",
            "password",
            "authUrl",
            "clientId",
            "caBundle",
            "clientCert",
            "clientKey",
            "insecureSkipVerify",
            "requestTimeoutMs",
        ]),
    );
});

test("clear errors for missing or bad settings", () => {
    expect(() => settingsFromEnv({})).toThrow(/kube-backup:url.*PXBACKUP_API_URL/);
    expect(() => settingsFromEnv({ PXBACKUP_API_URL: "http://x" })).toThrow(
        /kube-backup:token.*PXBACKUP_TOKEN.*kube-backup:username/,
    );
    expect(() =>
        settingsFromEnv({ PXBACKUP_API_URL: "http://x", PXBACKUP_USERNAME: "u", PXBACKUP_PASSWORD: "p" }),
    ).toThrow(/authUrl/);
    expect(() =>
        settingsFromEnv({ PXBACKUP_API_URL: "http://x", PXBACKUP_TOKEN: "t", PXBACKUP_REQUEST_TIMEOUT_MS: "soon" }),
    ).toThrow(/kube-backup:requestTimeoutMs must be an integer from 1 to 3600000, got "soon"/);
    expect(() =>
        settingsFromEnv({ PXBACKUP_API_URL: "http://x", PXBACKUP_TOKEN: "t", PXBACKUP_INSECURE_SKIP_VERIFY: "maybe" }),
    ).toThrow(/insecureSkipVerify must be true or false/);
    expect(() =>
        settingsFromEnv({
            PXBACKUP_API_URL: "http://x",
            PXBACKUP_TOKEN: "t",
            PXBACKUP_CLIENT_CERT: "-----BEGIN CERTIFICATE-----",
        }),
    ).toThrow(/clientCert and kube-backup:clientKey/);
    // No message ever echoes a secret value.
    try {
        settingsFromEnv({ PXBACKUP_API_URL: "http://x", PXBACKUP_TOKEN: "sekrit-token", PXBACKUP_MAX_RETRIES: "-1" });
    } catch (e) {
        expect(String(e)).not.toContain("sekrit-token");
    }
});

test.each([
    ["pollIntervalMs", "0", /kube-backup:pollIntervalMs must be an integer from 1 to 3600000, got "0"/],
    ["maxSockets", "0", /kube-backup:maxSockets must be an integer from 1 to 1024, got "0"/],
    ["maxSockets", "2.5", /kube-backup:maxSockets must be an integer from 1 to 1024, got "2.5"/],
    ["maxRetries", "-1", /kube-backup:maxRetries must be an integer from 0 to 100, got "-1"/],
    ["maxRetries", "1000", /kube-backup:maxRetries must be an integer from 0 to 100, got "1000"/],
    ["requestTimeoutMs", "0", /kube-backup:requestTimeoutMs must be an integer from 1 to 3600000, got "0"/],
    ["retryBaseDelayMs", "Infinity", /kube-backup:retryBaseDelayMs must be an integer from 0 to 3600000/],
    [
        "pollMaxIntervalMs",
        "5",
        /kube-backup:pollMaxIntervalMs \(5\) must not be below kube-backup:pollIntervalMs \(1000\)/,
    ],
    [
        "retryMaxDelayMs",
        "10",
        /kube-backup:retryMaxDelayMs \(10\) must not be below kube-backup:retryBaseDelayMs \(250\)/,
    ],
])("%s=%s is refused, naming the setting and its range", (key, value, message) => {
    const raw: Record<string, string> = { url: "http://x", token: "t", [key]: value };
    expect(() => resolveSettings((k) => raw[k])).toThrow(message);
});

test("configure refuses an out-of-range setting at once, before any client is made", async () => {
    const cfg = (values: Record<string, string>) => ({ config: { get: (k: string) => values[k] } });
    await expect(configure(cfg({ "kube-backup:pollIntervalMs": "0" }))).rejects.toThrow(
        /kube-backup:pollIntervalMs must be an integer from 1 to 3600000, got "0"/,
    );
    await expect(configure(cfg({ "kube-backup:maxSockets": "0" }))).rejects.toThrow(/kube-backup:maxSockets/);
    // Missing endpoint or credentials are reported on first use, as before (a stack may set them later).
    await expect(configure(cfg({}))).resolves.toBeUndefined();
});

test("the provider process takes its settings from configure (namespaced keys), once", async () => {
    const seen: string[] = [];
    await configure({
        config: {
            get: (k) => {
                seen.push(k);
                return (
                    { "kube-backup:url": "https://px:10001/", "kube-backup:token": "t1" } as Record<string, string>
                )[k];
            },
        },
    });
    const c = currentClient();
    expect(c.baseUrl).toBe("https://px:10001");
    expect(currentClient()).toBe(c);
    expect(seen).toContain("kube-backup:url");
    expect(seen).toContain("kube-backup:token");
    c.close();
});

test.each([
    ["px-backup:10001", "http://px-backup:10001"],
    ["http://px-backup:10001/", "http://px-backup:10001"],
    ["https://px.example.com/", "https://px.example.com"],
    ["https://gw.example.com/pxbackup/v1/", "https://gw.example.com/pxbackup"],
    ["  http://10.0.0.1:10001//  ", "http://10.0.0.1:10001"],
])("base URL %j → %j", (input, out) => {
    expect(normaliseBaseUrl(input)).toBe(out);
});

test("query encoding: repeated keys, dotted names, labels[k], nothing for undefined", () => {
    expect(encodeQuery({ uid: undefined })).toBe("");
    expect(
        encodeQuery({
            "enumerate_options.status": ["Success", "Failed"],
            "enumerate_options.labels[app]": "db x",
            uid: "u/1",
        }),
    ).toBe(
        "?enumerate_options.status=Success&enumerate_options.status=Failed&enumerate_options.labels%5Bapp%5D=db%20x&uid=u%2F1",
    );
});

test("token endpoint from authUrl: base, base with /auth, or the full endpoint; realm configurable", () => {
    const mk = (authUrl: string, realm = "master") =>
        new PxBackupClient(
            resolveSettings(
                (k) =>
                    (({ url: "http://x", username: "u", password: "p", authUrl, realm }) as Record<string, string>)[k],
            ),
        ).tokenEndpoint();
    expect(mk("http://pxcentral-keycloak-http")).toBe(
        "http://pxcentral-keycloak-http/auth/realms/master/protocol/openid-connect/token",
    );
    expect(mk("https://central.example.com/auth/")).toBe(
        "https://central.example.com/auth/realms/master/protocol/openid-connect/token",
    );
    expect(mk("https://central.example.com/auth/realms/px/protocol/openid-connect/token")).toBe(
        "https://central.example.com/auth/realms/px/protocol/openid-connect/token",
    );
    expect(mk("https://c", "px")).toBe("https://c/auth/realms/px/protocol/openid-connect/token");
});

describe("proxy environment (proxyFor)", () => {
    const env = { HTTPS_PROXY: "http://proxy:3128", HTTP_PROXY: "proxy-plain:8080" };
    test.each([
        ["https://px.example:10001", env, "http://proxy:3128"],
        ["http://px.example:10001", env, "http://proxy-plain:8080"],
        ["https://px.example", { https_proxy: "http://lower:1" }, "http://lower:1"],
        ["http://px.example", { HTTPS_PROXY: "http://proxy:3128" }, undefined],
        ["https://px.example", {}, undefined],
        ["https://px.example", { ...env, NO_PROXY: "ample" }, "http://proxy:3128"],
        ["https://px.example", { ...env, NO_PROXY: "example" }, undefined], // a domain and its subdomains
        ["https://px.example", { ...env, NO_PROXY: "px.example" }, undefined],
        ["https://a.px.example", { ...env, NO_PROXY: "px.example" }, undefined],
        ["https://a.px.example", { ...env, NO_PROXY: ".px.example" }, undefined],
        ["https://a.px.example", { ...env, no_proxy: "*.px.example" }, undefined],
        ["https://px.example:10001", { ...env, NO_PROXY: "px.example:443" }, "http://proxy:3128"],
        ["https://px.example:10001", { ...env, NO_PROXY: "other, px.example:10001" }, undefined],
        ["https://PX.example", { ...env, NO_PROXY: "px.EXAMPLE" }, undefined],
        ["https://[::1]:10001", { ...env, NO_PROXY: "::1" }, undefined],
        ["https://10.0.0.5", { ...env, NO_PROXY: "*" }, undefined],
    ])("%s with %j → %s", (url, e, expected) => {
        expect(proxyFor(url, e)).toBe(expected);
    });
});
