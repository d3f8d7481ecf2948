// Rules: pre/post exec commands selected by pod labels.
import { invalid } from "../errors";
import { Wire } from "../store";
import { KindSpec, applyMetadataUpdate, isSet } from "./spec";

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

export const rule: KindSpec = {
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
