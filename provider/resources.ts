// Pulumi resource classes for the PX-Backup kinds. Each is a thin declaration over the generic machinery:
// typed inputs, outputs declared with `declare` (so the subclass does not shadow what the engine sets) and
// seeded as undefined (so the engine returns them), secrets wrapped and their derived outputs marked.
import * as pulumi from "@pulumi/pulumi";
import { KindName, KINDS, OPTION_FIELDS } from "./kinds";
import { CREATE_SEED, createSeedOf } from "./machinery";
import { dynamicProvider } from "./serialized";

type In<T> = pulumi.Input<T>;

export interface ObjectRefArgs {
    name: In<string>;
    /** Resolved by the server from the name when omitted. */
    uid?: In<string>;
}
export interface ObjectRef {
    name: string;
    uid?: string;
}
export type OwnershipAccess = "Read" | "Write" | "Admin";
export interface AccessEntryArgs<A extends string> {
    id: In<string>;
    access: In<A>;
}
export interface OwnershipArgs {
    owner?: In<string>;
    groups?: In<In<AccessEntryArgs<OwnershipAccess>>[]>;
    collaborators?: In<In<AccessEntryArgs<OwnershipAccess>>[]>;
    public?: In<{ type: In<OwnershipAccess> }>;
}
export interface Ownership {
    owner?: string;
    groups?: { id: string; access: OwnershipAccess }[];
    collaborators?: { id: string; access: OwnershipAccess }[];
    public?: {
        /** Access every user of the organization has. */
        type: OwnershipAccess;
    };
}
export interface ResourceInfoArgs {
    name: In<string>;
    namespace?: In<string>;
    group?: In<string>;
    kind: In<string>;
    version: In<string>;
}

/** Inputs every PX-Backup resource takes. */
export interface CommonArgs {
    /**
     * Object name; defaults to the Pulumi resource name. A DNS-1123 subdomain for Backup and BackupSchedule
     * (the server makes Kubernetes objects from them); any name without '/' for the other kinds. Changing it
     * replaces the object.
     */
    name?: In<string>;
    /** Organization; default `default`. */
    orgId?: In<string>;
    /** uid to create the object with; generated when omitted. */
    uid?: In<string>;
    /** Deprecated metadata.owner. */
    owner?: In<string>;
    labels?: In<Record<string, In<string>>>;
    ownership?: In<OwnershipArgs>;
    /** How long delete waits until the server no longer returns the object (default 600). */
    deleteTimeoutSeconds?: In<number>;
    /** Take over an existing object of the same name instead of failing (explicit adoption). */
    adoptExisting?: In<boolean>;
}

export interface SelectionArgs {
    backupLocationRef: In<ObjectRefArgs>;
    clusterRef: In<ObjectRefArgs>;
    namespaces?: In<In<string>[]>;
    labelSelectors?: In<Record<string, In<string>>>;
    nsLabelSelectors?: In<string>;
    advancedResourceLabelSelector?: In<string>;
    includeResources?: In<In<ResourceInfoArgs>[]>;
    resourceTypes?: In<In<string>[]>;
    excludeResourceTypes?: In<In<string>[]>;
    preExecRuleRef?: In<ObjectRefArgs>;
    postExecRuleRef?: In<ObjectRefArgs>;
    backupType?: In<"Generic" | "Normal">;
    backupObjectType?: In<"All" | "VirtualMachine">;
    skipVmAutoExecRules?: In<boolean>;
    directKdmp?: In<boolean>;
    keepCrStatus?: In<boolean>;
    volumeSnapshotClassMapping?: In<Record<string, In<string>>>;
    csiSnapshotClassName?: In<string>;
    volumeResourceOnlyPolicyRef?: In<ObjectRefArgs>;
}

/** Inputs of the kinds whose replacement deletes backups. */
export interface ReplaceOptInArgs {
    /**
     * A change that replaces this object deletes backups (a Backup is deleted with its data; a schedule with
     * reclaimPolicy "Delete" deletes the backups it made): preview fails unless this is true.
     */
    allowReplaceDeletingBackups?: In<boolean>;
}

