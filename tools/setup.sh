#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh Debian machine: system packages, the toolchain built from
# package registries (cached outside the repo, keyed by version; see tools/toolchain.sh) and the compiled library
# and tools. Idempotent and quiet when warm.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(openssl python3-venv zstd ca-certificates iproute2 libseccomp2)   # iproute2, libseccomp2: the local node (ip, runc)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash tools/toolchain.sh all
npx tsc -p tsconfig.json
npx tsc -p tools/tsconfig.json
