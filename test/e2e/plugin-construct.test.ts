// Components through the provider plugin's construct: a TypeScript program declares BackupCredentials as a
// remote component (as YAML, Python and Go programs do), the real CLI has the plugin construct it against a
// local kube-apiserver, with the program's Kubernetes provider. The Secret is made, its values stay secret in
// the state, the next preview is empty, a bad input names the property, and destroy removes it.
import * as fs from "fs";
import * as path from "path";
import { ClusterHandle, startCluster } from "../../tools/local/cluster";
import {
    E2eStack,
    changes,
    createE2eStack,
    preview,
    repoRoot,
    stateFile,
    unmarkedSecrets,
    up,
} from "../../tools/engine/stack";

jest.setTimeout(900_000);

const ACCESS_KEY = "AKIACONSTRUCTE2E";
const SECRET_KEY = "construct-e2e-secret-key-not-in-state";

let cluster: ClusterHandle;
let e2e: E2eStack;

beforeAll(async () => {
    cluster = await startCluster();
    e2e = await createE2eStack({
        program: "plugin-construct",
        plugins: ["kubernetes"],
        config: {
            kubeconfig: { value: cluster.kubeconfig, secret: true },
            accessKey: { value: ACCESS_KEY, secret: true },
            secretKey: { value: SECRET_KEY, secret: true },
        },
    });
    fs.appendFileSync(
        path.join(e2e.workDir, "Pulumi.yaml"),
        `plugins:\n  providers:\n    - name: kube-backup\n      path: ${path.join(repoRoot, "plugin")}\n`,
    );
});

afterAll(async () => {
    await e2e?.dispose();
    await cluster?.stop();
});

test("up constructs the component in the plugin: the Secret exists, its output is set, the values stay secret", async () => {
    const r = await up(e2e.stack);
    const name = r.outputs.s3SecretName.value as string;
    expect(name).toMatch(/creds/);
    const secret = await cluster.request("GET", `/api/v1/namespaces/default/secrets/${name}`);
    expect(secret.status).toBe(200);
    const data = secret.body.data as Record<string, string>;
    expect(Object.values(data).map((v) => Buffer.from(v, "base64").toString())).toEqual(
        expect.arrayContaining([ACCESS_KEY, SECRET_KEY]),
    );
    expect(r.steps.map((s) => s.type)).toEqual(
        expect.arrayContaining(["kube-backup:index:BackupCredentials", "kubernetes:core/v1:Secret"]),
    );
    expect(unmarkedSecrets(stateFile(e2e), { SECRET_KEY })).toEqual([]);
    expect(changes((await preview(e2e.stack, { expectNoChanges: true })).steps)).toEqual([]);
});

test("a bad component input fails the preview naming the property", async () => {
    await e2e.stack.setConfig("namespace", { value: "Not_A_Namespace" });
    try {
        await expect(preview(e2e.stack)).rejects.toThrow(
            /property namespace with value "Not_A_Namespace" has a problem: [^\n]*must be a DNS-1123 label/,
        );
    } finally {
        await e2e.stack.removeConfig("namespace");
    }
});

test("destroy removes what construct made", async () => {
    const name = (await e2e.stack.outputs()).s3SecretName.value as string;
    await e2e.stack.destroy();
    expect((await cluster.request("GET", `/api/v1/namespaces/default/secrets/${name}`)).status).toBe(404);
});