export interface BackupScheduleArgs extends CommonArgs, SelectionArgs, ReplaceOptInArgs {
    schedulePolicyRef: In<ObjectRefArgs>;
    reclaimPolicy?: In<"Delete" | "Retain">;
    /** Pause the schedule. When unset, whatever the server has is kept (never un-suspended by omission). */
    suspend?: In<boolean>;
    /** How long create and update wait for a suspend or resume to take effect (default 120). */
    waitTimeoutSeconds?: In<number>;
    parallelBackup?: In<boolean>;
}

export type BackupShareAccess = "View" | "Restorable" | "FullAccess";
export interface BackupArgs extends CommonArgs, SelectionArgs, ReplaceOptInArgs {
    cloudCredentialRef?: In<ObjectRefArgs>;
    backupShare?: In<{
        groups?: In<In<AccessEntryArgs<BackupShareAccess>>[]>;
        collaborators?: In<In<AccessEntryArgs<BackupShareAccess>>[]>;
    }>;
    /** How long create waits for Success/PartialSuccess (default 3600). */
    waitTimeoutSeconds?: In<number>;
}

export type ReplacePolicy = "Retain" | "Delete";
export interface RestoreArgs extends CommonArgs {
    /** The backup to restore (it must have reached Success or PartialSuccess). */
    backupRef: In<ObjectRefArgs>;
    /** The cluster to restore to. */
    clusterRef: In<ObjectRefArgs>;
    /** Source namespace → target namespace; unmapped namespaces keep their name. */
    namespaceMapping?: In<Record<string, In<string>>>;
    /** Source storage class → target storage class. */
    storageClassMapping?: In<Record<string, In<string>>>;
    /** Resources that already exist on the target: Retain keeps them, Delete replaces them. */
    replacePolicy?: In<ReplacePolicy>;
    includeResources?: In<In<ResourceInfoArgs>[]>;
    excludeResources?: In<In<ResourceInfoArgs>[]>;
    /** Optional resource types to restore as well (e.g. Job). */
    includeOptionalResourceTypes?: In<In<string>[]>;
    backupObjectType?: In<"All" | "VirtualMachine">;
    targetNamespacePrefix?: In<string>;
    rancherProjectMapping?: In<Record<string, In<string>>>;
    rancherProjectNameMapping?: In<Record<string, In<string>>>;
    virtualMachineRestoreOptions?: In<{ skipMacMasking?: In<boolean>; skipVmRestart?: In<boolean> }>;
    /** How long create waits for Success/PartialSuccess (default 3600). */
    waitTimeoutSeconds?: In<number>;
}

export interface RetainArgs {
    retain?: In<number>;
    incrementalCount?: In<{ count?: In<number> }>;
}
export interface SchedulePolicyArgs extends CommonArgs {
    interval?: In<RetainArgs & { minutes: In<number> }>;
    /** time like "2:00AM" */
    daily?: In<RetainArgs & { time: In<string> }>;
    weekly?: In<RetainArgs & { day: In<string>; time: In<string>; biWeekly?: In<boolean> }>;
    monthly?: In<RetainArgs & { date: In<number>; time: In<string> }>;
    forObjectLock?: In<boolean>;
    autoDelete?: In<boolean>;
    supportsAdvancedFeatures?: In<boolean>;
}

export interface BackupLocationArgs extends CommonArgs {
    /** S3 (s3Config + AWS credential), Azure (Azure credential), Google (Google credential) or NFS (nfsConfig). */
    type: In<"S3" | "Azure" | "Google" | "NFS">;
    /** Bucket, container or NFS export path. */
    path: In<string>;
    encryptionKey?: In<string>;
    cloudCredentialRef?: In<ObjectRefArgs>;
    validateCloudCredential?: In<boolean>;
    s3Config?: In<{
        endpoint?: In<string>;
        region?: In<string>;
        disableSsl?: In<boolean>;
        disablePathStyle?: In<boolean>;
        storageClass?: In<string>;
        sseType?: In<"SSE_S3" | "SSE_KMS">;
        /** Type Azure: the Azure cloud of the storage account. */
        azureEnvironment?: In<"AZURE_GLOBAL" | "AZURE_CHINA">;
        /** Type Azure: resource group of the storage account. */
        azureResourceGroupName?: In<string>;
    }>;
    nfsConfig?: In<{ serverAddr: In<string>; subPath?: In<string>; mountOption?: In<string> }>;
    /** How long create waits for the location to validate (default 300). */
    waitTimeoutSeconds?: In<number>;
}

