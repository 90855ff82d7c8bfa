/**
 * The `vectorize` kind (components/bindings/vectorize.ts): an existing index per stack, referenced by name
 * (@pulumi/cloudflare 6.22.1 has no Vectorize index resource). Declaration, the script and version binding
 * under the mock engine, the wrangler entry and wrangler's dry run, the importer, and the health check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../helpers/wrangler";
import { declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type KindRun } from "../helpers/kindHarness";

describe("the provider", () => {
    it("has no Vectorize index resource in @pulumi/cloudflare 6.22.1, so the kind references indexes", () => {
        const dir = path.join(PROJECT_ROOT, "node_modules", "@pulumi", "cloudflare");
        expect(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version).toBe("6.22.1");
        expect(fs.readdirSync(dir).filter((f) => /vectorize/i.test(f))).toEqual([]);
    });
});

describe("declaration", () => {
    it("defaults the index to <script>-<binding>, or takes a name or a {script} pattern", () => {
        expect(declare({ EMBEDDINGS: { kind: "vectorize" } }).bindings.EMBEDDINGS).toEqual({ kind: "vectorize" });
        expect(declare({ EMBEDDINGS: { kind: "vectorize", index: "{script}-v2" } }).bindings.EMBEDDINGS).toEqual({ kind: "vectorize", index: "{script}-v2" });
        expect(declarationIssues({ EMBEDDINGS: { kind: "vectorize", index: "shared-embeddings" } })).toEqual([]);
    });

    it("rejects names Cloudflare rejects, with the path", () => {
        expect(declarationIssues({ A: { kind: "vectorize", index: "Embeddings" }, B: { kind: "vectorize", index: "{script}-" } })).toEqual([
            {
                path: "services.svc.bindings.A.index",
                message: 'expected a Vectorize index name: lowercase letters, digits, "-" and "_", starting with a letter and ending with a letter or digit, optionally with {script} for the Worker\'s script name in each stack; got "Embeddings"',
            },
            {
                path: "services.svc.bindings.B.index",
                message: 'expected a Vectorize index name: lowercase letters, digits, "-" and "_", starting with a letter and ending with a letter or digit, optionally with {script} for the Worker\'s script name in each stack; got "{script}-"',
            },
        ]);
        expect(declarationIssues({ A: { kind: "vectorize", index: 42 } as never })).toEqual([
            { path: "services.svc.bindings.A.index", message: "expected string, got number (42)" },
        ]);
    });
});

describe("under the mock engine", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind({ EMBEDDINGS: { kind: "vectorize" }, V2: { kind: "vectorize", index: "{script}-v2" }, SHARED: { kind: "vectorize", index: "shared-index" } });
    });

    it("binds each stack's index by name to the WorkersScript and the WorkerVersion", () => {
        expect(kind.scriptBindings).toEqual([
            { name: "EMBEDDINGS", type: "vectorize", indexName: "svc-production-embeddings" },
            { name: "V2", type: "vectorize", indexName: "svc-production-v2" },
            { name: "SHARED", type: "vectorize", indexName: "shared-index" },
        ]);
        expect(kind.versionBindings).toEqual([
            { name: "EMBEDDINGS", type: "vectorize", indexName: "svcv-production-embeddings" },
            { name: "V2", type: "vectorize", indexName: "svcv-production-v2" },
            { name: "SHARED", type: "vectorize", indexName: "shared-index" },
        ]);
    });

    it("creates nothing: the index is referenced", () => {
        expect(kind.run.resources.filter((r) => r.custom && r.parent === kind.component.urn && !r.type.startsWith("cloudflare:index/workersScript"))).toEqual([]);
        expect(kind.summary.bindings[0]).toEqual({ name: "EMBEDDINGS", kind: "vectorize", target: "svc-production-embeddings" });
    });

    it("writes vectorize entries that wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        expect(config.vectorize).toEqual([
            { binding: "EMBEDDINGS", index_name: "svc-production-embeddings" },
            { binding: "V2", index_name: "svc-production-v2" },
            { binding: "SHARED", index_name: "shared-index" },
        ]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("env.EMBEDDINGS (svc-production-embeddings)");
    }, 60_000);
});

describe("import", () => {
    it("reads vectorize entries; a name with the stack's script name becomes a pattern, remote is reported", () => {
        const result = importConfig({
            vectorize: [
                { binding: "VECTOR_DB", index_name: "assistant-embeddings-baai" },
                { binding: "EMBEDDINGS", index_name: "svc-production-embeddings", remote: true },
                { binding: "NEXT", index_name: "svc-production-next-v2" },
            ],
        });
        expect(result.declaration.bindings).toEqual({
            VECTOR_DB: { kind: "vectorize", index: "assistant-embeddings-baai" },
            EMBEDDINGS: { kind: "vectorize" },
            NEXT: { kind: "vectorize", index: "{script}-next-v2" },
        });
        expect(notesAt(result, "vectorize")).toEqual([
            "unsupported vectorize[1].remote: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported",
            'changed vectorize[1].index_name: "svc-production-embeddings" contains the platform\'s script name for stack production ("svc-production"): declared as the pattern "{script}-embeddings", so every stack binds its own Vectorize index',
            'changed vectorize[2].index_name: "svc-production-next-v2" contains the platform\'s script name for stack production ("svc-production"): declared as the pattern "{script}-next-v2", so every stack binds its own Vectorize index',
        ]);
    });

    it("reports an index name Cloudflare would reject, and a missing index_name with its path", () => {
        const result = importConfig({ vectorize: [{ binding: "V", index_name: "Bad_Index" }] });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "vectorize")[0]).toMatch(/^unsupported vectorize\[0\]\.index_name: expected a Vectorize index name: .*got "Bad_Index"; binding not imported$/);
        expect(() => importConfig({ vectorize: [{ binding: "V" }] })).toThrow(/vectorize\[0\]\.index_name: /);
    });

    it("round-trips: import → generate keeps the binding", () => {
        const imported = importConfig({ vectorize: [{ binding: "VECTOR_DB", index_name: "assistant-embeddings-baai" }] });
        const config = generate(imported.declaration.bindings, { VECTOR_DB: { kind: "vectorize", indexName: "assistant-embeddings-baai" } });
        expect(importConfig(config).declaration.bindings).toEqual(imported.declaration.bindings);
        expect(config.vectorize).toEqual([{ binding: "VECTOR_DB", index_name: "assistant-embeddings-baai" }]);
    });
});

describe("health check", () => {
    it("describes the index, which proves it exists, and never queries", async () => {
        const calls: string[] = [];
        const index = { describe: async () => { calls.push("describe"); return { dimensions: 3 }; }, query: async () => { calls.push("query"); } };
        expect((await healthOf({ V: { kind: "vectorize" } }, { V: index })).V).toMatchObject({ status: "ok" });
        expect(calls).toEqual(["describe"]);
    });

    it("fails on a missing index or binding, naming the cause", async () => {
        const gone = { describe: async () => { throw new Error("VECTOR_GET_INDEX_ERROR (code = 40004): vectorize.not_found"); }, query: async () => undefined };
        const checks = await healthOf({ V: { kind: "vectorize" }, W: { kind: "vectorize" } }, { V: gone });
        expect(checks.V).toMatchObject({ status: "fail", message: "describe() of the index failed (does the index exist in this account?): VECTOR_GET_INDEX_ERROR (code = 40004): vectorize.not_found" });
        expect(checks.W).toMatchObject({ status: "fail", message: "binding is missing from env; expected a Vectorize index" });
    });
});
