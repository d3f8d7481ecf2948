#!/usr/bin/env bash
# Drift detection and repair for one Pulumi stack. The scheduled workflow (drift-workflow.yaml) and the e2e tests
# run this same script, so what CI does is what the tests prove.
#
#   drift.sh check    pulumi preview --refresh --expect-no-changes
#                     exit 0: no drift; 2: drift (the refreshed state differs from the program); other: failure
#   drift.sh repair   pulumi up --refresh --yes (puts every resource back to what the program declares)
#
# Environment: PULUMI_STACK (required), PROJECT_DIR (the directory of Pulumi.yaml; default: the current one), and
# what the backend, secrets provider and providers need (e.g. PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE or
# PULUMI_ACCESS_TOKEN, PXBACKUP_TOKEN). Under GitHub Actions it also writes `drift=true|false` to $GITHUB_OUTPUT
# and the result to $GITHUB_STEP_SUMMARY.
set -euo pipefail

usage() {
  echo "usage: drift.sh check|repair   (env: PULUMI_STACK, optional PROJECT_DIR)" >&2
  exit 64
}
[ $# -eq 1 ] || usage
: "${PULUMI_STACK:?set PULUMI_STACK to the stack to check, e.g. my-org/kube-backup-quickstart/prod}"
project_dir=${PROJECT_DIR:-.}
[ -f "$project_dir/Pulumi.yaml" ] || { echo "drift.sh: no Pulumi.yaml in $project_dir (set PROJECT_DIR)" >&2; exit 64; }

# --refresh reads every resource back first, so an out-of-band change shows as a diff against the program.
args=(--stack "$PULUMI_STACK" --cwd "$project_dir" --non-interactive --refresh --diff)

summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then echo "$1" >>"$GITHUB_STEP_SUMMARY"; fi
}

case "$1" in
  check)
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    set +e
    pulumi preview "${args[@]}" --expect-no-changes 2>&1 | tee "$log"
    code=${PIPESTATUS[0]}
    set -e
    if [ "$code" -eq 0 ]; then
      drift=false
      echo "drift.sh: no drift in $PULUMI_STACK"
      summary "No drift in \`$PULUMI_STACK\`."
    elif grep -Eq "no changes were expected( for [a-z]+)? but changes were proposed" "$log"; then
      # The CLI exits 255 for every failure; only this message means "preview worked and found changes".
      drift=true
      echo "drift.sh: drift in $PULUMI_STACK (the diff above is what \`drift.sh repair\` would change)" >&2
      summary "Drift in \`$PULUMI_STACK\`: see the check job's log for the diff; the repair job waits for approval."
    else
      echo "drift.sh: pulumi preview failed (exit $code); this is an error, not drift" >&2
      summary "Drift check of \`$PULUMI_STACK\` failed (exit $code)."
      exit "$code"
    fi
    if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "drift=$drift" >>"$GITHUB_OUTPUT"; fi
    [ "$drift" = false ] || exit 2
    ;;
  repair)
    pulumi up "${args[@]}" --yes
    echo "drift.sh: $PULUMI_STACK matches its program again"
    summary "Repaired \`$PULUMI_STACK\` with \`pulumi up --refresh --yes\`."
    ;;
  *)
    usage
    ;;
esac
