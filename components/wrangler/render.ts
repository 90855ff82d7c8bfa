/**
 * Renders a generated wrangler config as files for a directory: `wrangler.jsonc` (paths rebased so
 * they resolve from that directory, since wrangler resolves `main`, `migrations_dir`, `migrations_pattern` and
 * `assets.directory` relative to the config file) and `.dev.vars.example` listing the secret names with empty values. Pure.
 */
import * as path from "node:path";
import type { GeneratedWranglerConfig } from "./generate";

/** File name → text. */
export type RenderedFiles = Readonly<Record<"wrangler.jsonc" | ".dev.vars.example", string>>;

/**
 * @param generated the output of `generateWranglerConfig`.
 * @param toProjectRoot POSIX path from the directory the files go to back to the project root (`../../..`).
 * @param header one or more lines placed as `//` comments at the top of `wrangler.jsonc`.
 */
export function renderWranglerFiles(generated: GeneratedWranglerConfig, toProjectRoot: string, header: readonly string[]): RenderedFiles {
    const config = structuredClone(generated.config) as Record<string, unknown>;
    config.main = path.posix.join(toProjectRoot, String(config.main));
    if (Array.isArray(config.d1_databases)) {
        for (const db of config.d1_databases as Record<string, unknown>[]) {
            db.migrations_dir = path.posix.join(toProjectRoot, String(db.migrations_dir));
            // wrangler reads migrations_pattern relative to the config file too, and requires it under migrations_dir.
            if (typeof db.migrations_pattern === "string") db.migrations_pattern = path.posix.join(toProjectRoot, db.migrations_pattern);
        }
    }
    const assets = config.assets as Record<string, unknown> | undefined;
    if (typeof assets?.directory === "string") assets.directory = path.posix.join(toProjectRoot, assets.directory);
    const jsonc = header.map((line) => `// ${line}`).join("\n") + "\n" + JSON.stringify(config, null, "\t") + "\n";
    const devVars = [
        "# Secrets for local development. `npm run dev` reads them from services/<service>/.dev.vars;",
        "# plain `wrangler dev` from a .dev.vars beside wrangler.jsonc. Copy, fill in, never commit.",
        ...generated.secretNames.map((name) => `${name}=`),
    ].join("\n") + "\n";
    return { "wrangler.jsonc": jsonc, ".dev.vars.example": devVars };
}
