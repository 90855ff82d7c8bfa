/**
 * Rollout safety: a Worker deployed through versions reaches traffic through a metric-gated rollout
 * (`RolloutGate`, `components/cloudflare/rollout/`) whose thresholds are no looser than the pack allows.
 *
 * Levels (policies/config/*.json): mandatory in production, where a version without a gate can take all
 * traffic with nothing watching its error rate or latency; advisory in staging, where a manual split or a
 * forced promotion is a normal way to test. A forced promotion in production (`rollout.enabled: false`) needs
 * the level lowered for that one update (`--policy-pack-config` with `"rollouts-gated": "advisory"`; the
 * runbook's manual override), so it is never silent.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { ROLLOUT_GATE_TYPE, WORKER_SERVICE_TYPE } from "../components/typeTokens";
import { ancestorOfType, inStack, known, workerLabel, workers } from "./stackView";

/** Settings of {@link rolloutsGated}: the loosest thresholds a gate may have. */
export interface RolloutsGatedConfig {
    /** Highest `thresholds.maxErrorRate` allowed, fraction. @default 0.05 */
    readonly maxErrorRate: number;
    /** Highest `thresholds.maxErrorRateIncrease` allowed, fraction. @default 0.05 */
    readonly maxErrorRateIncrease: number;
    /** Highest `thresholds.maxP95Ratio` allowed. @default 2 */
    readonly maxP95Ratio: number;
    /** Lowest `thresholds.minRequests` allowed (smaller windows judge on noise). @default 50 */
    readonly minRequests: number;
    /** Whether `lowTraffic.outcome: promote` (steps accepted unjudged) is allowed. @default false */
    readonly allowLowTrafficPromote: boolean;
}

/** A gate's inputs as the policy reads them; any may be unknown in a preview. */
interface GateProps {
    readonly thresholds?: { maxErrorRate?: number; maxErrorRateIncrease?: number; maxP95Ratio?: number; minRequests?: number };
    readonly lowTraffic?: { outcome?: string };
}

/** Every versioned Worker of a WorkerService has a rollout gate, with thresholds within the configured limits. */
export const rolloutsGated: StackValidationPolicy = {
    name: "rollouts-gated",
    description: "Checks that every Worker deployed as versions through a WorkerService reaches traffic through a metric-gated rollout whose thresholds are within the configured limits.",
    severity: "high",
    enforcementLevel: "advisory",
    tags: ["reliability"],
    url: "https://developers.cloudflare.com/workers/versions-and-deployments/gradual-deployments/",
    remediationSteps: "Set platform:services.<name>.deployment.rollout in the stack's config (steps, bakeSeconds, thresholds; every field has a safe default, " +
        "so `rollout: {}` is enough) instead of a manual percentage, keep its thresholds within the pack's limits, and keep rollout.enabled true; " +
        "see docs/deploy-safety.md, \"Metric-gated rollouts\".",
    configSchema: {
        properties: {
            maxErrorRate: { type: "number", minimum: 0, maximum: 1, default: 0.05, description: "Highest thresholds.maxErrorRate a gate may use, as a fraction." },
            maxErrorRateIncrease: { type: "number", minimum: 0, maximum: 1, default: 0.05, description: "Highest thresholds.maxErrorRateIncrease a gate may use, as a fraction." },
            maxP95Ratio: { type: "number", minimum: 1, default: 2, description: "Highest thresholds.maxP95Ratio a gate may use." },
            minRequests: { type: "integer", minimum: 1, default: 50, description: "Lowest thresholds.minRequests a gate may use." },
            allowLowTrafficPromote: { type: "boolean", default: false, description: "Whether lowTraffic.outcome promote (steps accepted unjudged) is allowed." },
        },
    },
    validateStack: (args, reportViolation) => {
        const limits = args.getConfig<RolloutsGatedConfig>();
        const gates = args.resources.filter((r) => r.type === ROLLOUT_GATE_TYPE);
        for (const view of workers(args.resources)) {
            const service = view.service;
            if (view.strategy !== "versions" || service === undefined) continue;
            const where = inStack(view.resource.urn);
            const gate = gates.find((g) => ancestorOfType(g, WORKER_SERVICE_TYPE)?.urn === service.urn);
            if (gate === undefined) {
                reportViolation(`Worker ${workerLabel(view)} is deployed as versions without a metric-gated rollout${where}: ` +
                    "its traffic moves with no error-rate or latency thresholds (set deployment.rollout).", view.resource.urn);
                continue;
            }
            const props = gate.props as GateProps;
            const thresholds = known(() => props.thresholds) ?? {};
            const subject = `Rollout gate of Worker ${workerLabel(view)}`;
            const report = (message: string) => reportViolation(`${subject} ${message}${where}.`, gate.urn);
            const above = (value: number | undefined, limit: number) => typeof value !== "number" || value > limit;
            if (above(thresholds.maxErrorRate, limits.maxErrorRate)) {
                report(`allows an error rate of ${show(thresholds.maxErrorRate, percent)}; at most ${percent(limits.maxErrorRate)} (thresholds.maxErrorRate)`);
            }
            if (above(thresholds.maxErrorRateIncrease, limits.maxErrorRateIncrease)) {
                report(`allows the error rate to rise ${show(thresholds.maxErrorRateIncrease, percent)} above the old version's; at most ${percent(limits.maxErrorRateIncrease)} (thresholds.maxErrorRateIncrease)`);
            }
            if (above(thresholds.maxP95Ratio, limits.maxP95Ratio)) {
                report(`allows a p95 wall time of ${show(thresholds.maxP95Ratio, String)} × the old version's; at most ${limits.maxP95Ratio} × (thresholds.maxP95Ratio)`);
            }
            if (typeof thresholds.minRequests !== "number" || thresholds.minRequests < limits.minRequests) {
                report(`judges windows of ${show(thresholds.minRequests, String)} requests; at least ${limits.minRequests} (thresholds.minRequests)`);
            }
            if (!limits.allowLowTrafficPromote && known(() => props.lowTraffic)?.outcome === "promote") {
                report("accepts steps with too little traffic unjudged (lowTraffic.outcome: promote); use wait or fail");
            }
        }
    },
};

function percent(fraction: number): string {
    return `${(fraction * 100).toFixed(2)}%`;
}

/** A threshold as the message shows it; "none" when missing or unknown. */
function show(value: number | undefined, format: (n: number) => string): string {
    return typeof value === "number" ? format(value) : "none";
}

/** The rollout policies. */
export const rolloutPolicies = [rolloutsGated];
