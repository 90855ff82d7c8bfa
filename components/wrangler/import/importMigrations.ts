/**
 * The Durable Object migrations part of the wrangler import: each mapped environment's history
 * (`migrations` is inheritable: an environment without its own takes the top level's), and the one
 * history the declaration takes. Pure; called by `importConfig.ts`.
 *
 * One declaration serves every stack, so it has one history. A Worker the platform keeps deploying (its
 * environment's script name is the platform's `<service>-<stack>`) has applied its environment's history,
 * and each deploy applies only the declared steps after the Worker's last tag
 * (`components/cloudflare/deployment/pendingMigrationSteps.ts`): the declared history must continue every
 * such history, step for step. So the declaration takes the longest of those histories, provided each of
 * them is the start of it, then extends it with another environment's (production first) where that one
 * continues it. A Worker the platform replaces by a new script (another name) starts with the declared
 * history, whatever its own was; the import notes the difference. When two kept Workers' histories
 * diverge, no history serves both: a {@link ValidationIssue} at the first step where they differ.
 */
import type { DurableObjectMigration } from "../../service/durableObjectMigrations";
import { replayMigrations } from "../../service/durableObjectMigrations";
import { scriptNameOf } from "../../stackName";
import { toWranglerMigration } from "../generate";
import { CLASS_NAME } from "../../service/names";
import { describeValue, renderPath, type ValidationIssue } from "../../validation";
import type { RawConfig } from "./environments";
import type { MappedEnv, Note } from "./importContext";

/** The migration history of one mapped environment. */
export interface EnvironmentMigrations {
    readonly m: MappedEnv;
    /** The steps, in the declaration's shape. */
    readonly history: readonly DurableObjectMigration[];
    /** The environment's Worker is the script the platform deploys for its stack (same name), so it keeps its applied history. */
    readonly kept: boolean;
    /** The environment's script name in the original, when it has one. */
    readonly scriptName: string | undefined;
    /** Renders a path where the file has the history: the environment's own `migrations`, or the top level's when inherited. */
    readonly at: (...segments: PropertyKey[]) => string;
}

/**
 * The migration history of every mapped environment. A history wrangler would reject (a class name that
 * is not one, a duplicate tag, a step on a class that does not exist) goes to `issues`, once per place in
 * the file (an inherited history is the top level's).
 */
export function environmentMigrations(mapped: readonly MappedEnv[], serviceName: string, issues: ValidationIssue[]): EnvironmentMigrations[] {
    const reported = new Set<string>();
    return mapped.map((m) => {
        const inherited = m.inherited.includes("migrations");
        const at = inherited ? (...segments: PropertyKey[]) => renderPath("", segments) : m.at;
        const found: ValidationIssue[] = [];
        const history = migrationsOf(m.env, at, found);
        for (const issue of found) {
            if (!reported.has(issue.path)) issues.push(issue);
            reported.add(issue.path);
        }
        const scriptName = typeof m.env.name === "string" ? m.env.name : undefined;
        return { m, history, kept: scriptName === scriptNameOf(serviceName, m.stack), scriptName, at };
    });
}

/**
 * The history the declaration takes (see the module comment). Notes each environment whose history it
 * is not, with what the first `pulumi up` of its stack does; a kept Worker whose history diverges from
 * another kept Worker's goes to `issues`.
 */
