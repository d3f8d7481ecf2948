// One table describing every PX-Backup object kind the simulator serves: its routes (contract operationIds),
// wire keys, references, secret fields, validation, update semantics and asynchronous lifecycle. The generic
// handlers in api.ts do the rest, so adding a kind means adding one entry here.
import * as crypto from "crypto";
import { ApiError, Code, invalid } from "./errors";
import { timestamp } from "./contract";
import { Caller } from "./auth";
import { KindName, StoredObject, Store, Wire } from "./store";

/** Delays (ms) of the asynchronous states. -1 (or Infinity) = stays in that state until settled. */
export interface Delays {
  /** Backup: Pending → InProgress. */
  backupPending: number;
  /** Backup: InProgress → outcome (Success by default). */
  backupInProgress: number;
  /** Backup, schedule, location, cluster: DeletePending → next step (gone, or Deleting for backups). */
  deletePending: number;
  /** Backup: Deleting → gone. */
  backupDeleting: number;
  /** Cluster: Pending → Online. */
  clusterPending: number;
  /** Backup location: ValidationInProgress → Valid. */
  locationValidation: number;
}

export const ZERO_DELAYS: Delays = {
  backupPending: 0,
  backupInProgress: 0,
  deletePending: 0,
  backupDeleting: 0,
  clusterPending: 0,
  locationValidation: 0,
};

export interface Outcome {
  status: string;
  reason?: string;
}

/** Final states of asynchronous work; `byName` overrides the default for one object name. */
export interface Outcomes {
  backup: Outcome;
  backupLocation: Outcome;
  cluster: Outcome;
  byName: Record<string, Outcome>;
}

export const DEFAULT_OUTCOMES: Outcomes = {
  backup: { status: "Success" },
  backupLocation: { status: "Valid" },
  cluster: { status: "Online" },
  byName: {},
};

export interface Ctx {
  store: Store;
  caller: Caller;
  delays: Delays;
  outcomes: Outcomes;
  now: () => number;
  /** A new (or resumed) schedule runs its first backup at once. */
  runSchedules: boolean;
}

export interface RefSpec {
  /** Field of the info block holding the ObjectRef. */
  field: string;
  kind: KindName;
  required?: boolean;
  /** Deprecated plain-string twin (`cluster`, `backup_location`, ...) the server keeps equal to the name. */
  twin?: string;
}

export interface KindSpec {
  kind: KindName;
  /** Human name used in server messages ("backup schedule"). */
  label: string;
  ops: { create: string; update: string; enumerate: string; enumeratePost?: string; inspect: string; delete: string; ownership?: string };
  /** Key of the object in create/inspect responses. */
  responseKey: string;
  /** Key of the list in enumerate responses. */
  listKey: string;
  /** Key of the info block inside the object. */
  infoKey: string;
  /** Contract definition of the object (`BackupScheduleObject`, ...). */
  objectDef: string;
  /** Enumerate supports max_objects/object_index/total_count/complete. */
  paginated: boolean;
  refs: RefSpec[];
  /** Dotted paths inside the info block returned only with include_secrets=true. */
  secrets: string[];
  /** Object names must be RFC 1123 subdomains (they become Kubernetes CR names). */
  dnsName?: boolean;
  /** Active objects of this kind prevent deletion of what they reference. */
  blocksReferencedDeletion?: boolean;
  /** Info block from a decoded create request. */
  build(req: Wire): Wire;
  /** Server-side validation of a built info block (create and update). */
  validate?(info: Wire): void;
  /** Applies a decoded update request to the object (refs are resolved afterwards). */
  update(obj: StoredObject, req: Wire, ctx: Ctx): void;
  /** After create (refs resolved): set server-managed fields and queue async transitions. */
  created?(obj: StoredObject, ctx: Ctx): void;
  /** Accepts a delete: return "now" to remove at once, or queue transitions ending in "remove". */
  deleted(obj: StoredObject, ctx: Ctx): "now" | void;
  /** Status name used by status filters. */
  status?(obj: StoredObject): string | undefined;
  /** Computed fields added to the rendered info block. */
  render?(obj: StoredObject, info: Wire, ctx: Ctx): void;
  /** Suffix of the already-exists message. */
  existsSuffix?(obj: StoredObject): string;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkName(spec: KindSpec, name: string | undefined): void {
  if (!name) throw invalid(`${spec.label} name (metadata.name) is required`);
  if (spec.dnsName && (name.length > 253 || !DNS1123.test(name))) {
    throw invalid(`invalid ${spec.label} name "${name}": must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.'; start and end alphanumeric; at most 253 characters)`);
  }
}

const isEmptyRef = (ref: Wire | undefined) => !ref || (!ref.name && !ref.uid);
const isSet = (v: unknown) =>
  v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0) && !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

