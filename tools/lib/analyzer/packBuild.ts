/**
 * A policy pack built for a fast start: its TypeScript bundled by esbuild into one CommonJS file that Node runs
 * as the pack's process (`node <file>` in the pack directory), instead of run-policy-pack, which loads the
 * TypeScript compiler and compiles and type-checks every module of the pack with its ts-node on each start
 * (0.9 s with ts-node's cache warm, about 8 s cold on these machines, against about 0.25 s for the built file).
 *
 * What runs is the same code: the pack's entry (`main` of its package.json) and the modules it imports from
 * this repository are bundled; every package (`@pulumi/policy`, `@pulumi/cloudflare`, `zod`, ...) stays an
 * import that Node resolves at run time from the pack's directory (the process's working directory, as the CLI
 * starts it), exactly as the unbuilt pack resolves them. Constructing the `PolicyPack` starts its analyzer
 * server and prints the port, as under run-policy-pack, which adds nothing else a pack's server uses (it drops
 * the engine address, registers ts-node, and hooks V8 for closure serialization). In front of the pack runs one
 * module of the tools, `../deferredSdkModules.ts`, which keeps the Pulumi SDK's unused `@npmcli/arborist`,
 * TypeScript compiler and Automation API from loading in the pack's process. Type errors are `npm run typecheck`'s to find.
 * The build goes through the bundle cache (`components/cloudflare/bundleCache.ts`): an unchanged pack is
 * not rebuilt.
 *
 * Only the offline plan runs the pack this way; `pulumi preview --policy-pack policies` runs it as it always
 * did (README, "Policies").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync, type BuildOptions, type Message } from "esbuild";
import { z } from "zod";
import { esbuildProblem } from "../../../components/cloudflare/bundle";
import { bundleCacheDir, cachedBuild, markUsed, sha256, writeAtomically, type BuildOutput } from "../../../components/cloudflare/bundleCache";
import { UserError } from "../../../components/validation";

/**
 * Bundles the pack in `packDir` (absolute) and writes it to `.platform/cache/bundles/policy-pack-<sha256>.js`,
 * unless that file holds it already.
 * @returns the absolute path of the built file, for Node to run in the pack directory; undefined when the
 *   bundle cache is off (`PLATFORM_BUNDLE_CACHE=off`) or the file cannot be written: the pack then runs
 *   unbuilt, as the CLI runs it.
 * @throws {UserError} when the pack's entry does not bundle (a syntax error, an import that does not resolve),
 *   naming each problem with its file and line.
 */
export function buildPolicyPack(packDir: string): string | undefined {
    const cacheDir = bundleCacheDir();
    if (cacheDir === false) return undefined;
    const entry = packEntry(packDir);
    const buildOptions = {
        absWorkingDir: packDir,
        // The pack's entry, after what run-policy-pack does first (stack traces through source maps, with the SDK's
        // own source-map-support) and the stand-ins that keep the SDK's unused @npmcli/arborist, TypeScript compiler
        // and Automation API from loading (../deferredSdkModules.ts: about 0.17 s, 0.15 s and 0.02 s of the pack's start).
        stdin: {
            contents: [
                'require(require("node:module").createRequire(require.resolve("@pulumi/pulumi/package.json")).resolve("source-map-support/register"));',
                `const deferred = require(${JSON.stringify(DEFERRED_SDK_MODULES)});`,
                "deferred.deferTypeScript();",
                "deferred.deferAutomation();",
                `module.exports = require(${JSON.stringify(entry)});`,
                "",
            ].join("\n"),
            resolveDir: packDir,
            sourcefile: STDIN_NAME,
            loader: "js",
        },
        bundle: true,
        write: false,
        outfile: path.join(packDir, "index.js"),
        format: "cjs",
        platform: "node",
        target: "node20",
        packages: "external",
        // Packages resolve from the pack directory (run-policy-pack's working directory), as for the unbuilt pack.
        banner: { js: 'var require = require("node:module").createRequire(require("node:path").join(process.cwd(), "package.json"));' },
        // Stack traces of a policy that throws point into the pack's sources (relative to `outfile`'s directory,
        // the pack directory, wherever the built file lands).
        sourcemap: "inline",
        sourceRoot: `${packDir}${path.sep}`,
        sourcesContent: false,
        charset: "utf8",
        logLevel: "silent",
        metafile: true,
    } satisfies BuildOptions;
    const { value } = cachedBuild(cacheDir, { kind: "policy-pack", options: buildOptions, codeFiles: [__filename] }, z.string(), (): BuildOutput<string> => {
        let result: ReturnType<typeof buildSync>;
        try {
            result = buildSync(buildOptions);
        } catch (error) {
            const errors = (error as { errors?: Message[] }).errors;
            if (errors === undefined) throw error;
            throw new UserError(`the policy pack in ${packDir} does not build:\n${errors.map((e) => `  - ${esbuildProblem(e)}`).join("\n")}`);
        }
        return {
            value: result.outputFiles![0]!.text,
            inputs: Object.keys(result.metafile!.inputs).filter((input) => input !== STDIN_NAME).map((input) => path.resolve(packDir, input)),
        };
    });
    const file = path.join(cacheDir, `policy-pack-${sha256(value)}.js`);
    // Named by its content's hash and written atomically: a file under that name holds this very text.
    if (fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true) {
        markUsed(file);
        return file;
    }
    return writeAtomically(file, value) ? file : undefined;
}

/** The module that defers the SDK's unused modules, bundled in front of the pack. */
const DEFERRED_SDK_MODULES = path.resolve(__dirname, "..", "deferredSdkModules.ts");
/** The name of the generated entry in the bundle's source map. */
const STDIN_NAME = "platform-policy-pack-entry.js";

/** The pack's entry module: `main` of its package.json (run-policy-pack's `.`), else `index.ts` / `index.js`. */
function packEntry(packDir: string): string {
    let main: unknown;
    try {
        main = (JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as { main?: unknown }).main;
    } catch {
        main = undefined;
    }
    const candidates = typeof main === "string" && main !== "" ? [main] : ["index.ts", "index.js"];
    const found = candidates.map((c) => path.resolve(packDir, c)).find((file) => fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true);
    if (found === undefined) throw new UserError(`the policy pack in ${packDir} has no entry module: expected ${candidates.join(" or ")} (main of its package.json)`);
    return found;
}
