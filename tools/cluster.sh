#!/usr/bin/env bash
# Starts the local Kubernetes control plane the tests use (etcd + kube-apiserver + kube-controller-manager on
# loopback; without --node no kubelet: Pods are created but never run) for manual exploration, writes its admin
# kubeconfig and keeps it running until Ctrl-C. With --node a local node joins (containerd, runc, kubelet,
# kube-scheduler; needs root) and Pods run. Builds the binaries first if needed (tools/toolchain.sh).
# Usage: tools/cluster.sh [--node] [KUBECONFIG_OUT]   (default: ${TMPDIR:-/tmp}/kube-backup-cluster.kubeconfig)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node=false
if [ "${1:-}" = --node ]; then node=true; shift; fi
out=$(realpath -m "${1:-${TMPDIR:-/tmp}/kube-backup-cluster.kubeconfig}")
export TS_NODE_PROJECT=tools/tsconfig.json TS_NODE_TRANSPILE_ONLY=true KUBE_BACKUP_KUBECONFIG_OUT=$out KUBE_BACKUP_NODE=$node
exec node -r ts-node/register -e '
const fs = require("fs");
const { startCluster } = require("./tools/local/cluster");
(async () => {
  const cluster = await startCluster({ node: process.env.KUBE_BACKUP_NODE === "true" });
  fs.writeFileSync(process.env.KUBE_BACKUP_KUBECONFIG_OUT, cluster.kubeconfig, { mode: 0o600 });
  console.log(`API server ${cluster.server} is up.`);
  console.log(`  export KUBECONFIG=${process.env.KUBE_BACKUP_KUBECONFIG_OUT}`);
  console.log(`  logs and certificates: ${cluster.dir}`);
  if (cluster.node) console.log(`  node ${cluster.node.name} (pods reach this host at ${cluster.node.hostIp}); logs: ${cluster.node.logDir}`);
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