function without(obj: Wire | undefined, ...keys: string[]): Wire {
  const out: Wire = { ...(obj ?? {}) };
  for (const k of keys) delete out[k];
  return out;
}

/** Replaces labels and (when given) ownership groups/collaborators/public; the owner never changes. */
export function applyMetadataUpdate(obj: StoredObject, meta: Wire | undefined, mergeLabels = false): void {
  if (!mergeLabels || isSet(meta?.labels)) obj.metadata.labels = meta?.labels ?? {};
  if (meta?.ownership) obj.metadata.ownership = { ...meta.ownership, owner: obj.metadata.ownership?.owner };
}

export function getPath(obj: Wire, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Wire)[key] : undefined), obj);
}

function setPath(obj: Wire, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let node = obj;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {});
  node[parts[parts.length - 1]] = value;
}

/** An update that leaves a secret empty keeps the stored one (clients cannot read secrets back by default). */
function keepSecrets(spec: KindSpec, before: Wire, after: Wire): void {
  for (const p of spec.secrets) {
    if (!getPath(after, p) && getPath(before, p)) setPath(after, p, getPath(before, p));
  }
}

function outcomeFor(ctx: Ctx, obj: StoredObject, fallback: Outcome): Outcome {
  return ctx.outcomes.byName[obj.metadata.name] ?? fallback;
}

/** DeletePending for `delays.deletePending`, then gone. */
function pendingDelete(statusField: (obj: StoredObject) => void) {
  return (obj: StoredObject, ctx: Ctx) => {
    statusField(obj);
    ctx.store.schedule(obj, [[ctx.delays.deletePending, () => "remove"]]);
  };
}

// ---------------------------------------------------------------------------------------------------------
// Schedule policy

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const KITCHEN = /^(1[0-2]|0?[1-9]):[0-5][0-9]\s?(AM|PM|am|pm)$/;

function validatePolicy(info: Wire): void {
  const kinds = ["interval", "daily", "weekly", "monthly"].filter((k) => isSet(info[k]));
  if (kinds.length === 0) throw invalid("schedule policy needs one of interval, daily, weekly or monthly");
  if (info.interval && !(Number(info.interval.minutes) >= 1)) throw invalid("schedule_policy.interval.minutes must be at least 1");
  for (const k of ["daily", "weekly", "monthly"]) {
    const time = info[k]?.time;
    if (info[k] && !info[k].relative_monthly_policy && !info[k].selective_monthly_policy && !KITCHEN.test(time ?? "")) {
      throw invalid(`schedule_policy.${k}.time "${time ?? ""}" must be a 12-hour time like 2:00AM`);
    }
  }
  if (info.weekly) {
    const days = String(info.weekly.day ?? "").split(",").map((d) => d.trim().toLowerCase());
    if (!days.every((d) => WEEKDAYS.includes(d))) throw invalid(`schedule_policy.weekly.day "${info.weekly.day ?? ""}" must be weekday names like Sunday or sun`);
  }
  if (info.monthly && info.monthly.date !== undefined) {
    const date = Number(info.monthly.date);
    if (!(date >= 1 && date <= 31)) throw invalid("schedule_policy.monthly.date must be between 1 and 31");
  }
  for (const k of kinds) {
    if (Number(info[k].retain ?? 0) < 0) throw invalid(`schedule_policy.${k}.retain must not be negative`);
  }
}

