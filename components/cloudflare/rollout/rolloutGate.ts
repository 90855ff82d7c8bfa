import * as pulumi from "@pulumi/pulumi";
import { rolloutGateProvider, type RolloutGateInputs, type RolloutOutcome, type StepWindow } from "./rolloutGateProvider";
import type { RolloutSettings } from "./rolloutSettings";

/** Arguments of {@link RolloutGate}. */
export interface RolloutGateArgs {
    /** Declared service name (`api`), for messages. */
    readonly service: string;
    /** Cloudflare account id (32 hex characters). */
    readonly accountId: pulumi.Input<string>;
    /** The Worker's name (script name, `api-production`). */
    readonly scriptName: pulumi.Input<string>;
    /** Id of the uploaded `WorkerVersion` to roll out (UUID); a new id runs the gate again. */
    readonly newVersionId: pulumi.Input<string>;
    /** The validated rollout settings (`deployment.rollout`, enabled). */
    readonly rollout: RolloutSettings;
    /** The old version to compare with (`deployment.stableVersionId`). @default the live deployment's largest other version, read when the gate runs */
    readonly stableVersionId?: string;
    /** `deployment.rollbackTo`: while set, the gate is suspended and calls nothing. @default none */
    readonly rollbackTo?: string;
}

/**
 * Fails `pulumi up` and sends all traffic back to the old version unless a new Worker version stays within
 * the rollout's thresholds at every step. Created after the `WorkerVersion` and before the
 * `WorkersDeployment` (which depends on it and declares the final 100%), it posts each step below 100 as a
 * deployment through the Cloudflare API, waits `bakeSeconds`, reads both versions' requests, errors and p95
 * wall time over the step from Workers analytics, and judges them. `pulumi preview` and the offline plan
 * show its steps and thresholds and call nothing. Type token: `pulumi-nodejs:dynamic/cloudflare:RolloutGate`.
 *
 * @example
 * const gate = new RolloutGate("api-rollout-gate", {
 *   service: "api", accountId, scriptName: worker.name, newVersionId: version.id, rollout: settings.rollout,
 * }, { parent, dependsOn: [version] });
 * new cloudflare.WorkersDeployment("api-deployment", { ... }, { parent, dependsOn: [version, gate] });
 */
export class RolloutGate extends pulumi.dynamic.Resource {
    /** How the last run ended: `promoted`, `first-deploy`, `already-serving` or `suspended`. */
    declare readonly outcome: pulumi.Output<RolloutOutcome>;
    /** The version the new one was compared with; undefined without one. */
    declare readonly oldVersionId: pulumi.Output<string | undefined>;
    /** Each judged step: share, window, both versions' requests, errors and p95 wall time (ms). */
    declare readonly windows: pulumi.Output<StepWindow[]>;

    constructor(name: string, args: RolloutGateArgs, opts?: pulumi.CustomResourceOptions) {
        const rollout = args.rollout;
        super(rolloutGateProvider, name, {
            service: args.service,
            accountId: args.accountId,
            scriptName: args.scriptName,
            newVersionId: args.newVersionId,
            ...(args.stableVersionId === undefined ? {} : { stableVersionId: args.stableVersionId }),
            ...(args.rollbackTo === undefined ? {} : { rollbackTo: args.rollbackTo }),
            steps: [...rollout.steps],
            bakeSeconds: rollout.bakeSeconds,
            thresholds: { ...rollout.thresholds },
            lowTraffic: { ...rollout.lowTraffic },
            apiAttempts: rollout.apiAttempts,
            outcome: undefined,
            oldVersionId: undefined,
            windows: undefined,
        }, opts, "cloudflare", "RolloutGate");
    }
}

/**
 * One line for a preview: the steps, bake time and thresholds a gate's inputs declare, e.g.
 * `steps 10% → 50% → 100%, bake 300 s; error rate ≤ 5% and ≤ old + 1%, p95 ≤ 2× old, ≥ 100 requests; low traffic: wait ≤ 900 s`,
 * or `suspended (rollbackTo <id>)`.
 * @param inputs the gate's registered inputs (as the mock engine or the engine's state holds them).
 */
export function describeRolloutGate(inputs: Readonly<Record<string, unknown>>): string {
    if (typeof inputs.rollbackTo === "string") return `suspended (rollbackTo ${inputs.rollbackTo})`;
    const steps = Array.isArray(inputs.steps) ? inputs.steps.map((s) => `${s}%`).join(" → ") : "?";
    const t = (inputs.thresholds ?? {}) as Partial<RolloutGateInputs["thresholds"]>;
    const low = (inputs.lowTraffic ?? {}) as Partial<RolloutGateInputs["lowTraffic"]>;
    const pct = (f: number | undefined) => (f === undefined ? "?" : `${Math.round(f * 10_000) / 100}%`);
    return `steps ${steps}, bake ${String(inputs.bakeSeconds ?? "?")} s; error rate ≤ ${pct(t.maxErrorRate)} and ≤ old + ${pct(t.maxErrorRateIncrease)}, ` +
        `p95 ≤ ${String(t.maxP95Ratio ?? "?")}× old, ≥ ${String(t.minRequests ?? "?")} requests; ` +
        `low traffic: ${low.outcome ?? "?"}${low.maxWaitSeconds === undefined ? "" : ` ≤ ${low.maxWaitSeconds} s`}`;
}
