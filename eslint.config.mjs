// ESLint flat config. Syntax-only rules (no type information): `npm run lint` runs `tsc --noEmit`
// right after, so type-aware lint rules would pay for a second full program load of the provider SDKs.
import eslint from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    { ignores: ["node_modules/", "bin/", ".ci/.cache/", "components/dist/", "examples/**/node_modules/"] },
    {
        files: ["**/*.ts"],
        extends: [eslint.configs.recommended, tseslint.configs.recommended],
        rules: {
            // No `any` outside tests: untyped values (resource inputs, policy props, JSON documents) are
            // `unknown` and read through narrowing helpers (policy/rules/lib/read.ts).
            "@typescript-eslint/no-explicit-any": "error",
            // The TS-aware rule replaces the core one. `_arg` marks a parameter kept for its position;
            // `const { dropped, ...rest } = x` is how a key is left out of a copy, so rest siblings are used.
            "no-unused-vars": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // Tests read captured plan inputs, which are untyped JSON by nature.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
