#!/usr/bin/env bash
# Prepares the floor workspace: a copy of this checkout's tracked files in the toolchain cache whose node_modules
# holds the other end of each peer range from the one node_modules holds (@pulumi/pulumi and @pulumi/aws at the
# oldest release the range claims, @pulumi/kubernetes at the newest), so the two test runs prove both ends. node_modules is reinstalled only when package.json or the
# lock file changed. Prints the workspace path.
# Usage: tools/floor-workspace.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${KUBE_BACKUP_CACHE:-$HOME/.cache/kube-backup}
PULUMI_FLOOR=3.248.0
KUBERNETES_CEILING=4.34.2
AWS_FLOOR=7.2.0
work=$CACHE/floor-workspace
key=$(cat "$ROOT/package.json" "$ROOT/package-lock.json" | sha256sum | cut -c1-16)-$PULUMI_FLOOR-$KUBERNETES_CEILING-$AWS_FLOOR-r2

mkdir -p "$work"
# Everything but node_modules is replaced by the checkout's current files.
find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .install-key -exec rm -rf {} +
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$work"
if [ "$(cat "$work/.install-key" 2>/dev/null)" != "$key" ]; then
  echo "floor-workspace: installing @pulumi/pulumi@$PULUMI_FLOOR @pulumi/kubernetes@$KUBERNETES_CEILING @pulumi/aws@$AWS_FLOOR" >&2
  rm -rf "$work/node_modules"
  # The locked tree first, then the other ends of the peer ranges over it; package.json and the lock file stay
  # as in the checkout (the schema generator reads the devDependency versions).
  (cd "$work" && npm install --no-audit --no-fund --loglevel=error >&2 &&
    npm install --no-save --no-audit --no-fund --loglevel=error "@pulumi/pulumi@$PULUMI_FLOOR" \
      "@pulumi/kubernetes@$KUBERNETES_CEILING" "@pulumi/aws@$AWS_FLOOR" >&2)
  echo "$key" >"$work/.install-key"
fi
(cd "$work" && node -e '
const want = { "@pulumi/pulumi": process.argv[1], "@pulumi/kubernetes": process.argv[2], "@pulumi/aws": process.argv[3] };
for (const [p, v] of Object.entries(want)) {
  const got = require(p + "/package.json").version;
  if (got !== v) { console.error(`floor-workspace: ${p} is ${got}, expected ${v}`); process.exit(1); }
}' "$PULUMI_FLOOR" "$KUBERNETES_CEILING" "$AWS_FLOOR")
echo "$work"
