// Rule: pre/post-exec commands run in the pods matching a selector around a backup.
import { bool, labelMap, list, metadataOutputs, obj, str } from "./common";
import type { KindSpec } from "./spec";

export const RULE: KindSpec = {
    name: "Rule",
    basePath: "/v1/rule",
    responseKey: "rule",
    listKey: "rules",
    infoKey: "rules_info",
    requestKey: "rules_info",
    nameFormat: "objectName",
    fields: {
        rules: {
            type: list(
                obj({
                    podSelector: { type: labelMap, required: true },
                    actions: {
                        type: list(
                            obj({
                                background: { type: bool },
                                runInSinglePod: { type: bool },
                                value: { type: str("nonEmpty"), required: true },
                            }),
                        ),
                        required: true,
                    },
                    container: { type: str() },
                }),
            ),
            required: true,
        },
    },
    outputs: { ...metadataOutputs },
    updateWire: ["rules"],
};
