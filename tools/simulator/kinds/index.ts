// One table describing every PX-Backup object kind the simulator serves: its routes (contract operationIds),
// wire keys, references, secret fields, validation, update semantics and asynchronous lifecycle (one module
// per kind). The generic handlers in api.ts do the rest, so adding a kind means adding one entry here.
import { KindName } from "../store";
import { KindSpec } from "./spec";
import { schedulePolicy } from "./schedule-policy";
import { cloudCredential } from "./cloud-credential";
import { backupLocation } from "./backup-location";
import { cluster } from "./cluster";
import { rule } from "./rule";
import { backupSchedule } from "./backup-schedule";
import { backup } from "./backup";
import { restore } from "./restore";

export * from "./spec";
export { rejectBulk, runSchedule } from "./backup-schedule";

export const KINDS: KindSpec[] = [
    schedulePolicy,
    cloudCredential,
    backupLocation,
    cluster,
    rule,
    backupSchedule,
    backup,
    restore,
];
export const KIND_BY_NAME = new Map<KindName, KindSpec>(KINDS.map((k) => [k.kind, k]));
export function kindSpec(kind: KindName): KindSpec {
    return KIND_BY_NAME.get(kind)!;
}