export interface CloudCredentialArgs extends CommonArgs {
    /** Set exactly the config block of this type. */
    type: In<"AWS" | "Azure" | "Google" | "IBM" | "Rancher">;
    /** Access key pair (type AWS); always stored as a secret, diffed by hash. */
    awsConfig?: In<{ accessKey: In<string>; secretKey: In<string> }>;
    /** Storage account (type Azure), optionally a service principal for AKS; secret. */
    azureConfig?: In<{
        accountName: In<string>;
        accountKey: In<string>;
        clientId?: In<string>;
        clientSecret?: In<string>;
        tenantId?: In<string>;
        subscriptionId?: In<string>;
    }>;
    /** Project and service account key file text (type Google); secret. */
    googleConfig?: In<{ projectId: In<string>; jsonKey: In<string> }>;
    /** API key (type IBM); secret. */
    ibmConfig?: In<{ apiKey: In<string> }>;
    /** Rancher server URL and API token (type Rancher); secret. */
    rancherConfig?: In<{ endpoint: In<string>; token: In<string> }>;
}

export interface ClusterArgs extends CommonArgs {
    /** kubeconfig text (sent base64-encoded); secret. */
    kubeconfig: In<string>;
    pxConfig?: In<{ accessToken?: In<string> }>;
    cloudCredentialRef?: In<ObjectRefArgs>;
    platformCredentialRef?: In<ObjectRefArgs>;
    provider?: In<"AWS" | "Azure" | "Google" | "IBM" | "Rancher">;
    /** On delete, also remove the restore records made to this cluster (default false). */
    deleteRestores?: In<boolean>;
    /** On delete, also delete every backup of this cluster (default false; needs a super admin). */
    deleteAllClusterBackups?: In<boolean>;
    /** How long create waits for the cluster to be Online (default 600). */
    waitTimeoutSeconds?: In<number>;
}

export interface RuleArgs extends CommonArgs {
    rules: In<
        In<{
            podSelector: In<Record<string, In<string>>>;
            actions: In<In<{ value: In<string>; background?: In<boolean>; runInSinglePod?: In<boolean> }>[]>;
            container?: In<string>;
        }>[]
    >;
}

/** Base of every PX-Backup resource: seeds outputs, wraps secrets, registers the dynamic provider. */
export abstract class PxBackupResource extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    declare readonly orgId: pulumi.Output<string>;
    declare readonly uid: pulumi.Output<string>;
    /** Deprecated metadata.owner. */
    declare readonly owner: pulumi.Output<string | undefined>;
    declare readonly labels: pulumi.Output<Record<string, string> | undefined>;
    declare readonly ownership: pulumi.Output<Ownership | undefined>;
    /** When the object was created (server-reported). */
    declare readonly createTime: pulumi.Output<string | undefined>;
    /** When the object was last changed (server-reported). */
    declare readonly lastUpdateTime: pulumi.Output<string | undefined>;
    /** `{name, uid}` to pass as a reference to other PX-Backup resources. */
    readonly ref: pulumi.Output<ObjectRef>;

    protected constructor(kind: KindName, name: string, args: CommonArgs, opts?: pulumi.CustomResourceOptions) {
        const spec = KINDS[kind];
        const props: Record<string, unknown> = {};
        const outputKeys = [
            "name",
            "orgId",
            "uid",
            "owner",
            "labels",
            "ownership",
            ...Object.keys(spec.fields),
            ...Object.keys(spec.outputs),
        ];
        for (const k of outputKeys) props[k] = undefined;
        for (const [k, v] of Object.entries(args)) if (v !== undefined) props[k] = v;
        props.name = args.name ?? name;
        // Stable per resource (like its URN): lets create recognise the object an interrupted `up` created.
        props[CREATE_SEED] = createSeedOf(pulumi.getProject(), pulumi.getStack(), kind, name);
        const secretKeys = Object.entries(spec.fields)
            .filter(([, f]) => f.secret)
            .map(([k]) => k);
        for (const k of secretKeys) if (props[k] !== undefined) props[k] = pulumi.secret(props[k]);
        if (secretKeys.length) props.secretHashes = undefined;
        const extraSecrets = secretKeys.length ? ["secretHashes", ...secretKeys] : [];
        // The SDK captures a stack trace for every promise of every output (leak diagnostics only); with ts-node's
        // source maps that capture is most of a registration's CPU, so registration runs without traces.
        const stackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            super(
                dynamicProvider(kind),
                name,
                props,
                {
                    ...opts,
                    additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...extraSecrets],
                },
                "kube-backup",
                kind,
            );
            this.ref = pulumi.all([this.name, this.uid]).apply(([n, u]) => ({ name: n, uid: u }));
        } finally {
            Error.stackTraceLimit = stackTraceLimit;
        }
    }
}

