/**
 * The bundle cache (components/cloudflare/bundleCache.ts): a hit only for the same key and the same files,
 * a miss for any change to an imported file, an option, the bundler's version or a resolution file; corrupt
 * entries are rebuilt; two processes writing at once leave only whole entries; `bundleWorker` gives the same
 * bundle through the cache as without it.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { bundleWorker } from "../components/cloudflare/bundle";
import { BUNDLE_CACHE_ENV, bundleCacheDir, cachedBuild, DEFAULT_BUNDLE_CACHE_DIR, type BundleCacheKey } from "../components/cloudflare/bundleCache";
import type { ModuleRule } from "../components/service/workerSettings";
import { PROJECT_ROOT } from "../infra/program";
import { esbuildOutput, type TestBuildOptions } from "./helpers/esbuildOutput";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-cache-test-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
/** A fresh source directory (index.ts importing ./lib/greet.ts) and a fresh cache directory. */
function fixture(): { src: string; cache: string } {
    const base = path.join(scratch, `case-${dirs++}`);
    const src = path.join(base, "src");
    fs.mkdirSync(path.join(src, "lib"), { recursive: true });
    fs.writeFileSync(path.join(src, "index.ts"), 'import { greet } from "./lib/greet";\nexport default { fetch: () => new Response(greet("world")) };\n');
    fs.writeFileSync(path.join(src, "lib", "greet.ts"), "export const greet = (name: string): string => `hello ${name}`;\n");
    return { src, cache: path.join(base, "cache") };
}

/** Builds through the cache, counting the builds that really ran. */
function builder(src: string, cache: string) {
    let builds = 0;
    const run = (options: TestBuildOptions = { entry: "index.ts" }, key: Partial<BundleCacheKey> = {}) => cachedBuild(cache, { kind: "test", options, ...key }, z.string(), () => {
        builds += 1;
        return esbuildOutput(src, options);
    });
    return { run, builds: () => builds };
}

const entries = (cache: string) => fs.readdirSync(cache).filter((f) => f.endsWith(".json"));