const schedulePolicy: KindSpec = {
  kind: "schedulepolicy",
  label: "schedule policy",
  ops: {
    create: "SchedulePolicy_Create",
    update: "SchedulePolicy_Update",
    enumerate: "SchedulePolicy_Enumerate",
    inspect: "SchedulePolicy_Inspect",
    delete: "SchedulePolicy_Delete",
    ownership: "SchedulePolicy_UpdateOwnership",
  },
  responseKey: "schedule_policy",
  listKey: "schedule_policies",
  infoKey: "schedule_policy_info",
  objectDef: "SchedulePolicyObject",
  paginated: false,
  refs: [],
  secrets: [],
  build: (req) => without(req.schedule_policy, "backup_schedule"),
  validate: validatePolicy,
  update(obj, req) {
    const info = without(req.schedule_policy, "backup_schedule");
    validatePolicy(info);
    obj.info = info;
    applyMetadataUpdate(obj, req.metadata);
  },
  deleted: () => "now",
  render(obj, info, ctx) {
    // Server-maintained: names of the schedules that use this policy.
    info.backup_schedule = ctx.store
      .list("backupschedule", obj.metadata.org_id)
      .filter((s) => s.info.schedule_policy_ref?.uid === obj.metadata.uid)
      .map((s) => s.metadata.name);
  },
};

// ---------------------------------------------------------------------------------------------------------
// Cloud credential

const CREDENTIAL_CONFIG: Record<string, [block: string, required: string[]]> = {
  AWS: ["aws_config", ["access_key", "secret_key"]],
  Azure: ["azure_config", ["account_name", "account_key"]],
  Google: ["google_config", ["project_id", "json_key"]],
  IBM: ["ibm_config", ["api_key"]],
  Rancher: ["rancher_config", ["endpoint", "token"]],
};

function validateCredential(info: Wire): void {
  const config = CREDENTIAL_CONFIG[info.type];
  if (!config) throw invalid(`cloud_credential.type must be one of ${Object.keys(CREDENTIAL_CONFIG).join(", ")}`);
  const [block, required] = config;
  for (const field of required) {
    if (!info[block]?.[field]) throw invalid(`cloud_credential.${block}.${field} is required for type ${info.type}`);
  }
}

const cloudCredential: KindSpec = {
  kind: "cloudcredential",
  label: "cloud credential",
  ops: {
    create: "CloudCredential_Create",
    update: "CloudCredential_Update",
    enumerate: "CloudCredential_Enumerate",
    inspect: "CloudCredential_Inspect",
    delete: "CloudCredential_Delete",
    ownership: "CloudCredential_UpdateOwnership",
  },
  responseKey: "cloud_credential",
  listKey: "cloud_credentials",
  infoKey: "cloud_credential_info",
  objectDef: "CloudCredentialObject",
  paginated: true,
  refs: [],
  secrets: [
    "aws_config.secret_key",
    "azure_config.account_key",
    "azure_config.client_secret",
    "azure_config.client_id",
    "azure_config.tenant_id",
    "azure_config.subscription_id",
    "google_config.json_key",
    "ibm_config.api_key",
    "rancher_config.token",
  ],
  build: (req) => ({ ...(req.cloud_credential ?? {}) }),
  validate: validateCredential,
  update(obj, req) {
    const info = { ...(req.cloud_credential ?? {}) };
    keepSecrets(cloudCredential, obj.info, info);
    validateCredential(info);
    obj.info = info;
    applyMetadataUpdate(obj, req.metadata);
  },
  deleted: () => "now",
};

