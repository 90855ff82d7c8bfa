/**
 * Stack config of the metric-gated rollout (`services.<name>.deployment.rollout`): defaults, every bad value
 * reported with its config path, contradictions with `percentage` / `stableVersionId` / `rollbackTo`, and the
 * first share of traffic the new code reaches.
 */
import { describe, expect, it } from "vitest";
import { deploymentSchema, firstTrafficShare } from "../components/cloudflare/deployment/deploymentSettings";
import { ValidationError } from "../components/validation";
import { loadStackConfig } from "../infra/config";

const STABLE = "bbbbbbbb-0000-4000-8000-000000000002";
const OLDER = "cccccccc-0000-4000-8000-000000000003";

function load(deployment: unknown) {
    return loadStackConfig({ "platform:accountId": "0123456789abcdef0123456789abcdef", "platform:services": JSON.stringify({ api: { deployment } }) }, () => false);
}

function issues(deployment: unknown): string[] {
    try {
        load(deployment);
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("expected a ValidationError");
}

describe("deployment.rollout", () => {
    it("applies every default", () => {
        expect(load({ strategy: "versions", rollout: {} }).services.api!.deployment).toEqual({
            strategy: "versions",
            percentage: 100,
            rollout: {
                enabled: true,
                steps: [10, 50, 100],
                bakeSeconds: 300,
                thresholds: { maxErrorRate: 0.05, maxErrorRateIncrease: 0.01, maxP95Ratio: 2, minRequests: 100 },
                lowTraffic: { outcome: "wait", maxWaitSeconds: 900 },
                apiAttempts: 5,
            },
        });
        expect(load({ strategy: "versions", rollout: { lowTraffic: { outcome: "fail" } } }).services.api!.deployment!.rollout!.lowTraffic).toEqual({ outcome: "fail" });
    });

    it("reports every bad value with its config path", () => {
        expect(issues({
            strategy: "versions",
            rollout: {
                steps: [50, 10, 90.001],
                bakeSeconds: 0,
                thresholds: { maxErrorRate: 5, maxErrorRateIncrease: -0.1, maxP95Ratio: 0.5, minRequests: 2.5 },
                lowTraffic: { outcome: "skip" },
                apiAttempts: 20,
                window: 60,
            },
        })).toEqual([
            "platform:services.api.deployment.rollout.steps[2]: expected a percentage above 0 and at most 100, with at most two decimals, got number (90.001)",
            "platform:services.api.deployment.rollout.steps[1]: must be above the step before it (50)",
            "platform:services.api.deployment.rollout.steps[2]: the last step must be 100 (the promotion), got 90.001",
            "platform:services.api.deployment.rollout.bakeSeconds: expected whole seconds from 1 to 86400, got number (0)",
            "platform:services.api.deployment.rollout.thresholds.maxErrorRate: expected a fraction from 0 to 1 (0.05 is 5%), got number (5)",
            "platform:services.api.deployment.rollout.thresholds.maxErrorRateIncrease: expected a fraction from 0 to 1 (0.05 is 5%), got number (-0.1)",
            "platform:services.api.deployment.rollout.thresholds.maxP95Ratio: expected a ratio from 1 to 100, got number (0.5)",
            "platform:services.api.deployment.rollout.thresholds.minRequests: expected int, got number (2.5)",
            'platform:services.api.deployment.rollout.lowTraffic.outcome: Invalid option: expected one of "wait"|"promote"|"fail", got string ("skip")',
            "platform:services.api.deployment.rollout.apiAttempts: expected a whole number from 1 to 10, got number (20)",
            "platform:services.api.deployment.rollout.window: unknown key; remove it or check its spelling",
        ]);
    });

    it("requires increasing steps that end at 100, with at least one below it", () => {
        expect(issues({ strategy: "versions", rollout: { steps: [50, 10, 90] } })).toEqual([
            "platform:services.api.deployment.rollout.steps[1]: must be above the step before it (50)",
            "platform:services.api.deployment.rollout.steps[2]: the last step must be 100 (the promotion), got 90",
        ]);
        expect(issues({ strategy: "versions", rollout: { steps: [100] } }))
            .toEqual(["platform:services.api.deployment.rollout.steps: expected at least one step below 100, then 100, got array"]);
        expect(issues({ strategy: "versions", rollout: { lowTraffic: { outcome: "fail", maxWaitSeconds: 60 } } }))
            .toEqual(['platform:services.api.deployment.rollout.lowTraffic.maxWaitSeconds: only applies with outcome "wait"; remove it (outcome is "fail")']);
    });

    it("rejects contradictions with the rest of the deployment settings", () => {
        expect(issues({ rollout: {} }))
            .toEqual(['platform:services.api.deployment.rollout: needs strategy "versions"; set deployment.strategy to versions']);
        expect(issues({ strategy: "versions", percentage: 10, rollout: {} }))
            .toEqual(["platform:services.api.deployment.percentage: the rollout's steps set the new version's share; remove percentage (or the rollout)"]);
        expect(issues({ strategy: "versions", stableVersionId: STABLE, rollbackTo: OLDER, rollout: {} }))
            .toEqual(["platform:services.api.deployment.stableVersionId: a rollback suspends the rollout, so no version is compared; remove it (or rollbackTo)"]);
        expect(issues({ strategy: "versions", stableVersionId: STABLE, rollout: { enabled: false } }))
            .toEqual(["platform:services.api.deployment.stableVersionId: is only used while percentage is below 100; remove it"]);
        // The old version to compare with, and a rollback that suspends the gate, are both fine.
        expect(load({ strategy: "versions", stableVersionId: STABLE, rollout: {} }).services.api!.deployment!.stableVersionId).toBe(STABLE);
        expect(load({ strategy: "versions", rollbackTo: OLDER, rollout: {} }).services.api!.deployment!.rollbackTo).toBe(OLDER);
    });
});

describe("firstTrafficShare", () => {
    it("is the first step of an enabled rollout, else the percentage; 100 for scripts and rollbacks", () => {
        const share = (d: unknown) => firstTrafficShare(deploymentSchema.parse(d));
        expect(share({ strategy: "versions", rollout: { steps: [5, 25, 100] } })).toBe(5);
        expect(share({ strategy: "versions", rollout: { enabled: false } })).toBe(100);
        expect(share({ strategy: "versions", percentage: 20 })).toBe(20);
        expect(share({ strategy: "versions", rollbackTo: OLDER, rollout: {} })).toBe(100);
        expect(share({ strategy: "script" })).toBe(100);
        expect(firstTrafficShare(undefined)).toBe(100);
    });
});
