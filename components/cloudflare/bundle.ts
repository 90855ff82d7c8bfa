/**
 * Bundles a Worker's entry module with esbuild into one ES module, the way the Workers runtime loads it.
 * The output is byte-identical for identical sources: paths in it are relative to the service directory,
 * nothing time- or machine-dependent is embedded, and its SHA-256 is returned so a resource can carry it.
 *
 * Imports of non-JavaScript files (`import page from "./page.html"`) follow wrangler's module rules
 * (https://developers.cloudflare.com/workers/wrangler/bundling/#including-non-javascript-modules): the
 * declared rules, then wrangler's defaults (`components/service/workerSettings.ts`). Such a file is not
 * bundled but uploaded beside the bundle as a module of its type (Text, Data, CompiledWasm), named
 * `<name>-<content hash>.<ext>` by esbuild's `copy` loader, which rewrites the import to that name
 * (https://esbuild.github.io/content-types/#copy). The names derive from the file contents, so the bundle
 * stays deterministic.
 */
import type * as cloudflare from "@pulumi/cloudflare";
import * as path from "node:path";
import { buildSync, type BuildOptions, type Message } from "esbuild";
import { z } from "zod";
import { MODULE_TYPES, moduleTypesByExtension, type ModuleRule, type ModuleType } from "../service/workerSettings";
import { UserError } from "../validation";
import { bundleCacheDir, cachedBuild, sha256, type BuildOutput } from "./bundleCache";

/** A module uploaded beside the bundle (a Text, Data or CompiledWasm import). */
export interface AdditionalModule {
    /** Part name in the upload, as the bundle imports it (`page-5HUXFMJT.html`). */
    readonly name: string;
    readonly type: ModuleType;
    /** Content-Type of the part (`text/plain`, `application/octet-stream`, `application/wasm`). */
    readonly contentType: string;
    /** The file's bytes, base64. */
    readonly contentBase64: string;
    /** Lowercase hex SHA-256 of the file's bytes. */
    readonly sha256: string;
}

/** A bundled Worker. */
export interface WorkerBundle {
    /** The module text (ES module, UTF-8). */
    readonly content: string;
    /** Lowercase hex SHA-256 of `content`'s UTF-8 bytes. */
    readonly sha256: string;
    /** Name of the main module part in the upload. */
    readonly mainModule: string;
    /** Modules the bundle imports, sorted by name; empty when it imports no non-JavaScript file. */
    readonly modules: readonly AdditionalModule[];
    /**
     * The names the main module exports (`default`, Durable Object and Workflow classes, entrypoints), sorted,
     * as esbuild's metafile lists them (https://esbuild.github.io/api/#metafile).
     */
    readonly exports: readonly string[];
}

/** How to bundle (the declaration's `minify` and `moduleRules`). */
export interface BundleOptions {
    /** Minify, names kept. @default true */
    readonly minify?: boolean;
    /** Declared module rules, in front of wrangler's defaults. @default [] */
    readonly moduleRules?: readonly ModuleRule[];
}

/** One esbuild error or warning as `file:line:column: text` (just `text` when it has no location). */
export function esbuildProblem(message: Message): string {
    return `${message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : ""}${message.text}`;
}

/** Raised when esbuild cannot bundle the entry; lists every error with file and line. */
export class BundleError extends UserError {
    /** Each error, `file:line:column: text` (paths relative to the service directory). */
    readonly problems: readonly string[];