describe("cachedBuild", () => {
    it("hits on unchanged sources without building, with the same value", () => {
        const { src, cache } = fixture();
        const b = builder(src, cache);
        const cold = b.run();
        const warm = b.run();
        expect([cold.hit, warm.hit, b.builds()]).toEqual([false, true, 1]);
        expect(warm.value).toBe(cold.value);
        expect(warm.value).toBe(esbuildOutput(src, { entry: "index.ts" }).value);
    });

    it("misses when an imported file changes, and finds the earlier entry again when it changes back", () => {
        const { src, cache } = fixture();
        const b = builder(src, cache);
        const greet = path.join(src, "lib", "greet.ts");
        const original = fs.readFileSync(greet, "utf8");
        const first = b.run();
        fs.writeFileSync(greet, original.replace("hello", "goodbye"));
        const changed = b.run();
        expect(changed.hit).toBe(false);
        expect(changed.value).toContain("goodbye");
        expect(b.run().hit).toBe(true);
        fs.writeFileSync(greet, original);
        const back = b.run();
        expect(back.hit).toBe(true);
        expect(back.value).toBe(first.value);
        expect(b.builds()).toBe(2);
    });

    it("misses for other options, another esbuild version, another kind or other building code", () => {
        const { src, cache } = fixture();
        const b = builder(src, cache);
        b.run();
        expect(b.run({ entry: "index.ts", minify: true }).hit).toBe(false);
        expect(b.run({ entry: "index.ts" }, { toolVersion: "0.0.1" }).hit).toBe(false);
        expect(b.run({ entry: "index.ts" }, { kind: "other" }).hit).toBe(false);
        const code = path.join(src, "builder.ts");
        fs.writeFileSync(code, "// version 1\n");
        expect(b.run({ entry: "index.ts" }, { codeFiles: [code] }).hit).toBe(false);
        expect(b.run({ entry: "index.ts" }, { codeFiles: [code] }).hit).toBe(true);
        fs.writeFileSync(code, "// version 2\n");
        expect(b.run({ entry: "index.ts" }, { codeFiles: [code] }).hit).toBe(false);
        expect(b.run().hit).toBe(true);
    });

    it("misses when a tsconfig.json or package.json appears beside an input or above it", () => {
        const { src, cache } = fixture();
        const b = builder(src, cache);
        b.run();
        fs.writeFileSync(path.join(src, "lib", "tsconfig.json"), "{}\n");
        expect(b.run().hit).toBe(false);
        fs.writeFileSync(path.join(src, "package.json"), '{ "name": "x" }\n');
        expect(b.run().hit).toBe(false);
        expect(b.run().hit).toBe(true);
    });

    it("misses when an input is deleted, and reports the build's error, which is not cached", () => {
        const { src, cache } = fixture();
        const b = builder(src, cache);
        b.run();
        fs.rmSync(path.join(src, "lib", "greet.ts"));
        expect(() => b.run()).toThrow(/Could not resolve "\.\/lib\/greet"/);
        expect(() => b.run()).toThrow(/Could not resolve/);
        expect(b.builds()).toBe(3);
    });

    it("ignores truncated, altered and unreadable entries and indexes, and rebuilds them", () => {
        const { src, cache } = fixture();
        const b = builder(src, cache);
        const good = b.run().value;
        const [entry] = entries(cache);
        const file = path.join(cache, entry!);
        const text = fs.readFileSync(file, "utf8");
        const corruptions = [
            text.slice(0, text.length / 2), // a partial write
            text.replace("hello", "HELLO"), // the value altered: its hash no longer matches
            JSON.stringify({ ...JSON.parse(text), value: 42 }).replace(/"valueSha256":"[^"]+"/, `"valueSha256":"${"0".repeat(64)}"`),
            "",
        ];
        for (const corrupt of corruptions) {
            fs.writeFileSync(file, corrupt);
            const rebuilt = b.run();
            expect(rebuilt.hit).toBe(false);
            expect(rebuilt.value).toBe(good);
            expect(fs.readFileSync(file, "utf8")).toBe(text);
        }
        const index = path.join(cache, "index", fs.readdirSync(path.join(cache, "index"))[0]!);
        fs.writeFileSync(index, "{ not json");
        expect(b.run().hit).toBe(false);
        expect(b.run().hit).toBe(true);
        expect(b.builds()).toBe(1 + corruptions.length + 1);
    });

    it("stays whole when two processes build and write the same entries at once", async () => {
        const { src, cache } = fixture();
        const builds = 12;
        const child = () => new Promise<{ build: number; sha256: string; hit: boolean }[]>((resolve, reject) => {
            const proc = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "helpers", "bundleCacheChild.ts"), cache, src, String(builds)], {
                cwd: PROJECT_ROOT,
                stdio: ["ignore", "pipe", "pipe"],
            });
            let out = "";
            let err = "";
            proc.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
            proc.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
            proc.once("error", reject);
            proc.once("close", (code) => code === 0 ? resolve(out.trim().split("\n").map((l) => JSON.parse(l))) : reject(new Error(`child exited ${code}: ${err}`)));
        });
        const both = Promise.all([child(), child()]);
        fs.writeFileSync(path.join(path.dirname(cache), "go"), "");
        const [one, two] = await both;
        const expected = Array.from({ length: builds }, (_, i) => esbuildOutput(src, { entry: "index.ts", define: { BUILD: String(i) } }).value);
        const digest = (text: string) => createHash("sha256").update(text).digest("hex");
        for (const results of [one!, two!]) expect(results.map((r) => r.sha256)).toEqual(expected.map(digest));
        // Every entry left is whole: a third reader hits each one, with the right value; no temporary file is left.
        expect(fs.readdirSync(cache).filter((f) => f.endsWith(".tmp"))).toEqual([]);
        expect(entries(cache)).toHaveLength(builds);
        for (let i = 0; i < builds; i++) {
            const options = { entry: "index.ts", define: { BUILD: String(i) } };
            const read = cachedBuild(cache, { kind: "test", options }, z.string(), () => { throw new Error(`build ${i} was not cached`); });
            expect(read).toEqual({ value: expected[i], hit: true });
        }
    }, 120_000);

    it("removes what was not used for 14 days on a process's first miss, and keeps what a hit used", () => {
        const { src, cache } = fixture();
        const b = builder(src, cache);
        b.run({ entry: "index.ts" });
        b.run({ entry: "index.ts", minify: true });
        // A cache directory this process has not pruned yet, holding both entries, every file 20 days old.
        const aged = `${cache}-aged`;
        fs.cpSync(cache, aged, { recursive: true });
        const old = new Date(Date.now() - 20 * 24 * 60 * 60 * 1000);
        const files = () => [...entries(aged), ...fs.readdirSync(path.join(aged, "index")).map((f) => path.join("index", f))].sort();
        for (const f of files()) fs.utimesSync(path.join(aged, f), old, old);
        const before = files();
        const c = builder(src, aged);
        expect(c.run({ entry: "index.ts" }).hit).toBe(true); // used: kept
        expect(c.run({ entry: "index.ts", define: { X: "1" } }).hit).toBe(false); // the first miss prunes
        expect(files()).toHaveLength(before.length); // the minified pair went, the new pair came
        expect(c.run({ entry: "index.ts" }).hit).toBe(true);
        expect(c.run({ entry: "index.ts", minify: true }).hit).toBe(false);
        expect(c.builds()).toBe(2);
    });

    it("always builds when off", () => {
        const { src } = fixture();
        let builds = 0;
        const build = () => {
            builds += 1;
            return esbuildOutput(src, { entry: "index.ts" });
        };
        expect([cachedBuild(false, { kind: "test", options: {} }, z.string(), build).hit, cachedBuild(false, { kind: "test", options: {} }, z.string(), build).hit]).toEqual([false, false]);
        expect(builds).toBe(2);
    });
});

