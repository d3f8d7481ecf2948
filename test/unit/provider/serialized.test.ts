// The dynamic provider objects: one per kind (Pulumi serializes each provider object once and reuses the text).
import { dynamicProvider } from "../../../provider/serialized";

test("one provider object per kind, reused by every resource of that kind", () => {
    const backup = dynamicProvider("Backup");
    expect(dynamicProvider("Backup")).toBe(backup);
    expect(dynamicProvider("Cluster")).not.toBe(backup);
    expect(dynamicProvider("Cluster")).toBe(dynamicProvider("Cluster"));
});
