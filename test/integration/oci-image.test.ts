// tools/oci-image.py, which writes the local node's images: an OCI archive `ctr images import` names exactly,
// with a layer that is the same bytes for the same inputs (root-owned entries, mtime 0, sorted).
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { makeTempDir } from "../../tools/local/processes";

const script = path.join(__dirname, "../../tools/oci-image.py");
let dir: string;

beforeAll(() => {
    dir = makeTempDir("oci-image");
    fs.writeFileSync(path.join(dir, "tool"), "#!/bin/sh\necho tool\n");
    fs.writeFileSync(
        path.join(dir, "spec.json"),
        JSON.stringify({
            name: "docker.io/example/tool:1.2.3",
            config: { Entrypoint: ["tool"], Env: ["PATH=/usr/local/bin:/bin"] },
            dirs: [["tmp", 1777]],
            files: [["usr/local/bin/tool", path.join(dir, "tool"), 755]],
            symlinks: [["bin/tool", "/usr/local/bin/tool"]],
        }),
    );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const build = (out: string) =>
    execFileSync("python3", [script, path.join(dir, "spec.json"), out], { encoding: "utf8" });
const members = (tarFile: string) => execFileSync("tar", ["-tvf", tarFile], { encoding: "utf8" }).trim().split("\n");

test("the same inputs give the same archive, whose index names the image for ctr", () => {
    const printed = build(path.join(dir, "a.tar"));
    fs.utimesSync(path.join(dir, "tool"), new Date(), new Date()); // mtimes of the inputs do not matter
    build(path.join(dir, "b.tar"));
    const [a, b] = ["a.tar", "b.tar"].map((f) => fs.readFileSync(path.join(dir, f)));
    expect(crypto.createHash("sha256").update(a).digest("hex")).toBe(
        crypto.createHash("sha256").update(b).digest("hex"),
    );
    const x = path.join(dir, "x");
    fs.mkdirSync(x);
    execFileSync("tar", ["-xf", path.join(dir, "a.tar"), "-C", x]);
    expect(JSON.parse(fs.readFileSync(path.join(x, "oci-layout"), "utf8"))).toEqual({ imageLayoutVersion: "1.0.0" });
    const index = JSON.parse(fs.readFileSync(path.join(x, "index.json"), "utf8"));
    expect(index.manifests).toHaveLength(1);
    const m = index.manifests[0];
    expect(m.annotations["io.containerd.image.name"]).toBe("docker.io/example/tool:1.2.3");
    expect(m.platform).toEqual({ architecture: "amd64", os: "linux" });
    expect(printed.trim()).toBe(`docker.io/example/tool:1.2.3 ${m.digest}`);

    const blob = (d: string) => fs.readFileSync(path.join(x, "blobs", "sha256", d.replace("sha256:", "")));
    const manifest = JSON.parse(blob(m.digest).toString());
    const config = JSON.parse(blob(manifest.config.digest).toString());
    expect(config.config.Entrypoint).toEqual(["tool"]);
    // The layer is uncompressed, so its digest is its diff ID.
    expect(config.rootfs.diff_ids).toEqual([manifest.layers[0].digest]);
    const layer = path.join(x, "blobs", "sha256", manifest.layers[0].digest.replace("sha256:", ""));
    const entries = members(layer);
    expect(entries.map((l) => l.split(/\s+/).slice(5).join(" "))).toEqual([
        "bin/",
        "bin/tool -> /usr/local/bin/tool",
        "tmp/",
        "usr/",
        "usr/local/",
        "usr/local/bin/",
        "usr/local/bin/tool",
    ]);
    for (const l of entries) expect(l).toMatch(/^\S+ root\/root .* 1970-01-01 00:00 /);
    expect(entries.find((l) => l.endsWith(" tmp/"))).toMatch(/^drwxrwxrwt /);
    expect(entries.find((l) => l.endsWith(" usr/local/bin/tool"))).toMatch(/^-rwxr-xr-x /);
});