// ---------------------------------------------------------------------------------------------------------
// Backup location

const LOCATION_OUTPUT_ONLY = ["status", "object_lock_enabled", "cluster_status", "validation_started_at", "sync_info", "delete_backups"];

function validateLocation(info: Wire): void {
  if (!info.type || info.type === "Invalid") throw invalid("backup_location.type is required (S3, Azure, Google or NFS)");
  if (!info.path) throw invalid("backup_location.path is required");
  if (info.type === "NFS" && !info.nfs_config?.server_addr) throw invalid("backup_location.nfs_config.server_addr is required for NFS");
  if (info.type !== "NFS" && !info.use_workload_identity && isEmptyRef(info.cloud_credential_ref)) {
    throw invalid(`backup_location.cloud_credential_ref is required for type ${info.type}`);
  }
}

function startValidation(obj: StoredObject, ctx: Ctx): void {
  obj.info.status = { status: "ValidationInProgress" };
  obj.info.validation_started_at = timestamp(ctx.now());
  ctx.store.schedule(obj, [
    [
      ctx.delays.locationValidation,
      (o) => {
        const outcome = outcomeFor(ctx, o, ctx.outcomes.backupLocation);
        o.info.status = { status: outcome.status, reason: outcome.reason ?? "" };
      },
    ],
  ]);
}

const backupLocation: KindSpec = {
  kind: "backuplocation",
  label: "backup location",
  ops: {
    create: "BackupLocation_Create",
    update: "BackupLocation_Update",
    enumerate: "BackupLocation_Enumerate",
    inspect: "BackupLocation_Inspect",
    delete: "BackupLocation_Delete",
    ownership: "BackupLocation_UpdateOwnership",
  },
  responseKey: "backup_location",
  listKey: "backup_locations",
  infoKey: "backup_location_info",
  objectDef: "BackupLocationObject",
  paginated: true,
  refs: [{ field: "cloud_credential_ref", kind: "cloudcredential", twin: "cloud_credential" }],
  secrets: ["encryption_key", "s3_config.azure_account_name", "s3_config.azure_subscription_id", "s3_config.google_project_id"],
  blocksReferencedDeletion: true,
  build: (req) => without(req.backup_location, ...LOCATION_OUTPUT_ONLY),
  validate: validateLocation,
  update(obj, req, ctx) {
    const info = without(req.backup_location, ...LOCATION_OUTPUT_ONLY);
    // type and path identify the bucket; the server keeps them (an update may omit them, not change them).
    for (const field of ["type", "path"]) {
      if (info[field] && info[field] !== "Invalid" && info[field] !== obj.info[field]) {
        throw invalid(`backup_location.${field} cannot be changed (is ${JSON.stringify(obj.info[field])})`);
      }
      info[field] = obj.info[field];
    }
    keepSecrets(backupLocation, obj.info, info);
    validateLocation(info);
    obj.info = info;
    applyMetadataUpdate(obj, req.metadata);
    startValidation(obj, ctx);
  },
  created: startValidation,
  deleted: pendingDelete((o) => (o.info.status = { status: "DeletePending" })),
  status: (o) => o.info.status?.status,
};

// ---------------------------------------------------------------------------------------------------------
// Cluster

const CLUSTER_CREATE_FIELDS = ["px_config", "kubeconfig", "cloud_credential", "cloud_credential_ref", "platform_credential_ref", "teleport_cluster_id", "tenant_id", "service_token", "provider"];

function validateCluster(info: Wire): void {
  if (!info.kubeconfig) throw invalid("kubeconfig is required (base64-encoded kubeconfig)");
  const text = Buffer.from(info.kubeconfig, "base64").toString("utf8");
  if (!/^[A-Za-z0-9+/=\s]+$/.test(info.kubeconfig) || !/apiVersion|clusters/.test(text)) {
    throw invalid("kubeconfig must be a base64-encoded kubeconfig");
  }
}