/**
 * The option inputs every resource takes (for tests and docs).
 * @internal
 */
export const OPTION_INPUTS = Object.keys(OPTION_FIELDS);

export interface ScheduleStatus {
    backupName?: string;
    createTime?: string;
    finishTime?: string;
    status?: string;
    reason?: string;
}

export interface ResourceInfo {
    name: string;
    namespace?: string;
    group?: string;
    kind: string;
    version: string;
}

/**
 * A PX-Backup backup schedule: backs up the selected namespaces/resources of a cluster to a backup location
 * on the cadence of a schedule policy. `suspend` left unset keeps whatever the server has.
 */
export class BackupSchedule extends PxBackupResource {
    declare readonly schedulePolicyRef: pulumi.Output<ObjectRef>;
    declare readonly backupLocationRef: pulumi.Output<ObjectRef>;
    declare readonly clusterRef: pulumi.Output<ObjectRef>;
    declare readonly preExecRuleRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly postExecRuleRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly namespaces: pulumi.Output<string[] | undefined>;
    declare readonly labelSelectors: pulumi.Output<Record<string, string> | undefined>;
    declare readonly nsLabelSelectors: pulumi.Output<string | undefined>;
    declare readonly advancedResourceLabelSelector: pulumi.Output<string | undefined>;
    declare readonly includeResources: pulumi.Output<ResourceInfo[] | undefined>;
    declare readonly resourceTypes: pulumi.Output<string[] | undefined>;
    declare readonly excludeResourceTypes: pulumi.Output<string[] | undefined>;
    declare readonly reclaimPolicy: pulumi.Output<string | undefined>;
    declare readonly suspend: pulumi.Output<boolean | undefined>;
    declare readonly backupType: pulumi.Output<string | undefined>;
    declare readonly backupObjectType: pulumi.Output<string | undefined>;
    declare readonly skipVmAutoExecRules: pulumi.Output<boolean | undefined>;
    declare readonly directKdmp: pulumi.Output<boolean | undefined>;
    declare readonly parallelBackup: pulumi.Output<boolean | undefined>;
    declare readonly keepCrStatus: pulumi.Output<boolean | undefined>;
    declare readonly volumeSnapshotClassMapping: pulumi.Output<Record<string, string> | undefined>;
    declare readonly csiSnapshotClassName: pulumi.Output<string | undefined>;
    declare readonly volumeResourceOnlyPolicyRef: pulumi.Output<ObjectRef | undefined>;
    /** Status of the latest backup as the server reports it. */
    declare readonly status: pulumi.Output<ScheduleStatus | undefined>;
    declare readonly suspendedBy: pulumi.Output<string | undefined>;
    /** Latest backup statuses per policy type, as the server reports them. */
    declare readonly backupStatuses: pulumi.Output<Record<string, { status?: ScheduleStatus[] }> | undefined>;
    declare readonly storkVersion: pulumi.Output<string | undefined>;
    /** Selected namespaces the cluster does not have (server-reported). */
    declare readonly missingNamespaces: pulumi.Output<string[] | undefined>;

    constructor(name: string, args: BackupScheduleArgs, opts?: pulumi.CustomResourceOptions) {
        super("BackupSchedule", name, args, opts);
    }
}

/**
 * A one-off PX-Backup backup. Create waits until it reaches Success or PartialSuccess (Failed/Aborted are
 * errors carrying the server's reason); only labels, ownership, credential and share change in place.
 */
