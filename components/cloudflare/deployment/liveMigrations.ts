/**
 * The `migrations` input of a Worker upload, computed at deploy time from the live script's Durable
 * Object migration tag ({@link readLiveMigrationTag}) and the declaration's history
 * ({@link pendingMigrationSteps}).
 */
import type * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { DurableObjectMigration } from "../../service/durableObjectMigrations";
import { readLiveMigrationTag } from "./liveWorkerState";
import { MigrationHistoryError, pendingMigrationSteps, scriptMigrations } from "./pendingMigrationSteps";

/** Options of {@link liveScriptMigrations}. */
export interface LiveScriptMigrationsOptions {
    /** Cloudflare account id. */
    readonly accountId: pulumi.Input<string>;
    /** Script name in Cloudflare (`api-staging`). */
    readonly scriptName: string;
    /** The declaration's `durableObjectMigrations`, oldest first. */
    readonly history: readonly DurableObjectMigration[];
    /**
     * Share of traffic (percent) the upload gets when it is a gradual versioned deploy (below 100);
     * pending steps are then an error, since Durable Object migrations cannot be deployed gradually
     * (https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/).
     * @default 100
     */
    readonly percentage?: number;
    /** Resource that log messages are attached to. */
    readonly logResource?: pulumi.Resource;
}

/**
 * Reads the live tag (during `pulumi up`, and `pulumi preview` when `CLOUDFLARE_API_TOKEN` is set) and
 * returns what to upload: `undefined` when nothing is pending, else `{ oldTag?, newTag, steps }`. When the
 * tag cannot be read (a preview without a token, or the offline plan) it assumes a first deploy, uploads
 * the whole history, and says so in an info message.
 *
 * @returns `undefined` (no Output) when the history is empty: like wrangler, nothing is read or sent.
 * @throws (in the Output) {@link MigrationHistoryError} for a live tag missing from the history, and an
 *   error for pending steps in a gradual deploy; and whatever the live read throws.
 */
export function liveScriptMigrations(options: LiveScriptMigrationsOptions): pulumi.Output<cloudflare.types.input.WorkersScriptMigrations | undefined> | undefined {
    const { history, scriptName } = options;
    if (history.length === 0) return undefined;
    return pulumi.output(options.accountId).apply(async (accountId) => {
        const live = await readLiveMigrationTag(accountId, scriptName);
        if (live.status === "skipped") {
            pulumi.log.info(`${scriptName}: ${live.reason}; assuming a first deploy, so every Durable Object migration step ` +
                `(through "${history[history.length - 1]!.tag}") is shown. pulumi up reads the live tag and uploads only the pending steps.`, options.logResource);
        }
        const pending = pendingMigrationSteps(history, live.status === "read" ? live.value : undefined);
        if (pending !== undefined && live.status === "read" && (options.percentage ?? 100) < 100) {
            throw new MigrationHistoryError(pending.newTag,
                `${scriptName} has pending Durable Object migration steps (${pending.steps.map((s) => `"${s.tag}"`).join(", ")}), and migrations ` +
                `cannot be deployed gradually: deploy this version at 100% first (remove deployment.percentage, or set deployment.rollout.enabled to false), then split traffic on later changes.`);
        }
        return pending === undefined ? undefined : scriptMigrations(pending);
    });
}
