// Public barrel of the PX-Backup provider: resources, functions, and the types their signatures use (a function's
// connection is a PxBackupClient or ConnectionSettings; failures are PxBackupErrors). Tests and tools import
// internals by relative path.
export * from "./resources";
export * from "./functions";
export { PxBackupClient } from "./client";
export { PxBackupError } from "./errors";
export type { ConnectionSettings } from "./settings";
