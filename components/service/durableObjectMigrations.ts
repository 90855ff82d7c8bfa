/**
 * Durable Object migration history, as wrangler's `[[migrations]]` entries: each step has a unique tag
 * and creates, renames, deletes or transfers classes. The classes a Worker exports as Durable Objects
 * are the result of replaying the history in order.
 * Source: https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
 */

/** A class renamed within the same Worker (`renamed_classes` in wrangler). */
export interface RenamedClass {
    /** Class name before the step. */
    readonly from: string;
    /** Class name after the step. */
    readonly to: string;
}

/** A class moved here from another Worker (`transferred_classes` in wrangler). */
export interface TransferredClass {
    /** Class name in the source Worker. */
    readonly from: string;
    /** Script name of the source Worker. */
    readonly fromScript: string;
    /** Class name in this Worker. */
    readonly to: string;
}

/** One migration step. Every list defaults to empty. */
export interface DurableObjectMigration {
    /** Unique tag of the step (`tag` in wrangler), e.g. `"v1"`. Applied tags must never be rewritten. */
    readonly tag: string;
    /** Classes created with the legacy key-value storage backend (`new_classes`). */
    readonly newClasses?: readonly string[];
    /** Classes created with SQLite storage (`new_sqlite_classes`), recommended for new classes. */
    readonly newSqliteClasses?: readonly string[];
    /** Classes renamed (`renamed_classes`). */
    readonly renamedClasses?: readonly RenamedClass[];
    /** Classes deleted with all their data (`deleted_classes`). */
    readonly deletedClasses?: readonly string[];
    /** Classes transferred from another Worker (`transferred_classes`). */
    readonly transferredClasses?: readonly TransferredClass[];
}

/** A problem in a history: the step index (into the history array) and what is wrong. */
export interface MigrationProblem {
    /** Index of the offending step, and the field within it. */
    readonly index: number;
    readonly field: keyof DurableObjectMigration;
    readonly message: string;
}

/** Storage backend of a live class after replaying the history. */
export type DurableObjectStorage = "sqlite" | "key-value";

/**
 * Replays a history and returns the live classes (name → storage backend) plus every inconsistency:
 * duplicate tags, creating a class that exists, renaming, deleting or transferring onto names that do
 * not exist or already exist.
 */
export function replayMigrations(history: readonly DurableObjectMigration[]): {
    classes: Map<string, DurableObjectStorage>;
    problems: MigrationProblem[];
} {
    const classes = new Map<string, DurableObjectStorage>();
    const problems: MigrationProblem[] = [];
    const tags = new Set<string>();
    history.forEach((step, index) => {
        if (tags.has(step.tag)) {
            problems.push({ index, field: "tag", message: `tag "${step.tag}" is used by an earlier step; tags must be unique` });
        }
        tags.add(step.tag);
        const create = (name: string, storage: DurableObjectStorage, field: keyof DurableObjectMigration) => {
            if (classes.has(name)) {
                problems.push({ index, field, message: `class "${name}" already exists at this step` });
            }
            classes.set(name, storage);
        };
        for (const name of step.newClasses ?? []) create(name, "key-value", "newClasses");
        for (const name of step.newSqliteClasses ?? []) create(name, "sqlite", "newSqliteClasses");
        for (const { from, to } of step.renamedClasses ?? []) {
            const storage = classes.get(from);
            if (storage === undefined) {
                problems.push({ index, field: "renamedClasses", message: `cannot rename "${from}": no such class at this step` });
                continue;
            }
            classes.delete(from);
            create(to, storage, "renamedClasses");
        }
        for (const name of step.deletedClasses ?? []) {
            if (!classes.delete(name)) {
                problems.push({ index, field: "deletedClasses", message: `cannot delete "${name}": no such class at this step` });
            }
        }
        // A transferred class keeps the storage it had in the source Worker, which this history cannot
        // see; SQLite is the only backend Cloudflare offers for new classes on the free plan, so assume it.
        for (const { to } of step.transferredClasses ?? []) create(to, "sqlite", "transferredClasses");
    });
    return { classes, problems };
}
