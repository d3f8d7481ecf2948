// The tokens the plugin serves: `kube-backup:index:<Name>` for every PX-Backup kind (custom resources), every
// component (served by construct) and every function (served by invoke). schema.json lists exactly these
// (test/integration/plugin asks the running plugin).
import { KINDS, KindName } from "../kinds";

export const PACKAGE = "kube-backup";
export const MODULE = "index";

export const token = (name: string) => `${PACKAGE}:${MODULE}:${name}`;

export const COMPONENTS = [
    "BackupBucket",
    "BackupCredentials",
    "EtcdBackupSchedule",
    "PvcBackupSchedule",
    "PvcRestore",
];
export const FUNCTIONS = [
    "getBackup",
    "getBackupSchedule",
    "getBackupStatus",
    "getRestore",
    "listBackups",
    "listBackupSchedules",
    "listRestores",
    "listStoredBackups",
    "listStoredSnapshots",
];

function nameOf(tok: string): string | undefined {
    const parts = tok.split(":");
    return parts.length === 3 && parts[0] === PACKAGE && parts[1] === MODULE ? parts[2] : undefined;
}

const served = (names: string[]) => names.map(token).join(", ");

/** The PX-Backup kind of a custom resource token; a clear error for anything else. */
export function kindOf(tok: string): KindName {
    const name = nameOf(tok);
    if (name && Object.prototype.hasOwnProperty.call(KINDS, name)) return name as KindName;
    throw new Error(
        `kube-backup does not serve the resource type "${tok}"` +
            (name && COMPONENTS.includes(name) ? " as a custom resource (it is a component)" : "") +
            `; its custom resources are ${served(Object.keys(KINDS))}`,
    );
}

export function componentOf(tok: string): string {
    const name = nameOf(tok);
    if (name && COMPONENTS.includes(name)) return name;
    throw new Error(`kube-backup has no component "${tok}"; its components are ${served(COMPONENTS)}`);
}

export function functionOf(tok: string): string {
    const name = nameOf(tok);
    if (name && FUNCTIONS.includes(name)) return name;
    throw new Error(`kube-backup has no function "${tok}"; its functions are ${served(FUNCTIONS)}`);
}

/** The resource type of a URN (urn:pulumi:stack::project::[parent$]type::name), its name, project and stack. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
    const [head, project, qualified, ...rest] = urn.split("::");
    const stack = head.replace(/^urn:pulumi:/, "");
    const type = (qualified ?? "").split("$").pop() ?? "";
    return { stack, project: project ?? "", type, name: rest.join("::") };
}
