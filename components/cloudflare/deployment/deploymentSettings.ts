/**
 * How a service's code reaches traffic: stack config `platform:services.<name>.deployment`, and the
 * traffic split it asks for.
 *
 * - `strategy: "script"` (default): one `cloudflare.WorkersScript`; every `pulumi up` serves the new code
 *   to all traffic at once.
 * - `strategy: "versions"`: `cloudflare.Worker` + `cloudflare.WorkerVersion` (one immutable version per
 *   change) + `cloudflare.WorkersDeployment` (which versions get which share of traffic). `percentage`
 *   below 100 splits traffic between the new version and the version serving most traffic now (read from
 *   the live deployment, or `stableVersionId`); `rollbackTo` sends all traffic to an earlier version;
 *   `rollout` moves each new version through steps judged on live metrics (`../rollout/rolloutSettings.ts`).
 *
 * Cloudflare: a deployment has one or two versions whose percentages (0.01–100) total 100.
 * https://developers.cloudflare.com/workers/versions-and-deployments/gradual-deployments/ ,
 * https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/create/
 *
 * @example
 * # Pulumi.production.yaml: 10% of traffic to the new version
 * platform:services:
 *   api:
 *     deployment: { strategy: versions, percentage: 10 }
 */
import { z } from "zod";
import type { LiveDeploymentVersion } from "./liveWorkerState";
import { UserError } from "../../validation";
import { rolloutSchema, trafficPercentage } from "../rollout/rolloutSettings";

const versionId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
    error: "expected a Worker version id (a lowercase UUID, as `wrangler deployments list` prints it)",
});


/** The `deployment` key of a service's stack config. */
export const deploymentSchema = z.strictObject({
    /**
     * `"script"`: upload a `WorkersScript`, all traffic at once. `"versions"`: upload a `WorkerVersion` and
     * deploy it with a `WorkersDeployment` (gradual rollouts and rollbacks).
     * @default "script"
     */
    strategy: z.enum(["script", "versions"]).default("script"),
    /**
     * Share of traffic, in percent (above 0, at most 100, two decimals), the new version gets; the rest stays
     * on the current stable version. Only with `strategy: "versions"`.
     * @default 100
     */
    percentage: trafficPercentage.default(100),
    /**
     * The version that keeps the rest of the traffic while `percentage` is below 100.
     * @default the version with the largest share in the live deployment, other than the new one
     */
    stableVersionId: versionId.optional(),
    /**
     * Roll back: send 100% of traffic to this earlier version. The current code is still uploaded as a
     * version but gets no traffic. Remove the key to roll forward again.
     * @default none
     */
    rollbackTo: versionId.optional(),
    /**
     * Metric-gated rollout of each new version (`components/cloudflare/rollout/rolloutSettings.ts`): the gate
     * moves traffic through `steps`, judges each step's error rate and p95 wall time against the old version,
     * and rolls back on a breach. Only with `strategy: "versions"`; replaces `percentage`; `stableVersionId`
     * names the old version; `rollbackTo` suspends it.
     * @default none: each version gets `percentage` at once
     */
    rollout: rolloutSchema.optional(),
}).superRefine((d, ctx) => {
    if (d.strategy === "script") {
        for (const key of ["stableVersionId", "rollbackTo", "rollout"] as const) {
            if (d[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: 'needs strategy "versions"; set deployment.strategy to versions' });
        }
        if (d.percentage !== 100) ctx.addIssue({ code: "custom", path: ["percentage"], message: 'a traffic split needs strategy "versions"; set deployment.strategy to versions' });
        return;
    }
    if (d.rollbackTo !== undefined && d.percentage !== 100) {
        ctx.addIssue({ code: "custom", path: ["percentage"], message: "a rollback sends 100% of traffic to rollbackTo; remove percentage (or rollbackTo)" });
    }
    const gated = d.rollout?.enabled === true;
    if (gated && d.percentage !== 100) {
        ctx.addIssue({ code: "custom", path: ["percentage"], message: "the rollout's steps set the new version's share; remove percentage (or the rollout)" });
    }
    if (d.stableVersionId !== undefined && !gated && (d.percentage === 100 || d.rollbackTo !== undefined)) {
        ctx.addIssue({ code: "custom", path: ["stableVersionId"], message: "is only used while percentage is below 100; remove it" });
    }
    if (d.stableVersionId !== undefined && gated && d.rollbackTo !== undefined) {
        ctx.addIssue({ code: "custom", path: ["stableVersionId"], message: "a rollback suspends the rollout, so no version is compared; remove it (or rollbackTo)" });
    }
});

