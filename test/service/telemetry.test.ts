/**
 * The declaration's `telemetry` field (components/service/telemetry.ts): the metrics dataset and version
 * metadata bindings it adds, the problems it reports with their paths, and what the platform makes of the
 * added bindings under the mock engine (the WorkersScript's bindings, the generated wrangler.jsonc).
 */
import { describe, expect, it } from "vitest";
import { applyTelemetry } from "../../components/service/telemetry";
import { serviceSummaries } from "../../tools/lib/serviceSummaries";
import { definePlatform } from "../../infra/program";
import { runOffline } from "../../tools/lib/mockEngine";
import { ACCOUNT, FIXTURE_ROOT, SCRIPT_TYPE, declarationIssues, declare } from "../helpers/kindHarness";

describe("defineService with telemetry", () => {
    it("adds nothing by default or with telemetry: false", () => {
        for (const more of [{}, { telemetry: false as const }]) {
            const declaration = declare({ CACHE: { kind: "kv" } }, "svc", more);
            expect(declaration.bindings).toEqual({ CACHE: { kind: "kv" } });
            expect(declaration.telemetry).toBe(false);
        }
    });

    it("adds METRICS and CF_VERSION_METADATA after the declared bindings with telemetry: true", () => {
        const declaration = declare({ CACHE: { kind: "kv" } }, "svc", { telemetry: true });
        expect(Object.entries(declaration.bindings)).toEqual([
            ["CACHE", { kind: "kv" }],
            ["METRICS", { kind: "analyticsEngine" }],
            ["CF_VERSION_METADATA", { kind: "versionMetadata" }],
        ]);
        expect(declaration.telemetry).toEqual({ metricsBinding: "METRICS", versionBinding: "CF_VERSION_METADATA" });
    });

    it("takes the names and the dataset, and keeps a declared version metadata binding", () => {
        const named = declare({}, "svc", { telemetry: { metricsBinding: "REQUESTS", dataset: "{script}_requests", versionBinding: "VERSION_INFO" } });
        expect(named.bindings).toEqual({ REQUESTS: { kind: "analyticsEngine", dataset: "{script}_requests" }, VERSION_INFO: { kind: "versionMetadata" } });
        expect(named.telemetry).toEqual({ metricsBinding: "REQUESTS", dataset: "{script}_requests", versionBinding: "VERSION_INFO" });

        const own = declare({ VERSION: { kind: "versionMetadata" } }, "svc", { telemetry: {} });
        expect(own.bindings).toEqual({ VERSION: { kind: "versionMetadata" }, METRICS: { kind: "analyticsEngine" } });
        expect(own.telemetry).toEqual({ metricsBinding: "METRICS", versionBinding: "VERSION" });
    });

    it("reports each conflict at its path, with how to fix it", () => {
        expect(declarationIssues({ METRICS: { kind: "analyticsEngine" } }, { telemetry: true })).toEqual([{
            path: "services.svc.bindings.METRICS",
            message: 'the platform binds "METRICS" for request metrics (telemetry); remove this binding (set telemetry.dataset to name the dataset), ' +
                "set telemetry.metricsBinding to another name, or set telemetry: false",
        }]);
        expect(declarationIssues({ VERSION: { kind: "versionMetadata" } }, { telemetry: { versionBinding: "V2" } })).toEqual([{
            path: "services.svc.telemetry.versionBinding",
            message: 'binding "VERSION" is already the service\'s version metadata (one per Worker), and telemetry uses it; remove versionBinding',
        }]);
        expect(declarationIssues({ CF_VERSION_METADATA: { kind: "kv" } }, { telemetry: true })).toEqual([{
            path: "services.svc.telemetry.versionBinding",
            message: 'binding "CF_VERSION_METADATA" is declared as a kv; name the version metadata binding otherwise',
        }]);
        expect(declarationIssues({}, { telemetry: { metricsBinding: "SAME", versionBinding: "SAME" } })).toEqual([{
            path: "services.svc.telemetry.versionBinding", message: 'expected a binding name other than metricsBinding ("SAME")',
        }]);
    });

    it("rejects bad values with their paths", () => {
        expect(declarationIssues({}, { telemetry: { metricsBinding: "9lives" } })).toEqual([expect.objectContaining({
            path: "services.svc.telemetry.metricsBinding", message: expect.stringContaining("is not a binding name"),
        })]);
        expect(declarationIssues({}, { telemetry: { dataset: "my dataset" } })).toEqual([expect.objectContaining({
            path: "services.svc.telemetry.dataset", message: expect.stringContaining("expected an Analytics Engine dataset name"),
        })]);
        expect(declarationIssues({}, { telemetry: { metrics: true } as never })).toEqual([
            { path: "services.svc.telemetry.metrics", message: "unknown key; remove it or check its spelling" },
        ]);
        expect(declarationIssues({}, { telemetry: "on" as never })).toEqual([expect.objectContaining({ path: "services.svc.telemetry" })]);
    });

    it("leaves the declared bindings object as it was", () => {
        const bindings = { CACHE: { kind: "kv" as const } };
        applyTelemetry({ metricsBinding: "METRICS" }, bindings, (...p) => p.join("."));
        expect(bindings).toEqual({ CACHE: { kind: "kv" } });
    });
});

describe("under the mock engine", () => {
    it("binds the stack's dataset and the version metadata to the script and writes them to wrangler.jsonc", async () => {
        const declaration = declare({}, "svc", { telemetry: true });
        const run = await runOffline({
            project: "platform",
            stack: "staging",
            config: {
                config: { "platform:accountId": ACCOUNT, "platform:services": JSON.stringify({ svc: { healthGate: { enabled: false } } }) },
                secretKeys: [],
            },
            program: () => ({ services: definePlatform([{ declaration, root: FIXTURE_ROOT }], "staging").environment.summary }),
        });
        const script = run.resources.find((r) => r.type === SCRIPT_TYPE && r.name === "svc-script")!;
        expect(script.inputs.bindings).toEqual(expect.arrayContaining([
            { name: "METRICS", type: "analytics_engine", dataset: "svc-staging-metrics" },
            { name: "CF_VERSION_METADATA", type: "version_metadata" },
        ]));
        const summary = serviceSummaries(run.resources).svc!;
        expect(summary.wranglerConfig.config).toMatchObject({
            analytics_engine_datasets: [{ binding: "METRICS", dataset: "svc-staging-metrics" }],
            version_metadata: { binding: "CF_VERSION_METADATA" },
        });
        expect(summary.bindings).toEqual(expect.arrayContaining([
            expect.objectContaining({ name: "METRICS", kind: "analyticsEngine" }),
            expect.objectContaining({ name: "CF_VERSION_METADATA", kind: "versionMetadata" }),
        ]));
    });
});
