#!/usr/bin/env bash
# Runs a command with one of the toolchain's Node builds first on PATH, so the program, the Pulumi language host
# and every child process run the Node the suite is proven on, whatever Node ran npm.
# Usage: tools/with-node.sh [--floor] COMMAND [ARGS...]   (--floor: the oldest Node package.json claims)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
part=node var=NODE_VERSION
if [ "${1:-}" = --floor ]; then part=node-floor var=NODE_FLOOR_VERSION; shift; fi
version=$(sed -n "s/^$var=\([0-9.]*\).*/\1/p" "$here/toolchain.sh")
dir=${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}/$part-$version/node-bin
[ -x "$dir/node" ] || bash "$here/toolchain.sh" "$part" >&2
PATH=$dir:$PATH exec "$@"
