// Public barrel of the PX-Backup provider: resources, functions, and the pieces tests and tools reuse.
export * from "./resources";
export * from "./functions";
export { PxBackupClient, normaliseBaseUrl } from "./client";
export { PxBackupError } from "./errors";
export { ConnectionSettings, SETTINGS as CONNECTION_SETTINGS, resolveSettings, settingsFromEnv } from "./settings";
export { KINDS, KindName } from "./kinds";
