// The basics every other e2e test relies on, through the real CLI: a directory program runs, the dynamic
// provider host is found and resolves `kube-backup` from the program directory (as in a consumer's project),
// a second preview is empty, secret config is encrypted in state, and destroy empties the stack.
import * as fs from "fs";
import * as path from "path";
import { E2eStack, changes, countCiphertexts, createE2eStack, findPlaintextSecrets, preview, pulumiVersion, repoRoot, stateResources, up } from "./harness";

jest.setTimeout(300_000);

const SECRET = "probe-secret-value-8c1f0e6a";
let e2e: E2eStack;

beforeAll(async () => {
  e2e = await createE2eStack({
    program: "engine",
    config: { label: { value: "first" }, probeSecret: { value: SECRET, secret: true } },
  });
});

afterAll(async () => {
  await e2e?.dispose();
});

test("the built CLI is the version of the SDK", async () => {
  const version = await e2e.stack.workspace.pulumiVersion;
  expect(version).toBe(pulumiVersion);
});

test("preview plans the stack and the dynamic resource", async () => {
  const p = await preview(e2e.stack);
  expect(p.changeSummary).toEqual({ create: 2 });
  expect(changes(p.steps)).toEqual(expect.arrayContaining([expect.stringMatching(/^create pulumi-nodejs:dynamic:Resource::probe/)]));
});

test("up runs the dynamic provider in the program directory and it resolves kube-backup", async () => {
  const r = await up(e2e.stack);
  expect(r.summary.result).toBe("succeeded");
  expect(r.outputs.packageName.value).toBe("kube-backup");
  expect(fs.realpathSync(r.outputs.providerCwd.value)).toBe(fs.realpathSync(e2e.workDir));
  expect(fs.realpathSync(r.outputs.runtimeModule.value)).toBe(path.join(repoRoot, "bin", "provider", "runtime.js"));
  expect(r.outputs.pulumiSdk.value).toBe(pulumiVersion);
});

test("a second preview reports no changes", async () => {
  const p = await preview(e2e.stack, { expectNoChanges: true });
  expect(changes(p.steps)).toEqual([]);
});

test("secret config is encrypted in the state", async () => {
  const raw = JSON.stringify(await e2e.stack.exportStack());
  expect(findPlaintextSecrets(raw, { probeSecret: SECRET })).toEqual([]);
  expect(countCiphertexts(raw)).toBeGreaterThan(0);
});

test("an edit updates in place", async () => {
  await e2e.stack.setConfig("label", { value: "second" });
  const r = await up(e2e.stack);
  expect(changes(r.steps)).toEqual([expect.stringMatching(/^update pulumi-nodejs:dynamic:Resource::probe/)]);
  expect(r.outputs.label.value).toBe("second");
});

test("destroy leaves nothing in the stack", async () => {
  await e2e.stack.destroy();
  const left = (await stateResources(e2e.stack)).filter((r) => r.type !== "pulumi:pulumi:Stack");
  expect(left).toEqual([]);
});