const cluster: KindSpec = {
  kind: "cluster",
  label: "cluster",
  ops: {
    create: "Cluster_Create",
    update: "Cluster_Update",
    enumerate: "Cluster_Enumerate",
    enumeratePost: "Cluster_Enumerate2",
    inspect: "Cluster_Inspect",
    delete: "Cluster_Delete",
  },
  responseKey: "cluster",
  listKey: "clusters",
  infoKey: "clusterInfo",
  objectDef: "ClusterObject",
  paginated: true,
  refs: [
    { field: "cloud_credential_ref", kind: "cloudcredential", twin: "cloud_credential" },
    { field: "platform_credential_ref", kind: "cloudcredential" },
  ],
  secrets: ["kubeconfig", "px_config.access_token", "service_token"],
  blocksReferencedDeletion: true,
  build(req) {
    const info: Wire = {};
    for (const f of CLUSTER_CREATE_FIELDS) if (req[f] !== undefined) info[f] = req[f];
    return info;
  },
  validate: validateCluster,
  update(obj, req) {
    const info: Wire = { ...obj.info, kubeconfig: req.kubeconfig, px_config: req.px_config, cloud_credential_ref: req.cloud_credential_ref, platform_credential_ref: req.platform_credential_ref, cloud_credential: req.cloud_credential };
    keepSecrets(cluster, obj.info, info);
    validateCluster(info);
    obj.info = info;
    applyMetadataUpdate(obj, req.metadata);
  },
  created(obj, ctx) {
    obj.info.status = { status: "Pending" };
    ctx.store.schedule(obj, [
      [
        ctx.delays.clusterPending,
        (o) => {
          const outcome = outcomeFor(ctx, o, ctx.outcomes.cluster);
          o.info.status = { status: outcome.status, reason: outcome.reason ?? "" };
          if (outcome.status === "Online") {
            o.info.stork_version = "25.3.0";
            o.info.k8s_version = "v1.31.4";
          }
        },
      ],
    ]);
  },
  deleted: pendingDelete((o) => (o.info.status = { status: "DeletePending" })),
  status: (o) => o.info.status?.status,
  existsSuffix: (o) => ` with status: ${o.info.status?.status ?? "Pending"}`,
};

// ---------------------------------------------------------------------------------------------------------
// Rule

function validateRule(info: Wire): void {
  const rules: Wire[] = info.rules ?? [];
  if (rules.length === 0) throw invalid("rules_info.rules must contain at least one rule");
  rules.forEach((rule, i) => {
    if (!isSet(rule.pod_selector)) throw invalid(`rules_info.rules[${i}].pod_selector is required`);
    const actions: Wire[] = rule.actions ?? [];
    if (actions.length === 0) throw invalid(`rules_info.rules[${i}].actions must contain at least one action`);
    actions.forEach((a, j) => {
      if (!a.value) throw invalid(`rules_info.rules[${i}].actions[${j}].value is required`);
    });
  });
}

const rule: KindSpec = {
  kind: "rule",
  label: "rule",
  ops: {
    create: "Rules_Create",
    update: "Rules_Update",
    enumerate: "Rules_Enumerate",
    inspect: "Rules_Inspect",
    delete: "Rules_Delete",
    ownership: "Rules_UpdateOwnership",
  },
  responseKey: "rule",
  listKey: "rules",
  infoKey: "rules_info",
  objectDef: "RuleObject",
  paginated: false,
  refs: [],
  secrets: [],
  build: (req) => ({ ...(req.rules_info ?? {}) }),
  validate: validateRule,
  update(obj, req) {
    const info = { ...(req.rules_info ?? {}) };
    validateRule(info);
    obj.info = info;
    applyMetadataUpdate(obj, req.metadata);
  },
  deleted: () => "now",
};

