/**
 * Deploy-safety stack config (`services.<name>.healthGate`, `.deployment`): validation with config
 * paths, defaults, and the traffic split `deploymentPlan` computes for rollouts and rollbacks.
 */
import { describe, expect, it } from "vitest";
import { deploymentPlan, deploymentSchema, DeploymentPlanError } from "../components/cloudflare/deployment/deploymentSettings";
import { DEFAULT_HEALTH_GATE, expectedHealthChecks, healthGateSchema } from "../components/cloudflare/healthGate/healthGateSettings";
import { ValidationError } from "../components/validation";
import { loadStackConfig } from "../infra/config";
import api from "../services/api/service";

const NEW = "aaaaaaaa-0000-4000-8000-000000000001";
const STABLE = "bbbbbbbb-0000-4000-8000-000000000002";
const OLDER = "cccccccc-0000-4000-8000-000000000003";

function issues(services: unknown): string[] {
    try {
        loadStackConfig({ "platform:accountId": "0123456789abcdef0123456789abcdef", "platform:services": JSON.stringify(services) }, () => false);
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("expected a ValidationError");
}

describe("stack config of the health gate and the deployment", () => {
    it("applies defaults", () => {
        const config = loadStackConfig({
            "platform:accountId": "0123456789abcdef0123456789abcdef",
            "platform:services": JSON.stringify({ api: { healthGate: {}, deployment: { strategy: "versions" } } }),
        }, () => false);
        expect(config.services.api!.healthGate).toEqual(DEFAULT_HEALTH_GATE);
        expect(config.services.api!.deployment).toEqual({ strategy: "versions", percentage: 100 });
    });

    it("reports every bad value with its config path", () => {
        expect(issues({
            api: {
                healthGate: { timeoutSeconds: 0, intervalSeconds: 2.5, expectedChecks: ["env", "env"], retries: 3 },
                deployment: { strategy: "canary", percentage: 150, rollbackTo: "v1" },
            },
        })).toEqual([
            "platform:services.api.healthGate.timeoutSeconds: expected whole seconds from 1 to 1800, got number (0)",
            "platform:services.api.healthGate.intervalSeconds: expected int, got number (2.5)",
            "platform:services.api.healthGate.expectedChecks: lists a check twice",
            "platform:services.api.healthGate.retries: unknown key; remove it or check its spelling",
            'platform:services.api.deployment.strategy: Invalid option: expected one of "script"|"versions", got string ("canary")',
            "platform:services.api.deployment.percentage: expected a percentage above 0 and at most 100, with at most two decimals, got number (150)",
            "platform:services.api.deployment.rollbackTo: expected a Worker version id (a lowercase UUID, as `wrangler deployments list` prints it), got string (\"v1\")",
        ]);
    });

    it("rejects combinations that cannot be deployed, at the offending key", () => {
        expect(issues({ api: { healthGate: { timeoutSeconds: 10, intervalSeconds: 30 } } }))
            .toEqual(["platform:services.api.healthGate.intervalSeconds: must not exceed timeoutSeconds"]);
        expect(issues({ api: { deployment: { percentage: 10 } } }))
            .toEqual(['platform:services.api.deployment.percentage: a traffic split needs strategy "versions"; set deployment.strategy to versions']);
        expect(issues({ api: { deployment: { strategy: "versions", percentage: 10, rollbackTo: OLDER } } }))
            .toEqual(["platform:services.api.deployment.percentage: a rollback sends 100% of traffic to rollbackTo; remove percentage (or rollbackTo)"]);
        expect(issues({ api: { deployment: { strategy: "versions", stableVersionId: STABLE } } }))
            .toEqual(["platform:services.api.deployment.stableVersionId: is only used while percentage is below 100; remove it"]);
    });

    it("expects every check the declaration calls for unless the stack lists them", () => {
        expect(expectedHealthChecks(api)).toEqual(["env", "CACHE", "DB", "FILES", "COUNTER", "DATABASE", "NOTE_EVENTS", "NOTE_EVENTS_DLQ", "EXPORTS", "ASSETS", "METRICS", "CF_VERSION_METADATA"]);
        expect(expectedHealthChecks(api, healthGateSchema.parse({ expectedChecks: ["env", "DB"] }))).toEqual(["env", "DB"]);
    });
});

describe("deploymentPlan", () => {
    const versions = (input: unknown) => deploymentSchema.parse({ strategy: "versions", ...(input as object) });

    it("deploys the new version to all traffic by default", () => {
        expect(deploymentPlan(versions({}), NEW, [{ versionId: STABLE, percentage: 100 }]))
            .toEqual({ versions: [{ versionId: NEW, percentage: 100 }], gateVersionId: NEW });
    });

    it("splits a rollout with the version serving most traffic, the new one first at every step", () => {
        expect(deploymentPlan(versions({ percentage: 10 }), NEW, [{ versionId: STABLE, percentage: 100 }]))
            .toEqual({ versions: [{ versionId: NEW, percentage: 10 }, { versionId: STABLE, percentage: 90 }], gateVersionId: NEW });
        // Raising the share keeps the same pair and order.
        expect(deploymentPlan(versions({ percentage: 50 }), NEW, [{ versionId: NEW, percentage: 10 }, { versionId: STABLE, percentage: 90 }]))
            .toEqual({ versions: [{ versionId: NEW, percentage: 50 }, { versionId: STABLE, percentage: 50 }], gateVersionId: NEW });
        expect(deploymentPlan(versions({ percentage: 33.33 }), NEW, [{ versionId: OLDER, percentage: 20 }, { versionId: STABLE, percentage: 80 }]).versions)
            .toEqual([{ versionId: NEW, percentage: 33.33 }, { versionId: STABLE, percentage: 66.67 }]);
        expect(deploymentPlan(versions({ percentage: 25, stableVersionId: OLDER }), NEW, undefined).versions)
            .toEqual([{ versionId: NEW, percentage: 25 }, { versionId: OLDER, percentage: 75 }]);
    });

    it("rolls back by sending all traffic to the pinned version and gating on it", () => {
        expect(deploymentPlan(versions({ rollbackTo: OLDER }), NEW, [{ versionId: NEW, percentage: 100 }]))
            .toEqual({ versions: [{ versionId: OLDER, percentage: 100 }], gateVersionId: OLDER });
    });

    it("refuses a split with nothing to split with", () => {
        expect(() => deploymentPlan(versions({ percentage: 10 }), NEW, undefined)).toThrow(DeploymentPlanError);
        expect(() => deploymentPlan(versions({ percentage: 10 }), NEW, undefined)).toThrow(/no deployment yet: deploy the first version at 100%/);
        expect(() => deploymentPlan(versions({ percentage: 10 }), NEW, [{ versionId: NEW, percentage: 100 }])).toThrow(/serves only version aaaaaaaa-.*set stableVersionId/);
    });
});
