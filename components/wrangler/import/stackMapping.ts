/**
 * Which stack each wrangler environment of an imported file feeds. Pure; called by `importConfig.ts`.
 *
 * 1. `--env <stack>=<env>` mappings first.
 * 2. `production` and `staging` take the environment named like them, or else the one with the first of
 *    their usual names ({@link USUAL_ENVIRONMENT_NAMES}: `prod`, `live`, `stage`, `qa`, ...) that the
 *    file has; names are compared as stack names (`Prod`, `pre_prod` match `prod`, `pre-prod`).
 * 3. Every other environment feeds its own stack, named after it and made a valid stack name
 *    (`components/stackName.ts`: `feature_x` → `feature-x`): `preview`, `dev`, `local`, `alpha`, ... An
 *    environment whose stack is already fed (two names that become one) is reported as not mapped.
 * 4. The top level feeds production when no environment does, else staging when no environment does,
 *    else no stack (reported). A top level without `name` is no Worker wrangler can deploy: it feeds no
 *    stack when an environment does.
 * Each environment feeds at most one stack, so a live resource is adopted by one stack only. Every mapped
 * environment gets a `mapped` note saying why.
 */
import { renderPath } from "../../validation";
import { stackNameFrom } from "../../stackName";
import { effectiveEnvironment, environmentNames, type RawConfig } from "./environments";
import type { ImportOptions } from "./importConfig";
import type { MappedEnv, Note } from "./importContext";

/**
 * The wrangler environment names that feed `production` and `staging` without `--env`, most specific
 * first: the stack's own name, then the names public wrangler configs use for it.
 */
export const USUAL_ENVIRONMENT_NAMES: Readonly<Record<"production" | "staging", readonly string[]>> = {
    production: ["production", "prod", "prd", "live", "main"],
    staging: ["staging", "stage", "stg", "preprod", "pre-prod", "preproduction", "pre-production", "uat", "qa", "test", "testing"],
};

/** The stacks the top level may feed, in the order it takes them. */
const TOP_LEVEL_STACKS = ["production", "staging"] as const;

/**
 * The stack an environment name is a usual name of (`prod` → production, `QA` → staging).
 * @returns undefined for any other name (`preview`, `dev`, `local`, `feature-x`).
 */
export function usualStackOf(environment: string): "production" | "staging" | undefined {
    const name = stackNameFrom(environment);
    for (const stack of TOP_LEVEL_STACKS) {
        if (name !== undefined && USUAL_ENVIRONMENT_NAMES[stack].includes(name)) return stack;
    }
    return undefined;
}

/**
 * Maps the file's environments to stacks as the module comment says, noting each mapping (`mapped`) and
 * each environment no stack takes (`not-mapped`).
 * @param options the import's options; `environments` must already be checked (stack names valid,
 *   environments present, none given twice).
 * @returns the mapped environments: production first, then staging, then the others in file order.
 */
export function mapEnvironments(raw: RawConfig, options: Pick<ImportOptions, "environments">, note: Note): MappedEnv[] {
    const names = environmentNames(raw);
    /** stack → the environment feeding it (undefined: the top level), and why, in parentheses, for the note. */
    const chosen = new Map<string, { environment: string | undefined; why: string }>();
    const taken = (environment: string) => [...chosen.values()].some((c) => c.environment === environment);
    const feeder = (stack: string) => describe(chosen.get(stack)!.environment);

    for (const [stack, environment] of Object.entries(options.environments ?? {})) {
        chosen.set(stack, { environment, why: `(--env ${stack}=${environment})` });
    }
    for (const stack of TOP_LEVEL_STACKS) {
        if (chosen.has(stack)) continue;
        for (const usual of USUAL_ENVIRONMENT_NAMES[stack]) {
            const environment = names.find((n) => !taken(n) && stackNameFrom(n) === usual);
            if (environment === undefined) continue;
            chosen.set(stack, {
                environment,
                why: environment === stack ? "(same name)" : `("${environment}" is a usual name for ${stack}; --env <stack>=${environment} chooses another stack)`,
            });
            break;
        }
    }
    for (const environment of names) {
        if (taken(environment)) continue;
        const at = renderPath("", ["env", environment]);
        const stack = stackNameFrom(environment);
        if (stack === undefined) {
            note(environment, at, "not-mapped", `"${environment}" has no letter or digit a stack name could keep; its bindings, vars and routes are not imported. ` +
                `Pass --env <stack>=${environment} to import it`);
            continue;
        }
        if (chosen.has(stack)) {
            note(environment, at, "not-mapped", `its own stack would be ${stack}, which ${feeder(stack)} feeds already; its bindings, vars and routes are not imported. ` +
                `Pass --env <stack>=${environment} to import it as another stack`);
            continue;
        }
        const usual = usualStackOf(environment);
        chosen.set(stack, {
            environment,
            why: `(its own stack${stack === environment ? "" : `, "${environment}" made a stack name`}: ` +
                (usual === undefined ? `"${environment}" is not a usual name for production or staging` : `${feeder(usual)} feeds ${usual}`) +
                `; --env <stack>=${environment} chooses another stack)`,
        });
    }
    const topStack = TOP_LEVEL_STACKS.find((s) => !chosen.has(s));
    if (topStack !== undefined && typeof raw.name !== "string" && chosen.size > 0) {
        note(undefined, "(top level)", "not-mapped",
            `the top level is not mapped to a stack: it has no name, so wrangler deploys no Worker from it (only its environments), and no environment feeds ${topStack}. ` +
            "Its bindings and vars are not imported; the keys environments inherit from it are");
    } else if (topStack === undefined) {
        note(undefined, "(top level)", "not-mapped",
            `the top level is not mapped to a stack: ${feeder("production")} feeds production and ${feeder("staging")} staging. ` +
            "Its bindings and vars are not imported; the keys environments inherit from it are");
    } else {
        chosen.set(topStack, {
            environment: undefined,
            why: topStack === "production" ? "(no environment feeds production)" : `(${feeder("production")} feeds production, and no environment feeds staging)`,
        });
    }

    // Production, staging, then the other stacks in the file's order of their environments.
    const byEnvironment = new Map([...chosen].map(([stack, c]) => [c.environment, stack]));
    const stacks = [...new Set([...TOP_LEVEL_STACKS, ...names.map((n) => byEnvironment.get(n))])].filter((s): s is string => s !== undefined && chosen.has(s));
    return stacks.map((stack) => {
        const { environment, why } = chosen.get(stack)!;
        const prefix = environment === undefined ? "" : renderPath("", ["env", environment]);
        const effective = effectiveEnvironment(raw, environment);
        note(environment, environment === undefined ? "(top level)" : prefix, "mapped", `feeds stack ${stack} ${why}: its values are in stack.${stack}.yaml`);
        return {
            stack,
            environment,
            label: environment === undefined ? "the top level" : prefix,
            env: effective.env,
            inherited: effective.inherited,
            at: (...segments: PropertyKey[]) => renderPath(prefix, segments),
        };
    });
}

/** `env.prod` or `the top level`, for messages. */
function describe(environment: string | undefined): string {
    return environment === undefined ? "the top level" : `env.${environment}`;
}