// ---------------------------------------------------------------------------------------------------------
// Backup schedule

const SCHEDULE_REFS: RefSpec[] = [
  { field: "schedule_policy_ref", kind: "schedulepolicy", required: true, twin: "schedule_policy" },
  { field: "backup_location_ref", kind: "backuplocation", required: true, twin: "backup_location" },
  { field: "cluster_ref", kind: "cluster", required: true, twin: "cluster" },
  { field: "pre_exec_rule_ref", kind: "rule", twin: "pre_exec_rule" },
  { field: "post_exec_rule_ref", kind: "rule", twin: "post_exec_rule" },
];

/** Fields of BackupScheduleUpdateRequest that change the schedule (others are identity or bulk selectors). */
const SCHEDULE_UPDATABLE = [
  "schedule_policy_ref",
  "backup_location_ref",
  "pre_exec_rule_ref",
  "post_exec_rule_ref",
  "namespaces",
  "label_selectors",
  "ns_label_selectors",
  "advanced_resource_label_selector",
  "include_resources",
  "reclaim_policy",
  "volume_snapshot_class_mapping",
  "csi_snapshot_class_name",
  "volume_resource_only_policy_ref",
];
const SCHEDULE_UPDATE_BOOLS = ["skip_vm_auto_exec_rules", "parallel_backup"];
const SCHEDULE_BULK_SELECTORS = ["policy_ref", "include_objects", "exclude_objects", "include_filter", "exclude_filter", "cluster_scope", "backup_object_type", "filter_options"];

export function rejectBulk(req: Wire, what: string): void {
  const bulk = SCHEDULE_BULK_SELECTORS.filter((k) => isSet(req[k]));
  if (bulk.length) {
    throw new ApiError(Code.Unimplemented, `bulk backup schedule ${what} (${bulk.join(", ")}) is not implemented by the PX-Backup simulator`);
  }
}

const backupSchedule: KindSpec = {
  kind: "backupschedule",
  label: "backup schedule",
  ops: {
    create: "BackupSchedule_Create",
    update: "BackupSchedule_Update",
    enumerate: "BackupSchedule_Enumerate",
    enumeratePost: "BackupSchedule_Enumerate2",
    inspect: "BackupSchedule_Inspect",
    delete: "BackupSchedule_Delete",
  },
  responseKey: "backup_schedule",
  listKey: "backup_schedules",
  infoKey: "backup_schedule_info",
  objectDef: "BackupScheduleObject",
  paginated: true,
  refs: SCHEDULE_REFS,
  secrets: [],
  dnsName: true,
  blocksReferencedDeletion: true,
  build(req) {
    const info = without(req, "metadata", "backup_type");
    if (req.backup_type) info.backup_type = { type: req.backup_type }; // bare enum in requests, wrapped in the info
    return info;
  },
  update(obj, req, ctx) {
    rejectBulk(req, "update");
    // Merge: set fields overwrite, absent ones are kept (torpedo suspends with only metadata + suspend).
    for (const f of SCHEDULE_UPDATABLE) if (isSet(req[f])) obj.info[f] = req[f];
    for (const f of [...SCHEDULE_UPDATE_BOOLS, "suspend"]) obj.info[f] = req[f] === true;
    obj.info.suspended_by = obj.info.suspend ? { source: "User" } : undefined;
    if (req.remark) obj.info.remark = { comment: req.remark, updated_by: ctx.caller.username, updated_at: timestamp(ctx.now()) };
    applyMetadataUpdate(obj, req.metadata, true);
  },
  created(obj, ctx) {
    if (ctx.runSchedules) runSchedule(obj, ctx);
  },
  deleted(obj, ctx) {
    // reclaim_policy Delete removes the schedule's backups with it; Retain keeps them.
    if (obj.info.reclaim_policy === "Delete") {
      for (const b of scheduledBackups(obj, ctx)) {
        if (!b.deleting) {
          b.deleting = true;
          backup.deleted(b, ctx);
        }
      }
    }
    pendingDelete((o) => (o.info.status = { ...(o.info.status ?? {}), status: "DeletePending" }))(obj, ctx);
  },
  status: (o) => o.info.status?.status,
  render(obj, info, ctx) {
    // Status and history come from the backups this schedule created (newest first).
    const runs = scheduledBackups(obj, ctx).reverse();
    if (runs.length === 0) return;
    const statusInfo = (b: StoredObject) => ({
      backup_name: b.metadata.name,
      create_time: b.metadata.create_time,
      finish_time: b.info.completion_time_info?.total_completion_time,
      status: b.info.status?.status,
      Reason: b.info.status?.reason,
    });
    if (!obj.deleting) info.status = statusInfo(runs[0]);
    info.backup_status = { [policyType(obj, ctx)]: { status: runs.map(statusInfo) } };
  },
};