export function declaredMigrations(histories: readonly EnvironmentMigrations[], serviceName: string, note: Note, issues: ValidationIssue[]): DurableObjectMigration[] {
    let declared: EnvironmentMigrations | undefined;
    const diverged = new Map<EnvironmentMigrations, number>();
    for (const h of [...histories.filter((x) => x.kept), ...histories.filter((x) => !x.kept)]) {
        if (h.history.length === 0) continue;
        if (declared === undefined) {
            declared = h;
            continue;
        }
        const step = firstDifference(declared.history, h.history);
        if (step === undefined) {
            if (h.history.length > declared.history.length) declared = h;
        } else if (h.kept) {
            // Kept Workers come first, so `declared` is one of them too.
            issues.push({
                path: h.at("migrations", step),
                message: `the Worker "${h.scriptName}" (${h.m.label}) has this step ${describeStep(h.history[step]!)} where the Worker ` +
                    `"${declared.scriptName}" (${declared.m.label}) has ${describeStep(declared.history[step]!)}. The platform keeps deploying both ` +
                    "(same script names) and one declaration serves every stack, so no migration history continues both: make the histories " +
                    "agree step for step if one of them was never deployed, or pass --name to deploy new Workers whose Durable Objects start empty " +
                    "(the existing Workers keep theirs)",
            });
        } else {
            diverged.set(h, step);
        }
    }
    if (declared === undefined) return [];
    const from = declared;
    const tags = (steps: readonly DurableObjectMigration[]) => steps.map((s) => s.tag).join(", ");
    for (const h of histories) {
        if (h === from || JSON.stringify(h.history) === JSON.stringify(from.history)) continue;
        const platformScript = scriptNameOf(serviceName, h.m.stack);
        const step = diverged.get(h);
        if (step !== undefined) {
            note(h.m.environment, h.m.at("migrations"), "changed",
                `differs from ${from.m.label}'s at step ${step + 1} (${describeStep(h.history[step]!)} here, ${describeStep(from.history[step]!)} there); ` +
                `one declaration serves every stack and declares ${from.m.label}'s (tags ${tags(from.history)}). Stack ${h.m.stack} deploys "${platformScript}", ` +
                `a new Worker created with that history${h.scriptName === undefined ? "" : `; the Durable Objects of "${h.scriptName}" keep their own`}`);
            continue;
        }
        const added = from.history.slice(h.history.length);
        const had = h.history.length === 0 ? "none" : `up to tag ${h.history[h.history.length - 1]!.tag}`;
        note(h.m.environment, h.m.at("migrations"), "changed",
            `${had}; the declared history (${from.m.label}'s) continues it with ${added.length === 1 ? "tag" : "tags"} ${tags(added)}: ` +
            (h.kept
                ? `the first \`pulumi up\` of stack ${h.m.stack} applies ${added.length === 1 ? "it" : "them"} to the Worker "${platformScript}"`
                : `stack ${h.m.stack} deploys "${platformScript}", a new Worker created with the whole history`));
    }
    return [...from.history];
}

/** A step as wrangler writes it, for messages: `{"tag":"v1","new_sqlite_classes":["Room"]}`. */
function describeStep(step: DurableObjectMigration): string {
    return JSON.stringify(toWranglerMigration(step));
}

/** The index of the first step two histories differ at, or undefined when one is the start of the other. */
function firstDifference(a: readonly DurableObjectMigration[], b: readonly DurableObjectMigration[]): number | undefined {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
    }
    return undefined;
}

/** wrangler's keys of a step's fields, for paths. */
const FIELDS: Readonly<Record<string, string>> = {
    newClasses: "new_classes", newSqliteClasses: "new_sqlite_classes", renamedClasses: "renamed_classes",
    deletedClasses: "deleted_classes", transferredClasses: "transferred_classes",
};

/**
 * The `migrations` of an environment in the declaration's shape; problems go to `issues` (a history
 * wrangler would reject), with paths rendered by `at`.
 */
function migrationsOf(env: RawConfig, at: (...segments: PropertyKey[]) => string, issues: ValidationIssue[]): DurableObjectMigration[] {
    const steps = Array.isArray(env.migrations) ? env.migrations as RawConfig[] : [];
    const history = steps.map((step, i): DurableObjectMigration => {
        const classList = (key: string): string[] | undefined => {
            const list = step[key] as string[] | undefined;
            list?.forEach((c, j) => {
                if (!CLASS_NAME.test(c)) issues.push({ path: at("migrations", i, key, j), message: `expected a JavaScript class name, got ${describeValue(c)}` });
            });
            return list === undefined || list.length === 0 ? undefined : [...list];
        };
        const renamed = step.renamed_classes as { from: string; to: string }[] | undefined;
        const transferred = step.transferred_classes as { from: string; from_script: string; to: string }[] | undefined;
        const out: Record<string, unknown> = { tag: step.tag };
        const newClasses = classList("new_classes");
        const newSqliteClasses = classList("new_sqlite_classes");
        const deletedClasses = classList("deleted_classes");
        if (newClasses !== undefined) out.newClasses = newClasses;
        if (newSqliteClasses !== undefined) out.newSqliteClasses = newSqliteClasses;
        if (renamed !== undefined && renamed.length > 0) out.renamedClasses = renamed.map(({ from, to }) => ({ from, to }));
        if (deletedClasses !== undefined) out.deletedClasses = deletedClasses;
        if (transferred !== undefined && transferred.length > 0) {
            out.transferredClasses = transferred.map(({ from, from_script, to }) => ({ from, fromScript: from_script, to }));
        }
        return out as unknown as DurableObjectMigration;
    });
    for (const problem of replayMigrations(history).problems) {
        issues.push({ path: at("migrations", problem.index, FIELDS[problem.field] ?? problem.field), message: problem.message });
    }
    return history;
}
