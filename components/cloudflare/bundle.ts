/**
 * Bundles a Worker's entry module with esbuild into one ES module, the way the Workers runtime loads it.
 * The output is byte-identical for identical sources: paths in it are relative to the service directory,
 * nothing time- or machine-dependent is embedded, and its SHA-256 is returned so a resource can carry it.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { buildSync, type Message } from "esbuild";
import { UserError } from "../validation";

/** A bundled Worker. */
export interface WorkerBundle {
    /** The module text (ES module, UTF-8). */
    readonly content: string;
    /** Lowercase hex SHA-256 of `content`'s UTF-8 bytes. */
    readonly sha256: string;
    /** Name of the main module part in the upload. */
    readonly mainModule: string;
}

/** Raised when esbuild cannot bundle the entry; lists every error with file and line. */
export class BundleError extends UserError {
    constructor(entry: string, errors: readonly Message[]) {
        super(`Cannot bundle ${entry}:\n` + errors.map((e) =>
            `  - ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ""}${e.text}`).join("\n"));
        this.name = "BundleError";
    }
}

/**
 * Bundles `main` (relative to `root`) for the Workers runtime: ES2022, ESM, `workerd`/`worker`/`browser`
 * export conditions, `cloudflare:*` and `node:*` imports left to the runtime, minified with names kept.
 *
 * @param root absolute path of the service directory.
 * @param main entry module, relative to `root`.
 * @throws {BundleError} when the entry or one of its imports cannot be resolved or parsed.
 */
export function bundleWorker(root: string, main: string): WorkerBundle {
    let result: ReturnType<typeof buildSync>;
    try {
        result = buildSync({
            absWorkingDir: root,
            entryPoints: [path.join(root, main)],
            bundle: true,
            write: false,
            format: "esm",
            platform: "neutral",
            target: "es2022",
            conditions: ["workerd", "worker", "browser"],
            mainFields: ["module", "main"],
            external: ["cloudflare:*", "node:*"],
            minify: true,
            keepNames: true,
            legalComments: "none",
            charset: "utf8",
            sourcemap: false,
            logLevel: "silent",
        });
    } catch (error) {
        // esbuild throws on errors, with the structured messages attached.
        const errors = (error as { errors?: Message[] }).errors;
        throw errors !== undefined ? new BundleError(main, errors) : error;
    }
    const file = result.outputFiles?.[0];
    if (file === undefined) {
        throw new BundleError(main, [{ text: "esbuild produced no output" } as Message]);
    }
    const content = file.text;
    return { content, sha256: createHash("sha256").update(file.contents).digest("hex"), mainModule: "index.js" };
}
