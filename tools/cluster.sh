#!/usr/bin/env bash
# Starts the local Kubernetes control plane the tests use (etcd + kube-apiserver + kube-controller-manager on
# loopback, no kubelet: Pods are created but never run) for manual exploration, writes its admin kubeconfig and
# keeps it running until Ctrl-C. Builds the binaries first if needed (tools/toolchain.sh).
# Usage: tools/cluster.sh [KUBECONFIG_OUT]   (default: ${TMPDIR:-/tmp}/kube-backup-cluster.kubeconfig)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(realpath -m "${1:-${TMPDIR:-/tmp}/kube-backup-cluster.kubeconfig}")
export TS_NODE_PROJECT=tools/tsconfig.json TS_NODE_TRANSPILE_ONLY=true KUBE_BACKUP_KUBECONFIG_OUT=$out
exec node -r ts-node/register -e '
const fs = require("fs");
const { startCluster } = require("./tools/local/cluster");
(async () => {
  const cluster = await startCluster();
  fs.writeFileSync(process.env.KUBE_BACKUP_KUBECONFIG_OUT, cluster.kubeconfig, { mode: 0o600 });
  console.log(`API server ${cluster.server} is up.`);
  console.log(`  export KUBECONFIG=${process.env.KUBE_BACKUP_KUBECONFIG_OUT}`);
  console.log(`  logs and certificates: ${cluster.dir}`);
  console.log("Ctrl-C stops it.");
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    fs.rmSync(process.env.KUBE_BACKUP_KUBECONFIG_OUT, { force: true });
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  setInterval(() => {}, 1 << 30);
})().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
'
