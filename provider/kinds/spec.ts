// What a PX-Backup kind declares: data the generic machinery (machinery.ts) interprets, plus optional hooks
// for the few operations a kind's API does differently.
import type { PxBackupClient } from "../client";
import type { CrossRule } from "../validation";
import type { Fields } from "../wire";

export type KindName =
    | "BackupSchedule"
    | "Backup"
    | "SchedulePolicy"
    | "BackupLocation"
    | "CloudCredential"
    | "Cluster"
    | "Rule"
    | "Restore";

type Props = Record<string, unknown>;

export interface ReadyStates {
    /** Wire path of the status inside the object, e.g. backup_info.status.status. */
    statusPath: string;
    reasonPath: string;
    success: readonly string[];
    failure: readonly string[];
    /** The object is usable while the server reports no status at all. */
    absentIsReady: boolean;
    defaultTimeoutSeconds: number;
    /** POST `{org_id, name, uid}` here to start the check again when an update finds a failed state. */
    retriggerPath?: string;
    /** Appended to the error of a failed state (what the user can do about it). */
    failureHint?: string;
}

/** Inputs a write applies asynchronously: after the write, read until they show (and no transitional status). */
export interface AppliedLater {
    keys: readonly string[];
    statusPath: string;
    transitional: readonly string[];
    defaultTimeoutSeconds: number;
}

export interface Identity {
    orgId: string;
    name: string;
    uid?: string;
}

/** The part of the generic machinery a kind's hooks may use. */
export interface KindContext {
    readonly spec: KindSpec;
    /** Metadata inputs of the kind (labels, ownership, ...). */
    readonly metadata: Fields;
    readonly client: PxBackupClient;
    /** GET one object; fails naming the kind and the operation when it no longer exists. */
    mustInspect(i: Identity, during: string): Promise<Props>;
    /** Live object → state, as create/update return it. */
    outputs(obj: Props, applied: Props, hashes?: Record<string, string>): Props;
    /** Hashes of the secret inputs (what state keeps instead of the plaintext). */
    hashes(inputs: Props): Record<string, string>;
}

/** Operations a kind does differently from the generic read-overlay-PUT; each replaces the generic step. */
export interface KindHooks {
    /**
     * Writes the `createViaUpdate` inputs that are set (`keys`) right after create and returns the object
     * to wait on. Generic: a whole-object PUT, then a read.
     */
    applyDeferred?(ctx: KindContext, i: Identity, obj: Props, inputs: Props, keys: string[]): Promise<Props>;
    /** In-place update. Generic: read, overlay the desired fields, PUT the whole object, read back. */
    update?(ctx: KindContext, i: Identity, olds: Props, news: Props): Promise<{ outs: Props }>;
}

export interface KindSpec {
    name: KindName;
    /** Collection path, e.g. /v1/backupschedule; items are `${basePath}/${org}/${name}`. */
    basePath: string;
    /** Key of the object in create/inspect responses. */
    responseKey: string;
    /** Key of the enumerate list. */
    listKey: string;
    /** The kind also enumerates by POST `${basePath}/{org}/enumerate` (needed for reference filters). */
    enumeratePost?: boolean;
    /** Key of the spec inside the returned object. */
    infoKey: string;
    /** Key of the spec inside create/update requests; undefined when the request is flat. */
    requestKey?: string;
    /** Spec inputs (wire names relative to the spec). */
    fields: Fields;
    crossRules?: CrossRule[];
    /** Server-reported outputs (wire names relative to the whole object). */
    outputs: Fields;
    /** Wire keys of the spec a whole-object PUT may carry (never bulk selectors or create-only fields). */
    updateWire: readonly string[];
    /**
     * Inputs the server cannot clear in place (its update keeps a value the request leaves empty: the schedule
     * merge, secrets kept when not resent): removing one from the program replaces the object.
     */
    cannotClear?: readonly string[];
    /**
     * Whether replacing this object (deleting the old one) deletes backup data, judged from the last state:
     * then a replacement needs the program's explicit `allowReplaceDeletingBackups: true`.
     */
    replaceDeletesBackups?: (olds: Props) => boolean;
    /** Inputs the create request does not take; applied by a PUT right after create when set. */
    createViaUpdate?: readonly string[];
    /** Inputs the server applies in the background (schedule `suspend`): waited for after each write. */
    appliedLater?: AppliedLater;
    /** States create waits for; undefined when the object is usable as soon as it exists. */
    ready?: ReadyStates;
    /**
     * Name rule for this kind: DNS-1123 where the server makes Kubernetes objects from the name (backups and
     * the backups a schedule names after itself), otherwise whatever fits one path segment.
     */
    nameFormat: "dns1123Subdomain" | "dns1123Label" | "objectName";
    /** Query for inspect (e.g. include_secrets=false, include_validation_state). */
    inspectQuery?: Record<string, string>;
    /**
     * Provider options of this kind: inputs never sent at create or update, kept in state for a later step (e.g.
     * what a cluster delete also removes, read by deleteQuery).
     */
    options?: Fields;
    /** Extra DELETE query built from the stored outputs. */
    deleteQuery?: (props: Props) => Record<string, string | undefined>;
    hooks?: KindHooks;
}
