/**
 * Stack config of the health gate, per service: `platform:services.<name>.healthGate`.
 *
 * @example
 * # Pulumi.production.yaml
 * platform:services:
 *   api:
 *     healthGate:
 *       timeoutSeconds: 300
 *       intervalSeconds: 10
 *       expectedChecks: [env, DB, CACHE]
 */
import { z } from "zod";
import { planHealthChecks } from "../../health/plan";
import { wholeNumber } from "../../validation";
import type { ServiceDeclaration } from "../../service/declaration";

/** Default wait for a healthy answer after a deploy, in seconds (new Custom Domains need their certificate). */
export const DEFAULT_HEALTH_GATE_TIMEOUT_SECONDS = 180;
/** Default pause between two health requests, in seconds. */
export const DEFAULT_HEALTH_GATE_INTERVAL_SECONDS = 5;



/** The `healthGate` key of a service's stack config. Every field is optional. */
export const healthGateSchema = z.strictObject({
    /** Run the gate after each deploy of the service. @default true */
    enabled: z.boolean().default(true),
    /** How long to wait for a healthy answer, in seconds (1–1800). @default 180 */
    timeoutSeconds: wholeNumber(1, 1800, "whole seconds").default(DEFAULT_HEALTH_GATE_TIMEOUT_SECONDS),
    /** Pause between two requests, in seconds (1–300, at most `timeoutSeconds`). @default 5 */
    intervalSeconds: wholeNumber(1, 300, "whole seconds").default(DEFAULT_HEALTH_GATE_INTERVAL_SECONDS),
    /**
     * Check names (keys of `checks` in the health report) that must be present and `ok`. Names the Worker
     * adds with `extraChecks` are allowed.
     * @default every check the declaration calls for: `env`, then each kv, d1, r2, durableObject and service binding
     */
    expectedChecks: z.array(z.string().regex(/^[A-Za-z_][\w-]*$/, { error: "expected a check name such as env or DB" }))
        .refine((names) => new Set(names).size === names.length, { error: "lists a check twice" })
        .optional(),
}).refine((gate) => gate.intervalSeconds <= gate.timeoutSeconds, {
    path: ["intervalSeconds"],
    error: "must not exceed timeoutSeconds",
});

/** Validated health gate settings (defaults applied). */
export type HealthGateSettings = z.output<typeof healthGateSchema>;

/** The settings when the stack sets none. */
export const DEFAULT_HEALTH_GATE: HealthGateSettings = {
    enabled: true,
    timeoutSeconds: DEFAULT_HEALTH_GATE_TIMEOUT_SECONDS,
    intervalSeconds: DEFAULT_HEALTH_GATE_INTERVAL_SECONDS,
};

/**
 * The checks the gate requires of a service: the configured list, else every check the declaration calls
 * for (`planHealthChecks`: `env`, then one per binding whose kind has a health check).
 */
export function expectedHealthChecks(declaration: Pick<ServiceDeclaration, "bindings">, settings: HealthGateSettings = DEFAULT_HEALTH_GATE): string[] {
    return settings.expectedChecks !== undefined ? [...settings.expectedChecks] : planHealthChecks(declaration).map((check) => check.name);
}
