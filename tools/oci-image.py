#!/usr/bin/env python3
"""Writes a one-layer OCI image archive (oci-layout, index.json, blobs/) from local files: no registry, no Docker.

Usage: oci-image.py SPEC.json OUT.tar
SPEC: {"name": "docker.io/x/y:tag",                      # annotated so `ctr images import` names it exactly
       "config": {"Entrypoint": [...], "Cmd": [...], "Env": [...], "WorkingDir": "/", "User": "0"},
       "dirs": [["tmp", 1777], ...], "files": [["usr/local/bin/x", "/src/x", 755], ...],
       "symlinks": [["bin/sh", "busybox"], ...]}        # modes are octal digits written as numbers
The layer is an uncompressed tar, owned by root, every mtime 0, entries sorted: the same inputs give the same digest.
"""
import hashlib
import io
import json
import sys
import tarfile


def octal(mode):
    return int(str(mode), 8)


def layer(spec):
    entries = {}
    for path, mode in spec.get("dirs", []):
        entries[path] = ("dir", octal(mode), None)
    for path, src, mode in spec.get("files", []):
        entries[path] = ("file", octal(mode), src)
    for path, target in spec.get("symlinks", []):
        entries[path] = ("link", 0o777, target)
    # every parent directory exists in the layer, 0755 unless listed
    for path in list(entries):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            entries.setdefault("/".join(parts[:i]), ("dir", 0o755, None))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(entries):
            kind, mode, arg = entries[path]
            info = tarfile.TarInfo(path)
            info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = mode, 0, 0, 0, "root", "root"
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, arg
                tar.addfile(info)
            else:
                with open(arg, "rb") as f:
                    data = f.read()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    blobs = {}

    def blob(data, media_type):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def js(obj):
        return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()

    tar_bytes = layer(spec)
    layer_desc = blob(tar_bytes, "application/vnd.oci.image.layer.v1.tar")
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": spec.get("config", {}),
        "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]},
        "history": [{"created_by": "tools/oci-image.py", "created": "1970-01-01T00:00:00Z"}],
        "created": "1970-01-01T00:00:00Z",
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": blob(js(config), "application/vnd.oci.image.config.v1+json"),
        "layers": [layer_desc],
    }
    manifest_desc = blob(js(manifest), manifest["mediaType"])
    name = spec["name"]
    manifest_desc["platform"] = {"architecture": "amd64", "os": "linux"}
    manifest_desc["annotations"] = {
        "io.containerd.image.name": name,
        "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1],
    }
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [manifest_desc]}
    with tarfile.open(sys.argv[2], "w", format=tarfile.PAX_FORMAT) as out:

        def add(path, data):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            out.addfile(info, io.BytesIO(data))

        add("oci-layout", js({"imageLayoutVersion": "1.0.0"}))
        add("index.json", js(index))
        for digest, data in sorted(blobs.items()):
            add("blobs/sha256/" + digest.split(":", 1)[1], data)
    print(name, manifest_desc["digest"])


main()