function scheduledBackups(schedule: StoredObject, ctx: Ctx): StoredObject[] {
  return ctx.store.list("backup", schedule.metadata.org_id).filter((b) => b.info.backup_schedule?.uid === schedule.metadata.uid);
}

function policyType(schedule: StoredObject, ctx: Ctx): string {
  const policy = ctx.store.find("schedulepolicy", schedule.metadata.org_id, undefined, schedule.info.schedule_policy_ref?.uid);
  const type = ["interval", "daily", "weekly", "monthly"].find((k) => policy?.info[k]) ?? "interval";
  return type[0].toUpperCase() + type.slice(1);
}

/** Starts one backup of a schedule now, named like PX-Backup does: <schedule>-<policy type>-<epoch seconds>. */
export function runSchedule(schedule: StoredObject, ctx: Ctx): StoredObject {
  const orgId = schedule.metadata.org_id;
  const base = `${schedule.metadata.name}-${policyType(schedule, ctx).toLowerCase()}-${Math.floor(ctx.now() / 1000)}`;
  let name = base;
  for (let i = 1; ctx.store.find("backup", orgId, name, undefined); i++) name = `${base}-${i}`;
  const info: Wire = {};
  for (const f of ["backup_location_ref", "backup_location", "cluster_ref", "cluster", "namespaces", "label_selectors", "ns_label_selectors", "advanced_resource_label_selector", "include_resources", "resource_types", "exclude_resource_types", "pre_exec_rule_ref", "pre_exec_rule", "post_exec_rule_ref", "post_exec_rule", "backup_type", "backup_object_type", "skip_vm_auto_exec_rules", "volume_snapshot_class_mapping", "direct_kdmp", "parallel_backup", "keep_cr_status", "schedule_policy_ref", "csi_snapshot_class_name"]) {
    if (schedule.info[f] !== undefined) info[f] = structuredClone(schedule.info[f]);
  }
  info.backup_schedule = { name: schedule.metadata.name, uid: schedule.metadata.uid };
  const metadata = ctx.store.newMetadata({ name, org_id: orgId, labels: {} }, schedule.metadata.ownership?.owner ?? ctx.caller.sub);
  const obj = ctx.store.insert("backup", metadata, info);
  backup.created!(obj, ctx);
  return obj;
}

// ---------------------------------------------------------------------------------------------------------
// Backup

const BACKUP_REFS: RefSpec[] = [
  { field: "backup_location_ref", kind: "backuplocation", required: true, twin: "backup_location" },
  { field: "cluster_ref", kind: "cluster", required: true, twin: "cluster" },
  { field: "pre_exec_rule_ref", kind: "rule", twin: "pre_exec_rule" },
  { field: "post_exec_rule_ref", kind: "rule", twin: "post_exec_rule" },
  { field: "cloud_credential_ref", kind: "cloudcredential", twin: "cloud_credential" },
];

