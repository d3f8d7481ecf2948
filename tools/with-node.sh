#!/usr/bin/env bash
# Runs a command with the toolchain's Node (tools/toolchain.sh part `node`) first on PATH, so the program, the
# Pulumi language host and every child process run the Node the suite is proven on, whatever Node ran npm.
# Usage: tools/with-node.sh COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=$(sed -n 's/^NODE_VERSION=\([0-9.]*\).*/\1/p' "$here/toolchain.sh")
dir=${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}/node-$version/node-bin
[ -x "$dir/node" ] || bash "$here/toolchain.sh" node >&2
PATH=$dir:$PATH exec "$@"
