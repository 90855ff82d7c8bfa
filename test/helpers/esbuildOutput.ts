/**
 * A small real esbuild build for the bundle cache tests: bundles `<dir>/<entry>` as an ES module with the
 * given `define`s and returns what `cachedBuild` caches: the text and every input file (absolute).
 */
import * as path from "node:path";
import { buildSync } from "esbuild";
import type { BuildOutput } from "../../components/cloudflare/bundleCache";

export interface TestBuildOptions {
    /** Entry module, relative to the directory. */
    readonly entry: string;
    /** esbuild `define`s (identifier → JavaScript expression). @default {} */
    readonly define?: Readonly<Record<string, string>>;
    /** Minify. @default false */
    readonly minify?: boolean;
}

export function esbuildOutput(dir: string, options: TestBuildOptions): BuildOutput<string> {
    const result = buildSync({
        absWorkingDir: dir,
        entryPoints: [path.join(dir, options.entry)],
        bundle: true,
        write: false,
        format: "esm",
        define: { ...options.define },
        minify: options.minify ?? false,
        metafile: true,
        logLevel: "silent",
    });
    return { value: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs).map((input) => path.resolve(dir, input)) };
}