function finishBackup(obj: StoredObject, ctx: Ctx): void {
  const outcome = outcomeFor(ctx, obj, ctx.outcomes.backup);
  const now = timestamp(ctx.now());
  const namespaces: string[] = obj.info.namespaces ?? [];
  obj.info.status = { status: outcome.status, reason: outcome.reason ?? (outcome.status === "Success" ? "Backup completed successfully" : "") };
  obj.info.stage = "Final";
  if (outcome.status === "Success" || outcome.status === "PartialSuccess") {
    obj.info.resources = namespaces.map((ns) => ({ name: ns, kind: "Namespace", version: "v1" }));
    obj.info.resource_count = String(namespaces.length * 7);
    obj.info.total_size = String(1048576 * (namespaces.length || 1));
    obj.info.backup_path = `${obj.metadata.org_id}/${obj.info.cluster_ref?.name}/${obj.metadata.name}-${obj.metadata.uid}`;
    obj.info.completion_time_info = { volumes_completion_time: now, resources_completion_time: now, total_completion_time: now };
  }
  ctx.store.touch(obj);
}

const backup: KindSpec = {
  kind: "backup",
  label: "backup",
  ops: {
    create: "Backup_Create",
    update: "Backup_Update",
    enumerate: "Backup_Enumerate",
    enumeratePost: "Backup_Enumerate2",
    inspect: "Backup_Inspect",
    delete: "Backup_Delete",
  },
  responseKey: "backup",
  listKey: "backups",
  infoKey: "backup_info",
  objectDef: "BackupObject",
  paginated: true,
  refs: BACKUP_REFS,
  secrets: [],
  dnsName: true,
  build(req) {
    const info = without(req, "metadata", "backup_type");
    if (req.backup_type) info.backup_type = { type: req.backup_type };
    return info;
  },
  update(obj, req) {
    // Only metadata (labels, ownership) and the credential are updatable on a backup.
    applyMetadataUpdate(obj, req.metadata);
    if (!isEmptyRef(req.cloud_credential_ref)) obj.info.cloud_credential_ref = req.cloud_credential_ref;
  },
  created(obj, ctx) {
    const location = ctx.store.find("backuplocation", obj.metadata.org_id, undefined, obj.info.backup_location_ref.uid);
    if (location?.info.cloud_credential_ref && isEmptyRef(obj.info.cloud_credential_ref)) {
      obj.info.cloud_credential_ref = { ...location.info.cloud_credential_ref };
      obj.info.cloud_credential = location.info.cloud_credential_ref.name;
    }
    obj.info.status = { status: "Pending", reason: "" };
    obj.info.stage = "Initial";
    obj.info.cr_name = `${obj.metadata.name}-${obj.metadata.uid.slice(0, 8)}`;
    obj.info.cr_uid = crypto.randomUUID();
    obj.info.stork_version = "25.3.0";
    ctx.store.schedule(obj, [
      [ctx.delays.backupPending, (o) => { o.info.status = { status: "InProgress" }; o.info.stage = "Volumes"; }],
      [ctx.delays.backupInProgress, (o) => finishBackup(o, ctx)],
    ]);
  },
  deleted(obj, ctx) {
    obj.transitions = []; // a delete overrides whatever the backup was doing
    obj.info.status = { status: "DeletePending" };
    ctx.store.schedule(obj, [
      [ctx.delays.deletePending, (o) => { o.info.status = { status: "Deleting" }; }],
      [ctx.delays.backupDeleting, () => "remove"],
    ]);
  },
  status: (o) => o.info.status?.status,
};

export const KINDS: KindSpec[] = [schedulePolicy, cloudCredential, backupLocation, cluster, rule, backupSchedule, backup];
export const KIND_BY_NAME = new Map<KindName, KindSpec>(KINDS.map((k) => [k.kind, k]));
export function kindSpec(kind: KindName): KindSpec {
  return KIND_BY_NAME.get(kind)!;
}
