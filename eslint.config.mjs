// ESLint flat config. Syntax-only rules (no type information): `npm run lint` runs `tsc --noEmit`
// right after, so type-aware lint rules would pay for a second full program load of the provider SDKs.
import eslint from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    { ignores: ["node_modules/", "bin/", ".ci/.cache/"] },
    {
        files: ["**/*.ts"],
        extends: [eslint.configs.recommended, tseslint.configs.recommended],
        rules: {
            // `any` stays visible but does not block: Pulumi's mock and output APIs hand back untyped
            // values at a few boundaries; everywhere else a real type (or `unknown`) is expected.
            "@typescript-eslint/no-explicit-any": "warn",
            // The TS-aware rule replaces the core one. `_arg` marks a parameter kept for its position;
            // `const { dropped, ...rest } = x` is how a key is left out of a copy, so rest siblings are used.
            "no-unused-vars": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // Components are the typed public API: no `any` at all.
        files: ["components/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "error" },
    },
    {
        // Tests read captured plan inputs, which are untyped JSON by nature.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
