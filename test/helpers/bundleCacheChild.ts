/**
 * Child-process entry of the concurrent-writers test (`bundleCache.test.ts`), one of two processes that build
 * through the same bundle cache at once:
 *
 *   node --import tsx test/helpers/bundleCacheChild.ts <cache dir> <source dir> <builds>
 *
 * Waits until `<cache dir>/../go` exists (so both start together; at most 60 s), then builds `<source dir>/index.ts` with
 * `<builds>` different `define`s through `cachedBuild`, and prints one JSON line per build:
 * `{ "build": i, "sha256": <of the bundle>, "hit": boolean }`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { cachedBuild } from "../../components/cloudflare/bundleCache";
import { esbuildOutput } from "./esbuildOutput";
import { z } from "zod";

function main(cacheDir: string, sourceDir: string, builds: number): void {
    const go = path.join(path.dirname(cacheDir), "go");
    const giveUp = Date.now() + 60_000; // never outlive a test that failed before saying go
    while (!fs.existsSync(go)) {
        if (Date.now() > giveUp) throw new Error(`${go} did not appear within 60 s`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
    for (let i = 0; i < builds; i++) {
        const options = { entry: "index.ts", define: { BUILD: String(i) } };
        const { value, hit } = cachedBuild(cacheDir, { kind: "test", options }, z.string(), () => esbuildOutput(sourceDir, options));
        process.stdout.write(JSON.stringify({ build: i, sha256: createHash("sha256").update(value).digest("hex"), hit }) + "\n");
    }
}

main(process.argv[2]!, process.argv[3]!, Number(process.argv[4]));
