#!/usr/bin/env bash
# Builds the tools the integration and e2e tiers run, from package registries only (Go module proxy, PyPI,
# npm's node_modules), into a cache outside the repo:
#   ${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}/<part>-<version>/   one directory per part and version
#   .../bin/                                                            stable symlinks to every tool
#   .../build-times.log                                                 one line per cold build (s, MB)
# Usage: test/e2e/toolchain.sh [etcd|aws|minio|pulumi|kubernetes|k8s-provider|all ...]   (no args = all)
# A part is rebuilt only when its directory is missing; `flock` makes concurrent callers wait for one build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}
BIN=$CACHE/bin

# Versions. Pulumi must equal the @pulumi/pulumi devDependency; the k8s provider follows @pulumi/kubernetes.
ETCD_VERSION=3.6.16
AWSCLI_VERSION=1.46.3
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c   # master HEAD; MinIO tags are not semver
KUBE_VERSION=1.36.3
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

gomod_of() { go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])'; }

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

build_aws() {
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    command -v apt-get >/dev/null || die "python3 has no venv/ensurepip and apt-get is missing: install python3-venv"
    run apt-get install -y python3-venv
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

# ---------------------------------------------------------------------------------------------------------------

part_version() {
  case $1 in
    etcd) echo "$ETCD_VERSION" ;;
    aws) echo "$AWSCLI_VERSION" ;;
    minio) echo "$MINIO_VERSION" ;;
    kubernetes) echo "$KUBE_VERSION" ;;
    pulumi) echo "$PULUMI_VERSION" ;;
    k8s-provider) k8s_provider_version ;;
    *) die "unknown part '$1' (parts: etcd aws minio pulumi kubernetes k8s-provider all)" ;;
  esac
}

# ensure PART: builds the part under a lock unless its directory exists, then refreshes its bin/ symlinks.
ensure() {
  local part=$1 version dir
  version=$(part_version "$part")
  dir=$CACHE/$part-$version
  mkdir -p "$CACHE/locks" "$CACHE/logs" "$BIN"
  exec {lockfd}>"$CACHE/locks/$part.lock"
  flock "$lockfd"
  if [ -d "$dir" ]; then
    echo "$part $version: cached" >>"$SUMMARY"
  else
    local start=$SECONDS
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
  fi
  local f
  for f in "$dir"/bin/*; do
    ln -sfn "$f" "$BIN/$(basename "$f")"
  done
  flock -u "$lockfd"
  exec {lockfd}>&-
}

ALL=(etcd aws minio pulumi kubernetes k8s-provider)
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(all)
expanded=()
for p in "${parts[@]}"; do
  if [ "$p" = all ]; then expanded+=("${ALL[@]}"); else expanded+=("$p"); fi
done

command -v go >/dev/null || die "go is not on PATH"
SUMMARY=$(mktemp)
trap 'rm -f "$SUMMARY"' EXIT
for p in "${expanded[@]}"; do
  ensure "$p"
done
sed 's/^/toolchain: /' "$SUMMARY"
echo "toolchain: binaries in $BIN"
