// Lint rules for the whole repository (`npm run lint`, part of .ci/run). Formatting is prettier's job.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "build/", "coverage/", "**/node_modules/", "examples/**/bin/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { globals: globals.node },
        rules: {
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
            ],
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        // Wire-level code handles JSON whose shape comes from the kinds table (or the Kubernetes API) at run time.
        files: [
            "provider/wire.ts",
            "provider/client.ts",
            "provider/functions.ts",
            "provider/machinery.ts",
            "provider/kinds.ts",
            "provider/kinds/**/*.ts",
            "provider/serialized.ts",
            "tools/schema/generate.ts",
            "tools/simulator/**/*.ts",
            "tools/engine/stack.ts",
            "tools/local/cluster.ts",
            "tools/local/pod.ts",
        ],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        // Tests poke at untyped JSON (wire bodies, rendered manifests, mocks' state) on purpose.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
