/**
 * The `analyticsEngine` kind (components/bindings/analyticsEngine.ts): declaration, the script and version
 * binding under the mock engine, the generated wrangler entry and wrangler's own dry run, the importer, and
 * the health check. Its behaviour in `wrangler dev` is in test/e2e/analyticsEngine.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { analyticsEngine } from "../../components/bindings/analyticsEngine";
import { declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type KindRun } from "../helpers/kindHarness";

describe("declaration", () => {
    it("defaults the dataset to <script>-<binding>, or takes a name or a {script} pattern", () => {
        expect(declare({ EVENTS: { kind: "analyticsEngine" } }).bindings.EVENTS).toEqual({ kind: "analyticsEngine" });
        expect(declare({ EVENTS: { kind: "analyticsEngine", dataset: "{script}_events" } }).bindings.EVENTS).toEqual({ kind: "analyticsEngine", dataset: "{script}_events" });
        expect(declarationIssues({ EVENTS: { kind: "analyticsEngine", dataset: "metricsDataset" } })).toEqual([]);
    });

    it("rejects bad names and unknown fields with their paths", () => {
        expect(declarationIssues({ EVENTS: { kind: "analyticsEngine", dataset: "my dataset" } })).toEqual([{
            path: "services.svc.bindings.EVENTS.dataset",
            message: 'expected an Analytics Engine dataset name: letters, digits, "-" and "_", optionally with {script} for the Worker\'s script name in each stack; got "my dataset"',
        }]);
        expect(declarationIssues({ EVENTS: { kind: "analyticsEngine", dataset: "{stack}-events" } })).toEqual([{
            path: "services.svc.bindings.EVENTS.dataset",
            message: 'expected an Analytics Engine dataset name with no placeholder but {script}, got "{stack}-events"',
        }]);
        expect(declarationIssues({ EVENTS: { kind: "analyticsEngine", datset: "x" } as never })).toEqual([
            { path: "services.svc.bindings.EVENTS.datset", message: "unknown key; remove it or check its spelling" },
        ]);
    });
});

describe("under the mock engine", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind({ EVENTS: { kind: "analyticsEngine" }, SHARED: { kind: "analyticsEngine", dataset: "{script}_shared" } });
    });

    it("binds the stack's dataset to the WorkersScript and the WorkerVersion in the provider's shape", () => {
        expect(kind.scriptBindings).toEqual([
            { name: "EVENTS", type: "analytics_engine", dataset: "svc-production-events" },
            { name: "SHARED", type: "analytics_engine", dataset: "svc-production_shared" },
        ]);
        expect(kind.versionBindings).toEqual([
            { name: "EVENTS", type: "analytics_engine", dataset: "svcv-production-events" },
            { name: "SHARED", type: "analytics_engine", dataset: "svcv-production_shared" },
        ]);
    });

    it("creates no resource (datasets appear on their first write) and summarizes the dataset", () => {
        expect(kind.run.resources.filter((r) => r.custom && r.parent === kind.component.urn && !r.type.startsWith("cloudflare:index/workersScript"))).toEqual([]);
        expect(kind.summary.bindings).toEqual([
            { name: "EVENTS", kind: "analyticsEngine", target: "svc-production-events" },
            { name: "SHARED", kind: "analyticsEngine", target: "svc-production_shared" },
        ]);
    });

    it("writes analytics_engine_datasets entries that wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        expect(config.analytics_engine_datasets).toEqual([
            { binding: "EVENTS", dataset: "svc-production-events" },
            { binding: "SHARED", dataset: "svc-production_shared" },
        ]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("env.EVENTS (svc-production-events)");
        expect(run.stdout).toContain("Analytics Engine Dataset");
    }, 60_000);
});

describe("import", () => {
    it("reads analytics_engine_datasets: a name with the script name becomes a {script} pattern, others stay as they are", () => {
        const result = importConfig({
            analytics_engine_datasets: [
                { binding: "EVENTS", dataset: "svc-production-events" },
                { binding: "USAGE", dataset: "svc-production_usage" },
                { binding: "METRICS", dataset: "metricsDataset" },
                { binding: "RAW" },
            ],
        });
        expect(result.declaration.bindings).toEqual({
            EVENTS: { kind: "analyticsEngine" },
            USAGE: { kind: "analyticsEngine", dataset: "{script}_usage" },
            METRICS: { kind: "analyticsEngine", dataset: "metricsDataset" },
            RAW: { kind: "analyticsEngine", dataset: "RAW" },
        });
        expect(notesAt(result, "analytics_engine_datasets")).toEqual([
            'changed analytics_engine_datasets[0].dataset: "svc-production-events" contains the platform\'s script name for stack production ("svc-production"): declared as the pattern "{script}-events", so every stack binds its own Analytics Engine dataset',
            'changed analytics_engine_datasets[1].dataset: "svc-production_usage" contains the platform\'s script name for stack production ("svc-production"): declared as the pattern "{script}_usage", so every stack binds its own Analytics Engine dataset',
            'changed analytics_engine_datasets[3]: no dataset: Cloudflare names the dataset after the binding, so it is declared as dataset: "RAW"',
        ]);
    });

    it("keeps one declaration when each environment names its own dataset after its script", () => {
        const result = importConfig({
            env: {
                production: { analytics_engine_datasets: [{ binding: "EVENTS", dataset: "svc-production-events" }] },
                staging: { analytics_engine_datasets: [{ binding: "EVENTS", dataset: "svc-staging-events" }] },
            },
        });
        expect(result.declaration.bindings).toEqual({ EVENTS: { kind: "analyticsEngine" } });
        expect(result.notes.filter((n) => n.message.includes("differs"))).toEqual([]);
    });

    it("reports a dataset name the platform cannot declare, and a malformed entry with its path", () => {
        const result = importConfig({ analytics_engine_datasets: [{ binding: "EVENTS", dataset: "my dataset" }] });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "analytics_engine_datasets")).toEqual([
            'unsupported analytics_engine_datasets[0].dataset: expected an Analytics Engine dataset name: letters, digits, "-" and "_", optionally with {script} for the Worker\'s script name in each stack; got "my dataset"; binding not imported',
        ]);
        expect(() => importConfig({ analytics_engine_datasets: [{ dataset: "x" }] })).toThrow(/analytics_engine_datasets\[0\]\.binding: /);
    });

    it("round-trips: import → generate keeps the binding and its dataset", () => {
        const imported = importConfig({ analytics_engine_datasets: [{ binding: "EVENTS", dataset: "svc-production-events" }] });
        const config = generate(imported.declaration.bindings, { EVENTS: { kind: "analyticsEngine", dataset: "svc-production-events" } });
        expect(importConfig(config).declaration.bindings).toEqual(imported.declaration.bindings);
        expect(config.analytics_engine_datasets).toEqual([{ binding: "EVENTS", dataset: "svc-production-events" }]);
    });
});

describe("health check", () => {
    it("passes when the binding has writeDataPoint, without writing", async () => {
        const written: unknown[] = [];
        const checks = await healthOf({ EVENTS: { kind: "analyticsEngine" } }, { EVENTS: { writeDataPoint: (p: unknown) => written.push(p) } });
        expect(checks.EVENTS).toMatchObject({ status: "ok" });
        expect(written).toEqual([]);
        expect(analyticsEngine.health?.description).toBe("the binding has `writeDataPoint()` (nothing is written)");
    });

    it("fails when the binding is missing or is something else", async () => {
        const checks = await healthOf({ EVENTS: { kind: "analyticsEngine" }, OTHER: { kind: "analyticsEngine" } }, { OTHER: {} });
        expect(checks.EVENTS).toMatchObject({ status: "fail", message: "binding is missing from env; expected an Analytics Engine dataset" });
        expect(checks.OTHER).toMatchObject({ status: "fail", message: "binding is not an Analytics Engine dataset (it has no writeDataPoint())" });
    });
});
