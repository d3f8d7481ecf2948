// The declarative table of PX-Backup object kinds. Each kind (one module under kinds/) is data: its inputs
// (with wire names, immutability, secrets), its server-reported outputs, its API paths and envelope keys, its
// async states, and hooks for the operations its API does differently. The generic machinery
// (machinery.ts) does check/diff/create/read/update/delete for all of them.
import { BACKUP } from "./kinds/backup";
import { BACKUP_LOCATION } from "./kinds/backup-location";
import { BACKUP_SCHEDULE } from "./kinds/backup-schedule";
import { CLOUD_CREDENTIAL } from "./kinds/cloud-credential";
import { CLUSTER } from "./kinds/cluster";
import { RESTORE } from "./kinds/restore";
import { RULE } from "./kinds/rule";
import { SCHEDULE_POLICY } from "./kinds/schedule-policy";
import type { KindName, KindSpec } from "./kinds/spec";

export type { Identity, KindContext, KindHooks, KindName, KindSpec, ReadyStates } from "./kinds/spec";
export { DEFAULT_DELETE_TIMEOUT_SECONDS, OPTION_FIELDS, REF, REPLACE_OPT_IN, metadataFields } from "./kinds/common";

export const KINDS: Record<KindName, KindSpec> = {
    BackupSchedule: BACKUP_SCHEDULE,
    Backup: BACKUP,
    SchedulePolicy: SCHEDULE_POLICY,
    BackupLocation: BACKUP_LOCATION,
    CloudCredential: CLOUD_CREDENTIAL,
    Cluster: CLUSTER,
    Rule: RULE,
    Restore: RESTORE,
};

export function kindSpec(name: string): KindSpec {
    const k = (KINDS as Record<string, KindSpec | undefined>)[name];
    if (!k) throw new Error(`unknown PX-Backup kind ${name}`);
    return k;
}
