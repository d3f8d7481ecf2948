#!/usr/bin/env bash
# Regenerates examples/*/package-lock.json. The examples depend on the published `kube-backup` (the range in their
# package.json), which may not be on the registry yet when a release is being prepared. So the lock is resolved
# against a tarball of this repo's manifest stamped with that version, and the kube-backup entry is then rewritten to
# the registry form of the other entries (name@version, no `resolved` file path) without an integrity hash: there is
# no published tarball to hash yet; npm records it on the first install from the registry. Every other entry is
# exactly what `npm install --package-lock-only` resolved from the registry.
# Usage: bash tools/examples/relock.sh [example ...]   (needs the npm registry; installs nothing into the repo)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

examples=("$@")
[ ${#examples[@]} -gt 0 ] || examples=($(cd examples && for d in */; do [ -f "$d/package.json" ] && echo "${d%/}"; done))

# The version the examples ask for: the lowest version their ranges accept (they all use the same range).
range=$(node -p 'require("./examples/'"${examples[0]}"'/package.json").dependencies["kube-backup"]')
version=$(node -p 'process.argv[1].replace(/^[\^~]/, "")' "$range")

# Only the manifest matters for the lock (dependencies, peerDependencies, engines), so pack just package.json.
mkdir -p "$work/pkg"
node -e '
const pkg = require(process.argv[1]);
pkg.version = process.argv[2];
delete pkg.scripts;
pkg.files = ["package.json"];
require("fs").writeFileSync(process.argv[3], JSON.stringify(pkg, null, 2));
' "$repo/package.json" "$version" "$work/pkg/package.json"
tarball="$work/$(cd "$work" && npm pack --silent --ignore-scripts "$work/pkg")"

for ex in "${examples[@]}"; do
  dir="$work/$ex"
  mkdir -p "$dir"
  node -e '
const pkg = require(process.argv[1]);
pkg.dependencies["kube-backup"] = "file:" + process.argv[2];
require("fs").writeFileSync(process.argv[3], JSON.stringify(pkg, null, 2));
' "$repo/examples/$ex/package.json" "$tarball" "$dir/package.json"
  (cd "$dir" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --silent)
  node -e '
const fs = require("fs");
const [lockFile, pkgFile, out, version] = process.argv.slice(1);
const lock = JSON.parse(fs.readFileSync(lockFile, "utf8"));
const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
lock.name = pkg.name;
lock.packages[""].dependencies["kube-backup"] = pkg.dependencies["kube-backup"];
const entry = lock.packages["node_modules/kube-backup"];
if (!entry || entry.version !== version) throw new Error(`no kube-backup ${version} entry in ${lockFile}`);
// Same form as the other registry entries of this lock: name@version from the configured registry.
delete entry.resolved;
delete entry.integrity;
const stray = JSON.stringify(lock).match(/"file:[^"]*"/);
if (stray) throw new Error(`${lockFile} still points at a local file: ${stray[0]}`);
fs.writeFileSync(out, JSON.stringify(lock, null, 2) + "\n");
' "$dir/package-lock.json" "$repo/examples/$ex/package.json" "$repo/examples/$ex/package-lock.json" "$version"
  echo "relock: examples/$ex/package-lock.json ($(node -p 'Object.keys(require(process.argv[1]).packages).length - 1' "$repo/examples/$ex/package-lock.json") packages, kube-backup $version)"
done
