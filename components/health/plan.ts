/**
 * Which checks a declaration calls for: the env contract, then one per bound resource in declaration
 * order. `var` and `secret` bindings have no check of their own; the env contract covers them.
 */
import type { HealthDeclaration, PlannedCheck } from "./types";

/** Name of the env contract check in the report. */
export const ENV_CHECK = "env";

/**
 * Lists the checks of a declaration.
 *
 * @returns `env` first, then one entry per kv, d1, r2, durableObject, service and hyperdrive binding, named after
 *   the binding (`[{ name: "env", kind: "env" }, { name: "CACHE", kind: "kv" }, ...]`).
 */
export function planHealthChecks(declaration: Pick<HealthDeclaration, "bindings">): PlannedCheck[] {
    const planned: PlannedCheck[] = [{ name: ENV_CHECK, kind: "env" }];
    for (const [name, binding] of Object.entries(declaration.bindings)) {
        switch (binding.kind) {
            case "kv":
            case "d1":
            case "r2":
            case "durableObject":
            case "hyperdrive":
                planned.push({ name, kind: binding.kind });
                break;
            case "service":
                planned.push({ name, kind: "service", service: binding.service });
                break;
            case "var":
            case "secret":
                break;
        }
    }
    return planned;
}