export class Backup extends PxBackupResource {
    declare readonly backupLocationRef: pulumi.Output<ObjectRef>;
    declare readonly clusterRef: pulumi.Output<ObjectRef>;
    declare readonly cloudCredentialRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly namespaces: pulumi.Output<string[] | undefined>;
    declare readonly labelSelectors: pulumi.Output<Record<string, string> | undefined>;
    declare readonly nsLabelSelectors: pulumi.Output<string | undefined>;
    declare readonly advancedResourceLabelSelector: pulumi.Output<string | undefined>;
    declare readonly includeResources: pulumi.Output<ResourceInfo[] | undefined>;
    declare readonly resourceTypes: pulumi.Output<string[] | undefined>;
    declare readonly excludeResourceTypes: pulumi.Output<string[] | undefined>;
    declare readonly preExecRuleRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly postExecRuleRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly backupType: pulumi.Output<string | undefined>;
    declare readonly backupObjectType: pulumi.Output<string | undefined>;
    declare readonly skipVmAutoExecRules: pulumi.Output<boolean | undefined>;
    declare readonly directKdmp: pulumi.Output<boolean | undefined>;
    declare readonly keepCrStatus: pulumi.Output<boolean | undefined>;
    declare readonly volumeSnapshotClassMapping: pulumi.Output<Record<string, string> | undefined>;
    declare readonly csiSnapshotClassName: pulumi.Output<string | undefined>;
    declare readonly volumeResourceOnlyPolicyRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly status: pulumi.Output<string | undefined>;
    declare readonly statusReason: pulumi.Output<string | undefined>;
    declare readonly stage: pulumi.Output<string | undefined>;
    declare readonly backupPath: pulumi.Output<string | undefined>;
    declare readonly totalSize: pulumi.Output<number | undefined>;
    declare readonly resourceCount: pulumi.Output<number | undefined>;
    declare readonly failedResourceCount: pulumi.Output<number | undefined>;
    declare readonly crName: pulumi.Output<string | undefined>;
    declare readonly crUid: pulumi.Output<string | undefined>;
    declare readonly storkVersion: pulumi.Output<string | undefined>;
    declare readonly completionTime: pulumi.Output<string | undefined>;
    /** The schedule that took this backup, when a schedule did (server-reported). */
    declare readonly backupSchedule: pulumi.Output<ObjectRef | undefined>;
    declare readonly backupShare: pulumi.Output<
        | {
              groups?: { id: string; access: BackupShareAccess }[];
              collaborators?: { id: string; access: BackupShareAccess }[];
          }
        | undefined
    >;

    constructor(name: string, args: BackupArgs, opts?: pulumi.CustomResourceOptions) {
        super("Backup", name, args, opts);
    }
}

export interface RetainOutput {
    retain?: number;
    incrementalCount?: { count?: number };
}

/** A PX-Backup schedule policy: interval, daily, weekly or monthly cadence with retain counts. */
export class SchedulePolicy extends PxBackupResource {
    declare readonly interval: pulumi.Output<(RetainOutput & { minutes: number }) | undefined>;
    declare readonly daily: pulumi.Output<(RetainOutput & { time: string }) | undefined>;
    declare readonly weekly: pulumi.Output<
        (RetainOutput & { day: string; time: string; biWeekly?: boolean }) | undefined
    >;
    declare readonly monthly: pulumi.Output<(RetainOutput & { date: number; time: string }) | undefined>;
    declare readonly forObjectLock: pulumi.Output<boolean | undefined>;
    declare readonly autoDelete: pulumi.Output<boolean | undefined>;
    declare readonly supportsAdvancedFeatures: pulumi.Output<boolean | undefined>;
    /** Names of the schedules using this policy (server-maintained). */
    declare readonly backupSchedules: pulumi.Output<string[] | undefined>;

    constructor(name: string, args: SchedulePolicyArgs, opts?: pulumi.CustomResourceOptions) {
        super("SchedulePolicy", name, args, opts);
    }
}

/** A PX-Backup backup location (S3 bucket, Azure/Google container or NFS export); create waits until it is Valid. */
export class BackupLocation extends PxBackupResource {
    declare readonly type: pulumi.Output<string>;
    declare readonly path: pulumi.Output<string>;
    declare readonly cloudCredentialRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly validateCloudCredential: pulumi.Output<boolean | undefined>;
    declare readonly s3Config: pulumi.Output<
        | {
              endpoint?: string;
              region?: string;
              disableSsl?: boolean;
              disablePathStyle?: boolean;
              storageClass?: string;
              sseType?: string;
              azureEnvironment?: string;
              azureResourceGroupName?: string;
          }
        | undefined
    >;
    declare readonly nfsConfig: pulumi.Output<
        { serverAddr: string; subPath?: string; mountOption?: string } | undefined
    >;
    declare readonly status: pulumi.Output<string | undefined>;
    declare readonly statusReason: pulumi.Output<string | undefined>;
    declare readonly objectLockEnabled: pulumi.Output<boolean | undefined>;

