#!/usr/bin/env bash
# `npm test`: set-up, lint and type checks, then
#   1. every tier (unit, integration, e2e) on the toolchain's current Node with node_modules as locked
#      (the newest @pulumi/pulumi the peer range claims, and the Pulumi CLI of the same release);
#   2. the unit and integration tiers on the oldest Node package.json claims, in the floor workspace
#      (tools/floor-workspace.sh: the oldest @pulumi/pulumi and the newest @pulumi/kubernetes of the peer ranges);
# and ends with one line over both runs: `N passed, N failed, N skipped`.
# KUBE_BACKUP_TEST_RUNS=current (or floor) runs one of the two; extra arguments go to jest (e.g. a test path).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
runs=${KUBE_BACKUP_TEST_RUNS:-current floor}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
step() { echo; echo "=== $* ==="; }

step "set-up (tools/setup.sh)"
bash tools/setup.sh || exit 1
step "lint and type checks"
npm run --silent lint || status=1
npm run --silent typecheck || status=1

for run in $runs; do
  case $run in
    current)
      step "all tiers on Node $(bash tools/with-node.sh node --version)"
      bash tools/with-node.sh node node_modules/jest/bin/jest.js --runInBand \
        --json --outputFile="$results/current.json" "$@" || status=1
      ;;
    floor)
      work=$(bash tools/floor-workspace.sh) || { status=1; continue; }
      step "unit and integration tiers on Node $(bash tools/with-node.sh --floor node --version), floor workspace $work"
      (cd "$work" && npx tsc -p tsconfig.json &&
        bash tools/with-node.sh --floor node node_modules/jest/bin/jest.js --runInBand \
          --selectProjects unit integration --json --outputFile="$results/floor.json" "$@") || status=1
      ;;
    *) echo "test.sh: unknown run '$run' (runs: current floor)" >&2; exit 2 ;;
  esac
done

step "summary (tools/test.sh took $((SECONDS / 60)) min $((SECONDS % 60)) s)"
node tools/test-summary.js $(for r in $runs; do echo "$results/$r.json"; done) || status=1
exit $status
