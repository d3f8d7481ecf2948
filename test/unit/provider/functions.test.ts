// Enumerate options as grpc-gateway query parameters (every option the list functions accept).
import { enumerateBody, enumerateQuery } from "../../../provider/functions";
import { contractValidator } from "../../../tools/simulator/contract-validator";
import { encodeQuery } from "../../../provider/client";

test("every enumerate option maps to its dotted query name; lists repeat; labels use [key]", () => {
    const q = enumerateQuery(
        {
            pageSize: 50,
            nameFilter: "nightly",
            clusterNameFilter: "prod",
            clusterUidFilter: "c-1",
            owners: ["u1", "u2"],
            status: ["Success", "PartialSuccess"],
            labels: { env: "prod" },
            timeRange: { startTime: "2026-01-01T00:00:00Z", endTime: "2026-02-01T00:00:00Z" },
            includeDetailedResources: false,
            backupObjectType: "VirtualMachine",
            sortBy: "Name",
            sortOrder: "Ascending",
            backupLocationRef: { name: "s3" },
        },
        100,
    );
    expect(q).toEqual({
        "enumerate_options.max_objects": "50",
        "enumerate_options.object_index": "100",
        "enumerate_options.name_filter": "nightly",
        "enumerate_options.cluster_name_filter": "prod",
        "enumerate_options.cluster_uid_filter": "c-1",
        "enumerate_options.owners": ["u1", "u2"],
        "enumerate_options.status": ["Success", "PartialSuccess"],
        "enumerate_options.time_range.start_time": "2026-01-01T00:00:00Z",
        "enumerate_options.time_range.end_time": "2026-02-01T00:00:00Z",
        "enumerate_options.include_detailed_resources": "false",
        "enumerate_options.backup_object_type": "VirtualMachine",
        "enumerate_options.sort_option.sortBy.type": "Name",
        "enumerate_options.sort_option.sortOrder.type": "Ascending",
        "enumerate_options.labels[env]": "prod",
        "backup_location_ref.name": "s3",
        "backup_location_ref.uid": undefined,
    });
    expect(encodeQuery(q)).toContain("enumerate_options.owners=u1&enumerate_options.owners=u2");
    expect(encodeQuery(enumerateQuery({}, 0))).toBe("");
});

test("page size: pageSize, but never more than the objects still wanted under maxObjects", () => {
    const size = (a: Parameters<typeof enumerateQuery>[0], remaining?: number) =>
        enumerateQuery(a, 0, remaining)["enumerate_options.max_objects"];
    expect(size({ pageSize: 50 })).toBe("50");
    expect(size({ pageSize: 50, maxObjects: 7 }, 7)).toBe("7");
    expect(size({ pageSize: 5, maxObjects: 7 }, 7)).toBe("5");
    expect(size({ maxObjects: 7 }, 2)).toBe("2");
    expect(size({})).toBeUndefined();
});

test("reference filters go in the POST enumerate body, with every other option, as the contract has them", () => {
    const args = {
        pageSize: 10,
        nameFilter: "nightly",
        status: ["Success"],
        labels: { env: "prod" },
        includeDetailedResources: true,
        timeRange: { startTime: "2026-01-01T00:00:00Z" },
        sortBy: "Name" as const,
        sortOrder: "Ascending" as const,
        schedulePolicyRefs: [{ name: "daily" }, { uid: "p-2" }],
        backupScheduleRefs: [{ name: "nightly", uid: "s-1" }],
    };
    const body = enumerateBody("default", args, 20, 5);
    expect(body).toEqual({
        org_id: "default",
        enumerate_options: {
            max_objects: "5",
            object_index: "20",
            name_filter: "nightly",
            status: ["Success"],
            labels: { env: "prod" },
            include_detailed_resources: true,
            time_range: { start_time: "2026-01-01T00:00:00Z" },
            sort_option: { sortBy: { type: "Name" }, sortOrder: { type: "Ascending" } },
            schedule_policy_ref: [{ name: "daily" }, { uid: "p-2" }],
            backup_schedule_ref: [{ name: "nightly", uid: "s-1" }],
        },
    });
    const v = contractValidator();
    expect(v.request("Backup_Enumerate2", body)).toBeUndefined();
    const withLocation = enumerateBody("default", { ...args, backupLocationRef: { name: "s3" } }, 0);
    expect(withLocation.backup_location_ref).toEqual({ name: "s3" });
    expect(v.request("BackupSchedule_Enumerate2", withLocation)).toBeUndefined();
});
