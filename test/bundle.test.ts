/**
 * The bundler (components/cloudflare/bundle.ts): non-JavaScript imports become modules of their type beside
 * the bundle (the declaration's moduleRules, then wrangler's default rules), `minify` is honoured, and the
 * output is deterministic. The bundle and its modules load in the real workerd runtime (Miniflare, on
 * 127.0.0.1) with the types the Workers runtime gives them: Text a string, Data an ArrayBuffer, CompiledWasm a
 * WebAssembly.Module.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { Miniflare } from "miniflare";
import { afterAll, describe, expect, it } from "vitest";
import { BundleError, bundleWorker } from "../components/cloudflare/bundle";
import type { ModuleRule } from "../components/service/workerSettings";
import { PROJECT_ROOT } from "../infra/program";

const ROOT = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "workerSettings");
const RULES: ModuleRule[] = [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png"] }];
const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-test-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("bundleWorker", () => {
    it("uploads each non-JavaScript import as a module of its type, named by its content", () => {
        const bundle = bundleWorker(ROOT, "src/index.js", { moduleRules: RULES });
        expect(bundle.modules.map((m) => [m.name.replace(/-[A-Z0-9]{8}\./, "-<hash>."), m.type, m.contentType])).toEqual([
            ["empty-<hash>.wasm", "CompiledWasm", "application/wasm"],
            ["logo-<hash>.png", "Data", "application/octet-stream"],
            ["notes-<hash>.md", "Text", "text/plain"],
            ["page-<hash>.html", "Text", "text/plain"],
        ]);
        for (const m of bundle.modules) {
            const source = fs.readFileSync(path.join(ROOT, "src", m.name.replace(/-[A-Z0-9]{8}\./, ".")));
            expect(Buffer.from(m.contentBase64, "base64").equals(source)).toBe(true);
            expect(m.sha256).toBe(sha256(source));
            expect(bundle.content).toContain(`"./${m.name}"`);
        }
        expect(bundle.sha256).toBe(sha256(bundle.content));
    });

    it("is deterministic, and the names change with the contents", () => {
        const one = bundleWorker(ROOT, "src/index.js", { moduleRules: RULES });
        expect(bundleWorker(ROOT, "src/index.js", { moduleRules: RULES })).toEqual(one);
        const copy = path.join(scratch, "copy");
        fs.cpSync(ROOT, copy, { recursive: true });
        fs.writeFileSync(path.join(copy, "src", "notes.md"), "# other notes\n");
        const other = bundleWorker(copy, "src/index.js", { moduleRules: RULES });
        const name = (b: typeof one, prefix: string) => b.modules.find((m) => m.name.startsWith(prefix))!.name;
        expect(name(other, "notes-")).not.toBe(name(one, "notes-"));
        expect(name(other, "page-")).toBe(name(one, "page-"));
        expect(other.sha256).not.toBe(one.sha256);
    });

    it("minifies by default and not with minify: false", () => {
        const minified = bundleWorker(ROOT, "src/index.js", { moduleRules: RULES });
        const plain = bundleWorker(ROOT, "src/index.js", { moduleRules: RULES, minify: false });
        expect(plain.content.length).toBeGreaterThan(minified.content.length);
        expect(plain.content).toContain("// src/index.js");
        expect(minified.content).not.toContain("// src/index.js");
        expect(plain.modules).toEqual(minified.modules);
    });

    it("bundles a Worker without non-JavaScript imports into one module, as before", () => {
        const bundle = bundleWorker(path.join(PROJECT_ROOT, "test", "fixtures", "workers", "basic"), "src/index.js");
        expect(bundle.modules).toEqual([]);
        expect(bundle.mainModule).toBe("index.js");
    });

    it("fails with the import named when no rule types an extension", () => {
        // .md and .png have no default rule: without the declared rules there is no loader for them.
        expect(() => bundleWorker(ROOT, "src/index.js")).toThrow(BundleError);
        expect(() => bundleWorker(ROOT, "src/index.js")).toThrow(/src\/index\.js:\d+:\d+: No loader is configured for "\.md" files: src\/notes\.md/);
    });
});

describe("the bundle in workerd", () => {
    it("gives each module the type the runtime gives wrangler's: Text a string, Data an ArrayBuffer, CompiledWasm a module", async () => {
        const bundle = bundleWorker(ROOT, "src/index.js", { moduleRules: RULES });
        const mf = new Miniflare({
            host: "127.0.0.1",
            compatibilityDate: "2026-04-01",
            modulesRoot: "/bundle",
            modules: [
                { type: "ESModule", path: `/bundle/${bundle.mainModule}`, contents: bundle.content },
                ...bundle.modules.map((m) => ({ type: m.type, path: `/bundle/${m.name}`, contents: Buffer.from(m.contentBase64, "base64") })),
            ],
        });
        try {
            const response = await mf.dispatchFetch("http://localhost/modules");
            expect(response.status).toBe(200);
            expect(await response.json()).toEqual({
                page: "<p>page</p>\n",
                notes: "# notes\n",
                logoIsArrayBuffer: true,
                logoBytes: [...fs.readFileSync(path.join(ROOT, "src", "logo.png"))],
                wasmIsModule: true,
            });
        } finally {
            await mf.dispose();
        }
    }, 60_000);
});
