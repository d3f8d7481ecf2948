// The default images against the fixture that cites their build definitions: every tool the backup script's
// preflight names must come from the default tools image, and the etcd containers' commands from the etcd image.
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_ETCD_IMAGE, DEFAULT_TOOLS_IMAGE } from "../../../components";
import { BACKUP_SCRIPT } from "../../../components/scripts";

interface ImageEntry {
    image: string;
    buildDefinition: string;
    digest: string | null;
    tools: Record<string, string>;
    absent: Record<string, string>;
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "../../fixtures/images.json"), "utf8")) as Record<
    string,
    ImageEntry
>;

/** Every tool the preflight can check: the words of each `need="..."` assignment, without "$need" and "$1". */
function preflightTools(): string[] {
    const words = new Set<string>();
    for (const m of BACKUP_SCRIPT.matchAll(/need="([^"]*)"/g))
        for (const w of m[1].split(/\s+/)) if (w && !w.startsWith("$")) words.add(w);
    return [...words].sort();
}

test("the fixture describes the default images, by tag, with their build definitions", () => {
    expect(fixture.tools.image).toBe(DEFAULT_TOOLS_IMAGE);
    expect(fixture.etcd.image).toBe(DEFAULT_ETCD_IMAGE);
    for (const e of [fixture.tools, fixture.etcd]) {
        const tag = e.image.split(":").pop()!;
        expect(e.buildDefinition).toMatch(
            new RegExp(`^https://github.com/.+/blob/v?${tag.replace(/^v/, "")}/Dockerfile$`),
        );
    }
});

test("every tool the preflight names is in the default tools image, except zstd (rejected at preview)", () => {
    const tools = preflightTools();
    expect(tools).toEqual(expect.arrayContaining(["rclone", "sha256sum", "tar", "gzip", "awk", "od", "zstd"]));
    for (const t of tools) {
        if (t === "zstd") {
            expect(fixture.tools.absent.zstd).toMatch(/rejected at preview/);
            continue;
        }
        expect([t, fixture.tools.tools[t]]).toEqual([t, expect.stringMatching(/\S/)]);
    }
    // The optional tools the script probes for are listed as absent, so nothing depends on them.
    for (const t of ["openssl"]) expect(BACKUP_SCRIPT).toContain(`command -v ${t}`);
    expect(Object.keys(fixture.tools.absent)).toEqual(expect.arrayContaining(["openssl", "zstd"]));
});

test("the toolchain builds rclone at exactly the default image's version", () => {
    const sh = fs.readFileSync(path.join(__dirname, "../../../tools/toolchain.sh"), "utf8");
    const v = /^RCLONE_VERSION=(\S+)/m.exec(sh)![1];
    expect(DEFAULT_TOOLS_IMAGE).toBe(`docker.io/rclone/rclone:${v}`);
});

test("the etcd containers only run tools of the etcd image", async () => {
    const { reset, settle, plain } = await import("./mocks");
    const c = await import("../../../components");
    reset();
    new c.EtcdBackupSchedule("e", {
        schedule: "0 * * * *",
        certificates: { secretName: "etcd-client" },
        storage: { bucket: { bucket: "etcd-backups" } },
    });
    const cj = (await settle()).find((r) => r.type === "kubernetes:batch/v1:CronJob")!;
    const pod = plain(cj.inputs).spec.jobTemplate.spec.template.spec;
    for (const ic of pod.initContainers) {
        expect(ic.image).toBe(DEFAULT_ETCD_IMAGE);
        expect(fixture.etcd.tools[ic.command[0]]).toMatch(/\S/);
    }
    expect(pod.containers[0].image).toBe(DEFAULT_TOOLS_IMAGE);
    expect(pod.containers[0].command[0]).toBe("/bin/sh");
});