    constructor(entry: string, errors: readonly Message[]) {
        const problems = errors.map(esbuildProblem);
        super(`Cannot bundle ${entry}:\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "BundleError";
        this.problems = problems;
    }
}

/** Where esbuild places the output in memory (nothing is written). */
const OUT_DIR = "/bundle";
const MAIN_MODULE = "index.js";

/**
 * Bundles `main` (relative to `root`) for the Workers runtime: ES2022, ESM, `workerd`/`worker`/`browser`
 * export conditions, `cloudflare:*` and `node:*` imports left to the runtime, minified with names kept
 * (unless `options.minify` is false), non-JavaScript imports as additional modules. An unchanged entry (same
 * options, same files) comes from the bundle cache instead (`./bundleCache.ts`; `PLATFORM_BUNDLE_CACHE=off`
 * turns it off); the result is the same either way.
 *
 * @param root absolute path of the service directory.
 * @param main entry module, relative to `root`.
 * @throws {BundleError} when the entry or one of its imports cannot be resolved or parsed; {@link UserError}
 *   naming `PLATFORM_BUNDLE_CACHE` when it is neither `on` nor `off`.
 */
export function bundleWorker(root: string, main: string, options: BundleOptions = {}): WorkerBundle {
    const types = moduleTypesByExtension(options.moduleRules ?? []);
    const buildOptions = {
        absWorkingDir: root,
        entryPoints: [path.join(root, main)],
        bundle: true,
        write: false,
        outdir: OUT_DIR,
        entryNames: path.parse(MAIN_MODULE).name,
        assetNames: "[name]-[hash]",
        loader: Object.fromEntries([...types.keys()].map((extension) => [`.${extension}`, "copy" as const])),
        format: "esm",
        platform: "neutral",
        target: "es2022",
        conditions: ["workerd", "worker", "browser"],
        mainFields: ["module", "main"],
        external: ["cloudflare:*", "node:*"],
        minify: options.minify ?? true,
        keepNames: true,
        legalComments: "none",
        charset: "utf8",
        sourcemap: false,
        logLevel: "silent",
        metafile: true,
    } satisfies BuildOptions;
    const key = { kind: "worker", options: { build: buildOptions, types: [...types] }, codeFiles: [__filename, WORKER_SETTINGS_MODULE] };
    return cachedBuild(bundleCacheDir(), key, workerBundleSchema, () => build(main, buildOptions, types)).value;
}

/** The source of the module rules and types (`components/service/workerSettings.ts`): part of the cache key. */
const WORKER_SETTINGS_MODULE = path.resolve(__dirname, "..", "service", "workerSettings.ts");

/** A cached {@link WorkerBundle}, checked before use. */
const workerBundleSchema: z.ZodType<WorkerBundle> = z.object({
    content: z.string(),
    sha256: z.string(),
    mainModule: z.string(),
    modules: z.array(z.object({
        name: z.string(),
        type: z.enum(Object.keys(MODULE_TYPES) as [ModuleType, ...ModuleType[]]),
        contentType: z.string(),
        contentBase64: z.string(),
        sha256: z.string(),
    })),
    exports: z.array(z.string()),
});

/** Runs esbuild: the bundle and every file it read (for the cache). */
function build(main: string, buildOptions: BuildOptions & { absWorkingDir: string }, types: ReadonlyMap<string, ModuleType>): BuildOutput<WorkerBundle> {
    let result: ReturnType<typeof buildSync>;
    try {
        result = buildSync(buildOptions);
    } catch (error) {
        // esbuild throws on errors, with the structured messages attached.
        const errors = (error as { errors?: Message[] }).errors;
        throw errors !== undefined ? new BundleError(main, errors) : error;
    }
    const mainPath = path.join(OUT_DIR, MAIN_MODULE);
    const file = result.outputFiles?.find((f) => f.path === mainPath);
    if (file === undefined) {
        throw new BundleError(main, [{ text: "esbuild produced no output" } as Message]);
    }
    const modules = (result.outputFiles ?? []).filter((f) => f !== file).map((f): AdditionalModule => {
        const name = path.relative(OUT_DIR, f.path).split(path.sep).join("/");
        const type = types.get(path.extname(name).slice(1))!;
        return {
            name,
            type,
            contentType: MODULE_TYPES[type],
            contentBase64: Buffer.from(f.contents).toString("base64"),
            sha256: sha256(f.contents),
        };
    }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const content = file.text;
    const entryOutput = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint !== undefined);
    const exports = [...(entryOutput?.exports ?? [])].sort();
    return {
        value: { content, sha256: sha256(file.contents), mainModule: MAIN_MODULE, modules, exports },
        inputs: Object.keys(result.metafile?.inputs ?? {}).map((input) => path.resolve(buildOptions.absWorkingDir, input)),
    };
}

/**
 * The modules as `WorkersScript` `files` of @pulumi/cloudflare 6.22.1 ("additional modules ... Map keys are
 * multipart part names referenced by ... module imports"): `{ contentBase64, contentSha256, contentType }` by name.
 */
export function uploadFiles(modules: readonly AdditionalModule[]): Record<string, cloudflare.types.input.WorkersScriptFiles> {
    return Object.fromEntries(modules.map((m) => [m.name, { contentBase64: m.contentBase64, contentSha256: m.sha256, contentType: m.contentType }]));
}
