/**
 * Stack config of a metric-gated rollout, per service and stack: `platform:services.<name>.deployment.rollout`
 * (with `deployment.strategy: versions`). What the gate does with it: `rolloutGateProvider.ts`; the operator's
 * view: docs/deploy-safety.md, "Metric-gated rollouts".
 *
 * @example
 * # Pulumi.production.yaml
 * platform:services:
 *   api:
 *     deployment:
 *       strategy: versions
 *       rollout:
 *         steps: [10, 50, 100]
 *         bakeSeconds: 300
 *         thresholds: { maxErrorRate: 0.05, maxErrorRateIncrease: 0.01, maxP95Ratio: 2, minRequests: 100 }
 *         lowTraffic: { outcome: wait, maxWaitSeconds: 900 }
 */
import { z } from "zod";
import { wholeNumber } from "../../validation";

/** Default steps: the share of traffic, in percent, the new version gets at each step. */
export const DEFAULT_ROLLOUT_STEPS: readonly number[] = [10, 50, 100];
/** Default bake time of each step, in seconds. */
export const DEFAULT_BAKE_SECONDS = 300;
/** Default ceiling of the new version's error rate (errors / requests), as a fraction: 5%. */
export const DEFAULT_MAX_ERROR_RATE = 0.05;
/** Default margin, as a fraction, by which the new version's error rate may exceed the old version's: 1 percentage point. */
export const DEFAULT_MAX_ERROR_RATE_INCREASE = 0.01;
/** Default ceiling of the new version's p95 wall time as a multiple of the old version's. */
export const DEFAULT_MAX_P95_RATIO = 2;
/** Default minimum of requests each version must serve in a window for it to be judged. */
export const DEFAULT_MIN_REQUESTS = 100;
/** Default longest extra wait for traffic with `lowTraffic.outcome: wait`, in seconds. */
export const DEFAULT_MAX_WAIT_SECONDS = 900;
/** Default number of attempts of each Cloudflare API call (first try plus retries). */
export const DEFAULT_API_ATTEMPTS = 5;

const PERCENTAGE = "expected a percentage above 0 and at most 100, with at most two decimals";
/** A share of traffic in percent: above 0, at most 100, two decimals (a `WorkersDeployment` version's `percentage`). */
export const trafficPercentage = z.number({ error: PERCENTAGE }).gt(0, { error: PERCENTAGE }).max(100, { error: PERCENTAGE })
    .multipleOf(0.01, { error: PERCENTAGE });
const FRACTION = "expected a fraction from 0 to 1 (0.05 is 5%)";


function fraction() {
    return z.number({ error: FRACTION }).min(0, { error: FRACTION }).max(1, { error: FRACTION });
}

/** What the gate requires of the new version in each window. Every field is optional. */
export const rolloutThresholdsSchema = z.strictObject({
    /**
     * Highest error rate (`sum.errors / sum.requests` of `workersInvocationsAdaptive`: invocations that threw,
     * exceeded resources or hit an internal error; HTTP 5xx responses the code returns itself are not errors
     * there) the new version may show, as a fraction from 0 to 1.
     * @default 0.05
     */
    maxErrorRate: fraction().default(DEFAULT_MAX_ERROR_RATE),
    /**
     * How much higher than the old version's the new version's error rate may be, as a fraction (0.01: one
     * percentage point). Both this and `maxErrorRate` must hold.
     * @default 0.01
     */
    maxErrorRateIncrease: fraction().default(DEFAULT_MAX_ERROR_RATE_INCREASE),
    /**
     * Highest p95 wall time of the new version as a multiple of the old version's (`quantiles.wallTimeP95`),
     * from 1 to 100.
     * @default 2
     */
    maxP95Ratio: z.number({ error: "expected a ratio from 1 to 100" }).min(1, { error: "expected a ratio from 1 to 100" })
        .max(100, { error: "expected a ratio from 1 to 100" }).default(DEFAULT_MAX_P95_RATIO),
    /**
     * Requests each version (new and old) must have served in a window before it is judged; below it,
     * `lowTraffic` decides. Whole number from 1 to 1,000,000.
     * @default 100
     */
    minRequests: wholeNumber(1, 1_000_000, "a whole number of requests").default(DEFAULT_MIN_REQUESTS),
});

