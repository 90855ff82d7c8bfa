/**
 * Which checks a declaration calls for: the env contract, then one per binding whose kind has a health
 * check, in declaration order. `var` and `secret` bindings have none of their own; the env contract covers them.
 */
import { bindingKind } from "../bindings/index";
import type { HealthDeclaration, PlannedCheck } from "./types";

/** Name of the env contract check in the report. */
export const ENV_CHECK = "env";

/**
 * Lists the checks of a declaration.
 *
 * @returns `env` first, then one entry per binding whose kind has a health check (`components/bindings/`),
 *   named after the binding, with the fields the kind's check plans (`[{ name: "env", kind: "env" },
 *   { name: "CACHE", kind: "kv" }, { name: "API", kind: "service", service: "api" }, ...]`).
 */
export function planHealthChecks(declaration: Pick<HealthDeclaration, "bindings">): PlannedCheck[] {
    const planned: PlannedCheck[] = [{ name: ENV_CHECK, kind: "env" }];
    for (const [name, binding] of Object.entries(declaration.bindings)) {
        const health = bindingKind(binding.kind).health;
        if (health !== undefined) planned.push({ ...health.plan?.(binding), name, kind: binding.kind });
    }
    return planned;
}
