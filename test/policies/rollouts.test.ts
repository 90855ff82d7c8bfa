/**
 * The `rollouts-gated` policy (policies/rollouts.ts) driven as the engine drives it: the pack in its own
 * process over the analyzer protocol, over the resources WorkerService registers under the SDK's mock engine.
 * One compliant versioned service, then one change per service; the production config, and one with looser
 * limits at advisory level (as staging runs it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { deploymentSchema } from "../../components/cloudflare/deployment/deploymentSettings";
import { WorkerService } from "../../components/cloudflare/workerService";
import { defineService } from "../../components/service/declaration";
import type { ServiceSettings } from "../../components/service/settings";
import { runPolicyPack, type PolicyPackConfig, type PolicyPackRun } from "../../tools/lib/analyzer";
import { runOffline } from "../../tools/lib/mockEngine";

const PACK = path.resolve(__dirname, "..", "..", "policies");
const OLD = "0f8e7d6c-5b4a-4392-8190-a1b2c3d4e5f6";
const declaration = defineService({
    name: "svc",
    main: "src/index.js",
    compatibilityDate: "2026-04-01",
    bindings: { LOG_LEVEL: { kind: "var", value: "info" } },
    env: z.object({ LOG_LEVEL: z.string() }),
});
const settings: ServiceSettings = {
    routes: [], customDomains: [], vars: {}, workersDev: false, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: true,
};

/** A service named `name` whose stack config `deployment` is `deployment`. */
function service(stack: string, name: string, deployment: unknown): void {
    new WorkerService(name, {
        accountId: "0123456789abcdef0123456789abcdef",
        declaration,
        root: path.join(__dirname, "..", "fixtures", "workers", "basic"),
        serviceDir: "test/fixtures/workers/basic",
        scriptName: `${name}-${stack}`,
        settings: { ...settings, customDomains: [`${name}.example.com`] },
        zone: { id: "fedcba9876543210fedcba9876543210", name: "example.com" },
        deployment: deploymentSchema.parse(deployment),
    });
}

function program(stack: string) {
    service(stack, "gated", { strategy: "versions", rollout: {} });
    service(stack, "script", { strategy: "script" });
    service(stack, "rolledback", { strategy: "versions", rollout: {}, rollbackTo: OLD });
    service(stack, "ungated", { strategy: "versions" });
    service(stack, "manualsplit", { strategy: "versions", percentage: 10, stableVersionId: OLD });
    service(stack, "forced", { strategy: "versions", rollout: { enabled: false } });
    service(stack, "loose", {
        strategy: "versions",
        rollout: { thresholds: { maxErrorRate: 0.2, maxErrorRateIncrease: 0.1, maxP95Ratio: 5, minRequests: 10 }, lowTraffic: { outcome: "promote" } },
    });
    return {};
}

const production = JSON.parse(fs.readFileSync(path.join(PACK, "config", "production.json"), "utf8")) as PolicyPackConfig;
const staging = JSON.parse(fs.readFileSync(path.join(PACK, "config", "staging.json"), "utf8")) as PolicyPackConfig;
const tuned: PolicyPackConfig = {
    ...production,
    "rollouts-gated": { enforcementLevel: "advisory", maxErrorRate: 0.2, maxErrorRateIncrease: 0.1, maxP95Ratio: 5, minRequests: 10, allowLowTrafficPromote: true },
};
const runs = {} as Record<"production" | "tuned", PolicyPackRun>;

beforeAll(async () => {
    const record = async (stack: string) => (await runOffline({ project: "platform", stack, config: { config: {}, secretKeys: [] }, program: () => program(stack) })).resources;
    const prod = await record("production");
    const analyze = (policyConfig: PolicyPackConfig) => runPolicyPack({ packDir: PACK, resources: prod, project: "platform", stack: "production", policyConfig });
    [runs.production, runs.tuned] = await Promise.all([analyze(production), analyze(tuned)]);
}, 180_000);

/** `resource: message` of every rollouts-gated violation, sorted. */
function verdicts(run: PolicyPackRun): string[] {
    return run.violations.filter((v) => v.policyName === "rollouts-gated")
        .map((v) => `${v.urn?.slice(v.urn.lastIndexOf("::") + 2)}: ${v.message}`).sort();
}

describe("rollouts-gated", () => {
    it("flags versioned Workers without a gate and gates with loose thresholds, in production", () => {
        expect(verdicts(runs.production)).toEqual([
            "forced-worker: Worker forced-production is deployed as versions without a metric-gated rollout in production: its traffic moves with no error-rate or latency thresholds (set deployment.rollout).",
            "loose-rollout-gate: Rollout gate of Worker loose-production accepts steps with too little traffic unjudged (lowTraffic.outcome: promote); use wait or fail in production.",
            "loose-rollout-gate: Rollout gate of Worker loose-production allows a p95 wall time of 5 × the old version's; at most 2 × (thresholds.maxP95Ratio) in production.",
            "loose-rollout-gate: Rollout gate of Worker loose-production allows an error rate of 20.00%; at most 5.00% (thresholds.maxErrorRate) in production.",
            "loose-rollout-gate: Rollout gate of Worker loose-production allows the error rate to rise 10.00% above the old version's; at most 5.00% (thresholds.maxErrorRateIncrease) in production.",
            "loose-rollout-gate: Rollout gate of Worker loose-production judges windows of 10 requests; at least 50 (thresholds.minRequests) in production.",
            "manualsplit-worker: Worker manualsplit-production is deployed as versions without a metric-gated rollout in production: its traffic moves with no error-rate or latency thresholds (set deployment.rollout).",
            "ungated-worker: Worker ungated-production is deployed as versions without a metric-gated rollout in production: its traffic moves with no error-rate or latency thresholds (set deployment.rollout).",
        ]);
        expect(new Set(runs.production.violations.filter((v) => v.policyName === "rollouts-gated").map((v) => v.enforcementLevel))).toEqual(new Set(["mandatory"]));
    });

    it("passes a gated service, a script, and a rollback that keeps its gate suspended", () => {
        expect(verdicts(runs.production).filter((v) => /^(gated|script|rolledback)-/.test(v))).toEqual([]);
    });

    it("takes its level and limits from the stack's policy config: mandatory in production, advisory in staging", () => {
        expect(verdicts(runs.tuned).filter((v) => v.startsWith("loose-"))).toEqual([]);
        expect(new Set(runs.tuned.violations.filter((v) => v.policyName === "rollouts-gated").map((v) => v.enforcementLevel))).toEqual(new Set(["advisory"]));
        expect(staging["rollouts-gated"]).toEqual({ ...(production["rollouts-gated"] as object), enforcementLevel: "advisory" });
    });
});
