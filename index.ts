// kube-backup: PX-Backup resources (provider/) and Kubernetes backup components (components/).
export * from "./provider";
export * from "./components";