describe("bundleCacheDir", () => {
    it("is .platform/cache/bundles by default and with on, false with off, and an error naming the variable otherwise", () => {
        expect(bundleCacheDir({})).toBe(DEFAULT_BUNDLE_CACHE_DIR);
        expect(DEFAULT_BUNDLE_CACHE_DIR).toBe(path.join(PROJECT_ROOT, ".platform", "cache", "bundles"));
        expect(bundleCacheDir({ [BUNDLE_CACHE_ENV]: "on" })).toBe(DEFAULT_BUNDLE_CACHE_DIR);
        expect(bundleCacheDir({ [BUNDLE_CACHE_ENV]: "off" })).toBe(false);
        for (const bad of ["", "0", "OFF", "/tmp/cache"]) {
            expect(() => bundleCacheDir({ [BUNDLE_CACHE_ENV]: bad })).toThrow(`PLATFORM_BUNDLE_CACHE: expected "on" or "off" (the cache of bundled Workers under .platform/cache/bundles), got ${JSON.stringify(bad)}`);
        }
    });
});

describe("bundleWorker through the cache", () => {
    it("gives the same bundle, additional modules and exports warm as with the cache off", () => {
        const root = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "workerSettings");
        const rules: ModuleRule[] = [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png"] }];
        const warm = [bundleWorker(root, "src/index.js", { moduleRules: rules }), bundleWorker(root, "src/index.js", { moduleRules: rules })];
        const previous = process.env[BUNDLE_CACHE_ENV];
        process.env[BUNDLE_CACHE_ENV] = "off";
        try {
            const cold = bundleWorker(root, "src/index.js", { moduleRules: rules });
            expect(cold.modules.length).toBeGreaterThan(0);
            for (const bundle of warm) expect(bundle).toEqual(cold);
        } finally {
            if (previous === undefined) delete process.env[BUNDLE_CACHE_ENV];
            else process.env[BUNDLE_CACHE_ENV] = previous;
        }
    });
});

describe("npm run plan through the cache", () => {
    it("writes byte-identical files and prints the same with the cache off (the pack unbuilt) and warm (the pack built)", () => {
        const out = path.join(scratch, "plan");
        const run = (env: NodeJS.ProcessEnv) => {
            const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "tools", "plan.ts"), "--stack", "staging",
                "--out", out, "--json", path.join(out, "plan.json"), "--sarif", path.join(out, "policies.sarif")], {
                cwd: PROJECT_ROOT, encoding: "utf8", timeout: 180_000, env: { ...process.env, ...env },
            });
            expect(result.status, result.stderr).toBe(0);
            const files = Object.fromEntries(fs.readdirSync(out, { recursive: true, encoding: "utf8" }).sort()
                .filter((f) => fs.statSync(path.join(out, f)).isFile())
                .map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]));
            return { stdout: result.stdout, stderr: result.stderr, files };
        };
        const cold = run({ [BUNDLE_CACHE_ENV]: "off" });
        expect(Object.keys(cold.files)).toEqual(expect.arrayContaining(["plan.json", "policies.sarif", path.join("staging", "api", "wrangler.jsonc")]));
        const warm = [run({ [BUNDLE_CACHE_ENV]: "on" }), run({})];
        for (const w of warm) expect(w).toEqual(cold);
    }, 600_000);
});