    constructor(name: string, args: BackupLocationArgs, opts?: pulumi.CustomResourceOptions) {
        super("BackupLocation", name, args, opts);
    }
}

/**
 * A PX-Backup cloud credential: AWS/S3 access keys, Azure storage account, Google service account key, IBM API key
 * or Rancher token. The config block is a secret, kept in state only as a hash.
 */
export class CloudCredential extends PxBackupResource {
    declare readonly type: pulumi.Output<string>;

    constructor(name: string, args: CloudCredentialArgs, opts?: pulumi.CustomResourceOptions) {
        super("CloudCredential", name, args, opts);
    }
}

/** An application cluster registered with PX-Backup (kubeconfig as a secret); create waits until it is Online. */
export class Cluster extends PxBackupResource {
    declare readonly cloudCredentialRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly platformCredentialRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly provider: pulumi.Output<string | undefined>;
    declare readonly status: pulumi.Output<string | undefined>;
    declare readonly statusReason: pulumi.Output<string | undefined>;
    declare readonly storkVersion: pulumi.Output<string | undefined>;
    declare readonly k8sVersion: pulumi.Output<string | undefined>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.CustomResourceOptions) {
        super("Cluster", name, args, opts);
    }
}

/** A PX-Backup pre/post-exec rule: commands run in the pods matching a selector around a backup. */
export class Rule extends PxBackupResource {
    declare readonly rules: pulumi.Output<
        {
            podSelector: Record<string, string>;
            actions: { value: string; background?: boolean; runInSinglePod?: boolean }[];
            container?: string;
        }[]
    >;

    constructor(name: string, args: RuleArgs, opts?: pulumi.CustomResourceOptions) {
        super("Rule", name, args, opts);
    }
}

/**
 * A PX-Backup restore of a Backup to a cluster. Create starts the restore and waits until it reaches Success or
 * PartialSuccess (Failed/Aborted are errors carrying the server's reason). Every restore input is fixed once
 * the restore ran: changing one replaces the resource, which restores again. Only labels and ownership change
 * in place. Delete removes the restore record from PX-Backup, never the restored namespaces or volumes.
 */
export class Restore extends PxBackupResource {
    declare readonly backupRef: pulumi.Output<ObjectRef>;
    declare readonly clusterRef: pulumi.Output<ObjectRef>;
    declare readonly namespaceMapping: pulumi.Output<Record<string, string> | undefined>;
    declare readonly storageClassMapping: pulumi.Output<Record<string, string> | undefined>;
    declare readonly replacePolicy: pulumi.Output<ReplacePolicy | undefined>;
    declare readonly includeResources: pulumi.Output<ResourceInfo[] | undefined>;
    declare readonly excludeResources: pulumi.Output<ResourceInfo[] | undefined>;
    declare readonly includeOptionalResourceTypes: pulumi.Output<string[] | undefined>;
    declare readonly backupObjectType: pulumi.Output<string | undefined>;
    declare readonly targetNamespacePrefix: pulumi.Output<string | undefined>;
    declare readonly rancherProjectMapping: pulumi.Output<Record<string, string> | undefined>;
    declare readonly rancherProjectNameMapping: pulumi.Output<Record<string, string> | undefined>;
    declare readonly virtualMachineRestoreOptions: pulumi.Output<
        { skipMacMasking?: boolean; skipVmRestart?: boolean } | undefined
    >;
    declare readonly status: pulumi.Output<string | undefined>;
    declare readonly statusReason: pulumi.Output<string | undefined>;
    /** Location the backup was read from (server-reported). */
    declare readonly backupLocationRef: pulumi.Output<ObjectRef | undefined>;
    declare readonly totalSize: pulumi.Output<number | undefined>;
    declare readonly resourceCount: pulumi.Output<number | undefined>;
    declare readonly restoredResourceCount: pulumi.Output<number | undefined>;
    declare readonly storkVersion: pulumi.Output<string | undefined>;

    constructor(name: string, args: RestoreArgs, opts?: pulumi.CustomResourceOptions) {
        super("Restore", name, args, opts);
    }
}