/** What happens when a window has fewer than `minRequests` for either version. */
export const lowTrafficSchema = z.strictObject({
    /**
     * - `wait`: keep the step and read again every `bakeSeconds`, over the window from the step's start, until
     *   both versions reach `minRequests`; after `maxWaitSeconds` more, roll back and fail.
     * - `promote`: accept the step unjudged and move on (the state records it as `lowTraffic: true`).
     * - `fail`: roll back and fail right away.
     * @default "wait"
     */
    outcome: z.enum(["wait", "promote", "fail"]).default("wait"),
    /** Longest extra wait for traffic after a step's bake, in seconds (1–86400). Only with `outcome: wait`. @default 900 */
    maxWaitSeconds: wholeNumber(1, 86_400, "whole seconds").optional(),
}).superRefine((low, ctx) => {
    if (low.outcome !== "wait" && low.maxWaitSeconds !== undefined) {
        ctx.addIssue({ code: "custom", path: ["maxWaitSeconds"], message: `only applies with outcome "wait"; remove it (outcome is "${low.outcome}")` });
    }
}).transform((low) => (low.outcome === "wait" ? { outcome: low.outcome, maxWaitSeconds: low.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS } : { outcome: low.outcome }));

/** The `deployment.rollout` key of a service's stack config. Every field is optional. */
export const rolloutSchema = z.strictObject({
    /**
     * Run the gate. `false` sends the new version 100% of traffic at once (a forced promotion; the
     * `rollouts-gated` policy reports it, mandatory in production).
     * @default true
     */
    enabled: z.boolean().default(true),
    /**
     * The new version's share of traffic at each step, in percent (above 0, at most 100, two decimals),
     * increasing, the last one 100. Every step below 100 bakes and is judged; 100 is the promotion.
     * @default [10, 50, 100]
     */
    steps: z.array(trafficPercentage)
        .min(2, { error: "expected at least one step below 100, then 100" })
        .superRefine((steps, ctx) => {
            steps.forEach((step, i) => {
                if (i > 0 && step <= steps[i - 1]!) ctx.addIssue({ code: "custom", path: [i], message: `must be above the step before it (${steps[i - 1]})` });
            });
            if (steps.length > 0 && steps[steps.length - 1] !== 100) {
                ctx.addIssue({ code: "custom", path: [steps.length - 1], message: `the last step must be 100 (the promotion), got ${steps[steps.length - 1]}` });
            }
        })
        .default([...DEFAULT_ROLLOUT_STEPS]),
    /** How long each step below 100 serves traffic before its window is read, in seconds (1–86400). @default 300 */
    bakeSeconds: wholeNumber(1, 86_400, "whole seconds").default(DEFAULT_BAKE_SECONDS),
    /** What the new version must meet in each window. @default every threshold's default */
    thresholds: rolloutThresholdsSchema.default(rolloutThresholdsSchema.parse({})),
    /** What a window with too little traffic means. @default { outcome: "wait", maxWaitSeconds: 900 } */
    lowTraffic: lowTrafficSchema.default({ outcome: "wait", maxWaitSeconds: DEFAULT_MAX_WAIT_SECONDS }),
    /**
     * Attempts of each Cloudflare API call the gate makes (deployments, analytics), 1–10: failed requests,
     * HTTP 5xx and 429 are retried, waiting as `Retry-After` says, else 1 s, 2 s, 4 s, ... (at most 30 s).
     * @default 5
     */
    apiAttempts: wholeNumber(1, 10, "a whole number").default(DEFAULT_API_ATTEMPTS),
});

/** Validated rollout settings (defaults applied). */
export type RolloutSettings = z.output<typeof rolloutSchema>;
/** Validated thresholds. */
export type RolloutThresholds = RolloutSettings["thresholds"];
/** Validated low-traffic outcome. */
export type LowTraffic = RolloutSettings["lowTraffic"];
