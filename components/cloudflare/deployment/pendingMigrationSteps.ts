/**
 * Which Durable Object migration steps a deploy must upload, given the declaration's whole history and
 * the migration tag the live script has, as wrangler computes them (wrangler 4.86 `getMigrationsToUpload`,
 * workers-sdk `packages/wrangler/src/durable.ts`): nothing on the live script → every step; the live tag
 * is the last step → nothing; otherwise the steps after the live tag, uploaded with `old_tag` = the live
 * tag (the API rejects the upload if the script moved on meanwhile) and `new_tag` = the last tag.
 * Source: https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
 *
 * Unlike wrangler, which warns and re-uploads the whole history when the live tag is missing from the
 * config, a missing live tag is an error here: it means an applied step was renamed or removed, and
 * replaying creations onto a script that already has those classes fails or deletes data.
 */
import type * as cloudflare from "@pulumi/cloudflare";
import type { DurableObjectMigration } from "../../service/durableObjectMigrations";
import { UserError } from "../../validation";

/** What to upload with the script: `migrations` of `WorkersScript` / `WorkerVersion`. */
export interface PendingMigrations {
    /** The live script's tag; absent on the first deploy (no script, or a script without migrations). */
    readonly oldTag?: string;
    /** The last tag of the history; the script's tag after the upload. */
    readonly newTag: string;
    /** The steps after `oldTag`, in order (every step on the first deploy); never empty. */
    readonly steps: readonly DurableObjectMigration[];
}

/**
 * A history that cannot be applied to the live script. `__pulumiRunError` makes the CLI print the
 * message without a stack trace.
 */
export class MigrationHistoryError extends UserError {
    /** The tag the problem is about (the live tag, or a duplicated one). */
    readonly tag: string;

    constructor(tag: string, message: string) {
        super(message);
        this.name = "MigrationHistoryError";
        this.tag = tag;
    }
}

/**
 * Computes the steps to upload.
 *
 * @param history the declaration's `durableObjectMigrations`, oldest first.
 * @param liveTag the live script's `migration_tag`; `undefined` or `""` when the script does not exist or
 *   has never had a migration (first deploy).
 * @returns the steps with their tags, or `undefined` when nothing is pending (empty history and no live
 *   tag, or the live tag is the last step).
 * @throws {MigrationHistoryError} naming the tag when the history has a tag twice, or when the live tag
 *   is not in the history (an applied step was renamed or removed: restore it and add new steps after it).
 */
export function pendingMigrationSteps(
    history: readonly DurableObjectMigration[],
    liveTag: string | undefined,
): PendingMigrations | undefined {
    const seen = new Set<string>();
    for (const step of history) {
        if (seen.has(step.tag)) {
            throw new MigrationHistoryError(step.tag, `Durable Object migration tag "${step.tag}" appears twice in the history; every step needs its own tag.`);
        }
        seen.add(step.tag);
    }
    const last = history[history.length - 1];
    if (liveTag === undefined || liveTag === "") {
        return last === undefined ? undefined : { newTag: last.tag, steps: history };
    }
    const index = history.findIndex((step) => step.tag === liveTag);
    if (index === -1) {
        const tags = history.length === 0 ? "the history is empty" : `its tags are ${history.map((s) => `"${s.tag}"`).join(", ")}`;
        throw new MigrationHistoryError(liveTag,
            `The live script is at Durable Object migration tag "${liveTag}", which durableObjectMigrations does not contain (${tags}). ` +
            `Applied steps must never be renamed or removed: restore the step tagged "${liveTag}" and add changes as new steps after it.`);
    }
    if (index === history.length - 1) return undefined;
    return { oldTag: liveTag, newTag: last!.tag, steps: history.slice(index + 1) };
}

/** The `migrations` input of a `WorkersScript` (and, same shape, a `WorkerVersion`) for pending steps. */
export function scriptMigrations(pending: PendingMigrations): cloudflare.types.input.WorkersScriptMigrations {
    return {
        ...(pending.oldTag === undefined ? {} : { oldTag: pending.oldTag }),
        newTag: pending.newTag,
        steps: pending.steps.map((step): cloudflare.types.input.WorkersScriptMigrationsStep => ({
            ...(step.newClasses?.length ? { newClasses: [...step.newClasses] } : {}),
            ...(step.newSqliteClasses?.length ? { newSqliteClasses: [...step.newSqliteClasses] } : {}),
            ...(step.renamedClasses?.length ? { renamedClasses: step.renamedClasses.map((r) => ({ from: r.from, to: r.to })) } : {}),
            ...(step.deletedClasses?.length ? { deletedClasses: [...step.deletedClasses] } : {}),
            ...(step.transferredClasses?.length
                ? { transferredClasses: step.transferredClasses.map((t) => ({ from: t.from, fromScript: t.fromScript, to: t.to })) }
                : {}),
        })),
    };
}