/** Validated deployment settings (defaults applied). */
export type DeploymentSettings = z.output<typeof deploymentSchema>;

/**
 * The share of traffic, in percent, the new code first reaches: 100 for a rollback (the new code gets none,
 * so nothing is split) and for the `script` strategy, the first step of an enabled rollout, else `percentage`.
 * Durable Object migrations cannot ship at less than 100.
 */
export function firstTrafficShare(settings: DeploymentSettings | undefined): number {
    if (settings === undefined || settings.strategy === "script" || settings.rollbackTo !== undefined) return 100;
    return settings.rollout?.enabled === true ? settings.rollout.steps[0]! : settings.percentage;
}

/** One entry of a `WorkersDeployment`'s `versions`. */
export interface DeploymentVersion {
    /** Worker version id (UUID). */
    readonly versionId: string;
    /** Share of traffic in percent, 0.01–100. */
    readonly percentage: number;
}

/** The split a deploy declares, and which version the health gate must test. */
export interface DeploymentPlan {
    /** `versions` of the `WorkersDeployment`: the version under test first, percentages totalling 100. */
    readonly versions: DeploymentVersion[];
    /** The version the health gate pins its requests to: the new one, or `rollbackTo`. */
    readonly gateVersionId: string;
}

/** A split that cannot be made; printed without a stack trace. */
export class DeploymentPlanError extends UserError {
    constructor(message: string) {
        super(message);
        this.name = "DeploymentPlanError";
    }
}

/**
 * Computes the traffic split of a versioned deploy.
 *
 * - `rollbackTo` set: 100% to it.
 * - `percentage` 100: 100% to the new version.
 * - below 100: the new version gets `percentage`, the stable version the rest. The stable version is
 *   `stableVersionId`, else the version with the largest share in the live deployment other than the new
 *   one. The new version is listed first on every step, so Durable Objects already moved to it stay there
 *   as its share grows (https://developers.cloudflare.com/workers/versions-and-deployments/gradual-deployments/with-durable-objects/).
 *
 * @param settings the service's validated `deployment` settings.
 * @param newVersionId id of the `WorkerVersion` of the current code.
 * @param live the live deployment's versions; `undefined` when the script has none yet.
 * @throws {DeploymentPlanError} when a split is asked for but there is no other version to split with
 *   (first deploy, or the live deployment serves only the new version).
 */
export function deploymentPlan(settings: DeploymentSettings, newVersionId: string, live: readonly LiveDeploymentVersion[] | undefined): DeploymentPlan {
    if (settings.rollbackTo !== undefined) {
        return { versions: [{ versionId: settings.rollbackTo, percentage: 100 }], gateVersionId: settings.rollbackTo };
    }
    if (settings.percentage === 100) {
        return { versions: [{ versionId: newVersionId, percentage: 100 }], gateVersionId: newVersionId };
    }
    const stable = settings.stableVersionId ?? [...(live ?? [])]
        .filter((v) => v.versionId !== newVersionId)
        .sort((a, b) => b.percentage - a.percentage)[0]?.versionId;
    if (stable === undefined || stable === newVersionId) {
        throw new DeploymentPlanError(live === undefined
            ? `A ${settings.percentage}% rollout needs a version to split traffic with, but the Worker has no deployment yet: deploy the first version at 100% (remove percentage).`
            : `A ${settings.percentage}% rollout needs a version to split traffic with, but the live deployment serves only version ${newVersionId}: set stableVersionId, or remove percentage.`);
    }
    const rest = Math.round((100 - settings.percentage) * 100) / 100;
    return {
        versions: [{ versionId: newVersionId, percentage: settings.percentage }, { versionId: stable, percentage: rest }],
        gateVersionId: newVersionId,
    };
}
